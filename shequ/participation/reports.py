"""议事统计 of a scope and period: meetings by type with attendance, issues raised and resolved,
resolutions overdue, and the median days from an issue to its resolution and to completion."""

import datetime as dt
import statistics

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import Forbidden, NotFound, ValidationFailed
from shequ.participation.models import (
    VIEW,
    Attendance,
    Issue,
    IssueStatus,
    Meeting,
    MeetingType,
    OutcomeReview,
    Resolution,
    overdue_q,
)


def period(start, end) -> tuple[dt.date, dt.date]:
    """The period asked for: by default the last twelve months up to today."""
    today = timezone.localdate()
    end = end or today
    if start is None:  # the first day of the month eleven months back
        month = end.year * 12 + end.month - 1 - 11
        start = dt.date(month // 12, month % 12 + 1, 1)
    if start > end:
        raise ValidationFailed(
            _("开始日期不能晚于结束日期。"), details={"start": [_("开始日期不能晚于结束日期。")]}
        )
    if (end - start).days > 3660:
        raise ValidationFailed(_("统计期间不能超过十年。"), details={"start": [_("统计期间不能超过十年。")]})
    return start, end


def _median(values) -> float | None:
    return round(float(statistics.median(values)), 1) if values else None


def report(user, code: str | None, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """The figures of `code`'s subtree (the user's whole scope when empty) over [start, end]."""
    if not scope.holds(user, VIEW):
        raise Forbidden()
    if code and not scope.covers(user, code, VIEW):
        raise NotFound()
    start, end = period(start, end)
    within = code or None

    def scoped(model):
        return model.objects.visible_to(user).within(within)

    meetings = scoped(Meeting).filter(starts_at__date__gte=start, starts_at__date__lte=end)
    attendance = dict(
        Attendance.objects.filter(meeting__in=meetings.values("pk"))
        .order_by()
        .values("meeting__kind")
        .annotate(n=Count("pk"))
        .values_list("meeting__kind", "n")
    )
    by_kind, expected = {}, {}
    for kind, n, e in (
        meetings.order_by()
        .values("kind")
        .annotate(n=Count("pk"), e=Sum("expected"))
        .values_list("kind", "n", "e")
    ):
        by_kind[kind], expected[kind] = n, e or 0
    kinds = []
    for k in MeetingType.objects.order_by("order", "name"):
        n = by_kind.get(k.pk, 0)
        came, exp = attendance.get(k.pk, 0), expected.get(k.pk) or 0
        kinds.append({"name": k.name, "meetings": n, "attendance": came,
                      "rate": round(came * 100 / exp, 1) if exp else None})  # fmt: skip
    issues = scoped(Issue)
    raised = issues.filter(raised_on__gte=start, raised_on__lte=end)
    resolved = issues.filter(resolved_on__gte=start, resolved_on__lte=end)
    done = issues.filter(done_on__gte=start, done_on__lte=end)
    to_resolution = [(r - s).days for s, r in resolved.values_list("raised_on", "resolved_on")]
    to_done = [(d - s).days for s, d in done.values_list("raised_on", "done_on")]
    resolutions = scoped(Resolution)
    decided = resolutions.filter(decided_on__gte=start, decided_on__lte=end)
    reviews = OutcomeReview.objects.filter(resolution__in=decided.values("pk"))
    sat = [r.satisfaction for r in reviews if r.satisfaction is not None]
    by_status = dict(raised.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {
        "scope": code or "",
        "start": start,
        "end": end,
        "meetings": sum(by_kind.values()),
        "attendance": sum(attendance.values()),
        "kinds": kinds,
        "issues_raised": raised.count(),
        "issues_resolved": resolved.count(),
        "issues_done": done.count(),
        "issues_rejected": by_status.get(IssueStatus.REJECTED, 0),
        "by_status": [
            {"status": s, "label": str(s.label), "count": by_status.get(s, 0)} for s in IssueStatus
        ],
        "resolutions": decided.count(),
        "adopted": decided.filter(adopted=True).count(),
        "overdue": resolutions.filter(overdue_q()).count(),
        "median_days_to_resolution": _median(to_resolution),
        "median_days_to_completion": _median(to_done),
        "reviewed": len(sat),
        "satisfaction": round(sum(sat) / len(sat), 1) if sat else None,
    }
