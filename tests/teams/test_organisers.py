"""An activity organised by a unit in the area or by a Party organisation of the chain: named by
its record, counted under its own kind, and only from the activity's own community or street."""

import pytest

from shequ.core.errors import ValidationFailed
from shequ.teams.models import Activity, OrganiserKind
from tests.teams import party_factories as pf
from tests.teams.factories import make_activity, staff
from tests.teams.factories_cobuilding import make_unit

pytestmark = pytest.mark.django_db


def test_unit_and_party_organisation_organise_activities_of_their_own_place(world):
    unit = make_unit(world, name="宁安小学")
    top = pf.top_org(world)
    a = make_activity(world, organiser_kind="unit", unit=unit.pk, title="宁安小学开放日")
    assert (a.organiser_kind, a.organiser_name, a.organiser_ref) == (
        OrganiserKind.UNIT,
        "宁安小学",
        f"unit:{unit.pk}",
    )
    p = make_activity(world, organiser_kind="party", party_org=top.pk, title="党员志愿服务日")
    assert (p.organiser_kind, p.organiser_name, p.organiser_ref) == ("party", top.name, f"party:{top.pk}")
    other_unit = make_unit(world, "b")
    with pytest.raises(ValidationFailed, match="驻区单位"):
        make_activity(world, organiser_kind="unit", unit=other_unit.pk)
    with pytest.raises(ValidationFailed, match="驻区单位"):
        make_activity(world, organiser_kind="unit")
    with pytest.raises(ValidationFailed, match="党组织"):
        make_activity(world, organiser_kind="party", party_org=pf.top_org(world, "b").pk)
    assert Activity.objects.count() == 2


def test_activity_form_offers_the_units_and_party_organisations_in_scope(world, client):
    make_unit(world, name="宁安小学")
    make_unit(world, "b", name="郭岭医院")
    pf.top_org(world)
    client.force_login(staff(world))
    html = client.get("/teams/activities/new/").content.decode()
    assert "宁安小学" in html and "郭岭医院" not in html and 'name="party_org"' in html
