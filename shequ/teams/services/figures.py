"""Figures per scope and period: activities by kind and organiser, person-times, distinct residents,
participants by age band (the share over 50, from the registry's birth dates), volunteer hours, and
the team appraisal by participation, number of activities and residents' rating with the nearest
street's or district's weights. A handful of grouped queries, none per row."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import Forbidden, NotFound
from shequ.teams.models import (
    CONFIGURE,
    VIEW,
    Activity,
    ActivityKind,
    ActivityStatus,
    AppraisalWeights,
    CheckIn,
    OrganiserKind,
    Rating,
    ServiceHours,
    Team,
)
from shequ.teams.services.common import invalid

AGE_BANDS = [(0, 17, "17岁及以下"), (18, 34, "18–34岁"), (35, 49, "35–49岁"), (50, 59, "50–59岁"),
             (60, 69, "60–69岁"), (70, 200, "70岁及以上")]  # fmt: skip
DEFAULT_WEIGHTS = (40, 30, 30)


def _pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    end = end or today
    start = start or end.replace(month=1, day=1)
    if end < start:
        raise invalid("end", _("结束日期不能早于开始日期。"))
    if (end - start).days > 366 * 3:
        raise invalid("end", _("统计期最长三年。"))
    return start, end


def _bounds(start, end):
    a = timezone.make_aware(dt.datetime.combine(start, dt.time()))
    return a, timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))


def weights_for(code: str) -> tuple[int, int, int]:
    """The weights of the nearest street or district above (or at) `code`."""
    codes = [c for c in (code[:9], code[:6]) if len(c) in (9, 6) and code.startswith(c)] or ["420115001"]
    found = {
        w.org.code: w for w in AppraisalWeights.objects.filter(org__code__in=codes).select_related("org")
    }
    for c in codes:
        if c in found:
            w = found[c]
            return w.participation, w.activities, w.rating
    return DEFAULT_WEIGHTS


def set_weights(actor, code: str, *, participation: int, activities: int, rating: int) -> AppraisalWeights:
    """A street's or district's weights (percent, adding up to 100)."""
    from django.db import transaction

    from shequ.core import changelog
    from shequ.core.models import Action
    from shequ.core.services import require
    from shequ.org.models import Level, OrgUnit

    values = [participation, activities, rating]
    if (
        any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 100 for v in values)
        or sum(values) != 100
    ):
        raise invalid("participation", _("三项权重应为 0 到 100 的整数，合计 100。"))
    unit = OrgUnit.objects.filter(code=str(code or ""), level__in=(Level.STREET, Level.DISTRICT)).first()
    if unit is None:
        raise invalid("org", _("考评权重按街道或区设置。"))
    if not scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, CONFIGURE, unit.code)
    with transaction.atomic():
        w, created = AppraisalWeights.objects.select_for_update().get_or_create(
            org=unit, defaults={"scope_code": unit.code, "participation": participation, "activities": activities,
                                "rating": rating})  # fmt: skip
        before = changelog.snapshot(w)
        if not created:
            w.participation, w.activities, w.rating = participation, activities, rating
            w.version += 1
            w.save()
        changelog.record(actor, Action.CREATE if created else Action.UPDATE, w, before=None if created else before,
                         after=changelog.snapshot(w))  # fmt: skip
    return w


def report(user, code: str, start=None, end=None) -> dict:
    """Every figure of the report page, the API and the exports, for one scope and period."""
    if not scope.may_read(user, Activity):
        raise Forbidden()
    code = (code or "").strip()
    if code and not scope.covers(user, code, VIEW):
        raise NotFound()
    start, end = period(start, end)
    lo, hi = _bounds(start, end)
    acts = Activity.objects.visible_to(user).within(code or None).filter(starts_at__gte=lo, starts_at__lt=hi)
    held = acts.exclude(status=ActivityStatus.CANCELLED)
    kinds = dict(ActivityKind.choices)
    by_kind = [{"kind": k, "label": str(kinds[k]), "activities": n, "person_times": p}
               for k, n, p in held.values_list("kind").annotate(n=Count("id", distinct=True), p=Count("checkins")).order_by("-n")]  # fmt: skip
    by_organiser = [{"kind": str(OrganiserKind(k).label), "name": name, "activities": n, "person_times": p}
                    for k, name, n, p in held.values_list("organiser_kind", "organiser_name")
                    .annotate(n=Count("id", distinct=True), p=Count("checkins")).order_by("-n", "organiser_name")[:30]]  # fmt: skip
    checkins = CheckIn.objects.filter(activity__in=held)
    person_times = checkins.count()
    births = dict(
        checkins.filter(resident__isnull=False).values_list("resident_id", "resident__birth_date").distinct()
    )
    today = timezone.localdate()
    bands = [0] * len(AGE_BANDS)
    unknown = 0
    for birth in births.values():
        if not birth:
            unknown += 1
            continue
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        for i, (lo_age, hi_age, _label) in enumerate(AGE_BANDS):
            if lo_age <= age <= hi_age:
                bands[i] += 1
                break
    known = sum(bands)
    over_50 = sum(n for (lo_age, _h, _l), n in zip(AGE_BANDS, bands, strict=True) if lo_age >= 50)
    hours = ServiceHours.objects.filter(activity__in=held)
    hours_total = hours.aggregate(h=Sum("hours"))["h"] or Decimal("0")
    rating = Rating.objects.filter(activity__in=held).aggregate(a=Avg("score"), n=Count("id"))
    return {
        "scope": code,
        "start": start,
        "end": end,
        "activities": held.count(),
        "cancelled": acts.filter(status=ActivityStatus.CANCELLED).count(),
        "person_times": person_times,
        "residents": len(births),
        "by_kind": by_kind,
        "by_organiser": by_organiser,
        "age_bands": [
            {"band": label, "residents": n, "share": _pct(n, known)}
            for (_a, _b, label), n in zip(AGE_BANDS, bands, strict=True)
        ],  # fmt: skip
        "age_unknown": unknown,
        "over_50_share": _pct(over_50, known),
        "volunteer_hours": hours_total,
        "volunteers_served": hours.values("volunteer").distinct().count(),
        "rating": Decimal(str(rating["a"])).quantize(Decimal("0.01")) if rating["a"] is not None else None,
        "ratings": rating["n"],
        "appraisal": appraisal(user, code, start, end, held=held),
        "weights": weights_for(code or "420115001"),
    }


def appraisal(user, code: str, start, end, *, held=None) -> list[dict]:
    """Teams scored by participation (person-times), number of activities and residents' rating,
    each against the best team in the scope (0–100), weighted; the best first."""
    if held is None:
        lo, hi = _bounds(start, end)
        held = Activity.objects.visible_to(user).within(code or None).filter(
            starts_at__gte=lo, starts_at__lt=hi).exclude(status=ActivityStatus.CANCELLED)  # fmt: skip
    per_team = {
        t: (n, p)
        for t, n, p in held.filter(team__isnull=False).values_list("team").annotate(n=Count("id", distinct=True), p=Count("checkins"))
    }  # fmt: skip
    rated = {
        t: (avg, n)
        for t, avg, n in Rating.objects.filter(activity__in=held, activity__team__isnull=False)
        .values_list("activity__team").annotate(a=Avg("score"), n=Count("id"))
    }  # fmt: skip
    teams = (
        Team.objects.visible_to(user)
        .within(code or None)
        .filter(Q(pk__in=per_team) | Q(status="active"))
        .select_related("kind")
    )
    w_p, w_a, w_r = weights_for(code or "420115001")
    max_p = max((p for _n, p in per_team.values()), default=0)
    max_n = max((n for n, _p in per_team.values()), default=0)
    rows = []
    for t in teams:
        n, p = per_team.get(t.pk, (0, 0))
        avg, nr = rated.get(t.pk, (None, 0))
        s_p = Decimal(p * 100) / max_p if max_p else Decimal(0)
        s_n = Decimal(n * 100) / max_n if max_n else Decimal(0)
        s_r = (Decimal(str(avg)) - 1) * 25 if avg is not None else Decimal(0)  # 1–5 stars → 0–100
        score = (s_p * w_p + s_n * w_a + s_r * w_r) / 100
        rows.append({"id": t.pk, "name": t.name, "kind": t.kind.name, "activities": n, "person_times": p,
                     "rating": Decimal(str(avg)).quantize(Decimal("0.01")) if avg is not None else None, "ratings": nr,
                     "score": score.quantize(Decimal("0.1"), ROUND_HALF_UP)})  # fmt: skip
    rows.sort(key=lambda r: (-r["score"], r["name"]))
    return rows
