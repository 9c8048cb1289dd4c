"""An .xlsx worksheet read as a stream of rows, so that a 200,000-row ledger is never whole in memory.

calamine (python-calamine) reads a sheet into one range before the first row can be had: about
450 MB for 200,000 rows of 22 columns, before Python holds any of it. Here the sheet's XML is
inflated from the zip member a megabyte at a time and cut into rows and cells with compiled
regular expressions; only the shared-strings table (each distinct text once) and the current
megabyte are held. The cells come out as calamine gives them (str, float, bool, datetime.date or
datetime.datetime for a date-formatted number, "" for an error), so either reader feeds the same
layout detection and parsers; core.sheets falls back to calamine for anything this reader does not
understand. Written by hand: openpyxl's read-only mode streams too but is several times slower
than the import's whole budget for reading, and no maintained library streams at calamine's pace.

The XML is the one ECMA-376 (SpreadsheetML) prescribes and Excel, WPS, LibreOffice, openpyxl and
xlsxwriter write: <row r="n" hidden="1"> of <c r="B7" s="style" t="type"> with <v>, <f> or an
inline <is><t>; <mergeCell ref="A1:D1"> after the rows."""

import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Iterator

CHUNK = 1 << 20  # inflated bytes per read

_ROW = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_HIDDEN = re.compile(r'\bhidden="(?:1|true)"')
# The cells as Excel, WPS, openpyxl and xlsxwriter write them; a row with any other form of cell
# (the count of "<c" says so) is read by _cells_slowly.
_FAST_CELL = re.compile(
    r'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?\s*(?:/>|>(?:<f>[^<]*</f>|<f [^>]*/>)?'
    r"(?:<v>([^<]*)</v>|<is><t(?: [^>]*)?>([^<]*)</t></is>)?</c>)"
)
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_B = re.compile(rb'([\w:]+)="([^"]*)"')
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_LETTERS = re.compile(r"[A-Z]+")
_VALUE = re.compile(r"<v>(.*?)</v>", re.S)
_TEXT = re.compile(r"<t\b[^>]*?(?:/>|>(.*?)</t>)", re.S)
_PHONETIC = re.compile(r"<rPh\b.*?</rPh>", re.S)
_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_DIMENSION = re.compile(rb'<dimension\b[^>]*?\bref="[A-Z]*\d*:?[A-Z]*(\d+)"')
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")

# Built-in number formats that are dates or times (ECMA-376 18.8.30, with the CJK ones).
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_NOT_DATE_PARTS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_EPOCH = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


class Unsupported(Exception):
    """The file is a zip but not a workbook this reader knows: the caller uses calamine."""


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _all_columns() -> dict[str, int]:
    import itertools
    import string

    out = {}
    for width in (1, 2, 3):
        for letters in itertools.product(string.ascii_uppercase, repeat=width):
            name = "".join(letters)
            out[name] = column_index(name)
    return out


_COLUMNS = _all_columns()  # A … ZZZ → 0-based index (18,278 names, looked up once per cell)


def _unescape(s: str) -> str:
    if "&" in s:
        s = html.unescape(s)
    if "_x" in s:  # Excel's escape for control characters: _x000D_
        s = _ESCAPED.sub(lambda m: chr(int(m[1], 16)), s)
    return s


def _rich_text(inner: str) -> str:
    """The text of an <si> or <is>: its <t>, or the runs' <t>s, without phonetic guides."""
    if "<rPh" in inner:
        inner = _PHONETIC.sub("", inner)
    return _unescape("".join(_TEXT.findall(inner)))


def is_date_format(code: str) -> bool:
    """A custom number format that shows a date or time (y, m, d, h or s outside quotes and
    brackets; 'General' and plain numbers are not)."""
    stripped = _NOT_DATE_PARTS.sub("", code).lower()
    return stripped != "general" and any(ch in stripped for ch in "ymdhs")


