"""The duties module's indicators in the catalogue: tasks admitted onto communities and the burden
ledger's counts in force."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.core import indicators
from shequ.duties.models import Task
from tests.duties.factories import make_entry, make_task

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START, END = dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 12, 31)


def _many(world, key, user="street"):
    codes = [world.a.code, world.b.code, world.street.code]
    many = indicators.evaluate_many(world.users[user], key, codes, START, END)
    for c in codes:
        assert indicators.evaluate(world.users[user], key, c, START, END) == many[c], c
    return {c: many[c]["value"] for c in codes}, many


def test_admitted_tasks_and_burden_counts(world):
    task = make_task(world, "a")
    Task.objects.filter(pk=task.pk).update(start_date=TODAY)  # admitted for a period starting today
    make_entry(world, "a")
    make_entry(world, "b")
    tasks, raw = _many(world, "duties.tasks_admitted")
    assert tasks == {world.a.code: 1, world.b.code: 0, world.street.code: 1}
    assert sum(raw[world.a.code]["detail"]["by"]["kind"].values()) == 1
    ledgers, _raw = _many(world, "duties.burden_ledgers")
    # Each registered entry asks 3 ledgers; the admitted task's entry adds its own request's.
    assert ledgers[world.b.code] == 3
    assert ledgers[world.street.code] == ledgers[world.a.code] + 3 >= 6
    signs, _raw = _many(world, "duties.burden_signboards")
    assert signs[world.b.code] == 1
    # A department reads its own burden figures; a resident none.
    from shequ.core.errors import Forbidden

    with pytest.raises(Forbidden):
        indicators.evaluate(world.users["resident"], "duties.burden_ledgers", world.a.code, START, END)
