"""The teams module's indicators, offered to the kernel's catalogue: the activities held in a scope
and period (by kind) and the volunteer hours the organisers confirmed at them."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop as N_

from shequ.core import indicators as ind
from shequ.teams.models import VIEW, Activity, ActivityKind, ActivityStatus, ServiceHours

ACTIVITIES = N_(
    "开始时间在统计期内且已开始、未取消的活动场次（队伍、社区、驻区单位和党组织组织的都计）；可按活动类别分组。"
)
HOURS = N_("开始时间在统计期内的活动上，组织方确认的志愿服务时长合计（小时）；志愿者不能自报时长。")


def _held(user, start: dt.date, end: dt.date):
    a, b = ind.day_bounds(start, end)
    return (
        Activity.objects.visible_to(user)
        .filter(starts_at__gte=a, starts_at__lt=min(b, timezone.now()))
        .exclude(status=ActivityStatus.CANCELLED)
    )


def activities_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """已开展的活动 of each scope, by kind."""
    ind.require(user, VIEW, codes)
    found = ind.per_scope(_held(user, start, end), codes, {"n": Count("id")}, by="kind")
    labels = dict(ActivityKind.choices)
    out = {}
    for c in codes:
        n = sum(r["n"] for r in found[c].values())
        kinds = {str(labels.get(k, k)): r["n"] for k, r in sorted(found[c].items())}
        out[c] = {"value": n, "numerator": n, "denominator": None, "by": {"kind": kinds}}
    return out


def hours_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """志愿服务时长 of each scope: the confirmed hours at its activities of the period."""
    ind.require(user, VIEW, codes)
    a, b = ind.day_bounds(start, end)
    qs = ServiceHours.objects.visible_to(user).filter(activity__starts_at__gte=a, activity__starts_at__lt=b)
    found = ind.per_scope(qs, codes, {"h": Sum("hours"), "people": Count("volunteer_id", distinct=True)})
    out = {}
    for c in codes:
        h = found[c].get("h") or Decimal("0")
        out[c] = {"value": h, "numerator": h, "denominator": None, "volunteers": found[c].get("people") or 0}
    return out


def register() -> None:
    from shequ.core import registry

    registry.register_indicator(
        "teams.activities_held", label=_l("开展活动场次"), unit="场", formula=_l(ACTIVITIES), perm=VIEW,
        compute=ind.single(activities_many), compute_many=activities_many, reads=(N_("活动"),),
        breakdowns=("kind",),
    )  # fmt: skip
    registry.register_indicator(
        "teams.volunteer_hours", label=_l("志愿服务时长"), unit="小时", formula=_l(HOURS), perm=VIEW,
        compute=ind.single(hours_many), compute_many=hours_many, reads=(N_("活动"), N_("志愿服务时长")),
    )  # fmt: skip
