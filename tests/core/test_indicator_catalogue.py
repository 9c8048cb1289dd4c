"""The indicator catalogue (core.indicators): periods, scope levels, live figures of many scopes and
dated snapshots whose corrections are kept beside the figure they correct."""

import datetime as dt
from decimal import Decimal

import pytest

from shequ.core import indicators, registry
from shequ.core.errors import Forbidden, NotFound, ValidationFailed
from shequ.core.models import IndicatorSnapshot
from shequ.participation import services
from shequ.participation.indicators import KEY
from tests.participation.factories import last4, residents

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year


@pytest.mark.parametrize(
    "label, expected",
    [
        ("2026", ("year", dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
        ("2026-Q1", ("quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31))),
        ("2024-02", ("month", dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
    ],
)
def test_periods_are_named_by_year_quarter_or_month(label, expected):
    assert indicators.parse_period(label) == expected
    assert indicators.period_label(expected[0], expected[1]) == label


@pytest.mark.parametrize("label", ["", "26", "2026-13", "2026-Q5", "2026/07"])
def test_a_malformed_period_is_refused_with_the_forms_it_may_take(label):
    with pytest.raises(ValidationFailed, match="2026-Q3"):
        indicators.parse_period(label)


def test_an_unknown_key_and_a_scope_level_the_indicator_is_not_for_are_refused(world):
    user = world.users["district"]
    with pytest.raises(NotFound, match="指标目录"):
        indicators.evaluate(user, "nowhere.nothing", world.a.code, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    with pytest.raises(ValidationFailed, match="不适用于范围"):
        indicators.evaluate(user, KEY, world.a.code[:4], dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    with pytest.raises(ValueError):
        registry.register_indicator("nodot", label="x", unit="", formula="", perm="x", compute=None)


def test_scope_is_enforced_for_many_scopes_at_once(world):
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    lead = world.users["community_lead"]
    with pytest.raises(NotFound):
        indicators.evaluate_many(lead, KEY, [world.a.code, world.b.code], start, end)
    with pytest.raises(Forbidden):
        indicators.evaluate_many(world.users["resident"], KEY, [world.a.code], start, end)
    many = indicators.evaluate_many(world.users["street"], KEY, [world.a.code, world.b.code, world.street.code],
                                    start, end)  # fmt: skip
    assert list(many) == [world.a.code, world.b.code, world.street.code]
    one = indicators.evaluate(world.users["street"], KEY, world.a.code, start, end)
    assert many[world.a.code] == one


def test_a_snapshot_keeps_its_figure_and_a_retake_records_the_correction(world):
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    street = world.users["street"]
    people = residents(world, "a", 2)
    services.propose_issue(None, world.a.code, title="加装充电桩", text="充电难。", category="公共设施",
                           name=people[0].name, last4=last4(people[0]))  # fmt: skip
    first = indicators.take_snapshots(street, KEY, [world.a.code, world.b.code], start, end)
    assert {s for _, s in first.values()} == {"new"}
    snap_a = first[world.a.code][0]
    assert snap_a.numerator == Decimal(1)

    again = indicators.take_snapshots(street, KEY, [world.a.code], start, end)
    assert again[world.a.code] == (snap_a, "unchanged")

    # The data moves (one more resident proposes): the stored figure does not, until retaken.
    services.propose_issue(None, world.a.code, title="修路灯", text="路灯坏了。", category="公共设施",
                           name=people[1].name, last4=last4(people[1]))  # fmt: skip
    stored = indicators.figures(street, KEY, [world.a.code], start, end, from_snapshots=True)[world.a.code]
    live = indicators.figures(street, KEY, [world.a.code], start, end)[world.a.code]
    assert stored["numerator"] == 1 and live["numerator"] == 2 and stored["corrected"] is False

    snap, status = indicators.take_snapshots(street, KEY, [world.a.code], start, end)[world.a.code]
    assert status == "corrected" and snap.replaces == snap_a and snap.numerator == 2
    snap_a.refresh_from_db()
    assert snap_a.current is False
    assert IndicatorSnapshot.objects.filter(key=KEY, code=world.a.code).count() == 2
    assert indicators.figures(street, KEY, [world.a.code], start, end, from_snapshots=True)[world.a.code][
        "corrected"
    ]

    # Another community's lead reads no snapshot of a community outside their scope.
    assert indicators.snapshots(world.users["community_lead"], KEY, [world.b.code], start, end) == {}
