"""Spreadsheets as offices keep them: the file formats, the encodings, and where in a sheet the
table is.

`read_book` opens .xlsx, .xls (Excel 97–2003), .et (WPS, where it is stored in the Excel format),
.ods and .csv (UTF-8 with or without BOM, UTF-16, GB18030/GBK) into `Sheet`s of cell values.
`find_layout` finds the header in a sheet (below title rows and merged cells, over one row or two,
a merged group heading such as 现住址 over 小区 / 楼栋 / 单元 / 房号) and separates the data rows from
what is not data: blank rows, a repeated header, 合计/小计/总计 rows and a 填表人/审核人 footer.
Line numbers are those Excel shows, so every message names the row the clerk sees.

`normalize_cell` is the text clean-up every cell gets: stray, non-breaking and full-width spaces,
zero-width characters; `nfkc` turns full-width digits and letters into ASCII where that is safe
(ID numbers, phones, dates, numbers, codes: never names or free text)."""

import functools
import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from shequ.core import xlsx
from shequ.core.errors import ValidationFailed

MAGIC = {
    b"PK\x03\x04": "zip",  # .xlsx, .ods
    b"\xd0\xcf\x11\xe0": "ole",  # .xls, .et
}
HEADER_SCAN = 30  # rows searched for the header (title rows, notes, a blank line or two)
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"\s+")
_ODD = re.compile("[\\s\u200b\u200c\u200d\u2060\ufeff]")  # inner spaces, zero-width characters
has_odd_spaces = _ODD.search
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_SUMMARY = re.compile(r"^(合计|小计|总计|共计|累计|总人数|本页合计|本页小计)(?:[:：(（]|$|\d)")
_FOOTER = re.compile(
    r"^(填表人|填报人|制表人|审核人|审批人|负责人|单位负责人|统计人|经办人|填表日期|填报日期|制表日期|"
    r"审核日期|联系人|注|说明|备注)[:：]"  # after NFKC the colon is ASCII
)
_SUMMARY_START = set("合小总共累本")
_FOOTER_START = set("填制审负单统经联注说备")
_HEADER_CHARS = re.compile(r"[\s*＊:：]|（必填）|\(必填\)")


def nfkc(text: str) -> str:
    """Full-width digits, letters and punctuation as ASCII (４２０１ → 4201, － → -)."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def normalize_cell(text: str) -> str:
    """A text cell without the spaces people leave in: ends trimmed (also non-breaking and
    full-width spaces), zero-width characters gone, and the padding clerks put between the
    characters of a Chinese name (张　三) closed up."""
    if text.isascii():
        return text.strip()
    text = text.strip()
    if _ODD.search(text) is None:  # the common case: one scan, no copy
        return text
    text = text.translate(ZERO_WIDTH).strip()
    return _CJK_GAP.sub("", text)


def header_key(value) -> str:
    """A header as compared with the known names: no spaces, no required-marks, NFKC."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _HEADER_CHARS.sub("", nfkc(str(value).translate(ZERO_WIDTH)))


def value_key(value) -> str:
    """A cell as compared with choice labels and value synonyms: NFKC, no spaces at all."""
    return _SPACES.sub("", nfkc(str(value).translate(ZERO_WIDTH)))


@dataclass
class Sheet:
    """One sheet: its rows held (CSV, .xls, .ods: small by nature) or streamed from the file
    (.xlsx, see core.xlsx), read the same way through `head` and `iter_rows`."""

    name: str
    rows: list[list] | None  # cell values from A1 (str, float, int, bool, date, datetime or None)
    hidden: set = field(default_factory=set)  # 0-based indexes of rows hidden in Excel
    merged: list = field(default_factory=list)  # ((row0, col0), (row1, col1)), inclusive
    hidden_known: bool = True  # False where the format cannot say (CSV, .ods)
    stream: Callable[[], Iterator[tuple[int, list, bool]]] | None = None  # (index, row, hidden)
    height: int | None = None  # rows in the sheet (a streamed sheet's own claim: a hint)
    forget: Callable[[], None] | None = None  # a streamed sheet: let go of what reading it loaded

    def __post_init__(self):
        if self.rows is not None:
            self.height = len(self.rows)

    def iter_rows(self, start: int = 0) -> Iterator[tuple[int, list, bool]]:
        """(0-based index, row, hidden) of the rows from `start` that hold anything."""
        if self.stream is not None:
            for index, row, hidden in self.stream():
                if index >= start:
                    yield index, row, hidden
            return
        hidden = self.hidden
        for index in range(start, len(self.rows)):
            yield index, self.rows[index], index in hidden

    def head(self, n: int) -> list[list]:
        """The first n rows (blank ones as [])."""
        if self.stream is None:
            return [list(r) for r in self.rows[:n]]
        out = []
        for index, row, _hidden in self.stream():
            if index >= n:
                break
            out.extend([] for _ in range(index - len(out)))
            out.append(list(row))
        return out


