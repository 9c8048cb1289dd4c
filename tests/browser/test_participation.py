"""Residents' participation in a real browser (system Chromium, Playwright) against live_server: a
resident proposes an issue on a phone and two neighbours support it past the community's
threshold; the community lead puts it on a 民情恳谈会, one resident signs in from the QR link on
their phone and the lead lists the others, the lead records the vote that adopts a resolution,
publishes it and records a follow-up step; the street reads the overdue resolutions and the
report. Screenshots land in test-artifacts/screenshots/participation-*.png."""

import datetime as dt

from django.utils import timezone

from shequ.participation import services
from shequ.participation.models import Attendance, Issue, IssueStatus, Resolution
from tests.participation.factories import adopted_resolution, last4, residents

from .conftest import PHONE, shoot, sign_in


def test_propose_support_meet_vote_publish_follow_up_and_the_street_sees_overdue(world, new_tab):
    users, secrets = world.users, {}
    services.set_threshold(users["community_lead"], world.a.code, support_threshold=3)
    proposer, neighbour, third = residents(world, "a", 3)
    late = adopted_resolution(world)  # an earlier resolution, past its deadline
    Resolution.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - dt.timedelta(days=5))

    # A resident proposes on a phone (no account: name and the last four digits of the phone).
    phone = new_tab(PHONE)
    phone.goto(f"/participation/c/{world.a.code}/")
    shoot(phone, "participation-hall-empty")
    phone.page.get_by_role("link", name="我要提议").click()
    phone.settle()
    form = phone.page.locator("#propose-form")
    form.locator("[name=title]").fill("小区东门增设非机动车棚")
    form.locator("[name=text]").fill("电动车停在楼道里充电，存在火灾隐患，建议在东门空地增设车棚和充电桩。")
    form.locator("[name=category]").select_option("公共设施")
    form.locator("[name=name]").fill(proposer.name)
    form.locator("[name=last4]").fill(last4(proposer))
    shoot(phone, "participation-propose")
    with phone.page.expect_navigation():
        form.locator("button[type=submit]").click()
    phone.settle()
    issue = Issue.objects.get(title="小区东门增设非机动车棚")
    assert phone.path() == f"/participation/public/issues/{issue.pk}/"
    assert phone.page.inner_text("#support-count").strip() == "1"
    shoot(phone, "participation-issue-proposed")
    # The proposer cannot support twice; two neighbours support it past the threshold.
    phone.submit("#support-form", {"name": proposer.name, "last4": last4(proposer)})
    assert "只能附议一次" in phone.page.inner_text("main")
    shoot(phone, "participation-support-twice")
    assert [p for p in phone.take_problems() if "409" not in p] == []
    for who in (neighbour, third):
        other = new_tab(PHONE)
        other.goto(f"/participation/public/issues/{issue.pk}/")
        other.submit("#support-form", {"name": who.name, "last4": last4(who)})
        assert "附议成功" in other.page.inner_text("main")
        other.assert_clean("a neighbour's support")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.READY and issue.support_count == 3
    phone.goto(f"/participation/public/issues/{issue.pk}/")
    assert phone.page.inner_text("#support-count").strip() == "3" and "待上会" in phone.page.inner_text(
        "main"
    )
    assert neighbour.name not in phone.page.inner_text("body")
    shoot(phone, "participation-issue-ready")
    phone.assert_clean("the resident's proposal")

    # The community lead convenes a 民情恳谈会 with the issue on its agenda.
    lead = new_tab()
    sign_in(lead, users["community_lead"], secrets)
    lead.goto(f"/participation/issues/{issue.pk}/")
    assert proposer.name in lead.page.inner_text("#supporters")
    shoot(lead, "participation-issue-staff")
    lead.page.get_by_role("link", name="组织会议").first.click()
    lead.settle()
    form = lead.page.locator("#main-form")
    form.locator("[name=kind]").select_option(label="民情恳谈会")
    form.locator("[name=title]").fill("东门车棚民情恳谈会")
    start = timezone.localtime() - dt.timedelta(minutes=10)
    form.locator("[name=starts_at]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=place]").fill("社区党群服务中心二楼议事厅")
    form.locator("[name=expected]").fill("4")
    form.locator("[name=invited]").fill("居民代表\n物业服务中心\n社区民警")
    assert form.locator(
        f"input[name=issues][value='{issue.pk}']"
    ).is_checked()  # offered from the issue's page
    shoot(lead, "participation-meeting-new")
    with lead.page.expect_navigation():
        form.locator("button[type=submit]").click()
    lead.settle()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.ON_AGENDA
    meeting = issue.agenda_items.get().meeting
    assert lead.path() == f"/participation/meetings/{meeting.pk}/"

    # The QR on the wall: one resident signs in on their phone.
    lead.page.locator("#show-qr").click()
    lead.settle()
    lead.page.locator("#sign-in-qr").wait_for()
    link = lead.page.get_attribute("#sign-in-url", "href")
    shoot(lead, "participation-meeting-qr")
    phone.goto(link.removeprefix(phone.base_url))
    shoot(phone, "participation-sign-in")
    phone.submit("#sign-in-form", {"name": neighbour.name, "last4": last4(neighbour)})
    assert "签到成功" in phone.page.inner_text("#signed-in")
    shoot(phone, "participation-signed-in")
    phone.assert_clean("the QR sign-in")
    # The lead lists those who came without scanning: 3 of 4 expected, more than half.
    lead.goto(f"/participation/meetings/{meeting.pk}/attendance/")
    with lead.page.expect_navigation():
        lead.page.locator("#main-form [name=names]").fill("张建国\n李桂兰")
        lead.page.locator("#main-form button[type=submit]").click()
    lead.settle()
    assert (
        lead.page.inner_text("#present").strip() == "3"
        and Attendance.objects.filter(meeting=meeting).count() == 3
    )

    # The vote adopts a resolution.
    lead.page.locator("#agenda").get_by_role("link", name="表决").click()
    lead.settle()
    form = lead.page.locator("#main-form")
    form.locator("[name=text]").fill(
        "在东门空地建设非机动车棚一处（含充电桩 20 个），由物业公司负责建设，社区监督。"
    )
    form.locator("[name=votes_for]").fill("3")
    form.locator("[name=owner_unit]").fill("小区物业服务中心")
    form.locator("[name=deadline]").fill((timezone.localdate() + dt.timedelta(days=45)).isoformat())
    shoot(lead, "participation-vote")
    with lead.page.expect_navigation():
        form.locator("button[type=submit]").click()
    lead.settle()
    resolution = Resolution.objects.get(issue=issue)
    assert (
        resolution.adopted
        and resolution.present == 3
        and lead.path() == f"/participation/resolutions/{resolution.pk}/"
    )
    # 公示 for seven days, and a first follow-up step.
    lead.page.locator("#publish").click()
    lead.settle()
    with lead.page.expect_navigation():
        lead.page.locator("#main-form button[type=submit]").click()
    lead.settle()
    assert lead.page.locator("#on-notice").count() == 1
    lead.page.locator("#add-follow-up").click()
    lead.settle()
    with lead.page.expect_navigation():
        lead.page.locator("#main-form [name=text]").fill("物业已完成选址和报价，车棚基础施工开始。")
        lead.page.locator("#main-form button[type=submit]").click()
    lead.settle()
    assert "车棚基础施工开始" in lead.page.inner_text("#follow-ups")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.IMPLEMENTING
    shoot(lead, "participation-resolution")
    lead.goto(f"/participation/meetings/{meeting.pk}/")
    shoot(lead, "participation-meeting")
    lead.goto("/")
    assert lead.page.inner_text("#overdue-count").strip() == "1"
    shoot(lead, "participation-home-lead")
    lead.assert_clean("the lead's meeting")

    phone.goto(f"/participation/c/{world.a.code}/resolutions/")
    body = phone.page.inner_text("#published")
    assert "东门空地" in body and "赞成 3" in body and neighbour.name not in body
    shoot(phone, "participation-public-resolutions")
    phone.assert_clean("the 公示")

    # The street reads the overdue resolutions of its communities, and the report.
    street = new_tab()
    sign_in(street, users["street"], secrets)
    street.goto("/participation/resolutions/?state=overdue")
    table = street.page.inner_text("#list-table")
    assert late.issue.title in table and "逾期 5 天" in table and "东门" not in table
    shoot(street, "participation-overdue")
    street.goto("/participation/report/")
    street.charts_drawn(3)
    assert street.page.inner_text("#sum-overdue").strip() == "1"
    shoot(street, "participation-report")
    street.assert_clean("the street's lists")
