"""Files as offices keep them, read by the engine every importer uses (core.sheets, core.importing):
encodings, formats, where the header is, rows that are not data, hidden rows, several sheets, and
cells written the way clerks write them."""

import io

import pytest
import xlsxwriter

from shequ.core import importing, sheets
from shequ.core.errors import ValidationFailed
from shequ.core.models import ImportStatus
from shequ.people.models import Resident
from tests.people.conftest import HEADERS, house_a, id_number, person  # noqa: F401 (a fixture)

KIND = "people.residents"


def xlsx(sheets_rows: dict, hidden=()) -> bytes:
    """{sheet name: rows}; `hidden` lists 0-based rows hidden on the first sheet."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    for n, (name, rows) in enumerate(sheets_rows.items()):
        ws = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is not None:
                    ws.write_string(i, j, v) if isinstance(v, str) else ws.write(i, j, v)
            if n == 0 and i in hidden:
                ws.set_row(i, None, None, {"hidden": True})
    wb.close()
    return buf.getvalue()


def table(people: list[dict], headers=HEADERS) -> list[list]:
    return [list(headers)] + [[p.get(h) for h in headers] for p in people]


def check(world, name: str, data: bytes, **options):
    user = world.users["community_worker"]
    batch = importing.create_batch(user, KIND, world.a.code, name, data, {"auto": True, **options})
    importing.validate_batch(batch, user)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY, batch.message
    return batch


def messages(batch) -> dict:
    return {(e.get("sheet", ""), e["row"]): e["messages"] for e in batch.errors if e["messages"]}


# --- encodings and formats -----------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "gbk"])
def test_csv_in_every_encoding_offices_save_reads_the_same(encoding):
    text = "姓名,联系电话\n张三,13800000001\n欧阳娜娜,13800000002\n"
    rows = sheets.csv_rows(text.encode(encoding))
    assert rows[:3] == [["姓名", "联系电话"], ["张三", "13800000001"], ["欧阳娜娜", "13800000002"]]


def test_utf8_is_never_read_as_gbk():
    # Bytes that are valid UTF-8 would also decode as GB18030 into other characters (mojibake).
    text = "姓名,住址\n张三,幸福家园3栋\n"
    assert sheets.decode_text(text.encode("utf-8")) == text


def test_what_is_not_a_table_is_refused_before_anything_is_stored():
    for name, data in [
        ("x.xlsx", b"name,id\n1,2\n"),  # text cannot be an .xlsx
        ("a.csv", b"%PDF-1.4 not a table"),
        ("a.csv", b"\x00\x01\x02binary"),
        ("a.docx", b"plain text"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            importing.check_file(name, data)
        assert exc.value.code == "wrong_file_type", name
        assert "xlsx" in exc.value.message and "csv" in exc.value.message


@pytest.mark.usefixtures("house_a")
def test_xls_and_et_files_are_read(world):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    ws = book.add_sheet("居民")
    for i, row in enumerate(table([person(1, 房号="101"), person(2, 房号="101", 与户主关系="配偶")])):
        for j, v in enumerate(row):
            if v is not None:
                ws.write(i, j, v)
    buf = io.BytesIO()
    book.save(buf)
    for name in ("台账.xls", "台账.et"):  # WPS keeps .et in the Excel 97-2003 format
        batch = check(world, name, buf.getvalue())
        assert batch.counts["new"] == 2, name


# --- where the table is --------------------------------------------------------------------------
@pytest.mark.usefixtures("house_a")
def test_title_rows_blank_rows_summary_footer_and_repeated_header_are_not_people(world):
    people = [person(n, 房号="101", 与户主关系="户主" if n == 1 else "子") for n in range(1, 5)]
    rows = [
        ["宁安社区居民花名册", None, None],
        [None],
        *table(people[:2]),
        [None],
        *table(people[2:]),  # a printed page's header again
        ["小 计", None, "4人"],
        [None, "合计：", "4"],
        ["制表人：王芳", None, None, "审核：李强"],
        ["制表日期：2026年11月30日"],
    ]
    batch = check(world, "花名册.xlsx", xlsx({"花名册": rows}))
    assert batch.counts["new"] == 4 and batch.total_rows == 4
    skipped = {s["row"]: s["reason"] for s in batch.options["skipped_rows"]}
    assert sorted(skipped) == [7, 10, 11, 12, 13]
    assert skipped[7] == "重复的表头" and skipped[10].startswith("合计行") and skipped[12].startswith("表尾")
    assert any("第 10 行是合计行" in n for n in batch.options["notes"])


@pytest.mark.usefixtures("house_a")
def test_hidden_rows_are_imported_and_said_so_or_skipped_when_asked(world):
    people = [person(n, 房号="101", 与户主关系="户主" if n == 1 else "子") for n in range(1, 4)]
    data = xlsx({"居民": table(people)}, hidden={2})
    batch = check(world, "a.xlsx", data)
    assert batch.counts["new"] == 3
    assert batch.options["hidden_rows"] == [{"sheet": "居民", "row": 3}]
    assert any("第 3 行在 Excel 中被隐藏，这些行也会导入" in n for n in batch.options["notes"])
    batch = check(world, "a.xlsx", data, mapping={"columns": {}, "hidden_rows": "skip"})
    assert batch.counts["new"] == 2
    assert any("按映射的设置已跳过" in n for n in batch.options["notes"])


def test_hidden_rows_of_an_xls_are_found():
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    ws = book.add_sheet("居民")
    for i in range(4):
        ws.write(i, 0, f"r{i}")
    ws.row(2).hidden = True
    buf = io.BytesIO()
    book.save(buf)
    (sheet,) = sheets.read_book("a.xls", buf.getvalue())
    assert sheet.hidden == {2} and sheet.hidden_known


@pytest.mark.usefixtures("house_a")
def test_several_sheets_with_one_header_one_or_all(world):
    one = [person(1, 房号="101")]
    two = [person(2, 房号="101", 与户主关系="配偶"), person(3, 证件号码="420115")]  # a bad one
    data = xlsx({"一网格": table(one), "二网格": table(two), "说明": [["本表由社区填写"]]})
    batch = check(world, "a.xlsx", data)
    assert batch.counts["new"] == 1
    assert any("“二网格”表头相同" in n for n in batch.options["notes"])
    batch = check(world, "a.xlsx", data, mapping={"columns": {}, "sheet": "*"})
    assert batch.counts["new"] == 2 and batch.counts["rejected"] == 1
    assert list(messages(batch)) == [("二网格", 3)]  # the sheet and the line the clerk sees
    report = importing.error_report(batch)
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(report)).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["工作表", "原行号"] and rows[1][:2] == ["二网格", 3.0]


# --- cells as clerks write them ------------------------------------------------------------------
@pytest.mark.usefixtures("house_a")
def test_full_width_digits_spaces_and_float_cells(world):
    number = id_number(seq="017")
    wide = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    rows = table(
        [
            person(
                1, 证件号码=f" {wide[:6]}\u00a0{wide[6:]} ", 联系电话="１３８ ００００ ０００１", 房号="101"
            ),
            person(2, 姓名="欧阳　娜娜", 联系电话=13800000002.0, 房号=101.0, 与户主关系="配偶"),
        ]
    )
    batch = check(world, "a.xlsx", xlsx({"居民": rows}))
    assert batch.counts["new"] == 2, batch.errors
    importing.commit_batch(batch, world.users["community_worker"])
    r = Resident.objects.get(name="测试1号")
    assert r.doc_number == number and r.phone == "13800000001"
    assert Resident.objects.get(name="欧阳娜娜").phone == "13800000002"  # the padding space closed up


@pytest.mark.usefixtures("house_a")
def test_an_id_number_excel_turned_into_a_number_is_refused_as_lost(world):
    rows = table([person(1, 证件号码="4.20115E+17", 房号="101"), person(2, 证件号码=4.20115e17, 房号="101")])
    batch = check(world, "a.xlsx", xlsx({"居民": rows}))
    assert batch.counts["rejected"] == 2
    for msgs in messages(batch).values():
        assert "科学计数法" in msgs[0] and "文本格式" in msgs[0]


@pytest.mark.parametrize(
    "written",
    [
        "2024-01-02",
        "2024/1/2",
        "2024.1.2",
        "20240102",
        "2024年1月2日",
        "２０２４年１月２日",
        "2024-01-02 00:00:00",
        45293,
    ],
)
def test_dates_in_every_spelling_an_office_uses(written):
    import datetime as dt

    assert importing.parse_date(written) == dt.date(2024, 1, 2)