# --- reading --------------------------------------------------------------------------------------
# Text is read as CSV under these names (hotline and census systems export CSV named .xls).
TEXT_EXTENSIONS = {"csv", "txt", "tsv", "xls", "et", ""}
_NOT_TABLES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf", b"<?xml", b"<html", b"<!DOC")


def file_kind(name: str, data: bytes) -> str:
    """'zip' | 'ole' | 'csv' | '' (not something we read)."""
    kind = MAGIC.get(data[:4])
    if kind:
        return kind
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in TEXT_EXTENSIONS or data.lstrip()[:8].startswith(_NOT_TABLES):
        return ""
    return "csv" if decode_text(data) is not None else ""


def decode_text(data: bytes) -> str | None:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (GBK's
    superset, what Chinese Excel and WPS save). None when the bytes are not text in any of them.
    Bytes that are valid UTF-8 are never read as GBK: the two do not garble into each other."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:4096]:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def csv_rows(data: bytes) -> list[list[str]] | None:
    """The rows of a CSV file, or None when the bytes are not text."""
    import csv

    text = decode_text(data)
    if text is None:
        return None
    lines = [ln for ln in text.split("\n", 40)[:40] if ln.strip()]
    # The delimiter the most lines agree on (a title line above the header holds none of them).
    delimiter = max(",\t;", key=lambda d: sum(1 for ln in lines if d in ln))
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error:
        return None


def read_book(name: str, data: bytes) -> list[Sheet]:
    """The visible sheets of a workbook (or the one sheet of a CSV file)."""
    kind = file_kind(name, data)
    if kind == "csv":
        rows = csv_rows(data)
        if rows is None:
            raise ValidationFailed(_("CSV 文件无法读取，请另存为 UTF-8 编码后再上传。"), code="corrupt_file")
        return [Sheet("CSV", rows, hidden_known=False)]
    if kind == "zip":
        try:
            return _stream_xlsx(data)
        except xlsx.Unsupported:
            pass  # .ods, or a workbook the stream reader does not know: calamine reads it whole
    from concurrent.futures import ThreadPoolExecutor

    # Which rows are hidden is read from the file's own XML (or, for .xls, by xlrd) in a thread
    # while calamine reads the cells: both spend their time outside the interpreter lock.
    with ThreadPoolExecutor(max_workers=1) as pool:
        hidden_rows = pool.submit(_xlsx_hidden_rows if kind == "zip" else _xls_hidden_rows, data)
        sheets = _read_cells(name, data)
        hidden = hidden_rows.result()
    for sheet in sheets:
        known = hidden is not None and sheet.name in hidden
        sheet.hidden, sheet.hidden_known = (hidden[sheet.name] if known else set()), known
    return sheets


def _stream_xlsx(data: bytes) -> list[Sheet]:
    """The visible sheets of an .xlsx, each read row by row from the file when iterated."""
    book = xlsx.Workbook(data)
    sheets = []
    for name, part, visible in book.sheets:
        if not visible:
            continue  # the template's list of options, a clerk's scratch sheet
        sheet = Sheet(
            name,
            None,
            set(),
            [],
            True,
            functools.partial(_guarded, book, name, part),
            book.height(part),
            book.forget_strings,
        )
        sheets.append(sheet)
    import zlib

    for sheet, (_name, part, _v) in zip(sheets, [s for s in book.sheets if s[2]], strict=True):
        try:
            sheet.merged = book.merged(part)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise xlsx.Unsupported(str(exc)) from None  # calamine says what is wrong with it
    return sheets


def _guarded(book, name: str, part: str):
    """The rows of a streamed sheet; a file that breaks off or holds nonsense half-way is said to
    be damaged (the import stops and writes nothing), not a crash."""
    import zlib

    try:
        yield from book.rows(part)
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, ValueError, IndexError, KeyError):
        raise ValidationFailed(
            _("工作表“%(s)s”无法读取，文件可能已损坏。") % {"s": name}, code="corrupt_file"
        ) from None


