"""The finance module in a real browser (system Chromium, Playwright) against live_server: a district
finance officer sets a 1:1:1 rule (a zero share is refused with the reason), puts it into the
budgets and publishes one; a community lead records spending with a receipt photo on a phone (an
amount above the balance is refused); a street manager sees which departments have not paid for
their tasks. Screenshots land in test-artifacts/screenshots/finance-*.png."""

from decimal import Decimal

from django.utils import timezone

from shequ.core import registry
from shequ.finance import awards, services
from shequ.finance.models import Allocation, AwardApplication, Budget, BudgetLine, SharingRule, Spending
from tests.finance.factories import YEAR, make_allocation, make_commitment, make_round, make_spending, png

from .conftest import PHONE, shoot, sign_in


def test_district_sets_a_rule_and_publishes_a_budget(world, new_tab):
    secrets = {}
    t = new_tab()
    sign_in(t, world.users["district"], secrets)
    t.goto("/finance/rules/")
    with t.page.expect_navigation():
        t.page.locator("#rule-create").click()
    t.settle()
    form = t.page.locator("main form")
    form.locator("[name=org]").select_option(world.district.code)
    form.locator("[name=fund_kind]").select_option("office")
    form.locator("[name=name]").fill("社区办公经费三级分担")
    form.locator("[name=base_amount]").fill("30000")
    form.locator("[name=parties]").fill("市,区,街道")
    form.locator("[name=ratios]").fill("1:0:1")
    form.locator("[name=due_on]").fill(f"{timezone.localdate().year}-06-30")
    form.locator("button[type=submit]").click()  # a refused form answers in place (htmx)
    t.page.locator("main form").get_by_text("须为正数").first.wait_for()
    assert not SharingRule.objects.exists()
    t.take_problems()  # the refusal answers 400 by design
    shoot(t, "finance-rule-refused")
    t.take_problems()
    t.page.locator("main form [name=ratios]").fill("1:1:1")
    with t.page.expect_navigation():
        t.page.locator("main form button[type=submit]").click()
    t.settle()
    rule = SharingRule.objects.get()
    assert rule.ratio_text == "1:1:1" and t.path().startswith("/finance/rules/")
    shoot(t, "finance-rules")
    with t.page.expect_navigation():
        t.page.locator(f"#rule-{rule.pk} button[type=submit]").click()
    t.settle()
    assert t.path().startswith("/finance/budgets/")
    assert sorted(BudgetLine.objects.filter(scope_code=world.a.code).values_list("amount", flat=True)) == [
        Decimal("10000")] * 3  # fmt: skip
    shoot(t, "finance-budgets")
    b = Budget.objects.get(community=world.a)
    with t.page.expect_navigation():
        t.page.locator(f"#budget-{b.pk} a").click()
    t.settle()
    assert t.page.inner_text("#budget-total").strip().replace(",", "") == "30000.00"
    for move in ("approved", "published"):
        with t.page.expect_navigation():
            t.page.locator(f"button[data-move={move}]").click()
        t.settle()
    assert t.page.inner_text("#budget-status").strip() == "已公开"
    b.refresh_from_db()
    assert b.status == "published"
    shoot(t, "finance-budget-published")
    make_allocation(world, "a", party="city", amount="10000")
    make_spending(world, "a", amount="800", fund=False)
    t.goto(f"/finance/?scope={world.district.code}")
    t.charts_drawn(3)
    assert "60000" in t.page.inner_text("#finance-totals").replace(",", "")  # two budgets of 30,000
    shoot(t, "finance-overview")
    t.assert_clean("finance overview")


