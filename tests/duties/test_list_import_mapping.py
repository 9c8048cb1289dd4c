"""The duty-list import reads a published document as it was printed: title row, its own column
names, short kind names, a 合计 row and a signature footer. Its columns are confirmed once in the
import page (the core mapping step), saved for the district, and the next file with the same
headers goes straight to the preview; the platform's own export never asks."""

import io

import pytest
import xlsxwriter
from django.urls import reverse
from django.utils import timezone

from shequ.core.models import ImportMapping
from shequ.duties import importer, services
from shequ.duties.models import Kind
from shequ.duties.views.lists import IMPORT_SESSION_KEY
from tests.duties.test_lists import draft, upload, workbook

pytestmark = pytest.mark.django_db

DOC_HEADERS = ["序号", "编号", "事项名称", "清单类别", "设定依据", "责任单位", "备注"]
DOC_ROWS = [
    [1, "YF-01", "调解民间纠纷", "依法履职", "居委会组织法", "区司法局", ""],
    [2, "XZ-01", "协助开展老年人能力评估", "协助", "养老服务条例", "区民政局", ""],
    [3, "XZ-02", "协助开展征兵宣传", "协助办理", "兵役法", "区人武部", "每年"],
    [4, "FM-01", "招商引资", "负面", "区负面清单", "区商务局", ""],
    [5, "FM-02", "安全生产检查", "负面", "区负面清单", "区应急管理局", ""],
    [6, "ZM-01", "居住情况证明", "证明", "民发〔2020〕94号", "", ""],
]


def published(rows=DOC_ROWS) -> bytes:
    """A list as a district prints it: a merged title row, its own headers, a 合计 row, a footer."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("附件1")
    ws.merge_range(0, 0, 0, len(DOC_HEADERS) - 1, "江夏区社区工作事项清单（2026年版）")
    ws.write_row(1, 0, DOC_HEADERS)
    for n, r in enumerate(rows, start=2):
        ws.write_row(n, 0, r)
    end = 2 + len(rows)
    ws.write_row(end, 0, ["合计", "", f"共 {len(rows)} 项"])
    ws.write_row(end + 1, 0, ["填表人：李明", "", "审核人：王芳"])
    wb.close()
    return buf.getvalue()


def mapping_form(layout, **choices) -> dict:
    """The mapping step's form as the page proposes it, with `choices` (source header → field)."""
    form = {"step": "mapping"}
    for c in layout["columns"]:
        form[f"col-{c['index']}"] = choices.get(c["label"], c["field"])
    for fkey, items in layout["values"].items():
        for n, item in enumerate(items):
            form[f"val-{fkey}-{n}"] = choices.get(item["value"], item["label"])
    return form