def _read_cells(name: str, data: bytes) -> list[Sheet]:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext == "et":
            message = _("无法读取这个 WPS 表格（.et）文件，请在 WPS 中“另存为”Excel 格式（.xlsx）后再上传。")
        else:
            message = _(
                "文件已损坏或不是有效的 Excel 文件，无法读取。请用 Excel/WPS 打开检查后另存为 .xlsx 再上传。"
            )
        raise ValidationFailed(message, code="corrupt_file") from None
    sheets = []
    for meta in wb.sheets_metadata:
        if meta.visible != SheetVisibleEnum.Visible:
            continue  # the template's list of options, a clerk's scratch sheet
        try:
            ws = wb.get_sheet_by_name(meta.name)
            rows = ws.to_python(skip_empty_area=False)
            merged = list(ws.merged_cell_ranges or [])
        except Exception:
            raise ValidationFailed(
                _("工作表“%(s)s”无法读取，文件可能已损坏。") % {"s": meta.name}, code="corrupt_file"
            ) from None
        sheets.append(Sheet(meta.name, rows, set(), merged))
    return sheets


_ROW_TAG = re.compile(rb"<row\b[^>]*>")
_ROW_NUM = re.compile(rb'\br="(\d+)"')
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')


def _xlsx_hidden_rows(data: bytes) -> dict[str, set] | None:
    """Rows hidden in Excel, per sheet name, read from the workbook's XML (None for .ods)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" not in names:
                return None
            book = z.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            targets = {}  # relationship id → the sheet's part (attributes come in any order)
            for tag in re.findall(r"<Relationship\b[^>]*>", rels):
                rid, target = re.search(r'\bId="([^"]+)"', tag), re.search(r'\bTarget="([^"]+)"', tag)
                if rid and target:
                    targets[rid[1]] = target[1]
            out = {}
            for tag in re.findall(r"<sheet\b[^>]*>", book):
                sheet_name = re.search(r'name="([^"]*)"', tag)
                rid = re.search(r'r:id="([^"]+)"', tag)
                if not sheet_name or not rid or rid[1] not in targets:
                    continue
                target = targets[rid[1]].lstrip("/")
                path = target if target.startswith("xl/") else f"xl/{target}"
                if path not in names:
                    continue
                xml = z.read(path)
                rows = set()
                if b'hidden="' in xml:
                    for m in _ROW_TAG.finditer(xml):
                        if _HIDDEN.search(m[0]):
                            num = _ROW_NUM.search(m[0])
                            if num:
                                rows.add(int(num[1]) - 1)
                out[html.unescape(sheet_name[1])] = rows
            return out
    except (zipfile.BadZipFile, KeyError, OSError):
        return None


def _xls_hidden_rows(data: bytes) -> dict[str, set] | None:
    """Rows hidden in an .xls (xlrd reads the row formats calamine leaves out)."""
    try:
        import xlrd

        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception:
        return None
    out = {}
    try:
        for i, sheet_name in enumerate(book.sheet_names()):
            ws = book.sheet_by_index(i)
            out[sheet_name] = {r for r, info in ws.rowinfo_map.items() if info.hidden}
            book.unload_sheet(i)
    except Exception:
        return None
    finally:
        book.release_resources()
    return out


# --- the layout of a sheet --------------------------------------------------------------------------
@dataclass
class SourceColumn:
    index: int  # 0-based column of the sheet
    label: str  # the user's own header: "姓名", or "现住址/小区" under a group heading
    names: tuple  # header keys it is matched by, most specific first


@dataclass
class Layout:
    """Where the table is in a sheet. Its data rows are read from the sheet when `rows()` is
    iterated (a 200,000-row sheet is never held); the rows that are not data and the hidden ones
    are known once the rows have been read through (`read_through`)."""

    sheet: str
    header_lines: tuple  # Excel line numbers of the header row(s)
    columns: list  # [SourceColumn]
    source: Sheet | None = None
    skipped: list = field(default_factory=list)  # [(Excel line, reason)]: totals, footers, headers
    hidden: list = field(default_factory=list)  # Excel lines of data rows hidden in the file
    hidden_known: bool = True
    score: int = 0
    count: int | None = None  # data rows, once read through

    @property
    def signature(self) -> str:
        """The header as a key for the saved mappings (the same headers, the same mapping)."""
        return "|".join(c.label for c in self.columns)

    def rows(self) -> Iterator[tuple[int, list, bool]]:
        """(Excel line, row, hidden in the file) of every data row, in order."""
        done = self.count is not None
        skipped, hidden, count = [], [], 0
        header_keys = {c.names[0] for c in self.columns}
        header_heads = {k[:1] for k in header_keys}
        footer = False
        for idx, row, is_hidden in self.source.iter_rows(self.header_lines[-1]):
            firsts = []  # the first three filled cells say what a row is (a data row is not read here)
            for v in row:
                if v is not None and v != "":
                    firsts.append(v)
                    if len(firsts) == 3:
                        break
            if not firsts:
                continue
            line = idx + 1
            kind = footer and "footer" or _row_kind(row, firsts, header_keys, header_heads)
            if kind == "footer":
                footer = True  # what follows a signature line is the form's footer too
                skipped.append((line, _("表尾（%(t)s）") % {"t": _row_text(row)}))
                continue
            if kind == "summary":
                skipped.append((line, _("合计行（%(t)s）") % {"t": _row_text(row)}))
                continue
            if kind == "header":
                skipped.append((line, _("重复的表头")))
                continue
            if is_hidden:
                hidden.append(line)
            count += 1
            yield line, row, is_hidden
        if not done:
            self.skipped, self.hidden, self.count = skipped, hidden, count

    def read_through(self) -> "Layout":
        """Read the rows once (if not yet) so that count, skipped and hidden are known."""
        if self.count is None:
            for _row in self.rows():
                pass
        return self


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _filled_rows(sheet: Sheet, upto: int) -> list[list]:
    """The first rows with the value of each merged range copied into every cell it covers."""
    rows = sheet.head(upto)
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= upto or not (0 <= r0 < len(rows)) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, upto - 1) + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([None] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if row[c] in (None, ""):
                    row[c] = value
    return rows


def _header_columns(top: list | None, row: list) -> list[SourceColumn]:
    """Source columns of a one-row header (top None) or of a two-row one (a group heading above)."""
    width = max(len(row), len(top or []))
    cols = []
    group = ""
    for i in range(width):
        sub = _text(row[i]) if i < len(row) else ""
        if top is None:
            if sub:
                cols.append(SourceColumn(i, sub, (header_key(sub),)))
            continue
        up = _text(top[i]) if i < len(top) else ""
        if up:
            group = up
        elif not sub:
            group = ""
        if not up and sub and group:
            up = group  # a group heading whose merge the format did not record (CSV)
        if not sub and not up:
            continue
        if not sub or sub == up:  # a heading over both rows (姓名 merged down)
            cols.append(SourceColumn(i, up, (header_key(up),)))
        else:
            cols.append(
                SourceColumn(i, f"{up}/{sub}", (header_key(up + sub), header_key(sub), header_key(up)))
            )
    return cols


def _score(cols: list[SourceColumn], known: dict) -> int:
    """How many different fields a header names (a merged heading copied over four columns
    names one field, not four)."""
    hits = set()
    for c in cols:
        for n in c.names:
            if n in known:
                hits.add(known[n])
                break
    return len(hits)


def _row_text(row) -> str:
    return "　".join(_text(v) for v in row if v not in (None, ""))[:40]


def _row_kind(row, firsts, header_keys, header_heads) -> str:
    """'footer', 'summary', 'header' (repeated on a printed page) or '' for a data row; only the
    first filled cells are looked at, and only when their first character could start a keyword."""
    first = firsts[0]
    if type(first) is str:
        head = first.lstrip()[:1]
        filled = head in _FOOTER_START and sum(1 for v in row if v not in (None, ""))
        if filled and filled <= 4 and _FOOTER.match(value_key(first)):
            return "footer"
        if head in header_heads and header_key(first) in header_keys:
            texts = [_text(v) for v in row if v not in (None, "")]
            if sum(1 for t in texts if header_key(t) in header_keys) >= max(2, len(texts) - 1):
                return "header"
    for v in firsts:
        if type(v) is str and v.lstrip()[:1] in _SUMMARY_START and _SUMMARY.match(value_key(v)):
            return "summary"
    return ""


def find_layout(sheet: Sheet, known: dict, *, min_score: int = 1) -> Layout | None:
    """The header row(s) of a sheet: the row among the first HEADER_SCAN whose cells name the
    most known fields (`known`: header key → field), or a pair of rows (a group heading over
    sub-headings) where the pair names more than either row alone. None below min_score."""
    rows = _filled_rows(sheet, HEADER_SCAN + 1)
    singles = [
        (_score(cols, known), (i,), cols)
        for i, row in enumerate(rows)
        for cols in [_header_columns(None, row)]
    ]
    best = None
    for i, (score, lines, cols) in enumerate(singles[:HEADER_SCAN]):
        if best is None or score > best[0]:
            best = (score, lines, cols)
        if i + 1 < len(singles):
            pair = _header_columns(rows[i], rows[i + 1])
            pair_score = _score(pair, known)
            if pair_score > max(score, singles[i + 1][0]) and pair_score > best[0]:
                best = (pair_score, (i, i + 1), pair)
    if best is None or best[0] < min_score:
        return None
    score, lines, cols = best
    return Layout(
        sheet.name,
        tuple(n + 1 for n in lines),
        cols,
        sheet,
        hidden_known=sheet.hidden_known,
        score=score,
    )


# What an import form offers to pick (the engine reads all of these; see core.sheets).
IMPORT_ACCEPT = ".xlsx,.xls,.et,.csv,.txt"
