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
from shequ.core.periodic import run_on_read

PREVIEW_ERRORS = 30


def _batch(request, pk) -> ImportBatch:
    run_on_read("imports", importing.recover_interrupted)
    batch = (
        ImportBatch.objects.visible_to(request.user)
        .select_related("created_by", "committed_by")
        .filter(pk=pk)
        .first()
    )
    if batch is None:
        raise Http404(_("未找到该导入批次，或它不在您的管辖范围内。"))
    return batch


def mapping_fields(cls) -> list[dict]:
    """The fields a source column can be read as, for the mapping step's drop-downs."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return [
            {"key": c.key, "header": str(c.header), "required": c.required, "labels": c.labels()}
            for c in cls.column_map().values()
        ]


def mapping_from_post(post, layout: dict) -> tuple[dict, str]:
    """The mapping step's form as mapping JSON (see core.mapping), and the name to save it as."""
    columns = {c["label"]: post.get(f"col-{c['index']}", "") for c in layout.get("columns", [])}
    mapped = set(columns.values())
    values = {}
    for fkey, items in (layout.get("values") or {}).items():
        if fkey not in mapped:
            continue  # the column now reads as another field: its values are asked next time
        # "" too: the clerk chose not to translate a value a shipped synonym would (its rows are refused)
        values[fkey] = {item["value"]: post.get(f"val-{fkey}-{n}", "") for n, item in enumerate(items)}
    sheets = {s["name"] for s in layout.get("sheets", [])}
    sheet = post.get("sheet", "")
    data = {
        "columns": columns,
        "values": values,
        "sheet": sheet if sheet == "*" or sheet in sheets else layout.get("sheet", ""),
        "hidden_rows": "skip" if post.get("skip_hidden") else "import",
    }
    save_as = post.get("save_as", "").strip()[:60] if post.get("save") else ""
    return data, save_as


def mapping_context(cls, layout: dict, scope_code: str, filename: str, name: str = "") -> dict:
    """What the mapping step's include (core/_import_mapping.html) shows for a layout kept by
    importing.mapping_step: the fields, the values to read, the saved mappings to offer instead."""
    from shequ.core import mapping as mappings

    fields = mapping_fields(cls)
    by_key = {f["key"]: f for f in fields}
    own = {c["field"]: c["label"] for c in layout.get("columns", []) if c["field"]}  # the ledger's names
    return {
        "layout": layout,
        "fields": fields,
        "value_rows": [
            {"field": by_key[k], "items": items, "label": own.get(k) or by_key[k]["header"]}
            for k, items in (layout.get("values") or {}).items()
            if k in by_key
        ],
        "missing_fields": [by_key[k]["header"] for k in layout.get("missing", []) if k in by_key],
        "saved": [m for m in mappings.saved_list(cls, scope_code) if m.name != layout.get("name")],
        "default_name": name or layout.get("name") or filename.rsplit(".", 1)[0][:60],
    }


def layout_with_choices(layout: dict, data: dict) -> dict:
    """The mapping step's layout with the user's choices (a refused mapping stays on the page)."""
    chosen = data.get("columns") or {}
    return {**layout, "columns": [{**c, "field": chosen.get(c["label"], "")} for c in layout["columns"]]}


def _context(request, batch) -> dict:
    errors = [e for e in batch.errors if e.get("messages")]
    cls = importing.importer_for(batch.kind)
    may_import = scope.covers(request.user, batch.scope_code, cls.perm)
    mapping_ctx = {}
    if batch.status == ImportStatus.MAPPING:
        mapping_ctx = mapping_context(
            cls,
            batch.options.get("layout") or {},
            batch.scope_code,
            batch.filename,
            batch.options.get("mapping_name", ""),
        )
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
        "can_commit": batch.status == ImportStatus.READY and may_import,
        "can_map": may_import
        and batch.status in (ImportStatus.MAPPING, ImportStatus.READY, ImportStatus.FAILED),
        "notes": batch.options.get("notes", []),
        **mapping_ctx,
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
def import_mapping(request, pk):
    """The mapping step's answer: which column is which field and what the values mean; saved
    under a name for the community when asked, then the file is checked again with it."""
    batch = _batch(request, pk)
    cls = importing.importer_for(batch.kind)
    if not scope.covers(request.user, batch.scope_code, cls.perm):
        return error_page(request, 403, _("您没有导入权限。"))
    if batch.status != ImportStatus.MAPPING:
        return error_page(request, 409, _("该批次不在“核对列”这一步，请刷新页面。"), batch.get_absolute_url())
    data, save_as = mapping_from_post(request.POST, batch.options.get("layout") or {})
    if request.POST.get("save") and not save_as:
        ctx = _context(request, batch)
        ctx["mapping_error"] = _("请填写映射名称，下次上传同样表头的文件时按此名称套用。")
        return render(request, "core/import_detail.html", ctx, status=400)
    try:
        importing.confirm_mapping(batch, request.user, data, save_as=save_as)
    except DomainError as exc:
        ctx = _context(request, batch)
        ctx["layout"] = layout_with_choices(ctx["layout"], data)
        ctx["mapping_error"] = exc.message
        return render(request, "core/import_detail.html", ctx, status=exc.status)
    return redirect(batch.get_absolute_url())


@login_required
@require_POST
def import_remap(request, pk):
    """Back to the mapping step from the preview, or apply a saved mapping by its name."""
    batch = _batch(request, pk)
    try:
        importing.reopen_mapping(batch, request.user, apply_name=request.POST.get("apply", "")[:60])
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, batch.get_absolute_url())
    return redirect(batch.get_absolute_url())


@login_required
@require_POST
def import_discard(request, pk):
    """'Import nothing': the batch is closed without writing a row."""
    batch = _batch(request, pk)
    updated = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportStatus.MAPPING, ImportStatus.READY, ImportStatus.FAILED]
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
    run_on_read("imports", importing.recover_interrupted)
    user = request.user
    may_import = any(scope.holds(user, cls.perm) for cls in importing.registered_importers().values())
    if not may_import and not ImportBatch.objects.filter(created_by=user).exists():
        return error_page(request, 403)
    batches = ImportBatch.objects.visible_to(user).select_related("created_by")[:100]
    ctx = {"batches": batches, "can_manage_synonyms": scope.holds(user, "core.manage_import_synonyms")}
    return render(request, "core/import_list.html", ctx)
