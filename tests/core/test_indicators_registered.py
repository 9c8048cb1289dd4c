"""Every module's indicators in the catalogue: each is documented, computes for a community, a
street and a district, and answers many scopes at once with the figures it gives one by one."""

import datetime as dt

import pytest

from shequ.core import indicators, registry

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year
EXPECTED = {
    "people.residents", "people.elderly_share", "people.visits_on_time",
    "cases.filed", "cases.close_rate", "cases.on_time_rate", "cases.satisfaction_rate",
    "duties.tasks_admitted", "duties.burden_ledgers", "duties.burden_forms", "duties.burden_inspections",
    "workforce.staffing_gap", "workforce.pay_ratio",
    "participation.participation_rate", "participation.meetings_held", "participation.resolutions_adopted",
    "facilities.compliance", "facilities.utilisation", "services.records",
    "teams.activities_held", "teams.volunteer_hours", "finance.arrival_rate",
    "archives.filing_rate", "archives.items_filed", "core.satisfaction",
}  # fmt: skip


def test_the_catalogue_holds_every_modules_indicators_each_documented():
    found = registry.indicators()
    assert set(found) >= EXPECTED
    for key, ind in found.items():
        assert str(ind.label) and str(ind.formula) and ind.unit, key
        assert ind.compute_many is not None or key == "participation.participation_rate", key
        assert set(ind.scopes) <= set(registry.SCOPE_LEVELS) and set(ind.periods) <= set(
            registry.PERIOD_KINDS
        )
        assert key.split(".")[0] == ind.module


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_many_scopes_at_once_equal_each_scope_alone(world, key):
    user = world.users["sysadmin"]
    ind = indicators.get(key)
    codes = [c for c in (world.a.code, world.b.code, world.street.code, world.district.code)
             if indicators.level_of(c) in ind.scopes]  # fmt: skip
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    many = indicators.evaluate_many(user, key, codes, start, end)
    for code in codes:
        assert many[code] == indicators.evaluate(user, key, code, start, end), code
