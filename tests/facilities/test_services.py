"""The facilities module's rules: facilities and their fields, standards and compliance, the plan's
workflow, handovers, and bookings (rules, double booking, approval, check-in, utilisation)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import ChangeLogEntry
from shequ.core.testing.concurrency import needs_pg, race
from shequ.facilities import services
from shequ.facilities.models import (
    AreaRule,
    Booking,
    BookingSlot,
    BookingStatus,
    Facility,
    HandoverState,
    KindPackage,
    ProjectStatus,
)
from shequ.facilities.services.plan import TRANSITIONS
from tests.facilities.factories import (
    ALL_DAY,
    OFFICE_HOURS,
    make_booking,
    make_facility,
    make_room,
    next_half_hour,
    next_slot,
)


# --- facilities ------------------------------------------------------------------------------------
def test_add_facility_logs_and_scopes(world):
    f = make_facility(world, kind="办公用房", area="80.5", floor=2, step_free=True)
    assert f.scope_code == world.a.code and f.area == Decimal("80.50") and f.kind.code == "office"
    assert ChangeLogEntry.objects.filter(object_id=str(f.pk), action="create").exists()
    with pytest.raises(NotFound):  # community b is outside the lead's scope
        services.add_facility(world.users["community_lead"], world.b.code, name="x", kind="活动室", area=10,
                              tenure="自有")  # fmt: skip


def test_rented_needs_rent_and_lease_and_only_rented_has_them(world):
    with pytest.raises(ValidationFailed) as e:
        make_facility(world, tenure="租用", annual_rent=None)
    assert "年租金" in e.value.message
    with pytest.raises(ValidationFailed) as e:
        make_facility(world, tenure="自有", annual_rent="1000")
    assert "只有租用" in e.value.message
    f = make_facility(world, tenure="租用")
    assert f.annual_rent == Decimal("36000") and f.lease_end == dt.date(2027, 12, 31)


@pytest.mark.parametrize(
    ("hours", "reason"),
    [({"1": "08:30-25:00"}, "08:30-12:00"), ({"1": "12:00-08:00"}, "结束应晚于开始"),
     ({"1": "08:00-12:00,11:00-13:00"}, "重叠"), ({"9": "08:00-12:00"}, "按星期")],
)  # fmt: skip
def test_bad_opening_hours_are_refused(world, hours, reason):
    with pytest.raises(ValidationFailed) as e:
        make_facility(world, opening_hours=hours)
    assert reason in e.value.message


def test_opening_hours_from_text(world):
    f = make_facility(world, opening_hours={"1": "08:30-12:00，14:00-17:30", "6": ""})
    assert f.opening_hours == {"1": [["08:30", "12:00"], ["14:00", "17:30"]]}
    assert f.hours_label()[0] == ("周一", "08:30–12:00、14:00–17:30")


def test_bookable_room_needs_hours_and_bookers(world):
    with pytest.raises(ValidationFailed, match="开放时间"):
        make_facility(world, bookable=True)
    with pytest.raises(ValidationFailed, match="至少允许"):
        make_room(world, book_residents=False, book_teams=False, book_units=False)


def test_community_worker_manages_grid_worker_and_department_do_not(world):
    make_facility(world, who="community_worker")
    for role in ("grid_worker", "department", "resident", "street"):
        with pytest.raises((Forbidden, NotFound)):
            make_facility(world, who=role)


def test_update_keeps_fields_not_given(world):
    f = make_facility(world, area="90")
    g = services.update_facility(world.users["community_worker"], f.pk, area="110")
    assert g.area == Decimal("110.00") and g.name == f.name and g.version == 2


def test_unit_room_belongs_to_a_unit_of_the_community_and_must_be_bookable(world):
    from shequ.org.models import ResidentOrganization

    unit = ResidentOrganization.objects.create(community=world.a, name="纸坊二小", org_type="school")
    other = ResidentOrganization.objects.create(community=world.b, name="郭岭中学", org_type="school")
    with pytest.raises(ValidationFailed, match="开放预约"):
        make_facility(world, kind="运动场地", provider=unit.pk)
    with pytest.raises(ValidationFailed, match="本社区"):
        make_room(world, kind="运动场地", provider=other.pk)
    room = make_room(world, kind="运动场地", provider=unit.pk, area="800", price_per_hour="20")
    assert room.provider == unit


# --- standards and compliance ----------------------------------------------------------------------
def test_compliance_of_urban_communities(world):
    make_facility(world, kind="办公用房", area="120")
    make_facility(world, kind="服务大厅", area="150", tenure="租用")
    make_facility(world, kind="活动室", area="40")
    make_facility(world, "b", kind="活动室", area="60")
    report = services.compliance(world.users["street"], world.street.code)
    rows = {r["code"]: r for r in report["rows"]}
    a, b = rows[world.a.code], rows[world.b.code]
    area = next(c for c in a["checks"] if c["name"] == "办公和服务用房")
    assert area["area"] == Decimal("310") and area["met"]
    assert a["has_office"] and a["rents"]
    assert not b["has_office"] and "没有办公用房" in b["missing"][0]
    b_area = next(c for c in b["checks"] if c["name"] == "办公和服务用房")
    assert not b_area["met"] and b_area["gap"] == Decimal("240")
    wu = next(c for c in a["checks"] if c["name"] == "五有")
    assert set(wu["lacking"]) == {"警务室", "卫生服务站"}
    rule = next(r for r in report["rules"] if r["name"] == "办公和服务用房")
    assert (rule["met"], rule["of"], rule["percent"]) == (1, 2, Decimal("50.0"))
    assert report["no_office"] == 1 and report["rental_rate"] == Decimal("50.0")


def test_unit_rooms_and_disused_premises_do_not_count(world):
    from shequ.org.models import ResidentOrganization

    unit = ResidentOrganization.objects.create(community=world.a, name="纸坊二小", org_type="school")
    make_room(world, kind="活动室", area="400", provider=unit.pk)
    make_facility(world, kind="办公用房", area="400", in_use=False)
    row = next(r for r in services.compliance(world.users["street"])["rows"] if r["code"] == world.a.code)
    assert row["total_area"] == 0 and not row["has_office"]


def test_rural_community_is_measured_by_the_rural_rules(world):
    from shequ.org.models import OrgUnit

    OrgUnit.objects.filter(pk=world.b.pk).update(kind="village")
    make_facility(world, "b", kind="办公用房", area="100")
    make_facility(world, "b", kind="室外广场", area="900")
    row = next(r for r in services.compliance(world.users["street"])["rows"] if r["code"] == world.b.code)
    checks = {c["name"]: c for c in row["checks"]}
    assert row["type"] == "rural" and checks["办公用房"]["met"] and not checks["活动场所"]["met"]
    assert "六室二站一场一校一市一中心" not in checks  # the urban package only


def test_district_edits_its_own_copy_of_the_standards(world):
    district = world.users["district"]
    shipped = AreaRule.objects.get(district__isnull=True, community_type="urban")
    rule = services.set_area_rule(district, world.district.code, pk=shipped.pk, community_type="城市社区",
                                  name="办公和服务用房", min_area="350", kinds=["办公用房", "服务大厅"])  # fmt: skip
    assert rule.district == world.district and rule.pk != shipped.pk
    shipped.refresh_from_db()
    assert shipped.min_area == Decimal("300")  # the platform's rule is untouched
    assert AreaRule.objects.filter(district=world.district).count() == 3  # the whole set was copied
    assert KindPackage.objects.filter(district=world.district).count() == 2
    rules, _packages = services.standards_for(world.district.code)
    assert {r.min_area for r in rules if r.community_type == "urban"} == {Decimal("350")}
    make_facility(world, kind="活动室", area="400")  # no longer counted
    row = next(r for r in services.compliance(district)["rows"] if r["code"] == world.a.code)
    assert not next(c for c in row["checks"] if c["name"] == "办公和服务用房")["met"]
    with pytest.raises((Forbidden, NotFound)):
        services.set_area_rule(world.users["street"], world.district.code, community_type="urban", name="x",
                               min_area=1, kinds=["办公用房"])  # fmt: skip


def test_package_edit_and_removal(world):
    district = world.users["district"]
    p = services.set_package(
        district, world.district.code, name="三室", kinds=["办公用房", "警务室", "调解室"]
    )
    assert p.district == world.district and p.community_type == ""
    services.remove_standard(district, world.district.code, KindPackage, p.pk)
    assert not KindPackage.objects.filter(pk=p.pk).exists()
    with pytest.raises(ValidationFailed, match="至少选择"):
        services.set_package(district, world.district.code, name="空", kinds=[])


def test_compliance_scope(world):
    make_facility(world, kind="办公用房", area="300")
    lead = services.compliance(world.users["community_lead"])
    assert [r["code"] for r in lead["rows"]] == [world.a.code]
    with pytest.raises(NotFound):
        services.compliance(world.users["community_lead"], world.b.code)
    with pytest.raises(Forbidden):
        services.compliance(world.users["grid_worker"])
    assert services.compliance(world.users["department"])["communities"] == 2


# --- the plan ---------------------------------------------------------------------------------------
def _project(world, side="a"):
    return services.add_project(world.users["street"], world.community(side).code, kind="新建", title="宁安党群服务中心新建",
                                plan_year=2026, funds="2500000", area="600")  # fmt: skip


@pytest.mark.parametrize("start", list(ProjectStatus))
@pytest.mark.parametrize("target", list(ProjectStatus))
def test_project_transitions(world, start, target):
    p = _project(world)
    type(p).objects.filter(pk=p.pk).update(status=start)
    on = timezone.localdate()
    if target == start:
        with pytest.raises(ValidationFailed):
            services.move_project(world.users["street"], p.pk, target, on=on)
        return
    if target in TRANSITIONS[start]:
        moved = services.move_project(world.users["street"], p.pk, target, on=on)
        assert moved.status == target
        assert moved.progress == 100 if target == ProjectStatus.COMPLETED else True
    else:
        with pytest.raises(ValidationFailed) as e:
            services.move_project(world.users["street"], p.pk, target, on=on)
        assert e.value.code == "invalid_transition"


def test_plan_progress(world):
    p = _project(world)
    services.add_project(
        world.users["street"], world.b.code, kind="购买", title="郭岭购置", plan_year=2026, funds="1500000"
    )
    services.move_project(world.users["street"], p.pk, "underway", on=timezone.localdate(), progress=40)
    services.move_project(world.users["street"], p.pk, "completed", on=timezone.localdate())
    report = services.plan_progress(world.users["district"], None, 2026)
    assert report["projects"] == 2 and report["funds"] == Decimal("4000000") and report["completed"] == 1
    assert report["percent"] == Decimal("50.0")
    assert {k["key"]: k["count"] for k in report["by_kind"]}["purchase"] == 1
    with pytest.raises((Forbidden, NotFound)):
        _project.__wrapped__ if False else services.add_project(world.users["community_lead"], world.a.code, kind="新建",
                                                                title="x", plan_year=2026)  # fmt: skip


# --- handovers --------------------------------------------------------------------------------------
def _handover(world, **kw):
    data = {"estate": "江夏名苑", "developer": "武汉某置业有限公司", "required_area": "300",
            "due_on": timezone.localdate() - dt.timedelta(days=30)}  # fmt: skip
    data.update(kw)
    return services.add_handover(world.users["street"], world.a.code, **data)


def test_handover_overdue_gap_and_the_note_rule(world):
    h = _handover(world)
    assert h.state() == HandoverState.OVERDUE and h.gap == Decimal("300")
    assert [x.pk for x in services.overdue(world.users["street"])] == [h.pk]
    h = services.record_handover(world.users["street"], h.pk, area="200", on=timezone.localdate())
    assert h.gap == Decimal("100") and h.state() == HandoverState.OVERDUE
    with pytest.raises(ValidationFailed) as e:
        services.record_handover(world.users["street"], h.pk, area="320", on=timezone.localdate())
    assert "说明" in e.value.message and e.value.details == {"note": [e.value.message]}
    h = services.record_handover(
        world.users["street"], h.pk, area="320", on=timezone.localdate(), note="开发商整层移交"
    )
    assert h.state() == HandoverState.DONE and h.gap == 0
    assert services.overdue(world.users["street"]) == []


def test_handover_not_due_yet_and_scope(world):
    h = _handover(world, due_on=timezone.localdate() + dt.timedelta(days=10))
    assert h.state() == HandoverState.PENDING
    assert services.handovers_of(world.users["community_worker"]) == [h]  # the community reads its own
    assert services.handovers_of(world.users["community_worker_b"]) == []
    with pytest.raises((Forbidden, NotFound)):
        services.record_handover(world.users["community_lead"], h.pk, area="10", on=timezone.localdate())


# --- bookings ----------------------------------------------------------------------------------------
def test_resident_books_a_free_room_confirmed_at_once(world):
    room = make_room(world)
    start = next_slot(3)
    b = services.book(
        world.users["resident"], room.pk, start=start, end=start + dt.timedelta(hours=2), purpose="合唱排练"
    )
    assert b.status == BookingStatus.APPROVED and b.hours == Decimal("2.00") and b.fee == 0
    assert BookingSlot.objects.filter(booking=b).count() == 4
    assert list(Booking.objects.visible_to(world.users["resident"])) == [b]


def test_overlapping_booking_is_refused_with_the_reason(world):
    room = make_room(world)
    start = next_slot(3)
    services.book(
        world.users["resident"], room.pk, start=start, end=start + dt.timedelta(hours=2), purpose="排练"
    )
    with pytest.raises(Conflict) as e:
        services.book(world.users["community_worker"], room.pk, start=start + dt.timedelta(minutes=90),
                      end=start + dt.timedelta(hours=3), purpose="会议")  # fmt: skip
    assert "已被预约" in e.value.message and e.value.status == 409
    # Back to back is fine.
    services.book(world.users["community_worker"], room.pk, start=start + dt.timedelta(hours=2),
                  end=start + dt.timedelta(hours=3), purpose="会议")  # fmt: skip


def test_the_slot_rows_refuse_a_double_booking_even_past_the_check(world, monkeypatch):
    """The database guard alone: with the overlap check blinded, the second write still fails."""
    from shequ.facilities.services import bookings as mod

    room = make_room(world)
    start = next_slot(3)
    services.book(
        world.users["resident"], room.pk, start=start, end=start + dt.timedelta(hours=1), purpose="排练"
    )
    monkeypatch.setattr(mod, "_taken", lambda *a: None)
    with pytest.raises(Conflict, match="刚被他人预约"):
        services.book(world.users["community_worker"], room.pk, start=start, end=start + dt.timedelta(hours=1),
                      purpose="会议")  # fmt: skip
    assert Booking.objects.count() == 1


def test_outside_opening_hours_is_refused_in_chinese(world):
    room = make_room(world, opening_hours=OFFICE_HOURS)
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    at = timezone.make_aware(dt.datetime.combine(monday, dt.time(12, 0)))
    with pytest.raises(ValidationFailed) as e:
        services.book(
            world.users["resident"], room.pk, start=at, end=at + dt.timedelta(hours=1), purpose="排练"
        )
    assert (
        "不在开放时间内" in e.value.message and "周一" in e.value.message and "08:30–12:00" in e.value.message
    )
    sunday = monday + dt.timedelta(days=6)
    at = timezone.make_aware(dt.datetime.combine(sunday, dt.time(9, 0)))
    with pytest.raises(ValidationFailed, match="不开放"):
        services.book(
            world.users["resident"], room.pk, start=at, end=at + dt.timedelta(hours=1), purpose="排练"
        )
    at = timezone.make_aware(dt.datetime.combine(monday, dt.time(9, 0)))
    assert services.book(
        world.users["resident"], room.pk, start=at, end=at + dt.timedelta(hours=2), purpose="排练"
    )


@pytest.mark.parametrize(
    ("shift", "minutes", "reason"),
    [(-2, 60, "已经开始或过去"), (1, 45, "整点或半点"), (24 * 20, 60, "最多提前 14 天"), (1, 13 * 60, "最长 12 小时")],
)  # fmt: skip
def test_time_rules(world, shift, minutes, reason):
    room = make_room(world)
    start = next_slot(shift)
    with pytest.raises(ValidationFailed, match=reason):
        services.book(world.users["resident"], room.pk, start=start, end=start + dt.timedelta(minutes=minutes),
                      purpose="排练")  # fmt: skip


def test_who_may_book(world):
    room = make_room(world, book_residents=False)
    with pytest.raises(ValidationFailed, match="不接受"):
        make_booking(world, room=room)
    b = make_booking(world, room=room, booker_kind="团队", team_name="夕阳红合唱团")
    assert b.booker_label == "夕阳红合唱团"
    with pytest.raises(ValidationFailed, match="团队名称"):
        make_booking(world, room=room, booker_kind="team")
    with pytest.raises(ValidationFailed, match="社区工作人员"):
        make_booking(world, room=room, booker_kind="unit")
    other = make_room(world, "b")
    with pytest.raises(NotFound):  # a resident of a books only a's rooms
        services.book(world.users["resident"], other.pk, start=next_slot(3), end=next_slot(4), purpose="x")


def test_grid_worker_and_department_book_in_their_community_and_scope(world):
    room = make_room(world)
    assert make_booking(world, room=room, who="grid_worker").booker == world.users["grid_worker"]
    assert make_booking(world, room=room, who="department").status == BookingStatus.APPROVED
    assert not Booking.objects.visible_to(world.users["department"]).exclude(booker=world.users["department"])


def test_staff_book_for_a_unit_and_pay_the_price(world):
    from shequ.org.models import ResidentOrganization

    unit = ResidentOrganization.objects.create(community=world.a, name="宁安物业", org_type="property")
    room = make_room(world, price_per_hour="15.50")
    b = make_booking(world, room=room, who="community_worker", booker_kind="unit", unit=unit.pk, hours=2)
    assert b.fee == Decimal("31.00") and b.booker_label == "宁安物业"


def test_approval_flow(world):
    room = make_room(world, needs_approval=True)
    b = make_booking(world, room=room)
    assert b.status == BookingStatus.PENDING
    with pytest.raises(Forbidden):
        services.decide(world.users["resident"], b.pk, approve=True)
    with pytest.raises(NotFound):
        services.decide(world.users["community_worker_b"], b.pk, approve=True)
    with pytest.raises(ValidationFailed, match="审批意见"):
        services.decide(world.users["community_worker"], b.pk, approve=False)
    b = services.decide(world.users["community_worker"], b.pk, approve=True)
    assert b.status == BookingStatus.APPROVED and b.decided_by == world.users["community_worker"]
    with pytest.raises(ValidationFailed, match="不是待审批"):
        services.decide(world.users["community_worker"], b.pk, approve=False, note="x")


def test_refusal_and_cancellation_free_the_time(world):
    room = make_room(world, needs_approval=True)
    start = next_slot(3)
    b = make_booking(world, room=room, start=start)
    services.decide(world.users["community_lead"], b.pk, approve=False, note="当天有社区活动")
    again = make_booking(world, room=room, start=start)
    services.cancel(world.users["resident"], again.pk)
    assert BookingSlot.objects.count() == 0
    third = make_booking(world, room=room, start=start)
    with pytest.raises(ValidationFailed, match="取消原因"):
        services.cancel(world.users["community_worker"], third.pk)
    services.cancel(world.users["community_worker"], third.pk, note="停电检修")
    with pytest.raises(NotFound):  # another resident's booking is not theirs to see
        services.cancel(world.users["community_worker_b"], third.pk)


def test_check_in_by_the_door_code(world):
    room = make_room(world)
    start = next_half_hour()  # half an hour: from 23:30 it ends at midnight, never on the next day
    b = services.book(
        world.users["resident"], room.pk, start=start, end=start + dt.timedelta(minutes=30), purpose="排练"
    )
    token = services.door_token(room)
    assert services.check_in(world.users["resident"], token).checked_in_at is not None
    with pytest.raises(ValidationFailed, match="没有可签到"):
        services.check_in(world.users["community_worker"], token)
    with pytest.raises(ValidationFailed, match="无效或已过期"):
        services.check_in(
            world.users["resident"], services.door_token(room, timezone.localdate() - dt.timedelta(days=1))
        )
    with pytest.raises(ValidationFailed, match="无效或已过期"):
        services.check_in(world.users["resident"], token[:-2] + "xx")
    services.renew_door_key(world.users["community_lead"], room.pk)
    with pytest.raises(ValidationFailed, match="无效或已过期"):
        services.check_in(world.users["resident"], token)
    assert Booking.objects.get(pk=b.pk).checked_in_at


def test_utilisation(world):
    room = make_room(world, opening_hours=OFFICE_HOURS)
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    at = timezone.make_aware(dt.datetime.combine(monday, dt.time(9, 0)))
    b = services.book(
        world.users["resident"], room.pk, start=at, end=at + dt.timedelta(hours=3), purpose="排练"
    )
    at2 = at + dt.timedelta(days=1)
    services.book(
        world.users["resident"], room.pk, start=at2, end=at2 + dt.timedelta(hours=2), purpose="排练"
    )
    Booking.objects.filter(pk=b.pk).update(checked_in_at=at)
    report = services.utilisation(world.users["street"], world.a.code, monday, monday + dt.timedelta(days=6))
    row = report["rows"][0]
    assert row["open_hours"] == Decimal("35.0")  # 7 hours × 5 weekdays
    assert (row["booked_hours"], row["attended_hours"]) == (Decimal("5"), Decimal("3"))
    assert (row["booked_rate"], row["attended_rate"]) == (Decimal("14.3"), Decimal("8.6"))
    assert services.utilisation(world.users["community_worker_b"], None, monday, monday)["rows"] == []
    with pytest.raises(ValidationFailed):
        services.utilisation(world.users["street"], None, monday, monday - dt.timedelta(days=1))


def test_utilisation_over_a_period_crossing_weeks_with_closed_days(world):
    """Thursday to the Tuesday twelve days on (two Thursdays … Tuesdays, one Wednesday); the room is
    closed on Mondays and Sundays, open 7 h on Tuesdays, Thursdays and Fridays, 2.5 h on Wednesday
    evenings and Saturday mornings: 2 × 7 × 3 + 2.5 + 2 × 2.5 = 49.5 open hours. Three confirmed
    bookings inside (7 h, two checked in: 5.5 h); a cancelled one inside and confirmed ones the
    day before and two days after do not count."""
    day = "08:30-12:00, 14:00-17:30"
    hours = {"2": day, "3": "19:00-21:30", "4": day, "5": day, "6": "09:00-11:30"}
    room = make_room(world, opening_hours=hours, book_ahead_days=30)
    today = timezone.localdate()
    thu = today + dt.timedelta(days=2 + (3 - (today + dt.timedelta(days=2)).weekday()) % 7)
    end = thu + dt.timedelta(days=12)
    assert (thu.isoweekday(), end.isoweekday()) == (4, 2)

    def book(d: dt.date, at: str, until: str):
        a = timezone.make_aware(dt.datetime.combine(d, dt.time.fromisoformat(at)))
        b = timezone.make_aware(dt.datetime.combine(d, dt.time.fromisoformat(until)))
        return services.book(world.users["resident"], room.pk, start=a, end=b, purpose="排练")

    first = book(thu, "09:00", "11:00")
    book(thu + dt.timedelta(days=2), "09:00", "10:30")  # Saturday
    last = book(end, "14:00", "17:30")  # the last day counts whole
    services.cancel(world.users["resident"], book(thu + dt.timedelta(days=6), "19:00", "20:00").pk)
    book(thu - dt.timedelta(days=1), "19:00", "20:00")  # the Wednesday before
    book(end + dt.timedelta(days=2), "09:00", "10:00")  # the Thursday after
    Booking.objects.filter(pk__in=[first.pk, last.pk]).update(checked_in_at=timezone.now())

    report = services.utilisation(world.users["street"], world.a.code, thu, end)
    [row] = report["rows"]
    assert (row["id"], row["open_hours"], row["bookings"]) == (room.pk, Decimal("49.5"), 3)
    assert (row["booked_hours"], row["attended_hours"]) == (Decimal("7"), Decimal("5.5"))
    assert (row["booked_rate"], row["attended_rate"]) == (
        Decimal("14.1"),
        Decimal("11.1"),
    )  # 7/49.5, 5.5/49.5
    assert (report["rooms"], report["open_hours"], report["booked_hours"]) == (
        1,
        Decimal("49.5"),
        Decimal("7"),
    )
    assert (report["booked_rate"], report["attended_rate"]) == (Decimal("14.1"), Decimal("11.1"))
    # The same room over its closed days only (Sunday and Monday): no open hours, no rate.
    sun = thu + dt.timedelta(days=3)
    row = services.utilisation(world.users["street"], world.a.code, sun, sun + dt.timedelta(days=1))["rows"][
        0
    ]
    assert (row["open_hours"], row["booked_rate"], row["attended_rate"]) == (Decimal("0.0"), None, None)


def test_weekday_counts():
    counts = services.weekday_counts(dt.date(2026, 3, 2), dt.date(2026, 3, 10))  # Mon 2 … Tue 10
    assert counts == {1: 2, 2: 2, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1}


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bookings_of_the_same_time_one_wins():
    """Two requests for the same hour at the same moment, on their own connections: the slot rows'
    unique index lets one through and refuses the other (PostgreSQL; SQLite serialises writers)."""
    from shequ.core.testing.world import build_world

    world = build_world()
    room = make_room(world)
    start = next_slot(5)

    def attempt(who):
        return lambda: services.book(world.users[who], room.pk, start=start, end=start + dt.timedelta(hours=1),
                                     purpose="并发")  # fmt: skip

    results, errors = race([attempt("resident"), attempt("community_worker")])
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], Conflict) and "预约" in errors[0].message
    assert Booking.objects.filter(facility=room).count() == 1
    assert BookingSlot.objects.filter(facility=room).count() == 2


def test_facility_model_helpers(world):
    f = make_room(world, book_units=False)
    assert f.bookers_label() == "居民、团队" and f.free
    assert (
        Facility.objects.visible_to(world.users["resident"]).count() == 0
    )  # residents read rooms via booking
    assert ALL_DAY["1"] == [["00:00", "24:00"]]
