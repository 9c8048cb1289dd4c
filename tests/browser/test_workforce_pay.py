"""Grades and pay in a real browser (system Chromium, Playwright) against live_server: a street
manager reads the pay page before the average wage is entered, enters it through the form, and
sees the ratio chart drawn and the workers below the floor listed (and exports the workbook, whose
below-floor sheet names the same people); then opens the grade table, a worker's pay section, the
pay record form, the contracts due and the insurance rates. Screenshots land in
test-artifacts/screenshots/workforce-pay-*.png."""

import datetime as dt
import io
from pathlib import Path

from python_calamine import CalamineWorkbook

from shequ.workforce import services
from shequ.workforce.models import AverageWage
from tests.workforce.factories import make_worker
from tests.workforce.pay_factories import EXAMPLE, paid_worker, street_scheme, table

from .conftest import shoot, sign_in

LOW = {**EXAMPLE, "performance": "0", "allowances": "0", "bonus": "1200"}  # 19,200: below 85 %


def test_street_enters_the_average_wage_and_sees_who_is_below_the_floor(world, new_tab):
    street_user = world.users["street"]
    scheme = street_scheme(world)
    table(world, scheme, 2025)
    paid_worker(world, "a", name="王秀英", grade="高级", step=3)
    paid_worker(world, "a", name="李娜", amounts=LOW)
    paid_worker(world, "a", name="赵强", grade="中级", step=1)
    paid_worker(world, "b", name="陈晓", amounts=LOW, source="选举产生")
    paid_worker(world, "b", name="刘芳", grade="中级", step=2, source="街道下派")
    w = paid_worker(world, "b", name="周敏").worker
    end = dt.date.today() + dt.timedelta(days=25)
    services.add_contract(
        street_user, w.pk, employer="纸坊街道办事处", start=end - dt.timedelta(days=1094), end=end
    )
    services.set_insurance(street_user, w.pk, year=2025, kinds=["养老保险", "医疗保险", "工伤保险"])
    make_worker(world, "a", name="未登记")

    street = new_tab()
    sign_in(street, street_user, {})
    street.goto("/workforce/pay/?year=2025")
    assert "尚未录入该年度的社会平均工资" in street.page.inner_text("#pay-summary")
    street.page.get_by_role("link", name="录入社会平均工资").click()
    street.page.wait_for_url("**/workforce/pay/average-wage/")
    street.settle()
    form = street.page.locator("form:has([name=floor_percent])")
    form.locator("[name=scope]").select_option(world.street.code)
    form.locator("[name=year]").fill("2025")
    form.locator("[name=amount]").fill("27968")
    form.locator("[name=source]").fill("江夏区统计局 2025 年统计公报")
    form.locator("[name=floor_percent]").fill("85")
    shoot(street, "workforce-pay-average-wage")
    with street.page.expect_navigation():
        form.locator("button[type=submit]").click()  # htmx posts it; HX-Redirect to the pay page
    street.settle()
    assert str(AverageWage.objects.get().floor) == "23772.80"
    assert street.path() == f"/workforce/pay/?scope={world.street.code}&year=2025"
    street.charts_drawn(1)
    assert street.page.inner_text("#average-wage").strip() == "27968"
    below = street.page.locator("#below-floor tbody tr")
    assert below.count() == 2
    assert [below.nth(k).locator("td").first.inner_text() for k in range(2)] == ["李娜", "陈晓"]
    assert street.page.inner_text("#floor-share").strip() == "66.7%"  # 4 of 6
    assert "1 人未登记" in street.page.inner_text("#pay-summary")
    shoot(street, "workforce-pay")
    with street.page.expect_download() as dl:
        street.page.get_by_role("link", name="导出薪酬汇总表").click()
    book = CalamineWorkbook.from_filelike(io.BytesIO(Path(dl.value.path()).read_bytes()))
    rows = book.get_sheet_by_name("低于底线").to_python()
    assert [r[0] for r in rows[1:]] == ["李娜", "陈晓"]
    street.assert_clean("the pay page")

    street.goto("/workforce/grades/?year=2025")
    assert "2500" in street.page.inner_text(f"#scheme-{scheme.pk}")
    shoot(street, "workforce-pay-grades")
    street.page.get_by_role("link", name="录入 2025 年工资表").click()
    street.page.wait_for_url(f"**/workforce/grades/{scheme.pk}/table/?year=2025")
    street.settle()
    assert street.page.locator("#pay-table input").count() == 9
    shoot(street, "workforce-pay-table")
    street.goto(f"/workforce/workers/{w.pk}/")
    assert "初级1档" in street.page.inner_text("#pay") and "19566" in street.page.inner_text("#pay-records")
    street.page.locator("#pay").scroll_into_view_if_needed()
    shoot(street, "workforce-pay-worker")
    street.goto(f"/workforce/workers/{w.pk}/pay/?year=2025")
    assert street.page.locator("[name=allowances]").input_value() == "2567.00"
    shoot(street, "workforce-pay-record")
    street.goto("/workforce/contracts/due/")
    assert "周敏" in street.page.inner_text("#list-table")
    shoot(street, "workforce-pay-contracts")
    street.goto("/workforce/insurance/?year=2025")
    assert "养老保险" in street.page.inner_text("#insurance-rates")
    shoot(street, "workforce-pay-insurance")
    street.assert_clean("the street's pay pages")
