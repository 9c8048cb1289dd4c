"""Scope cases for every page and API route of the facilities module. The community's staff (lead
and workers) manage its premises and approve its bookings; streets and districts read and keep the
plan and the handovers; department staff read premises, compliance, the plan and use, not
bookings; grid workers and residents book rooms of their community and see their own bookings."""

import datetime as dt
import io

from django.utils import timezone

from shequ.core.testing.scope import HIDDEN, SEES, cases
from shequ.facilities import services
from tests.facilities.factories import make_booking, make_facility, make_room

STAFF = ("community_lead", "community_worker")
API = "/api/v1/facilities"


def facility(world, side):
    lat = 30.3555 if side == "a" else 30.3575
    return make_facility(world, side, kind="办公用房", area="150", lat=lat, lng=114.3185)


def room(world, side):
    return make_room(world, side, name=f"{'甲乙'[side == 'b']}多功能活动室{side}")


def pending(world, side):
    return make_booking(
        world, side, room=make_room(world, side, needs_approval=True), purpose=f"排练{side}{side}"
    )


def booking(world, side):
    return make_booking(world, side, purpose=f"议事会{side}{side}")


def project(world, side):
    return services.add_project(world.users["street"], world.community(side).code, kind="改扩建",
                                title=f"{'甲乙'[side == 'b']}社区用房改扩建{side}", plan_year=2026, funds="800000")  # fmt: skip


def handover(world, side):
    return services.add_handover(world.users["street"], world.community(side).code, estate=f"{'甲乙'[side == 'b']}名苑{side}",
                                 developer="某置业公司", required_area="300",
                                 due_on=timezone.localdate() - dt.timedelta(days=10))  # fmt: skip


def community(world, side):
    return world.community(side)


def pk(o):
    return {"pk": o.pk}


def png():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "#3366aa").save(buf, format="PNG")
    buf.seek(0)
    buf.name = "活动室.png"
    return buf


def facility_form(f):
    return {"name": f"{f.name}（改）", "kind": str(f.kind_id), "area": "160", "tenure": "owned", "in_use": "on",
            "book_ahead_days": "14", "price_per_hour": "0", "book_residents": "on", "book_teams": "on",
            "book_units": "on"}  # fmt: skip


def tomorrow():
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


# --- pages -----------------------------------------------------------------------------------------
cases.listing("facilities:compliance", make=facility, marker=lambda f: f.community.display_name, roles=STAFF,
              department=SEES)  # fmt: skip
cases.page(
    "facilities:compliance", roles=("grid_worker",), expect={"*": 403, "department": 200}, department=SEES
)
cases.listing(
    "facilities:facility-list", make=facility, marker=lambda f: f.name, roles=STAFF, department=SEES
)
cases.page(
    "facilities:facility-list", roles=("grid_worker",), expect={"*": 403, "department": 200}, department=SEES
)
cases.detail("facilities:facility-detail", make=facility, kwargs=pk, roles=STAFF, department=SEES)
cases.page("facilities:facility-create", roles=STAFF)
cases.page("facilities:facility-create", roles=("grid_worker",), expect=403)
cases.detail("facilities:facility-edit", make=facility, kwargs=pk, roles=STAFF)
cases.action("facilities:facility-edit", make=facility, kwargs=pk, data=facility_form, roles=STAFF)
cases.detail("facilities:facility-photo", make=facility, kwargs=pk, roles=STAFF)
cases.action(
    "facilities:facility-photo", make=facility, kwargs=pk, data=lambda f: {"photo": png()}, roles=STAFF
)
cases.detail("facilities:facility-door", make=room, kwargs=pk, roles=STAFF)
cases.page("facilities:standards", roles=STAFF, department=SEES)
cases.page(
    "facilities:standards", roles=("grid_worker",), expect={"*": 403, "department": 200}, department=SEES
)
# The district's standards: outside a community user's scope (404); the district edits them
# (tests/facilities/test_pages.py).
for name in ("facilities:rule-edit", "facilities:package-edit"):
    cases.page(name, roles=STAFF, query={"district": "420115"}, expect=404)
cases.listing("facilities:project-list", make=project, marker=lambda p: p.title, roles=STAFF, department=SEES)
cases.page("facilities:project-create", roles=STAFF, expect=403)  # streets and districts keep the plan
cases.action("facilities:project-move", make=project, kwargs=pk, data={"status": "underway", "on": "2026-01-05"},
             roles=STAFF, expect=403)  # fmt: skip
cases.listing(
    "facilities:handover-list", make=handover, marker=lambda h: h.estate, roles=STAFF, department=SEES
)
cases.page("facilities:handover-create", roles=STAFF, expect=403)
cases.action("facilities:handover-record", make=handover, kwargs=pk, data={"area": "100", "on": "2026-01-05"},
             roles=STAFF, expect=403)  # fmt: skip
# Booking: every role books in its own community (a department in its scope).
cases.listing("facilities:rooms", make=room, marker=lambda r: r.name, department=SEES, resident=SEES)
cases.detail("facilities:room-book", make=room, kwargs=pk, department=SEES, resident=SEES)
cases.action("facilities:room-book", make=room, kwargs=pk, department=SEES, resident=SEES,
             data=lambda r: {"day": tomorrow(), "start": "10:00", "end": "11:30", "booker_kind": "resident",
                             "purpose": "楼栋议事会", "attendees": "12"})  # fmt: skip
