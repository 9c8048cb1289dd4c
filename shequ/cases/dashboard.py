"""The home-page card of the cases module: what waits on the user's unit, what is overdue, what
is close to its deadline."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases.models import CLOCK_STATUSES, OPEN_STATUSES, Case, Status
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


MINE_CARD_ROWS = 5


def mine_card(request, focus_code):
    """A resident's own requests, newest first, with where to report another or look one up."""
    from shequ.cases.public import STATUS_TONE

    user = request.user
    qs = Case.objects.visible_to(user).filter(requester_user=user)
    counts = qs.aggregate(
        total=Count("id"), open=Count("id", filter=Q(status__in=(*OPEN_STATUSES, Status.PARKED)))
    )
    recent = list(
        qs.only("number", "title", "status", "received_at", "tracking_token").order_by("-received_at", "-id")[
            :MINE_CARD_ROWS
        ]
    )
    for c in recent:
        c.tone = STATUS_TONE.get(c.status, "secondary")
    return {
        "template": "cases/_mine_card.html",
        "width": "col-12 col-lg-7",
        "context": {**counts, "recent": recent, "title": _("我的诉求")},
    }
