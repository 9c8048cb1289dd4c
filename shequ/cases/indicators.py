"""考核指标: the figures of a cohort of cases (立案数, 结案率, 按期结案率, 返工率, 超期数, the hotline's
three rates and composite score …), per group, and their Excel workbook.

The cohort is the cases visible to the user that were filed (立案) in the period, narrowed by
scope node, handling unit and category. Every figure of a cohort comes from ONE aggregate query of
conditional counts and sums; a breakdown is ONE grouped query of the same expressions. Only
additive quantities (counts, sums) come from the database, so groups can be folded (小类 into 大类)
and the rates are derived afterwards, a rate with a zero denominator being None ("—").

"As of" is the earlier of the period's end and now: a past month is judged as it stood when it
ended, the current month as it stands now.
"""

import datetime as dt
import io
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from shequ.cases.models import CLOCK_STATUSES, Case, Category, Satisfaction, ScoreSettings, Status, UnitKind
from shequ.cases.rollups import month_of, trend_sums
from shequ.core.errors import ValidationFailed
from shequ.core.services import require

PERM = "cases.view_indicators"
BREAKDOWNS = ("unit", "category", "major", "community", "month")
MAX_SPAN_DAYS = 3 * 366  # a wider period is a report for the analysts' database, not this page

# (指标, 口径/公式): written on the page and in the export. Plain strings in the source language,
# translated where they are shown (`formulas()`), so that callers may serialise them as they are.
FORMULAS: list[tuple[str, str]] = [
    (
        N_("统计对象"),
        N_(
            "您管辖范围内、立案时间在统计期内的案件（并入其他案件的重复诉求不计），"
            "可再按区域、处置单位（最后一次派遣的单位）和案件类别筛选。"
        ),
    ),
    (N_("截止时点"), N_("统计期末与当前时刻中较早的一个；以下“截止时点前”均指此刻之前。")),
    (N_("立案数"), N_("统计对象的案件数。")),
    (N_("结案数"), N_("截止时点前已结案的案件数。")),
    (
        N_("应结案数"),
        N_("截止时点前已结案，或处置时限早于截止时点的案件数；挂账案件不计入。"),
    ),
    (N_("结案率"), N_("结案率 = 结案数 ÷ 应结案数 × 100%。")),
    (
        N_("按期结案数"),
        N_("截止时点前已结案、且通过核查的反馈不晚于处置时限的案件数。"),
    ),
    (N_("按期结案率"), N_("按期结案率 = 按期结案数 ÷ 应结案数 × 100%。")),
    (N_("派遣数"), N_("已派遣给处置单位的案件数（返工率、延期率、退单率的分母）。")),
    (N_("返工率"), N_("返工率 = 核查不通过被返工过的案件数 ÷ 派遣数 × 100%。")),
    (N_("延期率"), N_("延期率 = 获批延期过的案件数 ÷ 派遣数 × 100%。")),
    (N_("退单率"), N_("退单率 = 被处置单位退单过的案件数 ÷ 派遣数 × 100%。")),
    (
        N_("超期数"),
        N_(
            "截止时点前已结案但未按期的案件数 + 处置计时中（已派遣、处置中）且处置时限早于截止时点的案件数"
            " + 反馈晚于处置时限、处置时限早于截止时点且截止时点前尚未结案的案件数；每件案件只计一次。"
        ),
    ),
    (
        N_("平均处置时长"),
        N_(
            "截止时点前已结案的案件，从派遣到通过核查的那次反馈所用工作小时的平均值；"
            "按法定节假日与调休计算，挂账期间不计。"
        ),
    ),
    (N_("有效回访数"), N_("回访时联系上诉求人的案件数（响应率、解决率、满意率的分母）。")),
    (N_("响应率"), N_("响应率 = 回访确认处置单位联系过诉求人的案件数 ÷ 有效回访数 × 100%。")),
    (N_("解决率"), N_("解决率 = 回访确认问题已解决的案件数 ÷ 有效回访数 × 100%。")),
    (
        N_("满意率"),
        N_("满意率 =（满意数 + 基本满意折算值 × 基本满意数）÷ 有效回访数 × 100%。"),
    ),
    (
        N_("综合得分"),
        N_(
            "综合得分 = 100 ×（响应率权重 × 响应率 + 解决率权重 × 解决率 + 满意率权重 × 满意率）；"
            "权重与基本满意折算值在考核计分设置中配置，默认 0.1 / 0.5 / 0.4 与 0.9。"
        ),
    ),
    (N_("分母为零"), N_("分母为 0 的比率不计算，显示为“—”。")),
]


