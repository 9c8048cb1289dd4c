"""A community's own ledger imported in a real browser (system Chromium, Playwright) against
live_server: a community worker of 宁安 uploads the office-layout ledger on a phone, checks the
mapping step's guesses, leaves one column out, imports, and uploads next month's file, which the
saved mapping takes without questions. Screenshots of the mapping step and the previews land in
test-artifacts/screenshots/people-ledger-*.png.

Every page visited must come without console errors (CSP violations included), uncaught script
errors or failed requests; see conftest.Tab."""

import re

import pytest
from django.urls import reverse

from shequ.core.models import ImportBatch, ImportMapping, ImportStatus
from shequ.org.models import Building, BuildingUnit, House
from shequ.people.models import Resident
from tests.people import ledgers

from .conftest import PHONE, shoot, sign_in

MAPPING_NAME = "宁安人口台账（月报）"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- helpers ---------------------------------------------------------------------------------------
def _registry(grid, persons):
    """The houses of 幸福家园 in 宁安's house registry, as a community has them before its ledger
    is imported (so every row finds its house)."""
    units = {}
    for p in persons:
        if (p.building, p.unit) not in units:
            b, _ = Building.objects.get_or_create(grid=grid, compound=p.compound, number=p.building)
            units[(p.building, p.unit)], _ = BuildingUnit.objects.get_or_create(building=b, number=p.unit)
        House.objects.get_or_create(unit=units[(p.building, p.unit)], number=p.house)


def _upload(t, community: str, filename: str, data: bytes):
    """Upload a file on 导入居民 into `community`; returns when the batch page is reached."""
    t.goto(reverse("people:import"))
    t.page.locator("select[name=community]").select_option(community)
    t.page.set_input_files("input[name=file]", files=[{"name": filename, "mimeType": XLSX, "buffer": data}])
    with t.page.expect_navigation():
        t.page.locator("form:has(input[name=file]) button[type=submit]").click()
    t.settle()
    if not re.search(r"/imports/\d+/$", t.path()):
        refused = t.page.locator("main .invalid-feedback, main .alert-danger").all_inner_texts()
        pytest.fail(f"the upload was refused on {t.path()}: {refused}")


def _column_select(t, label: str):
    """The drop-down of the mapping step for the source column headed `label`."""
    return t.page.locator(f"#mapping-form [data-column='{label}'] select")


def _chosen(select) -> tuple[str, str]:
    """(value, text) of a select's chosen option."""
    return select.input_value(), select.locator("option:checked").inner_text().strip()


def _preview_ready(t):
    """Wait until the batch's status card (polled by htmx) shows the preview's counts."""
    t.page.locator("#import-status [data-count=new]").wait_for()
    t.page.locator("#commit-import").wait_for()
    t.settle()


def _counts(t) -> dict[str, int]:
    return {
        key: int(t.page.inner_text(f"#import-status [data-count={key}]").replace(",", "").strip() or 0)
        for key in ("new", "updated", "unchanged", "rejected", "conflict")
    }


def _notes(t) -> list[str]:
    return [n.strip() for n in t.page.locator("#import-notes li").all_inner_texts()]


def _commit(t):
    with t.page.expect_navigation():
        t.page.locator("#commit-import").click()
    t.settle()
    t.page.locator("#import-status .alert-success").wait_for()
    t.settle()
    assert "确认导入" in t.page.inner_text("#import-status .alert-success")


# A select's closed face shows its chosen option on one line: the text is measured in the select's
# own font against the room between its paddings (the caret sits in the right padding).
_CLIPPED = """sel => {
  const style = getComputedStyle(sel);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = style.font;
  const room = sel.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [...sel.options].filter(o => ctx.measureText(o.text).width > room + 0.5).map(o => o.text);
}"""


def _no_clipped_choices(t, form: str):
    """Every drop-down of `form` is wide enough for any of its options, so a choice is never cut."""
    clipped = {}
    for select in t.page.locator(f"{form} select").all():
        cut = select.evaluate(_CLIPPED)
        if cut:
            clipped[select.get_attribute("id")] = cut
    assert not clipped, f"options cut short on a phone: {clipped}"


def _no_sideways_scroll(t, where: str):
    width = t.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where} scrolls sideways on a phone ({width}px)"


