"""Home-page card (open issues, resolutions to carry out and those overdue) and the panel a case's
page shows when the case became an issue."""

from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.participation.models import VIEW, Issue, IssueStatus, Resolution, overdue_q


def card(request, focus_code):
    user = request.user
    if not scope.holds(user, VIEW):
        return None
    issues = Issue.objects.visible_to(user).within(focus_code or None)
    resolutions = Resolution.objects.visible_to(user).within(focus_code or None)
    overdue = (
        resolutions.filter(overdue_q()).select_related("issue", "meeting__community").order_by("deadline")
    )
    return {
        "template": "participation/_card.html",
        "width": "col-12 col-lg-6",
        "context": {
            "title": _("居民议事"),
            "ready": issues.filter(status=IssueStatus.READY).count(),
            "proposed": issues.filter(status=IssueStatus.PROPOSED).count(),
            "open": resolutions.filter(adopted=True, completed_on__isnull=True).count(),
            "overdue_count": overdue.count(),
            "overdue": list(overdue[:5]),
        },
    }


def case_panel(request, case):
    """On a case's page: the issue the case became, if the user may read issues there."""
    user = request.user
    if not scope.holds(user, VIEW):
        return None
    issues = list(Issue.objects.visible_to(user).filter(case_id=case.pk).order_by("-id")[:5])
    can_raise = not issues and scope.covers(user, case.scope_code, "participation.manage")
    if not issues and not can_raise:
        return None
    return {
        "template": "participation/_case_panel.html",
        "context": {"issues": issues, "case": case, "can_raise": can_raise},
    }
