"""街道内设机构: 编制 against 实有, entered by the street, read by the roster's readers."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from shequ.core.errors import NotFound, ValidationFailed
from shequ.core.models import ChangeLogEntry
from shequ.workforce import services
from shequ.workforce.models import StreetSection

pytestmark = pytest.mark.django_db
STREET = "420115001"


def test_a_section_is_entered_then_corrected_by_name_with_its_history(world):
    street = world.users["street"]
    s = services.set_section(
        street, STREET, name=" 党政综合 办公室 ", established=8, actual=6, note="两人借调"
    )
    assert (s.name, s.vacancy, s.as_of) == ("党政综合 办公室", 2, dt.date.today())
    again = services.set_section(street, STREET, name="党政综合 办公室", established=8, actual=9)
    assert again.pk == s.pk and again.vacancy == -1  # 超编
    assert StreetSection.objects.count() == 1
    assert (
        ChangeLogEntry.objects.filter(content_type__model="streetsection", object_id=str(s.pk)).count() == 2
    )
    services.set_section(street, STREET, name="社区建设办公室", established=5, actual=5)
    report = services.sections_of(street, STREET)
    (row,) = report["streets"]
    assert (row["established"], row["actual"], row["vacancy"]) == (13, 14, -1)
    assert [x.name for x in row["sections"]] == ["党政综合 办公室", "社区建设办公室"]
    services.remove_section(street, s.pk)
    assert services.sections_of(street, None)["established"] == 5


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "", "established": 1, "actual": 1}, "name"),
        ({"name": "办", "established": -1, "actual": 1}, "established"),
        ({"name": "办", "established": 1, "actual": 501}, "actual"),
        (
            {"name": "办", "established": 1, "actual": 1, "as_of": dt.date.today() + dt.timedelta(days=1)},
            "as_of",
        ),
    ],
)
def test_bad_figures_are_refused_with_the_field(world, kwargs, field):
    with pytest.raises(ValidationFailed) as exc:
        services.set_section(world.users["street"], STREET, **kwargs)
    assert field in exc.value.details
    assert not StreetSection.objects.exists()


def test_only_a_street_and_only_by_its_managers(world):
    with pytest.raises(ValidationFailed):  # a community is not a street
        services.set_section(
            world.users["street"], world.community("a").code, name="办", established=1, actual=1
        )
    with pytest.raises(NotFound):  # a community lead's scope does not hold the street
        services.set_section(world.users["community_lead"], STREET, name="办", established=1, actual=1)
    assert not StreetSection.objects.exists()


def test_page_and_api(world):
    services.set_section(world.users["street"], STREET, name="平安建设办公室", established=4, actual=3)
    page = world.client(world.users["street"]).get(reverse("workforce:sections"))
    assert page.status_code == 200 and "平安建设办公室" in page.content.decode()
    lead = world.client(world.users["community_lead"]).get(reverse("workforce:sections"))
    assert lead.status_code == 200 and "平安建设办公室" not in lead.content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {world.token(world.users['street'])}")
    headers = {}
    put = api.put("/api/v1/workforce/sections", {"street": STREET, "name": "平安建设办公室", "established": 4,
                  "actual": 4}, content_type="application/json", **headers)  # fmt: skip
    assert put.status_code == 200 and put.json()["vacancy"] == 0
    got = api.get("/api/v1/workforce/sections", {"scope": STREET}, **headers).json()
    assert (got["established"], got["actual"], got["sections"][0]["street"]) == (4, 4, STREET)
