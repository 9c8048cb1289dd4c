"""The Excel import engine every module reuses.

A module describes its workbook as a list of `Column`s and subclasses `Importer` with two acts:
`plan(rows)` decides, row by row, whether it is new, an update, unchanged or rejected (and why);
`apply(plan)` writes the accepted rows in one transaction and `undo(batch)` takes them back.
The engine does the rest: the downloadable template (drop-downs, an example row, an instructions
sheet), file checks, reading files as offices keep them (`core.sheets`: .xlsx, .xls, .et, CSV in
any of the encodings in use, title rows, two-row headers, 合计 rows and footers), mapping their
columns and values onto the workbook's (`core.mapping`: synonyms, the mapping step, saved
mappings), cell parsing (full-width digits, dates in every spelling an office uses, enumerations
by their Chinese labels or a synonym, phones, one address split into its parts), the background
job with progress, the preview counts and notes, the error report and the change-log rows.
"""

import contextlib
import datetime as dt
import gc
import io
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shequ.core import mapping as mappings
from shequ.core import readahead, sheets
from shequ.core.crypto import encrypt_bytes
from shequ.core.errors import Conflict, ValidationFailed
from shequ.core.sheets import ZERO_WIDTH, nfkc, normalize_cell, value_key

MAX_ERRORS_KEPT = 5000  # rows with only a remark (every refused row is always kept)
EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_LIST_SPLIT = re.compile(r"[,，、;；\s]+")
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")
_ALL_SPACES = re.compile(r"\s+")


class RowError(Exception):
    """A cell that cannot be read; the message names the column and what to write instead."""


# --- columns and cell parsing -------------------------------------------------------------------
@dataclass
class ParseContext:
    """What parsing one batch's cells needs beyond the columns: the user's own header names (for
    the messages), the value synonyms in force, and the count of values a synonym translated."""

    headers: dict = field(default_factory=dict)  # field key → the user's header
    values: dict = field(default_factory=dict)  # field key → {value key: Chinese label}
    translated: Counter = field(default_factory=Counter)  # (field key, as written) → rows
    required: set = field(default_factory=set)  # columns required here (an address whose parts are)


@dataclass
class Column:
    header: str  # what the workbook calls it (Chinese)
    key: str
    required: bool = False
    kind: str = "text"  # text | date | choice | phone | list | int | address
    choices: Any = None  # a TextChoices class for kind="choice"
    example: str = ""
    help: str = ""
    max_length: int = 200
    aliases: tuple = ()
    text_format: bool = False  # format the template column as text (long digit strings)
    mask: str | None = None  # masking rule in error reports (see core.masking)
    compact: bool = False  # a code (ID number): NFKC, no spaces anywhere
    fills: tuple = ()  # kind="address": the fields its parts go to (小区, 楼栋, 单元, 房号)
    _cache: dict = field(default_factory=dict, repr=False)

    def labels(self) -> list[str]:
        """The drop-down's labels: always the Chinese ones, which is what workbooks carry."""
        if not self.choices:
            return []
        with translation.override(settings.LANGUAGE_CODE):
            return [str(label) for label in self.choices.labels]

    def lookup(self) -> dict:
        """Chinese label (or stored value) → stored value."""
        table = {}
        if self.choices is not None:
            for value, label in zip(self.choices.values, self.labels(), strict=True):
                table[label] = value
                table[str(value)] = value
        return table

    def parse(self, raw):
        """Cell value → Python value; raises RowError with a Chinese reason."""
        return self.parser()(raw)

    def parser(self, ctx: ParseContext | None = None):
        """A function for this column's cells, built once per import (100,000 rows × 22 cells):
        with a context, for that batch (its headers, its synonyms); without, the template's."""
        if ctx is not None:
            return self._build(ctx.headers.get(self.key) or self.header, ctx)
        if "parser" not in self._cache:
            self._cache["parser"] = self._build(self.header, ParseContext())
        return self._cache["parser"]

    def _build(self, header, ctx: ParseContext):
        required = self.required or self.key in ctx.required
        kind, limit, key = self.kind, self.max_length, self.key
        odd = sheets.has_odd_spaces
        text_format, compact = self.text_format, self.compact

        def empty():
            if required:
                raise RowError(_("“%(h)s”为必填项，不能为空。") % {"h": header})
            return None

        def lost_digits():
            return RowError(
                _(
                    "“%(h)s”被 Excel 存成了数字（科学计数法），末几位已丢失、无法恢复。请把该列设为文本格式后重新填写。"
                )
                % {"h": header}
            )

        def text_of(raw):
            if type(raw) is str:
                return raw.strip()
            if text_format and isinstance(raw, float) and abs(raw) >= 1e11:
                raise lost_digits()
            return cell_text(raw)

        if compact:  # a code: full-width as ASCII, no spaces anywhere, no scientific notation

            def text_of(raw, plain=text_of):
                text = plain(raw)
                if text and not text.isascii():
                    text = nfkc(text).translate(ZERO_WIDTH)
                text = _ALL_SPACES.sub("", text)
                if _SCIENTIFIC.match(text):
                    raise lost_digits()
                return text

        elif kind in ("text", "list", "address"):  # words: inner odd spaces and padding cleaned up

            def text_of(raw, plain=text_of):
                if type(raw) is not str:
                    return plain(raw)
                text = raw.strip()
                return text if text.isascii() or odd(text) is None else normalize_cell(text)

        if kind == "date":

            def parse(raw):
                if raw is None or raw == "":
                    return empty()
                return parse_date(raw, header)

        elif kind == "int":

            def parse(raw):
                if raw is None or raw == "":
                    return empty()
                try:
                    return int(float(nfkc(raw) if isinstance(raw, str) else raw))
                except (TypeError, ValueError):
                    raise RowError(_("“%(h)s”应为整数。") % {"h": header}) from None

        elif kind == "choice":
            lookup = self.lookup()
            exact = {**lookup, **{value_key(k): v for k, v in lookup.items()}}
            by_label = {value_key(k): v for k, v in lookup.items()}
            synonyms = {
                k: by_label[value_key(t)]
                for k, t in ctx.values.get(key, {}).items()
                if value_key(t) in by_label
            }
            translated = ctx.translated
            shown = "、".join(self.labels()[:12])

            def parse(raw):
                text = text_of(raw) if raw is not None else ""
                if not text:
                    return empty()
                value = exact.get(text)
                if value is None:
                    vk = value_key(text)
                    value = exact.get(vk)
                    if value is None:
                        value = synonyms.get(vk)
                        if value is None:
                            raise RowError(
                                _("“%(h)s”的值“%(v)s”不在可选项中，请从下拉框选择：%(o)s。")
                                % {"h": header, "v": text[:20], "o": shown}
                            )
                        translated[(key, text)] += 1
                return value

        elif kind == "phone":

            def parse(raw):
                text = text_of(raw) if raw is not None else ""
                return parse_phone(nfkc(text), header) if text else empty()

        elif kind == "list":

            def parse(raw):
                text = text_of(raw) if raw is not None else ""
                return [p for p in _LIST_SPLIT.split(text) if p] if text else empty()

        elif kind == "address":
            from shequ.core.addresses import AddressError, split_address

            def parse(raw):
                text = text_of(raw) if raw is not None else ""
                if not text:
                    return empty()
                try:
                    return split_address(text)
                except AddressError as exc:
                    raise RowError(_("“%(h)s”无法拆分：%(r)s") % {"h": header, "r": exc}) from None

        else:

            def parse(raw):
                if type(raw) is str and not compact:  # text_of inlined: most cells are text
                    text = raw.strip()
                    if not text.isascii() and odd(text) is not None:
                        text = normalize_cell(text)
                else:
                    text = text_of(raw) if raw is not None else ""
                if not text:
                    return empty()
                if len(text) > limit:
                    raise RowError(
                        _("“%(h)s”过长（%(n)d 字），最多 %(m)d 字。")
                        % {"h": header, "n": len(text), "m": limit}
                    )
                return text

        return parse