def test_community_lead_records_spending_with_a_receipt_on_a_phone(world, new_tab, tmp_path):
    make_allocation(world, "a", party="district", amount="2000", note="区级办公经费")
    phone = new_tab(PHONE)
    sign_in(phone, world.users["community_lead"], {})
    phone.goto("/finance/funds/")
    assert "余额 2000.00" in phone.page.inner_text("main").replace(",", "")
    shoot(phone, "finance-funds-phone")
    receipt = tmp_path / "发票.png"
    receipt.write_bytes(png().getvalue())

    def spend(amount, refused=False):
        with phone.page.expect_navigation():
            phone.page.locator("#spend-button").click()
        phone.settle()
        form = phone.page.locator("main form")
        form.locator("[name=fund_kind]").select_option("office")
        form.locator("[name=category]").select_option("activities")
        form.locator("[name=amount]").fill(amount)
        form.locator("[name=payee]").fill("江夏区文体用品商店")
        form.locator("[name=purpose]").fill("重阳节敬老活动物资")
        form.locator("[name=photos]").set_input_files(str(receipt))
        if refused:  # a refused form answers in place (htmx)
            form.locator("button[type=submit]").click()
            form.get_by_text("超过办公经费").first.wait_for()
            return
        with phone.page.expect_navigation():
            form.locator("button[type=submit]").click()
        phone.settle()

    spend("2500", refused=True)
    assert not Spending.objects.exists()
    phone.take_problems()  # refused with 400 by design
    shoot(phone, "finance-spending-refused-phone")
    phone.take_problems()
    phone.goto("/finance/funds/")
    spend("1280.50")
    s = Spending.objects.get()
    assert s.amount == Decimal("1280.50") and phone.path().startswith("/finance/spending/")
    row = phone.page.locator(f"#spending-{s.pk}")
    assert "江夏区文体用品商店" in row.inner_text()
    assert row.locator("a[href^='/attachments/']").count() == 1
    assert services.balance(world.a.code, s.year, s.fund_kind_id)["balance"] == Decimal("719.50")
    shoot(phone, "finance-spending-phone")
    phone.assert_clean("spending list")


def test_street_manager_sees_departments_that_have_not_paid(world, new_tab):
    paid = make_commitment(world, "a")  # 区民政局, 2,000 promised
    make_commitment(world, "b")  # 区人社局, 2,000 promised, nothing arrived
    services.record_task_arrival(
        world.users["department"], paid.pk, "2000", document_number="江民拨〔2026〕1号"
    )
    t = new_tab()
    sign_in(t, world.users["street"], {})
    t.goto("/finance/tasks/")
    unpaid = t.page.inner_text("#unpaid-departments")
    assert "区人社局" in unpaid and "区民政局" not in unpaid
    assert "2000" in unpaid.replace(",", "")
    shoot(t, "finance-task-money-street")
    t.assert_clean("task money")


