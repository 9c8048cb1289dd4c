"""A street office's internal bodies and their 编制 and 实有 headcount."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope as scopes
from shequ.core import services
from shequ.core.errors import NotFound, ValidationFailed
from shequ.core.services import require
from shequ.org.models import Level, OrgUnit
from shequ.workforce.models import StreetSection

# Streets and districts keep these figures, as they keep the population.
MANAGE_SECTIONS = "workforce.manage_population"
MAX_HEADCOUNT = 500


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _count(value, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_HEADCOUNT:
        raise _invalid(field, _("%(l)s应为 0 到 %(n)s 之间的整数。") % {"l": label, "n": MAX_HEADCOUNT})
    return value


@transaction.atomic
def set_section(
    actor,
    street: str,
    *,
    name: str,
    established: int,
    actual: int,
    as_of: dt.date | None = None,
    note: str = "",
) -> StreetSection:
    """Enter or correct one internal body of a street: its 编制 and 实有 on a date."""
    unit = OrgUnit.objects.filter(code=(street or "").strip(), level=Level.STREET).first()
    if unit is None:
        raise _invalid("street", _("请填写街道代码（9 位）。"))
    if not scopes.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE_SECTIONS, unit.code)
    name = " ".join((name or "").split())
    if not name:
        raise _invalid("name", _("请填写机构名称，如“党政综合办公室”。"))
    if len(name) > 60:
        raise _invalid("name", _("机构名称最多 60 个字。"))
    fields = {
        "established": _count(established, "established", _("编制数")),
        "actual": _count(actual, "actual", _("实有人数")),
        "as_of": as_of or timezone.localdate(),
        "note": (note or "").strip()[:200],
    }
    if fields["as_of"] > timezone.localdate():
        raise _invalid("as_of", _("统计日期不能晚于今天。"))
    found = StreetSection.objects.select_for_update().filter(org=unit, name=name).first()
    if found is None:
        return services.create(actor, StreetSection(org=unit, name=name, **fields), perm=MANAGE_SECTIONS)
    return services.update(actor, StreetSection, found.pk, fields, perm=MANAGE_SECTIONS)


@transaction.atomic
def remove_section(actor, pk: int) -> None:
    """Remove a body the street no longer has (the change log keeps its last figures)."""
    services.delete(actor, StreetSection, pk, perm=MANAGE_SECTIONS)


def sections_of(user, scope_code: str | None) -> dict:
    """The internal bodies of the streets in a scope, with totals per street and overall."""
    rows = StreetSection.objects.visible_to(user).select_related("org")
    if scope_code:
        rows = rows.within(scope_code)
    streets: dict[str, dict] = {}
    for s in rows.order_by("scope_code", "name"):
        street = streets.setdefault(
            s.org.code,
            {"code": s.org.code, "name": s.org.display_name, "sections": [], "established": 0, "actual": 0},
        )
        street["sections"].append(s)
        street["established"] += s.established
        street["actual"] += s.actual
    for street in streets.values():
        street["vacancy"] = street["established"] - street["actual"]
    total_est = sum(s["established"] for s in streets.values())
    total_act = sum(s["actual"] for s in streets.values())
    return {
        "streets": list(streets.values()),
        "established": total_est,
        "actual": total_act,
        "vacancy": total_est - total_act,
    }
