"""Service records (社区服务人次) in the kernel's catalogue, by service category."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.core import indicators
from tests.services.factories import make_record, make_service

pytestmark = pytest.mark.django_db


def test_service_records_per_scope_and_category(world):
    today = timezone.localdate()
    make_record(world, "a", days_ago=0)
    make_record(
        world, "a", service=make_service(world, "a", category="就业"), days_ago=0, employment_kind="培训"
    )
    make_record(world, "b", days_ago=0)
    make_record(world, "b", days_ago=40)  # before the period
    codes = [world.a.code, world.b.code, world.street.code]
    start, end = today - dt.timedelta(days=10), today
    many = indicators.evaluate_many(world.users["street"], "services.records", codes, start, end)
    for c in codes:
        assert indicators.evaluate(world.users["street"], "services.records", c, start, end) == many[c]
    assert [many[c]["value"] for c in codes] == [2, 1, 3]
    assert many[world.street.code]["detail"]["by"]["category"]["养老"] == 2
