"""The facilities module in a real browser (system Chromium, Playwright) against live_server: a
resident books a room on a phone (a second booking of the same time is refused with the reason)
and checks in with the QR code shown at the door; a street manager sees which communities miss the
300 m² rule, the rental rate, and exports the compliance table. Screenshots land in
test-artifacts/screenshots/facilities-*.png."""

import datetime as dt
import io
from pathlib import Path

from python_calamine import CalamineWorkbook

from shequ.facilities import services
from shequ.facilities.models import Booking
from tests.facilities.factories import ALL_DAY, make_facility, make_room, next_half_hour

from .conftest import PHONE, shoot, sign_in


def test_resident_books_on_a_phone_and_checks_in_by_qr(world, new_tab):
    users, secrets = world.users, {}
    room = make_room(world, name="宁安多功能活动室", kind="活动室", area="90", opening_hours=ALL_DAY, capacity=40,
                     address="宁安社区党群服务中心二楼", lat=30.3555, lng=114.3185)  # fmt: skip
    start = next_half_hour()
    end = start + dt.timedelta(minutes=30)
    end_label = "24:00" if end.date() > start.date() else f"{end:%H:%M}"

    phone = new_tab(PHONE)
    sign_in(phone, users["resident"], secrets)
    phone.goto("/facilities/rooms/")
    shoot(phone, "facilities-rooms-phone")
    with phone.page.expect_navigation():
        phone.page.get_by_role("link", name="宁安多功能活动室").click()
    phone.settle()

    def book(purpose):
        form = phone.page.locator("#book-form")
        form.locator("[name=day]").fill(start.date().isoformat())
        form.locator("[name=start]").select_option(f"{start:%H:%M}")
        form.locator("[name=end]").select_option(end_label)
        form.locator("[name=purpose]").fill(purpose)
        form.locator("[name=attendees]").fill("12")
        with phone.page.expect_navigation():
            form.locator("button[type=submit]").click()
        phone.settle()

    book("夕阳红合唱团排练")
    b = Booking.objects.get(facility=room)
    assert phone.path() == f"/facilities/bookings/{b.pk}/" and b.status == "approved"
    assert phone.page.inner_text("#booking-status").strip() == "已确认"
    shoot(phone, "facilities-booked-phone")
    # The same half hour again: refused, with the reason, on the form.
    phone.goto(f"/facilities/rooms/{room.pk}/?day={start.date().isoformat()}")
    assert f"{start:%H:%M}" in phone.page.inner_text("#held-times")
    book("再约一次")
    assert "已被预约" in phone.page.inner_text("#book-form")
    assert Booking.objects.filter(facility=room).count() == 1
    assert [p for p in phone.take_problems() if "409" not in p] == []
    shoot(phone, "facilities-refused-phone")

    lead = new_tab()
    sign_in(lead, users["community_lead"], secrets)
    lead.goto(f"/facilities/premises/{room.pk}/door/")
    assert lead.page.locator("#door-qr").is_visible()
    url = lead.page.get_attribute("#door-url", "href")
    assert url == lead.url(f"/facilities/check-in/{services.door_token(room)}/")
    shoot(lead, "facilities-door")
    lead.assert_clean("the door's QR code")

    phone.page.goto(url)  # what the phone's camera opens
    phone.settle()
    with phone.page.expect_navigation():
        phone.page.locator("#check-in-button").click()
    phone.settle()
    assert phone.page.locator("#check-in-done").is_visible()
    assert Booking.objects.get(pk=b.pk).checked_in_at is not None
    shoot(phone, "facilities-checked-in-phone")
    phone.goto("/facilities/bookings/mine/")
    assert "已签到" in phone.page.inner_text("#my-coming")
    phone.assert_clean("the resident's phone")


def test_street_sees_the_300_rule_and_rental_rate_and_exports(world, new_tab):
    users, secrets = world.users, {}
    make_facility(world, name="宁安社区办公室", kind="办公用房", area="120", lat=30.3555, lng=114.3185)
    make_facility(
        world, name="宁安便民服务大厅", kind="服务大厅", area="200", tenure="租用", lat=30.3558, lng=114.3190
    )
    make_facility(world, "b", name="郭岭活动室", kind="活动室", area="60", lat=30.3550, lng=114.3285)
    services.add_handover(users["street"], world.b.code, estate="江夏名苑三期", developer="武汉江城置业有限公司",
                          required_area="350", due_on=dt.date.today() - dt.timedelta(days=90))  # fmt: skip

    street = new_tab()
    sign_in(street, users["street"], secrets)
    assert street.page.inner_text("#overdue-handovers").strip() == "1"  # the home page's card
    street.goto(f"/facilities/?scope={world.street.code}")
    street.page.wait_for_selector("#compliance-map[data-points-drawn='3']")
    assert street.page.inner_text("[data-rule='办公和服务用房']").strip() == "1/2"
    assert street.page.inner_text("#rental-rate").strip() == "50.0%"
    assert street.page.inner_text("#no-office").strip() == "1"
    guoling = street.page.inner_text(f"tr[data-community='{world.b.code}']")
    assert "没有办公用房" in guoling and "办公和服务用房差 240" in guoling
    assert "江夏名苑三期" in street.page.inner_text("#overdue-alert")
    shoot(street, "facilities-compliance")
    with street.page.expect_download() as dl:
        street.page.locator("#export-compliance").click()
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(Path(dl.value.path()).read_bytes()))
        .get_sheet_by_index(0)
        .to_python()
    )
    header = rows[0]
    met = header.index("办公和服务用房是否达标")
    by_name = {r[0]: r for r in rows[1:] if r and r[0]}
    assert by_name["郭岭社区"][met] == "未达标" and by_name["宁安社区"][met] == "达标"
    assert by_name["郭岭社区"][header.index("有无办公用房")] == "无"
    assert any("租用率 50.0%" in str(r[0]) for r in rows if r)
    street.goto("/facilities/handovers/")
    assert "逾期" in street.page.inner_text("#handovers-table")
    shoot(street, "facilities-handovers")
    street.goto("/facilities/premises/")
    shoot(street, "facilities-list")
    street.goto("/facilities/standards/")
    shoot(street, "facilities-standards")
    street.assert_clean("the street's compliance")
