"""The duties module's indicators, offered to the kernel's catalogue: the tasks admitted onto
communities, and the burden ledger's counts (台账, 表格, 盖章, 挂牌, 检查 …) in force."""

import datetime as dt

from django.db.models import Count, Sum
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop as N_

from shequ.core import indicators as ind
from shequ.duties.burden import PERM as BURDEN_PERM
from shequ.duties.burden import active_q
from shequ.duties.models import BurdenEntry, Kind, Task

TASKS_PERM = "duties.view_tasks"
TASKS = N_(
    "开始日期在统计期内、经准入审核下派到社区的任务数（每个社区一项任务计 1；含已完成、已撤回和已到期的）；"
    "可按事项类别分组。"
)
BURDEN = N_(
    "统计期末（本期为今天）仍在执行的减负台账条目（准入任务、常设事项和登记的未经准入事项）所要求的"
    "%(what)s之和。"
)
# (metric field, label, unit, what the formula sums)
BURDEN_METRICS = (
    ("ledgers", N_("社区台账数"), "本", N_("台账本数")),
    ("forms", N_("社区表格数"), "张", N_("表格张数")),
    ("stamps", N_("社区盖章事项数"), "类", N_("盖章事项类数")),
    ("signboards", N_("社区挂牌数"), "块", N_("挂牌块数")),
    ("inspections", N_("对社区检查次数"), "次/年", N_("每年检查次数")),
    ("appraisals", N_("对社区考核次数"), "次/年", N_("每年考核次数")),
    ("evaluations", N_("对社区评比次数"), "次/年", N_("每年评比次数")),
    ("data_reports", N_("社区数据报送次数"), "次/年", N_("每年数据报送次数")),
)


def tasks_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """准入下派任务数 of each scope, by 事项类别."""
    ind.require(user, TASKS_PERM, codes)
    qs = Task.objects.visible_to(user).filter(start_date__gte=start, start_date__lte=end)
    found = ind.per_scope(qs, codes, {"n": Count("id")}, by="kind")
    labels = dict(Kind.choices)
    out = {}
    for c in codes:
        n = sum(r["n"] for r in found[c].values())
        kinds = {str(labels.get(k, k)): r["n"] for k, r in sorted(found[c].items())}
        out[c] = {"value": n, "numerator": n, "denominator": None, "by": {"kind": kinds}}
    return out


def _burden_many(metric: str):
    def many(user, codes, start: dt.date, end: dt.date) -> dict:
        ind.require(user, BURDEN_PERM, codes)
        qs = BurdenEntry.objects.visible_to(user).filter(active_q(ind.as_of(end)))
        found = ind.per_scope(qs, codes, {"n": Sum(metric), "entries": Count("id")})
        return {
            c: {"value": found[c].get("n") or 0, "numerator": found[c].get("n") or 0, "denominator": None,
                "entries": found[c].get("entries") or 0}
            for c in codes
        }  # fmt: skip

    many.__doc__ = f"The burden ledger's {metric} in force at the period's end."
    return many


def register() -> None:
    from shequ.core import registry

    registry.register_indicator(
        "duties.tasks_admitted", label=_l("准入下派任务数"), unit="项", formula=_l(TASKS), perm=TASKS_PERM,
        compute=ind.single(tasks_many), compute_many=tasks_many, reads=(N_("下派任务"),), breakdowns=("kind",),
        scopes=("community", "street", "district"), higher_is_better=False,
    )  # fmt: skip
    for metric, label, unit, what in BURDEN_METRICS:
        many = _burden_many(metric)
        formula = burden_formula(what)
        registry.register_indicator(
            f"duties.burden_{metric}", label=_l(label), unit=unit, formula=formula, perm=BURDEN_PERM,
            compute=ind.single(many), compute_many=many, reads=(N_("减负台账"),), higher_is_better=False,
        )  # fmt: skip


def _formula(what: str) -> str:
    from django.utils.translation import gettext as _

    return _(BURDEN) % {"what": _(what)}


burden_formula = lazy(_formula, str)
