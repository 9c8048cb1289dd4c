"""The finance module's indicator, offered to the kernel's catalogue: the share of the year's
budgeted funds that arrived (经费到位率)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop as N_

from shequ.core import indicators as ind
from shequ.finance.models import VIEW, Allocation, BudgetLine

ARRIVAL = N_(
    "统计年度已到账的拨付金额合计（冲销按负数计）÷ 该年度预算中各出资方应拨金额合计 × 100%。"
    "拨付到街道统筹的款项计入街道和区，不计入社区；下派任务随事经费另见减负台账。"
)
ZERO = Decimal("0")


def arrival_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """经费到位率 of each scope in the period's year."""
    ind.require(user, VIEW, codes)
    year = end.year
    due = ind.per_scope(BudgetLine.objects.visible_to(user).filter(year=year), codes, {"s": Sum("amount")})
    got = ind.per_scope(Allocation.objects.visible_to(user).filter(year=year), codes, {"s": Sum("amount")})
    out = {}
    for c in codes:
        d, a = due[c].get("s") or ZERO, got[c].get("s") or ZERO
        out[c] = {"value": ind.percent(a, d), "numerator": a, "denominator": d}
    return out


def register() -> None:
    from shequ.core import registry

    registry.register_indicator(
        "finance.arrival_rate", label=_l("经费到位率"), unit="%", formula=_l(ARRIVAL), perm=VIEW,
        compute=ind.single(arrival_many), compute_many=arrival_many, periods=("year",),
        reads=(N_("经费预算"), N_("拨付到账")),
    )  # fmt: skip