def formulas() -> list[tuple[str, str]]:
    """FORMULAS in the current language."""
    return [(_(name), _(text)) for name, text in FORMULAS]


@dataclass
class Filters:
    """What a figure set is computed over; `end` is inclusive."""

    start: dt.date
    end: dt.date
    scope_code: str | None = None
    unit: str | None = None  # "community:<code>" | "grid:<code>" | "street:<code>" | "department:<name>"
    category: str | None = None  # a 大类 or 小类 code

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes in the local time zone."""
        tz = timezone.get_current_timezone()
        a = timezone.make_aware(dt.datetime.combine(self.start, dt.time.min), tz)
        b = timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min), tz)
        return a, b

    def as_of(self, now=None) -> dt.datetime:
        return min(self.bounds()[1], now or timezone.now())


# --- the cohort -----------------------------------------------------------------------------------
def _unit_q(unit: str) -> Q:
    kind, _sep, ref = (unit or "").partition(":")
    if not ref or kind not in UnitKind.values:
        raise ValidationFailed(
            _("处置单位的写法应为“community:代码”“grid:代码”“street:代码”或“department:部门名称”。"),
            details={"unit": [_("请从列表中选择处置单位。")]},
        )
    if kind == UnitKind.DEPARTMENT:
        return Q(handler_department=ref)
    return Q(handler_kind=kind, handler_code=ref, handler_department="")


def _category_q(code: str) -> Q:
    cat = Category.objects.filter(code=code).first()
    if cat is None:
        raise ValidationFailed(
            _("没有编码为“%(c)s”的案件类别，请从列表中选择。") % {"c": code[:16]},
            details={"category": [_("请从列表中选择案件类别。")]},
        )
    if cat.parent_id:
        return Q(category_id=cat.pk)
    return Q(category_id__in=list(cat.children.values_list("pk", flat=True)))


def cohort(user, f: Filters):
    """The cases the figures count: visible to the user, filed in the period, filtered."""
    require(user, PERM)
    if f.start > f.end:
        raise ValidationFailed(
            _("开始日期不能晚于结束日期。"), details={"start": [_("开始日期不能晚于结束日期。")]}
        )
    if (f.end - f.start).days > MAX_SPAN_DAYS:
        raise ValidationFailed(
            _("统计期最长 3 年，请缩短起止日期。"), details={"end": [_("统计期最长 3 年。")]}
        )
    a, b = f.bounds()
    qs = Case.objects.visible_to(user).within(f.scope_code or None)
    qs = qs.filter(filed_at__gte=a, filed_at__lt=b).exclude(status=Status.MERGED)
    if f.unit:
        qs = qs.filter(_unit_q(f.unit))
    if f.category:
        qs = qs.filter(_category_q(f.category))
    return qs


# --- the figures ----------------------------------------------------------------------------------
# COUNT(1) rather than COUNT(id): a count that names no column can be answered from a covering
# index alone (an index-only scan); Django refuses COUNT(*) with a FILTER.
ONE = Value(1)


def _sums(as_of) -> dict:
    """The additive quantities every figure is derived from, as aggregate expressions."""
    closed = Q(closed_at__lt=as_of)
    dispatched = Q(dispatched_at__isnull=False)
    valid = Q(callback_valid=True)
    not_closed = Q(closed_at__isnull=True) | Q(closed_at__gt=as_of)
    overdue = (
        (closed & Q(closed_on_time=False))
        | Q(status__in=CLOCK_STATUSES, deadline__lt=as_of)
        | (Q(handled_at__gt=F("deadline"), deadline__lt=as_of) & not_closed)
    )
    return {
        "n_filed": Count("*"),
        "n_closed": Count(ONE, filter=closed),
        "n_due": Count(ONE, filter=~Q(status=Status.PARKED) & (closed | Q(deadline__lt=as_of))),
        "n_on_time": Count(ONE, filter=closed & Q(closed_on_time=True)),
        "n_dispatched": Count(ONE, filter=dispatched),
        "n_reworked": Count(ONE, filter=dispatched & Q(rework_count__gt=0)),
        "n_extended": Count(ONE, filter=dispatched & Q(extension_count__gt=0)),
        "n_returned": Count(ONE, filter=dispatched & Q(return_count__gt=0)),
        "n_overdue": Count(ONE, filter=overdue),
        "n_timed": Count("handling_hours", filter=closed),
        "s_hours": Sum("handling_hours", filter=closed),
        "n_valid": Count(ONE, filter=valid),
        "n_contacted": Count(ONE, filter=valid & Q(callback_contacted=True)),
        "n_solved": Count(ONE, filter=valid & Q(callback_solved=True)),
        "n_satisfied": Count(ONE, filter=valid & Q(satisfaction=Satisfaction.SATISFIED)),
        "n_basic": Count(ONE, filter=valid & Q(satisfaction=Satisfaction.BASIC)),
        "n_unsatisfied": Count(ONE, filter=valid & Q(satisfaction=Satisfaction.UNSATISFIED)),
    }


SUM_KEYS = tuple(_sums(timezone.now()))


def _rate(num, den) -> float | None:
    return num / den if den else None


def derive(raw: dict, score: ScoreSettings | None = None) -> dict:
    """The figures from the additive quantities (rates as fractions 0–1, None when undefined)."""
    g = {k: raw.get(k) or 0 for k in SUM_KEYS}
    valid = g["n_valid"]
    response = solve = satisfaction = composite = None
    if valid:  # the settings are read only when there is something to score
        s = score or ScoreSettings.current()
        response = g["n_contacted"] / valid
        solve = g["n_solved"] / valid
        satisfaction = (g["n_satisfied"] + float(s.basic_value) * g["n_basic"]) / valid
        composite = 100 * (
            float(s.response_weight) * response
            + float(s.solve_weight) * solve
            + float(s.satisfaction_weight) * satisfaction
        )
    return {
        "filed": g["n_filed"],
        "closed": g["n_closed"],
        "due": g["n_due"],
        "on_time": g["n_on_time"],
        "close_rate": _rate(g["n_closed"], g["n_due"]),
        "on_time_rate": _rate(g["n_on_time"], g["n_due"]),
        "dispatched": g["n_dispatched"],
        "reworked": g["n_reworked"],
        "extended": g["n_extended"],
        "returned": g["n_returned"],
        "rework_rate": _rate(g["n_reworked"], g["n_dispatched"]),
        "extension_rate": _rate(g["n_extended"], g["n_dispatched"]),
        "return_rate": _rate(g["n_returned"], g["n_dispatched"]),
        "overdue": g["n_overdue"],
        "avg_hours": _rate(g["s_hours"], g["n_timed"]),
        "callbacks": valid,
        "contacted": g["n_contacted"],
        "solved": g["n_solved"],
        "satisfied": g["n_satisfied"],
        "basic": g["n_basic"],
        "unsatisfied": g["n_unsatisfied"],
        "response_rate": response,
        "solve_rate": solve,
        "satisfaction_rate": satisfaction,
        "score": composite,
    }


def compute(user, f: Filters) -> dict:
    """The figures of the cohort, in one aggregate query."""
    raw = cohort(user, f).aggregate(**_sums(f.as_of()))
    return derive(raw)


def _fold(rows: list[dict], key) -> list[dict]:
    """Add up grouped rows that share key(row) (the sums are additive)."""
    out: dict = {}
    for r in rows:
        k = key(r)
        acc = out.setdefault(k, dict.fromkeys(SUM_KEYS, 0))
        for s in SUM_KEYS:
            acc[s] += r.get(s) or 0
    return [{"_key": k, **v} for k, v in out.items()]


def breakdown(user, f: Filters, by: str) -> list[dict]:
    """The figures per handling unit, 小类 (category), 大类 (major), community or month: each row
    has "key", "label" and the figures; one grouped query."""
    if by not in BREAKDOWNS:
        raise ValidationFailed(
            _("分组方式应为 %(v)s 之一。") % {"v": " / ".join(BREAKDOWNS)}, details={"by": [by[:20]]}
        )
    qs = cohort(user, f).order_by()
    sums = _sums(f.as_of())
    score = ScoreSettings.current()
    rows: list[dict] = []
    if by == "unit":
        rows = _unit_rows(_by_unit(qs, sums), score)
    elif by in ("category", "major"):
        grouped = list(qs.values("category_id").annotate(**sums))
        cats = {
            c.pk: c
            for c in Category.objects.select_related("parent").filter(
                pk__in=[r["category_id"] for r in grouped]
            )
        }
        if by == "category":
            for r in grouped:
                c = cats[r["category_id"]]
                rows.append({"key": c.code, "label": str(c), **derive(r, score)})
        else:
            for r in _fold(grouped, lambda r: cats[r["category_id"]].parent or cats[r["category_id"]]):
                rows.append({"key": r["_key"].code, "label": r["_key"].name, **derive(r, score)})
        rows.sort(key=lambda r: r["key"])
    elif by == "community":
        from shequ.org.models import OrgUnit

        grouped = list(qs.values("community_id").annotate(**sums))
        units = OrgUnit.objects.in_bulk([r["community_id"] for r in grouped if r["community_id"]])
        for r in grouped:
            u = units.get(r["community_id"])
            if u is not None:
                rows.append({"key": u.code, "label": u.display_name, **derive(r, score)})
            else:
                rows.append({"key": "", "label": _("街道（未落到社区）"), **derive(r, score)})
        rows.sort(key=lambda r: (r["key"] == "", r["key"]))
    else:  # month
        grouped = qs.annotate(_month=TruncMonth("filed_at")).values("_month").annotate(**sums)
        for r in grouped:
            m = month_of(r["_month"])
            rows.append({"key": m.strftime("%Y-%m"), "label": month_label(m), **derive(r, score)})
        rows.sort(key=lambda r: r["key"])
    return rows


def _by_unit(qs, sums) -> list[dict]:
    return list(qs.values("handler_kind", "handler_code", "handler_department").annotate(**sums))


def _unit_rows(grouped: list[dict], score) -> list[dict]:
    names = _unit_names({r["handler_code"] for r in grouped if r["handler_kind"] != UnitKind.DEPARTMENT})
    rows = []
    for r in grouped:
        if not r["handler_kind"]:
            key, label = "", _("未派遣")
        elif r["handler_kind"] == UnitKind.DEPARTMENT:
            key, label = f"department:{r['handler_department']}", r["handler_department"]
        else:
            key, label = (
                f"{r['handler_kind']}:{r['handler_code']}",
                names.get(r["handler_code"], r["handler_code"]),
            )
        rows.append({"key": key, "label": label, **derive(r, score)})
    rows.sort(key=lambda r: (r["key"] == "", -r["filed"], r["label"]))
    return rows


def compute_with_units(user, f: Filters) -> tuple[dict, list[dict]]:
    """compute() and breakdown(by="unit") from ONE grouped query: every quantity is additive, so
    the period's figures are the sum of its units' (the page shows both)."""
    grouped = _by_unit(cohort(user, f).order_by(), _sums(f.as_of()))
    total = {k: sum(r.get(k) or 0 for r in grouped) for k in SUM_KEYS}
    score = ScoreSettings.current()
    return derive(total, score), _unit_rows(grouped, score)


def _unit_names(codes) -> dict[str, str]:
    """Names of streets, communities and grids by code (read from the org tree rather than grouped
    on the cases' handler_name, so that the grouping needs only indexed columns)."""
    from shequ.org.models import node_names

    return node_names(codes)


def month_label(m: dt.date) -> str:
    return _("%(y)d年%(m)d月") % {"y": m.year, "m": m.month}


TREND_SUMS = ("n_filed", "n_closed", "n_due", "n_on_time")
TREND_KEYS = ("filed", "closed", "due", "on_time", "close_rate", "on_time_rate")


def trend(user, f: Filters, months: int = 12, *, live: bool = False) -> list[dict]:
    """立案数, 结案数, 结案率 and 按期结案率 per filing month over the `months` months ending with the
    period's last month, every month present (zeros where nothing was filed). Read from the monthly
    rollup (cases.rollups) where it answers exactly, else (or with `live`) one grouped query of the
    cases of only the sums these need (the dashboard's chart)."""
    tf = trend_filters(f, months)
    qs = cohort(user, tf)
    found = None if live else trend_sums(user, tf)
    if found is None:
        sums = {k: v for k, v in _sums(tf.as_of()).items() if k in TREND_SUMS}
        grouped = qs.order_by().annotate(_month=TruncMonth("filed_at")).values("_month").annotate(**sums)
        found = {month_of(r["_month"]): r for r in grouped}
    rows = []
    m = tf.start.replace(day=1)
    while m <= tf.end:
        figures = derive(found.get(m, {}))
        rows.append(
            {"key": m.strftime("%Y-%m"), "label": month_label(m)} | {k: figures[k] for k in TREND_KEYS}
        )
        m = (m + dt.timedelta(days=32)).replace(day=1)
    return rows


def trend_filters(f: Filters, months: int = 12) -> Filters:
    """The same filters over the `months` calendar months ending with the period's last month."""
    y, m = f.end.year, f.end.month - (months - 1)
    while m < 1:
        y, m = y - 1, m + 12
    start = min(dt.date(y, m, 1), f.start)
    return replace(f, start=start)


# --- display --------------------------------------------------------------------------------------
RATE_KEYS = {
    "close_rate",
    "on_time_rate",
    "rework_rate",
    "extension_rate",
    "return_rate",
    "response_rate",
    "solve_rate",
    "satisfaction_rate",
}
DASH = "—"


def pct(v) -> str:
    """A fraction as "85.3%", or "—" when undefined."""
    return DASH if v is None else f"{v * 100:.1f}%"


def num(v, digits: int = 1) -> str:
    return DASH if v is None else f"{v:.{digits}f}"


def columns() -> list[tuple[str, str]]:
    """(key, label) of the figures in table and export order."""
    return [
        ("filed", _("立案数")),
        ("closed", _("结案数")),
        ("due", _("应结案数")),
        ("on_time", _("按期结案数")),
        ("close_rate", _("结案率")),
        ("on_time_rate", _("按期结案率")),
        ("overdue", _("超期数")),
        ("avg_hours", _("平均处置时长（工作小时）")),
        ("dispatched", _("派遣数")),
        ("rework_rate", _("返工率")),
        ("extension_rate", _("延期率")),
        ("return_rate", _("退单率")),
        ("callbacks", _("有效回访数")),
        ("response_rate", _("响应率")),
        ("solve_rate", _("解决率")),
        ("satisfaction_rate", _("满意率")),
        ("score", _("综合得分")),
    ]


def display(key: str, value) -> str:
    """One figure as shown on the page."""
    if key in RATE_KEYS:
        return pct(value)
    if key in ("avg_hours", "score"):
        return num(value)
    return DASH if value is None else str(value)


def summary_line(label: str, figures: dict) -> str:
    """One sentence that states the period's main figures (page subtitle and export header). The
    rates are out of the cases due (应结案), not out of all filed: the sentence names both numbers,
    or "立案 97 件，结案 37 件，结案率 80.4%" reads as 37 of 97."""
    return _(
        "%(scope)s：立案 %(filed)d 件，其中应结案 %(due)d 件（已结案或已到处置时限）；"
        "结案 %(closed)d 件，结案率 %(rate)s（%(closed)d ÷ %(due)d）；"
        "按期结案 %(on_time)d 件，按期结案率 %(ontime)s（%(on_time)d ÷ %(due)d）。"
    ) % {
        "scope": label,
        "filed": figures["filed"],
        "due": figures["due"],
        "closed": figures["closed"],
        "on_time": figures["on_time"],
        "rate": pct(figures["close_rate"]),
        "ontime": pct(figures["on_time_rate"]),
    }


# --- the workbook ---------------------------------------------------------------------------------
def workbook(user, f: Filters, *, title: str = "", filters_text: str = "") -> bytes:
    """The xlsx export: 汇总 (figures, filters, formulas), 按处置单位, 按类别, 按月 sheets.

    Rates are written as numbers with a percent format, undefined ones as "—"."""
    import xlsxwriter

    from shequ.core.excel import _cell

    figures = compute(user, f)
    score = ScoreSettings.current()
    sheets = [
        (_("按处置单位"), _("处置单位"), breakdown(user, f, "unit")),
        (_("按类别"), _("案件类别"), breakdown(user, f, "category")),
        (_("按月"), _("立案月份"), breakdown(user, trend_filters(f), "month")),
    ]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    percent = wb.add_format({"num_format": "0.0%"})
    decimal = wb.add_format({"num_format": "0.0"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    big = wb.add_format({"bold": True, "font_size": 14})

    def put(ws, row, col, key, value):
        if value is None:
            ws.write_string(row, col, DASH)
        elif key in RATE_KEYS:
            ws.write_number(row, col, value, percent)
        elif key in ("avg_hours", "score"):
            ws.write_number(row, col, value, decimal)
        else:
            ws.write_number(row, col, value)

    ws = wb.add_worksheet(_("汇总"))
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 90)
    title = title or _("考核指标")
    ws.write(0, 0, _cell(title), big)
    period = _("统计期：%(a)s 至 %(b)s；截止时点：%(t)s") % {
        "a": f.start.isoformat(),
        "b": f.end.isoformat(),
        "t": timezone.localtime(f.as_of()).strftime("%Y-%m-%d %H:%M"),
    }
    ws.write(1, 0, period)
    if filters_text:
        ws.write(2, 0, _cell(filters_text))
    ws.write(3, 0, _cell(summary_line(title, figures)))
    row = 5
    ws.write_row(row, 0, [_("指标"), _("数值")], head)
    for key, label in columns():
        row += 1
        ws.write(row, 0, label)
        put(ws, row, 1, key, figures[key])
    for key, label in (
        ("satisfied", _("满意数")),
        ("basic", _("基本满意数")),
        ("unsatisfied", _("不满意数")),
        ("contacted", _("已联系诉求人数")),
        ("solved", _("问题已解决数")),
    ):
        row += 1
        ws.write(row, 0, label)
        put(ws, row, 1, key, figures[key])
    row += 2
    ws.write(row, 0, _("计分设置"), bold)
    row += 1
    ws.write(
        row,
        0,
        _("响应率权重 %(r)s，解决率权重 %(s)s，满意率权重 %(m)s，基本满意折算 %(b)s")
        % {
            "r": score.response_weight,
            "s": score.solve_weight,
            "m": score.satisfaction_weight,
            "b": score.basic_value,
        },
    )
    unknown = unknown_years(f)
    if unknown:
        row += 1
        ws.write(row, 0, weekend_notice(unknown))
    row += 2
    ws.write_row(row, 0, [_("指标"), _("口径 / 公式")], head)
    for name, text in formulas():
        row += 1
        ws.write(row, 0, name, wrap)
        ws.write(row, 1, text, wrap)
    ws.write(row + 2, 0, _("导出人：%(u)s") % {"u": _cell(str(user))})

    cols = columns()
    for sheet_name, group_label, rows in sheets:
        ws = wb.add_worksheet(sheet_name)
        ws.write_row(0, 0, [group_label] + [label for _k, label in cols], head)
        ws.set_column(0, 0, 28)
        ws.set_column(1, len(cols), 11)
        ws.set_row(0, 32)
        for i, r in enumerate(rows, start=1):
            ws.write(i, 0, _cell(r["label"]))
            for j, (key, _label) in enumerate(cols, start=1):
                put(ws, i, j, key, r[key])
        ws.freeze_panes(1, 1)
    wb.close()
    return buf.getvalue()


def unknown_years(f: Filters) -> list[int]:
    """Years of the period whose deadlines were computed with weekends only."""
    from shequ.core import worktime

    a, b = f.bounds()
    return worktime.unknown_years(a, b - dt.timedelta(microseconds=1))


def weekend_notice(years: list[int]) -> str:
    """The notice for years whose holidays are not entered (deadlines counted with weekends only)."""
    return _(
        "%(y)s 年的法定节假日安排尚未录入，这些年份的处置时限暂按“周六、周日休息”计算；"
        "管理员录入后，新派遣案件的时限将按实际安排计算。"
    ) % {"y": "、".join(str(y) for y in years)}


# --- the kernel's indicator catalogue --------------------------------------------------------------
# 立案数, 结案率, 按期结案率 and 满意率 of a scope and period, on the same cohort and sums as this
# page (one grouped query for many scopes, one more for the 大类 breakdown).
CATALOGUE = {
    # key: (label, unit, formula, numerator sum, denominator sum)
    "cases.filed": (N_("立案数"), "件", N_("统计期内立案的案件数（并入其他案件的重复诉求不计）。"), "n_filed", None),
    "cases.close_rate": (
        N_("结案率"), "%",
        N_("结案数 ÷ 应结案数 × 100%；应结案数为截止时点（统计期末与当前较早者）前已结案或处置时限已到的案件数，"
           "挂账案件不计。统计对象为统计期内立案的案件。"),
        "n_closed", "n_due",
    ),
    "cases.on_time_rate": (
        N_("按期结案率"), "%",
        N_("按期结案数 ÷ 应结案数 × 100%；按期结案指截止时点前已结案、且通过核查的反馈不晚于处置时限。"
           "统计对象为统计期内立案的案件。"),
        "n_on_time", "n_due",
    ),
    "cases.satisfaction_rate": (
        N_("诉求满意率"), "%",
        N_("（满意数 + 基本满意折算值 × 基本满意数）÷ 有效回访数 × 100%；基本满意折算值在考核计分设置中配置"
           "（默认 0.9）。统计对象为统计期内立案的案件。"),
        "n_satisfied", "n_valid",
    ),
}  # fmt: skip


def _figure(key: str, sums: dict, basic) -> dict:
    _label, _unit, _formula, num_key, den_key = CATALOGUE[key]
    g = {k: sums.get(k) or 0 for k in SUM_KEYS}
    if den_key is None:
        return {"value": g[num_key], "numerator": g[num_key], "denominator": None}
    from shequ.core.indicators import percent

    num = g[num_key]
    if key == "cases.satisfaction_rate":
        num = g["n_satisfied"] + basic * g["n_basic"]
    return {"value": percent(num, g[den_key]), "numerator": num, "denominator": g[den_key]}


def _catalogue_many(key: str):
    def many(user, codes, start: dt.date, end: dt.date) -> dict:
        from shequ.core import indicators as ind

        ind.require(user, PERM, codes)
        f = Filters(start=start, end=end)
        qs = cohort(user, f)
        sums = _sums(f.as_of())
        found = ind.per_scope(qs, codes, sums)
        by_cat = ind.per_scope(qs, codes, sums, by="category_id")
        cats = {c.pk: c for c in Category.objects.select_related("parent")}
        basic = Decimal(str(ScoreSettings.current().basic_value))
        out = {}
        for code in codes:
            major: dict = {}
            for cat_id, row in by_cat[code].items():
                c = cats.get(cat_id)
                name = str((c.parent or c).name) if c else _("未分类")
                acc = major.setdefault(name, dict.fromkeys(SUM_KEYS, 0))
                for k in SUM_KEYS:
                    acc[k] += row.get(k) or 0
            out[code] = _figure(key, found[code], basic) | {
                "by": {
                    "category": {name: _figure(key, s, basic)["value"] for name, s in sorted(major.items())}
                }
            }
        return out

    many.__doc__ = f"{key} of many scopes (one grouped query, one more for the 大类 breakdown)."
    return many


def register_catalogue() -> None:
    from django.utils.translation import gettext_lazy as _l

    from shequ.core import registry
    from shequ.core.indicators import single

    for key, (label, unit, formula, _num, den) in CATALOGUE.items():
        many = _catalogue_many(key)
        registry.register_indicator(
            key, label=_l(label), unit=unit, formula=_l(formula), perm=PERM, compute=single(many),
            compute_many=many, reads=(N_("诉求与案件"), N_("案件类别"), N_("回访")) if den else (N_("诉求与案件"),),
            breakdowns=("category",),
        )  # fmt: skip
