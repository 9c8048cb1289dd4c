"""Who a resident is, when they support an issue or sign in to a meeting: a signed-in resident of
the community (matched to the registry by their account's phone where it can be), or a name and
the last four digits of the phone, matched against the community's registry. The key says one
person once: "r:<resident id>" for a registry match, "u:<account id>" for an account alone."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from shequ.core import crypto, scope
from shequ.core.errors import ValidationFailed
from shequ.core.roles import Role
from shequ.core.scope import subtree_q


@dataclass
class Person:
    key: str
    name: str
    resident: object = None
    user: object = None


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def resident_of(user, community_code: str) -> bool:
    """Does the account hold a resident's membership in this community (or one of its grids)?"""
    return any(
        m.role == Role.RESIDENT
        and (m.scope_code.startswith(community_code) or community_code.startswith(m.scope_code))
        for m in scope.memberships(user)
    )


def _active_residents(community_code: str):
    from shequ.people.choices import Status
    from shequ.people.models import Resident

    return Resident.objects.filter(subtree_q("scope_code", community_code), status=Status.ACTIVE)


def by_phone_digits(community_code: str, name: str, last4: str):
    """The one active resident of the community with this name whose phone ends in these digits."""
    from shequ.people.surveys import by_name_and_digits

    return by_name_and_digits(community_code, name, last4)


def identify(user, community_code: str, *, name: str = "", last4: str = "") -> Person:
    """The person acting: by name and phone digits when given, else a signed-in resident's account."""
    if (name or "").strip() or (last4 or "").strip():
        r = by_phone_digits(community_code, name, last4)
        return Person(
            f"r:{r.pk}", r.name, resident=r, user=user if getattr(user, "is_authenticated", False) else None
        )
    if user is not None and user.is_authenticated and resident_of(user, community_code):
        resident = None
        if user.phone:
            from shequ.people.models import Resident

            resident = (
                _active_residents(community_code)
                .filter(**crypto.lookup(Resident, "phone", user.phone))
                .only("pk", "name")
                .first()
            )
        if resident is not None:
            return Person(f"r:{resident.pk}", resident.name, resident=resident, user=user)
        return Person(f"u:{user.pk}", str(user)[:50], user=user)
    raise _invalid("name", _("请填写姓名和手机号码后四位，以便核对您是本社区居民。"))
