import contextlib

from celery import shared_task


@shared_task(name="shequ.core.ping")
def ping() -> str:
    """Round trip through the broker and a worker (used by tests and by operators)."""
    return "pong"


def _in_context(ctx: dict):
    """Carry the request id and IP of the page that queued the job into its change-log rows."""
    from shequ.core import context

    return context.activate(
        context.RequestContext(
            request_id=ctx.get("request_id") or "task", ip=ctx.get("ip"), channel=ctx.get("channel") or "task"
        )
    )


def _load(batch_id: int, user_id: int):
    from shequ.core.models import ImportBatch, User

    return ImportBatch.objects.get(pk=batch_id), User.objects.get(pk=user_id)


@shared_task(name="shequ.core.recover_imports")
def recover_imports() -> int:
    """Batches left "导入中" by a dead process, given back as ready to confirm (core.importing)."""
    from shequ.core import importing

    return importing.recover_interrupted()


@shared_task(name="shequ.core.validate_import")
def validate_import(batch_id: int, user_id: int, ctx: dict | None = None) -> None:
    """Preview an uploaded workbook (counts, row errors); writes only the batch's figures."""
    from shequ.core import context, importing

    token = _in_context(ctx or {})
    try:
        batch, user = _load(batch_id, user_id)
        importing.validate_batch(batch, user)
    finally:
        context.deactivate(token)


@shared_task(name="shequ.core.commit_import")
def commit_import(batch_id: int, user_id: int, valid_only: bool = True, ctx: dict | None = None) -> None:
    """Write the accepted rows of a previewed workbook in one transaction."""
    from shequ.core import context, importing
    from shequ.core.errors import DomainError

    token = _in_context(ctx or {})
    try:
        batch, user = _load(batch_id, user_id)
        with contextlib.suppress(DomainError):  # the reason is on the batch, where the page shows it
            importing.commit_batch(batch, user, valid_only=valid_only)
    finally:
        context.deactivate(token)
