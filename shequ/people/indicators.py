"""The resident registry's indicators, offered to the kernel's catalogue: residents by residence
type and by 人群标签, the share aged 60 and over, and visits done on time.

The registry holds the residents as they are now (a departure is an event, not a row that stays
behind), so its counts are the in-register residents as of today; visits are dated records, so the
on-time rate is read as of the period's last day (or today, within the period)."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop as N_

from shequ.core import indicators as ind
from shequ.people.choices import ResidenceType, Status
from shequ.people.models import VIEW_RESIDENT, Resident, ResidentTag, Visit, years_ago
from shequ.people.tags import visible_tags

IN_REGISTER = (Status.ACTIVE, Status.MISSING)

RESIDENTS = N_(
    "范围内在册（含失联）居民人数，按当前人口台账统计；可按居住类型（户籍在住、人户分离、常住非户籍、"
    "流动人口、境外人员）和人群标签分组，只列出查看者有权看到的标签。"
)
ELDERLY = N_("60 周岁以上在册居民人数 ÷ 有出生日期的在册居民人数 × 100%，年龄按统计期末（本期为今天）计算。")
VISITS = N_(
    "有走访周期的在册居民中，统计期末（本期为今天）前一个走访周期内有走访记录的人数 ÷ 有走访周期、"
    "且登记满一个走访周期的在册居民人数 × 100%。走访周期取居民当前标签要求的最短周期。"
)


def _base(user):
    return Resident.objects.visible_to(user).filter(status__in=IN_REGISTER)


def residents_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """在册居民人数 of each scope, with "by": {"type": {…}, "tag": {…}}."""
    ind.require(user, VIEW_RESIDENT, codes)
    qs = _base(user)
    by_type = ind.per_scope(qs, codes, {"n": Count("id")}, by="residence_type")
    labels = dict(ResidenceType.choices)
    tags = visible_tags(user)
    tag_counts: dict = {c: {} for c in codes}
    for t in tags:
        if t.derived:
            derived = ind.per_scope(qs.filter(t.derived_q()), codes, {"n": Count("id")})
            for c in codes:
                tag_counts[c][t.name] = derived[c].get("n") or 0
    keyed = {t.key: t.name for t in tags if not t.derived}
    if keyed:
        rows = ResidentTag.objects.current().filter(tag_key__in=list(keyed), resident__in=qs.values("pk"))
        found = ind.per_scope(rows, codes, {"n": Count("id")}, field="resident__scope_code", by="tag_key")
        for c in codes:
            for key, name in keyed.items():
                tag_counts[c][name] = (found[c].get(key) or {}).get("n") or 0
    out = {}
    for c in codes:
        types = {str(labels[k]): r["n"] for k, r in by_type[c].items() if k in labels}
        total = sum(r["n"] for r in by_type[c].values())
        out[c] = {"value": total, "numerator": total, "denominator": None,
                  "by": {"type": types, "tag": tag_counts[c]}}  # fmt: skip
    return out


def elderly_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """The share of in-register residents aged 60 and over."""
    ind.require(user, VIEW_RESIDENT, codes)
    cut = years_ago(60, ind.as_of(end))
    found = ind.per_scope(
        _base(user).filter(birth_date__isnull=False), codes,
        {"old": Count("id", filter=Q(birth_date__lte=cut)), "all": Count("id")},
    )  # fmt: skip
    out = {}
    for c in codes:
        old, every = found[c].get("old") or 0, found[c].get("all") or 0
        out[c] = {"value": ind.percent(old, every), "numerator": old, "denominator": every}
    return out


def visits_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """走访按期完成率: residents with a visit duty visited within one interval before the day."""
    ind.require(user, VIEW_RESIDENT, codes)
    day = ind.as_of(end)
    _a, upto = ind.day_bounds(day, day)
    duty = _base(user).filter(visit_interval_days__isnull=False)
    intervals = sorted(set(duty.values_list("visit_interval_days", flat=True).distinct()))
    num = {c: 0 for c in codes}
    den = {c: 0 for c in codes}
    for interval in intervals:  # a handful: one per visit period the tags ask for
        since = upto - dt.timedelta(days=interval)
        visited = Visit.objects.filter(resident=OuterRef("pk"), visited_at__gte=since, visited_at__lt=upto)
        rows = duty.filter(visit_interval_days=interval, created_at__lt=since).annotate(_ok=Exists(visited))
        found = ind.per_scope(rows, codes, {"all": Count("id"), "ok": Count("id", filter=Q(_ok=True))})
        for c in codes:
            num[c] += found[c].get("ok") or 0
            den[c] += found[c].get("all") or 0
    return {
        c: {"value": ind.percent(num[c], den[c]), "numerator": num[c], "denominator": den[c]} for c in codes
    }


def register() -> None:
    from shequ.core import registry

    registry.register_indicator(
        "people.residents", label=_l("在册居民人数"), unit="人", formula=_l(RESIDENTS), perm=VIEW_RESIDENT,
        compute=ind.single(residents_many), compute_many=residents_many, reads=(N_("居民"), N_("居民标签")),
        breakdowns=("type", "tag"),
    )  # fmt: skip
    registry.register_indicator(
        "people.elderly_share", label=_l("60岁以上居民占比"), unit="%", formula=_l(ELDERLY),
        perm=VIEW_RESIDENT, compute=ind.single(elderly_many), compute_many=elderly_many, reads=(N_("居民"),),
    )  # fmt: skip
    registry.register_indicator(
        "people.visits_on_time", label=_l("走访按期完成率"), unit="%", formula=_l(VISITS), perm=VIEW_RESIDENT,
        compute=ind.single(visits_many), compute_many=visits_many, reads=(N_("居民"), N_("走访记录")),
    )  # fmt: skip
