"""The teams module in a real browser (system Chromium, Playwright) against live_server: a resident
signs up for an activity on a phone and is checked in by the QR at the entrance; the organiser
confirms the volunteer's hours and the volunteer downloads a certificate of service. The staff's
pages are looked at on the way. Screenshots land in test-artifacts/screenshots/teams-*.png."""

import datetime as dt

from django.utils import timezone

from shequ.teams import services
from shequ.teams.models import CheckIn, ServiceHours, Signup
from tests.teams.factories import make_team, resident_user, staff, started

from .conftest import PHONE, SCREENSHOT_DIR, shoot, sign_in


def test_resident_signs_up_checks_in_and_downloads_a_certificate(world, new_tab):
    users, secrets = world.users, {}
    u, r = resident_user(world, name="phone_resident")
    lead = staff(world)
    team = make_team(world, name="夕阳红合唱团", kind="合唱队", leader=r.pk)
    services.register_talent(lead, r.pk, skill="指挥", level="expert")
    v = services.register_volunteer(lead, r.pk, skills=["摄影"], availability=["周末"])
    start = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(minutes=30)
    a = services.create_activity(lead, world.a.code, title="重阳节合唱汇演", kind="festival", organiser_kind="team",
                                 team=team.pk, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                 place="宁安文化广场", capacity=40, description="夕阳红合唱团汇报演出，欢迎居民观看。")  # fmt: skip
    services.add_shift(lead, a.pk, role="引导", starts_at=a.starts_at, ends_at=a.ends_at, slots=2)

    phone = new_tab(PHONE)
    sign_in(phone, u, secrets)
    phone.goto(f"/teams/c/{world.a.code}/")
    assert "重阳节合唱汇演" in phone.page.inner_text("#coming")
    shoot(phone, "teams-public-community-phone")
    with phone.page.expect_navigation():
        phone.page.get_by_role("link", name="重阳节合唱汇演").click()
    phone.settle()
    with phone.page.expect_navigation():
        phone.page.locator("#sign-up").click()
    phone.settle()
    assert "报名成功" in phone.page.inner_text("#my-status")
    assert Signup.objects.get(activity=a).status == "confirmed"
    with phone.page.expect_navigation():
        phone.page.locator("#shifts button[type=submit]").click()
    phone.settle()
    assert "已报名" in phone.page.inner_text("#shifts")
    shoot(phone, "teams-signed-up-phone")
    phone.assert_clean("the resident's sign-up")

    desk = new_tab()
    sign_in(desk, users["community_lead"], secrets)
    desk.goto(f"/teams/activities/{a.pk}/door/")
    assert desk.page.locator("#door-qr").is_visible()
    url = desk.page.get_attribute("#door-url", "href")
    assert url == desk.url(f"/teams/check-in/{services.door_token(a)}/")
    shoot(desk, "teams-door")

    phone.page.goto(url)  # what the phone's camera opens
    phone.settle()
    shoot(phone, "teams-check-in-phone")
    with phone.page.expect_navigation():
        phone.page.locator("#check-in-button").click()
    phone.settle()
    assert phone.page.locator("#check-in-done").is_visible()
    assert CheckIn.objects.filter(activity=a, resident=r).count() == 1
    shoot(phone, "teams-checked-in-phone")
    phone.assert_clean("the check-in")

    started(a)  # the activity is on: the organiser confirms the hours
    desk.goto(f"/teams/activities/{a.pk}/")
    row = desk.page.locator(f"#hours tr[data-volunteer='{v.pk}']")
    row.locator("[name=hours]").fill("2")
    with desk.page.expect_navigation():
        row.locator("button[type=submit]").click()
    desk.settle()
    assert "已确认" in desk.page.inner_text(f"#hours tr[data-volunteer='{v.pk}']")
    assert ServiceHours.objects.get(activity=a, volunteer=v).hours == 2
    shoot(desk, "teams-activity-detail")
    desk.assert_clean("the organiser's activity page")

    phone.goto("/teams/mine/")
    assert phone.page.inner_text("#my-hours").strip() == "2.0"
    shoot(phone, "teams-mine-phone")
    with phone.page.expect_navigation():
        phone.page.locator("#certificate-link").click()
    phone.settle()
    assert "累计 2.0 小时" in phone.page.inner_text("#certificate-content")
    assert "重阳节合唱汇演" in phone.page.inner_text("#certificate-hours")
    shoot(phone, "teams-certificate-phone")
    phone.assert_clean("the certificate")
    # The certificate as the PDF the print dialog saves ("打印 / 保存为 PDF").
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    pdf = phone.page.pdf(path=str(SCREENSHOT_DIR / "teams-certificate.pdf"), format="A4")
    assert pdf[:4] == b"%PDF"


def test_staff_pages_report_and_exports(world, new_tab):
    users, secrets = world.users, {}
    lead = staff(world)
    team = make_team(world, name="广场舞队", kind="舞蹈队")
    people = [resident_user(world)[0] for _ in range(3)]
    a = started(services.create_activity(lead, world.a.code, title="广场舞展演", kind="fitness", organiser_kind="team",
                                         team=team.pk, starts_at=timezone.now() + dt.timedelta(hours=1),
                                         ends_at=timezone.now() + dt.timedelta(hours=3), place="宁安文化广场"))  # fmt: skip
    for u in people:
        services.check_in_by_qr(u, services.door_token(a))
    services.rate(people[0], a.pk, score=5)
    desk = new_tab()
    sign_in(desk, users["community_lead"], secrets)
    desk.goto("/teams/")
    desk.charts_drawn(3)
    assert desk.page.inner_text("#sum-person-times").strip() == "3"
    assert "广场舞队" in desk.page.inner_text("#appraisal")
    shoot(desk, "teams-report")
    for path, name in (("/teams/teams/", "teams-team-list"), (f"/teams/teams/{team.pk}/", "teams-team-detail"),
                       ("/teams/talent/", "teams-talent-list"), ("/teams/volunteers/", "teams-volunteer-list"),
                       ("/teams/activities/", "teams-activity-list"), ("/teams/activities/new/", "teams-activity-create"),
                       ("/teams/hours/", "teams-hours-list")):  # fmt: skip
        desk.goto(path)
        shoot(desk, name)
    desk.assert_clean("the staff's pages")
