"""Pages of the burden ledger (减负台账) and of the communities' appraisal of departments (社区评议部门)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from shequ.core import changelog, scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import xlsx_response
from shequ.core.generic import Column, ScopedListView, ServiceFormView, error_page
from shequ.core.models import Action
from shequ.duties import burden as ledger_data
from shequ.duties import services
from shequ.duties.forms_burden import AppraisalFillForm, DayForm, EntryForm, RoundForm
from shequ.duties.models import ASPECTS, METRIC_FIELDS, AppraisalForm, AppraisalRound
from shequ.org.models import OrgUnit

# --- the ledger -----------------------------------------------------------------------------------
TREND_COLORS = {"ledgers": "#3b82f6", "stamps": "#f59e0b", "signboards": "#10b981", "inspections": "#ef4444"}


def trend_chart(points: list[dict]) -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 8, "right": 8, "top": 24, "bottom": 32, "containLabel": True},
        "xAxis": {"type": "category", "data": [p["day"].strftime("%Y-%m") for p in points]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": ledger_data.metric_label(m),
                "type": "line",
                "smooth": True,
                "data": [p[m] for p in points],
                "itemStyle": {"color": color},
            }
            for m, color in TREND_COLORS.items()
        ],
    }


def kpi_cards(data: dict) -> list[dict]:
    t = data["totals"]
    n = max(1, len(data["communities"]))
    breached = {b["code"] for b in data["breaches"]}
    cards = [
        {
            "label": _("在办下派任务"),
            "value": t["tasks"],
            "note": _("在册事项 %(n)d 项") % {"n": t["entries"]},
        },
        {"label": _("紧急事项"), "value": t["urgent"], "tone": "warning" if t["urgent"] else ""},
    ]
    for m in (
        "ledgers",
        "stamps",
        "signboards",
        "inspections",
        "appraisals",
        "evaluations",
        "meetings",
        "data_reports",
    ):
        cards.append(
            {
                "label": ledger_data.metric_label(m),
                "value": t[m],
                "note": _("社区平均 %(v).1f") % {"v": t[m] / n} if len(data["communities"]) > 1 else "",
            }
        )
    cards.append({"label": _("工作量（小时/月）"), "value": t["hours_per_month"]})
    cards.append({"label": _("随事经费（元）"), "value": f"{t['funding']:,.0f}"})
    if len(data["communities"]) == 1:
        n_over = len(data["breaches"])
        cards.append({"label": _("超限指标"), "value": n_over, "tone": "danger" if n_over else ""})
    else:
        cards.append(
            {
                "label": _("超限社区"),
                "value": len(breached),
                "note": _("共 %(n)d 个社区") % {"n": len(data["communities"])},
                "tone": "danger" if breached else "",
            }
        )
    return cards


@login_required
@require_http_methods(["GET", "POST"])
def burden(request):
    """减负台账 for a community, street or district on a day."""
    user = request.user
    if not scope.holds(user, ledger_data.PERM):
        return error_page(request, 403)
    data = request.GET.copy()
    focus = scope.focus_of(request)
    if not data.get("code") and focus is not None and len(focus.code) <= 12:
        data["code"] = focus.code
    options = ledger_data.scope_options(user, data.get("code") or "")
    form = DayForm(data, options=options)
    form.is_valid()
    code = form.cleaned_data.get("code") or data.get("code") or None
    day = form.cleaned_data.get("day") or timezone.localdate()
    try:
        result = ledger_data.ledger(user, code, day)
    except NotFound:
        raise Http404() from None
    node = result["node"]
    # The workbook holds no personal data: the "full export" POST of list pages gets the same file.
    if request.method == "POST" or request.GET.get("export") == "xlsx":
        content = ledger_data.workbook(result, exported_by=str(user))
        changelog.record(user, Action.EXPORT, None, scope_code=node.code, note=_("减负台账 %s") % node.name)
        return xlsx_response(_("减负台账"), content)
    if node.code[:9] != (data.get("code") or "")[:9]:
        options = ledger_data.scope_options(user, node.code)
    form = DayForm({"code": node.code, "day": day.isoformat()}, options=options)
    query = f"code={node.code}&day={day.isoformat()}"
    ctx = {
        "title": _("减负台账 · %(n)s") % {"n": node.name},
        "form": form,
        "data": result,
        "node": node,
        "day": day,
        "cards": kpi_cards(result),
        "metrics": [(m, ledger_data.metric_label(m)) for m in METRIC_FIELDS],
        "community_rows": _community_rows(result["communities"]) if len(node.code) > 6 else [],
        "street_rows": ledger_data.by_street(node.code, result["communities"]) if len(node.code) <= 6 else [],
        "trend_chart": trend_chart(result["trend"]),
        "query": query,
        "can_register": scope.holds(user, "duties.register_entry"),
        "single": len(result["communities"]) == 1,
    }
    return render(request, "duties/burden.html", ctx)


def _community_rows(rows: list[dict]) -> list[dict]:
    """Each community's metrics as cells (value, cap, over?), communities with breaches first."""
    out = []
    for r in rows:
        cells = [(r[m], r["caps"].get(m), m in r["over"]) for m in METRIC_FIELDS]
        out.append(
            {
                "code": r["code"],
                "name": r["name"],
                "entries": r["entries"],
                "urgent": r["urgent"],
                "hours": r["hours_per_month"],
                "cells": cells,
                "over": len(r["over"]),
            }
        )
    out.sort(key=lambda r: (-r["over"], r["code"]))
    return out


