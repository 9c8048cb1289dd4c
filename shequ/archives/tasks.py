from celery import shared_task


@shared_task(name="shequ.archives.tasks.verify_files")
def verify_files() -> dict:
    """Re-run the four checks on stored files not checked in the last day; failures go to the archive staff."""
    from shequ.archives.services import verify_files as verify

    return verify(older_than_hours=24)


@shared_task(name="shequ.archives.tasks.remind_loans")
def remind_loans() -> dict:
    """Tell the approver and the archive staff of loans falling due soon or overdue (once per loan and state)."""
    from shequ.archives.services import remind_loans as remind

    return remind()
