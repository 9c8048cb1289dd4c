"""The appraisal and recognition section of a worker's page, with what the viewer may see of it:
results to the worker themself and to those who read sensitive records over them; honours to all
who read the roster."""

from django import template

from shequ.core import scope
from shequ.workforce.models import VIEW_SENSITIVE, CycleStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def worker_appraisal(context, worker) -> dict:
    user = context["request"].user
    own = worker.user_id is not None and worker.user_id == user.pk
    sensitive = scope.covers(user, worker.scope_code, VIEW_SENSITIVE)
    shown = own or sensitive
    results = []
    if shown:
        results = list(
            worker.appraisals.filter(cycle__status=CycleStatus.CLOSED)
            .select_related("cycle")
            .order_by("-cycle__year", "-cycle__closed_at")
        )
    return {
        "results_shown": shown,
        "results": results,
        "cycle_links": scope.holds(user, VIEW_SENSITIVE)
        and scope.covers(user, worker.scope_code, VIEW_SENSITIVE),
        "awards": list(worker.awards.all()),
        "seats": list(worker.seats.all()),
        "promotions": list(worker.promotions.all()),
        "can_manage": scope.covers(user, worker.scope_code, "workforce.manage_worker"),
    }
