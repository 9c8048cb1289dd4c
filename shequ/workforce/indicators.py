"""The workforce module's indicators, offered to the kernel's catalogue: the staffing gap against
the district's ratio per 10,000 residents (配备缺口) and pay against the local average wage
(薪酬与社平工资比). Both read the roster once for the user's scope and roll it up per scope, so many
communities cost what one does."""

import datetime as dt
from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop as N_

from shequ.core import indicators as ind
from shequ.core import scope
from shequ.workforce import reports
from shequ.workforce.models import VIEW, VIEW_SENSITIVE, PayRecord, Population, StaffingRatio
from shequ.workforce.models.pay import gross_of

GAP = N_(
    "应配人数 − 在岗专职社区工作者人数；应配人数 = 常住人口 × 每万人配备标准（区设定，默认 18）÷ 10000，"
    "向上取整。常住人口取该范围登记的年度常住人口，街道、区没有登记时取所辖社区之和；在岗人数按统计年度末"
    "（本年度为今天）计。缺口为负数表示超配。"
)
PAY = N_(
    "统计年度有工资记录、且所在地登记了社会平均工资的社区工作者：应发工资合计 ÷ 各人适用的社会平均工资合计"
    " × 100%。应发工资含基本工资、绩效、津补贴和年终奖（不含单位缴纳部分）；所在社区按年度末（本年度为今天）计，"
    "社会平均工资取社区、街道、区、市中最近一级登记的数额。"
)


def _day(end: dt.date) -> tuple[int, dt.date]:
    year = end.year
    return year, min(dt.date(year, 12, 31), timezone.localdate())


def _ratios(codes) -> dict:
    """Workers required per 10,000 residents per district of `codes` (one query)."""
    found = dict(
        StaffingRatio.objects.filter(org__code__in={c[:6] for c in codes}).values_list("org__code", "per_10k")
    )
    return {c: found.get(c[:6], reports.DEFAULT_RATIO) for c in codes}


def staffing_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """配备缺口 of each scope in the period's year."""
    from shequ.workforce.services.pay import service_roster

    ind.require(user, VIEW, codes)
    year, day = _day(end)
    roster = service_roster(user)
    here = Counter(f.org_on(day)[:12] for f in reports.in_post(roster, "", day))
    actual = ind.fold(here, codes)
    q = scope.prefix_q("scope_code", sorted({c[:6] for c in codes}))
    entered = dict(Population.objects.filter(q, year=year).values_list("scope_code", "residents"))
    ratios = _ratios(codes)
    out = {}
    for c in codes:
        if c in entered:
            residents = entered[c]
        elif len(c) >= 12:
            residents = None
        else:
            known = [n for sc, n in entered.items() if len(sc) == 12 and sc.startswith(c)]
            residents = sum(known) if known else None
        need = reports.required(ratios[c], residents)
        out[c] = {"value": None if need is None else need - actual[c], "numerator": actual[c],
                  "denominator": need, "residents": residents, "ratio": str(ratios[c])}  # fmt: skip
    return out


def pay_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """薪酬与社平工资比 of each scope in the period's year. The pay records are summed in the database
    grouped on the worker's unit (one row per unit, whatever the number of workers); only the
    workers transferred after the year's reference day are read one by one, at the unit they
    worked for then."""
    from django.db.models import Count, Sum

    from shequ.workforce.models import Movement, MovementKind, Worker
    from shequ.workforce.services.pay import service_roster, wage_for, wages_of

    ind.require(user, VIEW_SENSITIVE, codes)
    year, day = _day(end)
    wages = wages_of(year)
    gross = {c: 0 for c in codes}
    wage = {c: 0 for c in codes}
    people = {c: 0 for c in codes}

    def add(unit, total, n):
        w = wage_for(wages, unit)
        if w is None or not w[1]:
            return
        for c in ind.scopes_of(unit, gross):
            gross[c] += total
            wage[c] += w[1] * n
            people[c] += n

    mine = Worker.objects.visible_to(user)
    moved = set(
        Movement.objects.filter(
            worker__in=mine.values("id"), kind=MovementKind.TRANSFER, on__gt=day, from_org__isnull=False
        ).values_list("worker_id", flat=True)
    )
    records = PayRecord.objects.visible_to(user).filter(year=year, worker__in=mine.values("id"))
    sums = {k: Sum(k) for k in ("base", "performance", "allowances", "bonus")}
    for r in (
        records.exclude(worker_id__in=moved).values("worker__scope_code").annotate(n=Count("id"), **sums)
    ):
        add(
            r["worker__scope_code"],
            gross_of(r["base"], r["performance"], r["allowances"], r["bonus"]),
            r["n"],
        )
    if moved:
        facts = {f.id: f for f in service_roster(user) if f.id in moved}
        for wid, *amounts in records.filter(worker_id__in=moved).values_list(
            "worker_id", "base", "performance", "allowances", "bonus"
        ):
            if wid in facts:
                add(facts[wid].org_on(day), gross_of(*amounts), 1)
    return {
        c: {"value": ind.percent(gross[c], wage[c]), "numerator": gross[c], "denominator": wage[c],
            "workers": people[c]}
        for c in codes
    }  # fmt: skip


def register() -> None:
    from shequ.core import registry

    registry.register_indicator(
        "workforce.staffing_gap", label=_l("社区工作者配备缺口"), unit="人", formula=_l(GAP), perm=VIEW,
        compute=ind.single(staffing_many), compute_many=staffing_many, periods=("year",),
        reads=(N_("社区工作者名册"), N_("常住人口"), N_("配备标准")), higher_is_better=False,
    )  # fmt: skip
    registry.register_indicator(
        "workforce.pay_ratio", label=_l("薪酬与社平工资比"), unit="%", formula=_l(PAY), perm=VIEW_SENSITIVE,
        compute=ind.single(pay_many), compute_many=pay_many, periods=("year",),
        reads=(N_("社区工作者名册"), N_("工资记录"), N_("社会平均工资")),
    )  # fmt: skip
