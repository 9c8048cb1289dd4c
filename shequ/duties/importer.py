"""The duty-list workbook: one row per item, the same columns for export and import, so a version
exported from the platform can be edited in Excel/WPS and imported into a new draft.

Reading reuses the cell parsing of the core import engine (headers, Chinese choice labels, text
limits) but not its batch machinery: an import here replaces the whole of a draft version, all
rows or none, so there is no "valid rows only" commit and no per-batch undo (the draft itself is
the undo: it is never public until published)."""

import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core.excel import workbook_bytes
from shequ.core.importing import Column, RowError, cell_text, check_file, parse_row, read_sheet
from shequ.duties.models import DutyItem, Frequency, Kind, SetBy

MAX_ROWS = 2000  # a list has tens to a few hundred items
_FORMULA_GUARD = re.compile(r"^'[=+\-@]")  # the export's guard against formula injection

# Short names people write for the four kinds (the published documents use both).
KIND_ALIASES = {
    "依法履职事项": Kind.STATUTORY,
    "依法履职": Kind.STATUTORY,
    "履职事项": Kind.STATUTORY,
    "协助事项": Kind.ASSIST,
    "协助政府事项": Kind.ASSIST,
    "协助": Kind.ASSIST,
    "负面清单": Kind.NEGATIVE,
    "负面": Kind.NEGATIVE,
    "证明": Kind.CERTIFICATE,
    "可出具证明事项": Kind.CERTIFICATE,
}
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


class ChoiceColumn(Column):
    """A choice by its Chinese label, stored value, or a common short name."""

    def __init__(self, *args, value_aliases=None, **kwargs):
        super().__init__(*args, kind="choice", **kwargs)
        self.value_aliases = value_aliases or {}

    def lookup(self) -> dict:
        return {**self.value_aliases, **super().lookup()}


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
        ChoiceColumn(
            _l("类别"),
            "kind",
            required=True,
            choices=Kind,
            value_aliases=KIND_ALIASES,
            help=_l("依法履行职责事项、协助政府工作事项、负面清单事项、证明事项"),
        ),
        TextColumn(_l("事项名称"), "title", required=True, max_length=f("title").max_length),
        TextColumn(_l("法律政策依据"), "basis", max_length=f("basis").max_length),
        TextColumn(_l("责任部门"), "department", max_length=f("department").max_length),
        ChoiceColumn(
            _l("制定层级"), "set_by", choices=SetBy, value_aliases={"区": "district", "街": "street"}
        ),
        ChoiceColumn(_l("频次"), "frequency", choices=Frequency),
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
def read_items(name: str, data: bytes) -> tuple[list[dict], list[dict]]:
    """(rows, preview): rows are service-ready dicts of every line, in file order; preview is one
    entry per line {line, values, errors} with Chinese messages. The rows may only be written
    when no preview entry has errors. Raises ValidationFailed for a file that cannot be read."""
    from shequ.core.errors import ValidationFailed

    check_file(name, data)
    with translation.override(settings.LANGUAGE_CODE):
        mapping, body, _head = read_sheet(data, COLUMNS)
        if len(body) > MAX_ROWS:
            raise ValidationFailed(
                _("文件有 %(n)d 行数据，一个清单最多 %(m)d 项。") % {"n": len(body), "m": MAX_ROWS},
                code="too_many_rows",
            )
        cols = {c.key: c for c in COLUMNS}
        parsers = {key: cols[key].parser() for key in set(mapping.values())}
        rows, preview, first_line = [], [], {}
        for position, (line, raw) in enumerate(body, start=1):
            values, errors = parse_row(cols, mapping, raw, parsers)
            row = {k: (DEFAULTS[k] if v is None and k in DEFAULTS else v) for k, v in values.items()}
            row["position"] = position
            code = row.get("code")
            if code:
                if code in first_line:
                    errors.append(
                        _("事项编号“%(c)s”与第 %(l)d 行重复，同一清单内编号不能重复。")
                        % {"c": code, "l": first_line[code]}
                    )
                else:
                    first_line[code] = line
            if row.get("funding_required") and not row.get("funding_standard"):
                errors.append(_("须随事拨付经费的事项请填写“经费标准（元/社区/年）”。"))
            if row.get("kind") == Kind.NEGATIVE and row.get("funding_required"):
                errors.append(_("负面清单事项不应由社区承担，不能设为“须随事拨付经费”。"))
            rows.append(row)
            preview.append({"line": line, "values": row, "errors": [str(e) for e in errors]})
    return rows, preview


def has_errors(preview) -> bool:
    return any(p["errors"] for p in preview)
