from celery import shared_task


@shared_task(name="shequ.core.ping")
def ping() -> str:
    """Round trip through the broker and a worker (used by tests and by operators)."""
    return "pong"
