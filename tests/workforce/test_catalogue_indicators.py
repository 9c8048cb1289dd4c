"""The staffing gap and pay against the local average wage, in the kernel's catalogue: the same
figures as the staffing and pay reports."""

import datetime as dt
from decimal import Decimal

import pytest

from shequ.core import indicators
from shequ.workforce import reports, services
from tests.workforce.factories import make_worker
from tests.workforce.pay_factories import EXAMPLE, paid_worker, pay_world

pytestmark = pytest.mark.django_db
NOTHING_ELSE = {k: "0" for k in EXAMPLE}


def _many(world, key, year):
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    codes = [world.a.code, world.b.code, world.street.code]
    many = indicators.evaluate_many(world.users["street"], key, codes, start, end)
    for c in codes:
        assert indicators.evaluate(world.users["street"], key, c, start, end) == many[c], c
    return many


def test_staffing_gap_agrees_with_the_staffing_report(world):
    year = dt.date.today().year
    for _ in range(2):
        make_worker(world, "a")
    make_worker(world, "b")
    services.set_population(world.users["street"], world.a.code, year=year, residents=3000)
    services.set_population(world.users["street"], world.b.code, year=year, residents=500)
    gap = _many(world, "workforce.staffing_gap", year)
    report = reports.staffing(world.users["street"], world.street.code, year)
    rows = {r["code"]: r for r in report["communities"]}
    for c in (world.a.code, world.b.code):
        assert gap[c]["value"] == rows[c]["gap"] and gap[c]["numerator"] == rows[c]["actual"]
    assert gap[world.a.code]["value"] == 6 - 2  # 3000 × 18 / 10000 = 5.4 → 6
    assert gap[world.street.code]["value"] == report["gap"] == 7 - 3


def test_pay_ratio(world):
    pay_world(world, 2025)  # 27,968 a year
    paid_worker(world, "a", name="甲一")  # gross 24,767
    paid_worker(world, "a", name="甲二", amounts=NOTHING_ELSE)  # 18,000
    paid_worker(world, "b", name="乙一", source="选举产生")  # 24,767
    pay = _many(world, "workforce.pay_ratio", 2025)
    assert pay[world.a.code]["numerator"] == Decimal("42767")
    assert pay[world.a.code]["value"] == (Decimal(42767 * 100) / (2 * 27968)).quantize(Decimal("0.1"))
    assert pay[world.street.code]["value"] == (Decimal(67534 * 100) / (3 * 27968)).quantize(Decimal("0.1"))


def test_pay_ratio_counts_a_worker_moved_later_where_they_worked_that_year(world):
    """The pay records are summed grouped on the worker's unit; a worker transferred after the
    year still counts for the community they worked for in it, one by one and all at once."""
    pay_world(world, 2025)
    paid_worker(world, "a", name="甲一")  # gross 24,767
    moved = paid_worker(world, "a", name="甲二", amounts=NOTHING_ELSE)  # 18,000
    paid_worker(world, "b", name="乙一")  # 24,767
    services.transfer_worker(
        world.users["street"], moved.worker_id, to_org=world.b.code, on=dt.date(2026, 2, 1)
    )
    pay = _many(world, "workforce.pay_ratio", 2025)
    assert pay[world.a.code]["numerator"] == Decimal("42767") and pay[world.a.code]["detail"]["workers"] == 2
    assert pay[world.b.code]["numerator"] == Decimal("24767") and pay[world.b.code]["detail"]["workers"] == 1
    assert pay[world.street.code]["denominator"] == 3 * 27968