def cell_text(raw) -> str:
    """A cell as text; whole-number floats lose their '.0' (Excel stores 1201 as 1201.0)."""
    if isinstance(raw, float):
        if raw.is_integer():
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, (dt.datetime, dt.date)):
        return raw.isoformat()[:10]
    return str(raw).strip()


def parse_date(raw, header: str = "") -> dt.date:
    """2024-01-02, 2024/1/2, 2024.1.2, 2024年1月2日, 20240102 or an Excel serial number."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        n = int(raw)
        if 19000101 <= n <= 21001231:
            raw = str(n)
        elif 1 <= n < 80000:
            return EXCEL_EPOCH + dt.timedelta(days=n)
    text = str(raw).strip()
    if not text.isascii():
        text = nfkc(text)
    try:
        if len(text) == 8 and text.isdigit():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        m = _DATE_RE.match(text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if text.isdigit() and 1 <= int(text) < 80000:
            return EXCEL_EPOCH + dt.timedelta(days=int(text))
    except ValueError:
        pass
    raise RowError(
        _("“%(h)s”的日期“%(v)s”无法识别，请写成 2024-01-02、2024/1/2 或 20240102。")
        % {"h": header, "v": text[:20]}
    )


_PHONE_STRIP = re.compile(r"[\s()（）]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def parse_phone(text: str, header: str = "") -> str:
    v = _PHONE_STRIP.sub("", nfkc(text))
    if v.startswith("+86"):
        v = v[3:]
    if _MOBILE.match(v) or _LANDLINE.match(v):
        return v
    raise RowError(_("“%(h)s”格式不正确：手机号为 11 位、以 1 开头；座机写成 027-12345678。") % {"h": header})


# --- reading a workbook -------------------------------------------------------------------------
def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def check_size(size: int) -> None:
    """Refuse an oversized upload (callers check before reading it into memory)."""
    if size > max_bytes():
        raise ValidationFailed(
            _("文件过大（%(n).1f MB），单个文件不能超过 %(m)d MB，请拆分后分批导入。")
            % {"n": size / 1048576, "m": max_bytes() // 1048576},
            code="file_too_large",
        )


def check_file(name: str, data: bytes) -> None:
    """Refuse what is not a spreadsheet we can read (.xlsx, .xls, .et, .ods) or a CSV file, before
    anything is stored."""
    if not data:
        raise ValidationFailed(_("上传的文件是空的，请重新选择文件。"), code="empty_file")
    check_size(len(data))
    if not sheets.file_kind(name, data):
        raise ValidationFailed(
            _("文件“%(f)s”不是 Excel、WPS 或 CSV 表格，请上传 .xlsx、.xls、.et 或 .csv 文件。")
            % {"f": name[:60]},
            code="wrong_file_type",
        )


class Body:
    """The data rows of a reading, (sheet, line, row), read from the file each time they are
    iterated: an import streams them in chunks and never holds the file's rows."""

    def __init__(self, layouts: list, multi: bool, skip_hidden: bool):
        self.layouts, self.multi, self.skip_hidden = layouts, multi, skip_hidden

    def __iter__(self):
        skip = self.skip_hidden
        for lay in self.layouts:
            name = lay.sheet if self.multi else ""
            for line, raw, hidden in lay.rows():
                if not (skip and hidden):
                    yield name, line, raw

    def __len__(self) -> int:
        return sum(1 for _row in self)

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None

    def forget(self) -> None:
        """Let go of what reading the rows loaded (an .xlsx's shared strings) where another
        process reads them: one copy of a 200,000-row file's texts, not two."""
        for lay in self.layouts:
            if lay.source.forget is not None:
                lay.source.forget()

    def estimate(self) -> int | None:
        """Rows, as the sheets claim them (for progress only)."""
        heights = [lay.source.height for lay in self.layouts]
        return None if None in heights else sum(heights)


@dataclass
class Reading:
    """A file read for one importer: the layout of the sheet the header was found in, the mapping
    that applies, and the data rows of the sheet(s) it covers as (sheet, line, row), streamed."""

    layout: sheets.Layout
    mapping: mappings.Mapping
    sure: bool  # the template's own header, or a mapping the user confirmed or saved
    rows: Body
    found: list  # [(Sheet, Layout)] every sheet with a header
    synonyms: mappings.Synonyms  # read once per file: parsing and the mapping step use them too
    multi: bool = False

    @property
    def used(self) -> list:
        return self.rows.layouts

    @property
    def skipped(self) -> list:
        """[(sheet, line, reason)] of the rows read so far that are not data."""
        return [(lay.sheet, line, why) for lay in self.used for line, why in lay.skipped]

    @property
    def hidden(self) -> list:
        return [(lay.sheet, line) for lay in self.used for line in lay.hidden]

    @property
    def sheets(self) -> list:
        """[{"name", "rows", "same": same header as the chosen sheet}] (reads through the sheets
        not read yet)."""
        sig = self.layout.signature
        return [
            {"name": sh.name, "rows": lay.read_through().count, "same": lay.signature == sig}
            for sh, lay in self.found
        ]


