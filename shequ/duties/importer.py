"""The duty-list workbook: one row per item, the same columns for export and import, so a version
exported from the platform can be edited in Excel/WPS and imported into a new draft.

Reading is the core import engine's (`importing.read_file`): files as offices keep them, title rows,
合计 rows and footers skipped, the header and value synonyms of `data/import_synonyms.json` and the
administrators', the mapping step for a published document's own columns and the mappings saved
for the district or street. Its batch machinery is not used: an import here replaces the whole of
a draft version, all rows or none, so there is no "valid rows only" commit and no per-batch undo
(the draft itself is the undo: it is never public until published)."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import importing
from shequ.core import mapping as mappings
from shequ.core.errors import ValidationFailed
from shequ.core.excel import workbook_bytes
from shequ.core.importing import Column, RowError, cell_text, parse_row, register_workbook
from shequ.duties.models import DutyItem, Frequency, Kind, SetBy

MAX_ROWS = 2000  # a list has tens to a few hundred items
_FORMULA_GUARD = re.compile(r"^'[=+\-@]")  # the export's guard against formula injection

YES = {"是", "需要", "须", "要", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "不需要", "无需", "无", "不", "n", "no", "false", "0", "×", "✗"}


class TextColumn(Column):
    """Text as written, minus the apostrophe the export puts before a leading = + - @."""

    def _build(self, header, ctx):
        inner = super()._build(header, ctx)

        def parse(raw):
            if isinstance(raw, str) and _FORMULA_GUARD.match(raw.strip()):
                raw = raw.strip()[1:]
            return inner(raw)

        return parse


class BoolColumn(Column):
    """是/否 (also 需要/不需要, Y/N, 1/0, √/×); empty is 否."""

    def _build(self, header, ctx):
        def parse(raw):
            if raw is None or raw == "":
                return False
            if isinstance(raw, bool):
                return raw
            text = cell_text(raw).strip().lower()
            if text in YES:
                return True
            if text in NO or not text:
                return False
            raise RowError(_("“%(h)s”应填写“是”或“否”，不能是“%(v)s”。") % {"h": header, "v": text[:20]})

        return parse


class DecimalColumn(Column):
    """A non-negative amount with at most `places` decimals; empty is `default`."""

    def __init__(self, *args, places=2, digits=12, default=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.places, self.digits, self.default = places, digits, default

    def _build(self, header, ctx):
        places, digits, default = self.places, self.digits, self.default

        def parse(raw):
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                return default
            text = cell_text(raw).replace(",", "").replace("，", "").replace("元", "").strip()
            try:
                value = Decimal(text)
            except InvalidOperation:
                raise RowError(
                    _("“%(h)s”应为数字（如 12000 或 2.5），不能是“%(v)s”。") % {"h": header, "v": text[:20]}
                ) from None
            if not value.is_finite() or value < 0:
                raise RowError(_("“%(h)s”不能为负数。") % {"h": header})
            quant = Decimal(1).scaleb(-places)
            rounded = value.quantize(quant)
            if rounded != value:
                raise RowError(_("“%(h)s”最多保留 %(p)d 位小数。") % {"h": header, "p": places})
            if len(rounded.as_tuple().digits) > digits:
                raise RowError(_("“%(h)s”数值过大。") % {"h": header})
            return rounded

        return parse


def _columns() -> list[Column]:
    f = DutyItem._meta.get_field
    return [
        TextColumn(_l("事项编号"), "code", required=True, max_length=f("code").max_length, text_format=True),
        Column(  # short names (负面, 协助, 证明 …) are value synonyms in data/import_synonyms.json
            _l("类别"),
            "kind",
            required=True,
            kind="choice",
            choices=Kind,
            help=_l("依法履行职责事项、协助政府工作事项、负面清单事项、证明事项"),
        ),
        TextColumn(_l("事项名称"), "title", required=True, max_length=f("title").max_length),
        TextColumn(_l("法律政策依据"), "basis", max_length=f("basis").max_length),
        TextColumn(_l("责任部门"), "department", max_length=f("department").max_length),
        Column(_l("制定层级"), "set_by", kind="choice", choices=SetBy),
        Column(_l("频次"), "frequency", kind="choice", choices=Frequency),
        DecimalColumn(
            _l("预计工作量（小时/月）"), "hours_per_month", places=1, digits=7, default=Decimal("0")
        ),
        TextColumn(_l("所需台账"), "ledgers", max_length=f("ledgers").max_length, help=_l("多个用顿号分隔")),
        TextColumn(_l("所需表格"), "forms", max_length=f("forms").max_length, help=_l("多个用顿号分隔")),
        BoolColumn(_l("须随事拨付经费"), "funding_required", help=_l("是 / 否")),
        DecimalColumn(_l("经费标准（元/社区/年）"), "funding_standard", places=2, digits=12),
        TextColumn(_l("应由何处办理"), "redirect", max_length=f("redirect").max_length),
        TextColumn(
            _l("识别关键词"), "keywords", max_length=f("keywords").max_length, help=_l("多个用顿号分隔")
        ),
    ]


COLUMNS = _columns()
FIELDS = [c.key for c in COLUMNS]
DEFAULTS = {
    "basis": "",
    "department": "",
    "set_by": SetBy.DISTRICT,
    "frequency": Frequency.ONGOING,
    "hours_per_month": Decimal("0"),
    "ledgers": "",
    "forms": "",
    "funding_required": False,
    "funding_standard": None,
    "redirect": "",
    "keywords": "",
}


# --- export ------------------------------------------------------------------------------------------
def export_rows(items) -> list[list]:
    """Item rows in workbook order, choices by their Chinese labels."""
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for it in items:
            rows.append(
                [
                    it.code,
                    it.get_kind_display(),
                    it.title,
                    it.basis,
                    it.department,
                    it.get_set_by_display(),
                    it.get_frequency_display(),
                    float(it.hours_per_month),
                    it.ledgers,
                    it.forms,
                    str(_("是") if it.funding_required else _("否")),
                    float(it.funding_standard) if it.funding_standard is not None else "",
                    it.redirect,
                    it.keywords,
                ]
            )
    return rows


def export_bytes(duty_list) -> bytes:
    """The version as a workbook the importer reads back unchanged."""
    items = duty_list.items.order_by("kind", "position", "code")
    with translation.override(settings.LANGUAGE_CODE):
        headers = [str(c.header) for c in COLUMNS]
    return workbook_bytes(str(_l("事项清单")), headers, export_rows(items))


# --- import ------------------------------------------------------------------------------------------
@register_workbook
class DutyListWorkbook:
    """The duty-list columns as the core reader knows an importer: its kind names the
    administrators' synonyms and the saved mappings, its module the shipped synonyms."""

    kind = "duties.items"
    title = _l("事项清单")
    columns = COLUMNS
    extra_columns: list = []

    @classmethod
    def column_map(cls) -> dict[str, Column]:
        return {c.key: c for c in cls.columns}


