"""The finance module in a real browser (system Chromium, Playwright) against live_server: a district
finance officer sets a 1:1:1 rule (a zero share is refused with the reason), puts it into the
budgets and publishes one; a community lead records spending with a receipt photo on a phone (an
amount above the balance is refused); a street manager sees which departments have not paid for
their tasks. Screenshots land in test-artifacts/screenshots/finance-*.png."""

from decimal import Decimal

from django.utils import timezone

from shequ.finance import services
from shequ.finance.models import Budget, BudgetLine, SharingRule, Spending
from tests.finance.factories import make_allocation, make_commitment, make_spending, png

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
