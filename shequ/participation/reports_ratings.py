"""The rating part of 议事统计: the rounds of a scope closed in the period with each target's totals
and response rate, the follow-up issues they opened, and the residents' participation rate."""

import datetime as dt

from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import Forbidden, NotFound
from shequ.participation import indicators
from shequ.participation.models import VIEW, RatingRound, RatingScore, RatingTarget


def rating_report(user, code: str | None, start: dt.date, end: dt.date) -> dict:
    """Closed rounds of `code`'s subtree (the user's whole scope when empty) closed in [start, end]."""
    if not scope.holds(user, VIEW):
        raise Forbidden()
    if code and not scope.covers(user, code, VIEW):
        raise NotFound()
    rounds = (
        RatingRound.objects.visible_to(user)
        .within(code or None)
        .filter(closed_at__date__gte=start, closed_at__date__lte=end)
    )
    targets = (
        RatingTarget.objects.visible_to(user)
        .filter(round__in=rounds.values("pk"))
        .select_related("round", "community")
        .order_by("community__code", "round__closed_at", "kind", "name", "pk")
    )
    follow = dict(
        RatingScore.objects.filter(target__in=targets.values("pk"), issue__isnull=False)
        .order_by("target_id", "pk")
        .values_list("target_id", "issue_id")
    )
    rows = [
        {
            "round": t.round.title,
            "round_id": t.round_id,
            "community": t.community.display_name,
            "community_code": t.community.code,
            "target": t.name,
            "kind": t.kind,
            "kind_label": str(t.get_kind_display()),
            "responses": t.responses or 0,
            "eligible": t.eligible,
            "rate": t.rate,
            "overall": t.overall,
            "below": t.overall is not None and t.overall < t.round.threshold,
            "issue_id": follow.get(t.pk),
        }
        for t in targets
    ]
    rate = indicators.participation_rate(user, code or None, start, end)
    return {
        "rounds": rounds.count(),
        "targets": rows,
        "follow_ups": len(set(follow.values())),
        "participation_rate": rate["value"],
        "participants": rate["numerator"],
        "participants_named": rate["named"],
        "participants_rated": rate["rated"],
        "adults": rate["denominator"],
        "formula": _(indicators.FORMULA),
    }
