"""The ledgers on other pages: a home card for the duty holders, the mediation on a case's page,
the relief, mediation and correction summary on a resident's page (duty holders only)."""

from django.utils import timezone

from shequ.core import scope
from shequ.ledgers.models import (
    MANAGE_MEDIATION,
    VIEW_CORRECTION,
    VIEW_MEDIATION,
    VIEW_RELIEF,
    CorrectionSubject,
    Mediation,
    Party,
    ReliefCase,
    ReliefPayment,
    ReliefStatus,
)


def card(request, focus_code):
    user = request.user
    held = {k: scope.holds(user, p) for k, p in (("relief", VIEW_RELIEF), ("mediation", VIEW_MEDIATION),
                                                 ("correction", VIEW_CORRECTION))}  # fmt: skip
    if not any(held.values()):
        return None
    ctx = {"held": held}
    month = timezone.localdate().replace(day=1)
    if held["relief"]:
        cases = ReliefCase.objects.visible_to(user).within(focus_code or None)
        ctx["relief_active"] = cases.filter(status=ReliefStatus.ACTIVE).count()
        ctx["relief_unpaid"] = (cases.filter(status__in=[ReliefStatus.ACTIVE, ReliefStatus.SUSPENDED])
                                .exclude(payments__month=month).count())  # fmt: skip
        ctx["month"] = month
    if held["mediation"]:
        meds = Mediation.objects.visible_to(user).within(focus_code or None)
        ctx["mediation_open"] = meds.filter(agreement_reached__isnull=True).count()
        ctx["mediation_followup"] = meds.filter(
            agreement_reached__isnull=False, followup_on__isnull=True
        ).count()
    if held["correction"]:
        ctx["correction_people"] = (CorrectionSubject.objects.visible_to(user).within(focus_code or None)
                                    .filter(end_date__isnull=True).count())  # fmt: skip
    return {"template": "ledgers/_card.html", "width": "col-12 col-lg-6", "context": ctx}


def case_panel(request, case):
    """On a case's page: the mediation it became, or the way to record one (duty holders only)."""
    user = request.user
    if not scope.holds(user, VIEW_MEDIATION):
        return None
    found = list(Mediation.objects.visible_to(user).filter(case_id=case.pk).select_related("matter_type"))
    can_record = not found and scope.covers(user, case.scope_code, MANAGE_MEDIATION)
    if not found and not can_record:
        return None
    return {"template": "ledgers/_case_panel.html", "context": {"mediations": found, "case": case,
                                                                 "can_record": can_record}}  # fmt: skip


def resident_panel(request, resident):
    """On a resident's page: relief status, mediations, correction labour — for duty holders only."""
    from shequ.ledgers.services import summary

    user = request.user
    ctx = {"resident": resident}
    if scope.holds(user, VIEW_RELIEF):
        ctx["relief"] = list(
            ReliefCase.objects.visible_to(user).filter(head=resident).order_by("-start_date")
        )
        last = ReliefPayment.objects.visible_to(user).filter(case__head=resident).order_by("-month").first()
        ctx["last_payment"] = last
        ctx["relief_held"] = True
    if scope.holds(user, VIEW_MEDIATION):
        ids = Party.objects.visible_to(user).filter(resident=resident).values_list("mediation_id", flat=True)
        ctx["mediations"] = list(
            Mediation.objects.visible_to(user).filter(pk__in=list(ids)).select_related("matter_type")
        )
        ctx["mediation_held"] = True
    if scope.holds(user, VIEW_CORRECTION):
        subjects = list(CorrectionSubject.objects.visible_to(user).filter(resident=resident))
        ctx["correction"] = [{"s": s, **summary(s)} for s in subjects]
        ctx["correction_held"] = True
    if len(ctx) == 1:
        return None
    return {"template": "ledgers/_resident_panel.html", "context": ctx}