def read_file(cls, filename: str, data: bytes, options: dict, scope_code: str = "") -> Reading:
    """Find the header, decide the mapping (confirmed, named, saved for these headers, or guessed
    by the synonyms) and collect the data rows of the sheet or sheets it applies to."""
    book = sheets.read_book(filename, data)
    syn = mappings.synonyms_for(cls)
    known = syn.known()
    found = [(sh, sheets.find_layout(sh, known)) for sh in book]
    found = [(sh, lay) for sh, lay in found if lay is not None]
    if not found:
        with translation.override(settings.LANGUAGE_CODE):
            names = "、".join(str(c.header) for c in cls.columns)
        raise ValidationFailed(
            _(
                "没有找到表头：表格前 %(n)d 行中没有认得出的列名（如“%(h)s”）。请确认上传的是正确的表格，或下载模板按模板填写。"
            )
            % {"n": sheets.HEADER_SCAN, "h": names[:80]},
            code="missing_headers",
        )
    wanted = (options.get("mapping") or {}).get("sheet") or ""
    by_name = {sh.name: lay for sh, lay in found}
    if wanted and wanted != "*" and wanted not in by_name:
        raise ValidationFailed(
            _("文件中没有工作表“%(s)s”（有：%(all)s）。") % {"s": wanted, "all": "、".join(by_name)},
            code="missing_sheet",
        )
    layout = (
        by_name[wanted] if wanted in by_name else max((lay for _sh, lay in found), key=lambda lay: lay.score)
    )
    confirmed, name = options.get("mapping"), options.get("mapping_name") or ""
    if confirmed:
        mapping = mappings.from_json(
            confirmed, layout, cls, syn=syn, source=options.get("mapping_source") or "confirmed", name=name
        )
        sure = True
    elif name or scope_code:
        if name:
            saved = mappings.require_saved(cls, scope_code, name)
        else:
            saved = mappings.saved_for(cls, scope_code, layout)
        if saved is not None:
            mapping = mappings.from_json(saved.mapping, layout, cls, syn=syn, source="saved", name=saved.name)
            type(saved).objects.filter(pk=saved.pk).update(used_at=timezone.now())
            sure = True
        else:
            mapping, sure = mappings.guess(layout, cls, syn)
    else:
        mapping, sure = mappings.guess(layout, cls, syn)
    same = [lay for _sh, lay in found if lay.signature == layout.signature]
    used = same if mapping.sheet == "*" else [layout]
    body = Body(used, len(used) > 1, mapping.skip_hidden)
    return Reading(layout, mapping, sure, body, found, syn, body.multi)


def read_rows(data: bytes, cls, name: str = "upload.xlsx"):
    """(column index → key, data rows with their Excel line numbers) of a file read as the
    importer reads one without a confirmed mapping (the synonyms' guess)."""
    reading = read_file(cls, name, data, {})
    missing = mappings.missing_required(reading.mapping, cls)
    if missing:
        raise missing_columns_error(missing, reading)
    if not reading.rows:
        raise ValidationFailed(
            _("工作表“%(s)s”只有表头、没有数据行，请填写后再上传。") % {"s": reading.layout.sheet},
            code="empty_sheet",
        )
    return reading.mapping.columns, [(line, raw) for _sheet, line, raw in reading.rows]


def missing_columns_error(missing, reading: Reading) -> ValidationFailed:
    with translation.override(settings.LANGUAGE_CODE):
        need = "、".join(str(c.header) for c in missing)
    have = "、".join(c.label for c in reading.layout.columns)[:200]
    return ValidationFailed(
        _(
            "缺少必填列：%(h)s。表格中的列有：%(have)s。请在“核对列”中指定哪一列是%(h)s，或用映射文件指定（--mapping）。"
        )
        % {"h": need, "have": have},
        code="missing_headers",
    )


def parse_context(cls, reading: Reading) -> ParseContext:
    """The batch's own headers and value synonyms (shipped, administrators', the user's)."""
    syn = reading.synonyms
    mapping = reading.mapping
    values = {k: dict(v) for k, v in syn.values.items()}
    for k, table in mapping.values.items():
        values.setdefault(k, {}).update(table)
    headers = {k: mapping.labels[i] for i, k in mapping.columns.items()}
    cols = cls.column_map()
    mapped = set(mapping.columns.values())
    required = {
        k
        for k in mapped
        if cols[k].fills and any(cols[f].required and f not in mapped for f in cols[k].fills)
    }
    return ParseContext(headers, values, Counter(), required)


def parse_batch_row(cls, reading: Reading, raw: list) -> tuple[dict, list[str]]:
    """One row of a batch read as the batch reads it (its mapping, its synonyms)."""
    ctx = parse_context(cls, reading)
    cols = cls.column_map()
    parsers = {k: cols[k].parser(ctx) for k in set(reading.mapping.columns.values())}
    return parse_row(cols, reading.mapping.columns, raw, parsers)


def parse_row(
    columns: dict[str, Column], mapping: dict[int, str], raw: list, parsers=None, fills=None
) -> tuple[dict, list[str]]:
    """Cells → {key: value} and the messages of the cells that could not be read. An address
    column's parts fill the fields it splits into, where the file has no column of their own
    (`fills`: such columns' keys → the fields, worked out once per batch by the caller)."""
    if fills is None:
        fills = {k: columns[k].fills for k in mapping.values() if columns[k].fills}
    values = dict.fromkeys(columns)
    errors = []
    n = len(raw)
    for i, key in mapping.items():
        try:
            parse = parsers[key] if parsers else columns[key].parser()
            values[key] = parse(raw[i] if i < n else None)
        except RowError as exc:
            errors.append(str(exc))
    for key, targets in fills.items():  # an address's parts, where no column of their own says
        parts = values[key]
        values[key] = None
        if parts:
            for f, part in zip(targets, parts, strict=False):
                if part and values.get(f) in (None, ""):
                    values[f] = part
    return values, errors


# --- the importer contract ----------------------------------------------------------------------
class Outcome:
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
    CONFLICT = "conflict"  # the person exists where this importer may not touch them


OUTCOME_LABELS = {
    Outcome.NEW: _("新增"),
    Outcome.UPDATED: _("更新"),
    Outcome.UNCHANGED: _("无变化"),
    Outcome.REJECTED: _("有错误"),
    Outcome.CONFLICT: _("冲突"),
}


@dataclass
class PlannedRow:
    line: int  # the Excel line number a clerk sees
    raw: list
    values: dict
    outcome: str = Outcome.NEW
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    target: Any = None  # the existing object an update applies to
    extra: dict = field(default_factory=dict)
    sheet: str = ""  # the sheet's name where a batch reads several sheets

    @property
    def where(self) -> str:
        return row_where(self.sheet, self.line)


def row_where(sheet: str, line: int) -> str:
    """A row as a clerk finds it: 第 12 行, or 工作表“二网格”第 12 行."""
    if sheet:
        return _("工作表“%(s)s”第 %(n)d 行") % {"s": sheet, "n": line}
    return _("第 %(n)d 行") % {"n": line}


@dataclass
class Plan:
    rows: list[PlannedRow]
    notes: list[str] = field(default_factory=list)  # batch-level remarks for the preview
    extra: dict = field(default_factory=dict)

    def counts(self) -> dict:
        out = {k: 0 for k in OUTCOME_LABELS}
        for r in self.rows:
            out[r.outcome] += 1
        return out

    def accepted(self):
        return [r for r in self.rows if r.outcome in (Outcome.NEW, Outcome.UPDATED)]


