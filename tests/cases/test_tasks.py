"""The periodic deadline sweep is scheduled for Celery beat and runs as a task."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.cases.models import Case
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db


def test_beat_schedules_a_registered_task():
    from shequ.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["case-deadlines"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] > 0


def test_sweep_task_escalates_overdue_cases(world):
    from shequ.cases.tasks import sweep_deadlines

    case = make_case(world, "a", "processing")
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        warn_at=now - dt.timedelta(hours=3), deadline=now - dt.timedelta(hours=1)
    )
    result = sweep_deadlines.delay().get()
    folded = result.pop("rollup_folded")  # the acts' deltas in the indicators' rollup
    assert result == {"warned": 0, "escalated": 1, "review_due": 0} and folded > 0
    case.refresh_from_db()
    assert case.escalated_at is not None and case.clock_state() == "overdue"


def test_without_a_broker_the_sweep_runs_on_read_once_per_period(world, settings):
    from django.core.cache import cache

    from shequ.cases.services import maybe_sweep

    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache.delete("shequ:cases:sweep")
    case = make_case(world, "a", "processing")
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        warn_at=now - dt.timedelta(hours=3), deadline=now - dt.timedelta(hours=1)
    )
    maybe_sweep()
    assert Case.objects.get(pk=case.pk).escalated_at is not None
    other = make_case(world, "a", "processing")
    Case.objects.filter(pk=other.pk).update(
        warn_at=now - dt.timedelta(hours=3), deadline=now - dt.timedelta(hours=1)
    )
    maybe_sweep()  # within the period: not again
    assert Case.objects.get(pk=other.pk).escalated_at is None