class EntryCreateView(ServiceFormView):
    """Record a standing ledger, signboard or stamp a community already carries."""

    form_class = EntryForm
    template_name = "duties/burden_entry_form.html"
    title = _l("登记常设事项")
    submit_label = _l("登记")
    perm = "duties.register_entry"

    def setup_objects(self):
        # A community outside the user's scope is not found, whatever their role.
        code = self.request.POST.get("community") or self.request.GET.get("community") or ""
        if code and not scope.covers(self.request.user, code):
            raise NotFound()
        self.code = code

    def _check_perm(self):
        if self.code and not scope.covers(self.request.user, self.code, self.perm):
            return error_page(self.request, 403)
        if not scope.holds(self.request.user, self.perm):
            return error_page(self.request, 403)
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        return {"community": self.code, "start_date": timezone.localdate()}

    def context(self):
        return {"parent_url": reverse("duties:burden"), "parent_title": _("减负台账")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        metrics = {f: d.pop(f) or 0 for f in (*METRIC_FIELDS, "hours_per_month")}
        entry = services.register_entry(
            self.request.user,
            community=d["community"],
            department=d["department"],
            kind=d["kind"],
            title=d["title"],
            start_date=d["start_date"],
            end_date=d.get("end_date"),
            **metrics,
        )
        messages.success(self.request, _("已登记“%(t)s”。") % {"t": entry.title})
        return entry

    def success_url(self, obj):
        return reverse("duties:burden") + f"?code={obj.scope_code}"


# --- appraisal of departments ---------------------------------------------------------------------
class RoundList(ScopedListView):
    model = AppraisalRound
    title = _l("社区评议部门")
    template_name = "duties/appraisal_list.html"
    select_related = ("org",)
    default_sort = "-opens_on"
    columns = [
        Column(_l("评议名称"), "title", sort="title", link=True),
        Column(_l("评议期间"), "period"),
        Column(_l("组织单位"), "org.name", sort="org__code"),
        Column(_l("开始日期"), "opens_on", sort="opens_on"),
        Column(_l("截止日期"), "closes_on", sort="closes_on"),
        Column(_l("被评议部门"), "departments_text"),
        Column(_l("状态"), "state"),
    ]

    def base_queryset(self):
        qs = ledger_data.rounds_visible(self.request.user).select_related("org")
        focus = scope.focus_of(self.request)
        if focus is not None:
            # The rounds above the focused node and those inside it.
            above = [focus.code[:n] for n in (6, 9) if n < len(focus.code)]
            qs = qs.filter(Q(scope_code__in=above) | scope.subtree_q("scope_code", focus.code))
        return qs

    def col_departments_text(self, obj):
        return "、".join(obj.departments or [])

    def col_state(self, obj):
        today = timezone.localdate()
        if obj.opens_on > today:
            return _("未开始")
        return _("进行中") if obj.is_open(today) else _("已截止")

    def extra_context(self):
        user = self.request.user
        return {
            "can_create": scope.holds(user, "duties.manage_appraisals"),
            "can_appraise": scope.holds(user, "duties.appraise"),
        }


class RoundCreateView(ServiceFormView):
    form_class = RoundForm
    template_name = "duties/appraisal_form.html"
    title = _l("发起部门评议")
    submit_label = _l("发起评议")
    perm = "duties.manage_appraisals"

    def setup_objects(self):
        code = self.request.POST.get("org") or ""
        if code and not scope.covers(self.request.user, code):
            raise NotFound()
        self.code = code

    def _check_perm(self):
        if self.code and not scope.covers(self.request.user, self.code, self.perm):
            return error_page(self.request, 403)
        if not scope.holds(self.request.user, self.perm):
            return error_page(self.request, 403)
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user, "departments": ledger_data.department_names(self.request.user)}

    def context(self):
        return {"parent_url": reverse("duties:appraisal-list"), "parent_title": _("社区评议部门")}

    def perform(self, form):
        d = form.cleaned_data
        org = OrgUnit.objects.filter(code=d["org"]).first()
        if org is None:
            raise NotFound()
        return services.open_round(
            self.request.user,
            org=org,
            title=d["title"],
            period=d["period"],
            opens_on=d["opens_on"],
            closes_on=d["closes_on"],
            departments=d["department_list"],
        )


