"""The specialised ledgers in a real browser: a street manager charged with relief generates the
month's payments and exports one community's 低保金发放花名册 (rows and 合计 read with openpyxl); a
community worker charged with mediation turns a case into a mediation that reaches agreement, and
both pages show the link; correction labour and the resident's panel for the duty holder.
Screenshots land in test-artifacts/screenshots/ledgers-*.png."""

import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from shequ.ledgers import services
from shequ.ledgers.models import RELIEF, Mediation, ReliefPayment
from tests.ledgers.factories import charge, grant, make_relief_case, make_subject, this_month
from tests.people.factories import make_resident

from .conftest import shoot, sign_in


def test_street_manager_generates_the_month_and_exports_the_roster(world, new_tab):
    users, secrets = world.users, {}
    street = grant(users["street"], RELIEF)
    cases = [
        make_relief_case(world, "a", persons=n, monthly_amount=a) for n, a in ((3, "820.00"), (1, "760.50"))
    ]
    suspended = make_relief_case(world, "a")
    services.change_status(street, suspended.pk, status="暂停", on=this_month(), reason="未按时参加年度复核")
    r = make_resident(world, "a")
    services.open_case(street, resident_id=r.pk, category="特困供养", start_date="2025-01-01", monthly_amount="1430",
                       care_mode="集中供养")  # fmt: skip
    make_relief_case(world, "b", monthly_amount="900")

    t = new_tab()
    sign_in(t, street, secrets)
    t.goto("/ledgers/relief/ledger/")
    shoot(t, "ledgers-relief-ledger-empty")
    with t.page.expect_navigation():
        t.page.locator("#generate").click()
    t.settle()
    assert "已生成" in t.page.inner_text(".alert-success")
    assert ReliefPayment.objects.filter(month=this_month()).count() == 5
    row = t.page.inner_text(f"tr[data-community='{world.a.code}']")
    assert "3010.50" in row and "100.0%" in row  # 820 + 760.50 + 1430; the one 特困 in central care
    shoot(t, "ledgers-relief-ledger")
    # A second click adds nothing.
    with t.page.expect_navigation():
        t.page.locator("#generate").click()
    assert "已生成" in t.page.inner_text(".alert-success") and "0 条" in t.page.inner_text(".alert-success")
    assert ReliefPayment.objects.filter(month=this_month()).count() == 5

    with t.page.expect_navigation():
        t.page.locator(f"tr[data-community='{world.a.code}'] a", has_text="查看").click()
    t.settle()
    assert t.page.inner_text("#roster-total").strip() == "3010.50"
    shoot(t, "ledgers-relief-roster")
    with t.page.expect_download() as dl:
        t.page.locator("#roster-export").click()
    ws = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes())).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == f"宁安社区 {this_month().year}年{this_month().month}月 城乡低保金发放花名册"
    assert rows[1][0] == "填报单位：宁安社区居委会"
    assert rows[2] == ["序号", "户主姓名", "身份证号", "保障人数", "类别", "月保障金", "发放状态", "备注"]
    body, total = rows[3:-1], rows[-1]
    assert [b[0] for b in body] == [1, 2, 3, 4]
    assert all("*" in b[1] and "*" in b[2] for b in body)  # masked: the street manager gave no reason
    assert sorted(b[6] for b in body) == ["已发放", "已发放", "已发放", "暂停发放"]
    assert "未按时参加年度复核" in [b[7] for b in body]
    assert total[0] == "合计" and total[1] == "3 户" and total[3] == 3 + 1 + 1
    assert Decimal(str(total[5])) == Decimal("3010.50")
    assert Decimal(str(total[5])) == sum(Decimal(str(b[5])) for b in body if b[6] == "已发放")

    t.goto(f"/ledgers/relief/{cases[0].pk}/")
    shoot(t, "ledgers-relief-detail")
    t.goto("/ledgers/relief/")
    shoot(t, "ledgers-relief-list")
    # Opening a case twice for the same person is refused on the form, with the reason.
    t.goto("/ledgers/relief/new/")
    t.page.fill("#f-resident", r.doc_number)
    t.page.select_option("#f-category", "tekun")
    t.page.select_option("#f-care", "dispersed")
    t.page.fill("#f-amount", "1430")
    with t.page.expect_navigation():
        t.page.locator("#relief-form button[type=submit]").click()
    assert "不要重复登记" in t.page.inner_text("#form-error")
    t.take_problems()  # the refusal answers 409, as it should
    shoot(t, "ledgers-relief-form-refused")
    t.assert_clean("the relief ledger")


