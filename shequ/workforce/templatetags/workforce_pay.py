"""The pay section of a worker's page, shown only to those who may read it (the worker themselves,
their community lead, the street and district managers)."""

from django import template
from django.utils import timezone

from shequ.core import scope
from shequ.workforce.models import InsuranceKind, Status
from shequ.workforce.services import MANAGE
from shequ.workforce.services import pay as pay_services

register = template.Library()


@register.inclusion_tag("workforce/_worker_pay_section.html", takes_context=True)
def worker_pay(context, worker):
    """Grade and step-up advice, annual pay with the three figures and the ratio, contracts and
    insurance of one worker; nothing at all for a reader who may not see them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not pay_services.may_see_pay(user, worker):
        return {"shown": False}
    today = timezone.localdate()
    placements = list(worker.grades.select_related("grade", "scheme").order_by("-on", "-id"))
    current = next((p for p in placements if p.on <= today), None)
    advice = pay_services.step_due(worker, today, placement=current) if current else None
    records = list(worker.pay_records.select_related("grade__scheme").order_by("-year"))
    rows = []
    for r in records:
        wage = pay_services.wage_for(pay_services.wages_of(r.year), worker.scope_code)
        floor = pay_services.floor_of(wage) if wage else None
        rows.append({"r": r, "ratio": pay_services.ratio(r.gross, wage), "floor": floor,
                     "below": floor is not None and r.gross < floor})  # fmt: skip
    contracts = list(worker.contracts.select_related("renews").order_by("-start"))
    followed = {c.renews_id for c in contracts} | {
        c.pk for c in contracts if any(o.start > (c.end or today) for o in contracts if c.end)
    }
    for c in contracts:
        c.days_left = (c.end - today).days if c.end and c.pk not in followed else None
    years = sorted({*worker.insurance.values_list("year", flat=True)}, reverse=True)[:5]
    taken = set(worker.insurance.filter(year__in=years).values_list("year", "kind"))
    insurance = [(y, [(k, (y, k) in taken) for k, _label in InsuranceKind.choices]) for y in years]
    return {
        "shown": True,
        "w": worker,
        "current": current,
        "advice": advice,
        "placements": placements,
        "rows": rows,
        "contracts": contracts,
        "insurance": insurance,
        "kinds": InsuranceKind.choices,
        "can_manage": scope.covers(user, worker.scope_code, MANAGE),
        "active": worker.status == Status.ACTIVE,
        "today": today,
    }
