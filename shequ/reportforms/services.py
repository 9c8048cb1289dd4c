"""一表通: upload an upper level's xlsx as a template, bind its cells to indicators, fill it for a
scope and period in its own layout, keep what clerks type, and count the register of forms and
ledgers communities are asked for.

Every read starts from `visible_to` (or the indicator catalogue's own scope checks); every write goes
through a function here that checks role and scope, writes and leaves a change-log entry in one
transaction."""

import calendar
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import puremagic
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from shequ.core import changelog, indicators, registry, scope
from shequ.core.errors import Forbidden, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.org.models import OrgUnit
from shequ.reportforms.models import (
    ENTER,
    MANAGE,
    VIEW,
    BindingKind,
    Breakdown,
    Field,
    Frequency,
    Kind,
    ManualValue,
    ReportBinding,
    ReportFill,
    ReportForm,
)

TEMPLATE_MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS, MAX_COLS = 2000, 200
GRID_ROWS, GRID_COLS = 120, 40
TRACE_SHEET = "取数说明"
CELL_RE = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")
LEVELS = ("community", "street", "district")
CHILD_LEVEL = {"district": "street", "street": "community"}
LEVEL_NAMES = {"community": "社区", "street": "街道", "district": "区县"}


# --- reading ----------------------------------------------------------------------------------------
def forms_of(user):
    return ReportForm.objects.visible_to(user)


