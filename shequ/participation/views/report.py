"""议事统计: one scope and period, with charts (ECharts) like the workforce overview."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.generic import error_page
from shequ.participation import reports
from shequ.participation.models import VIEW


def _day(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _scope_label(code: str) -> str:
    from shequ.org.models import node_names

    return node_names([code]).get(code, code) if code else _("全部")


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


@login_required
def report(request):
    user = request.user
    if not scope.holds(user, VIEW):
        return error_page(request, 403)
    focus = scope.focus_of(request)
    code = request.GET.get("scope") or (focus.code if focus else "")
    try:
        data = reports.report(user, code, _day(request.GET.get("start")), _day(request.GET.get("end")))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    charts = [
        ("opt-kinds", _("各类会议场次"), _bars([k["name"] for k in data["kinds"]], [k["meetings"] for k in data["kinds"]], _("场次"))),
        ("opt-attendance", _("各类会议出席人次"), _bars([k["name"] for k in data["kinds"]], [k["attendance"] for k in data["kinds"]], _("人次"))),
        ("opt-status", _("本期提出议题的当前状态"), _bars([s["label"] for s in data["by_status"]], [s["count"] for s in data["by_status"]], _("议题"))),
    ]  # fmt: skip
    ctx = {"data": data, "charts": charts, "scope_label": _scope_label(data["scope"])}
    ctx.update(self_government_context(user, data["scope"]))
    ctx.update(_rating_context(user, data))
    return render(request, "participation/report.html", ctx)


# --- self-government: representatives and groups coverage, election turnout ---
def self_government_context(user, code: str) -> dict:
    """The report's self-government section: coverage by 楼栋长, 居民代表 and groups, and the last
    elections' turnout, for the report's scope."""
    from shequ.participation import governance

    reps = governance.representative_coverage(user, code or None)
    groups = governance.group_coverage(user, code or None)
    elections = governance.election_turnout(user, code or None)
    return {"gov": {"reps": reps["totals"], "groups": groups["totals"], "elections": elections["totals"],
                    "election_rows": elections["communities"]}}  # fmt: skip


def _rating_context(user, data) -> dict:
    """居民评议 results and the participation rate of the same scope and period."""
    from shequ.participation import reports_ratings

    return {"ratings": reports_ratings.rating_report(user, data["scope"] or None, data["start"], data["end"])}