class Importer:
    """Subclass per kind of workbook and register it with `register_importer`."""

    do_not_call_in_templates = True  # templates read importer.title from the class

    kind = ""
    title = ""
    perm = ""  # the permission needed over the batch's scope
    # Rows per call of plan (and of apply, when committing): the file streams through the importer
    # in chunks of this size, so a 200,000-row file is never held. A chunked importer keeps on
    # itself what must hold across the file (the ID numbers seen so far) and returns from each
    # plan call the notes and extra of the file so far (the last call's stand). None: one call
    # with every row.
    chunk_rows: int | None = None
    columns: list[Column] = []  # the template's columns, in order
    extra_columns: list[Column] = []  # read when a file has them, not in the template (one address)
    instructions: list[str] = []
    example: dict = {}

    def __init__(self, batch, actor):
        self.batch = batch
        self.actor = actor
        self.writing = False

    @classmethod
    def column_map(cls) -> dict[str, Column]:
        return {c.key: c for c in (*cls.columns, *cls.extra_columns)}

    def lock(self) -> None:
        """Serialise commits that could collide (taken before the commit re-plans)."""

    def start(self) -> None:
        """Load what every chunk of the file is checked against, once per batch, before the rows
        are read (a reading process inherits it)."""

    def prepare(self, rows: list[PlannedRow]) -> None:
        """The work on each row that needs nothing but the row and what `start` loaded: no query,
        nothing carried from row to row. It may run in the reading process (see run_rows), so it
        changes the rows only. `self.writing` says whether the rows are to be written."""

    def plan(self, rows: list[PlannedRow], progress) -> Plan:
        raise NotImplementedError

    def apply(self, plan: Plan) -> dict:
        raise NotImplementedError

    def undo(self) -> dict:
        raise NotImplementedError


_importers: dict[str, type[Importer]] = {}


def register_importer(cls: type[Importer]) -> type[Importer]:
    _importers[cls.kind] = cls
    return cls


def registered_importers() -> dict[str, type[Importer]]:
    return dict(_importers)


# Workbooks read through this engine (its layouts, synonyms and mapping step) but written by their
# own module's flow rather than as a batch: the duty lists replace a whole draft.
_workbooks: dict[str, type] = {}


def register_workbook(cls):
    _workbooks[cls.kind] = cls
    return cls


def mapped_workbooks() -> dict[str, type]:
    """Every kind of workbook with synonyms: the importers and the workbooks read without batches."""
    return {**_importers, **_workbooks}


def importer_for(kind: str) -> type[Importer]:
    try:
        return _importers[kind]
    except KeyError:
        raise ValidationFailed(_("未知的导入类型。"), code="unknown_import") from None


# --- running a batch ----------------------------------------------------------------------------
class Progress:
    """Writes the batch's progress at most every few percent (a cheap UPDATE outside the data
    transaction, so a polling page sees it move)."""

    def __init__(self, batch, start: int, end: int):
        self.batch, self.start, self.end, self.last = batch, start, end, -1

    def __call__(self, done: int, total: int) -> None:
        pct = self.start + (self.end - self.start) * done // max(total, 1)
        if pct >= self.last + 5 or done == total:
            self.last = pct
            type(self.batch).objects.filter(pk=self.batch.pk).update(progress=pct)


def read_batch(batch) -> Reading:
    """The batch's file read with the mapping its options name (see read_file)."""
    cls = importer_for(batch.kind)
    return read_file(cls, batch.filename, batch.data, batch.options, batch.scope_code)


class Tally:
    """What a batch's rows came to, kept while they stream past: the counts, the rows with
    messages (every refused row, the first MAX_ERRORS_KEPT with only warnings), the notes."""

    def __init__(self):
        self.total = 0
        self.counts = {k: 0 for k in OUTCOME_LABELS}
        self.kept = []
        self.notes_kept = 0
        self.notes, self.extra = [], {}

    def add(self, plan: Plan) -> None:
        self.total += len(plan.rows)
        for r in plan.rows:
            self.counts[r.outcome] += 1
            if r.errors or (r.warnings and self.notes_kept < MAX_ERRORS_KEPT):
                self.notes_kept += not r.errors
                self.kept.append(
                    {
                        "row": r.line,
                        **({"sheet": r.sheet} if r.sheet else {}),
                        "outcome": r.outcome,
                        "messages": [str(m) for m in r.errors],
                        "warnings": [str(m) for m in r.warnings],
                        "name": str(r.values.get("name") or "")[:20],
                        **({"action": r.extra["action"]} if r.extra.get("action") else {}),
                    }
                )
        self.notes, self.extra = list(plan.notes), dict(plan.extra)


def _chunks(reading: Reading, size: int | None, limit: int):
    """The data rows in lists of `size` (all in one list for None); past `limit` rows the file is
    refused, with its full count."""
    chunk, n = [], 0
    rows = iter(reading.rows)
    for item in rows:
        n += 1
        if n > limit:
            n += sum(1 for _row in rows)
            raise ValidationFailed(
                _("文件有 %(n)d 行数据，单次最多导入 %(m)d 行，请拆分后分批导入。") % {"n": n, "m": limit},
                code="too_many_rows",
            )
        chunk.append(item)
        if size and len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_rows(batch, actor, reading: Reading | None = None, *, write: bool = False):
    """Read the stored file, parse its rows and let the importer decide each row's outcome, chunk
    by chunk (see Importer.chunk_rows); with write, each chunk is applied as soon as it is planned
    (the caller holds the transaction). Returns (importer, tally, what apply returned, summed).

    A file of more rows than IMPORT_READ_AHEAD_ROWS is read, parsed and prepared (see
    Importer.prepare) in a second process, a chunk ahead of the planning and writing here (see
    core.readahead); the rows, messages and notes are the same either way."""
    cls = importer_for(batch.kind)
    importer = cls(batch, actor)
    reading = reading or read_batch(batch)
    missing = mappings.missing_required(reading.mapping, cls)
    if missing:
        raise missing_columns_error(missing, reading)
    if not reading.rows:
        raise ValidationFailed(
            _("工作表“%(s)s”只有表头、没有数据行，请填写后再上传。") % {"s": reading.layout.sheet},
            code="empty_sheet",
        )
    cols = cls.column_map()
    mapping = reading.mapping.columns
    ctx = parse_context(cls, reading)
    parsers = {key: cols[key].parser(ctx) for key in set(mapping.values())}
    fills = {k: cols[k].fills for k in mapping.values() if cols[k].fills}
    chunked = cls.chunk_rows is not None
    expected = reading.rows.estimate()
    importer.writing = write
    importer.start()

    def prepared_chunks():  # in the reading process, or here
        for chunk in _chunks(reading, cls.chunk_rows, settings.IMPORT_MAX_ROWS):
            rows = []
            for sheet, line, raw in chunk:
                values, errors = parse_row(cols, mapping, raw, parsers, fills)
                row = PlannedRow(line, None, values, Outcome.REJECTED if errors else Outcome.NEW, errors)
                if sheet:
                    row.sheet = sheet
                rows.append(row)
            del chunk
            importer.prepare(rows)
            yield rows
        # What reading the rows found out, for the notes (the reading process' copies are its own).
        return [(lay.skipped, lay.hidden, lay.count) for lay in reading.used], ctx.translated

    threshold = settings.IMPORT_READ_AHEAD_ROWS
    source = readahead.Ahead(
        prepared_chunks, fork=bool(threshold) and (expected or threshold + 1) > threshold
    )
    progress = Progress(batch, 5, 95)
    quiet = (lambda done, total: None) if chunked else None
    tally, result, done = Tally(), {}, 0
    with contextlib.closing(iter(source)) as chunks:
        for rows in chunks:
            if not done and source.fork:
                reading.rows.forget()  # the reading process has its own copy
            done += len(rows)
            plan = importer.plan(rows, quiet or Progress(batch, 40, 70))
            if write:
                importer.progress = quiet or Progress(batch, 70, 99)
                for k, v in (importer.apply(plan) or {}).items():
                    result[k] = result.get(k, 0) + v if isinstance(v, int) else v
            tally.add(plan)
            if chunked:
                progress(done, max(expected or 0, done + 1))
    found, ctx.translated = source.result
    for lay, (skipped, hidden, count) in zip(reading.used, found, strict=True):
        lay.skipped, lay.hidden, lay.count = skipped, hidden, count
    tally.notes[:0] = reading_notes(cls, reading, ctx)
    tally.extra.update(reading_extra(cls, reading, ctx))
    return importer, tally, result


