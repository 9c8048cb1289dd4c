"""/api/v1/facilities: the routes the scope harness marks as covered here, and the refusals with
their reasons (double booking, opening hours, a handover over the requirement without a note)."""

import datetime as dt
import json
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from shequ.facilities import services
from shequ.facilities.models import AreaRule
from tests.facilities.factories import OFFICE_HOURS, make_room, next_half_hour

API = "/api/v1/facilities"


def call(world, role, method, path, data=None, **query):
    token = world.token(world.users[role])
    c = Client()
    headers = {"Authorization": f"Bearer {token}"}
    if method == "get":
        return c.get(API + path, query, headers=headers)
    return getattr(c, method)(
        API + path, json.dumps(data or {}), content_type="application/json", headers=headers
    )


def test_standards_read_and_edited_by_the_district(world):
    r = call(world, "community_worker", "get", "/standards", district="420115")
    assert r.status_code == 200 and not r.json()["own"]
    assert {x["name"] for x in r.json()["rules"]} == {"办公和服务用房", "办公用房", "活动场所"}
    assert call(world, "community_worker", "get", "/standards", district="110101").status_code == 404
    assert call(world, "resident", "get", "/standards", district="420115").status_code == 403
    shipped = AreaRule.objects.get(district__isnull=True, community_type="urban")
    body = {"district": "420115", "id": shipped.pk, "community_type": "城市社区", "name": "办公和服务用房",
            "min_area": "350", "kinds": ["办公用房", "服务大厅", "党群服务中心"]}  # fmt: skip
    assert call(world, "street", "put", "/standards/rules", body).status_code in (403, 404)
    r = call(world, "district", "put", "/standards/rules", body)
    assert r.status_code == 200 and Decimal(r.json()["min_area"]) == 350 and r.json()["district"] == "420115"
    r = call(
        world,
        "district",
        "put",
        "/standards/packages",
        {"district": "420115", "name": "三室", "kinds": ["警务室"]},
    )
    assert r.status_code == 200
    assert call(world, "community_worker", "get", "/standards", district="420115").json()["own"]


def test_booking_refusals_carry_the_reason(world):
    room = make_room(world, opening_hours=OFFICE_HOURS)
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    at = timezone.make_aware(dt.datetime.combine(monday, dt.time(9, 0)))
    body = {
        "room_id": room.pk,
        "start": at.isoformat(),
        "end": (at + dt.timedelta(hours=2)).isoformat(),
        "purpose": "排练",
    }
    r = call(world, "resident", "post", "/bookings", body)
    assert r.status_code == 201 and r.json()["status"] == "approved" and r.json()["mine"]
    r = call(world, "community_worker", "post", "/bookings", {**body, "purpose": "会议"})
    assert r.status_code == 409 and r.json()["code"] == "booked" and "已被预约" in r.json()["message"]
    evening = at.replace(hour=19)
    r = call(world, "resident", "post", "/bookings",
             {**body, "start": evening.isoformat(), "end": (evening + dt.timedelta(hours=1)).isoformat()})  # fmt: skip
    assert r.status_code == 400 and "不在开放时间内" in r.json()["message"]
    held = call(world, "resident", "get", f"/rooms/{room.pk}/held", day=monday.isoformat()).json()
    assert len(held) == 1 and "purpose" not in held[0]  # times only
    mine = call(world, "resident", "get", "/bookings").json()
    assert mine["count"] == 1


def test_check_in_with_the_door_code(world):
    room = make_room(world)
    start = next_half_hour()  # half an hour: from 23:30 it ends at midnight, never on the next day
    b = services.book(
        world.users["resident"], room.pk, start=start, end=start + dt.timedelta(minutes=30), purpose="排练"
    )
    token = services.door_token(room)
    r = call(world, "community_worker", "post", "/check-in", {"token": token})
    assert r.status_code == 400 and r.json()["code"] == "no_booking"
    r = call(world, "resident", "post", "/check-in", {"token": "forged:abc"})
    assert r.status_code == 400 and r.json()["code"] == "bad_door_code"
    r = call(world, "resident", "post", "/check-in", {"token": token})
    assert r.status_code == 200 and r.json()["id"] == b.pk and r.json()["checked_in_at"]


def test_handover_over_the_requirement_needs_a_note(world):
    r = call(world, "street", "post", "/handovers", {"where": world.a.code, "estate": "江夏名苑", "developer": "某置业",
                                                      "required_area": "300", "due_on": "2026-01-01"})  # fmt: skip
    assert r.status_code == 201
    pk = r.json()["id"]
    r = call(world, "street", "post", f"/handovers/{pk}/handed", {"area": "320", "on": "2026-01-05"})
    assert r.status_code == 400 and "说明" in r.json()["message"] and "note" in r.json()["details"]
    r = call(
        world,
        "street",
        "post",
        f"/handovers/{pk}/handed",
        {"area": "320", "on": "2026-01-05", "note": "整层移交"},
    )
    assert r.status_code == 200 and r.json()["state"] == "done" and Decimal(r.json()["gap"]) == 0


def test_compliance_and_utilisation_for_the_street(world):
    services.add_facility(world.users["community_lead"], world.a.code, name="宁安社区办公室", kind="办公用房", area="320",
                          tenure="租用", annual_rent="30000", lease_start="2024-01-01", lease_end="2026-12-31")  # fmt: skip
    r = call(world, "street", "get", "/compliance", scope=world.street.code)
    assert r.status_code == 200
    data = r.json()
    assert data["communities"] == 2 and data["no_office"] == 1 and data["rental_rate"] == "50.0"
    r = call(world, "department", "get", "/utilisation", **{"from": "2026-01-01", "to": "2026-01-31"})
    assert r.status_code == 200 and r.json()["rooms"] == 0
    assert call(world, "resident", "get", "/compliance").status_code == 403


def test_kinds_and_rooms_for_a_resident(world):
    assert "活动室" in [k["name"] for k in call(world, "resident", "get", "/kinds").json()]
    make_room(world, name="宁安活动室")
    make_room(world, "b", name="郭岭活动室")
    names = [r["name"] for r in call(world, "resident", "get", "/rooms").json()["items"]]
    assert names == ["宁安活动室"]
    assert call(world, "resident", "get", "/facilities").status_code == 403  # the ledger is the staff's
