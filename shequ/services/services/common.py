"""Helpers every act of the services module shares: an error on a field, a choice by code or label,
the org unit an act applies to, amounts, days and texts."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import NotFound, ValidationFailed
from shequ.core.services import require
from shequ.org.models import Level, OrgUnit


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def choice(enum, value, field: str, label: str, *, blank: bool = False) -> str:
    """A choice given by its code or by its Chinese label (低偿, 社会组织 …)."""
    text_value = str(value or "").strip()
    if blank and not text_value:
        return ""
    for code, shown in enum.choices:
        if text_value in (code, str(shown)):
            return code
    names = "、".join(str(s) for _c, s in enum.choices)
    raise invalid(
        field, _("%(l)s“%(v)s”不在可选范围内，应为：%(n)s。") % {"l": label, "v": text_value[:20], "n": names}
    )


LEVEL_NAMES = {Level.COMMUNITY: "社区（12 位）", Level.STREET: "街道（9 位）", Level.DISTRICT: "区（6 位）"}


def unit_at(actor, code, levels, perm: str | None, field: str) -> OrgUnit:
    """The org unit an act applies to: refused (400) if the code names no unit of these levels,
    not found outside the actor's scope, forbidden without `perm` there."""
    unit = OrgUnit.objects.filter(code=str(code or "").strip(), level__in=levels).first()
    if unit is None:
        raise invalid(field, _("请填写%(l)s代码。") % {"l": "或".join(_(LEVEL_NAMES[lv]) for lv in levels)})
    if not scope.covers(actor, unit.code):
        raise NotFound()
    if perm:
        require(actor, perm, unit.code)
    return unit


def decimal(value, field: str, label: str, *, top: Decimal = Decimal("99999999")) -> Decimal | None:
    """A positive amount in yuan with at most two decimals, or None when left empty."""
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid(field, _("%(l)s应为数字。") % {"l": label}) from None
    if not d.is_finite() or d <= 0:
        raise invalid(field, _("%(l)s应为大于 0 的数。") % {"l": label})
    if d != round(d, 2):
        raise invalid(field, _("%(l)s最多保留 2 位小数。") % {"l": label})
    if d > top:
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


def count(value, field: str, label: str, *, top: int = 100000) -> int:
    if value in (None, ""):
        return 0
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise invalid(field, _("%(l)s应为整数。") % {"l": label}) from None
    if not 0 <= n <= top:
        raise invalid(field, _("%(l)s应在 0 到 %(n)d 之间。") % {"l": label, "n": top})
    return n
