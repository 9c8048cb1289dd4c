"""居民评议 on the survey engine (one response per household, by login, name and phone digits or a
code; totals at close; a follow-up issue below the threshold), hearings (notice period, speakers,
statements), consultations (views until the closing date, summary), issue scope, and the
participation rate indicator."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core import registry, surveys
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import Survey, SurveyResponse
from shequ.core.roles import Role
from shequ.core.testing.world import make_user
from shequ.participation import indicators, services
from shequ.participation.models import Issue, IssueSource, IssueStatus, RatingScore
from shequ.participation.services import ratings as rating_services
from tests.participation.factories import last4, make_issue, residents, staff
from tests.participation.rating_factories import make_consultation, make_hearing, make_round, rate
from tests.people.factories import make_household

pytestmark = pytest.mark.django_db
C, P = "committee", "company"


def household_member(world, hh, name="户内成员"):
    from shequ.people.models import Resident
    from tests.people.factories import new_doc_number

    return Resident.objects.create(community=world.a, house=hh.house, household=hh, name=name,
                                   doc_number=new_doc_number(), phone="13712349876")  # fmt: skip


def resident_user(world, username, phone):
    u = make_user(username, Role.RESIDENT, world.a)
    u.phone = phone
    u.save()
    return u


# --- rounds ------------------------------------------------------------------------------------------
def test_a_round_rates_the_committee_and_each_property_company_on_its_dimensions(world):
    rnd = make_round(world)
    kinds = sorted(rnd.targets.values_list("kind", "name"))
    assert kinds == [("committee", "宁安社区居委会"), ("company", "甲物业服务有限公司")]
    survey = rating_services.survey_of(rnd)
    assert survey.per == "household" and survey.accepts_name and survey.purpose == "participation.rating"
    rating_qs = [q for q in survey.questions.all() if q.kind == "rating"]
    assert len(rating_qs) == 4 and all(q.required == q.text.startswith("宁安") for q in rating_qs)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"dimensions": []}, "请填写 1 到 10 个评议维度"),
        ({"dimensions": ["服务", "服务"]}, "评议维度不能重复"),
        ({"threshold": "6"}, "整改线应为 1 到 5 之间"),
        ({"closes_on": timezone.localdate() - dt.timedelta(days=2)}, "截止日期"),
        ({"verify": "登录的本社区居民"}, "填写人核验应为"),
    ],
)
def test_bad_rounds_are_refused(world, kw, message):
    with pytest.raises(ValidationFailed, match=message):
        make_round(world, **kw)


def test_only_the_communitys_staff_open_a_round(world):
    with pytest.raises(NotFound):
        services.create_round(staff(world, "b"), world.a.code, title="x", opens_on=timezone.localdate(),
                              closes_on=timezone.localdate(), dimensions=["服务"])  # fmt: skip


def test_one_response_per_household_whether_by_login_or_by_name_and_digits(world):
    rnd = make_round(world)
    hh = make_household(world, "a")
    member = household_member(world, hh)
    rate(rnd, {(C, 0): 5, (C, 1): 4}, user=resident_user(world, "head", hh.head.phone))
    with pytest.raises(Conflict) as exc:
        rate(rnd, {(C, 0): 1, (C, 1): 1}, name=member.name, last4=member.phone[-4:])
    assert exc.value.message == "您家已提交过本次问卷，每户只能填写一次。"
    assert SurveyResponse.objects.filter(survey__purpose="participation.rating").count() == 1


def test_a_wrong_name_or_digits_is_refused_with_the_reason(world):
    rnd = make_round(world)
    hh = make_household(world, "a")
    with pytest.raises(ValidationFailed, match="未在本社区居民台账中找到"):
        rate(
            rnd,
            {(C, 0): 5, (C, 1): 5},
            name=hh.head.name,
            last4="0000" if hh.head.phone[-4:] != "0000" else "1111",
        )


def test_closing_keeps_totals_and_opens_a_follow_up_issue_below_the_threshold(world):
    rnd = make_round(world, threshold="3.00")
    for k in range(3):
        hh = make_household(world, "a")
        # The committee does well; the company is poor on 办事效率 (2, 2, 3 → 2.33).
        rate(
            rnd,
            {(C, 0): 5, (C, 1): 4, (P, 0): 4, (P, 1): [2, 2, 3][k]},
            name=hh.head.name,
            last4=hh.head.phone[-4:],
        )
    closed = services.close_round(world.users["community_lead"], rnd.pk)
    assert closed.closed_at is not None
    assert Survey.objects.get(pk=rating_services.survey_of(rnd).pk).closed_at is not None
    committee = rnd.targets.get(kind=C)
    company = rnd.targets.get(kind=P)
    assert committee.responses == 3 and committee.overall == Decimal("4.50") and committee.eligible >= 3
    assert company.overall == Decimal("3.17")  # (4*3 + 2+2+3) / 6
    low = RatingScore.objects.get(target=company, dimension="办事效率")
    assert low.average == Decimal("2.33") and low.issue is not None
    issue = low.issue
    assert issue.source == IssueSource.RATING and issue.status == IssueStatus.READY
    assert "办事效率 2.33" in issue.text and issue.community == world.a
    assert not RatingScore.objects.filter(target=committee, issue__isnull=False).exists()
    assert list(rating_services.follow_ups(rnd)) == [issue]
    with pytest.raises(Conflict, match="不能重复结束"):
        services.close_round(world.users["community_lead"], rnd.pk)
    hh = make_household(world, "a")
    with pytest.raises(Conflict, match="已结束"):
        rate(rnd, {(C, 0): 5, (C, 1): 5}, name=hh.head.name, last4=hh.head.phone[-4:])


def test_no_one_sees_who_gave_which_rating(world):
    rnd = make_round(world)
    hh = make_household(world, "a")
    response = rate(rnd, {(C, 0): 1, (C, 1): 1}, name=hh.head.name, last4=hh.head.phone[-4:])
    # Only a keyed digest is kept: no name, no household number, no account.
    assert len(response.respondent) == 64 and set(response.respondent) <= set("0123456789abcdef")
    assert response.via == "name" and not hasattr(response, "user")


# --- hearings ----------------------------------------------------------------------------------------
def test_a_hearing_cannot_be_scheduled_or_held_before_its_notice_has_run(world):
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as exc:
        make_hearing(world, notice_on=today, planned_on=today + dt.timedelta(days=3))
    assert f"{today + dt.timedelta(days=7)} 起方可举行" in exc.value.message
    h = make_hearing(world, notice_on=today - dt.timedelta(days=3), planned_on=today + dt.timedelta(days=4))
    with pytest.raises(Conflict) as exc:
        services.hold_hearing(staff(world, "a"), h.pk, held_on=today)
    assert exc.value.message == (
        f"听证公告于 {today - dt.timedelta(days=3)} 发布，公告期 7 天，{today + dt.timedelta(days=4)} 起方可举行；"
        f"{today} 举行不满公告期，请改期。"
    )


def test_speakers_register_before_and_statements_are_recorded_after_the_hearing(world):
    from tests.participation.rating_factories import property_company

    h = make_hearing(world)
    unit = property_company(world)
    s1 = services.register_speaker(staff(world, "a"), h.pk, kind="resident", name="张居民")
    s2 = services.register_speaker(staff(world, "a"), h.pk, kind="unit", name="李经理", unit=unit.pk)
    assert (s1.position, s2.position, s2.unit_name) == (1, 2, unit.name)
    with pytest.raises(Conflict, match="不能重复报名"):
        services.register_speaker(staff(world, "a"), h.pk, kind="resident", name="张居民")
    with pytest.raises(Conflict, match="尚未举行"):
        services.record_statement(staff(world, "a"), h.pk, s1.pk, statement="赞成")
    services.hold_hearing(staff(world, "a"), h.pk, conclusion="多数赞成调整")
    services.record_statement(staff(world, "a"), h.pk, s1.pk, statement="赞成，但希望分时段收费。")
    s1.refresh_from_db()
    assert s1.statement.startswith("赞成")
    with pytest.raises(Conflict, match="不能再报名"):
        services.register_speaker(staff(world, "a"), h.pk, kind="resident", name="王居民")


# --- consultations -----------------------------------------------------------------------------------
def test_views_come_in_until_the_closing_date_and_are_summarised_after(world):
    c = make_consultation(world)
    people = residents(world, "a", 2)
    services.submit_view(c, "希望保留绿化。", name=people[0].name, last4=last4(people[0]))
    with pytest.raises(Conflict, match="每位居民只能填写一次"):
        services.submit_view(c, "再提一条。", name=people[0].name, last4=last4(people[0]))
    later = timezone.now() + dt.timedelta(days=8)
    with pytest.raises(Conflict) as exc:
        services.submit_view(c, "截止后的意见", name=people[1].name, last4=last4(people[1]), now=later)
    assert exc.value.message == f"征求意见已于 {c.closes_on} 截止，不再收集意见。"
    from shequ.participation.services import hearings as h

    assert h.views_of(c) == ["希望保留绿化。"] and h.view_count(c) == 1
    with pytest.raises(Conflict, match="截止后再汇总"):
        services.summarise_consultation(staff(world, "a"), c.pk, summary="多数赞成")
    services.end_consultation(staff(world, "a"), c.pk)
    done = services.summarise_consultation(staff(world, "a"), c.pk, summary="共 1 条意见：希望保留绿化。")
    assert done.summarised_at is not None


# --- issue scope -------------------------------------------------------------------------------------
def test_an_issue_is_about_the_community_a_grid_as_its_area_or_a_building(world):
    from tests.people.factories import make_house

    grid = world.grid_a if hasattr(world, "grid_a") else world.a.grids.first()
    house = make_house(world, "a")
    building = house.building if hasattr(house, "building") else house.unit.building
    i1 = make_issue(world, "a")
    assert (i1.scope, i1.area, i1.building) == ("community", None, None)
    i2 = make_issue(world, "a", scope="area", area=grid.pk)
    assert (i2.scope, i2.area) == ("area", grid)
    i3 = make_issue(world, "a", building=building.pk)
    assert (i3.scope, i3.building, i3.area_id) == ("building", building, building.grid_id)
    with pytest.raises(ValidationFailed, match="请选择片区"):
        make_issue(world, "a", scope="area")
    with pytest.raises(ValidationFailed, match="不填片区和楼栋"):
        make_issue(world, "a", scope="community", area=grid.pk)
    other = world.b.grids.first()
    if other is not None:
        with pytest.raises(ValidationFailed, match="不在本社区"):
            make_issue(world, "a", scope="area", area=other.pk)


# --- the participation rate --------------------------------------------------------------------------
def test_the_participation_rate_counts_distinct_residents_and_rating_households(world):
    people = residents(world, "a", 3)
    issue = services.propose_issue(None, world.a.code, title="加装充电桩", text="充电难。", category="公共设施",
                                   name=people[0].name, last4=last4(people[0]))  # fmt: skip
    services.support_issue(None, issue.pk, name=people[1].name, last4=last4(people[1]))
    rnd = make_round(world)
    hh = make_household(world, "a")
    rate(rnd, {(C, 0): 4, (C, 1): 4}, name=hh.head.name, last4=hh.head.phone[-4:])
    today = timezone.localdate()
    found = registry.indicator(indicators.KEY)
    assert found is not None and found.unit == "%"
    data = found.compute(world.users["community_lead"], world.a.code, today - dt.timedelta(days=30), today)
    adults = surveys.population_of(world.a.code, "resident")
    assert data["named"] == 2 and data["rated"] == 1 and data["denominator"] == adults
    assert data["value"] == (Decimal(3) * 100 / adults).quantize(Decimal("0.1"))
    b = found.compute(world.users["community_lead"], None, today - dt.timedelta(days=30), today)
    assert b["numerator"] == 3
    with pytest.raises(NotFound):
        found.compute(world.users["community_lead"], world.b.code, today, today)


def test_rating_source_is_not_for_staff_entry(world):
    with pytest.raises(ValidationFailed, match="来源应为"):
        make_issue(world, "a", source="rating")
    assert not Issue.objects.filter(source="rating").exists()