# --- the scenario ---------------------------------------------------------------------------------
@pytest.mark.browser
def test_worker_maps_office_ledger_on_phone_then_next_month_takes_the_saved_mapping(world, new_tab):
    worker = world.users["community_worker"]  # 宁安's community worker
    everyone = ledgers.people(64)  # this month's 60, and four who moved in since
    this_month, next_month = ledgers.ledger(everyone[:60]), ledgers.ledger(everyone[60:])
    assert [e.person for e in this_month] == list(ledgers.people())
    _registry(world.grid_a, everyone)

    t = new_tab(PHONE)
    sign_in(t, worker, {})

    # The office ledger: its headers are not the template's, so the batch stops at the mapping step.
    filename, data = ledgers.office_xlsx(this_month)
    _upload(t, world.a.code, filename, data)
    t.page.locator("#mapping-form").wait_for()
    t.settle()
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportStatus.MAPPING
    assert not Resident.objects.exists(), "nothing is written before the mapping is confirmed"
    shown = t.page.locator("#mapping-form [data-column]").evaluate_all(
        "els => els.map(e => e.dataset.column)"
    )
    assert shown == ledgers.OFFICE_HEADERS, shown

    # The guesses are shown for the clerk to check.
    value, text = _chosen(_column_select(t, "人口类型"))
    assert value == "residence_type" and text.startswith("居住类型"), (value, text)
    value, text = _chosen(_column_select(t, "公民身份号码"))
    assert value == "doc_number" and text.startswith("证件号码"), (value, text)
    assert _chosen(_column_select(t, "序号")) == ("", "不导入")
    assert _chosen(_column_select(t, "备注"))[0] == "remarks"
    sample = t.page.inner_text("#mapping-form [data-column='公民身份号码'] .text-muted")
    assert "*" in sample and not re.search(r"\d{10}", sample), f"ID numbers must be masked: {sample}"
    # The clerks' spellings, each with its guessed reading.
    education = t.page.locator("#mapping-form [data-values=education]")
    dazhuan = education.locator(".list-group-item", has_text="“大专”")
    assert dazhuan.count() == 1, education.inner_text()
    assert _chosen(dazhuan.locator("select"))[1] == "大学专科"
    assert t.page.locator("#save-mapping").is_checked()
    assert "合计行" in t.page.inner_text("#mapping-step")
    shoot(t, "people-ledger-mapping-phone")
    _no_sideways_scroll(t, "the mapping step")
    _no_clipped_choices(t, "#mapping-form")
    t.assert_clean("mapping step")

    # One correction: 备注 is not imported. Saved for the community under a name.
    remarks = _column_select(t, "备注")
    remarks.select_option(label="不导入")
    assert _chosen(remarks) == ("", "不导入")
    t.page.locator("#save-as").fill(MAPPING_NAME)
    with t.page.expect_navigation():
        t.page.locator("#confirm-mapping").click()
    t.settle()
    _preview_ready(t)
    assert t.page.locator("#mapping-form").count() == 0
    assert _counts(t) == {"new": 60, "updated": 0, "unchanged": 0, "rejected": 0, "conflict": 0}, _counts(t)
    notes = _notes(t)
    joined = "\n".join(notes)
    assert any("“大专” → 大学专科" in n for n in notes), joined
    assert "未导入的列：序号、备注。" in notes, joined
    total_line = ledgers.line_of(filename, data, ledgers.TOTAL[0])
    assert any(re.match(rf"第 {total_line} 行是合计行.*已跳过", n) for n in notes), joined
    assert any("表尾" in n and "已跳过" in n for n in notes), joined
    assert t.page.locator("#remap").is_visible(), "the preview leads back to the mapping step"
    saved = ImportMapping.objects.get(name=MAPPING_NAME)
    assert saved.scope_code == world.a.code and saved.mapping["columns"]["备注"] == ""
    shoot(t, "people-ledger-preview-phone")
    _no_sideways_scroll(t, "the preview")
    t.assert_clean("preview")

    _commit(t)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    residents = {r.doc_number: r for r in Resident.objects.filter(community=world.a)}
    assert set(residents) == {e.person.id_number for e in this_month}
    assert len(residents) == 60
    some = next(e.person for e in this_month if e.person.education == "大学专科")
    assert residents[some.id_number].get_education_display() == "大学专科"
    t.assert_clean("first import committed")

    # Next month: a file with the same headers goes straight to the preview with the saved mapping.
    filename, data = ledgers.office_xlsx(next_month)
    _upload(t, world.a.code, "十二月" + filename, data)
    _preview_ready(t)
    assert t.page.locator("#mapping-form").count() == 0, "the saved mapping asks no questions"
    assert _counts(t) == {"new": 4, "updated": 0, "unchanged": 0, "rejected": 0, "conflict": 0}, _counts(t)
    notes = _notes(t)
    assert f"已套用本社区保存的映射“{MAPPING_NAME}”。" in notes, "\n".join(notes)
    assert "未导入的列：序号、备注。" in notes, "\n".join(notes)
    shoot(t, "people-ledger-saved-mapping-phone")
    _no_sideways_scroll(t, "the preview with the saved mapping")
    t.assert_clean("preview with the saved mapping")

    _commit(t)
    second = ImportBatch.objects.latest("pk")
    assert second.pk != batch.pk and second.status == ImportStatus.COMMITTED
    assert second.options["mapping_source"] == "saved" and second.options["mapping_name"] == MAPPING_NAME
    ids = set(Resident.objects.filter(community=world.a).values_list("pk", flat=True))
    assert len(ids) == 64
    assert {r.doc_number for r in Resident.objects.filter(community=world.a)} == {
        p.id_number for p in everyone
    }
    t.assert_clean("second import committed")
