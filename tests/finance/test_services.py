"""The finance module's acts: rules into budgets, arrivals against what is due, task money as one
record read by both modules, spending within the balance, closed years corrected, never edited."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import ChangeLogEntry
from shequ.duties import burden
from shequ.duties import services as duties_services
from shequ.finance import reports, services
from shequ.finance.models import Allocation, Budget, BudgetLine, BudgetStatus, Spending
from tests.finance.factories import (
    YEAR,
    make_allocation,
    make_budget,
    make_commitment,
    make_rule,
    make_spending,
    photo,
)

D = Decimal


def test_a_rule_of_1_1_1_puts_parts_adding_up_into_each_budget(world):
    rule = make_rule(world, amount="100000")
    out = services.apply_rule(world.users["district"], rule.pk)
    assert out["written"] == 2  # both communities of the district
    b = Budget.objects.get(community=world.a, year=YEAR, fund_kind__code="office")
    amounts = sorted(b.lines.values_list("amount", flat=True), reverse=True)
    assert amounts == [D("33334"), D("33333"), D("33333")] and sum(amounts) == D("100000")


def test_matching_rule_city_40000_district_2_5_gives_140000(world):
    rule = make_rule(world, kind="pay", mode="match", amount="40000", communities=[world.a.code],
                     parties=[{"party": "市", "ratio": "1"}, {"party": "区", "ratio": "2.5"}])  # fmt: skip
    services.apply_rule(world.users["district"], rule.pk)
    lines = dict(BudgetLine.objects.filter(rule=rule).values_list("party", "amount"))
    assert lines == {"city": D("40000"), "district": D("100000")}
    assert sum(lines.values()) == D("140000")


def test_premises_project_8_2(world):
    rule = make_rule(world, kind="premises", base="project", amount="1000000", communities=[world.b.code],
                     parties=[{"party": "district", "ratio": "8"}, {"party": "street", "ratio": "2"}])  # fmt: skip
    services.apply_rule(world.users["district"], rule.pk)
    assert dict(BudgetLine.objects.filter(rule=rule).values_list("party", "amount")) == {
        "district": D("800000"), "street": D("200000")}  # fmt: skip


def test_per_resident_base_counts_the_registry(world):
    from tests.people.factories import make_resident

    for _ in range(3):
        make_resident(world, "a")
    rule = make_rule(world, base="resident", amount="10", communities=[world.a.code],
                     parties=[{"party": "district", "ratio": "1"}])  # fmt: skip
    services.apply_rule(world.users["district"], rule.pk)
    assert BudgetLine.objects.get(rule=rule).amount == D("30")


@pytest.mark.parametrize("ratio", ["0", "-1", "abc", ""])
def test_a_rule_whose_share_is_not_positive_is_refused(world, ratio):
    with pytest.raises(ValidationFailed) as e:
        make_rule(world, parties=[{"party": "city", "ratio": "1"}, {"party": "district", "ratio": ratio}])
    assert "正数" in e.value.message


def test_a_rule_saved_again_is_a_new_revision(world):
    r1 = make_rule(world, name="办公经费")
    r2 = make_rule(world, name="办公经费", amount="36000")
    r1.refresh_from_db()
    assert (r1.current, r2.current, r2.revision) == (False, True, 2)
    with pytest.raises(Conflict):
        services.apply_rule(world.users["district"], r1.pk)


def test_street_and_community_cannot_set_district_rules(world):
    with pytest.raises((Forbidden, NotFound)):
        make_rule(world, who="street")
    with pytest.raises((Forbidden, NotFound)):
        make_rule(world, who="community_lead", org=world.street.code)


def test_budget_moves_through_its_states_and_not_back_from_published(world):
    b = make_budget(world)
    u = world.users["district"]
    with pytest.raises(Conflict):
        services.move_budget(u, b.pk, BudgetStatus.PUBLISHED)
    services.move_budget(u, b.pk, BudgetStatus.APPROVED)
    with pytest.raises(Conflict):  # an approved budget takes no new items
        services.add_budget_item(u, b.pk, party="street", amount="500", note="维修")
    services.move_budget(u, b.pk, BudgetStatus.DRAFT)
    services.add_budget_item(u, b.pk, party="street", amount="500", note="办公桌椅更换")
    services.move_budget(u, b.pk, BudgetStatus.APPROVED)
    services.move_budget(u, b.pk, BudgetStatus.PUBLISHED)
    for s in BudgetStatus.values:
        with pytest.raises(Conflict):
            services.move_budget(u, b.pk, s)
    with pytest.raises(Forbidden):
        services.move_budget(world.users["community_lead"], b.pk, BudgetStatus.DRAFT)


def test_allocation_above_due_needs_a_note_and_a_document_number_is_unique(world):
    make_budget(world, amount="30000")  # a is due 10,000 from the city
    u = world.users["district"]
    kw = {
        "org": world.a.code,
        "party": "city",
        "fund_kind": "office",
        "year": YEAR,
        "arrived_on": timezone.localdate(),
    }
    services.record_allocation(u, amount="6000", document_number="武财〔2026〕1号", **kw)
    with pytest.raises(ValidationFailed) as e:
        services.record_allocation(u, amount="4000.01", document_number="武财〔2026〕2号", **kw)
    assert "超过应拨未到" in e.value.message and "4000.00" in e.value.message
    services.record_allocation(
        u, amount="4000.01", document_number="武财〔2026〕2号", note="含上年补差", **kw
    )
    with pytest.raises(Conflict) as e:
        services.record_allocation(u, amount="1", document_number="武财〔2026〕1号", note="重复", **kw)
    assert e.value.code == "duplicate_document"
    assert Allocation.objects.count() == 2


def test_arrival_rates_and_overdue(world):
    make_budget(world, amount="30000", due_on=timezone.localdate() - dt.timedelta(days=1))
    make_allocation(world, party="city", amount="10000")
    make_allocation(world, party="district", amount="4000")
    rep = reports.report(world.users["district"], world.district.code, YEAR)
    parties = {r["party"]: r for r in rep["by_party"]}
    assert parties["city"]["rate"] == D("100.0") and parties["district"]["rate"] == D("40.0")
    assert parties["street"]["missing"] == D("10000")
    overdue = {o["party"]: o["missing"] for o in rep["overdue"]}
    assert overdue == {"区": D("6000"), "街道/乡镇": D("10000")}
    assert rep["totals"]["due"] == D("30000") and rep["totals"]["arrived"] == D("14000")


def test_task_money_is_one_record_seen_from_both_modules(world):
    c = make_commitment(world)  # 区民政局 promised 2,000 yuan with the task
    dept = world.users["department"]
    duties_services.record_funding(dept, c.task_id, D("500"))  # recorded from the duties page
    a = Allocation.objects.get(commitment_id=c.pk)
    assert (a.party, a.department, a.amount) == ("department", "区民政局", D("500"))
    services.record_task_arrival(dept, c.pk, "700", document_number="民政拨〔2026〕9号")
    c.refresh_from_db()
    assert c.delivered == D("1200")  # the running total of the arrivals here
    league = {
        r["department"]: r
        for r in burden.by_department(world.users["street"], world.street.code, c.task.start_date)
    }
    assert league["区民政局"]["committed"] == D("2000") and league["区民政局"]["delivered"] == D("1200")
    with pytest.raises(ValidationFailed):
        services.record_task_arrival(dept, c.pk, "900")  # more than promised, no note
    rows = reports.task_money(world.users["street"], world.street.code, c.committed_at.year)
    assert rows == [{"department": "区民政局", "tasks": 1, "promised": D("2000"), "arrived": D("1200"),
                     "unpaid_tasks": 1, "missing": D("800"), "rate": D("60.0")}]  # fmt: skip
    # The department sees its task money, not the community's other funds.
    make_allocation(world, party="city", amount="100")
    assert set(Allocation.objects.visible_to(dept).values_list("commitment_id", flat=True)) == {c.pk}


def test_a_reversal_of_task_money_lowers_what_the_burden_ledger_shows(world):
    c = make_commitment(world)
    a = services.record_task_arrival(world.users["department"], c.pk, "2000")
    services.reverse_allocation(world.users["department"], a.pk, reason="拨错社区")
    c.refresh_from_db()
    assert c.delivered == 0
    with pytest.raises(Conflict):
        services.reverse_allocation(world.users["department"], a.pk, reason="再来一次")


def test_spending_within_the_balance_with_receipt(world):
    make_allocation(world, amount="1000")
    lead = world.users["community_lead"]
    kw = {"community": world.a.code, "fund_kind": "office", "year": YEAR, "category": "staff",
          "payee": "张三", "spent_on": timezone.localdate()}  # fmt: skip
    s = services.record_spending(lead, amount="600", photos=photo(), **kw)
    from shequ.core.attachments import attachments_of

    assert len(attachments_of(Spending, [s.pk])[str(s.pk)]) == 1
    with pytest.raises(ValidationFailed) as e:
        services.record_spending(lead, amount="400.01", **kw)
    assert "余额 400.00" in e.value.message
    services.record_spending(lead, amount="400", category="operations", payee="文具店",
                             **{k: v for k, v in kw.items() if k not in ("category", "payee")})  # fmt: skip
    assert services.balance(world.a.code, YEAR, s.fund_kind_id)["balance"] == 0
    rep = reports.report(world.users["street"], world.street.code, YEAR)
    assert rep["totals"]["staff_share"] == D("60.0")
    with pytest.raises((Forbidden, NotFound)):  # b's worker does not spend a's money
        services.record_spending(world.users["community_worker_b"], amount="1", **kw)


def test_closed_year_refuses_edits_and_takes_corrections(world):
    s = make_spending(world, amount="1000", year=YEAR - 1)
    services.close_year(world.users["district"], world.district.code, YEAR - 1)
    lead = world.users["community_lead"]
    with pytest.raises(Conflict) as e:
        services.update_spending(lead, s.pk, {"amount": "900"})
    assert e.value.code == "year_closed" and "已由江夏区" in e.value.message and "冲销" in e.value.message
    with pytest.raises(Conflict):
        make_allocation(world, year=YEAR - 1)
    with pytest.raises(Conflict):
        make_rule(world, year=YEAR - 1)
    rev, new = services.correct_spending(lead, s.pk, reason="金额录错", amount="900")
    assert rev.amount == D("-1000") and rev.spent_on == timezone.localdate() and new.amount == D("900")
    assert rev.year == new.year == YEAR - 1
    logged = set(ChangeLogEntry.objects.filter(object_repr__isnull=False).values_list("object_id", flat=True))
    assert {str(rev.pk), str(new.pk), str(s.pk)} <= {str(x) for x in logged}
    with pytest.raises(Conflict):
        services.close_year(world.users["district"], world.district.code, YEAR - 1)


def test_open_year_spending_can_be_edited(world):
    s = make_spending(world, amount="1000")
    s = services.update_spending(world.users["community_lead"], s.pk, {"amount": "1500"})
    assert s.amount == D("1500") and s.version == 2
