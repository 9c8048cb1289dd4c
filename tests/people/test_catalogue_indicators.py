"""The registry's indicators in the catalogue: residents by type and tag, the share aged 60 and
over, and visits done on time, computed from real rows; many scopes equal each scope alone."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core import indicators
from shequ.people.models import Resident, ResidentTag, TagDefinition, Visit
from tests.people.factories import make_resident

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START, END = dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 12, 31)


def _population(world):
    make_resident(world, "a", birth_date=dt.date(1950, 1, 1))
    make_resident(world, "a", birth_date=dt.date(2000, 1, 1))
    make_resident(world, "a")  # no birth date: not in the age share's denominator
    make_resident(world, "a", birth_date=dt.date(1990, 1, 1), status="moved_out")  # not in register
    make_resident(world, "b", birth_date=dt.date(1940, 1, 1), residence_type="floating")


def _figures(world, key, user="street"):
    codes = [world.a.code, world.b.code, world.street.code]
    many = indicators.evaluate_many(world.users[user], key, codes, START, END)
    for c in codes:
        assert indicators.evaluate(world.users[user], key, c, START, END) == many[c]
    return many


def test_residents_by_type_and_tag(world):
    _population(world)
    tag = TagDefinition.objects.get(code="living_alone")
    ResidentTag.objects.create(resident=Resident.objects.filter(community=world.a).first(), tag_key=tag.key)
    f = _figures(world, "people.residents")
    assert [f[c]["value"] for c in (world.a.code, world.b.code, world.street.code)] == [3, 1, 4]
    by = f[world.street.code]["detail"]["by"]
    assert by["type"] == {"户籍在住": 3, "流动人口": 1}
    assert by["tag"]["独居老人"] == 1 and by["tag"]["60岁以上"] == 2


def test_share_aged_sixty_and_over(world):
    _population(world)
    f = _figures(world, "people.elderly_share")
    assert (f[world.a.code]["numerator"], f[world.a.code]["denominator"], f[world.a.code]["value"]) == (
        1, 2, Decimal("50.0"))  # fmt: skip
    assert f[world.street.code]["value"] == Decimal("66.7")


def test_visits_done_on_time(world):
    long_ago = timezone.now() - dt.timedelta(days=60)
    visited, missed, recent = (make_resident(world, "a") for _ in range(3))
    for r in (visited, missed, recent):
        Resident.objects.filter(pk=r.pk).update(visit_interval_days=30)
    Resident.objects.filter(pk__in=[visited.pk, missed.pk]).update(
        created_at=long_ago
    )  # `recent` not yet due
    Visit.objects.create(resident=visited, visitor_name="测试员", method="home", findings="好",
                         visited_at=timezone.now() - dt.timedelta(days=3))  # fmt: skip
    Visit.objects.create(resident=missed, visitor_name="测试员", method="home", findings="好",
                         visited_at=timezone.now() - dt.timedelta(days=45))  # fmt: skip
    f = _figures(world, "people.visits_on_time")
    assert (f[world.a.code]["numerator"], f[world.a.code]["denominator"], f[world.a.code]["value"]) == (
        1, 2, Decimal("50.0"))  # fmt: skip
    assert f[world.b.code]["value"] is None  # nobody with a visit duty


def test_a_grid_worker_is_refused_and_a_lead_sees_only_their_community(world):
    from shequ.core.errors import NotFound

    _population(world)
    with pytest.raises(NotFound):
        indicators.evaluate(world.users["community_lead"], "people.residents", world.b.code, START, END)
    assert indicators.evaluate(world.users["community_lead"], "people.residents", world.a.code, START, END)[
        "value"
    ] == Decimal(3)