class Workbook:
    """The parts of an .xlsx that every sheet needs: sheet names and parts, shared strings, which
    styles are dates, the date system."""

    def __init__(self, data: bytes):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            names = set(self.zip.namelist())
            if "xl/workbook.xml" not in names:
                raise Unsupported("no xl/workbook.xml")
            book = self.zip.read("xl/workbook.xml")
            rels = self.zip.read("xl/_rels/workbook.xml.rels")
        except (zipfile.BadZipFile, KeyError, OSError) as exc:
            raise Unsupported(str(exc)) from None
        targets, types = {}, {}
        for tag in re.findall(rb"<Relationship\b[^>]*>", rels):
            attrs = dict(_ATTR_B.findall(tag))
            if b"Id" in attrs and b"Target" in attrs:
                target = attrs[b"Target"].decode().lstrip("/")
                path = target if target.startswith("xl/") else f"xl/{target}"
                targets[attrs[b"Id"]] = path
                types[path] = attrs.get(b"Type", b"").rsplit(b"/", 1)[-1]
        self.sheets = []  # (name, part, visible)
        for tag in re.findall(rb"<sheet\b[^>]*>", book):
            attrs = dict(_ATTR_B.findall(tag))
            part = targets.get(attrs.get(b"r:id", b""))
            if part is None or part not in names or types.get(part) not in (b"worksheet", b""):
                continue
            visible = attrs.get(b"state", b"visible") == b"visible"
            self.sheets.append((html.unescape(attrs.get(b"name", b"").decode()), part, visible))
        if not self.sheets:
            raise Unsupported("no worksheet")
        self.epoch = _EPOCH_1904 if re.search(rb'date1904="(?:1|true)"', book) else _EPOCH
        strings = next((p for p, t in types.items() if t == b"sharedStrings"), "xl/sharedStrings.xml")
        self._strings_part = strings if strings in names else None
        self._strings = None
        styles = next((p for p, t in types.items() if t == b"styles"), "xl/styles.xml")
        self.date_styles = self._date_styles(styles) if styles in names else frozenset()

    @property
    def strings(self) -> list[str]:
        """The shared strings, read when first needed (again after `forget_strings`)."""
        if self._strings is None:
            self._strings = self._shared_strings(self._strings_part) if self._strings_part else []
        return self._strings

    def forget_strings(self) -> None:
        """Let the shared strings go (another process reads the rows from here on): read again if
        this process needs them after all."""
        self._strings = None

    def _shared_strings(self, part: str) -> list[str]:
        xml = self.zip.read(part).decode("utf-8")
        return [_rich_text(m[1] or "") for m in re.finditer(r"<si\b[^>]*?(?:/>|>(.*?)</si>)", xml, re.S)]

    def _date_styles(self, part: str) -> frozenset:
        xml = self.zip.read(part)
        custom = {
            int(i): is_date_format(html.unescape(code.decode()))
            for i, code in re.findall(rb'<numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"', xml)
        }
        xfs = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", xml, re.S)
        out = set()
        if xfs:
            for n, tag in enumerate(re.findall(rb"<xf\b[^>]*>", xfs[1])):
                fmt = re.search(rb'numFmtId="(\d+)"', tag)
                fid = int(fmt[1]) if fmt else 0
                if custom.get(fid, fid in _DATE_FORMAT_IDS):
                    out.add(str(n))
        return frozenset(out)

    def _chunks(self, part: str) -> Iterator[bytes]:
        with self.zip.open(part) as f:
            while chunk := f.read(CHUNK):
                yield chunk

    def height(self, part: str) -> int | None:
        """The last row the sheet's <dimension> claims (a hint for progress, never trusted)."""
        with self.zip.open(part) as f:
            found = _DIMENSION.search(f.read(4096))
        return int(found[1]) if found else None

    def merged(self, part: str) -> list:
        """Merged ranges ((row0, col0), (row1, col1)), 0-based and inclusive, as calamine gives
        them. They follow the rows in the XML, so the whole part is inflated (not parsed)."""
        tail = b""
        found = []
        for chunk in self._chunks(part):
            buf = tail + chunk
            cut = buf.rfind(b"<")  # a tag may straddle two chunks
            body, tail = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
            if b"<mergeCell " in body:
                found += _MERGE.findall(body)
        if b"<mergeCell " in tail:
            found += _MERGE.findall(tail)
        return [
            ((int(r0) - 1, column_index(c0.decode())), (int(r1) - 1, column_index(c1.decode())))
            for c0, r0, c1, r1 in found
        ]

    def rows(self, part: str) -> Iterator[tuple[int, list, bool]]:
        """(0-based row index, cell values from column A, hidden) for every row the XML holds."""
        pending = b""
        next_index = 0
        for chunk in self._chunks(part):
            buf = pending + chunk
            end = buf.rfind(b"</row>")
            if end < 0:
                pending = buf
                continue
            end += 6
            pending = buf[end:]
            text = buf[:end].decode("utf-8")
            escaped = "&" in text or "_x" in text
            for piece in text.split("</row>"):
                start = piece.find("<row")
                if start < 0:
                    continue
                close = piece.find(">", start)
                if piece.find("<row", start + 4) >= 0 or piece[close - 1] == "/":
                    rows = [(m[1], m[2]) for m in _ROW.finditer(piece + "</row>")]  # empty <row/>s
                else:
                    rows = [(piece[start + 4 : close], piece[close + 1 :])]
                for attrs, xml in rows:
                    index, row, hidden = self._row(attrs, xml, next_index, escaped)
                    next_index = index + 1
                    yield index, row, hidden
        for m in _ROW.finditer(pending.decode("utf-8")):  # rows written as <row .../> at the end
            index, row, hidden = self._row(m[1], m[2], next_index, True)
            next_index = index + 1
            yield index, row, hidden

    def _row(self, attrs: str, xml: str, next_index: int, escaped: bool) -> tuple[int, list, bool]:
        r = _ROW_NUMBER.search(attrs)
        index = int(r[1]) - 1 if r else next_index
        hidden = "hidden=" in attrs and _HIDDEN.search(attrs) is not None
        if not xml:
            return index, [], hidden
        cells = _FAST_CELL.findall(xml)
        if len(cells) != xml.count("<c ") + xml.count("<c>"):
            return index, self._cells_slowly(xml), hidden  # a form the fast pattern does not take
        row = []
        strings, dates = self.strings, self.date_styles
        for letters, style, kind, raw, inline in cells:
            if kind == "inlineStr":
                value = inline
            elif kind == "s":
                value = strings[int(raw)]
            elif not kind or kind == "n":
                if not raw:
                    continue
                value = float(raw)
                if style and style in dates:
                    value = self._date(value)
            else:
                value = self._typed(kind, raw)
            if escaped and type(value) is str:
                value = _unescape(value)
            col = _COLUMNS[letters]
            if col == len(row):
                row.append(value)
            elif col > len(row):
                row.extend([""] * (col - len(row)))
                row.append(value)
            else:
                row[col] = value
        return index, row, hidden

    def _typed(self, kind: str, raw: str):
        if kind == "str":
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "e":
            return ""
        if kind == "d":
            return _iso_date(raw)
        return raw

    def _cells_slowly(self, xml: str) -> list:
        """Any cell form: attributes in any order, rich text, formulas with attributes."""
        row = []
        for c in _CELL.finditer(xml):
            got = dict(_ATTR.findall(c[1]))
            ref = got.get("r")
            col = _COLUMNS.get(_LETTERS.match(ref)[0], len(row)) if ref else len(row)
            kind, inner = got.get("t"), c[2]
            if not inner:
                continue
            if kind == "inlineStr":
                value = _rich_text(inner)
            else:
                v = _VALUE.search(inner)
                if v is None:
                    continue
                raw = v[1]
                if not kind or kind == "n":
                    value = float(raw)
                    if got.get("s") in self.date_styles:
                        value = self._date(value)
                elif kind == "s":
                    value = self.strings[int(raw)]
                else:
                    value = _unescape(self._typed(kind, raw)) if kind in ("str",) else self._typed(kind, raw)
            if type(value) is str and kind != "s":
                value = _unescape(value)
            if col >= len(row):
                row.extend([""] * (col - len(row)))
                row.append(value)
            else:
                row[col] = value
        return row

    def _date(self, serial: float):
        if serial < 0 or serial > 2_958_465:  # out of Excel's range: the number as it is
            return serial
        moment = self.epoch + dt.timedelta(milliseconds=round(serial * 86_400_000))
        if self.epoch is _EPOCH and serial < 60:  # Excel's phantom 1900-02-29
            moment += dt.timedelta(days=1)
        if moment.time() == dt.time(0):
            return moment.date()
        return moment


def _iso_date(text: str):
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.date() if moment.time() == dt.time(0) else moment
