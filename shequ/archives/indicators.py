"""The archives' indicators, offered to the kernel's catalogue: 建档率 (communities with a fonds and
the year's filing done) and the items filed."""

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop as N_

from shequ.archives.models import VIEW, FilingRound, Fonds, Item, ItemStatus
from shequ.core import indicators as ind
from shequ.core import scope
from shequ.org.models import Level, OrgUnit

FILING = N_("已建立全宗、且已组织统计年度归档（有该年度的归档批次）的社区数 ÷ 范围内社区数 × 100%。")
ITEMS = N_("文件日期在统计期内、现仍保存（未经鉴定销毁）的归档文件件数；可按门类分组。")


def filing_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """建档率 of each scope in the period's year."""
    ind.require(user, VIEW, codes)
    # Many scopes: their districts' communities (a few index ranges, not one OR term per scope);
    # fold keeps only those under an asked code.
    roots = codes if len(codes) <= ind.NARROW_ABOVE else sorted({c[:6] for c in codes})
    communities = list(
        OrgUnit.objects.filter(scope.prefix_q("code", roots), level=Level.COMMUNITY).values_list(
            "code", flat=True
        )
    )
    fonds = Fonds.objects.visible_to(user).filter(org__level=Level.COMMUNITY)
    with_round = set(
        FilingRound.objects.filter(fonds__in=fonds, year=end.year).values_list("fonds__org__code", flat=True)
    )
    done = ind.fold({c: 1 for c in communities if c in with_round}, codes)
    every = ind.fold({c: 1 for c in communities}, codes)
    return {
        c: {"value": ind.percent(done[c], every[c]), "numerator": done[c], "denominator": every[c]}
        for c in codes
    }


def items_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """归档文件件数 of each scope, by 门类."""
    ind.require(user, VIEW, codes)
    qs = Item.objects.visible_to(user).filter(status=ItemStatus.FILED, date__gte=start, date__lte=end)
    found = ind.per_scope(qs, codes, {"n": Count("id")}, by="archive_class")
    out = {}
    for c in codes:
        n = sum(r["n"] for r in found[c].values())
        out[c] = {"value": n, "numerator": n, "denominator": None,
                  "by": {"class": {k: r["n"] for k, r in sorted(found[c].items())}}}  # fmt: skip
    return out


def register() -> None:
    from shequ.core import registry

    registry.register_indicator(
        "archives.filing_rate", label=_l("建档率"), unit="%", formula=_l(FILING), perm=VIEW,
        compute=ind.single(filing_many), compute_many=filing_many, periods=("year",),
        reads=(N_("全宗"), N_("归档批次")),
    )  # fmt: skip
    registry.register_indicator(
        "archives.items_filed", label=_l("归档文件件数"), unit="件", formula=_l(ITEMS), perm=VIEW,
        compute=ind.single(items_many), compute_many=items_many, reads=(N_("档案（件）"),),
        breakdowns=("class",),
    )  # fmt: skip
