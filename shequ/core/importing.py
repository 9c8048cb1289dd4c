"""The Excel import engine every module reuses.

A module describes its workbook as a list of `Column`s and subclasses `Importer` with two acts:
`plan(rows)` decides, row by row, whether it is new, an update, unchanged or rejected (and why);
`apply(plan)` writes the accepted rows in one transaction and `undo(batch)` takes them back.
The engine does the rest: the downloadable template (drop-downs, an example row, an instructions
sheet), file checks, reading with python-calamine, header mapping, cell parsing (dates in the four
ways people type them, enumerations by their Chinese labels, phones), the background job with
progress, the preview counts, the error report and the change-log rows.
"""

import contextlib
import datetime as dt
import gc
import io
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shequ.core.crypto import encrypt_bytes
from shequ.core.errors import Conflict, ValidationFailed

MAX_ERRORS_KEPT = 5000  # rows with only a remark (every refused row is always kept)
EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_LIST_SPLIT = re.compile(r"[,，、;；\s]+")
_MAGIC = {
    b"PK\x03\x04": "xlsx",  # also .ods; calamine tells them apart
    b"\xd0\xcf\x11\xe0": "xls",
}


class RowError(Exception):
    """A cell that cannot be read; the message names the column and what to write instead."""


# --- columns and cell parsing -------------------------------------------------------------------
@dataclass
class Column:
    header: str  # what the workbook calls it (Chinese)
    key: str
    required: bool = False
    kind: str = "text"  # text | date | choice | phone | list | int
    choices: Any = None  # a TextChoices class for kind="choice"
    example: str = ""
    help: str = ""
    max_length: int = 200
    aliases: tuple = ()
    text_format: bool = False  # format the template column as text (long digit strings)
    mask: str | None = None  # masking rule in error reports (see core.masking)
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

    def parser(self):
        """A function for this column's cells, built once per import (100,000 rows × 22 cells)."""
        if "parser" in self._cache:
            return self._cache["parser"]
        header, required, kind, limit = self.header, self.required, self.kind, self.max_length
        text_format = self.text_format

        def empty():
            if required:
                raise RowError(_("“%(h)s”为必填项，不能为空。") % {"h": header})
            return None

        def text_of(raw):
            if type(raw) is str:
                return raw.strip()
            if text_format and isinstance(raw, float) and abs(raw) >= 1e11:
                raise RowError(
                    _("“%(h)s”被 Excel 存成了数字，末几位可能已丢失。请把该列设为文本格式后重新填写。")
                    % {"h": header}
                )
            return cell_text(raw)

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
                    return int(float(raw))
                except (TypeError, ValueError):
                    raise RowError(_("“%(h)s”应为整数。") % {"h": header}) from None

        elif kind == "choice":
            table = dict(self.lookup())

            def parse(raw):
                text = text_of(raw) if raw is not None else ""
                if not text:
                    return empty()
                value = table.get(text)
                if value is None:
                    shown = "、".join(self.labels()[:12])
                    raise RowError(
                        _("“%(h)s”的值“%(v)s”不在可选项中，请从下拉框选择：%(o)s。")
                        % {"h": header, "v": text[:20], "o": shown}
                    )
                return value

        elif kind == "phone":

            def parse(raw):
                text = text_of(raw) if raw is not None else ""
                return parse_phone(text, header) if text else empty()

        elif kind == "list":

            def parse(raw):
                text = text_of(raw) if raw is not None else ""
                return [p for p in _LIST_SPLIT.split(text) if p] if text else empty()

        else:

            def parse(raw):
                text = text_of(raw) if raw is not None else ""
                if not text:
                    return empty()
                if len(text) > limit:
                    raise RowError(
                        _("“%(h)s”过长（%(n)d 字），最多 %(m)d 字。")
                        % {"h": header, "n": len(text), "m": limit}
                    )
                return text

        self._cache["parser"] = parse
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
    v = _PHONE_STRIP.sub("", text)
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


def check_file(name: str, data: bytes, *, csv: bool = False) -> None:
    """Refuse what is not a spreadsheet we can read (or, where the importer takes it, a CSV
    file), before anything is stored."""
    if not data:
        raise ValidationFailed(_("上传的文件是空的，请重新选择文件。"), code="empty_file")
    check_size(len(data))
    if data[:4] not in _MAGIC and not (csv and name.lower().endswith(".csv") and csv_rows(data) is not None):
        message = (
            _("文件“%(f)s”不是 Excel 或 CSV 文件，请上传 .xlsx 或 .csv 文件（CSV 请用 UTF-8 或 GBK 编码）。")
            if csv
            else _("文件“%(f)s”不是 Excel 文件，请下载模板，按模板填写后上传 .xlsx 文件。")
        )
        raise ValidationFailed(message % {"f": name[:60]}, code="wrong_file_type")


