import io

import openpyxl
import pytest

from shequ.core.errors import Forbidden, ValidationFailed
from shequ.reportforms import samples, services
from shequ.reportforms.models import ManualValue, ReportFill
from tests.reportforms.factories import RATE
from tests.reportforms.factories import make_street_form as make_form

pytestmark = pytest.mark.django_db


def _book(fill):
    return openpyxl.load_workbook(io.BytesIO(bytes(fill.content)))


def test_fill_keeps_the_layout_and_traces_every_cell(world):
    form = make_form(world)
    street = world.users["street"]
    services.bind(street, form, sheet="月报表", cell="C5", end_cell="C12", kind="range", indicator=RATE,
                  field="numerator", breakdown="community", label_cell="B5")  # fmt: skip
    out = services.fill(street, form, world.street.code, "2026-07")
    wb = _book(out)
    ws = wb["月报表"]
    assert ws["A1"].value == "街道社区治理工作月报表"
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A1:F1", "C3:E3", "A13:B13"}
    assert ws.column_dimensions["B"].width == 22
    assert ws["A1"].font.b and ws["C3"].fill.fgColor.rgb.endswith("D9E1F2")
    assert ws["B5"].value == world.a.name and ws["B6"].value == world.b.name
    assert ws["C5"].value == 0 and ws["C7"].value is None
    assert wb[services.TRACE_SHEET].sheet_state == "hidden"
    cells = {t["cell"] for t in out.trace}
    assert {"E13", "C5", "C6"} <= cells
    t = next(t for t in out.trace if t["cell"] == "C5")
    assert t["indicator"] == RATE and t["scope"] == world.a.code and t["source"] == "实时计算"
    assert out.source == "live"


def test_manual_values_are_kept_and_reused_next_period(world):
    form = make_form(world)
    lead = world.users["community_lead"]
    b = form.bindings.get(kind="manual")
    services.enter_manual(lead, form, world.a.code, "2026-06", {b.pk: "3"})
    out = services.fill(lead, form, world.a.code, "2026-07")
    assert _book(out)["月报表"][b.cell].value == 3
    t = next(t for t in out.trace if t["cell"] == b.cell)
    assert "2026-06" in t["note"]
    services.enter_manual(lead, form, world.a.code, "2026-07", {b.pk: "5"})
    assert _book(services.fill(lead, form, world.a.code, "2026-07"))["月报表"][b.cell].value == 5
    assert ManualValue.objects.filter(binding=b).count() == 2


def test_manual_value_outside_scope_is_not_found(world):
    form = make_form(world)
    b = form.bindings.get(kind="manual")
    from shequ.core.errors import NotFound

    with pytest.raises(NotFound):
        services.enter_manual(world.users["community_lead"], form, world.b.code, "2026-07", {b.pk: "1"})


def test_binding_to_unknown_indicator_is_refused_with_the_reason(world):
    form = make_form(world, bound=False)
    with pytest.raises(ValidationFailed) as exc:
        services.bind(world.users["street"], form, sheet="月报表", cell="E13", indicator="cases.nonexistent")
    assert "不存在" in exc.value.message and exc.value.code == "unknown_indicator"


def test_binding_refused_where_indicator_does_not_apply(world, monkeypatch):
    from shequ.core import registry

    ind = registry.indicator(RATE)
    monkeypatch.setitem(registry._indicators, "test.community_only",
                        registry.Indicator("test.community_only", "只算社区", "%", "x", ind.perm, ind.compute,
                                           scopes=("community",)))  # fmt: skip
    form = make_form(world, bound=False)
    with pytest.raises(ValidationFailed) as exc:
        services.bind(
            world.users["street"], form, sheet="月报表", cell="E13", indicator="test.community_only"
        )
    assert exc.value.code == "indicator_scope" and "街道" in exc.value.message


def test_range_must_be_one_row_or_column_and_needs_a_breakdown(world):
    form = make_form(world, bound=False)
    street = world.users["street"]
    with pytest.raises(ValidationFailed, match="同一行或同一列"):
        services.bind(street, form, sheet="月报表", cell="C5", end_cell="D6", kind="range", indicator=RATE,
                      breakdown="community")  # fmt: skip
    with pytest.raises(ValidationFailed, match="分项"):
        services.bind(street, form, sheet="月报表", cell="C5", end_cell="C12", kind="range", indicator=RATE)
    with pytest.raises(ValidationFailed, match="没有「category」分类"):
        services.bind(street, form, sheet="月报表", cell="C5", end_cell="C12", kind="range", indicator=RATE,
                      breakdown="by", by_key="category")  # fmt: skip


