"""Party members, pledges, the chain and award rounds in the two-community world, through the real
services."""

import datetime as dt
import itertools

from django.utils import timezone

from shequ.teams import services
from shequ.teams.services import awards, party
from tests.people.factories import make_house, make_household, make_resident
from tests.teams.factories import staff

_seq = itertools.count(700)


def mark(side) -> str:
    return f"{'甲乙'[side == 'b']}党{next(_seq)}"


def party_resident(world, side="a"):
    return make_resident(world, side, political_status="01")


def reporting(world, side="a", **kw):
    n = next(_seq)
    kw.setdefault("name", mark(side))
    kw.setdefault("phone", f"1358800{n:04d}")
    kw.setdefault("work_unit", "区人民医院")
    return party.report_in(staff(world, side), world.community(side).code, **kw)


def resident_member(world, side="a"):
    return party.enrol_resident(staff(world, side), party_resident(world, side).pk)


def pledge(world, side="a", member=None):
    m = member or reporting(world, side)
    return party.add_pledge(staff(world, side), m.pk, content=f"{mark(side)}承诺",
                            due_on=timezone.localdate() + dt.timedelta(days=30))  # fmt: skip


def top_org(world, side="a"):
    u = world.community(side)
    return party.create_org(staff(world, side), u.code, level="community", name=f"中共{mark(side)}委员会")


def building(world, side="a"):
    return make_house(world, side).unit.building


def household(world, side="a"):
    return make_household(world, side)


def duty(world, side="a"):
    m = reporting(world, side)
    return party.assign_building(staff(world, side), m.pk, building(world, side).pk)


def volunteer_round(world, side="a", *, status="open"):
    """An open 优秀志愿者 round of this year with one volunteer ready to be nominated (`volunteer_pk`)."""
    today = timezone.localdate()
    r = awards.create_round(staff(world, side), world.community(side).code, kind="优秀志愿者", year=today.year,
                            opens_on=today - dt.timedelta(days=1), closes_on=today + dt.timedelta(days=10), places=2,
                            title=f"{mark(side)}评选")  # fmt: skip
    v = services.register_volunteer(staff(world, side), make_resident(world, side).pk)
    r.volunteer_pk = v.pk
    return r


def nomination(world, side="a", *, reviewing=True):
    r = volunteer_round(world, side)
    n = awards.nominate(staff(world, side), r.pk, nominee=r.volunteer_pk, reason="热心服务")
    if reviewing:
        awards.move_round(staff(world, side), r.pk, "reviewing")
    return n