def _lines(lines, limit=8) -> str:
    shown = "、".join(str(n) for n in lines[:limit])
    return shown + (_(" 等 %(n)d 行") % {"n": len(lines)} if len(lines) > limit else "")


def reading_notes(cls, reading: Reading, ctx: ParseContext, owner: str = "") -> list[str]:
    """What the preview says about how the file was read, so no guess passes silently: the mapping
    in force (saved by `owner`, 本社区 unless said), the columns left out, each value a synonym
    translated and in how many rows, the rows skipped as totals or footers, hidden rows, the
    sheets read, how an address was split."""
    cols = cls.column_map()
    m = reading.mapping
    notes = []
    with translation.override(settings.LANGUAGE_CODE):
        if m.source == "saved":
            notes.append(_("已套用%(o)s保存的映射“%(m)s”。") % {"o": owner or _("本社区"), "m": m.name})
        renamed = [
            f"{m.labels[i]} → {cols[k].header}"
            for i, k in sorted(m.columns.items())
            if m.labels[i] != str(cols[k].header)
        ]
        if renamed:
            notes.append(_("列的对应：%(c)s。") % {"c": "；".join(renamed)})
        left = [m.labels[i] for i in sorted(m.labels) if i not in m.columns]
        if left:
            notes.append(_("未导入的列：%(c)s。") % {"c": "、".join(left)})
        for (key, written), n in sorted(ctx.translated.items(), key=lambda kv: (kv[0][0], -kv[1])):
            label = _translated_label(cols[key], ctx, written)
            notes.append(
                _("%(h)s：“%(v)s” → %(l)s：%(n)d 行")
                % {"h": ctx.headers.get(key, cols[key].header), "v": written, "l": label, "n": n}
            )
    by_sheet = {}
    for sheet, line, why in reading.skipped:
        by_sheet.setdefault(sheet if reading.multi else "", []).append((line, why))
    for sheet, items in by_sheet.items():
        prefix = _("工作表“%(s)s”") % {"s": sheet} if sheet else ""
        for line, why in items[:10]:
            notes.append(
                _("%(p)s第 %(n)d 行是%(w)s，已跳过，不作为数据导入。") % {"p": prefix, "n": line, "w": why}
            )
        if len(items) > 10:
            notes.append(_("另有 %(n)d 行合计行或表尾已跳过。") % {"n": len(items) - 10})
    if reading.hidden:
        lines = [line for _s, line in reading.hidden]
        if m.skip_hidden:
            notes.append(_("第 %(l)s 行在 Excel 中被隐藏，按映射的设置已跳过。") % {"l": _lines(lines)})
        else:
            notes.append(
                _("第 %(l)s 行在 Excel 中被隐藏，这些行也会导入；如不需要，请在“核对列”中选择跳过隐藏行。")
                % {"l": _lines(lines)}
            )
    if reading.multi:
        used = [s for s in reading.sheets if s["same"]]
        notes.append(
            _("导入了 %(n)d 个表头相同的工作表：%(s)s。")
            % {"n": len(used), "s": "、".join(f"{s['name']}（{s['rows']}）" for s in used)}
        )
    else:
        alike = [s["name"] for s in reading.sheets if s["same"] and s["name"] != reading.layout.sheet]
        if alike:
            notes.append(
                _("只导入了工作表“%(s)s”；“%(o)s”表头相同，如需一并导入，请在“核对列”中选择“全部工作表”。")
                % {"s": reading.layout.sheet, "o": "、".join(alike)}
            )
    for i, k in sorted(m.columns.items()):
        if cols[k].fills:
            notes.append(address_note(m.labels[i]))
    return notes


def _translated_label(col: Column, ctx: ParseContext, written: str) -> str:
    return ctx.values.get(col.key, {}).get(value_key(written), "")


def address_note(header: str) -> str:
    from shequ.core.addresses import RULES

    examples = "；".join(f"“{ex}” → {res}" for _rule, ex, res in RULES[:4])
    return _("“%(h)s”一列按规则拆分为小区、楼栋、单元、房号（例：%(e)s）；拆不开的行列为错误并说明原因。") % {
        "h": header,
        "e": examples,
    }


def reading_extra(cls, reading: Reading, ctx: ParseContext) -> dict:
    """The same, as data for the API and the command line (kept on the batch)."""
    cols = cls.column_map()
    with translation.override(settings.LANGUAGE_CODE):
        translated = [
            {
                "column": ctx.headers.get(key, str(cols[key].header)),
                "field": key,
                "from": written,
                "to": _translated_label(cols[key], ctx, written),
                "rows": n,
            }
            for (key, written), n in sorted(ctx.translated.items())
        ]
    return {
        "mapping": reading.mapping.to_json(),
        "mapping_source": reading.mapping.source,
        "mapping_name": reading.mapping.name,
        "skipped_rows": [{"sheet": s, "row": line, "reason": str(why)} for s, line, why in reading.skipped],
        "hidden_rows": [{"sheet": s, "row": line} for s, line in reading.hidden],
        "translated": translated,
        "sheets": reading.sheets,
    }


