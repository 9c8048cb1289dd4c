"""The co-building API: a body, a member (twice refused, 409), a meeting, an agreement from the
template (end before start refused, 400), contributions (without a unit refused with its reason),
an agreement's duties period by period, and the figures; residents read none of it."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from shequ.core.models import ApiToken
from tests.teams.factories import staff
from tests.teams.factories_cobuilding import make_unit

pytestmark = pytest.mark.django_db
API = "/api/v1/teams/cobuilding"


def call(user, method, path, data=None, **query):
    headers = {"Authorization": f"Bearer {ApiToken.issue(user, 1)[1]}"}
    c = Client()
    if method == "get":
        return c.get(API + path, query, headers=headers)
    return c.post(API + path, json.dumps(data or {}), content_type="application/json", headers=headers)


def test_body_members_agreement_contributions_and_figures(world):
    lead = staff(world)
    year = timezone.localdate().year
    start = dt.date(year, 1, 1)
    templates = call(lead, "get", "/duty-templates").json()
    assert [t["frequency"] for t in templates] == ["yearly", "quarterly", "once", "yearly", "yearly"]
    body = call(lead, "post", "/bodies", {"org": world.a.code, "name": "宁安社区共建理事会"})
    assert body.status_code == 201
    bid = body.json()["id"]
    unit = make_unit(world, name="宁安供电所")
    assert (
        call(
            lead, "post", f"/bodies/{bid}/members", {"unit": unit.pk, "role": "lead", "joined_on": str(start)}
        ).status_code
        == 201
    )
    twice = call(lead, "post", f"/bodies/{bid}/members", {"unit": unit.pk})
    assert twice.status_code == 409 and "无需重复加入" in twice.json()["message"]
    bad = call(lead, "post", "/agreements", {"body": bid, "unit": unit.pk, "starts_on": f"{year}-06-01",
                                              "ends_on": f"{year}-01-01"})  # fmt: skip
    assert bad.status_code == 400 and "ends_on" in bad.json()["details"]
    a = call(lead, "post", "/agreements", {"body": bid, "unit": unit.pk, "starts_on": str(start),
                                            "ends_on": f"{year + 1}-12-31", "duties": ["joint_meeting", "为居民办一件实事"]})  # fmt: skip
    assert a.status_code == 201 and a.json()["duties"] == ["每季度召开一次联席会议", "为居民办一件实事"]
    aid = a.json()["id"]
    assert (
        call(
            lead, "post", f"/bodies/{bid}/meetings", {"held_on": str(start), "attendees": [unit.pk]}
        ).status_code
        == 201
    )
    orphan = call(
        lead,
        "post",
        "/contributions",
        {"kind": "money", "amount": "500", "given_on": str(start), "description": "捐款"},
    )
    assert (
        orphan.status_code == 400
        and "驻区单位" in orphan.json()["message"]
        and "unit" in orphan.json()["details"]
    )
    given = call(lead, "post", "/contributions", {"unit": unit.pk, "agreement": aid, "kind": "money", "amount": "1234.50",
                                                  "given_on": str(start), "description": "共建资金"})  # fmt: skip
    assert given.status_code == 201 and given.json()["amount"] == "1234.50"
    detail = call(lead, "get", f"/agreements/{aid}", year=year).json()
    meeting = next(d for d in detail["duty_status"] if d["name"] == "每季度召开一次联席会议")
    assert meeting["periods"][0]["state"] == "done" and meeting["done"] == 1
    fig = call(lead, "get", "/figures", scope=world.a.code, year=year).json()
    row = next(u for u in fig["units"] if u["id"] == unit.pk)
    assert row["money"] == "1234.50" and row["agreements"][0]["id"] == aid
    assert fig["totals"]["agreements"] == 1
    assert call(lead, "get", f"/bodies/{bid}").json()["coverage"]["members"] == 1
    assert call(lead, "get", "/contributions", unit=unit.pk).json()["count"] == 1
    resident = world.users["resident"]
    assert call(resident, "get", "/figures").status_code == 403
    assert call(resident, "get", "/contributions").status_code == 403
