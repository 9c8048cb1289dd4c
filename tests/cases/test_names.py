"""People read names, once: a grid named after its community is not prefixed with it again
(“宁安社区宁安社区第一网格”), and a timeline says where a case was escalated to by name, not by
code (“上报至：420115001”)."""

import datetime as dt
import random

import pytest
from django.urls import reverse

from shequ.cases import services, synth
from shequ.cases.models import CaseEvent
from shequ.org.models import Grid
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def named_after_community(world):
    """The demo's naming: the grid's name begins with its community's (宁安社区第一网格)."""
    Grid.objects.filter(pk=world.grid_a.pk).update(name="宁安社区第一网格")
    world.grid_a.refresh_from_db()
    return world


@pytest.mark.parametrize(
    ("name", "community", "label"),
    [
        ("宁安社区第一网格", "宁安社区", "宁安社区第一网格"),
        ("宁安第一网格", "宁安社区", "宁安第一网格"),
        ("第一网格", "宁安社区", "宁安社区 · 第一网格"),
        ("一组", "青龙村", "青龙村 · 一组"),
        ("青龙一组", "青龙村", "青龙一组"),
    ],
)
def test_grid_label_names_the_community_once(name, community, label):
    from shequ.org.models import grid_label

    assert grid_label(name, community) == label


def test_node_names_cover_every_level(named_after_community):
    from shequ.org.models import node_names

    w = named_after_community
    codes = [w.district.code, w.street.code, w.a.code, w.grid_a.code, "420115999", ""]
    assert node_names(codes) == {
        w.district.code: "江夏区",
        w.street.code: "纸坊街道",
        w.a.code: "宁安社区",
        w.grid_a.code: "宁安社区第一网格",
    }


def test_dispatch_to_a_grid_names_it_once(named_after_community):
    w = named_after_community
    case = make_case(w, "a", "filed")
    case = services.transition(w.users["street"], case.pk, "dispatch", unit=f"grid:{w.grid_a.code}")
    assert case.handler_name == "宁安社区第一网格"
    choices = dict(services.unit_choices(case))
    assert choices[f"grid:{w.grid_a.code}"] == "宁安社区第一网格"


def test_demo_cases_name_the_grid_once(named_after_community):
    places = synth.places([named_after_community.street.code], random.Random(1), points_per_grid=2)
    labels = {p.grid_code: p.grid_label for p in places}
    assert labels[named_after_community.grid_a.code] == "宁安社区第一网格"


def test_case_page_names_the_place_and_the_escalation_by_name(named_after_community):
    w = named_after_community
    case = make_case(w, "a", "processing")
    services.sweep_deadlines(now=case.deadline + dt.timedelta(minutes=1))
    assert CaseEvent.objects.get(case=case, action="escalate").data == {"to": w.street.code}
    body = w.client(w.users["street"]).get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    timeline = body[body.index('class="sq-timeline') :]
    assert "上报至：</span>纸坊街道" in timeline
    assert f"上报至：</span>{w.street.code}" not in timeline
    assert "宁安社区 · 宁安社区第一网格" not in body and "宁安社区第一网格" in body


def test_indicator_units_and_scopes_name_the_grid_once(named_after_community):
    w = named_after_community
    case = make_case(w, "a", "filed")
    services.transition(w.users["street"], case.pk, "dispatch", unit=f"grid:{w.grid_a.code}")
    body = w.client(w.users["street"]).get(reverse("cases:indicators")).content.decode()
    assert "宁安社区 · 宁安社区第一网格" not in body
    table = body[body.index('id="unit-table"') :]
    assert "宁安社区第一网格" in table
