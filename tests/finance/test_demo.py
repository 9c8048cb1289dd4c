"""The demo funds: two years of budgets under a 1:1:1 rule and an 8:2 premises project, arrivals
(some late, the street's share partly missing), task money half missing, spending with receipts,
last year closed with a correction; and its reset."""

from decimal import Decimal

from django.utils import timezone

from shequ.core.attachments import attachments_of
from shequ.core.roles import Role
from shequ.core.testing.world import make_user
from shequ.finance import demo, reports
from shequ.finance.models import Allocation, Budget, BudgetLine, ClosedYear, SharingRule, Spending
from shequ.org.models import OrgUnit
from tests.finance.factories import make_commitment


def test_demo_funds(world):
    for code, name in (("420115001005", "幸福家园社区居委会"), ("420115001019", "文苑社区居委会")):
        OrgUnit.objects.create(code=code, name=name, level="community", kind="residents", parent=world.street)
    make_user("district", Role.DISTRICT, world.district)
    make_user("lead_ningan", Role.COMMUNITY_LEAD, world.a)
    dept = make_user("dept_minzheng", Role.DEPARTMENT, world.district, department="区民政局")
    c1, c2 = make_commitment(world, "a"), make_commitment(world, "a")
    assert not demo.is_loaded()
    counts = demo.load(echo=lambda *a: None)
    assert demo.is_loaded()
    year = timezone.localdate().year
    assert set(Budget.objects.values_list("year", flat=True)) == {year - 1, year}
    three = SharingRule.objects.filter(fund_kind__code="pay", year=year).get()
    assert three.ratio_text == "1:1:1"
    pay = BudgetLine.objects.filter(rule=three, scope_code=world.a.code)
    assert sorted(pay.values_list("amount", flat=True)) == [Decimal("50000")] * 3
    premises = BudgetLine.objects.filter(fund_kind__code="premises")
    assert dict(premises.values_list("party", "amount")) == {
        "district": Decimal("800000"),
        "street": Decimal("200000"),
    }
    assert premises.get(party="district").scope_code == world.b.code
    # Late arrivals and a missing share, flagged overdue.
    assert Allocation.objects.filter(party="district", year=year, arrived_on__gt=three.due_on).exists()
    rep = reports.report(world.users["street"], world.street.code, year)
    assert rep["overdue"] and rep["totals"]["overdue"] > 0
    assert rep["totals"]["staff_share"] > Decimal("90")  # "over 90% pays staff"
    # The 以奖代补 round's awards are their own due: the district's arrival rate does not pass 100%.
    district = reports.report(world.users["district"], world.district.code, year)
    assert any(r["awarded"] for r in district["awards"])
    assert all(r["rate"] is None or r["rate"] <= 100 for r in district["by_kind"] + district["by_party"])
    # Task money: one of 区民政局's two tasks paid, the other missing.
    tasks = {r["department"]: r for r in rep["tasks"]}
    assert tasks["区民政局"]["unpaid_tasks"] == 1 and tasks["区民政局"]["missing"] == Decimal("2000")
    assert {c1.pk, c2.pk} & set(
        Allocation.objects.filter(created_by=dept).values_list("commitment_id", flat=True)
    )
    # Spending, each with its receipt; last year closed, one correction (reversal + new entry).
    spent = list(Spending.objects.filter(scope_code=world.a.code))
    receipts = attachments_of(Spending, [s.pk for s in spent])
    without = [s for s in spent if str(s.pk) not in receipts]
    assert counts["spending"] > 20 and len(without) == 2  # the correction's two entries, dated today
    assert all(s.spent_on == timezone.localdate() for s in without)
    assert ClosedYear.objects.filter(org=world.district, year=year - 1).exists()
    assert Spending.objects.filter(reverses__isnull=False, year=year - 1).count() == 1
    demo.reset()
    assert not Budget.objects.exists() and not Allocation.objects.exists() and not Spending.objects.exists()
