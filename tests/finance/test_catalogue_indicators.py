"""Funds arrived against the budget (经费到位率) in the kernel's catalogue."""

import datetime as dt
from decimal import Decimal

import pytest

from shequ.core import indicators
from shequ.finance.models import BudgetLine
from tests.finance.factories import YEAR, make_allocation, make_budget

pytestmark = pytest.mark.django_db


def test_arrival_rate_per_scope(world):
    make_budget(world, "a")
    due = sum(BudgetLine.objects.filter(year=YEAR).values_list("amount", flat=True))
    make_allocation(world, "a", amount="10000")
    codes = [world.a.code, world.b.code, world.street.code]
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    many = indicators.evaluate_many(world.users["street"], "finance.arrival_rate", codes, start, end)
    for c in codes:
        assert indicators.evaluate(world.users["street"], "finance.arrival_rate", c, start, end) == many[c]
    a = many[world.a.code]
    assert (a["numerator"], a["denominator"]) == (Decimal("10000"), due)
    assert a["value"] == (Decimal(10000 * 100) / due).quantize(Decimal("0.1"))
    assert many[world.b.code]["value"] is None  # nothing due
    assert many[world.street.code]["value"] == a["value"]
