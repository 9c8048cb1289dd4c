"""人民调解 pages: the ledger (and its workbook), recording a mediation, one mediation."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import DomainError
from shequ.core.excel import xlsx_response
from shequ.core.generic import error_page
from shequ.ledgers import services
from shequ.ledgers.models import MANAGE_MEDIATION, VIEW_MEDIATION, MatterType, Mediation, Mediator, PartySide
from shequ.ledgers.views.common import act, communities, focus_code, post_or_405, refused


@login_required
def mediation_list(request):
    if (no := refused(request, VIEW_MEDIATION)) is not None:
        return no
    qs = Mediation.objects.visible_to(request.user).within(focus_code(request) or None)
    outcome = request.GET.get("outcome", "")
    if outcome == "agreed":
        qs = qs.filter(agreement_reached=True)
    elif outcome == "failed":
        qs = qs.filter(agreement_reached=False)
    elif outcome == "open":
        qs = qs.filter(agreement_reached__isnull=True)
    year = request.GET.get("year", "")
    if year.isdigit() and len(year) == 4:
        qs = qs.filter(received_on__year=int(year))
    if request.GET.get("export") == "xlsx" or request.method == "POST":
        from shequ.org.models import node_names

        code = focus_code(request)
        label = node_names([code]).get(code, "") if code else ""
        try:
            data, name = services.ledger_workbook(
                request.user, qs.order_by("received_on", "id"), title_scope=label,
                full=request.method == "POST", reason=request.POST.get("reason", ""),
            )  # fmt: skip
        except DomainError as exc:
            return error_page(request, exc.status, exc.message)
        return xlsx_response(name, data)
    rows = list(qs.select_related("matter_type", "mediator", "community")[:500])
    return render(request, "ledgers/mediation_list.html", {
        "rows": rows, "outcome": outcome, "year": year, "count": qs.count(),
        "agreed": qs.filter(agreement_reached=True).count(), "can_manage": scope.holds(request.user, MANAGE_MEDIATION),
        "query": request.GET.urlencode(), "can_full": scope.holds(request.user, "core.reveal_pii"),
    })  # fmt: skip


def _parties_from(post) -> list[dict]:
    out = []
    for side in (PartySide.APPLICANT, PartySide.RESPONDENT):
        for i in range(1, 4):
            rid = (post.get(f"{side}_{i}_resident") or "").strip()
            name = (post.get(f"{side}_{i}_name") or "").strip()
            if rid or name:
                out.append({"side": side, "resident_id": rid or None, "name": name,
                            "phone": post.get(f"{side}_{i}_phone", "")})  # fmt: skip
    return out


@login_required
def mediation_create(request):
    if (no := refused(request, MANAGE_MEDIATION)) is not None:
        return no
    units = communities(request.user, MANAGE_MEDIATION)
    ctx = {
        "units": units, "matters": MatterType.objects.filter(active=True),
        "mediators": Mediator.objects.where_held(request.user, MANAGE_MEDIATION).filter(active=True),
        "data": request.POST or {"received_on": timezone.localdate().isoformat(), "case": request.GET.get("case", ""),
                                 "community": units[0].code if len(units) == 1 else ""},
        "rows": range(1, 3),
    }  # fmt: skip
    if request.method == "POST":
        p = request.POST
        try:
            med = services.record_mediation(
                request.user, community=p.get("community"), matter_type=p.get("matter_type"),
                received_on=p.get("received_on"), parties=_parties_from(p), summary=p.get("summary", ""),
                mediator_id=p.get("mediator") or None, mediator_name=p.get("mediator_name", ""), case=p.get("case", ""),
                mediated_on=p.get("mediated_on") or None, agreement_reached=p.get("agreement_reached") or None,
                agreement_text=p.get("agreement_text", ""),
            )  # fmt: skip
        except DomainError as exc:
            if exc.status == 403:
                return error_page(request, 403, exc.message)
            ctx["error"], ctx["details"] = exc.message, exc.details
            return render(request, "ledgers/mediation_form.html", ctx, status=exc.status)
        return redirect(med.get_absolute_url())
    return render(request, "ledgers/mediation_form.html", ctx)


def _mediation(request, pk):
    if (no := refused(request, VIEW_MEDIATION)) is not None:
        return None, no
    qs = Mediation.objects.visible_to(request.user).select_related("matter_type", "mediator", "community")
    return get_object_or_404(qs, pk=pk), None


@login_required
def mediation_detail(request, pk):
    med, no = _mediation(request, pk)
    if no is not None:
        return no
    case = None
    if med.case_id:
        from shequ.core.registry import resolve_reference

        case = resolve_reference("case", request.user, str(med.case_id))
    return render(request, "ledgers/mediation_detail.html", {
        "object": med, "parties": list(med.parties.all()), "case": case,
        "can_manage": scope.covers(request.user, med.scope_code, MANAGE_MEDIATION),
        "can_reveal": scope.covers(request.user, med.scope_code, "core.reveal_pii"),
        "today": timezone.localdate().isoformat(),
    })  # fmt: skip


@login_required
def mediation_conclude(request, pk):
    med, no = _mediation(request, pk)
    if no is not None:
        return no
    if (bad := post_or_405(request)) is not None:
        return bad
    p, url = request.POST, med.get_absolute_url()
    return act(request, lambda: services.conclude(request.user, med.pk, mediated_on=p.get("mediated_on"),
               agreement_reached=p.get("agreement_reached"), agreement_text=p.get("agreement_text", "")),
               done=url, back=url, ok=_("调解结果已登记。"))  # fmt: skip


@login_required
def mediation_followup(request, pk):
    med, no = _mediation(request, pk)
    if no is not None:
        return no
    if (bad := post_or_405(request)) is not None:
        return bad
    p, url = request.POST, med.get_absolute_url()
    return act(request, lambda: services.follow_up(request.user, med.pk, followup_on=p.get("followup_on"),
               followup_result=p.get("followup_result", "")), done=url, back=url, ok=_("回访已登记。"))  # fmt: skip
