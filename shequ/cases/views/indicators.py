"""The indicator dashboard (考核指标): filters, KPI cards, ECharts, the per-unit table, the formulas,
and the same figures as an Excel workbook (?export=xlsx)."""

import datetime as dt
import os

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from shequ.cases import indicators as ind
from shequ.cases.models import Category, ScoreSettings, UnitKind
from shequ.cases.services import departments, unit_key
from shequ.core import changelog, scope
from shequ.core.errors import DomainError
from shequ.core.excel import xlsx_response
from shequ.core.forms import DateInput
from shequ.core.generic import error_page
from shequ.core.models import Action
from shequ.core.roles import roles_with
from shequ.org.models import Grid, Level, OrgUnit

GRID_OPTION_LIMIT = 300  # beyond this many grids the scope list offers communities only

PERIODS = [
    ("this_month", _l("本月")),
    ("last_month", _l("上月")),
    ("this_quarter", _l("本季度")),
    ("this_year", _l("本年")),
    ("custom", _l("自定义")),
]


def period_bounds(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """(first, last) day of a named period around today."""
    if period == "last_month":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    if period == "this_quarter":
        first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    elif period == "this_year":
        first = dt.date(today.year, 1, 1)
    else:
        first = today.replace(day=1)
    return first, today


def _roots(user) -> list[str] | None:
    return scope.scope_codes(user, roles_with(ind.PERM))


def scope_options(user) -> list[tuple[str, str]]:
    """The nodes of the user's scope the figures can be narrowed to (districts to grids)."""
    roots = _roots(user)
    units = OrgUnit.objects.filter(level__in=(Level.DISTRICT, Level.STREET, Level.COMMUNITY))
    grids = Grid.objects.select_related("community")
    if roots is not None:
        units = units.filter(scope.prefix_q("code", roots))
        grids = grids.filter(scope.prefix_q("code", roots))
    depth = {Level.DISTRICT: 0, Level.STREET: 1, Level.COMMUNITY: 2}
    top = min((depth.get(u.level, 0) for u in units), default=0)
    options = [
        (u.code, "\u3000" * (depth.get(u.level, 0) - top) + u.display_name) for u in units.order_by("code")
    ]
    if grids.count() <= GRID_OPTION_LIMIT:
        for g in grids.order_by("code"):
            options.append((g.code, "\u3000" * (3 - top) + g.display_name))
        options.sort(key=lambda o: o[0])
    return options


def unit_options(user, nodes: list[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Handling units in the user's scope, grouped by kind, and the departments."""
    by_code = {code: label.strip("\u3000") for code, label in nodes}
    kinds = {9: UnitKind.STREET, 12: UnitKind.COMMUNITY, 15: UnitKind.GRID}
    groups: dict[str, list] = {k: [] for k in (UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.GRID)}
    for code, label in by_code.items():
        kind = kinds.get(len(code))
        if kind:
            groups[kind].append((unit_key(kind, code), label))
    out = [(str(UnitKind(k).label), v) for k, v in groups.items() if v]
    depts = [(unit_key(UnitKind.DEPARTMENT, department=d), d) for d in departments()]
    if depts:
        out.append((str(UnitKind.DEPARTMENT.label), depts))
    return out


def category_options() -> list:
    """大类 (all its 小类) and each 小类, grouped under its 大类."""
    majors = Category.objects.filter(parent__isnull=True).prefetch_related("children").order_by("code")
    out = []
    for m in majors:
        items = [(m.code, _("%(n)s（全部小类）") % {"n": m.name})]
        items += [(c.code, c.name) for c in sorted(m.children.all(), key=lambda c: c.code)]
        out.append((m.name, items))
    return out


class FilterForm(forms.Form):
    period = forms.ChoiceField(label=_l("统计期"), choices=PERIODS, required=False)
    start = forms.DateField(label=_l("开始日期"), required=False, widget=DateInput())
    end = forms.DateField(label=_l("结束日期"), required=False, widget=DateInput())
    scope = forms.ChoiceField(label=_l("区域"), required=False)
    unit = forms.ChoiceField(label=_l("处置单位"), required=False)
    category = forms.ChoiceField(label=_l("案件类别"), required=False)

    def __init__(self, data, *, user, today, **kw):
        super().__init__(data, **kw)
        self.today = today
        nodes = scope_options(user)
        self.fields["scope"].choices = [("", _("全部管辖范围"))] + nodes
        self.fields["unit"].choices = [("", _("全部处置单位"))] + unit_options(user, nodes)
        self.fields["category"].choices = [("", _("全部类别"))] + category_options()

    def clean(self):
        d = super().clean()
        period = d.get("period") or ("custom" if d.get("start") or d.get("end") else "this_month")
        d["period"] = period
        if period == "custom":
            if not d.get("start") or not d.get("end"):
                raise forms.ValidationError(_("自定义统计期须填写开始日期和结束日期。"))
            if d["start"] > d["end"]:
                self.add_error("end", _("结束日期不能早于开始日期。"))
            elif (d["end"] - d["start"]).days > ind.MAX_SPAN_DAYS:
                self.add_error("end", _("统计期最长 3 年，请缩短起止日期。"))
        else:
            d["start"], d["end"] = period_bounds(period, self.today)
        return d

    def filters(self) -> ind.Filters:
        d = self.cleaned_data
        return ind.Filters(
            start=d["start"],
            end=d["end"],
            scope_code=d.get("scope") or None,
            unit=d.get("unit") or None,
            category=d.get("category") or None,
        )

    def describe(self) -> str:
        """The chosen filters in words (for the export)."""
        parts = []
        for name in ("scope", "unit", "category"):
            value = self.cleaned_data.get(name)
            if value:
                parts.append(f"{self.fields[name].label}：{_choice_label(self.fields[name].choices, value)}")
        return "；".join(parts)


def _choice_label(choices, value) -> str:
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            found = _choice_label(label, value)
            if found:
                return found
        elif key == value:
            return str(label).strip("\u3000")
    return ""


# --- charts ---------------------------------------------------------------------------------------
def _pct_number(v):
    return None if v is None else round(v * 100, 1)


def trend_chart(rows: list[dict]) -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 8, "right": 8, "top": 28, "bottom": 32, "containLabel": True},
        "xAxis": {"type": "category", "data": [r["key"] for r in rows]},
        "yAxis": [
            {"type": "value", "name": _("件"), "minInterval": 1},
            {"type": "value", "name": "%", "min": 0, "max": 100, "splitLine": {"show": False}},
        ],
        "series": [
            {
                "name": _("立案数"),
                "type": "bar",
                "data": [r["filed"] for r in rows],
                "itemStyle": {"color": "#60a5fa"},
            },
            {
                "name": _("结案数"),
                "type": "bar",
                "data": [r["closed"] for r in rows],
                "itemStyle": {"color": "#34d399"},
            },
            {
                "name": _("按期结案率"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [_pct_number(r["on_time_rate"]) for r in rows],
                "itemStyle": {"color": "#f59e0b"},
                "connectNulls": True,
            },
        ],
    }


UNIT_CHART_LIMIT = 20
LABEL_PX_PER_CHAR = 13  # a CJK character of the 12 px axis label, with a little room
LABEL_MAX_PX = 182  # wider names wrap onto a second line rather than squeeze the bars on a phone


def unit_chart(rows: list[dict]) -> dict:
    shown = [r for r in rows if r["key"]][:UNIT_CHART_LIMIT]
    shown.reverse()  # the largest unit on top of a horizontal bar chart
    longest = max((len(r["label"]) for r in shown), default=4)
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {
            "type": "category",
            "data": [r["label"] for r in shown],
            # Names are never cut: the label column is as wide as the longest name, up to a limit
            # beyond which the name wraps.
            "axisLabel": {
                "width": min(LABEL_PX_PER_CHAR * longest, LABEL_MAX_PX),
                "overflow": "break",
                "lineHeight": 14,
            },
        },
        "series": [
            {
                "name": _("结案率"),
                "type": "bar",
                "data": [_pct_number(r["close_rate"]) for r in shown],
                "itemStyle": {"color": "#3b82f6"},
            },
            {
                "name": _("按期结案率"),
                "type": "bar",
                "data": [_pct_number(r["on_time_rate"]) for r in shown],
                "itemStyle": {"color": "#10b981"},
            },
        ],
    }


def satisfaction_chart(figures: dict) -> dict:
    # The legend carries names and counts, the slices their shares: outside labels get cut on a phone.
    slices = [
        (_("满意"), figures["satisfied"], "#10b981"),
        (_("基本满意"), figures["basic"], "#f59e0b"),
        (_("不满意"), figures["unsatisfied"], "#ef4444"),
    ]
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}（{d}%）"},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["35%", "68%"],
                "center": ["50%", "45%"],
                "minShowLabelAngle": 18,
                "label": {"position": "inside", "formatter": "{d}%", "color": "#fff", "fontWeight": "bold"},
                "data": [
                    {"name": f"{name} {count}", "value": count, "itemStyle": {"color": color}}
                    for name, count, color in slices
                ],
            }
        ],
    }


