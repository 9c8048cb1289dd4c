"""以奖代补: schemes and grades, rounds, applications and automatic eligibility from another
module's figure, review, award paid by an allocation (in arrivals and reports), and the refusals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core import registry
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.finance import awards, reports, services
from shequ.finance.models import Allocation, ApplicationStatus, AwardApplication
from tests.finance.factories import (
    YEAR,
    make_allocation,
    make_application,
    make_approved,
    make_budget,
    make_round,
    make_scheme,
)

D = Decimal


def test_grades_are_sorted_and_bad_grades_refused(world):
    s = make_scheme(world, grades=[{"grade": "三等", "min": "10", "amount": "6000"},
                                   {"grade": "一等", "min": "30", "amount": "20000.5"}])  # fmt: skip
    assert [g["grade"] for g in s.grades] == ["一等", "三等"]
    assert s.grade_for(D("35"))["amount"] == "20000.50" and s.grade_for(D("12"))["grade"] == "三等"
    assert s.grade_for(D("9")) is None
    with pytest.raises(ValidationFailed, match="奖励金额"):
        make_scheme(world, grades=[{"grade": "一等", "min": "30", "amount": "0"}])
    with pytest.raises(ValidationFailed, match="不能重复"):
        make_scheme(
            world,
            grades=[
                {"grade": "一等", "min": "30", "amount": "1"},
                {"grade": "一等", "min": "20", "amount": "1"},
            ],
        )
    with pytest.raises(ValidationFailed, match="达标线"):
        make_scheme(world, grades=[{"grade": "一等", "min": "-1", "amount": "1"}])
    with pytest.raises(ValidationFailed, match="评定依据"):
        make_scheme(world, basis="nowhere.figure")
    with pytest.raises(Conflict):
        make_scheme(world, name=s.name)
    assert awards.grades_from_text("一等:30:20000\n二等：20：12000")[1] == {
        "grade": "二等",
        "min": "20",
        "amount": "12000",
    }
    with pytest.raises(ValidationFailed, match="格式有误"):
        awards.grades_from_text("一等 30 20000")


def test_community_cannot_set_a_scheme_or_review(world):
    with pytest.raises((NotFound, Forbidden)):
        awards.set_scheme(world.users["community_lead"], org=world.district.code, name="x", rewards="x",
                          basis="finance.manual", party="district", grades=[{"grade": "一", "min": "1", "amount": "1"}])  # fmt: skip
    a = make_application(world)
    with pytest.raises(Forbidden):
        awards.review(world.users["community_lead"], a.pk, decision="approve", score="30")


def test_manual_score_review_award_pays_an_allocation_in_the_reports(world):
    a = make_application(world)
    assert a.value is None and a.status == ApplicationStatus.SUBMITTED
    district = world.users["district"]
    with pytest.raises(ValidationFailed, match="得分"):
        awards.review(district, a.pk, decision="approve")
    with pytest.raises(ValidationFailed, match="理由"):
        awards.review(district, a.pk, decision="reject")
    a = awards.review(district, a.pk, decision="approve", score="24.5")
    assert (a.grade, a.amount, a.value) == ("二等", D("12000"), D("24.5"))
    # Another grade than the score reaches needs a note.
    with pytest.raises(ValidationFailed, match="写明理由"):
        awards.review(district, a.pk, decision="approve", score="24.5", grade="一等")
    with pytest.raises(ValidationFailed, match="未达到"):
        awards.review(district, a.pk, decision="approve", score="5")
    # The amount must match the grade unless a note says why.
    with pytest.raises(ValidationFailed, match="不符"):
        awards.award(district, a.pk, amount="10000")
    a = awards.award(district, a.pk, document_number="江夏财奖〔2026〕1号")
    assert a.status == ApplicationStatus.AWARDED and a.allocation.amount == D("12000")
    alloc = Allocation.objects.get(pk=a.allocation_id)
    assert (alloc.org, alloc.party, alloc.fund_kind.code, alloc.year) == (world.a, "district", "award", YEAR)
    assert "以奖代补" in alloc.note
    assert services.balance(world.a.code, YEAR, alloc.fund_kind_id)["balance"] == D("12000")
    rep = reports.report(district, world.district.code, YEAR)
    row = next(r for r in rep["by_kind"] if r["code"] == "award")
    assert row["arrived"] == D("12000")
    assert rep["awards"] == [{"scheme": a.round.scheme.name, "basis": "评审打分", "entered": 1, "auto": 0,
                              "awarded": 1, "amount": D("12000")}]  # fmt: skip
    wb = reports.workbook(rep)
    assert wb[:2] == b"PK"
    # Twice to one community in a round: refused, nothing written.
    n = Allocation.objects.count()
    with pytest.raises(Conflict, match="重复奖励"):
        awards.award(district, a.pk)
    with pytest.raises(Conflict):
        awards.apply_for_award(
            world.users["community_lead"], a.round_id, community=world.a.code, claim="再申报"
        )
    assert Allocation.objects.count() == n


def test_award_with_another_amount_and_a_note(world):
    a = make_approved(world)
    a = awards.award(world.users["district"], a.pk, amount="15000", note="追加：示范点")
    assert a.amount == D("15000") and "追加" in a.allocation.note


def test_round_closed_refuses_applications_reviews_and_awards(world):
    a = make_approved(world)
    r = awards.close_round(world.users["district"], a.round_id)
    with pytest.raises(Conflict, match="已结束"):
        awards.award(world.users["district"], a.pk)
    with pytest.raises(Conflict, match="已结束"):
        awards.review(world.users["district"], a.pk, decision="reject", note="x")
    with pytest.raises(Conflict, match="已结束"):
        awards.apply_for_award(world.users["sysadmin"], r.pk, community=world.b.code, claim="x")
    with pytest.raises(Conflict):
        awards.close_round(world.users["district"], r.pk)


def test_award_in_a_closed_year_is_refused(world):
    last = timezone.localdate().year - 1
    a = make_approved(world, year=last)
    services.close_year(world.users["district"], world.district.code, last)
    with pytest.raises(Conflict, match="结账"):
        awards.award(world.users["district"], a.pk)
    assert not Allocation.objects.filter(fund_kind__code="award").exists()
    with pytest.raises(Conflict, match="结账"):
        make_round(world, year=last)


def test_automatic_eligibility_from_a_registered_basis(world, monkeypatch):
    figures = {world.a.code: D("31"), world.b.code: D("4")}
    monkeypatch.setitem(registry._award_bases, "test.figure",
                        registry.AwardBasis("test.figure", "测试数值", "场", lambda codes, year: figures))  # fmt: skip
    r = make_round(world, basis="test.figure")
    out = awards.find_eligible(world.users["district"], r.pk)
    assert out["added"] == 1  # b's 4 does not reach the lowest grade (10)
    a = AwardApplication.objects.get(round=r)
    assert (a.community, a.source, a.value) == (world.a, "auto", D("31"))
    a = awards.review(world.users["district"], a.pk, decision="approve")
    assert (a.grade, a.amount) == ("一等", D("20000"))
    # b applies itself; its figure comes from the basis, below every grade.
    b = awards.apply_for_award(world.users["sysadmin"], r.pk, community=world.b.code, claim="活动有特色")
    assert b.value == D("4")
    with pytest.raises(ValidationFailed, match="未达到"):
        awards.review(world.users["district"], b.pk, decision="approve")
    b = awards.review(world.users["district"], b.pk, decision="approve", grade="三等", note="特色突出")
    assert b.amount == D("6000")
    figures[world.b.code] = D("5")
    assert (
        awards.find_eligible(world.users["district"], r.pk)["updated"] == 0
    )  # reviewed rows keep their figure


def test_manual_scheme_has_no_automatic_eligibility(world):
    r = make_round(world)
    with pytest.raises(Conflict, match="打分"):
        awards.find_eligible(world.users["district"], r.pk)


def test_the_registered_bases_of_teams_and_facilities(world):
    from shequ.facilities.models import Project

    keys = set(registry.award_bases())
    assert {"teams.activities", "facilities.built", "finance.manual"} <= keys
    assert registry.award_basis("teams.activities").compute([world.a.code], YEAR) == {}
    Project.objects.create(community=world.a, kind="build", title="新建党群服务中心", plan_year=YEAR,
                           status="completed", completed_on=dt.date(YEAR, 1, 5))  # fmt: skip
    assert registry.award_basis("facilities.built").compute([world.a.code, world.b.code], YEAR) == {
        world.a.code: D(1)
    }


def test_communities_see_district_rounds_but_only_their_own_applications(world):
    from shequ.finance.models import AwardRound

    a = make_application(world)
    r = a.round
    make_application(world, "b", rnd=r)
    assert AwardRound.objects.visible_to(world.users["community_lead"]).filter(pk=r.pk).exists()
    seen = AwardApplication.objects.visible_to(world.users["community_lead"]).filter(round=r)
    assert list(seen) == [a]
    assert not AwardRound.objects.visible_to(world.users["department"]).exists()
    assert AwardApplication.objects.visible_to(world.users["district"]).filter(round=r).count() == 2


def test_an_award_is_its_own_due_so_arrival_rates_stay_at_most_100(world):
    """An award paid as an allocation has no budget line: counted as arrived with nothing due, the
    以奖代补 kind and the district's arrival rate went over 100%. It is its own due now, and it
    never settles a budget line of the same kind and party."""
    from shequ.finance.models import Budget

    district = world.users["district"]
    past = timezone.localdate() - dt.timedelta(days=1)
    make_budget(world, amount="30000", due_on=past)  # 1:1:1, 10,000 from each party
    for party in ("city", "district", "street"):
        make_allocation(world, party=party, amount="10000")
    pool = make_budget(world, kind="award", amount="15000", due_on=past)  # the award kind budgeted too
    assert Budget.objects.get(pk=pool.pk).fund_kind.code == "award"
    a = awards.award(district, make_approved(world).pk)  # 一等 (score 32): 20,000 from the district
    assert a.allocation.amount == D("20000")

    rep = reports.report(district, world.district.code, YEAR)
    kinds = {r["code"]: r for r in rep["by_kind"]}
    assert (kinds["award"]["due"], kinds["award"]["arrived"]) == (D("35000"), D("20000"))
    assert kinds["award"]["rate"] == D("57.1")  # was 133.3: the award arrived against the 15,000 pool
    assert kinds["office"]["rate"] == D("100.0")
    parties = {r["party"]: r for r in rep["by_party"]}
    assert (parties["district"]["due"], parties["district"]["arrived"]) == (D("35000"), D("30000"))
    assert parties["district"]["rate"] == D("85.7") and parties["district"]["missing"] == D("5000")
    assert all(
        r["rate"] is None or r["rate"] <= 100 for r in rep["by_kind"] + rep["by_party"] + rep["sharing"]
    )
    a_row = next(c for c in rep["communities"] if c["code"] == world.a.code)
    assert (a_row["due"], a_row["arrived"]) == (D("65000"), D("50000"))
    assert rep["totals"]["due"] == D("65000") and rep["totals"]["rate"] == D("76.9")
    # The pool's share of each party is overdue; the award paid its own due, not the pool's.
    overdue = {(o["fund_kind"], o["party"]): o["missing"] for o in rep["overdue"]}
    assert overdue == {("以奖代补/以奖代拨", "区"): D("5000"), ("以奖代补/以奖代拨", "市"): D("5000"),
                       ("以奖代补/以奖代拨", "街道/乡镇"): D("5000")}  # fmt: skip

    # Without a pool the award alone reads 100%, not "nothing due".
    services.reverse_allocation(district, a.allocation_id, reason="收款账户有误，退回重拨")
    rep = reports.report(district, world.district.code, YEAR)
    kinds = {r["code"]: r for r in rep["by_kind"]}
    assert (kinds["award"]["due"], kinds["award"]["arrived"]) == (D("35000"), D("0"))  # awarded, not paid
    assert {(o["fund_kind"], o["party"]) for o in rep["overdue"]} == set(overdue)
