"""/api/v1/services: the catalogue refuses a price on a free service, a record is written once
per idempotency key, a resident outside the scope is not found, follow-ups answer 409 when done,
and the counts and the ledger answer as the pages do."""

import datetime as dt
import json

from django.test import Client
from django.utils import timezone

from shequ.services.models import ServiceRecord
from tests.people.factories import make_resident
from tests.services.factories import make_record, make_service

API = "/api/v1/services"


def _client(world, role):
    return Client(headers={"Authorization": f"Bearer {world.token(world.users[role])}"})


def _post(client, path, data):
    return client.post(f"{API}{path}", json.dumps(data), content_type="application/json")


def test_catalogue_refuses_a_price_on_a_free_service(world):
    c = _client(world, "community_worker")
    resp = _post(
        c,
        "/catalogue",
        {"org": world.a.code, "name": "免费理发", "category": "便民", "mode": "无偿", "price": "5"},
    )
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == "invalid" and "无偿服务不收费" in body["message"] and "price" in body["details"]
    resp = _post(
        c, "/catalogue", {"org": world.a.code, "name": "助餐", "category": "elder", "mode": "low", "price": 8}
    )
    assert resp.status_code == 201
    out = resp.json()
    assert out["mode_label"] == "低偿" and out["category_name"] == "养老" and out["price"] == "8.00"
    resp = c.patch(f"{API}/catalogue/{out['id']}", json.dumps({"expected_version": 0, "hours": "11:00"}),
                   content_type="application/json")  # fmt: skip
    assert resp.status_code == 409


def test_record_once_per_idempotency_key_and_follow_up(world):
    c = _client(world, "community_worker")
    svc, r = make_service(world, "a"), make_resident(world, "a")
    today = timezone.localdate()
    data = {"service_id": svc.pk, "resident_id": r.pk, "served_on": today.isoformat(),
            "follow_up_due": (today + dt.timedelta(days=7)).isoformat(), "idempotency_key": "key-0001"}  # fmt: skip
    first = _post(c, "/records", data)
    assert first.status_code == 201, first.content
    again = _post(c, "/records", data)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert ServiceRecord.objects.count() == 1
    assert first.json()["person_name"] == r.name
    early = _post(c, f"/records/{first.json()['id']}/follow-up", {"done_on": (today - dt.timedelta(days=1)).isoformat(),
                                                               "note": "早"})  # fmt: skip
    assert early.status_code == 400 and "不能早于服务日期" in early.json()["message"]
    done = _post(
        c, f"/records/{first.json()['id']}/follow-up", {"done_on": today.isoformat(), "note": "电话回访"}
    )
    assert done.status_code == 200 and done.json()["follow_up_done_on"] == today.isoformat()
    twice = _post(
        c, f"/records/{first.json()['id']}/follow-up", {"done_on": today.isoformat(), "note": "再访"}
    )
    assert twice.status_code == 409 and twice.json()["code"] == "already_followed_up"


def test_record_refusals(world):
    c = _client(world, "community_worker")
    svc = make_service(world, "a")
    stranger = make_resident(world, "b")
    today = timezone.localdate().isoformat()
    resp = _post(c, "/records", {"service_id": svc.pk, "resident_id": stranger.pk, "served_on": today})
    assert resp.status_code == 404 and "不在您的管辖范围内" in resp.json()["message"]
    resp = _post(c, "/records", {"service_id": svc.pk, "resident_id": make_resident(world, "a").pk, "served_on": today,
                                 "follow_up_due": "2000-01-01"})  # fmt: skip
    assert resp.status_code == 400 and "follow_up_due" in resp.json()["details"]
    dept = _client(world, "department")
    assert dept.get(f"{API}/records").status_code == 403
    assert dept.get(f"{API}/catalogue").status_code == 200  # the catalogue is no secret


def test_records_mask_the_phone(world):
    c = _client(world, "community_worker")
    svc = make_service(world, "a")
    resp = _post(c, "/records", {"service_id": svc.pk, "person_name": "过路人", "person_phone": "13912345678",
                                 "community": world.a.code, "served_on": timezone.localdate().isoformat()})  # fmt: skip
    assert resp.status_code == 201
    assert "13912345678" not in resp.content.decode() and resp.json()["person_phone"].startswith("139")


def test_report_and_ledger(world):
    job = make_service(world, "a", category="就业", name="就业援助")
    make_record(world, "a", service=job, employment_kind="培训", days_ago=0)
    make_record(world, "a", days_ago=0)
    c = _client(world, "street")
    report = c.get(f"{API}/report", {"scope": world.street.code}).json()
    assert report["total"] == 2 and {r["name"] for r in report["by_category"]} == {"就业", "养老"}
    ledger = c.get(f"{API}/employment-ledger", {"scope": world.street.code}).json()
    assert ledger["totals"]["training"] == 1 and ledger["totals"]["total"] == 1
    assert c.get(f"{API}/employment-ledger", {"scope": world.street.code, "year": 1999}).status_code == 422
    assert _client(world, "community_worker").get(f"{API}/report", {"scope": world.b.code}).status_code == 404
