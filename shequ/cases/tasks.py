"""Background work of the cases module (scheduled by Celery beat; see settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(name="shequ.cases.tasks.sweep_deadlines")
def sweep_deadlines() -> dict:
    """Warn at 80 % of the limit, flag and escalate overdue cases; fold the indicators' rollup."""
    from shequ.cases import rollups
    from shequ.cases.services import sweep_deadlines as sweep

    return sweep() | {"rollup_folded": rollups.compact()}