def get_form(user, pk) -> ReportForm:
    try:
        return forms_of(user).select_related("org").get(pk=pk)
    except (ReportForm.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_fill(user, pk) -> ReportFill:
    try:
        return ReportFill.objects.visible_to(user).select_related("form").get(pk=pk)
    except (ReportFill.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def ledger(user, key: str) -> registry.Ledger:
    found = registry.ledgers().get(key)
    if found is None:
        raise NotFound(_("平台台账「%(k)s」不存在。") % {"k": key})
    if not scope.holds(user, found.perm):
        raise Forbidden()
    return found


def _manageable(user, form: ReportForm) -> None:
    if not scope.covers(user, form.scope_code, MANAGE):
        raise Forbidden(_("只有登记该表的单位（%(o)s）及其上级可以修改表样和绑定。") % {"o": form.org.name})


def may_manage(user, form: ReportForm) -> bool:
    return scope.covers(user, form.scope_code, MANAGE)


def _org(user, code: str, perm: str) -> OrgUnit:
    node = OrgUnit.objects.filter(code=code or "", level__in=LEVELS).first()
    if node is None or not scope.covers(user, node.code, perm):
        raise NotFound(_("范围 %(c)s 不存在，或不在您的管辖范围内。") % {"c": code})
    return node


def scope_choices(user, perm: str = VIEW) -> list[tuple[str, str]]:
    """The district, streets and communities of the user's scope where they hold `perm`."""
    roots = scope.perm_codes(user, perm)
    qs = OrgUnit.objects.filter(level__in=LEVELS)
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    depth = {"district": 0, "street": 1, "community": 2}
    return [
        (c, "\u3000" * depth.get(lv, 0) + n)
        for c, n, lv in qs.order_by("code").values_list("code", "name", "level")[:800]
    ]


# --- the template -----------------------------------------------------------------------------------
def _describe(data: bytes) -> str:
    try:
        found = puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        return ""
    return (found[0].name or found[0].extension) if found else ""


def read_template(filename: str, data: bytes):
    """The uploaded workbook opened with openpyxl, or a Chinese error saying what is wrong."""
    if not data:
        raise ValidationFailed(_("上传的文件是空的：请选择上级下发的 .xlsx 表样。"), code="bad_template")
    if len(data) > TEMPLATE_MAX_BYTES:
        raise ValidationFailed(
            _("表样文件超过 5 MB：请删去其中的图片或多余工作表后再上传。"), code="bad_template"
        )
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ValidationFailed(
            _("这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中“另存为” .xlsx 格式后再上传。"),
            code="bad_template",
        )
    if data[:4] != b"PK\x03\x04":
        what = _describe(data)
        raise ValidationFailed(
            (_("上传的文件是「%(w)s」，不是 Excel 表格：请上传上级下发的 .xlsx 表样。") % {"w": what})
            if what
            else _("上传的文件不是 Excel 表格：请上传上级下发的 .xlsx 表样。"),
            code="bad_template",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > 20 * TEMPLATE_MAX_BYTES:
                raise ValidationFailed(_("表样解压后过大，无法处理：请精简后再上传。"), code="bad_template")
            if "xl/workbook.xml" not in z.namelist():
                raise ValidationFailed(
                    _("这个压缩文件不是 Excel 工作簿（可能是 Word 文档或其他压缩包）：请上传 .xlsx 表样。"),
                    code="bad_template",
                )
        wb = openpyxl.load_workbook(io.BytesIO(data))
    except ValidationFailed:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged or encrypted file
        raise ValidationFailed(
            _(
                "文件无法作为 Excel 表格打开（可能已损坏或设置了密码）：请在 Excel 中打开确认后另存为 .xlsx 再上传。"
            ),
            code="bad_template",
        ) from None
    for ws in wb.worksheets:
        if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLS:
            raise ValidationFailed(
                _("工作表「%(s)s」有 %(r)d 行 %(c)d 列，超出表样的处理范围（%(mr)d 行、%(mc)d 列）。")
                % {"s": ws.title, "r": ws.max_row, "c": ws.max_column, "mr": MAX_ROWS, "mc": MAX_COLS},
                code="bad_template",
            )
    return wb


def _check_levels(levels) -> list[str]:
    levels = [lv for lv in (levels or []) if lv]
    bad = [lv for lv in levels if lv not in LEVELS]
    if bad or not levels:
        raise ValidationFailed(_("请选择报表由哪一级填报（社区、街道或区县）。"), code="levels")
    return levels


@transaction.atomic
def create_form(user, *, org_code: str, name: str, asked_by: str, asked_level: str = "",
                frequency: str = Frequency.MONTH, kind: str = Kind.FORM, levels=("community",),
                filename: str = "", data: bytes | None = None, notes: str = "") -> ReportForm:  # fmt: skip
    """Register a form or ledger; with a workbook, keep it as the template to bind."""
    if not scope.holds(user, MANAGE):
        raise Forbidden()
    org = _org(user, org_code, MANAGE)
    name, asked_by = (name or "").strip(), (asked_by or "").strip()
    if not name:
        raise ValidationFailed(_("请填写表格或台账的名称。"), code="name")
    if not asked_by:
        raise ValidationFailed(_("请填写要求报送的部门。"), code="asked_by")
    if frequency not in Frequency.values:
        raise ValidationFailed(
            _("报送频次不对：请从每月、每季度、每半年、每年、不定期中选择。"), code="frequency"
        )
    if kind not in Kind.values:
        raise ValidationFailed(_("类别只能是报表或台账。"), code="kind")
    form = ReportForm(org=org, name=name[:120], asked_by=asked_by[:100], asked_level=(asked_level or "")[:20],
                      frequency=frequency, kind=kind, levels=_check_levels(levels), notes=(notes or "")[:300],
                      created_by=user)  # fmt: skip
    if data is not None:
        wb = read_template(filename, data)
        form.template = data
        form.template_name = (filename or "表样.xlsx")[-200:]
        form.sheets = [ws.title for ws in wb.worksheets if ws.title != TRACE_SHEET]
    if ReportForm.objects.filter(org=org, name=form.name).exists():
        raise ValidationFailed(_("%(o)s 已登记过名为「%(n)s」的表格：请换一个名称，或打开原表修改。")
                               % {"o": org.name, "n": form.name}, code="duplicate")  # fmt: skip
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:
        raise ValidationFailed(_("%(o)s 已登记过名为「%(n)s」的表格。") % {"o": org.name, "n": form.name},
                               code="duplicate") from None  # fmt: skip
    changelog.record(user, Action.CREATE, form, scope_code=form.scope_code, note=form.name)
    return form


@transaction.atomic
def replace_template(user, form: ReportForm, filename: str, data: bytes) -> ReportForm:
    """A new version of the upper level's layout: bindings to cells that no longer exist go."""
    _manageable(user, form)
    wb = read_template(filename, data)
    form.template, form.template_name = data, (filename or "表样.xlsx")[-200:]
    form.sheets = [ws.title for ws in wb.worksheets if ws.title != TRACE_SHEET]
    form.save()
    form.bindings.exclude(sheet__in=form.sheets).delete()
    changelog.record(
        user, Action.UPDATE, form, scope_code=form.scope_code, note=_("更换表样：%(f)s") % {"f": filename}
    )
    return form


def workbook_of(form: ReportForm):
    if not form.has_template:
        raise ValidationFailed(_("「%(n)s」还没有上传表样：请先上传上级下发的 .xlsx。") % {"n": form.name},
                               code="no_template")  # fmt: skip
    return openpyxl.load_workbook(io.BytesIO(bytes(form.template)))


# --- the grid a clerk binds on ----------------------------------------------------------------------
def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def grid(form: ReportForm, sheet: str | None = None) -> dict:
    """One sheet as rows of cells for an HTML table: merged cells as row/col spans, the cells they
    cover left out, each with its coordinate and what is bound to it."""
    wb = workbook_of(form)
    title = sheet if sheet in form.sheets else form.sheets[0]
    ws = wb[title]
    spans, covered = {}, set()
    for mr in ws.merged_cells.ranges:
        spans[(mr.min_row, mr.min_col)] = (mr.max_row - mr.min_row + 1, mr.max_col - mr.min_col + 1)
        for r in range(mr.min_row, mr.max_row + 1):
            for c in range(mr.min_col, mr.max_col + 1):
                if (r, c) != (mr.min_row, mr.min_col):
                    covered.add((r, c))
    bound = {}
    for b in form.bindings.filter(sheet=title):
        for coord in _cells(b.cell, b.end_cell or b.cell):
            bound[coord] = b
        if b.label_cell:
            bound.setdefault(b.label_cell, None)
    n_rows, n_cols = min(ws.max_row, GRID_ROWS), min(ws.max_column, GRID_COLS)
    widths = []
    for c in range(1, n_cols + 1):
        w = ws.column_dimensions[get_column_letter(c)].width
        widths.append(int((w or 8.43) * 8))
    rows = []
    for r in range(1, n_rows + 1):
        cells = []
        for c in range(1, n_cols + 1):
            if (r, c) in covered:
                continue
            coord = f"{get_column_letter(c)}{r}"
            cell = ws.cell(r, c)
            rs, cs = spans.get((r, c), (1, 1))
            b = bound.get(coord)
            cells.append({
                "coord": coord, "text": _text(cell.value), "rowspan": rs, "colspan": cs,
                "bold": bool(cell.font and cell.font.b), "binding": b,
                "label": coord in bound and b is None,
                "align": (cell.alignment.horizontal or "") if cell.alignment else "",
            })  # fmt: skip
        rows.append({"n": r, "cells": cells})
    return {
        "sheet": title, "sheets": form.sheets, "rows": rows, "widths": widths,
        "letters": [get_column_letter(c) for c in range(1, n_cols + 1)],
        "clipped": ws.max_row > n_rows or ws.max_column > n_cols,
    }  # fmt: skip


# --- bindings ---------------------------------------------------------------------------------------
def _parse_cell(text: str, what: str) -> str:
    t = (text or "").strip().upper().replace("$", "")
    if not CELL_RE.match(t):
        raise ValidationFailed(_("%(w)s「%(t)s」不是单元格地址：请写成 C5 这样的列字母加行号。") % {"w": what, "t": text},
                               code="cell")  # fmt: skip
    col, row = coordinate_from_string(t)
    if column_index_from_string(col) > MAX_COLS or row > MAX_ROWS:
        raise ValidationFailed(_("%(w)s %(t)s 超出了表样的范围。") % {"w": what, "t": t}, code="cell")
    return t


def _top_left(ws, coord: str) -> str:
    """A cell inside a merged block means the block: its top-left cell holds the value."""
    for mr in ws.merged_cells.ranges:
        if coord in mr:
            return f"{get_column_letter(mr.min_col)}{mr.min_row}"
    return coord


def _cells(first: str, last: str) -> list[str]:
    c1, r1 = coordinate_from_string(first)
    c2, r2 = coordinate_from_string(last)
    i1, i2 = column_index_from_string(c1), column_index_from_string(c2)
    if r1 == r2:
        return [f"{get_column_letter(i)}{r1}" for i in range(min(i1, i2), max(i1, i2) + 1)]
    return [f"{c1}{r}" for r in range(min(r1, r2), max(r1, r2) + 1)]


def _step(first: str, last: str, start: str, n: int) -> list[str]:
    """`n` cells from `start` in the direction the range `first`..`last` runs."""
    c, r = coordinate_from_string(start)
    ci = column_index_from_string(c)
    across = coordinate_from_string(first)[1] == coordinate_from_string(last)[1] and first != last
    return [f"{get_column_letter(ci + i)}{r}" if across else f"{c}{r + i}" for i in range(n)]


def check_indicator(user, key: str, levels, breakdown: str = "", by_key: str = "") -> registry.Indicator:
    """The indicator a cell is bound to, refused with the reason when it does not exist, is not the
    user's to read, does not apply to a level the form is filled at, or cannot be broken down so."""
    try:
        ind = indicators.get(key)
    except NotFound as exc:
        raise ValidationFailed(exc.message, code="unknown_indicator") from None
    if not scope.holds(user, ind.perm):
        raise ValidationFailed(_("您没有读取指标「%(n)s」的权限，不能把它绑定到表格。") % {"n": ind.label},
                               code="indicator_perm")  # fmt: skip
    names = "、".join(LEVEL_NAMES.get(s, s) for s in ind.scopes)
    for level in levels:
        # A community filling a by-community range fills its own line.
        target = CHILD_LEVEL.get(level, level) if breakdown == Breakdown.COMMUNITY else level
        if target not in ind.scopes:
            raise ValidationFailed(
                _(
                    "指标「%(n)s」只适用于%(levels)s一级，不适用于本表的%(l)s一级：请换一个指标或改为人工填写。"
                )
                % {"n": ind.label, "levels": names, "l": LEVEL_NAMES[target]},
                code="indicator_scope",
            )
    if breakdown == Breakdown.MONTH and "month" not in ind.periods:
        raise ValidationFailed(
            _("指标「%(n)s」不按月统计，不能按月份分项。") % {"n": ind.label}, code="breakdown"
        )
    if breakdown == Breakdown.BY and by_key not in ind.breakdowns:
        offered = "、".join(ind.breakdowns) or _("（无）")
        raise ValidationFailed(_("指标「%(n)s」没有「%(k)s」分类；它提供的分类：%(o)s。")
                               % {"n": ind.label, "k": by_key or "—", "o": offered}, code="breakdown")  # fmt: skip
    return ind


@transaction.atomic
def bind(user, form: ReportForm, *, sheet: str, cell: str, kind: str = BindingKind.VALUE, end_cell: str = "",
         label_cell: str = "", indicator: str = "", field: str = Field.VALUE, breakdown: str = "",
         by_key: str = "", label: str = "") -> ReportBinding:  # fmt: skip
    """Bind a cell (or a row or column of cells) to an indicator, or mark it for manual entry; a
    cell bound before is bound anew."""
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    _manageable(user, form)
    wb = workbook_of(form)
    if sheet not in form.sheets:
        raise ValidationFailed(_("表样里没有名为「%(s)s」的工作表。") % {"s": sheet}, code="sheet")
    ws = wb[sheet]
    if kind not in BindingKind.values:
        raise ValidationFailed(_("请选择绑定方式：单个单元格、一行或一列、人工填写。"), code="kind")
    cell = _top_left(ws, _parse_cell(cell, _("单元格")))
    end = ""
    if kind == BindingKind.RANGE:
        end = _parse_cell(end_cell, _("结束单元格")) if end_cell else ""
        if not end or end == cell:
            raise ValidationFailed(
                _("分项要选一行或一列中的多个单元格：请按住 Shift 再点结束单元格。"), code="range"
            )
        (c1, r1), (c2, r2) = coordinate_from_string(cell), coordinate_from_string(end)
        if c1 != c2 and r1 != r2:
            raise ValidationFailed(_("分项只能是同一行或同一列的单元格：%(a)s 和 %(b)s 不在同一行或同一列。")
                                   % {"a": cell, "b": end}, code="range")  # fmt: skip
        if not breakdown:
            raise ValidationFailed(
                _("请选择这一行或一列按什么分项：下级单位、月份或指标分类。"), code="breakdown"
            )
    elif breakdown:
        raise ValidationFailed(_("单个单元格不分项：要分项请选择一行或一列。"), code="breakdown")
    if breakdown and breakdown not in Breakdown.values:
        raise ValidationFailed(_("分项方式不对：请从下级单位、月份、指标分类中选择。"), code="breakdown")
    if field not in Field.values:
        raise ValidationFailed(_("取值只能是指标值、分子或分母。"), code="field")
    lab = _parse_cell(label_cell, _("名称起始单元格")) if label_cell else ""
    if kind == BindingKind.MANUAL:
        indicator, breakdown, by_key = "", "", ""
        label = (label or "").strip() or _text(ws[cell].value) or cell
    else:
        check_indicator(user, (indicator or "").strip(), form.levels, breakdown, by_key)
    taken = [b for b in form.bindings.filter(sheet=sheet).exclude(cell=cell)
             if set(_cells(cell, end or cell)) & set(_cells(b.cell, b.end_cell or b.cell))]  # fmt: skip
    if taken:
        raise ValidationFailed(_("%(c)s 与已有的绑定 %(o)s 重叠：请先删除那一条。")
                               % {"c": cell, "o": taken[0].cell}, code="overlap")  # fmt: skip
    b, created = ReportBinding.objects.update_or_create(
        form=form, sheet=sheet, cell=cell,
        defaults={"end_cell": end, "label_cell": lab, "kind": kind, "indicator": (indicator or "").strip(),
                  "field": field, "breakdown": breakdown or "", "by_key": by_key if breakdown == Breakdown.BY else "",
                  "label": (label or "")[:100]},
    )  # fmt: skip
    form.save(update_fields=["updated_at"])
    changelog.record(user, Action.CREATE if created else Action.UPDATE, form, scope_code=form.scope_code,
                     note=_("绑定 %(s)s!%(c)s → %(i)s") % {"s": sheet, "c": cell, "i": b.indicator or _("人工填写")})  # fmt: skip
    return b


@transaction.atomic
def unbind(user, form: ReportForm, binding_id) -> None:
    _manageable(user, form)
    b = form.bindings.filter(pk=binding_id).first()
    if b is None:
        raise NotFound()
    b.delete()
    changelog.record(user, Action.DELETE, form, scope_code=form.scope_code,
                     note=_("删除绑定 %(s)s!%(c)s") % {"s": b.sheet, "c": b.cell})  # fmt: skip


# --- manual values ----------------------------------------------------------------------------------
def _scope_for(user, form: ReportForm, code: str, perm: str = VIEW) -> OrgUnit:
    node = _org(user, code, perm)
    if form.levels and node.level not in form.levels:
        raise ValidationFailed(
            _("「%(n)s」由%(l)s一级填报，不能为 %(c)s（%(x)s）生成。")
            % {"n": form.name, "l": "、".join(LEVEL_NAMES[x] for x in form.levels), "c": node.name,
               "x": LEVEL_NAMES.get(node.level, node.level)},
            code="level",
        )  # fmt: skip
    return node


def manual_values(form: ReportForm, code: str, period: str) -> dict[int, tuple[str, str]]:
    """{binding id: (value, the period it was typed for)}: this period's, else the latest earlier one."""
    out = {}
    rows = ManualValue.objects.filter(binding__form=form, scope_code=code, period__lte=period)
    for v in rows.order_by("period", "entered_at"):
        out[v.binding_id] = (v.value, v.period)  # the latest period up to this one wins
    return out


@transaction.atomic
def enter_manual(user, form: ReportForm, code: str, period: str, values: dict) -> int:
    """Keep what a clerk typed for the manual cells of `form` for scope `code` and `period`
    ({binding id: text}; an empty text removes the value). Returns how many were kept."""
    indicators.parse_period(period)
    node = _scope_for(user, form, code, ENTER)
    manual = {b.pk: b for b in form.bindings.filter(kind=BindingKind.MANUAL)}
    n = 0
    for raw_id, text in values.items():
        try:
            b = manual[int(raw_id)]
        except (KeyError, ValueError, TypeError):
            raise ValidationFailed(
                _("第 %(i)s 项不是本表的人工填报项。") % {"i": raw_id}, code="binding"
            ) from None
        text = ("" if text is None else str(text)).strip()
        if len(text) > 200:
            raise ValidationFailed(_("「%(l)s」填写的内容超过 200 字。") % {"l": b.label}, code="value")
        if not text:
            ManualValue.objects.filter(binding=b, scope_code=node.code, period=period).delete()
            continue
        ManualValue.objects.update_or_create(binding=b, scope_code=node.code, period=period,
                                             defaults={"value": text, "entered_by": user})  # fmt: skip
        n += 1
    changelog.record(user, Action.UPDATE, form, scope_code=node.code,
                     note=_("人工填报 %(p)s %(c)s：%(n)d 项") % {"p": period, "c": node.name, "n": n})  # fmt: skip
    return n


# --- filling ----------------------------------------------------------------------------------------
def _months(start: dt.date, end: dt.date):
    d = start
    while d <= end:
        last = dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
        yield d, min(last, end)
        d = last + dt.timedelta(days=1)


def _number(v):
    if v is None:
        return None
    if isinstance(v, Decimal) and v == v.to_integral_value():
        return int(v)
    return v


def indicator_url(key: str) -> str:
    for name, kwargs in (("core:indicator-detail", {"key": key}), ("reportforms:indicator", {"key": key})):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


def _put(ws, coord: str, value) -> str:
    """Write into the cell (the top-left of its merged block); the template's style stays."""
    coord = _top_left(ws, coord)
    cell = ws[coord]
    if isinstance(cell, MergedCell):
        return ""
    cell.value = value
    return coord


def _trace(b, ind, coord, code, name, period, fig, note="") -> dict:
    source = _("快照（%(t)s）") % {"t": timezone.localtime(fig["taken_at"]).strftime("%Y-%m-%d %H:%M")} \
        if fig and fig.get("taken_at") else _("实时计算")  # fmt: skip
    if fig and fig.get("corrected"):
        source += _("，已更正")
    return {
        "sheet": b.sheet, "cell": coord, "kind": b.kind, "indicator": ind.key if ind else "",
        "label": str(ind.label) if ind else b.label, "formula": str(ind.formula) if ind else "",
        "unit": ind.unit if ind else "", "field": b.field, "scope": code, "scope_name": name, "period": period,
        "value": _s(fig.get(b.field) if fig else None), "numerator": _s(fig.get("numerator") if fig else None),
        "denominator": _s(fig.get("denominator") if fig else None),
        "source": source if ind else _("人工填写"), "snapshot": bool(fig and fig.get("taken_at")),
        "url": indicator_url(ind.key) if ind else "", "note": note,
    }  # fmt: skip


def _s(v):
    return None if v is None else str(_number(v))


def _fill_binding(user, ws, b, node, period, start, end, from_snapshots, manual) -> list[dict]:
    if b.kind == BindingKind.MANUAL:
        found = manual.get(b.pk)
        if found is None:
            return [{**_trace(b, None, b.cell, node.code, node.name, period, None),
                     "note": _("待人工填写")}]  # fmt: skip
        value, typed_for = found
        coord = _put(ws, b.cell, _maybe_number(value))
        note = "" if typed_for == period else _("沿用 %(p)s 填写的值") % {"p": typed_for}
        return [{**_trace(b, None, coord, node.code, node.name, period, None, note), "value": value}]
    ind = indicators.get(b.indicator)
    indicators.check_applies(ind, node.code)
    if b.kind == BindingKind.VALUE:
        fig = indicators.figures(user, ind.key, [node.code], start, end, from_snapshots=from_snapshots)[
            node.code
        ]
        coord = _put(ws, b.cell, _number(fig.get(b.field)))
        return [_trace(b, ind, coord, node.code, node.name, period, fig)]
    items = []  # (label, scope code, scope name, period label, figure)
    if b.breakdown == Breakdown.COMMUNITY:
        children = (
            [(node.code, node.name)]
            if node.level == "community"
            else list(
                OrgUnit.objects.filter(parent=node, level__in=LEVELS)
                .order_by("code")
                .values_list("code", "name")
            )
        )
        children = [(c, n) for c, n in children if scope.covers(user, c, ind.perm)]
        figs = indicators.figures(user, ind.key, [c for c, _n in children], start, end, from_snapshots=from_snapshots) \
            if children else {}  # fmt: skip
        items = [(n, c, n, period, figs[c]) for c, n in children]
    elif b.breakdown == Breakdown.MONTH:
        for ms, me in _months(start, end):
            label = indicators.period_label("month", ms)
            fig = indicators.figures(user, ind.key, [node.code], ms, me, from_snapshots=from_snapshots)[
                node.code
            ]
            items.append((_("%(m)d月") % {"m": ms.month}, node.code, node.name, label, fig))
    else:
        fig = indicators.figures(user, ind.key, [node.code], start, end, from_snapshots=from_snapshots)[
            node.code
        ]
        by = ((fig.get("detail") or {}).get("by") or {}).get(b.by_key) or {}
        for label, value in by.items():
            items.append((str(label), node.code, node.name, period,
                          {"value": value, "numerator": value, "denominator": None,
                           "taken_at": fig.get("taken_at"), "corrected": fig.get("corrected")}))  # fmt: skip
    cells = _cells(b.cell, b.end_cell)
    labels = _step(b.cell, b.end_cell, b.label_cell, len(cells)) if b.label_cell else []
    out = []
    for i, (label, code, name, plabel, fig) in enumerate(items[: len(cells)]):
        coord = _put(
            ws, cells[i], _number(fig.get(b.field) if b.breakdown != Breakdown.BY else fig.get("value"))
        )
        if labels:
            _put(ws, labels[i], label)
        out.append({**_trace(b, ind, coord, code, name, plabel, fig), "item": label})
    if len(items) > len(cells):
        out.append({**_trace(b, ind, b.end_cell, node.code, node.name, period, None),
                    "note": _("表格只留了 %(n)d 格，另有 %(m)d 项未能填入") % {"n": len(cells), "m": len(items) - len(cells)}})  # fmt: skip
    return out


def _maybe_number(text: str):
    try:
        d = Decimal(text)
    except Exception:
        return text
    return _number(d) if d.is_finite() else text


TRACE_HEADERS = (
    "工作表",
    "单元格",
    "分项",
    "指标",
    "指标代码",
    "计算公式",
    "范围",
    "统计期",
    "取值",
    "分子",
    "分母",
    "数据来源",
    "说明",
)


def _trace_sheet(wb, trace: list[dict], title: str) -> None:
    ws = wb.create_sheet(TRACE_SHEET)
    ws.sheet_state = "hidden"
    ws.append([title])
    ws.append(list(TRACE_HEADERS))
    for t in trace:
        ws.append([t["sheet"], t["cell"], t.get("item", ""), t["label"], t["indicator"], t["formula"],
                   f'{t["scope_name"]}（{t["scope"]}）', t["period"], t["value"], t["numerator"], t["denominator"],
                   t["source"], t.get("note", "")])  # fmt: skip


def fill(user, form: ReportForm, code: str, period: str, *, from_snapshots: bool = True) -> ReportFill:
    """Fill the form's template for scope `code` and `period` in its own layout; keep the copy and
    the trace of every filled cell. Snapshots of the period are used where there are some."""
    if not form.has_template:
        raise ValidationFailed(
            _("「%(n)s」还没有上传表样，只能登记为手工填报。") % {"n": form.name}, code="no_template"
        )
    _kind, start, end = indicators.parse_period(period)
    node = _scope_for(user, form, code)
    wb = workbook_of(form)
    if TRACE_SHEET in wb.sheetnames:
        del wb[TRACE_SHEET]
    manual = manual_values(form, node.code, period)
    trace = []
    for b in form.bindings.all().order_by("sheet", "pk"):
        if b.sheet not in wb.sheetnames:
            continue
        trace.extend(_fill_binding(user, wb[b.sheet], b, node, period, start, end, from_snapshots, manual))
    snaps = {t["snapshot"] for t in trace if t["indicator"]}
    source = "snapshot" if snaps == {True} else "live" if snaps <= {False} else "mixed"
    title = f"{form.name} · {node.name} · {period}"
    _trace_sheet(wb, trace, title)
    buf = io.BytesIO()
    wb.save(buf)
    with transaction.atomic():
        out = ReportFill.objects.create(form=form, title=title[:160], scope_code=node.code, scope_name=node.name,
                                        period=period, source=source, content=buf.getvalue(), trace=trace,
                                        filled_by=user)  # fmt: skip
        changelog.record(user, Action.EXPORT, out, scope_code=node.code, note=title)
    return out


def fill_ledger(user, key: str, code: str, period: str) -> ReportFill:
    """Print one of the platform's own ledgers for scope `code` and `period` from the module's list."""
    from shequ.core.excel import workbook_bytes

    led = ledger(user, key)
    _kind, start, end = indicators.parse_period(period)
    node = _org(user, code, led.perm)
    try:
        headers, rows = led.rows(user, node.code, start, end)
    except PermissionError:
        raise Forbidden() from None
    title = f"{led.label} · {node.name} · {period}"
    note = _("由平台根据%(m)s生成；敏感信息已脱敏；生成人：%(u)s") % {"m": led.label, "u": user}
    content = workbook_bytes(str(led.label), headers, rows, note)
    url = ""
    if led.url_name:
        try:
            url = reverse(led.url_name)
        except NoReverseMatch:
            url = ""
    trace = [{"sheet": str(led.label)[:31], "cell": f"A2:{get_column_letter(max(1, len(headers)))}{len(rows) + 1}",
              "kind": "ledger", "indicator": key, "label": str(led.label), "formula": _("逐行取自模块列表（与列表导出相同的列和脱敏）"),
              "unit": _("行"), "field": "", "scope": node.code, "scope_name": node.name, "period": period,
              "value": str(len(rows)), "numerator": None, "denominator": None, "source": _("实时计算"),
              "snapshot": False, "url": url, "note": ""}]  # fmt: skip
    with transaction.atomic():
        out = ReportFill.objects.create(ledger_key=key, title=title[:160], scope_code=node.code, scope_name=node.name,
                                        period=period, source="live", content=content, trace=trace,
                                        filled_by=user)  # fmt: skip
        changelog.record(user, Action.EXPORT, out, scope_code=node.code, note=title)
    return out


# --- the register -----------------------------------------------------------------------------------
def register(user, code: str = "") -> dict:
    """The forms and ledgers asked of communities under `code` (the user's scope when empty): the
    registered ones and the platform's own ledgers, which are generated and which still typed, and
    the counts the burden ledger compares with its baseline."""
    forms = forms_of(user).select_related("org")
    if code:
        _org(user, code, VIEW)
        above = {code[:n] for n in (6, 9, 12) if n <= len(code)}
        forms = forms.filter(scope.subtree_q("scope_code", code) | Q(scope_code__in=above))
    bound = dict(
        ReportBinding.objects.filter(form__in=forms).exclude(kind=BindingKind.MANUAL)
        .values_list("form_id").annotate(n=Count("pk")).order_by()
    )  # fmt: skip
    rows = []
    for f in forms:
        generated = bool(f.has_template and bound.get(f.pk))
        rows.append({"id": f.pk, "key": "", "name": f.name, "kind": f.kind, "kind_label": f.get_kind_display(),
                     "asked_by": f.asked_by, "asked_level": f.asked_level, "frequency": f.get_frequency_display(),
                     "org": f.org.name, "generated": generated, "platform": False, "bindings": bound.get(f.pk, 0),
                     "template": f.has_template})  # fmt: skip
    for led in registry.ledgers().values():
        if not scope.holds(user, led.perm):
            continue
        rows.append({"id": None, "key": led.key, "name": str(led.label), "kind": Kind.LEDGER,
                     "kind_label": str(Kind.LEDGER.label), "asked_by": str(led.asked_by), "asked_level": "",
                     "frequency": str(led.frequency), "org": _("平台"), "generated": True, "platform": True,
                     "bindings": 0, "template": False})  # fmt: skip
    counts = {}
    for kind in Kind.values:
        mine = [r for r in rows if r["kind"] == kind]
        gen = sum(1 for r in mine if r["generated"])
        counts[kind] = {"total": len(mine), "generated": gen, "typed": len(mine) - gen}
    return {"rows": rows, "counts": counts}


def burden_measure(user, code: str) -> dict | None:
    """The burden ledger's counts of ledgers and forms as the register measures them."""
    if not scope.holds(user, VIEW):
        return None
    try:
        reg = register(user, code)
    except NotFound:
        return None
    return {"ledgers": reg["counts"][Kind.LEDGER], "forms": reg["counts"][Kind.FORM]}
