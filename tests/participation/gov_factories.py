"""Charters, representatives, groups, property contracts and elections in the two-community world,
made through the real services."""

import datetime as dt
import itertools

from django.utils import timezone

from shequ.participation import services
from tests.participation.factories import held_meeting, staff
from tests.people.factories import make_household, make_resident

_seq = itertools.count(1)
TODAY = timezone.localdate


def lead(world, side):
    """Who may manage elections on that side (the street covers b, which has no lead of its own)."""
    return world.users["community_lead"] if side == "a" else world.users["street"]


def make_charter(world, side="a", *, title=None, kind="covenant"):
    return services.create_charter(staff(world, side), world.community(side).code, kind=kind,
                                   title=title or f"居民公约{next(_seq)}")  # fmt: skip


def published_version(world, side="a", *, start=None, until=None, charter=None):
    """A charter with a version discussed at a held meeting (3 of 4 present), adopted and published."""
    c = charter or make_charter(world, side)
    actor = staff(world, side)
    v = services.draft_version(actor, c.pk, text="一、爱护公共环境。\n二、邻里互助。", in_force_from=start or TODAY(),
                               in_force_until=until)  # fmt: skip
    m, _i = held_meeting(world, side)
    services.discuss_version(actor, v.pk, meeting=m.pk)
    services.vote_version(actor, v.pk, votes_for=3, votes_against=0, votes_abstain=0)
    return services.publish_version(actor, v.pk)


def discussed_version(world, side="a"):
    c = make_charter(world, side)
    actor = staff(world, side)
    v = services.draft_version(
        actor, c.pk, text="第一条 居民代表大会每年至少召开两次。", in_force_from=TODAY()
    )
    m, _i = held_meeting(world, side)
    return services.discuss_version(actor, v.pk, meeting=m.pk)


def adopted_version(world, side="a"):
    v = discussed_version(world, side)
    return services.vote_version(staff(world, side), v.pk, votes_for=3, votes_against=0, votes_abstain=0)


def draft(world, side="a"):
    c = make_charter(world, side)
    return services.draft_version(staff(world, side), c.pk, text="草案", in_force_from=TODAY())


def building_lead(world, side="a"):
    r = make_resident(world, side)
    return services.add_representative(
        staff(world, side), world.community(side).code, kind="building_lead", resident=r.pk, chosen_by="推选",
        term_start=TODAY() - dt.timedelta(days=30), buildings=[r.house.unit.building_id],
    )  # fmt: skip


def representative(world, side="a", households=2):
    hh = [make_household(world, side) for _ in range(households)]
    r = make_resident(world, side)
    return services.add_representative(
        staff(world, side), world.community(side).code, kind="representative", resident=r.pk, chosen_by="open",
        term_start=TODAY() - dt.timedelta(days=30), households=[h.pk for h in hh],
    )  # fmt: skip


def group(world, side="a"):
    r = make_resident(world, side)
    return services.create_group(
        staff(world, side), world.community(side).code, kind="courtyard_group", name=f"楼院小组{next(_seq)}",
        term_start=TODAY() - dt.timedelta(days=10), buildings=[r.house.unit.building_id],
        vote={"on": TODAY() - dt.timedelta(days=12), "present": 20, "for": 15, "against": 3, "abstain": 2},
    )  # fmt: skip


def company(world, side="a"):
    return services.add_property_company(
        staff(world, side), world.community(side).code, name=f"物业公司{next(_seq)}"
    )


def contract(world, side="a"):
    r = make_resident(world, side)
    co = company(world, side)
    return services.add_property_contract(
        staff(world, side), world.community(side).code, company=co.pk, compound=r.house.unit.building.compound,
        start=TODAY() - dt.timedelta(days=100), end=TODAY() + dt.timedelta(days=265),
    )  # fmt: skip


def adults(world, side="a", n=3):
    return [make_resident(world, side, birth_date=dt.date(1970, 1, 1)) for _ in range(n)]


def election(world, side="a", *, voters=5, held_on=None, term=None):
    adults(world, side, voters)
    return services.create_election(
        lead(world, side), world.community(side).code, term=term or next(_seq) % 80 + 10, method="直选",
        voter_rule="either", held_on=held_on or TODAY() - dt.timedelta(days=1),
    )  # fmt: skip


def election_with_candidates(world, side="a", n=3):
    e = election(world, side)
    for r in adults(world, side, n):
        services.add_candidate(lead(world, side), e.pk, resident=r.pk)
    e.refresh_from_db()
    return e


def counted_election(world, side="a"):
    e = election_with_candidates(world, side)
    cands = list(e.candidates.all())
    services.count_ballots(lead(world, side), e.pk, ballots_cast=5, votes={c.pk: 4 for c in cands})
    e.refresh_from_db()
    return e
