"""The rating, hearing and consultation pages: a household rates on the survey's phone page by name
and phone digits (a second response from the household refused in Chinese), the lead closes the
round and sees the totals and the follow-up issue; the public page shows totals only after the
round closes; the hearing refuses being held in its notice period; a view after closing is refused
through the API; the report shows the rating part and the participation rate."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shequ.participation.models import Issue
from shequ.participation.services import ratings as rating_services
from tests.participation.rating_factories import make_consultation, make_hearing, make_round, rate
from tests.people.factories import make_household

pytestmark = pytest.mark.django_db


def _auth(world, role):
    return {"Authorization": f"Bearer {world.token(world.users[role])}"}


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()


def test_a_household_rates_on_the_phone_page_once_and_the_lead_sees_the_totals(world):
    rnd = make_round(world)
    survey = rating_services.survey_of(rnd)
    hh = make_household(world, "a")
    from tests.participation.factories import residents

    other = residents(world, "a", 1, household=hh)[0]
    url = reverse("core:survey-answer", args=[survey.token])
    c = Client()
    page = c.get(url)
    assert page.status_code == 200 and 'id="name-form"' in page.content.decode()
    r = c.post(url, {"step": "name", "name": hh.head.name, "last4": hh.head.phone[-4:]})
    assert r.status_code == 302
    data = {"step": "answer"}
    for q in survey.questions.all():
        if q.ref:
            data[f"q{q.pk}"] = "2" if q.text.endswith("办事效率") else "4"
    sent = c.post(url, data)
    assert sent.status_code == 302 and "sent=1" in sent["Location"]
    # Another member of the same household, on another phone: refused with the reason.
    c2 = Client()
    c2.post(url, {"step": "name", "name": other.name, "last4": other.phone[-4:]})
    again = c2.post(url, data)
    assert again.status_code == 409 and "您家已提交过本次问卷，每户只能填写一次。" in again.content.decode()
    wrong = Client().post(url, {"step": "name", "name": hh.head.name, "last4": "0001"})
    assert wrong.status_code == 400 and "未在本社区居民台账中找到" in wrong.content.decode()
    # Public page: no totals while the round is open.
    public = Client().get(reverse("participation:public-ratings", args=[world.a.code]))
    assert public.status_code == 200 and "rating-results" not in public.content.decode()
    lead = world.client(world.users["community_lead"])
    closed = lead.post(reverse("participation:rating-close", args=[rnd.pk]))
    assert closed.status_code == 302
    detail = lead.get(reverse("participation:rating-detail", args=[rnd.pk])).content.decode()
    assert 'id="follow-ups"' in detail and "居民评议整改" in detail and "2.00" in detail
    issues = list(Issue.objects.filter(source="rating"))
    assert issues and all(i.get_absolute_url() in detail for i in issues)
    issue_page = lead.get(issues[0].get_absolute_url()).content.decode()
    assert 'id="issue-rating"' in issue_page and rnd.get_absolute_url() in issue_page
    public = Client().get(reverse("participation:public-ratings", args=[world.a.code])).content.decode()
    assert "rating-results" in public and "4.00" in public
    assert hh.head.name not in public and hh.head.name not in detail and "居民评议整改" not in public


def test_a_street_reads_the_totals_a_grid_worker_nothing(world):
    rnd = make_round(world)
    assert world.client(world.users["street"]).get(rnd.get_absolute_url()).status_code == 200
    assert world.client(world.users["grid_worker"]).get(rnd.get_absolute_url()).status_code == 404
    b = world.client(world.users["community_worker_b"])
    assert b.get(rnd.get_absolute_url()).status_code == 404


def test_holding_a_hearing_in_its_notice_period_is_refused_on_the_page(world):
    today = timezone.localdate()
    h = make_hearing(world, notice_on=today - dt.timedelta(days=2), planned_on=today + dt.timedelta(days=5))
    lead = world.client(world.users["community_lead"])
    page = lead.get(h.get_absolute_url()).content.decode()
    assert "公告期中" in page
    r = lead.post(reverse("participation:hearing-hold", args=[h.pk]), {"held_on": today.isoformat()})
    assert r.status_code == 409 and "起方可举行" in r.content.decode()


def test_a_view_after_closing_is_refused_through_the_api(world):
    from tests.participation.factories import residents

    c = make_consultation(
        world, closes_on=timezone.localdate(), opens_on=timezone.localdate() - dt.timedelta(days=3)
    )
    p = residents(world, "a", 2)
    url = f"/api/v1/participation/consultations/{c.pk}/views"
    auth = _auth(world, "community_worker")  # a phone app's token; the resident named by name and digits
    ok = Client().post(
        url, {"text": "同意", "name": p[0].name, "last4": p[0].phone[-4:]}, content_type="application/json",
        headers=auth,
    )  # fmt: skip
    assert ok.status_code == 201
    from shequ.participation import services

    services.end_consultation(world.users["community_lead"], c.pk)
    late = Client().post(url, {"text": "晚了", "name": p[1].name, "last4": p[1].phone[-4:]},
                         content_type="application/json", headers=auth)  # fmt: skip
    assert late.status_code == 409 and late.json()["message"] == "征求意见已结束，不再收集意见。"
    detail = world.client(world.users["community_lead"]).get(c.get_absolute_url()).content.decode()
    assert "同意" in detail and p[0].name not in detail


def test_the_report_shows_ratings_and_the_participation_rate(world):
    rnd = make_round(world)
    hh = make_household(world, "a")
    rate(rnd, {("committee", 0): 5, ("committee", 1): 5}, name=hh.head.name, last4=hh.head.phone[-4:])
    from shequ.participation import services

    services.close_round(world.users["community_lead"], rnd.pk)
    page = world.client(world.users["street"]).get(reverse("participation:report")).content.decode()
    assert 'id="report-ratings"' in page and 'id="participation-rate"' in page and "宁安社区居委会" in page
    api = Client().get("/api/v1/participation/report/ratings", headers=_auth(world, "street")).json()
    assert api["rounds"] == 1 and api["participants_rated"] == 1 and api["targets"][0]["overall"] == "5.00"


def test_the_issue_form_takes_a_scope(world):
    grid = world.grid_a
    lead = world.client(world.users["community_worker"])
    r = lead.post(reverse("participation:issue-create"), {
        "community": world.a.code, "source": "box", "category": "环境卫生", "title": "片区议题", "text": "内容",
        "scope": "area", "area": str(grid.pk)})  # fmt: skip
    assert r.status_code == 302
    issue = Issue.objects.get(title="片区议题")
    assert issue.scope == "area" and issue.area == grid
    bad = lead.post(reverse("participation:issue-create"), {
        "community": world.a.code, "source": "box", "category": "环境卫生", "title": "缺片区", "text": "内容",
        "scope": "area"})  # fmt: skip
    assert bad.status_code == 400 and "请选择片区" in bad.content.decode()
    api = (
        Client()
        .get(f"/api/v1/participation/issues/{issue.pk}", headers=_auth(world, "community_worker"))
        .json()
    )
    assert api["scope"] == "area" and api["area"] == grid.pk