def test_community_worker_records_a_mediation_from_a_case(world, new_tab):
    from tests.cases.factories import make_case

    users, secrets = world.users, {}
    worker = grant(users["community_worker"], "ledgers.mediation")
    case = make_case(world, "a", category="0703", description="楼上住户空调外机滴水至楼下阳台，多次协商未果")
    a, b = make_resident(world, "a"), make_resident(world, "a")

    t = new_tab()
    sign_in(t, worker, secrets)
    t.goto(f"/cases/{case.pk}/")
    assert t.page.locator("#case-mediation").is_visible()
    with t.page.expect_navigation():
        t.page.locator("#case-to-mediation").click()
    t.settle()
    assert t.page.input_value("#f-case") == case.number
    f = t.page.locator("#mediation-form")
    f.locator("#f-matter").select_option(label="邻里纠纷")
    f.locator("#f-mediator-name").fill("宁安社区调解员 徐静")
    f.locator("#f-applicant-1-resident").fill(a.doc_number)
    f.locator("#f-respondent-1-resident").fill(b.doc_number)
    f.locator("#f-respondent-2-name").fill("租户 刘某某")
    f.locator("#f-summary").fill("楼上空调外机滴水至楼下阳台，双方多次协商未果。")
    f.locator("#f-mediated").fill(t.page.input_value("#f-received"))
    f.locator("#f-yes").check()
    f.locator("#f-agreement").fill("楼上住户于七日内加装冷凝水管并赔偿楼下清洁费 300 元，双方不再追究。")
    shoot(t, "ledgers-mediation-form")
    with t.page.expect_navigation():
        f.locator("#mediation-save").click()
    t.settle()
    med = Mediation.objects.get(case_id=case.pk)
    assert t.path() == f"/ledgers/mediation/{med.pk}/"
    assert t.page.inner_text("#mediation-outcome").strip() == "达成协议"
    assert case.number in t.page.inner_text("#mediation-case")
    assert "加装冷凝水管" in t.page.inner_text("#agreement-text")
    parties = t.page.inner_text("#parties")
    assert a.name not in parties and "外来人员" in parties  # masked by default
    assert med.parties.count() == 3 and med.agreement_reached
    shoot(t, "ledgers-mediation-detail")
    # The follow-up visit.
    with t.page.expect_navigation():
        t.page.locator("#followup-form textarea").fill("已加装冷凝水管，赔偿已付清，双方满意")
        t.page.locator("#followup-form button").click()
    assert Mediation.objects.get(pk=med.pk).followup_on is not None
    t.goto(f"/cases/{case.pk}/")
    assert med.number in t.page.inner_text("#case-mediation")
    shoot(t, "ledgers-case-with-mediation")
    t.goto("/ledgers/mediation/")
    assert med.number in t.page.inner_text("#mediation-table")
    shoot(t, "ledgers-mediation-list")
    t.assert_clean("the mediation")


def test_correction_labour_and_the_residents_panel(world, new_tab):
    users, secrets = world.users, {}
    lead = charge(world)  # charges the community lead too
    s = make_subject(world, "a")
    for month, g in ((1, "优秀"), (2, "良好"), (3, "良好")):
        services.grade(lead, s.pk, kind="month", year=2026, period=month, value=g)
    services.grade(lead, s.pk, kind="quarter", year=2026, period=1, value="良好")
    pay_case = make_relief_case(world, "a")
    t = new_tab()
    sign_in(t, users["community_lead"], secrets)
    t.goto(f"/ledgers/correction/{s.pk}/")
    form = t.page.locator("#session-form")
    form.locator("[name=hours]").fill("2.5")
    form.locator("[name=task]").fill("小区公共区域保洁")
    with t.page.expect_navigation():
        form.locator("button").click()
    assert "签到已登记" in t.page.inner_text(".alert-success")
    g = t.page.locator("#grade-form")
    g.locator("[name=kind]").select_option("month")
    g.locator("[name=period]").fill("4")
    g.locator("[name=grade]").select_option(label="差")
    with t.page.expect_navigation():
        g.locator("button").click()
    assert "2026年4月" in t.page.inner_text("#grades")
    shoot(t, "ledgers-correction-detail")
    t.goto("/ledgers/correction/")
    shoot(t, "ledgers-correction-list")
    t.goto("/ledgers/correction/new/")
    shoot(t, "ledgers-correction-form")
    t.goto(f"/people/residents/{pay_case.head_id}/")
    assert "低保特困" in t.page.inner_text("#resident-ledgers")
    shoot(t, "ledgers-resident-panel")
    t.goto("/")
    assert t.page.locator("#ledgers-card").is_visible()
    shoot(t, "ledgers-home-card")
    t.assert_clean("correction and the resident's panel")
