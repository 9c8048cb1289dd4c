"""Objects of the specialised ledgers in community a or b of the test world, made by the street
manager charged with all three duties."""

import datetime as dt

from django.utils import timezone

from shequ.core.models import Membership
from shequ.ledgers import services
from shequ.ledgers.models import CORRECTION, MEDIATION, RELIEF
from tests.people.factories import make_household, make_resident

ALL = [RELIEF, MEDIATION, CORRECTION]
# Distinct amounts per side: the scope harness looks for a's and not b's on pages and workbooks.
AMOUNT = {"a": "823.45", "b": "611.17"}


def grant(user, *duties):
    """Give the user's memberships these duties (all three by default)."""
    Membership.objects.filter(user=user).update(duties=list(duties or ALL))
    user.__dict__.pop("_shequ_memberships", None)
    return user


def charge(world, roles=("street", "community_lead", "community_worker", "community_worker_b")):
    """The world's staff of these roles charged with every ledger duty; returns the street manager."""
    for role in roles:
        grant(world.users[role])
    return world.users["street"]


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def make_relief_case(world, side, **kw):
    actor = charge(world)
    hh = make_household(world, side)
    kw.setdefault("category", "dibao")
    kw.setdefault("monthly_amount", AMOUNT[side])
    kw.setdefault("start_date", (this_month() - dt.timedelta(days=200)).replace(day=1))
    return services.open_case(actor, resident_id=hh.head_id, **kw)


def make_payment(world, side):
    case = make_relief_case(world, side)
    return services.record_payment(charge(world), case.pk, month_value=this_month())


def make_mediation(world, side, **kw):
    actor = charge(world)
    a = make_resident(world, side)
    b = make_resident(world, side)
    kw.setdefault("matter_type", "邻里纠纷")
    kw.setdefault("received_on", timezone.localdate() - dt.timedelta(days=10))
    kw.setdefault("summary", "楼上漏水影响楼下住户")
    kw.setdefault("mediator_name", "调解员甲" if side == "a" else "调解员乙")
    return services.record_mediation(
        actor,
        community=world.community(side).code,
        parties=[{"side": "applicant", "resident_id": a.pk}, {"side": "respondent", "resident_id": b.pk}],
        **kw,
    )


def make_concluded(world, side):
    return make_mediation(world, side, mediated_on=timezone.localdate() - dt.timedelta(days=5),
                          agreement_reached=True, agreement_text="楼上住户负责维修防水层并赔偿 500 元")  # fmt: skip


def make_subject(world, side):
    actor = charge(world)
    r = make_resident(world, side)
    return services.enrol(actor, resident_id=r.pk, start_date=timezone.localdate() - dt.timedelta(days=120))