def summarise(batch, tally: Tally) -> None:
    """Preview figures and the first messages, kept on the batch (never a raw ID number)."""
    batch.total_rows = tally.total
    batch.counts = tally.counts
    batch.errors = tally.kept
    batch.options = {**batch.options, "notes": [str(n) for n in tally.notes], **tally.extra}


def error_report(batch, actor=None) -> bytes:
    """The refused rows with an error column (xlsx), rebuilt from the stored file, their original
    line numbers first so the clerk corrects their own file. Columns marked `mask` (ID numbers,
    phones) are masked: a report travels further than the file. Each download is logged."""
    if actor is not None:
        from shequ.core import changelog
        from shequ.core.models import Action

        changelog.record(actor, Action.EXPORT, batch, note=f"错误报告 {batch.batch_label}")
    from shequ.core.excel import workbook_bytes
    from shequ.core.masking import mask

    cls = importer_for(batch.kind)
    reading = read_batch(batch)
    by_line = {(e.get("sheet", ""), e["row"]): e for e in batch.errors}
    width = max((len(r) for _s, _line, r in reading.rows), default=0)
    head = [""] * width
    for c in reading.layout.columns:
        if c.index < width:
            head[c.index] = c.label
    columns = cls.column_map()
    masked = {i: columns[key].mask for i, key in reading.mapping.columns.items() if columns[key].mask}
    out = []
    for sheet, line, raw in reading.rows:
        e = by_line.get((sheet, line))
        if not e or not (e["messages"] or e["outcome"] == Outcome.CONFLICT):
            continue
        cells = [cell_text(v) if v is not None else "" for v in raw] + [""] * (width - len(raw))
        for i, rule in masked.items():
            if i < len(cells):
                cells[i] = mask(cells[i], rule)
        out.append([*([sheet] if reading.multi else []), line, *cells, "；".join(e["messages"])])
    headers = [*([_("工作表")] if reading.multi else []), _("原行号"), *head, _("错误原因")]
    return workbook_bytes(_("错误报告"), headers, out, note=_("请按“错误原因”改正后重新导入这些行。"))


def template_bytes(cls: type[Importer]) -> bytes:
    """The blank workbook: headers (required ones marked), drop-downs for enumerations, text
    format for long numbers, an example row and an instructions sheet."""
    with translation.override(settings.LANGUAGE_CODE):  # the workbook format is Chinese
        return _template_bytes(cls)


def _template_bytes(cls) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(str(cls.title)[:31])
    lists = wb.add_worksheet(_("选项"))
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    head_req = wb.add_format({"bold": True, "bg_color": "#FDE2E1", "border": 1, "font_color": "#B42318"})
    text = wb.add_format({"num_format": "@"})
    example = wb.add_format({"font_color": "#667085", "italic": True, "num_format": "@"})
    for i, c in enumerate(cls.columns):
        ws.write_string(0, i, str(c.header), head_req if c.required else head)
        ws.set_column(i, i, max(10, len(c.header) * 2 + 4), text if c.text_format else None)
        if c.help:
            ws.write_comment(0, i, str(c.help))
        ws.write_string(1, i, str(cls.example.get(c.key, c.example) or ""), example)
        labels = c.labels()
        if labels:
            lists.write_column(0, i, labels)
            letter = xlsxwriter.utility.xl_col_to_name(i)
            ws.data_validation(
                1,
                i,
                100_000,
                i,
                {
                    "validate": "list",
                    "source": f"='{_('选项')}'!${letter}$1:${letter}${len(labels)}",
                    "error_title": str(_("请从下拉框选择")),
                    "error_message": str(_("请从下拉框中选择“%(h)s”的值。") % {"h": c.header}),
                },
            )
    ws.freeze_panes(1, 0)
    lists.hide()
    info = wb.add_worksheet(_("填写说明"))
    info.set_column(0, 0, 110)
    info.write(0, 0, str(_("%(t)s导入模板 · 填写说明") % {"t": cls.title}), head)
    lines = [
        _("1. 红色表头为必填列；请勿删除、改名或调换表头。第 2 行是示例，导入前请删除或覆盖。"),
        _("2. 日期可写成 2024-01-02、2024/1/2、20240102，或使用 Excel 日期格式。"),
        _(
            "3. 带下拉框的列请从下拉框中选择；证件号码、电话列已设为文本格式，请勿改为数字（否则末几位会丢失）。"
        ),
        *cls.instructions,
    ]
    for n, line in enumerate(lines, start=2):
        info.write_string(n, 0, str(line))
    wb.close()
    return buf.getvalue()


def create_batch(actor, kind: str, scope_code: str, filename: str, data: bytes, options=None):
    """Check the file and the actor's right to import here; store the batch (nothing else)."""
    from shequ.core import services
    from shequ.core.models import ImportBatch, ImportFile

    cls = importer_for(kind)
    services.require(actor, cls.perm, scope_code)
    check_file(filename, data)
    options = dict(options or {})
    if options.get("mapping") is not None:
        mappings.check(options["mapping"], cls)
    if options.get("mapping_name"):
        mappings.require_saved(cls, scope_code, options["mapping_name"])
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            scope_code=scope_code,
            filename=filename[:200],
            size=len(data),
            options=options,
            created_by=actor,
        )
        # The workbook holds ID numbers: encrypted like the fields.
        ImportFile.objects.create(batch=batch, content=encrypt_bytes(data))
    return batch


def _fail(batch, exc) -> None:
    from shequ.core.models import ImportStatus

    batch.status = ImportStatus.FAILED
    batch.message = str(getattr(exc, "message", exc))[:500]
    batch.save(update_fields=["status", "message"])


def _task_context() -> dict:
    """The request id and IP of the act that queues a job, for the job's change-log rows."""
    from shequ.core import context

    ctx = context.current()
    return {"request_id": ctx.request_id, "ip": ctx.ip, "channel": ctx.channel}


def queue_validation(batch, actor) -> None:
    """Check the workbook in the background once the batch is saved (in-process without a broker)."""
    from shequ.core import tasks

    ctx = _task_context()
    transaction.on_commit(lambda: tasks.validate_import.delay(batch.pk, actor.pk, ctx))


def start_upload(actor, kind: str, scope_code: str, uploaded, options=None):
    """An upload page's act: refuse an oversize file before reading it, store the batch and queue
    its check. Raises DomainError with the message for the file field."""
    check_size(uploaded.size)
    batch = create_batch(actor, kind, scope_code, uploaded.name, uploaded.read(), options)
    queue_validation(batch, actor)
    return batch


def recent_batches(actor, kind: str, n: int = 10):
    """The latest batches of this kind the actor may see (without their stored workbooks)."""
    from shequ.core.models import ImportBatch

    return ImportBatch.objects.visible_to(actor).filter(kind=kind).select_related("created_by")[:n]


