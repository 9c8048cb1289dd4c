"""Background work of the workforce module (scheduled by Celery beat; see settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(name="shequ.workforce.tasks.sweep_contracts")
def sweep_contracts() -> dict:
    """Remind the community lead and the street of labour contracts ending within 60 days."""
    from shequ.workforce.services.pay import sweep_contracts as run

    return run()