def kpi_cards(f: dict) -> list[dict]:
    """The cards above the charts: value, label, the numbers behind it, and a tone."""

    def card(key, label, note="", tone=""):
        return {"value": ind.display(key, f[key]), "label": label, "note": note, "tone": tone}

    return [
        card("filed", _("立案数")),
        card("closed", _("结案数")),
        card("due", _("应结案数")),
        card("close_rate", _("结案率"), _("结案 %(a)d / 应结案 %(b)d") % {"a": f["closed"], "b": f["due"]}),
        card(
            "on_time_rate",
            _("按期结案率"),
            _("按期 %(a)d / 应结案 %(b)d") % {"a": f["on_time"], "b": f["due"]},
        ),
        card("overdue", _("超期数"), tone="danger" if f["overdue"] else ""),
        card("avg_hours", _("平均处置时长"), _("工作小时")),
        card(
            "rework_rate",
            _("返工率"),
            _("返工 %(a)d / 派遣 %(b)d") % {"a": f["reworked"], "b": f["dispatched"]},
        ),
        card(
            "extension_rate",
            _("延期率"),
            _("延期 %(a)d / 派遣 %(b)d") % {"a": f["extended"], "b": f["dispatched"]},
        ),
        card(
            "return_rate",
            _("退单率"),
            _("退单 %(a)d / 派遣 %(b)d") % {"a": f["returned"], "b": f["dispatched"]},
        ),
        card("callbacks", _("有效回访数")),
        card(
            "response_rate",
            _("响应率"),
            _("已联系 %(a)d / 有效回访 %(b)d") % {"a": f["contacted"], "b": f["callbacks"]},
        ),
        card(
            "solve_rate",
            _("解决率"),
            _("已解决 %(a)d / 有效回访 %(b)d") % {"a": f["solved"], "b": f["callbacks"]},
        ),
        card(
            "satisfaction_rate",
            _("满意率"),
            _("满意 %(a)d · 基本满意 %(b)d") % {"a": f["satisfied"], "b": f["basic"]},
        ),
        card("score", _("综合得分"), _("满分 100"), tone="primary"),
    ]