def _round(user, pk) -> AppraisalRound:
    rnd = ledger_data.rounds_visible(user).select_related("org").filter(pk=pk).first()
    if rnd is None:
        raise Http404(_("未找到该评议，或它不在您的管辖范围内。"))
    return rnd


@login_required
def appraisal_detail(request, pk):
    """Results per department: each aspect's average, the overall score, forms and comments."""
    user = request.user
    rnd = _round(user, pk)
    entitled = ledger_data.may_see_results(user, rnd)
    mine = [c for c in ledger_data.appraiser_communities(user) if c.startswith(rnd.scope_code)]
    if not entitled and not mine:
        return error_page(request, 403)
    rows = ledger_data.results(user, rnd)
    ctx = {
        "title": str(rnd),
        "round": rnd,
        "rows": rows,
        "aspects": [(a, str(label)) for a, label in ASPECTS],
        "entitled": entitled,
        "own": ledger_data.own_departments(user) if entitled else None,
        "can_fill": bool(mine) and rnd.is_open(),
        "is_open": rnd.is_open(),
        "total_forms": sum(r["forms"] for r in rows),
    }
    return render(request, "duties/appraisal_detail.html", ctx)


@login_required
def appraisal_mine(request):
    """A community lead's rounds: which are open, which departments they have appraised."""
    user = request.user
    communities = ledger_data.appraiser_communities(user)
    if not communities:
        return error_page(request, 403)
    today = timezone.localdate()
    names = dict(OrgUnit.objects.filter(code__in=communities).values_list("code", "name"))
    ancestors = sorted({c[:n] for c in communities for n in (6, 9)})
    rounds = list(
        AppraisalRound.objects.filter(scope_code__in=ancestors)
        .select_related("org")
        .order_by("-opens_on", "-pk")[:50]
    )
    done: dict = {}
    for rid, code, dept in (
        AppraisalForm.objects.visible_to(user)
        .filter(round__in=[r.pk for r in rounds], scope_code__in=communities)
        .values_list("round_id", "scope_code", "department")
    ):
        done.setdefault((rid, code), set()).add(dept)
    items = []
    for r in rounds:
        for c in communities:
            if not c.startswith(r.scope_code):
                continue
            finished = done.get((r.pk, c), set())
            items.append(
                {
                    "round": r,
                    "community": c,
                    "community_name": names.get(c, c),
                    "departments": [(d, d in finished) for d in r.departments],
                    "done": len([d for d in r.departments if d in finished]),
                    "total": len(r.departments),
                    "open": r.is_open(today),
                    "upcoming": r.opens_on > today,
                }
            )
    ctx = {
        "title": _("我的部门评议"),
        "open_items": [i for i in items if i["open"]],
        "other_items": [i for i in items if not i["open"]],
    }
    return render(request, "duties/appraisal_mine.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_fill(request, pk):
    """One form per department: 1–5 stars on each aspect, and a comment."""
    user = request.user
    communities = ledger_data.appraiser_communities(user)
    rnd = AppraisalRound.objects.select_related("org").filter(pk=pk).first()
    mine = [c for c in communities if rnd is not None and c.startswith(rnd.scope_code)]
    if rnd is None or not mine:
        # Outside the user's communities (or no community to appraise for): not found.
        roots = scope.scope_codes(user) or []
        if (
            rnd is not None
            and not communities
            and any(r.startswith(rnd.scope_code) or rnd.scope_code.startswith(r) for r in roots)
        ):
            return error_page(request, 403)
        raise Http404(_("未找到该评议，或它不在您的管辖范围内。"))
    code = request.POST.get("community") or request.GET.get("community") or mine[0]
    if code not in mine:
        raise Http404()
    failed_department, failed_form = None, None
    if request.method == "POST":
        form = AppraisalFillForm(request.POST, prefix=None)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.submit_appraisal(
                    user,
                    rnd.pk,
                    community=code,
                    department=d["department"],
                    cooperation=d["cooperation"],
                    funding=d["funding"],
                    burden=d["burden"],
                    service=d["service"],
                    comment=d.get("comment", ""),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                failed_department, failed_form = d["department"], form
                status = exc.status if exc.status != 404 else 400
            else:
                messages.success(request, _("已提交对“%(d)s”的评议。") % {"d": d["department"]})
                return redirect(reverse("duties:appraisal-fill", args=[rnd.pk]) + f"?community={code}")
        else:
            failed_department, failed_form = request.POST.get("department"), form
            status = 400
    filled = ledger_data.filled(rnd, code)
    cards = []
    for d in rnd.departments:
        f = filled.get(d)
        if f is not None:
            cards.append(
                {
                    "department": d,
                    "form": None,
                    "filled": f,
                    "scores": [(str(label), getattr(f, a)) for a, label in ASPECTS],
                }
            )
        else:
            form = failed_form if d == failed_department else AppraisalFillForm(initial={"department": d})
            cards.append({"department": d, "form": form, "filled": None, "scores": []})
    cards.sort(key=lambda c: c["filled"] is not None)  # what is left to do first
    ctx = {
        "title": _("填写评议 · %(r)s") % {"r": rnd},
        "round": rnd,
        "cards": cards,
        "community": code,
        "community_name": OrgUnit.objects.filter(code=code).values_list("name", flat=True).first() or code,
        "choices": [(c, n) for c, n in OrgUnit.objects.filter(code__in=mine).values_list("code", "name")],
        "is_open": rnd.is_open(),
        "done": len(filled),
    }
    resp = render(request, "duties/appraisal_fill.html", ctx)
    if request.method == "POST" and failed_form is not None:
        resp.status_code = status
    return resp


urlpatterns = [
    path("burden/", burden, name="burden"),
    path("burden/entries/new/", EntryCreateView.as_view(), name="burden-entry-create"),
    path("appraisals/", RoundList.as_view(), name="appraisal-list"),
    path("appraisals/new/", RoundCreateView.as_view(), name="appraisal-create"),
    path("appraisals/mine/", appraisal_mine, name="appraisal-mine"),
    path("appraisals/<int:pk>/", appraisal_detail, name="appraisal-detail"),
    path("appraisals/<int:pk>/fill/", appraisal_fill, name="appraisal-fill"),
]
