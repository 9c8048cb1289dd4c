"""The facilities module's indicators, offered to the kernel's catalogue: the share of communities
whose premises meet the district's standards (阵地达标率) and the use of bookable rooms (利用率).
Each runs the module's own report once over the scopes' common subtree and rolls its rows up."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop as N_

from shequ.core import indicators as ind
from shequ.facilities.models import VIEW

COMPLIANCE = N_(
    "按区设定（未设定时用平台默认）的阵地配置标准，面积规则和必备功能全部达标的社区数 ÷ 范围内社区数 × 100%；"
    "按当前登记的在用阵地计算（不含驻区单位开放场地）。"
)
UTILISATION = N_(
    "统计期内已批准预约的时长合计 ÷ 可预约场地在统计期内按开放时间计的开放时长合计 × 100%；"
    "开放时长按每个场地每周的开放时间与统计期内各星期几的天数计算。"
)


def compliance_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """阵地达标率 of each scope (the communities meeting every standard that applies to them)."""
    from shequ.facilities.services.standards import compliance

    ind.require(user, VIEW, codes)
    rows = compliance(user, ind.common_root(user, codes, VIEW))["rows"]
    met = ind.fold({r["code"]: int(r["met_all"]) for r in rows}, codes)
    every = ind.fold({r["code"]: 1 for r in rows}, codes)
    return {
        c: {"value": ind.percent(met[c], every[c]), "numerator": met[c], "denominator": every[c]}
        for c in codes
    }


def utilisation_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """场地预约利用率 of each scope over the period."""
    from shequ.facilities.services.bookings import utilisation

    ind.require(user, VIEW, codes)
    rows = utilisation(user, ind.common_root(user, codes, VIEW), start, end)["rows"]
    booked = {c: Decimal("0") for c in codes}
    opened = {c: Decimal("0") for c in codes}
    rooms = {c: 0 for c in codes}
    for r in rows:
        for c in ind.scopes_of(r["code"], booked):
            booked[c] += r["booked_hours"]
            opened[c] += r["open_hours"]
            rooms[c] += 1
    return {
        c: {"value": ind.percent(booked[c], opened[c]), "numerator": booked[c], "denominator": opened[c],
            "rooms": rooms[c]}
        for c in codes
    }  # fmt: skip


def register() -> None:
    from shequ.core import registry

    registry.register_indicator(
        "facilities.compliance", label=_l("阵地达标率"), unit="%", formula=_l(COMPLIANCE), perm=VIEW,
        compute=ind.single(compliance_many), compute_many=compliance_many,
        reads=(N_("阵地"), N_("阵地配置标准")),
    )  # fmt: skip
    registry.register_indicator(
        "facilities.utilisation", label=_l("场地预约利用率"), unit="%", formula=_l(UTILISATION), perm=VIEW,
        compute=ind.single(utilisation_many), compute_many=utilisation_many,
        reads=(N_("阵地"), N_("场地预约")),
    )  # fmt: skip
