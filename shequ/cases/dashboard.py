"""The home-page card of the cases module: what waits on the user's unit, what is overdue, what
is close to its deadline."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases.models import CLOCK_STATUSES, Case, Status
from shequ.core import scope


def todo_card(request, focus_code):
    """My unit's to-do count with its overdue and warning cases (the handling tab of the to-do list)."""
    user = request.user
    if not scope.holds(user, "cases.handle_case"):
        return None
    from shequ.cases import services

    services.maybe_sweep()
    now = timezone.now()
    qs = Case.objects.visible_to(user).handled_by(user).filter(status__in=CLOCK_STATUSES)
    if focus_code:
        qs = qs.within(focus_code)
    counts = qs.aggregate(
        todo=Count("id"),
        new=Count("id", filter=Q(status=Status.DISPATCHED)),
        overdue=Count("id", filter=Q(deadline__lt=now)),
        warning=Count("id", filter=Q(warn_at__lte=now, deadline__gte=now)),
        supervised=Count("id", filter=Q(supervised=True)),
    )
    return {
        "template": "cases/_todo_card.html",
        "width": "col-12 col-lg-6",
        "context": {**counts, "title": _("我的待办案件")},
    }
