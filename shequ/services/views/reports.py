"""服务统计 (counts with ECharts, xlsx) and the employment services ledger (就业服务台账)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from shequ.core import changelog
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import workbook_bytes, xlsx_response
from shequ.core.generic import error_page
from shequ.core.models import Action
from shequ.services import services
from shequ.services.services.reports import KINDS, kind_labels
from shequ.services.views.common import focus_code, scope_label


def _day(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _bars(labels, values, name) -> dict:
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 28, "top": 8, "bottom": 8, "containLabel": True},
        "yAxis": {"type": "category", "inverse": True, "data": labels},
        "xAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": name, "type": "bar", "data": values, "label": {"show": True, "position": "right"}}
        ],
    }


def _pie(rows, name) -> dict:
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [{"name": name, "type": "pie", "radius": ["35%", "65%"], "center": ["50%", "45%"],
                    "data": [{"name": r["name"], "value": r["n"]} for r in rows]}],
    }  # fmt: skip


def _trend(rows) -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [r["month"] for r in rows]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"name": _("服务人次"), "type": "line", "smooth": True, "data": [r["n"] for r in rows],
                    "areaStyle": {"opacity": 0.15}}],
    }  # fmt: skip


def _report_workbook(data, label, user) -> bytes:
    rows = [[_("合计"), _("全部"), data["total"]]]
    for key, title in (("by_category", _("服务类别")), ("by_mode", _("服务方式")), ("by_provider", _("提供方类型")),
                       ("by_tag", _("人群标签")), ("by_service", _("服务项目"))):  # fmt: skip
        rows += [[title, r["name"], r["n"]] for r in data[key]]
    rows += [[_("月份"), r["month"], r["n"]] for r in data["by_month"]]
    note = _("%(s)s；统计期间 %(a)s 至 %(b)s；按人次计；导出人：%(u)s") % {
        "s": label, "a": data["start"].isoformat(), "b": data["end"].isoformat(), "u": user,
    }  # fmt: skip
    return workbook_bytes(_("社区服务统计"), [_("分组"), _("项目"), _("服务人次")], rows, note)


@login_required
def report(request):
    user = request.user
    if request.method != "GET":
        return error_page(request, 403)  # counts only: no "full" export to ask for
    code = (request.GET.get("scope") or focus_code(request) or "").strip()
    try:
        data = services.report(user, code, _day(request.GET.get("start")), _day(request.GET.get("end")))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    label = scope_label(data["scope"])
    if request.GET.get("export") == "xlsx":
        content = _report_workbook(data, label, user)
        changelog.record(user, Action.EXPORT, None, scope_code=data["scope"], note=_("社区服务统计"))
        return xlsx_response(_("社区服务统计"), content)
    charts = [
        ("opt-trend", _("各月服务人次"), _trend(data["by_month"]), "col-12"),
        ("opt-category", _("按服务类别"), _bars([r["name"] for r in data["by_category"]], [r["n"] for r in data["by_category"]], _("人次")), "col-md-6 col-xl-4"),
        ("opt-mode", _("按服务方式"), _pie(data["by_mode"], _("人次")), "col-md-6 col-xl-4"),
        ("opt-provider", _("按提供方"), _pie(data["by_provider"], _("人次")), "col-md-6 col-xl-4"),
        ("opt-tag", _("按人群标签"), _bars([r["name"] for r in data["by_tag"]], [r["n"] for r in data["by_tag"]], _("人次")), "col-md-6"),
        ("opt-service", _("服务人次最多的项目"), _bars([r["name"] for r in data["by_service"][:12]], [r["n"] for r in data["by_service"][:12]], _("人次")), "col-md-6"),
    ]  # fmt: skip
    empty = {"opt-category": not data["by_category"], "opt-mode": not data["by_mode"],
             "opt-provider": not data["by_provider"], "opt-tag": not data["by_tag"], "opt-service": not data["by_service"]}  # fmt: skip
    charts = [(opt, label, chart, width, empty.get(opt, False)) for opt, label, chart, width in charts]
    query = (
        f"scope={data['scope']}&start={data['start'].isoformat()}&end={data['end'].isoformat()}&export=xlsx"
    )
    return render(request, "services/report.html", {"data": data, "charts": charts, "scope_label": label,
                                                     "export_query": query})  # fmt: skip


@login_required
def employment_ledger(request):
    user = request.user
    if request.method != "GET":
        return error_page(request, 403)  # counts only: no "full" export to ask for
    code = (request.GET.get("scope") or focus_code(request) or "").strip()
    year, month = request.GET.get("year") or None, request.GET.get("month") or None
    try:
        data = services.employment_ledger(user, code, int(year) if year and year.isdigit() else None,
                                          int(month) if month and month.isdigit() else None)  # fmt: skip
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    if request.GET.get("export") == "xlsx":
        content = services.ledger_workbook(data, str(user))
        changelog.record(user, Action.EXPORT, None, scope_code=data["scope"],
                         note=_("就业服务台账 %(p)s") % {"p": data["period"]})  # fmt: skip
        return xlsx_response(_("就业服务台账"), content)
    from django.utils import timezone

    this_year = timezone.localdate().year
    query = f"scope={data['scope']}&year={data['year']}" + (
        f"&month={data['month']}" if data["month"] else ""
    )
    ctx = {
        "data": data,
        "kinds": list(zip(KINDS, kind_labels(), strict=True)),
        "years": list(range(this_year, this_year - 6, -1)),
        "months": list(range(1, 13)),
        "export_query": query + "&export=xlsx",
        "rows": [[r["name"], *[r[k] for k in KINDS], r["total"]] for r in data["rows"]],
        "month_rows": [[f"{m['month']}月", *[m[k] for k in KINDS], m["total"]] for m in data["by_month"]],
        "total_row": [data["totals"][k] for k in [*KINDS, "total"]],
    }
    return render(request, "services/employment_ledger.html", ctx)
