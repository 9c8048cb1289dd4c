"""The community services' indicator, offered to the kernel's catalogue: the service records kept
in a scope and period (社区服务人次), by service category."""

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop as N_

from shequ.core import indicators as ind
from shequ.services.models import VIEW_RECORD, ServiceCategory, ServiceRecord

RECORDS = N_(
    "服务日期在统计期内的社区服务记录数（每服务一人次记一条，含已转介、持续服务中和未能解决的）；"
    "可按服务类别分组。"
)


def records_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """社区服务人次 of each scope, by service category."""
    ind.require(user, VIEW_RECORD, codes)
    qs = ServiceRecord.objects.visible_to(user).filter(served_on__gte=start, served_on__lte=end)
    found = ind.per_scope(qs, codes, {"n": Count("id")}, by="service__category_id")
    names = dict(ServiceCategory.objects.values_list("pk", "name"))
    out = {}
    for c in codes:
        n = sum(r["n"] for r in found[c].values())
        cats = {names.get(k, str(k)): r["n"] for k, r in sorted(found[c].items(), key=lambda kv: kv[0] or 0)}
        out[c] = {"value": n, "numerator": n, "denominator": None, "by": {"category": cats}}
    return out


def register() -> None:
    from shequ.core import registry

    registry.register_indicator(
        "services.records", label=_l("社区服务人次"), unit="人次", formula=_l(RECORDS), perm=VIEW_RECORD,
        compute=ind.single(records_many), compute_many=records_many,
        reads=(N_("社区服务记录"), N_("服务项目")), breakdowns=("category",),
    )  # fmt: skip
