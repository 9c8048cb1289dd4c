"""Helpers every act of the teams module shares: errors on a field, choices by code or label, the
org node an act applies to, and who a signed-in resident is."""

from django.utils.translation import gettext as _

from shequ.core import crypto, scope
from shequ.core.errors import NotFound, ValidationFailed
from shequ.core.roles import Role
from shequ.core.scope import subtree_q
from shequ.core.services import require
from shequ.org.models import Level, OrgUnit


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def choice(enum, value, field: str, label: str) -> str:
    """A choice given by its code or by its Chinese label."""
    text = str(value or "").strip()
    for code, shown in enum.choices:
        if text in (code, str(shown)):
            return code
    names = "、".join(str(s) for _c, s in enum.choices)
    raise invalid(
        field, _("%(l)s“%(v)s”不在可选范围内，应为：%(n)s。") % {"l": label, "v": text[:20], "n": names}
    )


def text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise invalid(field, _("请填写%(l)s。") % {"l": label})
    if len(value) > limit:
        raise invalid(field, _("%(l)s不能超过 %(n)d 字。") % {"l": label, "n": limit})
    return value


def org_at(actor, code, perm: str, field: str = "org") -> OrgUnit:
    """The community or street an act applies to: 400 for anything else, 404 outside the actor's
    scope, 403 without `perm` there."""
    unit = OrgUnit.objects.filter(
        code=str(code or "").strip(), level__in=(Level.COMMUNITY, Level.STREET)
    ).first()
    if unit is None:
        raise invalid(field, _("请选择社区（12 位代码）或街道（9 位代码）。"))
    if not scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, perm, unit.code)
    return unit


def active_residents(code: str):
    from shequ.people.choices import Status
    from shequ.people.models import Resident

    return Resident.objects.filter(subtree_q("scope_code", code), status=Status.ACTIVE)


def resident_of_user(user, code: str):
    """The active resident under `code` whose registered phone is the account's (the registry keys
    phones, as the survey engine and the meetings do), or None."""
    from shequ.people.models import Resident

    phone = "".join(str(getattr(user, "phone", "") or "").split())
    if not phone or not code:
        return None
    return active_residents(code).filter(**crypto.lookup(Resident, "phone", phone)).first()


def lives_in(user, code: str) -> bool:
    """Does the account hold a resident's membership inside (or over) `code`?"""
    return any(
        m.role == Role.RESIDENT and (m.scope_code.startswith(code[:12]) or code.startswith(m.scope_code))
        for m in scope.memberships(user)
    )


def person_key(user, code: str) -> tuple[str, object, str]:
    """(key, resident, name) of a signed-in person at an activity under `code`: the registry's
    resident when the account's phone finds one ("r:<id>"), else the account ("u:<id>")."""
    resident = resident_of_user(user, code)
    if resident is not None:
        return f"r:{resident.pk}", resident, resident.name
    return f"u:{user.pk}", None, (getattr(user, "display_name", "") or user.username)[:50]
