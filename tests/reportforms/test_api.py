import io
import json

import openpyxl
import pytest
from django.test import Client

from shequ.reportforms import samples
from shequ.reportforms.models import ReportForm
from tests.reportforms.factories import PERIOD, RATE, make_form

pytestmark = pytest.mark.django_db
API = "/api/v1/reportforms"


def _client(world, role):
    return Client(headers={"Authorization": f"Bearer {world.token(world.users[role])}"})


def _upload(c, org, data=None, name="街道月报表", filename="月报表.xlsx"):
    files = {"template": io.BytesIO(data if data is not None else samples.street_monthly_form())}
    files["template"].name = filename
    return c.post(f"{API}/definitions", {"org": org, "name": name, "asked_by": "区民政局",
                                         "levels": "community,street", **files})  # fmt: skip


def test_upload_bind_fill_download(world):
    c = _client(world, "street")
    resp = _upload(c, world.street.code)
    assert resp.status_code == 201, resp.content
    form_id = resp.json()["id"]
    assert resp.json()["sheets"] == ["月报表"]
    resp = c.post(f"{API}/definitions/{form_id}/bindings", json.dumps(
        {"sheet": "月报表", "cell": "D5", "end_cell": "D12", "kind": "range", "indicator": RATE,
         "field": "denominator", "breakdown": "community", "label_cell": "B5"}), content_type="application/json")  # fmt: skip
    assert resp.status_code == 201, resp.content
    resp = c.post(f"{API}/definitions/{form_id}/fill", json.dumps({"code": world.street.code, "period": PERIOD}),
                  content_type="application/json")  # fmt: skip
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["source"] == "live"
    assert [t["scope"] for t in body["trace"]] == [world.a.code, world.b.code]
    xlsx = c.get(body["download"])
    assert xlsx.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content))["月报表"]
    assert ws["B5"].value == world.a.name and ws["B6"].value == world.b.name
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}


def test_a_wrong_file_is_400_with_the_reason(world):
    resp = _upload(
        _client(world, "street"), world.street.code, data=b"%PDF-1.4 not a workbook", filename="x.xlsx"
    )
    assert resp.status_code == 400
    assert resp.json()["code"] == "bad_template" and "不是 Excel" in resp.json()["message"]
    assert not ReportForm.objects.exists()


def test_registering_at_another_community_is_not_found(world):
    resp = _upload(_client(world, "community_lead"), world.b.code)
    assert resp.status_code == 404
    assert not ReportForm.objects.exists()


def test_binding_to_a_missing_indicator_is_400(world):
    form = make_form(world)
    resp = _client(world, "community_lead").post(
        f"{API}/definitions/{form.pk}/bindings", json.dumps({"sheet": "月报表", "cell": "E12", "indicator": "x.y"}),
        content_type="application/json",
    )  # fmt: skip
    assert resp.status_code == 400 and resp.json()["code"] == "unknown_indicator"


def test_template_of_another_community_is_not_found(world):
    form = make_form(world, "b")
    f = io.BytesIO(samples.street_monthly_form())
    f.name = "新表样.xlsx"
    resp = _client(world, "community_lead").post(f"{API}/definitions/{form.pk}/template", {"template": f})
    assert resp.status_code == 404


def test_ledger_at_another_community_is_not_found(world):
    resp = _client(world, "community_lead").post(
        f"{API}/ledgers/cases.requests/fill", json.dumps({"code": world.b.code, "period": PERIOD}),
        content_type="application/json",
    )  # fmt: skip
    assert resp.status_code == 404


def test_manual_values_round_trip(world):
    form = make_form(world)
    c = _client(world, "community_worker")
    b = form.bindings.get(kind="manual")
    resp = c.post(f"{API}/definitions/{form.pk}/manual", json.dumps(
        {"code": world.a.code, "period": "2026-06", "values": {str(b.pk): "7"}}), content_type="application/json")  # fmt: skip
    assert resp.status_code == 200
    resp = c.get(f"{API}/definitions/{form.pk}/manual", {"code": world.a.code, "period": PERIOD})
    assert resp.json() == [{"binding_id": b.pk, "sheet": "月报表", "cell": b.cell, "label": b.label, "value": "7",
                            "period": "2026-06"}]  # fmt: skip


def test_register_counts(world):
    make_form(world)
    body = _client(world, "community_lead").get(f"{API}/register").json()
    assert body["forms"]["generated"] == 1
    assert body["ledgers"]["total"] >= 5 and body["ledgers"]["typed"] == 0