@dataclass
class ItemsFile:
    """A duty-list file as read for the import page: the mapping step to show (`step`) when its
    columns are not the workbook's own and no saved mapping names them; otherwise every row."""

    step: dict | None = None  # importing.mapping_step's layout
    rows: list = field(default_factory=list)  # service-ready dicts, in file order
    preview: list = field(default_factory=list)  # {line, sheet, values, errors} per row
    notes: list = field(default_factory=list)  # how the file was read (mapping, values, skipped rows)
    options: dict = field(default_factory=dict)  # the mapping in force, to read the file again


def read_items(name: str, data: bytes, options=None, scope_code: str = "", *, remap=False) -> ItemsFile:
    """Read a duty-list file with the mapping `options` name (as importing.read_file: a confirmed
    mapping, a saved one by name, else the one saved for these headers under `scope_code`, else the
    synonyms' guess). The rows may only be written when no preview entry has errors. Raises
    ValidationFailed for a file that cannot be read."""
    cls = DutyListWorkbook
    importing.check_file(name, data)
    with translation.override(settings.LANGUAGE_CODE):
        reading = importing.read_file(cls, name, data, options or {}, scope_code)
        if not reading.rows:
            raise ValidationFailed(
                _("工作表“%(s)s”只有表头、没有数据行，请填写后再上传。") % {"s": reading.layout.sheet},
                code="empty_sheet",
            )
        if len(reading.rows) > MAX_ROWS:
            raise ValidationFailed(
                _("文件有 %(n)d 行数据，一个清单最多 %(m)d 项。") % {"n": len(reading.rows), "m": MAX_ROWS},
                code="too_many_rows",
            )
        if remap or not reading.sure or mappings.missing_required(reading.mapping, cls):
            return ItemsFile(step=importing.mapping_step(cls, reading))
        ctx = importing.parse_context(cls, reading)
        cols = cls.column_map()
        mapping = reading.mapping.columns
        parsers = {key: cols[key].parser(ctx) for key in set(mapping.values())}
        rows, preview, first_seen = [], [], {}
        for position, (sheet, line, raw) in enumerate(reading.rows, start=1):
            values, errors = parse_row(cols, mapping, raw, parsers)
            row = {k: (DEFAULTS[k] if v is None and k in DEFAULTS else v) for k, v in values.items()}
            row["position"] = position
            where = _where(sheet, line)
            code = row.get("code")
            if code:
                if code in first_seen:
                    errors.append(
                        _("事项编号“%(c)s”与%(w)s重复，同一清单内编号不能重复。")
                        % {"c": code, "w": first_seen[code]}
                    )
                else:
                    first_seen[code] = where
            if row.get("funding_required") and not row.get("funding_standard"):
                errors.append(_("须随事拨付经费的事项请填写“经费标准（元/社区/年）”。"))
            if row.get("kind") == Kind.NEGATIVE and row.get("funding_required"):
                errors.append(_("负面清单事项不应由社区承担，不能设为“须随事拨付经费”。"))
            rows.append(row)
            preview.append({"line": line, "sheet": sheet, "values": row, "errors": [str(e) for e in errors]})
        notes = importing.reading_notes(cls, reading, ctx, owner=_("本单位"))
    m = reading.mapping
    kept = {"mapping": m.to_json(), "mapping_source": m.source, "mapping_name": m.name}
    return ItemsFile(rows=rows, preview=preview, notes=[str(n) for n in notes], options=kept)


def _where(sheet: str, line: int) -> str:
    if sheet:
        return _("工作表“%(s)s”第 %(n)d 行") % {"s": sheet, "n": line}
    return _("第 %(n)d 行") % {"n": line}


def has_errors(preview) -> bool:
    return any(p["errors"] for p in preview)
