"""Periodic sweeps without a broker: with Celery beat the sweeps run on schedule; without one
(the embedded default) they run on a page read, at most once per SHEQU_CASE_SWEEP_SECONDS."""

from django.conf import settings
from django.core.cache import cache


def run_on_read(name: str, sweep) -> None:
    """Call `sweep()` if no broker runs it and it has not run within the period."""
    if settings.CELERY_TASK_ALWAYS_EAGER and cache.add(f"shequ:{name}:sweep", 1, settings.CASE_SWEEP_SECONDS):
        sweep()
