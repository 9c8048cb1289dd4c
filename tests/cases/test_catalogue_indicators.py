"""The cases' indicators in the kernel's catalogue (立案数, 结案率, 按期结案率, 满意率): the same cohort
and figures as the indicators page, per community and street, and by 大类."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.cases import indicators as case_figures
from shequ.core import indicators
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START, END = dt.date(TODAY.year, 1, 1), TODAY


def _many(world, key):
    user = world.users["street"]
    codes = [world.a.code, world.b.code, world.street.code]
    many = indicators.evaluate_many(user, key, codes, START, END)
    for c in codes:
        assert indicators.evaluate(user, key, c, START, END) == many[c], c
    return many


def test_filed_closed_on_time_and_satisfied_per_scope(world):
    make_case(world, "a", "called_back")
    make_case(world, "a", "dispatched")
    make_case(world, "b", "closed")
    make_case(world, "a", "received")  # not filed (立案) yet
    filed = _many(world, "cases.filed")
    assert [filed[c]["value"] for c in (world.a.code, world.b.code, world.street.code)] == [2, 1, 3]
    assert filed[world.street.code]["detail"]["by"]["category"]  # by 大类

    close = _many(world, "cases.close_rate")
    page = case_figures.compute(
        world.users["street"], case_figures.Filters(START, END, scope_code=world.a.code)
    )
    a = close[world.a.code]
    assert a["numerator"] == page["closed"] and a["denominator"] == page["due"]
    assert a["value"] == (None if not page["due"] else Decimal(str(round(page["close_rate"] * 100, 1))))
    assert close[world.b.code]["value"] == Decimal("100.0")

    on_time = _many(world, "cases.on_time_rate")
    assert on_time[world.b.code]["numerator"] == 1

    sat = _many(world, "cases.satisfaction_rate")
    assert (sat[world.a.code]["numerator"], sat[world.a.code]["denominator"]) == (1, 1)
    assert sat[world.a.code]["value"] == Decimal("100.0")
    assert sat[world.b.code]["value"] is None  # no callback: the rate is undefined, not 0
