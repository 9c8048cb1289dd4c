"""The burden ledger's count of inspections, appraisals and ratings for the modules that hold them
(an assessment round counts as one appraisal or rating of each community it covers): the load
active on a day against the caps, and the entry that records one more."""

import datetime as dt

from django.db.models import Sum

from shequ.duties.burden import Policies, active_q
from shequ.duties.models import BurdenEntry, EntrySource, Kind
from shequ.org.models import OrgUnit

METRICS = ("inspections", "appraisals", "evaluations")


def load(codes, metric: str, day: dt.date) -> dict:
    """{community code: (count of `metric` active on day, cap or None)}."""
    if metric not in METRICS:
        raise ValueError(metric)
    codes = list(codes)
    found = dict(
        BurdenEntry.objects.filter(scope_code__in=codes)
        .filter(active_q(day))
        .values_list("scope_code")
        .annotate(n=Sum(metric))
    )
    out = {}
    policies = {}
    for c in codes:
        root = c[:6]
        if root not in policies:
            policies[root] = Policies.load(root)
        out[c] = (int(found.get(c) or 0), policies[root].caps(c).get(metric))
    return out


def record(actor, codes, metric: str, *, title: str, body: str, start: dt.date, end: dt.date) -> None:
    """One more `metric` on each community's ledger, active from start to end."""
    if metric not in METRICS:
        raise ValueError(metric)
    units = OrgUnit.objects.filter(code__in=list(codes))
    rows = []
    for u in units:
        e = BurdenEntry(community=u, source=EntrySource.STANDING, department=body[:100], kind=Kind.ASSIST,
                        title=title[:200], start_date=start, end_date=end, **{metric: 1})  # fmt: skip
        e.scope_code = u.code
        rows.append(e)
    BurdenEntry.objects.bulk_create(rows)
