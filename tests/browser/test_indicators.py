"""The indicator catalogue in a real browser: a street manager reads the catalogue, computes 在册居民
人数 for a community, takes a snapshot, and after the data moves takes it again: the old snapshot is
kept and shown as corrected. Screenshots land in test-artifacts/screenshots/indicators-*.png."""

import datetime as dt

from shequ.core.models import IndicatorSnapshot
from tests.people.factories import make_resident

from .conftest import shoot, sign_in


def test_catalogue_value_and_corrected_snapshot(world, new_tab):
    for _ in range(3):
        make_resident(world, "a", birth_date=dt.date(1950, 1, 1))
    secrets = {}
    t = new_tab()
    sign_in(t, world.users["street"], secrets)
    t.goto("/indicators/")
    t.page.locator("tr[data-key='people.residents']").wait_for()
    assert t.page.locator("#module-cases").count() == 1
    shoot(t, "indicators-catalogue")
    year = dt.date.today().year
    t.goto(f"/indicators/people.residents/?scope={world.a.code}&period={year}")
    assert t.page.locator("#indicator-value").inner_text().startswith("3")
    with t.page.expect_navigation():
        t.page.locator("#take-snapshot").click()
    t.settle()
    make_resident(world, "a")
    with t.page.expect_navigation():
        t.page.locator("#take-snapshot").click()
    t.settle()
    assert t.page.locator("#snapshot-history").get_by_text("已被更正").count() == 1
    assert IndicatorSnapshot.objects.filter(key="people.residents", code=world.a.code).count() == 2
    shoot(t, "indicators-detail")
    t.assert_clean("indicators")
