"""一表通 in a real browser (system Chromium, Playwright) against live_server: the street's clerk
uploads an upper level's monthly report form, binds its cells on the sheet's picture (a single cell,
a column broken down by community with the names beside it, a merged cell left for manual entry),
types the manual value, fills the form for the street and downloads it; the downloaded workbook is
read back with openpyxl. Screenshots land in test-artifacts/screenshots/reportforms-*.png."""

import datetime as dt
import io
from pathlib import Path

import openpyxl

from shequ.core import indicators
from shequ.reportforms import samples
from shequ.reportforms.models import ReportBinding, ReportForm
from tests.people.factories import make_resident

from .conftest import shoot, sign_in

RATE = "participation.participation_rate"
PERIOD = "2026-07"


def _bind(t, clicks, indicator="", breakdown="", field="value", kind=None, label=""):
    for coord, modifiers in clicks:
        t.page.locator(f'#rf-grid td[data-cell="{coord}"]').click(modifiers=modifiers)
    if indicator:
        with t.page.expect_response(lambda r: "/reportforms/breakdowns/" in r.url):
            t.page.select_option("#rf-indicator", indicator)
    if breakdown:
        t.page.select_option("#rf-breakdown", breakdown)
    t.page.select_option("#rf-field", field)
    if kind:
        t.page.select_option("#rf-kind", kind)
    if label:
        t.page.fill("#rf-label", label)
    with t.page.expect_response(lambda r: "/bind/" in r.url and r.request.method == "POST") as resp:
        t.page.click("#rf-bind-submit")
    assert resp.value.status == 200, resp.value.text()[:400]
    t.settle()


def test_clerk_uploads_binds_and_downloads_a_filled_form(world, new_tab, tmp_path):
    for side in ("a", "a", "a", "b", "b"):
        make_resident(world, side, birth_date=dt.date(1980, 5, 1))
    t = new_tab()
    sign_in(t, world.users["street"], {})
    t.goto("/reportforms/upload/")
    form = t.page.locator("#rf-upload")
    form.locator("[name=name]").fill("街道社区治理工作月报表")
    form.locator("[name=asked_by]").fill("区委社会工作部")
    form.locator("[name=org]").select_option(world.street.code)
    form.locator("#rf-level-street").check()
    path = tmp_path / "月报表.xlsx"
    path.write_bytes(samples.street_monthly_form())
    form.locator("[name=template]").set_input_files(str(path))
    shoot(t, "reportforms-upload")
    with t.page.expect_navigation():
        t.page.click("#rf-upload-submit")
    t.settle()
    rf = ReportForm.objects.get()
    assert t.path() == f"/reportforms/{rf.pk}/"
    assert t.page.locator('#rf-grid td[data-cell="A1"]').get_attribute("colspan") == "6"

    _bind(t, [("E13", [])], indicator=RATE)
    _bind(t, [("C5", []), ("C12", ["Shift"]), ("B5", ["Alt"])], indicator=RATE, breakdown="community",
          field="numerator")  # fmt: skip
    _bind(t, [("D16", [])], kind="manual", label="本月开展议事协商（次）")
    assert "rf-bound" in t.page.locator('#rf-grid td[data-cell="C7"]').get_attribute("class")
    assert "rf-manual" in t.page.locator('#rf-grid td[data-cell="D16"]').get_attribute("class")
    bound = {(b.cell, b.end_cell, b.kind, b.label_cell) for b in ReportBinding.objects.filter(form=rf)}
    assert bound == {("E13", "", "value", ""), ("C5", "C12", "range", "B5"), ("D16", "", "manual", "")}
    # A binding the catalogue refuses says why, and nothing is saved.
    t.page.locator('#rf-grid td[data-cell="E12"]').click()
    t.page.select_option("#rf-kind", "range")
    t.page.fill("#rf-end", "F13")
    with t.page.expect_response(lambda r: "/bind/" in r.url):
        t.page.click("#rf-bind-submit")
    t.settle()
    assert "同一行或同一列" in t.page.inner_text("#rf-bind-error")
    assert ReportBinding.objects.filter(form=rf).count() == 3
    refused = t.take_problems()  # the refusal is a 400 the workspace shows, nothing else went wrong
    assert refused and all("/bind/" in p and "400" in p for p in refused), refused
    shoot(t, "reportforms-bind")

    t.goto(f"/reportforms/{rf.pk}/manual/?code={world.street.code}&period={PERIOD}")
    manual = ReportBinding.objects.get(form=rf, kind="manual")
    t.page.fill(f"#rf-b-{manual.pk}", "12")
    with t.page.expect_navigation():
        t.page.click("#rf-manual-form button")
    t.settle()
    assert t.page.locator("#rf-manual-saved").is_visible()
    shoot(t, "reportforms-manual")

    t.goto(f"/reportforms/{rf.pk}/")
    t.page.select_option("#rf-fill-code", world.street.code)
    t.page.fill("#rf-fill-period", PERIOD)
    with t.page.expect_navigation():
        t.page.click("#rf-fill-submit")
    t.settle()
    assert "实时计算" in t.page.inner_text("#rf-source")
    assert t.page.locator("#rf-trace tbody tr").count() == 4  # E13, C5, C6, D16
    shoot(t, "reportforms-fill")
    with t.page.expect_download() as dl:
        t.page.click("#rf-download")
    wb = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
    ws = wb["月报表"]
    start, end = dt.date(2026, 7, 1), dt.date(2026, 7, 31)
    street = indicators.evaluate(world.users["street"], RATE, world.street.code, start, end)
    per = indicators.evaluate_many(world.users["street"], RATE, [world.a.code, world.b.code], start, end)
    assert ws["E13"].value == street["value"]
    assert street["denominator"] == 5
    assert [ws["B5"].value, ws["B6"].value, ws["B7"].value] == [world.a.name, world.b.name, None]
    assert [ws["C5"].value, ws["C6"].value] == [
        per[world.a.code]["numerator"],
        per[world.b.code]["numerator"],
    ]
    assert ws["D16"].value == 12
    assert ws["A1"].value == "街道社区治理工作月报表"
    assert {"A1:F1", "C3:E3", "D16:F16"} <= {str(r) for r in ws.merged_cells.ranges}
    assert ws.column_dimensions["B"].width == 22
    assert wb["取数说明"].sheet_state == "hidden"
    t.goto(f"/reportforms/indicators/{RATE}/")
    shoot(t, "reportforms-indicator")
    t.goto("/reportforms/")
    assert t.page.inner_text("#count-forms").strip() == "1"
    shoot(t, "reportforms-register")
    t.assert_clean("reportforms")