def test_district_reviews_and_awards_a_round_and_the_allocation_pays_it(world, new_tab, monkeypatch):
    # The scheme rests on a figure another module offers per community (activities held, say).
    figures = {world.a.code: Decimal("34"), world.b.code: Decimal("6")}
    monkeypatch.setitem(registry._award_bases, "test.activities",
                        registry.AwardBasis("test.activities", "队伍活动场次", "场", lambda codes, year: figures))  # fmt: skip
    r = make_round(world, basis="test.activities", name="社区队伍活动以奖代补")
    claim = "重阳节系列活动覆盖全部楼栋，志愿服务队新增 12 人"
    applied = awards.apply_for_award(world.users["sysadmin"], r.pk, community=world.b.code, claim=claim)
    t = new_tab()
    sign_in(t, world.users["district"], {})
    t.goto(f"/finance/awards/?year={YEAR}")
    with t.page.expect_navigation():
        t.page.locator(f"#round-{r.pk} a").click()
    t.settle()
    assert t.path() == f"/finance/awards/rounds/{r.pk}/"
    assert "评审中" in t.page.inner_text("#round-status")
    assert "郭岭社区" in t.page.inner_text(f"#app-{applied.pk}")  # b applied: 6 activities, below 三等
    # 宁安社区 did not apply; its 34 activities reach 一等, so the scheme's figure enters it.
    with t.page.expect_navigation():
        t.page.locator("#find-eligible").click()
    t.settle()
    auto = AwardApplication.objects.get(round=r, community=world.a)
    row = t.page.locator(f"#app-{auto.pk}")
    assert "按依据自动入围" in row.inner_text() and "34" in row.inner_text()
    shoot(t, "finance-round-eligible")

    def review(app, fields=None):
        with t.page.expect_navigation():
            t.page.locator(f"#app-{app.pk} a", has_text="评审").click()
        t.settle()
        form = t.page.locator("main form")
        for name, value in (fields or {}).items():
            if name == "grade":
                form.locator("[name=grade]").select_option(value)
            else:
                form.locator(f"[name={name}]").fill(value)
        with t.page.expect_navigation():
            form.locator("button[type=submit]").click()
        t.settle()

    review(auto)  # the grade the figure reaches (一等) is proposed
    assert "评审通过" in t.page.inner_text(f"#app-{auto.pk}") and "一等" in t.page.inner_text(
        f"#app-{auto.pk}"
    )
    # b is below every grade: approving it as 三等 needs the reason on record.
    review(applied, {"grade": "三等", "note": "活动有特色，破格评为三等"})
    assert "破格评为三等" in t.page.inner_text(f"#app-{applied.pk}")
    shoot(t, "finance-round-reviewed")

    def pay(app, number):
        with t.page.expect_navigation():
            t.page.locator(f"#app-{app.pk} a", has_text="奖励").click()
        t.settle()
        form = t.page.locator("main form")
        assert "奖励将登记为区拨付的以奖代补/以奖代拨" in t.page.inner_text("main")
        form.locator("[name=document_number]").fill(number)
        if app == auto:
            shoot(t, "finance-award-form")
        with t.page.expect_navigation():
            form.locator("button[type=submit]").click()
        t.settle()

    pay(auto, f"江夏财奖〔{YEAR}〕1号")
    pay(applied, f"江夏财奖〔{YEAR}〕2号")
    for app, amount in ((auto, "20,000.00"), (applied, "6,000.00")):
        text = t.page.inner_text(f"#app-{app.pk}")
        assert "已奖励" in text and amount in text and "江夏财奖" in text
    assert t.page.inner_text("#awarded-total").strip() == "26,000.00 元"
    assert not t.page.locator("#application-table a", has_text="奖励").count()  # paid once, no more
    shoot(t, "finance-round-awarded")
    paid = {a.org.code: a for a in Allocation.objects.filter(fund_kind__code="award")}
    assert {c: (a.party, a.amount, a.year) for c, a in paid.items()} == {
        world.a.code: ("district", Decimal("20000"), YEAR), world.b.code: ("district", Decimal("6000"), YEAR)}  # fmt: skip

    # The allocations that paid the awards, among the year's arrivals.
    t.goto(f"/finance/allocations/?year={YEAR}")
    row = t.page.locator(f"#allocation-{paid[world.a.code].pk}")
    text = row.inner_text()
    assert "宁安社区" in text and "以奖代补/以奖代拨" in text and f"江夏财奖〔{YEAR}〕1号" in text
    assert "20,000.00" in text and "以奖代补" in text and "一等" in text
    assert "6,000.00" in t.page.inner_text(f"#allocation-{paid[world.b.code].pk}")
    shoot(t, "finance-award-allocations")
    # In the overview the awards are their own due: the kind reads 100%, not more.
    t.goto(f"/finance/?scope={world.district.code}&year={YEAR}")
    t.charts_drawn(3)
    kind_row = t.page.locator("#by-kind tr", has_text="以奖代补")
    assert [c.strip() for c in kind_row.locator("td").all_inner_texts()][1:4] == ["26000", "26000", "100.0%"]
    assert "26000" in t.page.inner_text("#awards")
    shoot(t, "finance-overview-awards")
    t.assert_clean("以奖代补 round")
