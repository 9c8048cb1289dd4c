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


def _counted(per: str):
    """The rows population() counts: households, or active residents aged 18 and over."""
    from shequ.people.choices import Status
    from shequ.people.models import Household, Resident

    if per == "household":
        return Household.objects.all()
    today = timezone.localdate()
    try:
        adult = today.replace(year=today.year - 18)
    except ValueError:  # 29 February
        adult = today.replace(year=today.year - 18, day=28)
    adult = min(adult, today - dt.timedelta(days=1))
    return Resident.objects.filter(status=Status.ACTIVE).filter(
        Q(birth_date__isnull=True) | Q(birth_date__lte=adult)
    )


def population(code: str, per: str) -> int | None:
    """Households, or residents aged 18 and over, in the register under `code`."""
    return _counted(per).filter(subtree_q("scope_code", code)).count() or None


def populations(codes, per: str) -> dict[str, int | None]:
    """population() of many codes in one count grouped on the code prefix."""
    from django.db.models import Count

    from shequ.core.indicators import per_scope

    found = per_scope(_counted(per), codes, {"n": Count("id")}, field="scope_code")
    return {c: found[c].get("n") or None for c in found}


def sample(code: str, per: str, n: int) -> list[tuple[int, str]]:
    """`n` distinct households, or adult residents, in the register under `code`, drawn at random
    (the system's random source): [(id, label)], the label being the address and the surname only."""
    import secrets

    from shequ.people.choices import Status
    from shequ.people.models import Household, Resident

    if per == "household":
        ids = list(Household.objects.filter(subtree_q("scope_code", code)).values_list("pk", flat=True))
    else:
        today = timezone.localdate()
        adult = today.replace(
            year=today.year - 18, day=28 if (today.month, today.day) == (2, 29) else today.day
        )
        ids = list(
            Resident.objects.filter(subtree_q("scope_code", code), status=Status.ACTIVE)
            .filter(Q(birth_date__isnull=True) | Q(birth_date__lte=adult))
            .values_list("pk", flat=True)
        )
    picked = secrets.SystemRandom().sample(ids, min(n, len(ids)))
    if per == "household":
        rows = Household.objects.filter(pk__in=picked).select_related("house", "head")
        found = {
            h.pk: (str(h.house) if h.house_id else h.number, h.head.name if h.head_id else "") for h in rows
        }
    else:
        rows = Resident.objects.filter(pk__in=picked).select_related("house")
        found = {r.pk: (str(r.house) if r.house_id else "", r.name) for r in rows}
    out = []
    for pk in picked:
        place, name = found[pk]
        who = f"{name[:1]}*" if name else ""
        out.append((pk, " ".join(x for x in (place, who) if x)))
    return out


def by_name_and_digits(code: str, name: str, last4: str, *, ambiguous: str = ""):
    """The one active resident under `code` with this name whose registered phone ends in these
    four digits; refused with the reason otherwise (`ambiguous` replaces the message for two such
    residents). Survey respondents and participation's supporters are found this one way."""
    import hmac
    import re

    from django.utils.translation import gettext as _

    from shequ.core.errors import Conflict, ValidationFailed
    from shequ.people.choices import Status
    from shequ.people.models import Resident

    name, last4 = (name or "").strip(), (last4 or "").strip()
    if not name:
        raise ValidationFailed(_("请填写姓名。"), details={"name": [_("请填写姓名。")]})
    if not (len(last4) == 4 and last4.isdigit()):
        msg = _("请填写手机号码后四位（4 位数字）。")
        raise ValidationFailed(msg, details={"last4": [msg]})
    found = []
    rows = Resident.objects.filter(subtree_q("scope_code", code), status=Status.ACTIVE, name=name)
    for r in rows.only("pk", "name", "household_id", "phone")[:50]:
        digits = re.sub(r"\D", "", r.phone or "")
        # Compared in constant time: how long a refusal takes tells nothing about the digits.
        if hmac.compare_digest((digits[-4:] if len(digits) >= 4 else "----").encode(), last4.encode()):
            found.append(r)
    if not found:
        msg = _("未在本社区居民台账中找到该姓名和手机号后四位，请核对；如未登记，请联系社区居委会。")
        raise ValidationFailed(msg, details={"last4": [msg]})
    if len(found) > 1:
        raise Conflict(
            ambiguous or _("本社区有同名且手机号后四位相同的居民，请到社区居委会登记。"), code="ambiguous"
        )
    return found[0]


def identify(code: str, name: str, last4: str) -> tuple[int, int | None]:
    """(resident id, household id) of the one active resident under `code` with this name whose
    registered phone ends in these four digits; refused with the reason otherwise."""
    from django.utils.translation import gettext as _

    r = by_name_and_digits(
        code,
        name,
        last4,
        ambiguous=_("本社区有同名且手机号后四位相同的居民，请到社区居委会登记或使用填写码。"),
    )
    return r.pk, r.household_id


def resident_of_user(user, code: str) -> int | None:
    """The active resident, under `code`, whose registered phone is the account's."""
    from shequ.core import crypto
    from shequ.people.choices import Status
    from shequ.people.models import Resident

    phone = "".join(str(getattr(user, "phone", "") or "").split())
    if not phone:
        return None
    return (
        Resident.objects.filter(subtree_q("scope_code", code), status=Status.ACTIVE)
        .filter(**crypto.lookup(Resident, "phone", phone))
        .values_list("pk", flat=True)
        .first()
    )
