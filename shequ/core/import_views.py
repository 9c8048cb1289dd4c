"""Pages of the import engine, shared by every module's workbook: progress, preview, the error
report, commit ("import the valid rows" or "import nothing"), undo, and the template download."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core import importing, scope
from shequ.core.errors import DomainError
from shequ.core.excel import xlsx_response
from shequ.core.generic import error_page
from shequ.core.models import ImportBatch, ImportStatus

PREVIEW_ERRORS = 30


def _batch(request, pk) -> ImportBatch:
    batch = (
        ImportBatch.objects.visible_to(request.user)
        .select_related("created_by", "committed_by")
        .filter(pk=pk)
        .first()
    )
    if batch is None:
        raise Http404(_("未找到该导入批次，或它不在您的管辖范围内。"))
    return batch


def _context(request, batch) -> dict:
    errors = [e for e in batch.errors if e.get("messages")]
    return {
        "batch": batch,
        "importer": importing.importer_for(batch.kind),
        "errors": errors[:PREVIEW_ERRORS],
        "more_errors": max(0, len(errors) - PREVIEW_ERRORS),
        "warnings": [e for e in batch.errors if e.get("warnings") and not e.get("messages")][:10],
        "counts": batch.counts,
        "bad": batch.counts.get("rejected", 0) + batch.counts.get("conflict", 0),
        "good": batch.counts.get("new", 0) + batch.counts.get("updated", 0),
        "can_undo": batch.status == ImportStatus.COMMITTED
        and scope.covers(request.user, batch.scope_code, "core.undo_import"),
        "can_commit": batch.status == ImportStatus.READY
        and scope.covers(request.user, batch.scope_code, importing.importer_for(batch.kind).perm),
        "notes": batch.options.get("notes", []),
    }


@login_required
def import_detail(request, pk):
    batch = _batch(request, pk)
    ctx = _context(request, batch)
    if request.htmx and request.htmx.target == "import-status":
        return render(request, "core/_import_status.html", ctx)
    return render(request, "core/import_detail.html", ctx)


@login_required
def import_errors(request, pk):
    """The original rows that were refused, with a column saying why (xlsx). They are the
    uploader's own rows, in full (they need them to correct the file); the download is logged."""
    batch = _batch(request, pk)
    if not batch.errors:
        raise Http404(_("该批次没有错误行。"))
    content = importing.error_report(batch, request.user)
    return xlsx_response(_("错误报告-%(b)s") % {"b": batch.batch_label}, content)


@login_required
def import_template(request, kind):
    cls = importing.importer_for(kind) if kind in importing._importers else None
    if cls is None:
        raise Http404()
    if not scope.holds(request.user, cls.perm):
        return error_page(request, 403, _("您没有导入权限。"))
    return xlsx_response(_("%(t)s导入模板") % {"t": cls.title}, importing.template_bytes(cls))


@login_required
@require_POST
def import_commit(request, pk):
    """Commit once: the status moves to 'committing' under a row lock, so a double click or a
    second tab finds it already taken."""
    batch = _batch(request, pk)
    cls = importing.importer_for(batch.kind)
    if not scope.covers(request.user, batch.scope_code, cls.perm):
        return error_page(request, 403, _("您没有导入权限。"))
    try:
        importing.queue_commit(
            batch,
            request.user,
            valid_only=request.POST.get("mode") != "all_or_nothing",
            create_missing=request.POST.get("create_missing") == "1",
        )
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, batch.get_absolute_url())
    return redirect(batch.get_absolute_url())


@login_required
@require_POST
def import_discard(request, pk):
    """'Import nothing': the batch is closed without writing a row."""
    batch = _batch(request, pk)
    updated = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportStatus.READY, ImportStatus.FAILED]
    ).update(status=ImportStatus.DISCARDED)
    if not updated and batch.status != ImportStatus.DISCARDED:
        return error_page(request, 409, _("该批次已导入或正在处理，不能放弃。"), batch.get_absolute_url())
    return redirect(batch.get_absolute_url())


@login_required
@require_POST
def import_undo(request, pk):
    batch = _batch(request, pk)
    try:
        importing.undo_batch(batch, request.user)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, batch.get_absolute_url())
    return redirect(batch.get_absolute_url())


@login_required
def import_list(request):
    """The user's batches: for those who may import some kind of workbook (or have uploaded one);
    anyone else is refused rather than shown an empty list."""
    user = request.user
    may_import = any(scope.holds(user, cls.perm) for cls in importing.registered_importers().values())
    if not may_import and not ImportBatch.objects.filter(created_by=user).exists():
        return error_page(request, 403)
    batches = ImportBatch.objects.visible_to(user).select_related("created_by")[:100]
    ctx = {"batches": batches, "can_manage_synonyms": scope.holds(user, "core.manage_import_synonyms")}
    return render(request, "core/import_list.html", ctx)