def test_published_document_is_mapped_saved_previewed_and_reused(world):
    d = draft(world)
    before = sorted(d.items.values_list("code", flat=True))
    c = world.client(world.users["district"])
    url = reverse("duties:list-import", args=[d.pk])

    resp = c.post(url, {"step": "upload", "file": upload(published(), "江夏区清单.xlsx")})
    assert resp.status_code == 200
    page = resp.content.decode()
    assert 'id="mapping-form"' in page and "import-confirm" not in page
    assert f'action="{url}"' in page and "保存为本单位的映射" in page
    layout = c.session[IMPORT_SESSION_KEY]["layout"]
    by_label = {col["label"]: col for col in layout["columns"]}
    # The shipped synonyms' guess, for the clerk to check.
    assert by_label["编号"]["field"] == "code"
    assert by_label["清单类别"]["field"] == "kind"
    assert by_label["设定依据"]["field"] == "basis"
    assert by_label["责任单位"]["field"] == "department"
    assert by_label["序号"]["field"] == "" and by_label["备注"]["field"] == ""
    values = {v["value"]: v for v in layout["values"]["kind"]}
    assert values["负面"]["label"] == "负面清单事项" and values["负面"]["rows"] == 2
    assert values["协助办理"]["label"] == ""  # nothing reads it: the clerk says what it means
    assert "协助办理" in page and "不转换（该行列为错误）" in page

    form = mapping_form(layout, 协助办理="协助政府工作事项")
    form.update({"save": "1", "save_as": "江夏区清单印发格式"})
    resp = c.post(url, form)
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "import-confirm" in page and "无误 6 行" in page
    for note in (
        "清单类别：“负面” → 负面清单事项：2 行",
        "清单类别：“协助办理” → 协助政府工作事项：1 行",
        "清单类别：“依法履职” → 依法履行职责事项：1 行",
        "未导入的列：序号、备注",
        "第 9 行是合计行",
        "第 10 行是表尾",
    ):
        assert note in page, note
    saved = ImportMapping.objects.get(kind="duties.items", name="江夏区清单印发格式")
    assert saved.scope_code == world.district.code
    assert saved.mapping["columns"]["清单类别"] == "kind" and saved.mapping["columns"]["备注"] == ""
    assert saved.mapping["values"]["kind"]["协助办理"] == "协助政府工作事项"
    assert sorted(d.items.values_list("code", flat=True)) == before  # nothing written yet

    assert c.post(url, {"step": "confirm"}).status_code == 302
    items = {it.code: it for it in d.items.all()}
    assert sorted(items) == ["FM-01", "FM-02", "XZ-01", "XZ-02", "YF-01", "ZM-01"]
    assert items["XZ-02"].kind == Kind.ASSIST and items["FM-02"].kind == Kind.NEGATIVE
    assert items["YF-01"].basis == "居委会组织法" and items["FM-02"].department == "区应急管理局"
    assert IMPORT_SESSION_KEY not in c.session

    # Next year's document: the same headers, the saved mapping, straight to the preview.
    rows = [*DOC_ROWS[:5], [6, "XZ-03", "协助开展人口普查", "协助办理", "统计法", "区统计局", ""]]
    resp = c.post(url, {"step": "upload", "file": upload(published(rows), "江夏区清单2027.xlsx")})
    page = resp.content.decode()
    assert 'id="mapping-form"' not in page and "import-confirm" in page
    assert "已套用本单位保存的映射“江夏区清单印发格式”" in page
    assert "清单类别：“协助办理” → 协助政府工作事项：2 行" in page
    assert c.post(url, {"step": "confirm"}).status_code == 302
    assert d.items.get(code="XZ-03").kind == Kind.ASSIST
    assert not d.items.filter(code="ZM-01").exists()


def test_a_mapping_saved_by_the_district_is_not_the_streets(world):
    district = world.client(world.users["district"])
    d = draft(world)
    url = reverse("duties:list-import", args=[d.pk])
    district.post(url, {"step": "upload", "file": upload(published())})
    layout = district.session[IMPORT_SESSION_KEY]["layout"]
    form = {**mapping_form(layout, 协助办理="协助政府工作事项"), "save": "1", "save_as": "区印发格式"}
    assert "import-confirm" in district.post(url, form).content.decode()

    street_user = world.users["street"]
    street_list = services.create_list(
        street_user, org=world.street, title="纸坊街道社区工作事项清单", effective_from=timezone.localdate()
    )
    street = world.client(street_user)
    street_url = reverse("duties:list-import", args=[street_list.pk])
    page = street.post(street_url, {"step": "upload", "file": upload(published())}).content.decode()
    assert 'id="mapping-form"' in page and "区印发格式" not in page


def test_template_headers_never_ask_and_short_names_are_counted(world):
    d = draft(world)
    c = world.client(world.users["district"])
    url = reverse("duties:list-import", args=[d.pk])
    rows = [["A-1", "负面", "甲", "", "", "", ""], ["A-2", "协助", "乙", "", "", "否", ""]]
    page = c.post(url, {"step": "upload", "file": upload(workbook(rows))}).content.decode()
    assert 'id="mapping-form"' not in page and "import-confirm" in page
    assert "类别：“负面” → 负面清单事项：1 行" in page and "类别：“协助” → 协助政府工作事项：1 行" in page