def queue_commit(batch, actor, *, valid_only: bool = True, create_missing: bool | None = None) -> None:
    """Move a previewed batch to "committing" and queue its commit. A conditional UPDATE is the
    lock: of two clicks (or two tabs), exactly one moves the batch on; the other gets a Conflict."""
    from shequ.core import services, tasks
    from shequ.core.models import ImportBatch, ImportStatus

    services.require(actor, importer_for(batch.kind).perm, batch.scope_code)
    options = dict(batch.options)
    if create_missing is not None:
        options["create_missing"] = create_missing
    ctx = _task_context()
    with transaction.atomic():
        moved = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.READY).update(
            status=ImportStatus.COMMITTING, progress=0, options=options
        )
        if not moved:
            batch.refresh_from_db(fields=["status"])
            if batch.status in (ImportStatus.COMMITTING, ImportStatus.COMMITTED):
                raise Conflict(_("该批次已在导入或已导入，请勿重复确认。"), code="already_committed")
            raise Conflict(
                _("该批次当前状态为“%(s)s”，只有“待确认”的批次可以确认导入。")
                % {"s": batch.get_status_display()},
                code="not_ready",
            )
        transaction.on_commit(lambda: tasks.commit_import.delay(batch.pk, actor.pk, valid_only, ctx))


@contextlib.contextmanager
def _no_cyclic_gc():
    """An import allocates millions of small objects and frees none until it ends: the cyclic
    collector would walk them again and again (a quarter of an import's time, measured)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def validate_batch(batch, actor) -> None:
    """Preview: parse and plan every row; write nothing but the batch's figures."""
    with _no_cyclic_gc():
        _validate(batch, actor)


def _validate(batch, actor) -> None:
    from shequ.core.models import ImportStatus

    batch.status, batch.progress = ImportStatus.VALIDATING, 1
    batch.save(update_fields=["status", "progress"])
    try:
        cls = importer_for(batch.kind)
        reading = read_batch(batch)
        missing = mappings.missing_required(reading.mapping, cls)
        remap = batch.options.pop("remap", False)
        if remap or (not batch.options.get("auto") and (not reading.sure or missing)):
            batch.options = {**batch.options, "layout": mapping_step(cls, reading)}
            batch.status, batch.progress, batch.message = ImportStatus.MAPPING, 100, ""
            batch.save(update_fields=["status", "progress", "options", "message"])
            return
        _importer, tally, _result = run_rows(batch, actor, reading)
    except ValidationFailed as exc:
        _fail(batch, exc)
        return
    except Exception:  # a bug must not leave the batch "validating" for ever
        logging.getLogger("shequ.imports").exception("validating import batch %s failed", batch.pk)
        _fail(batch, _("校验过程中出现错误，没有写入任何数据。请稍后重试或联系管理员。"))
        return
    summarise(batch, tally)
    batch.status, batch.progress = ImportStatus.READY, 100
    batch.save(update_fields=["status", "progress", "total_rows", "counts", "errors", "options"])


_LOOKS_SENSITIVE = re.compile(r"^[\d０-９]{6,}[\dXx]?$|^1[3-9]\d{9}$")


def mapping_step(cls, reading: Reading) -> dict:
    """What the mapping step shows, kept on the batch: each source column with its first values
    (an ID number or a phone masked) and the field it is read as, the values of choice columns
    that are not the workbook's own labels with their reading, the required fields left without
    a column, and the sheets."""
    from shequ.core.masking import mask

    cols = cls.column_map()
    m = reading.mapping
    samples = {c.index: [] for c in reading.layout.columns}
    wanted = len(samples)

    def body():  # one pass: the first values of each column, and the values report
        nonlocal wanted
        for _s, line, raw in reading.rows:
            if wanted:
                for c in reading.layout.columns:
                    got = samples[c.index]
                    if len(got) == 3 or c.index >= len(raw) or raw[c.index] in (None, ""):
                        continue
                    key = m.columns.get(c.index, "")
                    rule = cols[key].mask if key else None
                    text = cell_text(raw[c.index])[:24]
                    if rule or _LOOKS_SENSITIVE.match(text):
                        text = mask(text, rule or ("phone" if len(text) == 11 else "id_number"))
                    got.append(text)
                    wanted -= len(got) == 3
            yield line, raw

    values = mappings.value_report(reading.layout, m, cls, reading.synonyms, body())
    columns = [
        {"index": c.index, "label": c.label, "samples": samples[c.index], "field": m.columns.get(c.index, "")}
        for c in reading.layout.columns
    ]
    return {
        "sheet": reading.layout.sheet,
        "signature": reading.layout.signature,
        "header_lines": list(reading.layout.header_lines),
        "sheets": reading.sheets,
        "all_sheets": m.sheet == "*",
        "skip_hidden": m.skip_hidden,
        "hidden": len(reading.hidden),
        "skipped": len(reading.skipped),
        "columns": columns,
        "values": values,
        "missing": [c.key for c in mappings.missing_required(m, cls)],
        "source": m.source,
        "name": m.name,
    }


def check_mapping(cls, data: dict) -> None:
    """Refuse a mapping from the mapping step that names an unknown field, reads two columns as
    one field or leaves a required field without a column."""
    mappings.check(data, cls)  # the shape, unknown fields, values that are no label
    chosen = [k for k in (data.get("columns") or {}).values() if k]
    cols = cls.column_map()
    twice = sorted({k for k in chosen if chosen.count(k) > 1})
    if twice:
        message = _("“%(f)s”对应了不止一列，每个字段只能对应一列。") % {
            "f": "、".join(str(cols[k].header) for k in twice)
        }
    elif missing := mappings.uncovered_required(cls, chosen):
        message = _("还有必填项没有对应的列：%(f)s。") % {"f": "、".join(str(c.header) for c in missing)}
    else:
        return
    raise ValidationFailed(message, details={"columns": [str(message)]}, code="bad_mapping")


def confirm_mapping(batch, actor, data: dict, *, save_as: str = "") -> None:
    """The user's mapping (JSON, as in core.mapping): checked against the batch's columns, saved
    under a name for the community if asked, and the batch checked again with it."""
    from shequ.core import services

    cls = importer_for(batch.kind)
    services.require(actor, cls.perm, batch.scope_code)
    layout = batch.options.get("layout") or {}
    check_mapping(cls, data)
    options = {k: v for k, v in batch.options.items() if k not in ("layout", "mapping_name")}
    options.update({"mapping": data, "mapping_source": "confirmed"})
    if save_as:
        options["mapping_name"] = save_as[:60]
    with transaction.atomic():  # a batch already committing saves no mapping either
        _back_to_checking(batch, options)
        if save_as:
            # From the preview (or a failure) there is no mapping step's layout: read the header.
            signature = layout.get("signature") or (
                read_file(cls, batch.filename, batch.data, options, batch.scope_code).layout.signature
            )
            mappings.save(actor, cls, batch.scope_code, save_as, signature, data)
    batch.refresh_from_db()
    queue_validation(batch, actor)