def csv_rows(data: bytes) -> list[list[str]] | None:
    """The rows of a CSV file (UTF-8, with or without BOM, or GB18030 as Chinese Excel and hotline
    systems save it), or None when the bytes are not text."""
    import csv

    if b"\x00" in data[:4096]:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        head = text.split("\n", 1)[0]  # the header line decides: contents may hold any delimiter
        delimiter = max(",\t;", key=head.count)
        try:
            return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
        except csv.Error:
            return None
    return None


def normalize_header(h) -> str:
    text = cell_text(h)
    text = re.sub(r"[\s*＊]|（必填）|\(必填\)", "", text)
    return text


def read_rows(data: bytes, columns: list[Column]):
    """(header map, data rows with their Excel line numbers); see read_sheet."""
    mapping, body, _head = read_sheet(data, columns)
    return mapping, body


class _CsvBook:
    """A CSV file dressed as a one-sheet workbook for read_sheet."""

    sheet_names = ["CSV"]

    def __init__(self, rows):
        self.rows = rows

    def get_sheet_by_name(self, name):
        return self

    def to_python(self, skip_empty_area=False):
        return self.rows


def read_sheet(data: bytes, columns: list[Column]):
    """(header map, data rows with their Excel line numbers, the header row as written). Picks the
    first sheet whose first rows hold every required header; raises ValidationFailed with what is
    missing."""
    from python_calamine import CalamineWorkbook

    if data[:4] not in _MAGIC:  # check_file let it in as CSV: one sheet of text cells
        rows = csv_rows(data)
        if rows is None:
            raise ValidationFailed(_("CSV 文件无法读取，请另存为 UTF-8 编码后再上传。"), code="corrupt_file")
        wb = _CsvBook(rows)
    else:
        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception:
            raise ValidationFailed(
                _(
                    "文件已损坏或不是有效的 Excel 文件，无法读取。请用 Excel/WPS 打开检查后另存为 .xlsx 再上传。"
                ),
                code="corrupt_file",
            ) from None
    wanted = {}
    with translation.override(settings.LANGUAGE_CODE):  # workbooks carry the Chinese headers
        for c in columns:
            for name in (c.header, *c.aliases):
                wanted[normalize_header(str(name))] = c.key
    required = {c.key for c in columns if c.required}
    best_missing = None
    for sheet_name in wb.sheet_names:
        try:
            rows = wb.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        except Exception:
            raise ValidationFailed(
                _("工作表“%(s)s”无法读取，文件可能已损坏。") % {"s": sheet_name}, code="corrupt_file"
            ) from None
        for head_idx, head in enumerate(rows[:5]):
            mapping = {}
            for i, h in enumerate(head):
                key = wanted.get(normalize_header(h))
                if key and key not in mapping.values():
                    mapping[i] = key
            missing = required - set(mapping.values())
            if not missing:
                body = [(head_idx + 2 + n, r) for n, r in enumerate(rows[head_idx + 1 :])]
                body = [(line, r) for line, r in body if any(v not in (None, "") for v in r)]
                if not body:
                    raise ValidationFailed(
                        _("工作表“%(s)s”只有表头、没有数据行，请填写后再上传。") % {"s": sheet_name},
                        code="empty_sheet",
                    )
                return mapping, body, head
            if mapping and (best_missing is None or len(missing) < len(best_missing)):
                best_missing = missing
    if best_missing is None:
        raise ValidationFailed(
            _("没有找到模板的表头（第一行应为“%(h)s”等列名）。请下载模板，把数据粘贴到模板中再上传。")
            % {"h": "、".join(str(c.header) for c in columns[:4])},
            code="missing_headers",
        )
    headers = [str(c.header) for c in columns if c.key in best_missing]
    raise ValidationFailed(
        _("缺少必填列：%(h)s。请下载最新模板，不要删除或改名这些列。") % {"h": "、".join(headers)},
        code="missing_headers",
    )


def parse_row(
    columns: dict[str, Column], mapping: dict[int, str], raw: list, parsers=None
) -> tuple[dict, list[str]]:
    """Cells → {key: value} and the messages of the cells that could not be read."""
    values = dict.fromkeys(columns)
    errors = []
    n = len(raw)
    for i, key in mapping.items():
        try:
            parse = parsers[key] if parsers else columns[key].parser()
            values[key] = parse(raw[i] if i < n else None)
        except RowError as exc:
            errors.append(str(exc))
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
    columns: list[Column] = []
    accepts_csv = False  # also take a .csv file (exports of other systems)
    instructions: list[str] = []
    example: dict = {}

    def __init__(self, batch, actor):
        self.batch = batch
        self.actor = actor

    @classmethod
    def column_map(cls) -> dict[str, Column]:
        return {c.key: c for c in cls.columns}

    def lock(self) -> None:
        """Serialise commits that could collide (taken before the commit re-plans)."""

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


