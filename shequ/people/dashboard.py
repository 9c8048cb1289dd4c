"""Population figures for the home page and the structure charts, for any scope."""

import datetime as dt
from collections import Counter

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.people.choices import ResidenceType, Status
from shequ.people.models import Resident, ResidentTag, years_ago
from shequ.people.tags import visible_tags

AGE_BANDS = [(lo, lo + 4) for lo in range(0, 100, 5)]


def _active(user, focus_code=None):
    qs = Resident.objects.visible_to(user).filter(status=Status.ACTIVE)
    return qs.within(focus_code) if focus_code else qs


def structure(user, focus_code=None) -> dict:
    """Age pyramid by gender (5-year bands, 100+ in the last), residence types and tag counts."""
    today = timezone.localdate()
    qs = _active(user, focus_code)
    by_year = (
        qs.exclude(birth_date__isnull=True)
        .annotate(y=ExtractYear("birth_date"))
        .values("y", "gender")
        .annotate(n=Count("id"))
    )
    male, female = Counter(), Counter()
    for row in by_year:
        age = today.year - row["y"]  # by birth year: a band boundary is off by at most a few months
        band = min(max(age, 0) // 5, len(AGE_BANDS))
        (male if row["gender"] == "male" else female if row["gender"] == "female" else Counter())[band] += (
            row["n"]
        )
    labels = [f"{lo}-{hi}" for lo, hi in AGE_BANDS] + ["100+"]
    rtypes = dict(qs.values_list("residence_type").annotate(n=Count("id")))
    total = sum(rtypes.values())
    tag_counts = []
    keyed = {}
    for t in visible_tags(user):
        if t.derived:
            tag_counts.append((t.name, qs.filter(t.derived_q()).count()))
        else:
            keyed[t.key] = t.name
    if keyed:
        counts = dict(
            ResidentTag.objects.filter(resident__in=qs, tag_key__in=list(keyed))
            .current()
            .values_list("tag_key")
            .annotate(n=Count("id"))
        )
        tag_counts += [(name, counts.get(k, 0)) for k, name in keyed.items()]
    elderly = qs.filter(birth_date__lte=years_ago(60, today)).count()
    return {
        "total": total,
        "age_labels": labels,
        "male": [male[i] for i in range(len(labels))],
        "female": [female[i] for i in range(len(labels))],
        "residence": [{"key": k, "name": str(ResidenceType(k).label), "value": v} for k, v in rtypes.items()],
        "tags": [{"name": n, "value": v} for n, v in tag_counts],
        "elderly": elderly,
        "elderly_ratio": round(100 * elderly / total, 1) if total else 0,
    }


def population_card(request, focus_code):
    user = request.user

    if not scope.holds(user, "people.view_resident"):
        return None
    qs = _active(user, focus_code)
    today = timezone.localdate()
    return {
        "template": "people/_population_card.html",
        "width": "col-12 col-lg-6",
        "context": {
            "total": qs.count(),
            "floating": qs.filter(
                residence_type__in=[ResidenceType.FLOATING, ResidenceType.NON_REGISTERED]
            ).count(),
            "overdue": qs.filter(next_visit_due__lt=today).count(),
            "due_week": qs.filter(
                next_visit_due__gte=today, next_visit_due__lte=today + dt.timedelta(days=7)
            ).count(),
            "title": _("人口概况"),
        },
    }
