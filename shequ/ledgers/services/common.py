"""Helpers every act of the ledgers shares: field errors, choices by code or label, values read
from forms and the API alike, the resident an act names."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from shequ.core.errors import NotFound, ValidationFailed


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def choice(enum, value, field: str, label: str, *, allow_blank: bool = False) -> str:
    """A choice given by its code or by its Chinese label (在保, 集中供养 …)."""
    text = str(value or "").strip()
    if allow_blank and not text:
        return ""
    for code, shown in enum.choices:
        if code and text in (code, str(shown)):
            return code
    names = "、".join(str(s) for c, s in enum.choices if c)
    raise invalid(
        field, _("%(l)s“%(v)s”不在可选范围内，应为：%(n)s。") % {"l": label, "v": text[:20], "n": names}
    )


def amount(value, field: str, label: str, *, top: Decimal = Decimal("100000")) -> Decimal:
    """A positive amount of yuan with at most two decimals."""
    if value in (None, ""):
        raise invalid(field, _("请填写%(l)s。") % {"l": label})
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid(field, _("%(l)s应为数字，如 820.00。") % {"l": label}) from None
    if not d.is_finite() or d < 0:
        raise invalid(field, _("%(l)s不能为负数。") % {"l": label})
    if d != round(d, 2):
        raise invalid(field, _("%(l)s最多保留两位小数。") % {"l": label})
    if d > top:
        raise invalid(field, _("%(l)s不能超过 %(n)s 元，请核对。") % {"l": label, "n": top})
    return d


def day(value, field: str, label: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise invalid(field, _("请填写%(l)s。") % {"l": label})
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise invalid(field, _("%(l)s应为日期，如 2026-03-01。") % {"l": label}) from None


def month(value, field: str = "month") -> dt.date:
    """A month given as 2026-11 (or a date in it): its first day."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        y, m = text[:7].split("-")
        return dt.date(int(y), int(m), 1)
    except (ValueError, TypeError):
        raise invalid(field, _("月份应写成 2026-11 的形式。")) from None


def month_label(m: dt.date) -> str:
    return _("%(y)d年%(m)d月") % {"y": m.year, "m": m.month}


def month_end(m: dt.date) -> dt.date:
    nxt = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def text(
    value, field: str, label: str, limit: int, *, required: bool = False, multiline: bool = False
) -> str:
    raw = str(value or "")
    out = raw.strip() if multiline else " ".join(raw.split())
    if required and not out:
        raise invalid(field, _("请填写%(l)s。") % {"l": label})
    if len(out) > limit:
        raise invalid(field, _("%(l)s最多 %(n)d 个字。") % {"l": label, "n": limit})
    return out


def resident(actor, resident_id, field: str = "resident"):
    """The registry's resident the act names, as the actor may read it (else not found)."""
    from shequ.core.crypto import lookup
    from shequ.people.models import Resident

    value = str(resident_id or "").strip().upper()
    qs = Resident.objects.visible_to(actor).select_related("household", "community")
    if len(value) in (15, 18) and value[:-1].isdigit():  # a full ID number, found by its blind index
        found = qs.filter(**lookup(Resident, "doc_number", value)).first()
    elif value.isdigit() and len(value) < 15:
        found = qs.filter(pk=int(value)).first()
    else:
        raise invalid(field, _("请填写居民的完整身份证号（18 位），或从居民页面进入登记。"))
    if found is None:
        raise NotFound(_("居民台账中没有这位居民，或不在您的管辖范围内。"))
    return found
