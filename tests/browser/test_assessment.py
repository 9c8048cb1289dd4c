"""The assessment module in a real browser (system Chromium, Playwright) against live_server: a
district officer builds a scheme from the indicator catalogue (the live sum of weights; a sum other
than 100 refused with the reason), opens and computes a round, scores the manual item with an
evidence photo and publishes; a community lead sees its scores and the figures behind each and
files an objection. Screenshots land in test-artifacts/screenshots/assessment-*.png."""

from shequ.assessment.models import Objection, Round, Scheme
from tests.assessment.factories import RATE, png, published_round

from .conftest import PHONE, shoot, sign_in


def test_district_builds_a_scheme_from_the_catalogue_and_runs_a_round(world, new_tab, tmp_path):
    secrets = {}
    t = new_tab()
    sign_in(t, world.users["district"], secrets)
    t.goto("/assessment/schemes/new/")
    page = t.page
    page.wait_for_selector("#scheme-form[data-ready='1']")
    page.locator("#name").fill("2026 年社区综合考核")
    page.locator("#body").fill("区委社会工作部")
    row = page.locator(f"tr[data-indicator='{RATE}']")
    row.locator("[data-pick]").check()
    row.locator(f"[name='weight:{RATE}']").fill("60")
    row.locator(f"[name='floor:{RATE}']").fill("0")
    row.locator(f"[name='target:{RATE}']").fill("50")
    page.locator("[name='manual-label:1']").fill("党群服务中心规范化")
    page.locator("[name='manual-weight:1']").fill("30")
    page.wait_for_function("() => document.getElementById('weight-sum').dataset.sum === '90'")
    assert "还差 10 分" in page.inner_text("#weight-hint")
    with page.expect_navigation():
        page.locator("#save-scheme").click()
    t.settle()
    assert "应恰好为 100 分" in page.inner_text("#form-error") and not Scheme.objects.exists()
    t.take_problems()  # the refusal answers 400 by design
    shoot(t, "assessment-builder-refused")
    page.locator("[name='manual-weight:1']").fill("40")
    page.wait_for_function("() => document.getElementById('weight-sum').dataset.sum === '100'")
    with page.expect_navigation():
        page.locator("#save-scheme").click()
    t.settle()
    s = Scheme.objects.get()
    assert t.path() == f"/assessment/schemes/{s.pk}/" and s.items.count() == 2
    shoot(t, "assessment-scheme")
    with page.expect_navigation():
        page.locator("#open-round").click()
    t.settle()
    r = Round.objects.get()
    assert t.path() == f"/assessment/rounds/{r.pk}/"
    with page.expect_navigation():
        page.locator("#compute").click()
    t.settle()
    assert page.inner_text("#round-status").strip() == "已计分"
    t.charts_drawn(1)
    photo = tmp_path / "现场.png"
    photo.write_bytes(png())
    for e in r.entries.all():
        t.goto(f"/assessment/entries/{e.pk}/")
        form = page.locator("form.score-form").first
        form.locator("[name=points]").fill("36")
        form.locator("[name=photos]").set_input_files(str(photo))
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        t.settle()
        assert page.locator("a.evidence").count() == 1
    shoot(t, "assessment-entry-scored")
    t.goto(f"/assessment/rounds/{r.pk}/")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.locator("#publish").click()
    t.settle()
    assert page.inner_text("#round-status").strip() == "已公布"
    t.charts_drawn(1)
    shoot(t, "assessment-round")
    t.assert_clean("assessment round")


def test_community_sees_its_scores_and_figures_and_files_an_objection(world, new_tab):
    r = published_round(world)
    mine = r.entries.get(unit=world.a)
    phone = new_tab(PHONE)
    sign_in(phone, world.users["community_lead"], {})
    phone.goto("/assessment/mine/")
    assert world.a.display_name in phone.page.inner_text("#mine-table")
    assert world.b.display_name not in phone.page.inner_text("#mine-table")
    shoot(phone, "assessment-mine")
    with phone.page.expect_navigation():
        phone.page.locator("#mine-table a").first.click()
    phone.settle()
    assert phone.page.inner_text("#entry-total").strip() == str(mine.total)
    phone.page.locator("details.figure summary").first.click()
    figure = phone.page.inner_text("details.figure")
    assert "分母" in figure and "居民参与率" in figure
    form = phone.page.locator("#objection-form")
    form.locator("[name=score]").select_option(label="党群服务中心规范化")
    form.locator("[name=reason]").fill("台账已补齐，现场查看时未出示")
    with phone.page.expect_navigation():
        form.locator("button[type=submit]").click()
    phone.settle()
    o = Objection.objects.get()
    assert o.entry_id == mine.pk and o.score.item.label == "党群服务中心规范化"
    assert "待处理" in phone.page.inner_text("#objections")
    shoot(phone, "assessment-objection")
    phone.assert_clean("community's own assessment")
