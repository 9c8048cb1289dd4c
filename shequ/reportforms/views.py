"""一表通 pages: the register of forms and ledgers, uploading an upper level's layout, binding its
cells on an HTML picture of the sheet, manual values, filling and the trace of a filled copy."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core import indicators, registry, scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.generic import error_page, hx_redirect
from shequ.reportforms import services
from shequ.reportforms.models import (
    ENTER,
    MANAGE,
    VIEW,
    BindingKind,
    Breakdown,
    Field,
    Frequency,
    Kind,
    ReportFill,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _needs(request, perm):
    if not scope.holds(request.user, perm):
        return error_page(request, 403)
    return None


def _form(request, pk):
    try:
        return services.get_form(request.user, pk)
    except NotFound:
        raise Http404() from None


def _default_period(form=None) -> str:
    today = timezone.localdate()
    last = today.replace(day=1) - timezone.timedelta(days=1)
    freq = getattr(form, "frequency", Frequency.MONTH)
    if freq == Frequency.YEAR:
        return str(today.year - 1)
    if freq in (Frequency.QUARTER, Frequency.HALF):
        return indicators.period_label("quarter", last.replace(day=1))
    return indicators.period_label("month", last.replace(day=1))


@login_required
@require_GET
def register(request):
    """报表台账登记: what communities are asked for, which are generated and which still typed."""
    denied = _needs(request, VIEW)
    if denied:
        return denied
    code = (request.GET.get("code") or "").strip()
    try:
        reg = services.register(request.user, code)
    except NotFound:
        raise Http404() from None
    fills = ReportFill.objects.visible_to(request.user).defer("content", "trace")[:15]
    return render(request, "reportforms/register.html", {
        "reg": reg, "code": code, "scopes": services.scope_choices(request.user),
        "may_manage": scope.holds(request.user, MANAGE), "fills": fills, "period": _default_period(),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """上传上级表样: register a form with its xlsx, then bind its cells."""
    denied = _needs(request, MANAGE)
    if denied:
        return denied
    ctx = {"scopes": services.scope_choices(request.user, MANAGE), "frequencies": Frequency.choices,
           "kinds": Kind.choices, "levels": [(k, services.LEVEL_NAMES[k]) for k in services.LEVELS],
           "data": request.POST or {}, "checked": request.POST.getlist("levels") if request.method == "POST"
           else ["community"]}  # fmt: skip
    if request.method == "POST":
        f = request.FILES.get("template")
        try:
            form = services.create_form(
                request.user, org_code=request.POST.get("org", ""), name=request.POST.get("name", ""),
                asked_by=request.POST.get("asked_by", ""), asked_level=request.POST.get("asked_level", ""),
                frequency=request.POST.get("frequency", Frequency.MONTH), kind=request.POST.get("kind", Kind.FORM),
                levels=request.POST.getlist("levels"), filename=f.name if f else "",
                data=f.read() if f else None, notes=request.POST.get("notes", ""),
            )  # fmt: skip
        except DomainError as exc:
            ctx["error"] = exc.message
            return render(request, "reportforms/upload.html", ctx, status=exc.status)
        return redirect("reportforms:form-detail", pk=form.pk)
    return render(request, "reportforms/upload.html", ctx)


def _workspace(request, form, *, sheet=None, error="", status=200, picked=None):
    data = {"form": form, "may_manage": services.may_manage(request.user, form), "error": error,
            "bindings": list(form.bindings.all()), "picked": picked or {}}  # fmt: skip
    if form.has_template:
        data["grid"] = services.grid(form, sheet or request.GET.get("sheet") or request.POST.get("sheet"))
        data["catalogue"] = [i for i in indicators.catalogue(request.user)]
        data["kinds"] = BindingKind.choices
        data["fields"] = Field.choices
        data["breakdowns"] = Breakdown.choices
    return data, status


@login_required
@require_GET
def form_detail(request, pk):
    """One form: its sheet as a grid to bind on, its bindings, filling and the copies filled."""
    form = _form(request, pk)
    data, _status = _workspace(request, form)
    data.update({
        "scopes": services.scope_choices(request.user), "period": _default_period(form),
        "fills": ReportFill.objects.visible_to(request.user).filter(form=form).defer("content", "trace")[:20],
        "may_enter": scope.holds(request.user, ENTER),
    })  # fmt: skip
    return render(request, "reportforms/form_detail.html", data)


@login_required
@require_GET
def sheet_grid(request, pk):
    """The workspace (grid and bindings) of another sheet, for htmx."""
    form = _form(request, pk)
    data, status = _workspace(request, form)
    return render(request, "reportforms/_workspace.html", data, status=status)


@login_required
@require_POST
def bind(request, pk):
    """Bind the picked cell(s) to an indicator (or mark them manual); the workspace comes back."""
    form = _form(request, pk)
    denied = _needs(request, MANAGE)
    if denied:
        return denied
    p = request.POST
    breakdown = p.get("breakdown", "")
    by_key = ""
    if breakdown.startswith("by:"):
        breakdown, by_key = Breakdown.BY, breakdown[3:]
    try:
        services.bind(request.user, form, sheet=p.get("sheet", ""), cell=p.get("cell", ""), kind=p.get("kind", ""),
                      end_cell=p.get("end_cell", ""), label_cell=p.get("label_cell", ""),
                      indicator=p.get("indicator", ""), field=p.get("field", Field.VALUE), breakdown=breakdown,
                      by_key=by_key, label=p.get("label", ""))  # fmt: skip
    except DomainError as exc:
        if not request.htmx:
            return error_page(
                request, exc.status, exc.message, back=reverse("reportforms:form-detail", args=[pk])
            )
        data, _s = _workspace(request, form, sheet=p.get("sheet"), error=exc.message, picked=p)
        return render(request, "reportforms/_workspace.html", data, status=exc.status)
    if not request.htmx:
        return redirect(reverse("reportforms:form-detail", args=[pk]) + f"?sheet={p.get('sheet', '')}")
    data, status = _workspace(request, form, sheet=p.get("sheet"))
    return render(request, "reportforms/_workspace.html", data, status=status)


@login_required
@require_POST
def unbind(request, pk, binding_id):
    form = _form(request, pk)
    denied = _needs(request, MANAGE)
    if denied:
        return denied
    try:
        services.unbind(request.user, form, binding_id)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(
            request, exc.status, exc.message, back=reverse("reportforms:form-detail", args=[pk])
        )
    if request.htmx:
        data, status = _workspace(request, form, sheet=request.POST.get("sheet"))
        return render(request, "reportforms/_workspace.html", data, status=status)
    return redirect("reportforms:form-detail", pk=pk)


@login_required
@require_GET
def breakdown_options(request):
    """The breakdowns an indicator offers (htmx: the options of the binding form's select)."""
    denied = _needs(request, VIEW)
    if denied:
        return denied
    ind = registry.indicator(request.GET.get("indicator", ""))
    options = [("", _("（单个单元格不分项）")), (Breakdown.COMMUNITY, Breakdown.COMMUNITY.label)]
    if ind is None or "month" in ind.periods:
        options.append((Breakdown.MONTH, Breakdown.MONTH.label))
    for key in ind.breakdowns if ind else ():
        options.append((f"by:{key}", _("按指标分类：%(k)s") % {"k": key}))
    return render(request, "reportforms/_breakdown_options.html", {"options": options})


@login_required
@require_http_methods(["GET", "POST"])
def manual(request, pk):
    """The manual cells of a form for one scope and period: typed once, reused next time."""
    form = _form(request, pk)
    src = request.POST if request.method == "POST" else request.GET
    code = (src.get("code") or "").strip()
    period = (src.get("period") or _default_period(form)).strip()
    scopes = services.scope_choices(request.user, ENTER)
    if not code and scopes:
        code = scopes[-1][0]
    error, saved = "", None
    if request.method == "POST":
        denied = _needs(request, ENTER)
        if denied:
            return denied
        values = {k[2:]: v for k, v in request.POST.items() if k.startswith("b_")}
        try:
            saved = services.enter_manual(request.user, form, code, period, values)
        except NotFound:
            raise Http404() from None
        except DomainError as exc:
            error = exc.message
    known = services.manual_values(form, code, period) if code else {}
    cells = [{"b": b, "value": known.get(b.pk, ("", ""))[0], "from": known.get(b.pk, ("", ""))[1]}
             for b in form.bindings.filter(kind=BindingKind.MANUAL)]  # fmt: skip
    return render(request, "reportforms/manual.html", {
        "form": form, "cells": cells, "code": code, "period": period, "scopes": scopes, "error": error,
        "saved": saved,
    }, status=400 if error else 200)  # fmt: skip


@login_required
@require_POST
def fill(request, pk):
    """Fill the form for a scope and period; the copy and its trace are kept."""
    form = _form(request, pk)
    try:
        out = services.fill(request.user, form, request.POST.get("code", ""), request.POST.get("period", "").strip(),
                            from_snapshots=request.POST.get("live") != "1")  # fmt: skip
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(
            request, exc.status, exc.message, back=reverse("reportforms:form-detail", args=[pk])
        )
    return hx_redirect(request, reverse("reportforms:fill-detail", args=[out.pk]))


@login_required
@require_POST
def ledger_fill(request, key):
    """Print one of the platform's ledgers for a scope and period."""
    denied = _needs(request, VIEW)
    if denied:
        return denied
    try:
        out = services.fill_ledger(
            request.user, key, request.POST.get("code", ""), request.POST.get("period", "").strip()
        )
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=reverse("reportforms:register"))
    return hx_redirect(request, reverse("reportforms:fill-detail", args=[out.pk]))


@login_required
@require_GET
def fill_detail(request, pk):
    """A filled copy: each filled cell with its indicator, formula, scope, period and figures."""
    denied = _needs(request, VIEW)
    if denied:
        return denied
    try:
        out = services.get_fill(request.user, pk)
    except NotFound:
        raise Http404() from None
    return render(request, "reportforms/fill_detail.html", {"fill": out})


@login_required
@require_GET
def fill_download(request, pk):
    denied = _needs(request, VIEW)
    if denied:
        return denied
    try:
        out = services.get_fill(request.user, pk)
    except NotFound:
        raise Http404() from None
    resp = HttpResponse(bytes(out.content), content_type=XLSX)
    name = f"{out.title.replace(' · ', '-')}.xlsx"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return resp


@login_required
@require_GET
def indicator(request, key):
    """What an indicator counts: its formula, the data it reads, scopes, periods and breakdowns."""
    denied = _needs(request, VIEW)
    if denied:
        return denied
    ind = registry.indicator(key)
    if ind is None or not scope.holds(request.user, ind.perm):
        raise Http404()
    levels = "、".join(services.LEVEL_NAMES.get(s, s) for s in ind.scopes)
    return render(request, "reportforms/indicator.html", {"ind": ind, "levels": levels})
