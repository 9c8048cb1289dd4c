"""低保特困 pages: the cases, one case with its payments, the month's ledger and roster."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import DomainError
from shequ.core.excel import xlsx_response
from shequ.core.generic import error_page
from shequ.ledgers import services
from shequ.ledgers.models import (
    MANAGE_RELIEF,
    VIEW_RELIEF,
    CareMode,
    PaymentStatus,
    ReliefCase,
    ReliefCategory,
    ReliefStatus,
)
from shequ.ledgers.services.common import month, month_label
from shequ.ledgers.views.common import act, focus_code, post_or_405, refused


def _month_param(request) -> dt.date:
    try:
        return month(request.GET.get("month") or request.POST.get("month") or "")
    except DomainError:
        today = timezone.localdate()
        return today.replace(day=1)


@login_required
def case_list(request):
    if (no := refused(request, VIEW_RELIEF)) is not None:
        return no
    qs = (
        ReliefCase.objects.visible_to(request.user)
        .within(focus_code(request) or None)
        .select_related("community")
    )
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    if status in ReliefStatus.values:
        qs = qs.filter(status=status)
    if category in ReliefCategory.values:
        qs = qs.filter(category=category)
    rows = list(qs.order_by("scope_code", "id")[:500])
    return render(request, "ledgers/relief_list.html", {
        "rows": rows, "status": status, "category": category, "statuses": ReliefStatus.choices,
        "categories": ReliefCategory.choices, "can_manage": scope.holds(request.user, MANAGE_RELIEF),
        "count": qs.count(),
    })  # fmt: skip


@login_required
def case_create(request):
    if (no := refused(request, MANAGE_RELIEF)) is not None:
        return no
    ctx = {"categories": ReliefCategory.choices, "care_modes": [c for c in CareMode.choices if c[0]],
           "data": request.POST or {"resident": request.GET.get("resident", ""),
                                    "start_date": timezone.localdate().isoformat()}}  # fmt: skip
    if request.method == "POST":
        try:
            case = services.open_case(
                request.user, resident_id=request.POST.get("resident"), category=request.POST.get("category"),
                start_date=request.POST.get("start_date"), monthly_amount=request.POST.get("monthly_amount"),
                care_mode=request.POST.get("care_mode", ""), persons=request.POST.get("persons") or None,
                remarks=request.POST.get("remarks", ""),
            )  # fmt: skip
        except DomainError as exc:
            if exc.status == 403:
                return error_page(request, 403, exc.message)
            ctx["error"], ctx["details"] = exc.message, exc.details
            return render(request, "ledgers/relief_form.html", ctx, status=exc.status)
        return redirect(case.get_absolute_url())
    return render(request, "ledgers/relief_form.html", ctx)


def _case(request, pk):
    if (no := refused(request, VIEW_RELIEF)) is not None:
        return None, no
    return get_object_or_404(
        ReliefCase.objects.visible_to(request.user).select_related("community"), pk=pk
    ), None


@login_required
def case_detail(request, pk):
    case, no = _case(request, pk)
    if no is not None:
        return no
    can_manage = scope.covers(request.user, case.scope_code, MANAGE_RELIEF)
    payments = list(case.payments.order_by("-month"))
    return render(request, "ledgers/relief_detail.html", {
        "object": case, "payments": payments, "can_manage": can_manage,
        "can_reveal": scope.covers(request.user, case.scope_code, "core.reveal_pii"),
        "next_statuses": [(s, ReliefStatus(s).label) for s in services.TRANSITIONS[case.status]],
        "pay_statuses": PaymentStatus.choices, "this_month": timezone.localdate().strftime("%Y-%m"),
        "paid_total": sum(p.amount for p in payments if p.status == PaymentStatus.PAID),
    })  # fmt: skip


@login_required
def case_status(request, pk):
    case, no = _case(request, pk)
    if no is not None:
        return no
    if (bad := post_or_405(request)) is not None:
        return bad
    p = request.POST
    url = case.get_absolute_url()
    return act(request, lambda: services.change_status(request.user, case.pk, status=p.get("status"),
               on=p.get("on"), reason=p.get("reason", ""), version=_int(p.get("version"))),
               done=url, back=url, ok=_("状态已更新。"))  # fmt: skip


@login_required
def case_pay(request, pk):
    case, no = _case(request, pk)
    if no is not None:
        return no
    if (bad := post_or_405(request)) is not None:
        return bad
    p = request.POST
    url = case.get_absolute_url()
    return act(request, lambda: services.record_payment(request.user, case.pk, month_value=p.get("month"),
               amount_value=p.get("amount"), status=p.get("status") or PaymentStatus.PAID,
               reason=p.get("reason", "")), done=url, back=url, ok=_("发放记录已登记。"))  # fmt: skip


def _int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


@login_required
def ledger(request):
    if (no := refused(request, VIEW_RELIEF)) is not None:
        return no
    m = _month_param(request)
    if request.GET.get("export") == "xlsx" or request.method == "POST":
        # Sums only: nothing to unmask, so a "full" export (POST) is the same workbook.
        content, name = services.relief_ledger_workbook(request.user, m, focus_code(request) or None)
        return xlsx_response(name, content)
    data = services.ledger(request.user, m, focus_code(request) or None)
    return render(request, "ledgers/relief_ledger.html", {
        "data": data, "month": m, "month_value": m.strftime("%Y-%m"), "month_label": month_label(m),
        "can_manage": scope.holds(request.user, MANAGE_RELIEF),
    })  # fmt: skip


@login_required
def generate(request):
    if (no := refused(request, MANAGE_RELIEF)) is not None:
        return no
    if (bad := post_or_405(request)) is not None:
        return bad
    m = _month_param(request)
    url = reverse("ledgers:relief-ledger") + f"?month={m:%Y-%m}"
    try:
        out = services.generate_month(request.user, m, within=focus_code(request) or None)
    except DomainError as exc:
        if exc.status in (403, 404):
            return error_page(request, exc.status)
        messages.error(request, exc.message)
        return redirect(url)
    messages.success(request, _("已生成 %(m)s 发放记录 %(n)d 条（此前已有 %(e)d 条，未重复生成）。")
                     % {"m": month_label(m), "n": out["created"], "e": out["existing"]})  # fmt: skip
    return redirect(url)


@login_required
def roster(request):
    if (no := refused(request, VIEW_RELIEF)) is not None:
        return no
    m = _month_param(request)
    code = request.GET.get("community") or request.POST.get("community") or ""
    full = request.method == "POST"
    try:
        if full or request.GET.get("export") == "xlsx":
            data, name = services.roster_workbook(request.user, code, m, full=full,
                                                  reason=request.POST.get("reason", ""))  # fmt: skip
            return xlsx_response(name, data)
        unit, m, pays = services.roster(request.user, code, m)
    except DomainError as exc:
        if exc.status in (403, 404):
            return error_page(request, exc.status)
        return error_page(request, exc.status, exc.message, back=reverse("ledgers:relief-ledger"))
    return render(request, "ledgers/relief_roster.html", {
        "unit": unit, "month": m, "month_value": m.strftime("%Y-%m"), "month_label": month_label(m), "rows": pays,
        "households": sum(1 for p in pays if p.status == PaymentStatus.PAID),
        "persons": sum(p.case.persons for p in pays if p.status == PaymentStatus.PAID),
        "total": sum(p.amount for p in pays if p.status == PaymentStatus.PAID),
        "can_full": scope.covers(request.user, unit.code, "core.reveal_pii"),
    })  # fmt: skip