def build_plan(batch, actor) -> tuple[Importer, Plan]:
    """Read the stored file, parse every row and let the importer decide each row's outcome."""
    cls = importer_for(batch.kind)
    importer = cls(batch, actor)
    mapping, body = read_rows(batch.data, cls.columns)
    limit = settings.IMPORT_MAX_ROWS
    if len(body) > limit:
        raise ValidationFailed(
            _("文件有 %(n)d 行数据，单次最多导入 %(m)d 行，请拆分后分批导入。")
            % {"n": len(body), "m": limit},
            code="too_many_rows",
        )
    cols = cls.column_map()
    parsers = {key: cols[key].parser() for key in set(mapping.values())}
    progress = Progress(batch, 5, 40)
    rows = []
    total = len(body)
    for n, (line, raw) in enumerate(body, start=1):
        values, errors = parse_row(cols, mapping, raw, parsers)
        raw = None  # the file is re-read for the error report; keep memory for the rows
        rows.append(PlannedRow(line, raw, values, Outcome.REJECTED if errors else Outcome.NEW, errors))
        if n % 5000 == 0:
            progress(n, total)
    del body
    plan = importer.plan(rows, Progress(batch, 40, 70))
    return importer, plan


def summarise(batch, plan: Plan) -> None:
    """Preview figures and the first messages, kept on the batch (never a raw ID number)."""
    batch.total_rows = len(plan.rows)
    batch.counts = plan.counts()
    kept = []
    notes_kept = 0
    for r in plan.rows:
        if r.errors or (r.warnings and notes_kept < MAX_ERRORS_KEPT):
            notes_kept += not r.errors
            kept.append(
                {
                    "row": r.line,
                    "outcome": r.outcome,
                    "messages": [str(m) for m in r.errors],
                    "warnings": [str(m) for m in r.warnings],
                    "name": str(r.values.get("name") or "")[:20],
                    **({"action": r.extra["action"]} if r.extra.get("action") else {}),
                }
            )
    batch.errors = kept
    batch.options = {**batch.options, "notes": [str(n) for n in plan.notes], **plan.extra}


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
    mapping, body, head = read_sheet(batch.data, cls.columns)
    by_line = {e["row"]: e for e in batch.errors}
    width = max((len(r) for _line, r in body), default=0)
    head = ([cell_text(h) for h in head] + [""] * width)[:width]
    columns = cls.column_map()
    masked = {i: columns[key].mask for i, key in mapping.items() if columns[key].mask}
    out = []
    for line, raw in body:
        e = by_line.get(line)
        if not e or not (e["messages"] or e["outcome"] == Outcome.CONFLICT):
            continue
        cells = [cell_text(v) if v is not None else "" for v in raw] + [""] * (width - len(raw))
        for i, rule in masked.items():
            if i < len(cells):
                cells[i] = mask(cells[i], rule)
        out.append([line, *cells, "；".join(e["messages"])])
    headers = [_("原行号"), *head, _("错误原因")]
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
    from shequ.core.models import ImportBatch

    cls = importer_for(kind)
    services.require(actor, cls.perm, scope_code)
    check_file(filename, data, csv=cls.accepts_csv)
    return ImportBatch.objects.create(
        kind=kind,
        scope_code=scope_code,
        filename=filename[:200],
        size=len(data),
        content=encrypt_bytes(data),  # the workbook holds ID numbers: encrypted like the fields
        options=dict(options or {}),
        created_by=actor,
    )


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

    return (
        ImportBatch.objects.visible_to(actor)
        .filter(kind=kind)
        .select_related("created_by")
        .defer("content")[:n]
    )


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
        _importer, plan = build_plan(batch, actor)
    except ValidationFailed as exc:
        _fail(batch, exc)
        return
    except Exception:  # a bug must not leave the batch "validating" for ever
        logging.getLogger("shequ.imports").exception("validating import batch %s failed", batch.pk)
        _fail(batch, _("校验过程中出现错误，没有写入任何数据。请稍后重试或联系管理员。"))
        return
    summarise(batch, plan)
    batch.status, batch.progress = ImportStatus.READY, 100
    batch.save(update_fields=["status", "progress", "total_rows", "counts", "errors", "options"])


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
    batch.save(update_fields=["status", "progress"])
    try:
        with transaction.atomic():
            cls(batch, actor).lock()
            importer, plan = build_plan(batch, actor)
            counts = plan.counts()
            bad = counts[Outcome.REJECTED] + counts[Outcome.CONFLICT]
            if bad and not valid_only:
                raise ValidationFailed(
                    _("有 %(n)d 行存在错误，已按“全部不导入”处理，没有写入任何数据。") % {"n": bad},
                    code="rows_rejected",
                )
            importer.progress = Progress(batch, 70, 99)
            result = importer.apply(plan)
            summarise(batch, plan)
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
    return {**counts, **(result or {})}


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
