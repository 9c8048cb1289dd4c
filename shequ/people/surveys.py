"""What the resident registry tells the survey engine: the household of a signed-in resident (found
by the phone on their account, as the registry keys phones) and how many adult residents or
households an org node has, the denominator of a survey's response rate."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from shequ.core.scope import subtree_q


def household_of(user, code: str) -> int | None:
    """The household, under `code`, of the resident whose registered phone is the account's."""
    from shequ.core import crypto
    from shequ.people.choices import Status
    from shequ.people.models import Resident

    phone = "".join(str(getattr(user, "phone", "") or "").split())
    if not phone:
        return None
    found = (
        Resident.objects.filter(subtree_q("scope_code", code), status=Status.ACTIVE, household__isnull=False)
        .filter(**crypto.lookup(Resident, "phone", phone))
        .values_list("household_id", flat=True)
        .first()
    )
    return found


def population(code: str, per: str) -> int | None:
    """Households, or residents aged 18 and over, in the register under `code`."""
    from shequ.people.choices import Status
    from shequ.people.models import Household, Resident

    if per == "household":
        return Household.objects.filter(subtree_q("scope_code", code)).count() or None
    today = timezone.localdate()
    try:
        adult = today.replace(year=today.year - 18)
    except ValueError:  # 29 February
        adult = today.replace(year=today.year - 18, day=28)
    adult = min(adult, today - dt.timedelta(days=1))
    qs = Resident.objects.filter(subtree_q("scope_code", code), status=Status.ACTIVE).filter(
        Q(birth_date__isnull=True) | Q(birth_date__lte=adult)
    )
    return qs.count() or None
