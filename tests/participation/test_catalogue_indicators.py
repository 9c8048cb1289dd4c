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
