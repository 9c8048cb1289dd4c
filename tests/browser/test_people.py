"""The resident registry in a real browser (system Chromium, Playwright) against live_server: the
issue's acceptance scenario for a grid worker on a phone (import a workbook with bad rows, read the
preview, download the error report, commit, find a resident, record a visit), and screenshots of
the registry's pages with the demo data, desktop and phone, into test-artifacts/screenshots/.

Every page visited must come without console errors (CSP violations included), uncaught script
errors or failed requests; see conftest.Tab."""

import datetime as dt
import io
import re
import struct
import zlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shequ.core.models import Attachment, ImportBatch, ImportStatus
from shequ.core.validators import id_check_char
from shequ.org import demo as org_demo
from shequ.org.models import Grid, House
from shequ.people.choices import Status
from shequ.people.models import Household, Resident, ResidentTag, TagDefinition, Visit
from tests.people.conftest import workbook

from .conftest import DESKTOP, PHONE

NINGAN = "420115001001"  # 宁安社区
FIRST_GRID = "420115001001001"  # 宁安社区第一网格, the demo grid worker grid_ningan's grid
PASSWORD = org_demo.DEMO_PASSWORD
# A surname the demo's generator never uses, so a search finds exactly the imported people.
SURNAME = "司马"
GIVEN = ["晓燕", "建国", "志强", "秀英", "海涛", "丽华", "文斌", "春梅"]


# --- helpers ---------------------------------------------------------------------------------------
def _id_number(n: int) -> str:
    first = f"420115{1950 + 7 * n}{1 + n:02d}{10 + n:02d}{n:03d}"
    return first + id_check_char(first)


def _wrong_check(number: str) -> str:
    return number[:-1] + next(c for c in "0123456789X" if c != number[-1])


def _empty_houses(grid_code: str, n: int) -> list[House]:
    houses = list(
        House.objects.filter(scope_code=grid_code, residents__isnull=True)
        .select_related("unit__building")
        .order_by("pk")[:n]
    )
    assert len(houses) == n, f"the demo grid {grid_code} should have {n} empty houses"
    return houses


def _import_rows(houses: list[House]) -> tuple[list[dict], dict[int, str]]:
    """Eight residents, one to a house of the grid; lines 4 and 7 (Excel numbering) are spoilt.
    Returns the rows and {line: what is wrong}."""
    rows = []
    for n, house in enumerate(houses):
        b = house.unit.building
        rows.append(
            {
                "姓名": SURNAME + GIVEN[n],
                "证件号码": _id_number(n),
                "居住类型": "户籍在住",
                "小区": b.compound,
                "楼栋": b.number,
                "单元": house.unit.number,
                "房号": house.number,
                "与户主关系": "户主",
                "联系电话": f"1390715{n:04d}",
                "人群标签": "独居老人" if n == 0 else None,
            }
        )
    rows[2]["证件号码"] = _wrong_check(rows[2]["证件号码"])  # line 4
    rows[5]["联系电话"] = "1390715-12"  # line 7: a phone cut short
    return [{k: v for k, v in r.items() if v is not None} for r in rows], {4: "证件号码", 7: "联系电话"}


