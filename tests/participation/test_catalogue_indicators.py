"""Meetings held and resolutions adopted, in the kernel's catalogue."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.core import indicators
from shequ.participation import services
from tests.participation.factories import adopted_resolution, held_meeting, make_meeting, staff

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START, END = dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 12, 31)


def _many(world, key):
    codes = [world.a.code, world.b.code, world.street.code]
    many = indicators.evaluate_many(world.users["street"], key, codes, START, END)
    for c in codes:
        assert indicators.evaluate(world.users["street"], key, c, START, END) == many[c], c
    return many


def test_meetings_held_and_resolutions_adopted(world):
    m, _issue = held_meeting(world, "a")
    services.record_minutes(staff(world, "a"), m.pk, minutes="议定清理楼道。")
    make_meeting(world, "b")  # planned, no minutes: not held
    adopted_resolution(world, "b")
    held = _many(world, "participation.meetings_held")
    assert [held[c]["value"] for c in (world.a.code, world.b.code, world.street.code)] == [1, 0, 1]
    assert held[world.a.code]["detail"]["by"]["kind"] == {"民情恳谈会": 1}
    res = _many(world, "participation.resolutions_adopted")
    assert (res[world.b.code]["numerator"], res[world.b.code]["denominator"]) == (1, 1)
    assert res[world.a.code]["value"] == 0 and res[world.street.code]["value"] == 1


def test_participation_rate_many_equals_one_by_one(world):
    """居民参与率 of several scopes at once (grouped queries) is what it is for each scope alone:
    proposals, supports, meeting sign-ins and rating responses on both sides."""
    from tests.participation.factories import last4, residents
    from tests.participation.rating_factories import make_round, rate
    from tests.people.factories import make_household

    people = residents(world, "a", 3)
    issue = services.propose_issue(None, world.a.code, title="加装充电桩", text="充电难。", category="公共设施",
                                   name=people[0].name, last4=last4(people[0]))  # fmt: skip
    services.support_issue(None, issue.pk, name=people[1].name, last4=last4(people[1]))
    services.support_issue(None, issue.pk, name=people[2].name, last4=last4(people[2]))
    held_meeting(world, "b", present=2)
    residents(world, "b", 4)
    rnd = make_round(world)
    hh = make_household(world, "a")
    rate(rnd, {("committee", 0): 4, ("committee", 1): 5}, name=hh.head.name, last4=hh.head.phone[-4:])
    many = _many(world, "participation.participation_rate")
    a, b, street = (many[c] for c in (world.a.code, world.b.code, world.street.code))
    assert (a["detail"]["named"], a["detail"]["rated"]) == (3, 1)
    assert b["denominator"] is not None  # the sign-in lists are not the street's to read: named 0
    assert street["numerator"] == a["numerator"] + b["numerator"] == 4
    assert street["denominator"] == a["denominator"] + b["denominator"]