cases.page("facilities:my-bookings", department=SEES, resident=SEES)
cases.listing("facilities:booking-list", make=booking, marker=lambda b: b.purpose, roles=STAFF)
cases.page("facilities:booking-list", roles=("grid_worker",), expect=403)
cases.detail(
    "facilities:booking-detail", make=booking, kwargs=pk, roles=STAFF, resident=SEES, department=HIDDEN
)
cases.detail("facilities:booking-decide", make=pending, kwargs=pk, roles=STAFF)
cases.action("facilities:booking-decide", make=pending, kwargs=pk, data={"decision": "approve"}, roles=STAFF)
cases.detail("facilities:booking-cancel", make=booking, kwargs=pk, roles=STAFF, resident=SEES)
cases.action("facilities:booking-cancel", make=booking, kwargs=pk, data={"note": "停电检修"}, roles=STAFF,
             resident=SEES)  # fmt: skip
cases.detail("facilities:check-in", make=room, kwargs=lambda r: {"token": services.door_token(r)}, department=SEES,
             resident=SEES)  # fmt: skip
cases.listing("facilities:utilisation", make=room, marker=lambda r: r.name, roles=STAFF, department=SEES)
cases.page(
    "facilities:utilisation", roles=("grid_worker",), expect={"*": 403, "department": 200}, department=SEES
)

# --- API -------------------------------------------------------------------------------------------
cases.public(f"GET {API}/kinds", "the kinds of premises: reference data, no community's")
cases.api_list("GET", f"{API}/facilities", make=facility, marker=lambda f: f.name, roles=STAFF)
cases.api("GET", f"{API}/facilities/{{int:facility_id}}", make=facility, path_params=lambda f: {"facility_id": f.pk},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/facilities", make=community, path_params=lambda c: {}, roles=STAFF, expect=201,
          data=lambda c: {"community": c.code, "name": "接口登记的活动室", "kind": "活动室", "area": "80",
                          "tenure": "自有"})  # fmt: skip
cases.api("PATCH", f"{API}/facilities/{{int:facility_id}}", make=facility,
          path_params=lambda f: {"facility_id": f.pk}, data={"area": "175.5"}, roles=STAFF)  # fmt: skip
cases.api("GET", f"{API}/compliance", make=community, path_params=lambda c: {}, query=lambda c: {"scope": c.code},
          roles=STAFF)  # fmt: skip
cases.public(
    f"GET {API}/standards", "a district's standards, the same for all its communities; covered in test_api"
)
cases.public(f"PUT {API}/standards/rules", "a district's standard: no community's data; covered in test_api")
cases.public(
    f"PUT {API}/standards/packages", "a district's standard: no community's data; covered in test_api"
)
cases.api_list("GET", f"{API}/projects", make=project, marker=lambda p: p.title, roles=STAFF)
cases.api("POST", f"{API}/projects", make=community, path_params=lambda c: {}, roles=STAFF, expect=403,
          data=lambda c: {"community": c.code, "kind": "新建", "title": "越权项目", "plan_year": 2026})  # fmt: skip
cases.api("POST", f"{API}/projects/{{int:project_id}}/progress", make=project,
          path_params=lambda p: {"project_id": p.pk}, data={"status": "实施中"}, roles=STAFF, expect=403)  # fmt: skip
cases.api("GET", f"{API}/plan", make=community, path_params=lambda c: {}, query=lambda c: {"scope": c.code},
          roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/handovers", make=handover, marker=lambda h: h.estate, roles=STAFF)
cases.api("POST", f"{API}/handovers", make=community, path_params=lambda c: {}, roles=STAFF, expect=403,
          data=lambda c: {"where": c.code, "estate": "越权", "developer": "x", "required_area": "10",
                          "due_on": "2027-01-01"})  # fmt: skip
cases.api("POST", f"{API}/handovers/{{int:handover_id}}/handed", make=handover,
          path_params=lambda h: {"handover_id": h.pk}, data={"area": "10", "on": "2026-01-05"}, roles=STAFF,
          expect=403)  # fmt: skip
cases.api_list("GET", f"{API}/rooms", make=room, marker=lambda r: r.name)
cases.api("GET", f"{API}/rooms/{{int:room_id}}/held", make=room, path_params=lambda r: {"room_id": r.pk})
cases.api_list("GET", f"{API}/bookings", make=booking, marker=lambda b: b.purpose, roles=STAFF)
cases.api("GET", f"{API}/bookings/{{int:booking_id}}", make=booking, path_params=lambda b: {"booking_id": b.pk},
          roles=STAFF)  # fmt: skip


def _next_hour():
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=26)
    return start.isoformat(), (start + dt.timedelta(hours=1)).isoformat()


cases.api("POST", f"{API}/bookings", make=room, path_params=lambda r: {}, expect=201,
          data=lambda r: {"room_id": r.pk, "start": _next_hour()[0], "end": _next_hour()[1], "purpose": "接口预约"})  # fmt: skip
cases.api("POST", f"{API}/bookings/{{int:booking_id}}/decision", make=pending,
          path_params=lambda b: {"booking_id": b.pk}, data={"approve": True}, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/bookings/{{int:booking_id}}/cancel", make=booking,
          path_params=lambda b: {"booking_id": b.pk}, data={"note": "场地维修"}, roles=STAFF)  # fmt: skip
cases.public(
    f"POST {API}/check-in", "acts only on the caller's own booking; the door code decides the room (test_api)"
)
cases.api("GET", f"{API}/utilisation", make=community, path_params=lambda c: {}, roles=STAFF,
          query=lambda c: {"scope": c.code, "from": "2026-01-01", "to": "2026-01-31"})  # fmt: skip
