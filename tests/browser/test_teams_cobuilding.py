"""共驻共建 in a real browser (system Chromium, Playwright) against live_server: a street manager
opens the co-building page and sees each unit's contributions against its agreement's duties, opens a
unit and the body, and records a contribution through the form. Screenshots land in
test-artifacts/screenshots/teams-cobuilding-*.png."""

import datetime as dt

from django.utils import timezone

from shequ.teams import services
from shequ.teams.models import Contribution
from tests.teams.factories_cobuilding import make_unit

from .conftest import shoot, sign_in


def _day(n: int) -> dt.date:
    """The n-th day of this year, or today when that is still to come."""
    today = timezone.localdate()
    return min(dt.date(today.year, 1, 1) + dt.timedelta(days=n), today)


def test_street_manager_sees_each_units_contributions_against_its_agreement(world, tab):
    street = world.users["street"]
    year_start = dt.date(timezone.localdate().year, 1, 1)
    body = services.create_body(
        street, world.street.code, name="纸坊街道共驻共建联席会", established_on=year_start
    )
    hospital = make_unit(world, "a", name="江夏区第一人民医院")
    bank = make_unit(world, "b", name="农商银行纸坊支行")
    school = make_unit(world, "a", name="纸坊第一中学")
    for u in (hospital, bank, school):
        services.add_body_member(street, body.pk, unit=u.pk, joined_on=year_start)
    agreements = {}
    for u in (hospital, bank):
        agreements[u.pk] = services.sign_agreement(street, body.pk, unit=u.pk, starts_on=year_start,
                                                   ends_on=year_start + dt.timedelta(days=730), signed_on=year_start)  # fmt: skip
    services.record_meeting(
        street, body.pk, held_on=_day(40), place="街道党群服务中心", attendees=[hospital.pk, bank.pk]
    )
    duty = {d.name: d for d in agreements[hospital.pk].duties.all()}
    services.record_contribution(street, unit=hospital.pk, kind="money", amount="20000", given_on=_day(20),
                                 agreement=agreements[hospital.pk].pk, description="共建资金")  # fmt: skip
    services.record_contribution(street, unit=hospital.pk, kind="people", people_days="12", given_on=_day(60),
                                 duty=duty["为居民办一件实事"].pk, description="义诊进社区")  # fmt: skip
    services.record_contribution(street, unit=bank.pk, kind="goods", amount="3600", given_on=_day(30),
                                 agreement=agreements[bank.pk].pk, description="捐赠防汛物资")  # fmt: skip
    services.record_contribution(street, unit=school.pk, kind="facility", facility="操场", given_on=_day(10),
                                 description="操场周末向居民开放")  # fmt: skip

    sign_in(tab, street, {})
    tab.goto("/teams/")
    with tab.page.expect_navigation():
        tab.page.get_by_role("link", name="共驻共建").first.click()
    tab.settle()
    assert tab.path().startswith("/teams/cobuilding/")
    tab.charts_drawn(2)
    table = tab.page.locator("#cob-units")
    row = table.locator("tr[data-unit='江夏区第一人民医院']")
    assert "20000.00" in row.inner_text() and "12.0" in row.inner_text()
    assert "为居民办一件实事 1/1" in row.inner_text()
    assert "每季度召开一次联席会议" in row.inner_text()
    bank_row = table.locator("tr[data-unit='农商银行纸坊支行']")
    assert "3600.00" in bank_row.inner_text() and "郭岭" in bank_row.inner_text()
    assert "未签协议" in table.locator("tr[data-unit='纸坊第一中学']").inner_text()
    assert tab.page.inner_text("#sum-agreements") == "2"
    shoot(tab, "teams-cobuilding-overview")
    tab.assert_clean("the co-building page")

    with tab.page.expect_navigation():
        row.get_by_role("link", name="江夏区第一人民医院").click()
    tab.settle()
    assert "义诊进社区" in tab.page.inner_text("#cob-contributions")
    shoot(tab, "teams-cobuilding-unit")
    with tab.page.expect_navigation():
        tab.page.locator("#cob-contribution-add").click()
    tab.settle()
    form = tab.page.locator("form:has([name=kind])")
    form.locator("[name=kind]").select_option("goods")
    form.locator("[name=amount]").fill("1500")
    form.locator("[name=given_on]").fill(str(timezone.localdate()))
    form.locator("[name=description]").fill("慰问困难家庭")
    form.locator("[name=duty]").select_option(
        str(agreements[hospital.pk].duties.get(name="结对帮扶一户困难家庭").pk)
    )
    shoot(tab, "teams-cobuilding-contribution-form")
    with tab.page.expect_navigation():
        form.locator("button[type=submit]").click()
    tab.settle()
    assert "慰问困难家庭" in tab.page.inner_text("#cob-contributions")
    assert Contribution.objects.filter(unit=hospital, description="慰问困难家庭").exists()

    tab.goto(f"/teams/cobuilding/bodies/{body.pk}/")
    assert "农商银行纸坊支行" in tab.page.inner_text("#cob-members")
    assert "街道党群服务中心" in tab.page.inner_text("#cob-meetings")
    shoot(tab, "teams-cobuilding-body")
    tab.assert_clean("the body's page")
