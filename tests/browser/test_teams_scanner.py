"""The staff's scanner at an activity's door in a real browser: residents show their pass (入场码) on
their phones; the staff phone loses its connection, keeps scanning (the scans wait on the phone), and
sends them when it is back; each person is checked in once, at the time of the scan. Screenshots land
in test-artifacts/screenshots/teams-scanner-*.png."""

import datetime as dt

from django.utils import timezone

from shequ.teams import services
from shequ.teams.models import CheckIn, CheckInMethod
from tests.teams.factories import resident_user, staff, started

from .conftest import PHONE, shoot, sign_in


def test_staff_scanner_keeps_scans_offline_and_sends_them_when_back(world, new_tab):
    secrets = {}
    start = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(hours=2)
    a = services.create_activity(staff(world), world.a.code, title="社区健康讲座", kind="culture",
                                 starts_at=start, ends_at=start + dt.timedelta(hours=2), place="社区活动室",
                                 capacity=30)  # fmt: skip
    people = [resident_user(world, name=f"scan_res{i}") for i in range(2)]
    for u, _r in people:
        services.sign_up(u, a.pk)

    # Each resident opens the activity on their phone and shows the pass.
    codes = []
    for i, (u, _r) in enumerate(people):
        phone = new_tab(PHONE)
        sign_in(phone, u, secrets)
        phone.goto(f"/teams/a/{a.pk}/")
        assert phone.page.locator("#my-pass img").is_visible()
        codes.append(phone.page.inner_text("#my-pass-code").strip())
        if i == 0:
            shoot(phone, "teams-scanner-pass-phone")
        phone.assert_clean("the resident's pass")
    started(a, minutes=10)

    desk = new_tab(PHONE)
    sign_in(desk, world.users["community_lead"], secrets)
    desk.goto(f"/teams/activities/{a.pk}/scanner/")
    desk.page.wait_for_selector("#scanner[data-ready='1']")

    desk.context.set_offline(True)
    desk.page.wait_for_selector("#scanner[data-online='0']")
    for code in codes + [codes[0]]:  # the first pass read twice
        desk.page.fill("#scan-code", code)
        desk.page.press("#scan-code", "Enter")
    desk.page.wait_for_selector("#pending[data-count='2']")
    assert desk.page.locator("#scan-log [data-status='queued']").count() == 2
    assert "刚刚已扫过" in desk.page.inner_text("#scan-log [data-status='repeat']")
    assert not CheckIn.objects.filter(activity=a).exists()
    shoot(desk, "teams-scanner-offline")
    desk.take_problems()  # requests the offline phone could not make

    desk.context.set_offline(False)
    desk.page.wait_for_selector("#pending[data-count='0']")
    desk.page.wait_for_selector("#scan-log [data-status='in'] >> nth=1")
    assert desk.page.inner_text("#checked-in") == "2"
    names = {r.name for _u, r in people}
    assert (
        set(CheckIn.objects.filter(activity=a, method=CheckInMethod.PASS).values_list("name", flat=True))
        == names
    )
    for r in (r for _u, r in people):
        assert r.name in desk.page.inner_text("#scan-log")
    shoot(desk, "teams-scanner-synced")

    # A forged pass typed in: refused on the spot with the reason, nothing written.
    desk.page.fill("#scan-code", f"{a.pk}.999:伪造")
    desk.page.press("#scan-code", "Enter")
    desk.page.wait_for_selector("#scan-log [data-status='refused']")
    desk.page.wait_for_selector("#pending[data-count='0']")
    assert CheckIn.objects.filter(activity=a).count() == 2
    desk.assert_clean("the scanner")