def test_cell_inside_a_merged_block_binds_its_top_left(world):
    form = make_form(world, bound=False)
    b = services.bind(world.users["street"], form, sheet="月报表", cell="F16", indicator=RATE)
    assert b.cell == "D16"


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("a.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 600, "另存为"),
        ("a.pdf", b"%PDF-1.4\n" + b"x" * 100, "不是 Excel"),
        ("a.xlsx", b"", "空的"),
        ("a.xlsx", b"PK\x03\x04garbage", "无法作为 Excel"),
    ],
)
def test_a_wrong_file_is_refused_in_chinese(world, name, data, words):
    with pytest.raises(ValidationFailed) as exc:
        services.create_form(world.users["street"], org_code=world.street.code, name="错表", asked_by="区民政局",
                             filename=name, data=data)  # fmt: skip
    assert words in exc.value.message


def test_a_docx_is_not_a_workbook(world):
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(ValidationFailed, match="不是 Excel 工作簿"):
        services.create_form(world.users["street"], org_code=world.street.code, name="错表", asked_by="区民政局",
                             filename="a.xlsx", data=buf.getvalue())  # fmt: skip


def test_only_the_street_and_above_bind(world):
    form = make_form(world, bound=False)
    with pytest.raises(Forbidden):
        services.bind(world.users["community_lead"], form, sheet="月报表", cell="E13", indicator=RATE)


def test_community_fills_the_streets_form_for_itself_only(world):
    form = make_form(world)
    lead = world.users["community_lead"]
    out = services.fill(lead, form, world.a.code, "2026-07")
    assert out.scope_code == world.a.code
    from shequ.core.errors import NotFound

    with pytest.raises(NotFound):
        services.fill(lead, form, world.b.code, "2026-07")
    assert ReportFill.objects.visible_to(world.users["community_worker_b"]).count() == 0


def test_snapshots_are_used_and_said_so(world):
    import datetime as dt

    from shequ.core import indicators

    form = make_form(world)
    street = world.users["street"]
    indicators.take_snapshots(street, RATE, [world.street.code], dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    out = services.fill(street, form, world.street.code, "2026-07")
    t = next(t for t in out.trace if t["cell"] == "E13")
    assert t["snapshot"] and t["source"].startswith("快照")
    assert out.source == "snapshot"
    live = services.fill(street, form, world.street.code, "2026-07", from_snapshots=False)
    assert live.source == "live"


def test_register_counts_forms_and_platform_ledgers(world):
    make_form(world)
    services.create_form(world.users["street"], org_code=world.street.code, name="安全生产检查表",
                         asked_by="区应急局", kind="form")  # fmt: skip
    reg = services.register(world.users["street"])
    assert reg["counts"]["form"] == {"total": 2, "generated": 1, "typed": 1}
    names = {r["name"] for r in reg["rows"] if r["platform"]}
    assert {"人口台账", "特殊人群台账", "走访台账", "诉求台账", "准入事项台账"} <= names


@pytest.mark.parametrize("key", ["people.residents", "people.special_groups", "people.visits",
                                 "cases.requests", "duties.admitted_tasks"])  # fmt: skip
def test_platform_ledgers_print(world, key):
    out = services.fill_ledger(world.users["community_lead"], key, world.a.code, "2026-07")
    wb = openpyxl.load_workbook(io.BytesIO(bytes(out.content)))
    assert wb.active.max_column >= 1
    assert out.trace[0]["scope"] == world.a.code


def test_sample_layout_is_what_it_says():
    ws = openpyxl.load_workbook(io.BytesIO(samples.street_monthly_form())).active
    lay = samples.layout()
    assert ws[f"A{lay['total']}"].value == "合计"
    assert ws["A15"].value == "本月居民参与率（%）"


def test_the_burden_ledger_shows_the_measured_counts(world):
    from shequ.duties import burden

    make_form(world)
    data = burden.ledger(world.users["street"], world.street.code)
    assert data["measured"]["forms"] == {"total": 1, "generated": 1, "typed": 0}
    assert data["measured"]["ledgers"]["generated"] == data["measured"]["ledgers"]["total"] >= 5
    page = world.client(world.users["street"]).get("/duties/burden/", {"code": world.street.code})
    assert "报表台账登记实测" in page.content.decode()
