"""The indicator catalogue's pages and API: the list by module, one indicator's value for a scope
and period, snapshots taken by a street manager (refused to a community lead) and their history."""

import datetime as dt
import json

import pytest

from shequ.core.models import IndicatorSnapshot
from tests.people.factories import make_resident

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


def test_catalogue_page_lists_readable_indicators_by_module(world):
    page = world.client(world.users["street"]).get("/indicators/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-key="people.residents"' in body and "走访按期完成率" in body and "计算口径" in body
    assert world.client(world.users["resident"]).get("/indicators/").status_code == 403
    dept = world.client(world.users["department"]).get("/indicators/").content.decode()
    assert 'data-key="cases.close_rate"' in dept and 'data-key="people.residents"' not in dept


def test_value_snapshot_and_correction_on_the_page(world):
    for _ in range(2):
        make_resident(world, "a")
    street = world.client(world.users["street"])
    url = f"/indicators/people.residents/?scope={world.a.code}&period={YEAR}"
    body = street.get(url).content.decode()
    assert 'id="indicator-value">2' in body and 'id="take-snapshot"' in body
    assert (
        street.post(
            "/indicators/people.residents/snapshot/", {"scope": world.a.code, "period": YEAR}
        ).status_code
        == 302
    )
    make_resident(world, "a")
    street.post("/indicators/people.residents/snapshot/", {"scope": world.a.code, "period": YEAR})
    body = street.get(url).content.decode()
    assert "已被更正" in body and "更正后" in body
    lead = world.client(world.users["community_lead"])
    assert 'id="take-snapshot"' not in lead.get(url).content.decode()
    assert (
        lead.post(
            "/indicators/people.residents/snapshot/", {"scope": world.a.code, "period": YEAR}
        ).status_code
        == 403
    )
    assert street.get(f"/indicators/people.residents/?scope={world.a.code}&period=2026-13").status_code == 400
    assert (
        street.get(f"/indicators/workforce.staffing_gap/?scope={world.a.code}&period={YEAR}-03").status_code
        == 400
    )


def test_api_values_children_and_snapshots(world):
    for _ in range(2):
        make_resident(world, "a")
    make_resident(world, "b")
    h = {"Authorization": f"Bearer {world.token(world.users['street'])}"}
    from django.test import Client

    c = Client()
    listed = c.get("/api/v1/indicators", headers=h).json()
    assert any(i["key"] == "people.residents" and i["breakdowns"] == ["type", "tag"] for i in listed)
    r = c.get("/api/v1/indicators/people.residents/values",
              {"period": str(YEAR), "children_of": world.street.code}, headers=h)  # fmt: skip
    assert r.status_code == 200
    assert {v["code"]: v["value"] for v in r.json()} == {world.a.code: "2", world.b.code: "1"}
    r = c.post("/api/v1/indicators/people.residents/snapshots", json.dumps({"period": str(YEAR), "scopes": [world.a.code]}),
               content_type="application/json", headers=h)  # fmt: skip
    assert r.status_code == 201 and r.json()[0]["status"] == "new"
    got = c.get("/api/v1/indicators/people.residents/values",
                {"period": str(YEAR), "scope": world.a.code, "from_snapshots": True}, headers=h).json()  # fmt: skip
    assert got[0]["snapshot"] is True
    hist = c.get(
        "/api/v1/indicators/people.residents/snapshots",
        {"period": str(YEAR), "scope": world.a.code},
        headers=h,
    )
    assert hist.status_code == 200 and len(hist.json()) == 1
    assert IndicatorSnapshot.objects.count() == 1
    bad = c.get(
        "/api/v1/indicators/people.residents/values", {"period": "2026/07", "scope": world.a.code}, headers=h
    )
    assert bad.status_code == 400 and "2026-Q3" in bad.json()["message"]
    assert c.get("/api/v1/indicators/nowhere.none", headers=h).status_code == 404