def _png(width: int = 32, height: int = 24) -> bytes:
    """A small real PNG (a blue-green gradient), written without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(
        b"\x00" + b"".join(bytes((20, 8 * x % 256, 8 * y % 256)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _upload(t, rows: list[dict], filename: str, target: str):
    """Upload a workbook on 导入居民 into `target` (a community or grid code) and wait until the
    preview (polled by htmx) is ready."""
    t.goto(reverse("people:import"))
    assert "导入居民" in t.page.inner_text("main h1")
    select = t.page.locator("select[name=community]")
    offered = select.locator("option").evaluate_all("os => os.map(o => [o.value, o.textContent.trim()])")
    assert target in [v for v, _label in offered], (
        f"导入到 (select[name=community]) should offer {target}; it offers {offered}"
    )
    select.select_option(target)
    t.page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": filename,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": workbook(rows),
            }
        ],
    )
    with t.page.expect_navigation():
        t.page.locator("form:has(input[name=file]) button[type=submit]").click()
    t.settle()
    if not re.search(r"/imports/\d+/", t.path()):
        refused = t.page.locator("main .invalid-feedback, main .alert-danger").all_inner_texts()
        pytest.fail(f"the upload was refused on {t.path()}: {refused}")
    # The status card polls every second until the batch is checked; then the counts appear.
    t.page.locator("#import-status [data-count=new]").wait_for()
    t.settle()


def _counts(t) -> dict[str, int]:
    return {
        key: int(t.page.inner_text(f"#import-status [data-count={key}]").replace(",", "").strip() or 0)
        for key in ("new", "updated", "unchanged", "rejected", "conflict")
    }


def _no_sideways_scroll(t, where: str):
    width = t.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where} scrolls sideways on a phone ({width}px)"


def _wait_for_charts(t, n: int):
    t.charts_drawn(n)


# --- the acceptance scenario ------------------------------------------------------------------------
@pytest.mark.browser
def _search(t, text: str) -> None:
    """Type a search and press Enter, and wait until its answer is the page and no list request is
    left. Enter sends the list twice (the box's `change`, then the form's `submit`: htmx queues the
    second behind the first); a click on a result while the second is on its way cuts it off, a
    failed request the page reports. htmx marks an element with `htmx-request` while its request
    runs (the queued one starts in the same task the first one ends in)."""
    box = t.page.locator("#list-filter input[name=q]")
    box.fill(text)
    box.press("Enter")
    t.page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == [text])
    t.page.wait_for_function("() => !document.querySelector('.htmx-request')")
    t.settle()


def test_grid_worker_imports_on_phone_then_finds_and_visits_a_resident(demo_data, new_tab):
    grid = Grid.objects.get(code=FIRST_GRID)
    houses = _empty_houses(grid.code, 8)
    rows, bad = _import_rows(houses)
    today = timezone.localdate()

    t = new_tab(PHONE)
    t.login("grid_ningan", PASSWORD)
    assert t.path() == "/", "a grid worker needs no second factor"
    t.assert_clean("home")

    # 导入居民: upload, wait for the preview.
    _upload(t, rows, "宁安一网格居民.xlsx", grid.code)
    counts = _counts(t)
    assert counts == {"new": 6, "updated": 0, "unchanged": 0, "rejected": 2, "conflict": 0}, counts
    errors = t.page.locator("#import-status table tbody tr")
    assert errors.count() == 2
    by_line = {}
    for i in range(2):
        cells = errors.nth(i).locator("td")
        by_line[int(cells.nth(0).inner_text())] = (cells.nth(1).inner_text(), cells.nth(2).inner_text())
    assert sorted(by_line) == sorted(bad), by_line
    assert by_line[4][0] == SURNAME + GIVEN[2] and "校验" in by_line[4][1], by_line[4]
    assert by_line[7][0] == SURNAME + GIVEN[5] and "电话" in by_line[7][1], by_line[7]
    assert "2 行未通过校验" in t.page.inner_text("#import-status")
    t.screenshot("people-import-preview-phone")
    _no_sideways_scroll(t, "the import preview")
    t.assert_clean("import preview")

    # The error report: an xlsx of exactly the two refused lines, with the reason.
    with t.page.expect_download() as dl:
        t.page.locator("#download-errors").click()
    download = dl.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    content = Path(download.path()).read_bytes()
    assert content[:2] == b"PK", "an xlsx is a zip file"
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    header, body = sheet[0], [r for r in sheet[1:] if any(str(c).strip() for c in r)]
    assert header[0] == "原行号" and header[-1] == "错误原因", header
    data = [r for r in body if str(r[0]).strip().isdigit() or isinstance(r[0], (int, float))]
    assert [int(r[0]) for r in data] == sorted(bad), data
    name_col = header.index("姓名")
    assert [r[name_col] for r in data] == [SURNAME + GIVEN[2], SURNAME + GIVEN[5]]
    assert all(str(r[-1]).strip() for r in data), "every refused line says why"
    extra = [r for r in body if r not in data]
    assert len(extra) <= 1, f"only the closing note may follow the refused lines: {extra}"
    t.assert_clean("error report download")

    # 确认导入, importing the valid rows.
    assert t.page.locator("#mode-valid").is_checked()
    assert "导入有效的 6 行" in t.page.inner_text("label[for=mode-valid]")
    with t.page.expect_navigation():
        t.page.locator("#commit-import").click()
    t.settle()
    t.page.locator("#import-status .alert-success").wait_for()
    assert "确认导入" in t.page.inner_text("#import-status .alert-success")
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportStatus.COMMITTED
    assert Resident.objects.filter(name__startswith=SURNAME).count() == 6
    assert not Resident.objects.filter(name__in=[SURNAME + GIVEN[2], SURNAME + GIVEN[5]]).exists()
    t.assert_clean("import committed")

    # The resident list finds the imported people by a name fragment; a phone shows cards.
    t.goto(reverse("people:resident-list"))
    _search(t, SURNAME)
    cards = t.page.locator("#list-table ul.d-md-none > li")
    t.page.wait_for_function(
        "s => [...document.querySelectorAll('#list-table ul.d-md-none > li a')].length > 0 && "
        "[...document.querySelectorAll('#list-table ul.d-md-none > li a')].every(a => a.textContent.includes(s))",
        arg=SURNAME,
    )
    t.settle()
    assert cards.count() == 6
    assert t.page.locator("#list-table table").is_hidden(), "a phone shows cards, not the table"
    first = Resident.objects.get(name=SURNAME + GIVEN[0])
    assert first.next_visit_due is not None, "独居老人 asks for a visit every 7 days"
    t.assert_clean("resident search (imported)")

    # A demo resident of the grid who is overdue for a visit: found by a fragment of the name.
    target = (
        Resident.objects.filter(
            scope_code__startswith=grid.code, status=Status.ACTIVE, next_visit_due__lt=today
        )
        .exclude(name__startswith=SURNAME)
        .order_by("next_visit_due", "pk")
        .first()
    )
    assert target is not None, "the demo grid should have someone overdue for a visit"
    due_before, interval = target.next_visit_due, target.visit_interval_days
    fragment = target.name[1:] if len(target.name) > 2 else target.name
    _search(t, fragment)
    link = t.page.locator(f"#list-table ul.d-md-none a[href='{target.get_absolute_url()}']")
    link.wait_for()
    t.settle()
    with t.page.expect_navigation():
        link.click()
    t.settle()
    assert t.path() == target.get_absolute_url()
    assert target.name in t.page.inner_text("main h1")
    _no_sideways_scroll(t, "the resident page")
    t.assert_clean("resident page")

    # 登记走访: 入户, findings, a photo; saving lands on the visits-due list with 已保存.
    with t.page.expect_navigation():
        t.page.locator("main a", has_text="登记走访").click()
    t.settle()
    assert t.path() == reverse("people:visit-create", args=[target.pk])
    t.page.locator("input[name=method][value=home]").check()
    findings = "入户走访，老人身体状况良好，家中燃气阀门已检查。"
    t.page.locator("textarea[name=findings]").fill(findings)
    t.page.set_input_files(
        "input[name=photos]", files=[{"name": "走访.png", "mimeType": "image/png", "buffer": _png()}]
    )
    t.screenshot("people-visit-form-phone")
    _no_sideways_scroll(t, "the visit form")
    with t.page.expect_navigation(url=re.compile(r"/people/visits/due/")):
        t.page.locator("#main-form button[type=submit]").click()
    t.settle()
    assert t.path() == reverse("people:visits-due") + f"?saved={target.pk}"
    saved = t.page.locator("main .alert-success")
    assert "已保存" in saved.inner_text() and target.name in saved.inner_text()
    t.screenshot("people-visits-due-saved-phone")
    _no_sideways_scroll(t, "the visits-due list")
    t.assert_clean("visits due after saving")

    visit = Visit.objects.filter(resident=target).latest("pk")
    assert visit.method == "home" and visit.findings == findings
    assert visit.visitor.username == "grid_ningan"
    photos = Attachment.objects.filter(owner_id=str(visit.pk))
    assert [p.name for p in photos] == ["走访.png"]
    target.refresh_from_db()
    assert target.last_visit_on == today
    if interval:
        assert target.next_visit_due == today + dt.timedelta(days=interval)
        assert target.next_visit_due != due_before, "the visit moves the next due date"


# --- screenshots --------------------------------------------------------------------------------
def _showcase_resident() -> Resident:
    """A 宁安 resident with a household of several people, current ordinary tags and visits."""
    ordinary = {"living_alone", "empty_nest", "youfu", "veteran", "unemployed"}
    keys = {t.key for t in TagDefinition.objects.filter(code__in=ordinary)}
    candidates = (
        Resident.objects.filter(community__code=NINGAN, status=Status.ACTIVE, household__isnull=False)
        .annotate(n_visits=Count("visits", distinct=True))
        .filter(n_visits__gte=2)
        .order_by("-n_visits", "pk")
    )
    for r in candidates[:300]:
        if Resident.objects.filter(household=r.household_id).count() < 2:
            continue
        if ResidentTag.objects.current().filter(resident=r, tag_key__in=keys).exists():
            return r
    r = candidates.first()
    assert r is not None, "the demo should have residents with visits"
    return r


@pytest.mark.browser
def test_screenshots(demo_data, new_tab):
    """Screenshots of the registry's pages with the demo data (people-*.png)."""
    resident = _showcase_resident()
    household = Household.objects.get(pk=resident.household_id)

    # Desktop, the community worker of 宁安.
    t = new_tab(DESKTOP)
    t.login("worker_ningan", PASSWORD)
    assert t.path() == "/"
    t.goto(reverse("people:resident-list"))
    assert t.page.locator("#list-table table tbody tr").count() >= 20
    assert t.page.locator("#list-table ul.d-md-none").is_hidden()
    t.screenshot("people-resident-list-desktop")
    t.assert_clean("resident list")

    t.goto(resident.get_absolute_url())
    assert resident.name in t.page.inner_text("main h1")
    assert t.page.locator("#visits li").count() >= 2
    assert t.page.locator("#tags .badge").count() >= 1
    t.screenshot("people-resident-desktop")
    t.assert_clean("resident page")

    t.goto(reverse("people:household-detail", args=[household.pk]))
    t.screenshot("people-household-desktop")
    t.assert_clean("household page")

    t.goto(reverse("people:house-detail", args=[resident.house_id]))
    t.screenshot("people-house-desktop")
    t.assert_clean("house page")

    t.goto(reverse("people:structure"))
    _wait_for_charts(t, 3)
    for i in range(3):
        box = t.page.locator("[data-chart]").nth(i).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 200, f"chart {i} is drawn too small: {box}"
    t.screenshot("people-structure-desktop")
    t.assert_clean("structure charts")

    # A desktop import preview with errors, for comparison with the phone one.
    houses = _empty_houses(FIRST_GRID, 8)
    rows, _bad = _import_rows(houses)
    _upload(t, rows, "宁安社区居民.xlsx", NINGAN)
    assert _counts(t)["rejected"] == 2
    t.screenshot("people-import-preview-desktop")
    t.assert_clean("import preview (desktop)")

    # Phone, the grid worker of 宁安第一网格.
    phone = new_tab(PHONE)
    phone.login("grid_ningan", PASSWORD)
    assert phone.path() == "/"
    phone.goto(reverse("people:resident-list"))
    assert phone.page.locator("#list-table ul.d-md-none > li").count() >= 10
    phone.screenshot("people-resident-list-phone")
    _no_sideways_scroll(phone, "the resident list")
    phone.assert_clean("resident list (phone)")

    phone.goto(reverse("people:visits-due") + "?days=30")
    assert phone.page.locator("main .list-group-item").count() >= 1
    phone.screenshot("people-visits-due-phone")
    _no_sideways_scroll(phone, "the visits-due list")
    phone.assert_clean("visits due (phone)")

    grid_resident = (
        Resident.objects.filter(scope_code__startswith=FIRST_GRID, status=Status.ACTIVE)
        .filter(Q(visits__isnull=False))
        .order_by("pk")
        .first()
    )
    phone.goto(grid_resident.get_absolute_url())
    phone.screenshot("people-resident-phone")
    _no_sideways_scroll(phone, "the resident page")
    phone.assert_clean("resident page (phone)")

    phone.goto(reverse("people:structure"))
    _wait_for_charts(phone, 3)
    phone.screenshot("people-structure-phone")
    _no_sideways_scroll(phone, "the structure charts")
    phone.assert_clean("structure charts (phone)")