def test_a_wrong_mapping_is_refused_with_the_choices_kept_and_nothing_saved(world):
    d = draft(world)
    c = world.client(world.users["district"])
    url = reverse("duties:list-import", args=[d.pk])
    c.post(url, {"step": "upload", "file": upload(published())})
    layout = c.session[IMPORT_SESSION_KEY]["layout"]
    by_label = {col["label"]: col for col in layout["columns"]}

    form = mapping_form(layout, 编号="", 序号="title", 协助办理="协助政府工作事项")  # two 事项名称, no 编号
    resp = c.post(url, {**form, "save": "1", "save_as": "错的"})
    assert resp.status_code == 400 and "“事项名称”对应了不止一列" in resp.content.decode()
    page = resp.content.decode()
    col = by_label["序号"]["index"]
    assert f'name="col-{col}" id="col-{col}">' in page  # the clerk's choice is still selected:
    assert page.split(f'id="col-{col}">')[1].split("</select>")[0].count('value="title" selected') == 1

    form = mapping_form(layout, 编号="", 协助办理="协助政府工作事项")
    resp = c.post(url, form)
    assert resp.status_code == 400 and "还有必填项没有对应的列：事项编号" in resp.content.decode()
    resp = c.post(url, {**mapping_form(layout), "save": "1", "save_as": " "})
    assert resp.status_code == 400 and "请填写映射名称" in resp.content.decode()
    assert not ImportMapping.objects.exists()
    # Confirming before the columns are settled writes nothing.
    resp = c.post(url, {"step": "confirm"})
    assert resp.status_code == 400 and "请先核对列的对应" in resp.content.decode()
    assert d.items.count() == 5


def test_back_to_the_mapping_step_apply_a_saved_one_or_give_up(world):
    d = draft(world)
    c = world.client(world.users["district"])
    url = reverse("duties:list-import", args=[d.pk])
    c.post(url, {"step": "upload", "file": upload(published())})
    layout = c.session[IMPORT_SESSION_KEY]["layout"]
    form = {**mapping_form(layout, 协助办理="协助政府工作事项"), "save": "1", "save_as": "区印发格式"}
    c.post(url, form)

    # From the preview back to the columns: the mapping in force is the starting point.
    page = c.post(url, {"step": "remap"}).content.decode()
    assert 'id="mapping-form"' in page
    again = c.session[IMPORT_SESSION_KEY]["layout"]
    assert {v["value"]: v["label"] for v in again["values"]["kind"]}["协助办理"] == "协助政府工作事项"

    # A file with other headers goes to the mapping step, which offers the saved mapping by name.
    short = workbook([["A-1", "协助", "甲"]], ["编号", "类别", "名称"])
    page = c.post(url, {"step": "upload", "file": upload(short)}).content.decode()
    assert 'id="mapping-form"' in page and '<option value="区印发格式">' in page
    page = c.post(url, {"step": "apply", "apply": "不存在的映射"}).content.decode()
    assert "没有名为“不存在的映射”的已保存映射" in page and 'id="mapping-form"' in page
    page = c.post(url, {"step": "apply", "apply": "区印发格式"}).content.decode()
    assert "import-confirm" in page and "已套用本单位保存的映射“区印发格式”" in page

    # Giving up drops the stored file: nothing is written and the next step finds nothing.
    token = c.session[IMPORT_SESSION_KEY]["token"]
    resp = c.post(url, {"step": "discard"})
    assert resp.status_code == 302 and IMPORT_SESSION_KEY not in c.session
    from shequ.duties.views.lists import _import_dir

    assert not (_import_dir() / token).exists()
    assert c.post(url, {"step": "confirm"}).status_code == 400
    assert d.items.count() == 5


def test_the_reader_alone_asks_then_reads_with_a_mapping():
    result = importer.read_items("清单.xlsx", published())
    assert result.step is not None and result.step["missing"] == []
    assert {c["label"]: c["field"] for c in result.step["columns"]}["清单类别"] == "kind"
    assert result.step["skipped"] == 2  # the 合计 row and the footer
    confirmed = {"columns": {"序号": "", "编号": "code", "事项名称": "title", "清单类别": "kind", "备注": ""}}
    result = importer.read_items("清单.xlsx", published(), {"mapping": confirmed})
    assert result.step is None
    bad = [p for p in result.preview if p["errors"]]  # 协助办理 has no reading: its row is refused
    assert [p["line"] for p in bad] == [5]
    assert "“清单类别”的值“协助办理”不在可选项中" in bad[0]["errors"][0]
    assert result.options["mapping"]["columns"]["清单类别"] == "kind"
