"""The pages: a resident proposes and supports on the public 议事厅 (the second support refused in
Chinese, no supporter's name on any public page), signs in from the meeting's QR link once; staff
see supporters, streets see totals; the case page shows its issue; the report and dashboard card."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shequ.participation import services
from shequ.participation.models import Attendance, Issue, IssueStatus, Resolution, Support
from tests.participation.factories import adopted_resolution, last4, make_issue, make_meeting, residents

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()


def test_propose_and_support_on_the_public_pages(world):
    services.set_threshold(world.users["community_lead"], world.a.code, support_threshold=2)
    a, b = residents(world, "a", 2)
    c = Client()
    hall = c.get(reverse("participation:hall", args=[world.a.code]))
    assert hall.status_code == 200 and "我要提议" in hall.content.decode()
    resp = c.post(reverse("participation:propose", args=[world.a.code]), {
        "title": "三号楼前加装路灯", "text": "晚上太黑。", "category": "公共设施", "name": a.name, "last4": last4(a)})  # fmt: skip
    issue = Issue.objects.get(title="三号楼前加装路灯")
    assert resp.status_code == 302 and resp["Location"] == reverse(
        "participation:public-issue", args=[issue.pk]
    )
    url = reverse("participation:public-issue", args=[issue.pk])
    twice = c.post(url, {"name": a.name, "last4": last4(a)})
    assert twice.status_code == 409 and "只能附议一次" in twice.content.decode()
    wrong = c.post(url, {"name": b.name, "last4": "x1"})
    assert wrong.status_code == 400
    assert c.post(url, {"name": b.name, "last4": last4(b)}).status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.READY and issue.support_count == 2
    for page in (c.get(url), c.get(reverse("participation:hall", args=[world.a.code]))):
        body = page.content.decode()
        assert "三号楼前加装路灯" in body and a.name not in body and b.name not in body
    # Staff of the community read the supporters; the street reads the count only.
    staff_page = world.client(world.users["community_worker"]).get(issue.get_absolute_url()).content.decode()
    assert a.name in staff_page and b.name in staff_page
    street_page = world.client(world.users["street"]).get(issue.get_absolute_url()).content.decode()
    assert (
        "三号楼前加装路灯" in street_page
        and a.name not in street_page
        and "仅本社区工作人员可见" in street_page
    )


def test_a_signed_in_resident_proposes_without_digits(world):
    c = world.client(world.users["resident"])
    assert c.get(reverse("participation:my-hall"))["Location"] == reverse(
        "participation:hall", args=[world.a.code]
    )
    page = c.get(reverse("participation:propose", args=[world.a.code])).content.decode()
    assert 'id="signed-in-as"' in page
    resp = c.post(reverse("participation:propose", args=[world.a.code]),
                  {"title": "周末开放活动室", "text": "希望周末开放。", "category": "文体活动"})  # fmt: skip
    assert resp.status_code == 302
    s = Support.objects.get(issue__title="周末开放活动室")
    assert s.key == f"u:{world.users['resident'].pk}"


def test_failed_checks_are_throttled(world, settings):
    settings.PARTICIPATION_CHECKS_PER_HOUR = 2
    r = residents(world, "a")[0]
    issue = make_issue(world)
    url = reverse("participation:public-issue", args=[issue.pk])
    c = Client()
    for _k in range(2):
        assert (
            c.post(url, {"name": r.name, "last4": "0000" if last4(r) != "0000" else "1111"}).status_code
            == 400
        )
    resp = c.post(url, {"name": r.name, "last4": last4(r)})
    assert resp.status_code == 429 and "核对次数过多" in resp.content.decode()
    assert not Support.objects.exists()


def test_sign_in_from_the_qr_link_once(world):
    r = residents(world, "a")[0]
    m = make_meeting(world)
    staff = world.client(world.users["community_worker"])
    qr = staff.get(reverse("participation:meeting-qr", args=[m.pk])).content.decode()
    url = reverse("participation:sign-in", args=[services.sign_in_token(m)])
    assert url in qr and "data:image/svg+xml" in qr
    c = Client()
    first = c.post(url, {"name": r.name, "last4": last4(r)})
    assert first.status_code == 200 and "签到成功" in first.content.decode()
    again = c.post(url, {"name": r.name, "last4": last4(r)})
    assert again.status_code == 409 and "只能签到一次" in again.content.decode()
    assert Attendance.objects.filter(meeting=m).count() == 1
    assert c.get(url[:-3] + "xx/").status_code == 404
    # The street reads the count, not the names.
    body = world.client(world.users["street"]).get(m.get_absolute_url()).content.decode()
    assert r.name not in body and "签到名单仅本社区工作人员可见" in body


def test_staff_vote_refused_with_the_numbers_on_the_form(world):
    m = make_meeting(world, expected=4, issues=[make_issue(world, status=IssueStatus.READY)])
    services.record_attendance(world.users["community_worker"], m.pk, names=["甲", "乙"])
    issue = m.agenda.get().issue
    c = world.client(world.users["community_worker"])
    resp = c.post(reverse("participation:vote", args=[m.pk]), {
        "issue": issue.pk, "text": "决议", "votes_for": 2, "votes_against": 0, "votes_abstain": 0, "owner_unit": "物业",
        "deadline": timezone.localdate().isoformat()})  # fmt: skip
    assert resp.status_code == 409 and "出席 2 人，应到 4 人" in resp.content.decode()
    services.record_attendance(world.users["community_worker"], m.pk, names=["丙"])
    resp = c.post(reverse("participation:vote", args=[m.pk]), {
        "issue": issue.pk, "text": "决议", "votes_for": 3, "votes_against": 1, "votes_abstain": 0, "owner_unit": "物业",
        "deadline": timezone.localdate().isoformat()})  # fmt: skip
    assert resp.status_code == 400 and "超过签到出席的 3 人" in resp.content.decode()
    assert not Resolution.objects.exists()


def test_published_resolutions_show_totals_and_the_overdue_are_flagged(world):
    r = adopted_resolution(world)
    services.publish_resolution(world.users["community_worker"], r.pk, days=7)
    Resolution.objects.filter(pk=r.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    body = Client().get(reverse("participation:public-resolutions", args=[world.a.code])).content.decode()
    assert r.issue.title in body and "赞成 3" in body and "到会a0" not in body
    street = world.client(world.users["street"])
    listing = street.get(reverse("participation:resolution-list"), {"state": "overdue"}).content.decode()
    assert r.issue.title in listing and "逾期 3 天" in listing
    assert (
        r.issue.title
        not in street.get(reverse("participation:resolution-list"), {"state": "done"}).content.decode()
    )
    home = world.client(world.users["community_lead"]).get(reverse("core:home")).content.decode()
    assert 'id="participation-card"' in home and r.issue.title in home
    report = street.get(reverse("participation:report")).content.decode()
    assert 'id="sum-overdue">1<' in report


def test_a_case_page_shows_its_issue(world):
    from tests.cases.scope_cases_intake import own_request

    case = own_request(world, "a")
    c = world.client(world.users["community_worker"])
    page = c.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "转为议题" in page
    issue = make_issue(world, source="case", case=case.number)
    page = c.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert issue.title in page and issue.get_absolute_url() in page
    assert case.number in c.get(issue.get_absolute_url()).content.decode()
