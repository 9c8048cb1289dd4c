"""建档率 and items filed in the kernel's catalogue."""

import datetime as dt
from decimal import Decimal

import pytest

from shequ.core import indicators
from tests.archives.factories import YEAR, fonds, make_item, make_round

pytestmark = pytest.mark.django_db


def _many(world, key):
    codes = [world.a.code, world.b.code, world.street.code]
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    user = world.users["street"]
    many = indicators.evaluate_many(user, key, codes, start, end)
    for c in codes:
        assert indicators.evaluate(user, key, c, start, end) == many[c], c
    return many


def test_filing_rate_and_items_filed(world):
    make_round(world, "a")
    fonds(world, "b")  # a fonds, but no filing round for the year
    make_item(world, "a")
    make_item(world, "a", entry="WS-12")
    make_item(world, "b")
    rate = _many(world, "archives.filing_rate")
    assert rate[world.a.code]["value"] == Decimal("100.0") and rate[world.b.code]["value"] == Decimal("0.0")
    assert (rate[world.street.code]["numerator"], rate[world.street.code]["denominator"]) == (1, 2)
    items = _many(world, "archives.items_filed")
    assert [items[c]["value"] for c in (world.a.code, world.b.code, world.street.code)] == [2, 1, 3]
    assert items[world.a.code]["detail"]["by"]["class"] == {"WS": 2}