# --- the page -------------------------------------------------------------------------------------
def _export_scope(user, f: ind.Filters) -> str:
    if f.scope_code:
        return f.scope_code
    roots = _roots(user)
    if not roots:
        return ""
    common = os.path.commonprefix(roots)
    return next((common[:n] for n in (15, 12, 9, 6, 4, 2) if n <= len(common)), "")


@login_required
@require_http_methods(["GET", "POST"])
def indicators(request):
    """考核指标 for the user's scope: the period's figures, trend, units, satisfaction, formulas."""
    user = request.user
    if not scope.holds(user, ind.PERM):
        return error_page(request, 403)
    today = timezone.localdate()
    data = request.GET.copy()
    data.pop("export", None)
    focus = scope.focus_of(request)
    if "scope" not in data and focus is not None:
        data["scope"] = focus.code
    form = FilterForm(data, user=user, today=today)
    if form.is_valid():
        f = form.filters()
        # Show the dates a named period stands for in the date inputs.
        form.data = data
        data["start"], data["end"] = f.start.isoformat(), f.end.isoformat()
    else:
        start, end = period_bounds("this_month", today)
        f = ind.Filters(start=start, end=end)
    code = f.scope_code
    roots = _roots(user)
    if not code and roots and len(roots) == 1:
        code = roots[0]  # one root: name it rather than "全部管辖范围"
    scope_label = _choice_label(form.fields["scope"].choices, code or "") or _("全部管辖范围")
    period_label = _("%(a)s 至 %(b)s") % {"a": f.start.isoformat(), "b": f.end.isoformat()}
    title = _("考核指标 · %(s)s · %(p)s") % {"s": scope_label, "p": period_label}
    try:
        # The export is the same figures; a POST (the "full export" of list pages) gets it too,
        # since the workbook holds no personal data to reveal.
        if request.method == "POST" or request.GET.get("export") == "xlsx":
            content = ind.workbook(
                user, f, title=title, filters_text=form.describe() if form.is_valid() else ""
            )
            changelog.record(
                user,
                Action.EXPORT,
                None,
                scope_code=_export_scope(user, f),
                note=title,
            )
            return xlsx_response(_("考核指标"), content)
        figures, units = ind.compute_with_units(user, f)
        trend = ind.trend(user, f)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    score = ScoreSettings.current()
    unknown = ind.unknown_years(f)
    export_query = data.urlencode()
    columns = ind.columns()
    unit_rows = [
        {"label": r["label"], "cells": [ind.display(k, r[k]) for k, _label in columns]} for r in units
    ]
    ctx = {
        "form": form,
        "filters": f,
        "title": title,
        "scope_label": scope_label,
        "period_label": period_label,
        "as_of": f.as_of(),
        "summary": ind.summary_line(scope_label, figures),
        "figures": figures,
        "cards": kpi_cards(figures),
        "columns": columns,
        "unit_rows": unit_rows,
        "formulas": ind.formulas(),
        "score": score,
        "can_edit_score": any(
            m.role in roles_with("cases.manage_categories") for m in scope.memberships(user)
        ),
        "unknown_notice": ind.weekend_notice(unknown) if unknown else "",
        "export_query": export_query,
        "trend_chart": trend_chart(trend),
        "unit_chart": unit_chart(units),
        "unit_chart_height": max(220, 34 * min(len([r for r in units if r["key"]]), UNIT_CHART_LIMIT) + 60),
        "satisfaction_chart": satisfaction_chart(figures),
    }
    return render(request, "cases/indicators.html", ctx)


urlpatterns = [
    path("indicators/", indicators, name="indicators"),
]
