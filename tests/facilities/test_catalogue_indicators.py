"""Premises compliance and room utilisation in the kernel's catalogue: the facilities reports'
figures rolled up per community and street."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core import indicators
from shequ.facilities import services
from tests.facilities.factories import OFFICE_HOURS, make_facility, make_room

pytestmark = pytest.mark.django_db


def _many(world, key, start, end):
    codes = [world.a.code, world.b.code, world.street.code]
    many = indicators.evaluate_many(world.users["street"], key, codes, start, end)
    for c in codes:
        assert indicators.evaluate(world.users["street"], key, c, start, end) == many[c], c
    return many


def test_compliance_share_of_communities(world):
    make_facility(world, kind="办公用房", area="120")
    make_facility(world, "b", kind="活动室", area="60")
    today = timezone.localdate()
    f = _many(world, "facilities.compliance", today, today)
    report = services.compliance(world.users["street"], world.street.code)
    met = sum(r["met_all"] for r in report["rows"])
    assert (f[world.street.code]["numerator"], f[world.street.code]["denominator"]) == (met, 2)
    assert f[world.b.code]["value"] == Decimal("0.0")


def test_utilisation_booked_over_open_hours(world):
    room = make_room(world, opening_hours=OFFICE_HOURS)
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    at = timezone.make_aware(dt.datetime.combine(monday, dt.time(9, 0)))
    services.book(world.users["resident"], room.pk, start=at, end=at + dt.timedelta(hours=3), purpose="排练")
    f = _many(world, "facilities.utilisation", monday, monday + dt.timedelta(days=6))
    assert (f[world.a.code]["numerator"], f[world.a.code]["denominator"]) == (Decimal("3"), Decimal("35.0"))
    assert f[world.a.code]["value"] == Decimal("8.6") == f[world.street.code]["value"]
    assert f[world.b.code]["value"] is None  # no bookable room