def reopen_mapping(batch, actor, *, apply_name: str = "") -> None:
    """Back to the mapping step from the preview (or a failure), or apply a saved mapping by name."""
    from shequ.core import services

    cls = importer_for(batch.kind)
    services.require(actor, cls.perm, batch.scope_code)
    options = {
        k: v for k, v in batch.options.items() if k not in ("mapping", "mapping_source", "mapping_name")
    }
    if apply_name:
        mappings.require_saved(cls, batch.scope_code, apply_name)
        options["mapping_name"] = apply_name
    else:
        options["remap"] = True
    _back_to_checking(batch, options)
    batch.refresh_from_db()
    queue_validation(batch, actor)


def _back_to_checking(batch, options: dict) -> None:
    """A batch at the mapping step, the preview or a failure goes back to be checked with new
    options; one being committed (or done) is not moved, whoever else clicked first."""
    from shequ.core.models import ImportBatch, ImportStatus

    moved = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportStatus.MAPPING, ImportStatus.READY, ImportStatus.FAILED]
    ).update(status=ImportStatus.PENDING, progress=0, options=options, message="")
    if not moved:
        raise Conflict(_("该批次正在处理或已导入，不能再修改列的对应。"), code="not_mappable")


def commit_batch(batch, actor, *, valid_only: bool = True) -> dict:
    """Plan again under the importer's lock and write the accepted rows atomically (see _commit)."""
    with _no_cyclic_gc():
        return _commit(batch, actor, valid_only=valid_only)


def _commit(batch, actor, *, valid_only: bool = True) -> dict:
    """Plan again under the importer's lock (the registry may have moved since the preview) and
    write the accepted rows atomically. With valid_only=False any bad row cancels the whole file."""
    from shequ.core import changelog, services
    from shequ.core.models import Action, ImportStatus

    cls = importer_for(batch.kind)
    services.require(actor, cls.perm, batch.scope_code)
    with transaction.atomic():  # a batch is written once: a second commit (another tab) stops here
        current = type(batch).objects.select_for_update().get(pk=batch.pk).status
        if current not in (ImportStatus.PENDING, ImportStatus.READY, ImportStatus.COMMITTING):
            raise Conflict(_("该批次当前状态不能确认导入。"), code="not_ready")
    batch.status, batch.progress = ImportStatus.COMMITTING, 1
    batch.options = {**batch.options, "commit_started": timezone.now().isoformat()}
    batch.save(update_fields=["status", "progress", "options"])
    started = time.perf_counter()
    try:
        with transaction.atomic():
            cls(batch, actor).lock()
            # valid_only=False: the preview showed no bad row; one found now cancels it all.
            importer, tally, result = run_rows(batch, actor, write=True)
            counts = tally.counts
            bad = counts[Outcome.REJECTED] + counts[Outcome.CONFLICT]
            if bad and not valid_only:
                raise ValidationFailed(
                    _("有 %(n)d 行存在错误，已按“全部不导入”处理，没有写入任何数据。") % {"n": bad},
                    code="rows_rejected",
                )
            summarise(batch, tally)
            batch.status, batch.progress = ImportStatus.COMMITTED, 100
            batch.committed_by, batch.committed_at = actor, timezone.now()
            batch.message = ""
            batch.save(update_fields=[  # not the stored file again
                "status", "progress", "committed_by", "committed_at", "message",
                "total_rows", "counts", "errors", "options",
            ])  # fmt: skip
            changelog.record(
                actor,
                Action.IMPORT,
                batch,
                note=_("导入 %(f)s：新增 %(new)d，更新 %(upd)d，未变 %(same)d，拒绝 %(bad)d")
                % {
                    "f": batch.filename,
                    "new": counts[Outcome.NEW],
                    "upd": counts[Outcome.UPDATED],
                    "same": counts[Outcome.UNCHANGED],
                    "bad": bad,
                },
                batch=batch.batch_label,
            )
    except ValidationFailed as exc:
        batch.refresh_from_db(fields=["status"])
        _fail(batch, exc)
        raise
    except Exception as exc:
        _fail(batch, _("导入过程中出现错误，没有写入任何数据。请稍后重试或联系管理员。"))
        raise exc
    from shequ.core import metrics

    metrics.import_committed(
        batch.kind, counts[Outcome.NEW] + counts[Outcome.UPDATED], time.perf_counter() - started
    )
    return {**counts, **(result or {})}


def recover_interrupted(now=None) -> int:
    """Give back batches left "导入中" by a process that died mid-commit (the embedded default runs
    the commit in the web process; with a broker the task is delivered again to another worker and
    finishes it, see settings.CELERY_TASK_ACKS_LATE). A commit is one transaction, so a batch still
    marked committing long after it began wrote nothing: it is ready to be confirmed again. "Long"
    is IMPORT_STALE_SECONDS, past the broker's redelivery and far past the longest commit."""
    from django.conf import settings

    from shequ.core.models import ImportBatch, ImportStatus

    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    recovered = 0
    for batch in ImportBatch.objects.filter(status=ImportStatus.COMMITTING).only("pk", "options"):
        started = (batch.options or {}).get("commit_started")
        try:
            began = dt.datetime.fromisoformat(started) if started else None
        except ValueError:
            began = None
        if began is not None and began > limit:
            continue
        recovered += ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.COMMITTING).update(
            status=ImportStatus.READY,
            progress=0,
            message=_("上次确认导入在写入途中中断（处理进程退出），没有写入任何数据；请重新确认导入。")[:500],
        )
    if recovered:
        logging.getLogger("shequ.imports").warning(
            "import batches interrupted mid-commit given back as ready: %d", recovered
        )
    return recovered


def undo_batch(batch, actor) -> dict:
    """Take a committed batch back, atomically, if nothing it wrote has changed since."""
    from shequ.core import changelog
    from shequ.core.models import Action, ImportStatus

    cls = importer_for(batch.kind)
    from shequ.core import services

    services.require(actor, "core.undo_import", batch.scope_code)
    with transaction.atomic():
        locked = type(batch).objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportStatus.COMMITTED:
            raise Conflict(
                _("只有已导入的批次可以撤销（当前状态：%(s)s）。") % {"s": locked.get_status_display()}
            )
        result = cls(locked, actor).undo()
        locked.status = ImportStatus.UNDONE
        locked.undone_by, locked.undone_at = actor, timezone.now()
        locked.save(update_fields=["status", "undone_by", "undone_at"])
        changelog.record(
            actor,
            Action.IMPORT,
            locked,
            note=_("撤销导入批次 %(b)s") % {"b": locked.batch_label},
            batch=locked.batch_label,
        )
    batch.refresh_from_db()
    return result
