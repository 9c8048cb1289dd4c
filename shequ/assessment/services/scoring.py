"""Scoring rules: from an indicator's figure (or an assessor's score) to an item's points. Pure
functions over Decimals; `check_params` refuses a rule that cannot be applied, saying why."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from shequ.assessment.models import Rule
from shequ.core.errors import ValidationFailed

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def number(value, field: str, label: str, *, allow_none=False) -> Decimal | None:
    """A finite decimal (never a float's binary expansion)."""
    if value is None or str(value).strip() == "":
        if allow_none:
            return None
        raise invalid(field, _("请填写%(l)s。") % {"l": label})
    if isinstance(value, float):
        value = repr(value)
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid(field, _("%(l)s“%(v)s”不是数字。") % {"l": label, "v": str(value)[:20]}) from None
    if not d.is_finite() or abs(d) >= Decimal("1e12"):
        raise invalid(field, _("%(l)s“%(v)s”超出可用范围。") % {"l": label, "v": str(value)[:20]})
    return d


def check_params(rule: str, params: dict, weight: Decimal, higher_is_better: bool, label: str) -> dict:
    """The parameters of a rule, cleaned (decimal strings), or ValidationFailed with the reason."""
    params = params if isinstance(params, dict) else {}
    field = "items"
    if rule == Rule.THRESHOLDS:
        bands = params.get("bands")
        if not isinstance(bands, list) or not bands:
            raise invalid(field, _("“%(l)s”按分档计分：请至少填写一档（数值范围与得分）。") % {"l": label})
        out = []
        for i, b in enumerate(bands, 1):
            if not isinstance(b, dict):
                raise invalid(field, _("“%(l)s”第 %(i)d 档格式有误。") % {"l": label, "i": i})
            lo = number(
                b.get("from"), field, _("“%(l)s”第 %(i)d 档下限") % {"l": label, "i": i}, allow_none=True
            )
            hi = number(
                b.get("to"), field, _("“%(l)s”第 %(i)d 档上限") % {"l": label, "i": i}, allow_none=True
            )
            pts = number(b.get("points"), field, _("“%(l)s”第 %(i)d 档得分") % {"l": label, "i": i})
            if lo is not None and hi is not None and lo >= hi:
                raise invalid(field, _("“%(l)s”第 %(i)d 档下限应小于上限。") % {"l": label, "i": i})
            if pts < 0 or pts > weight:
                raise invalid(
                    field,
                    _("“%(l)s”第 %(i)d 档得分应在 0 至 %(w)s 分之间。") % {"l": label, "i": i, "w": weight},
                )
            out.append({"from": str(lo) if lo is not None else None, "to": str(hi) if hi is not None else None,
                        "points": str(pts)})  # fmt: skip
        spans = sorted((Decimal(b["from"]) if b["from"] else Decimal("-1e13"),
                        Decimal(b["to"]) if b["to"] else Decimal("1e13")) for b in out)  # fmt: skip
        for (_lo1, hi1), (lo2, _hi2) in zip(spans, spans[1:], strict=False):
            if lo2 < hi1:
                raise invalid(field, _("“%(l)s”的分档范围有重叠，请调整各档上下限。") % {"l": label})
        return {"bands": out}
    if rule == Rule.LINEAR:
        floor = number(params.get("floor"), field, _("“%(l)s”的起评值") % {"l": label})
        target = number(params.get("target"), field, _("“%(l)s”的目标值") % {"l": label})
        if higher_is_better and not target > floor:
            raise invalid(field, _("“%(l)s”数值越高越好，目标值应大于起评值。") % {"l": label})
        if not higher_is_better and not target < floor:
            raise invalid(field, _("“%(l)s”数值越低越好，目标值应小于起评值。") % {"l": label})
        return {"floor": str(floor), "target": str(target)}
    if rule == Rule.YESNO:
        at = number(params.get("pass_at", "1"), field, _("“%(l)s”的达标值") % {"l": label})
        return {"pass_at": str(at)}
    if rule == Rule.MANUAL:
        return {}
    raise invalid(
        field,
        _("“%(l)s”的计分规则“%(r)s”无效，应为分档、线性、达标与否或人工评分。")
        % {"l": label, "r": str(rule)[:20]},
    )


def points(item, value) -> Decimal | None:
    """The points an indicator-scored item earns for `value` (None when there is no figure)."""
    if item.rule == Rule.MANUAL or value is None:
        return None
    v = Decimal(value)
    weight = Decimal(item.weight)
    p = item.params or {}
    if item.rule == Rule.THRESHOLDS:
        for b in p.get("bands", []):
            lo = Decimal(b["from"]) if b.get("from") is not None else None
            hi = Decimal(b["to"]) if b.get("to") is not None else None
            if (lo is None or v >= lo) and (hi is None or v < hi):
                return Decimal(b["points"]).quantize(CENT)
        return ZERO.quantize(CENT)
    if item.rule == Rule.LINEAR:
        floor, target = Decimal(p["floor"]), Decimal(p["target"])
        share = (v - floor) / (target - floor)  # negative span for lower-is-better: the same formula
        share = min(max(share, ZERO), Decimal(1))
        return (weight * share).quantize(CENT)
    if item.rule == Rule.YESNO:
        at = Decimal(p.get("pass_at", "1"))
        met = v >= at if item.higher_is_better else v <= at
        return weight.quantize(CENT) if met else ZERO.quantize(CENT)
    return None


def manual_points(item, value, field="points") -> Decimal:
    """An assessor's (or the community's own) score of an item: 0 … weight, two decimals."""
    d = number(value, field, _("“%(l)s”的得分") % {"l": item.label})
    if d < 0 or d > Decimal(item.weight):
        raise invalid(field, _("“%(l)s”的得分应在 0 至 %(w)s 分之间。") % {"l": item.label, "w": item.weight})
    if d != d.quantize(CENT):
        raise invalid(field, _("得分最多保留两位小数。"))
    return d.quantize(CENT)
