"""Helpers every act of the facilities module shares: errors on a field, choices by code or label,
the org node an act applies to."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import NotFound, ValidationFailed
from shequ.core.services import require
from shequ.org.models import Level, OrgUnit


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def choice(enum, value, field: str, label: str) -> str:
    """A choice given by its code or by its Chinese label (租用, 新建 …)."""
    text = str(value or "").strip()
    for code, shown in enum.choices:
        if text in (code, str(shown)):
            return code
    names = "、".join(str(s) for _c, s in enum.choices)
    raise invalid(
        field, _("%(l)s“%(v)s”不在可选范围内，应为：%(n)s。") % {"l": label, "v": text[:20], "n": names}
    )


def unit_at(actor, code, levels, perm: str | None, field: str) -> OrgUnit:
    """The org unit an act applies to: refused (400) if the code names no unit of these levels,
    not found outside the actor's scope, forbidden without `perm` there."""
    unit = OrgUnit.objects.filter(code=str(code or "").strip(), level__in=levels).first()
    if unit is None:
        names = {
            Level.COMMUNITY: _("社区（12 位）"),
            Level.STREET: _("街道（9 位）"),
            Level.DISTRICT: _("区（6 位）"),
        }
        raise invalid(field, _("请填写%(l)s代码。") % {"l": "或".join(str(names[lv]) for lv in levels)})
    if not scope.covers(actor, unit.code):
        raise NotFound()
    if perm:
        require(actor, perm, unit.code)
    return unit


def decimal(value, field: str, label: str, *, places: int = 2, top: Decimal | None = None,
            positive: bool = False, required: bool = True) -> Decimal | None:  # fmt: skip
    """A non-negative amount (m², yuan) with at most `places` decimals."""
    if value in (None, ""):
        if required:
            raise invalid(field, _("请填写%(l)s。") % {"l": label})
        return None
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid(field, _("%(l)s应为数字。") % {"l": label}) from None
    if not d.is_finite() or d < 0 or (positive and d == 0):
        raise invalid(
            field,
            _("%(l)s应为大于 0 的数。") % {"l": label} if positive else _("%(l)s不能为负数。") % {"l": label},
        )
    if d != round(d, places):
        raise invalid(field, _("%(l)s最多保留 %(n)d 位小数。") % {"l": label, "n": places})
    if top is not None and d > top:
        raise invalid(field, _("%(l)s不能超过 %(n)s。") % {"l": label, "n": top})
    return d


def day(value, field: str, label: str, *, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise invalid(field, _("请填写%(l)s。") % {"l": label})
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise invalid(field, _("%(l)s应为日期，如 2026-03-01。") % {"l": label}) from None


def text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    out = " ".join(str(value or "").split())
    if required and not out:
        raise invalid(field, _("请填写%(l)s。") % {"l": label})
    if len(out) > limit:
        raise invalid(field, _("%(l)s最多 %(n)d 个字。") % {"l": label, "n": limit})
    return out
