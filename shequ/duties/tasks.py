"""Background work of the duties module (scheduled by Celery beat; see settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(name="shequ.duties.tasks.sweep")
def sweep() -> dict:
    """Remind review members before the deadline, flag overdue reviews, expire ended admissions."""
    from shequ.duties.services import sweep as run

    return run()
