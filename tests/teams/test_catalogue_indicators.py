"""Activities held and volunteer hours in the kernel's catalogue."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core import indicators
from tests.teams.factories import make_activity, started
from tests.teams.scope_cases import hours

pytestmark = pytest.mark.django_db


def _many(world, key):
    today = timezone.localdate()
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    codes = [world.a.code, world.b.code, world.street.code]
    many = indicators.evaluate_many(world.users["street"], key, codes, start, end)
    for c in codes:
        assert indicators.evaluate(world.users["street"], key, c, start, end) == many[c], c
    return many


def test_activities_held_and_hours_confirmed(world):
    hours(world, "a")  # a started activity with 1.5 h confirmed
    started(make_activity(world, "b", kind="volunteer"))
    make_activity(world, "b")  # not begun yet: not held
    held = _many(world, "teams.activities_held")
    assert [held[c]["value"] for c in (world.a.code, world.b.code, world.street.code)] == [1, 1, 2]
    assert held[world.b.code]["detail"]["by"]["kind"] == {"志愿服务": 1}
    h = _many(world, "teams.volunteer_hours")
    assert h[world.a.code]["value"] == Decimal("1.5") == h[world.street.code]["value"]
    assert h[world.b.code]["value"] == 0
