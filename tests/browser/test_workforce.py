"""The workforce module in a real browser (system Chromium, Playwright) against live_server: a
community lead enters a worker through the form (a wrong ID number is refused with its reason)
and records another's exit; a street manager opens the workforce overview, reads the staffing gap
and exports the structure table, whose figures equal the page's. Screenshots land in
test-artifacts/screenshots/workforce-*.png."""

import datetime as dt
import io
from pathlib import Path

from python_calamine import CalamineWorkbook

from shequ.workforce import services
from shequ.workforce.models import Status, Worker
from tests.workforce.factories import id_number, make_worker

from .conftest import shoot, sign_in


def test_lead_enters_and_records_exit_street_reads_the_gap_and_exports(world, new_tab):
    users, secrets = world.users, {}
    for k in range(6):
        make_worker(world, "a", hired=dt.date(2012 + k, 3, 1), female=k % 2 == 0)
    leaving = make_worker(world, "a", name="陈晓", hired=dt.date(2021, 5, 1))
    services.set_population(
        users["street"], world.a.code, year=dt.date.today().year, residents=8920, source="统计年报"
    )

    lead = new_tab()
    sign_in(lead, users["community_lead"], secrets)
    lead.goto("/workforce/workers/new/")
    form = lead.page.locator("form:has([name=hired_on])")
    form.locator("[name=name]").fill("刘芳")
    form.locator("[name=id_number]").fill("42011519900101123X")  # wrong check character
    form.locator("[name=education]").select_option("bachelor")
    form.locator("[name=source]").select_option("hired")
    form.locator("[name=hired_on]").fill("2020-09-01")
    form.locator("button[type=submit]").click()  # htmx posts it: the form comes back with the reason
    lead.page.get_by_text("校验位错误").first.wait_for()
    assert [p for p in lead.take_problems() if "400 for xhr POST" not in p] == []
    form = lead.page.locator("form:has([name=hired_on])")
    form.locator("[name=id_number]").fill(id_number(dt.date(1990, 1, 1), female=True))
    with lead.page.expect_navigation():
        form.locator("button[type=submit]").click()
    lead.settle()
    added = Worker.objects.get(name="刘芳")
    assert lead.path() == f"/workforce/workers/{added.pk}/" and added.gender == "female"
    shoot(lead, "workforce-worker")
    lead.goto(f"/workforce/workers/{leaving.pk}/exit/")
    lead.submit("form:has([name=reason])", {"on": "2025-06-30", "interview": "收入偏低，去了企业"})
    leaving.refresh_from_db()
    assert leaving.status == Status.LEFT and leaving.left_on == dt.date(2025, 6, 30)
    assert "收入偏低" in lead.page.inner_text("main")  # the lead reads the exit interview
    # A training: created, two workers signed in on its page.
    lead.goto("/workforce/trainings/new/")
    form = lead.page.locator("form:has([name=days])")
    form.locator("[name=title]").fill("社区工作者岗中培训")
    form.locator("[name=organiser]").select_option("civil_affairs")
    form.locator("[name=kind]").select_option("in_service")
    form.locator("[name=start]").fill(dt.date.today().replace(day=1).isoformat())
    form.locator("[name=end]").fill(dt.date.today().replace(day=2).isoformat())
    form.locator("[name=days]").fill("2")
    with lead.page.expect_navigation():
        form.locator("button[type=submit]").click()
    lead.settle()
    for _i in range(2):
        with lead.page.expect_navigation():
            lead.page.locator("#sign-in-form button[type=submit]").click()
        lead.settle()
    assert lead.page.locator("#attendance tbody tr").count() == 2
    shoot(lead, "workforce-training")
    lead.goto("/workforce/workers/")
    assert "刘芳" in lead.page.inner_text("#list-table")
    shoot(lead, "workforce-list")
    lead.goto("/workforce/workers/import/")
    assert lead.page.locator("#download-template").count() == 1
    shoot(lead, "workforce-import")
    lead.assert_clean("the lead's roster")

    street = new_tab()
    sign_in(street, users["street"], secrets)
    street.goto(f"/workforce/?scope={world.street.code}")
    street.charts_drawn(6)
    assert street.page.inner_text("#staffing-gap").strip() == "10"  # 17 required, 7 in post
    shoot(street, "workforce-overview")
    with street.page.expect_download() as dl:
        street.page.get_by_role("link", name="导出队伍结构表").click()
    content = io.BytesIO(Path(dl.value.path()).read_bytes())
    rows = CalamineWorkbook.from_filelike(content).get_sheet_by_index(0).to_python()
    gender = next(i for i, r in enumerate(rows) if r and r[0] == "性别")
    assert [r[:2] for r in rows[gender + 1 : gender + 3]] == [["男", 3.0], ["女", 4.0]]
    street.goto("/workforce/staffing/")
    assert "8920" in street.page.inner_text("#staffing-table").replace(",", "")
    shoot(street, "workforce-staffing")
    street.goto("/workforce/sections/new/")
    street.page.fill("#id_name", "社区建设办公室")
    street.page.fill("#id_established", "6")
    street.page.fill("#id_actual", "7")
    street.page.get_by_role("button", name="保存").click()
    street.page.wait_for_selector("#sections-table")
    assert "-1" in street.page.inner_text("#sections-table")  # 超编 one
    shoot(street, "workforce-sections")
    street.assert_clean("the street's overview")
