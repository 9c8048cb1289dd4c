"""Pages of the duty lists: the public lists residents and departments read (in force today, any
published version, one item, the xlsx export), and the management pages where a district or
street drafts a version, edits or imports its items and publishes it. Drafts are never public;
published versions are read-only (a change is a new version). Writes go through services."""

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from shequ.core import import_views, importing, scope
from shequ.core import mapping as mappings
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import xlsx_response
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView, error_page
from shequ.core.importing import check_file, check_size
from shequ.duties import importer, services
from shequ.duties.forms_lists import MANAGE, ImportForm, ItemForm, ListForm, managed_orgs
from shequ.duties.models import DutyItem, DutyList, Kind, ListStatus
from shequ.org.models import OrgUnit

IMPORT_SESSION_KEY = "duties_list_import"
IMPORT_TTL = 3600  # seconds an uploaded workbook waits for its confirmation


# --- reads shared by the pages ---------------------------------------------------------------------
def published_lists():
    """Every version that has been published (in force, future or superseded): public data."""
    return DutyList.objects.exclude(status=ListStatus.DRAFT).select_related("org")


def in_force_today():
    day = timezone.localdate()
    return published_lists().filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day), effective_from__lte=day
    )


def can_manage(user, duty_list) -> bool:
    return scope.covers(user, duty_list.scope_code, MANAGE)


def grouped(items) -> list[dict]:
    """Items in the four kinds' order, each kind with its items (empty kinds included)."""
    by_kind = {k: [] for k in Kind.values}
    for it in items:
        by_kind[it.kind].append(it)
    return [
        {"kind": k, "label": label, "items": by_kind[k], "anchor": f"kind-{k}"} for k, label in Kind.choices
    ]


def _items_of(duty_list):
    return duty_list.items.order_by("kind", "position", "code")


def _readable_list(request, pk) -> DutyList:
    """A published version for anyone; a draft only for those who manage it (404 otherwise)."""
    obj = DutyList.objects.select_related("org").filter(pk=pk).first()
    if obj is None:
        raise Http404(_("未找到该清单。"))
    if obj.status == ListStatus.DRAFT and not (
        request.user.is_authenticated
        and DutyList.objects.visible_to(request.user).filter(pk=pk).exists()
        and can_manage(request.user, obj)
    ):
        raise Http404(_("未找到该清单。"))
    return obj


# --- public pages ----------------------------------------------------------------------------------
def public_lists(request):
    """The lists in force today, for one district/street (or a community's governing ones) or all."""
    current = list(in_force_today().order_by("org__code", "-number"))
    orgs = {}
    for dl in current:
        orgs.setdefault(dl.org.code, dl.org)
    chosen = (request.GET.get("org") or "").strip()[:12]
    chosen_unit = None
    if chosen:
        chosen_unit = OrgUnit.objects.filter(code=chosen).first()
        if chosen_unit is None:
            raise Http404(_("未找到该单位。"))
        shown = list(services.lists_in_force(chosen).select_related("org"))
    else:
        shown = current
    items = DutyItem.objects.filter(duty_list__in=shown).order_by("kind", "position", "code")
    per_list = {dl.pk: [] for dl in shown}
    for it in items:
        per_list[it.duty_list_id].append(it)
    blocks = [{"list": dl, "groups": grouped(per_list[dl.pk]), "count": len(per_list[dl.pk])} for dl in shown]
    ctx = {
        "title": _("社区工作事项清单"),
        "blocks": blocks,
        "orgs": list(orgs.values()),
        "chosen": chosen,
        "chosen_unit": chosen_unit,
        "chosen_listed": chosen in orgs,
        "today": timezone.localdate(),
    }
    return render(request, "duties/public_lists.html", ctx)


def public_list_detail(request, pk):
    """One published version (in force, future or superseded) with its effective dates."""
    dl = _readable_list(request, pk)
    if dl.status == ListStatus.DRAFT:
        raise Http404(_("未找到该清单。"))  # drafts are shown on the management page only
    items = list(_items_of(dl))
    versions = published_lists().filter(org=dl.org).order_by("-number")
    ctx = {
        "title": str(dl),
        "dl": dl,
        "groups": grouped(items),
        "versions": versions,
        "in_force": dl.in_force(),
        "today": timezone.localdate(),
        "can_manage": request.user.is_authenticated and can_manage(request.user, dl),
    }
    return render(request, "duties/public_list_detail.html", ctx)


def item_detail(request, pk):
    """One item of a published version (a draft's item only for those who manage the draft)."""
    item = DutyItem.objects.select_related("duty_list", "duty_list__org").filter(pk=pk).first()
    if item is None:
        raise Http404(_("未找到该事项。"))
    dl = _readable_list(request, item.duty_list_id)
    managing = request.user.is_authenticated and can_manage(request.user, dl)
    ctx = {
        "title": item.title,
        "item": item,
        "dl": dl,
        "editable": managing and dl.status == ListStatus.DRAFT,
    }
    return render(request, "duties/item_detail.html", ctx)


def list_export(request, pk):
    """The version as xlsx, in the columns the importer reads (drafts for their managers only)."""
    dl = _readable_list(request, pk)
    name = f"{dl.org.name}-{dl.title}-第{dl.number}版"
    return xlsx_response(name, importer.export_bytes(dl))


# --- management ------------------------------------------------------------------------------------
KIND_COUNTS = {f"n_{k}": Count("items", filter=Q(items__kind=k)) for k in Kind.values}


class ListIndexView(ScopedListView):
    model = DutyList
    title = _l("事项清单管理")
    select_related = ("org",)
    default_sort = "org__code"
    actions_template = "duties/list_index_actions.html"
    columns = [
        Column(_l("制定单位"), "org.name", sort="org__code"),
        Column(_l("清单名称"), "title", link=True),
        Column(_l("版本"), "number", sort="number"),
        Column(_l("状态"), "status", sort="status"),
        Column(_l("生效日期"), "effective_from", sort="effective_from"),
        Column(_l("失效日期"), "effective_to"),
        Column(_l("依法履职"), f"n_{Kind.STATUTORY}"),
        Column(_l("协助"), f"n_{Kind.ASSIST}"),
        Column(_l("负面"), f"n_{Kind.NEGATIVE}"),
        Column(_l("证明"), f"n_{Kind.CERTIFICATE}"),
    ]

    def col_effective_from(self, obj):
        return obj.effective_from.isoformat()

    def col_effective_to(self, obj):
        return obj.effective_to.isoformat() if obj.effective_to else ""

    def base_queryset(self):
        return super().base_queryset().annotate(**KIND_COUNTS)

    def get(self, request, *args, **kwargs):
        if not scope.holds(request.user, MANAGE):
            return error_page(request, 403)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not scope.holds(request.user, MANAGE):
            return error_page(request, 403)
        return super().post(request, *args, **kwargs)


class ListDetailView(ScopedDetailView):
    model = DutyList
    template_name = "duties/list_detail.html"
    select_related = ("org", "published_by")

    def refuse(self, obj):
        return None if can_manage(self.request.user, obj) else error_page(self.request, 403)

    def extra_context(self, obj) -> dict:
        items = list(_items_of(obj))
        return {
            "dl": obj,
            "title": str(obj),
            "groups": grouped(items),
            "count": len(items),
            "draft": obj.status == ListStatus.DRAFT,
            "versions": DutyList.objects.visible_to(self.request.user)
            .filter(org=obj.org)
            .order_by("-number"),
        }


class _ManagedList(ServiceFormView):
    """A form against one visible list (404 outside the scope; 403 without the permission)."""

    perm = MANAGE
    list_kwarg = "pk"

    def setup_objects(self):
        self.duty_list = get_visible_list(self.request.user, self.kwargs[self.list_kwarg])

    def perm_code(self):
        return self.duty_list.scope_code

    def context(self):
        return {"parent_url": self.duty_list.get_absolute_url(), "parent_title": str(self.duty_list)}


def get_visible_list(user, pk) -> DutyList:
    obj = DutyList.objects.visible_to(user).select_related("org").filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


class ListCreateView(ServiceFormView):
    form_class = ListForm
    title = _l("新建清单版本")
    submit_label = _l("创建草稿")
    perm = MANAGE

    def _check_perm(self):
        if not scope.holds(self.request.user, MANAGE):
            return error_page(self.request, 403)
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        orgs = managed_orgs(self.request.user)
        first = orgs.first()
        return {"org": first, "effective_from": timezone.localdate()} if first else {}

    def context(self):
        return {"parent_url": reverse("duties:list-index"), "parent_title": _("事项清单管理")}

    def perform(self, form):
        d = form.cleaned_data
        copy_from = None
        if d["copy_current"]:
            copy_from = (
                published_lists()
                .filter(org=d["org"], effective_from__lte=d["effective_from"])
                .order_by("-effective_from", "-number")
                .first()
                or published_lists().filter(org=d["org"]).order_by("-number").first()
            )
        dl = services.create_list(
            self.request.user,
            org=d["org"],
            title=d["title"],
            effective_from=d["effective_from"],
            basis=d["basis"],
            notes=d["notes"],
            copy_from=copy_from,
            blank=not d["copy_current"],
        )
        return dl


class ItemCreateView(_ManagedList):
    form_class = ItemForm
    title = _l("新增事项")

    def get_form_kwargs(self):
        return {"duty_list": self.duty_list}

    def initial(self):
        return {
            "position": self.duty_list.items.count() + 1,
            "kind": self.request.GET.get("kind") or Kind.ASSIST,
        }

    def perform(self, form):
        return services.save_item(self.request.user, self.duty_list, **form.cleaned_data)

    def success_url(self, obj):
        return reverse("duties:list-detail", args=[self.duty_list.pk]) + f"#kind-{obj.kind}"


class ItemEditView(_ManagedList):
    form_class = ItemForm
    title = _l("修改事项")

    def setup_objects(self):
        item = (
            DutyItem.objects.visible_to(self.request.user)
            .select_related("duty_list")
            .filter(pk=self.kwargs["pk"])
        )
        self.item = item.first()
        if self.item is None:
            raise NotFound()
        self.duty_list = self.item.duty_list

    def get_form_kwargs(self):
        return {"duty_list": self.duty_list, "instance": self.item}

    def perform(self, form):
        return services.save_item(self.request.user, self.duty_list, pk=self.item.pk, **form.cleaned_data)

    def success_url(self, obj):
        return reverse("duties:list-detail", args=[self.duty_list.pk]) + f"#kind-{obj.kind}"


@login_required
@require_POST
def item_delete(request, pk):
    item = get_object_or_404(DutyItem.objects.visible_to(request.user).select_related("duty_list"), pk=pk)
    back = reverse("duties:list-detail", args=[item.duty_list_id])
    if not can_manage(request.user, item.duty_list):
        return error_page(request, 403)
    try:
        services.delete_item(request.user, item.pk)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back)
    messages.success(request, _("已删除事项“%(t)s”。") % {"t": item.title})
    return redirect(back)


@login_required
def list_publish(request, pk):
    """GET: what publishing will do (the version it ends); POST: publish."""
    try:
        dl = get_visible_list(request.user, pk)
    except NotFound:
        raise Http404() from None
    if not can_manage(request.user, dl):
        return error_page(request, 403)
    back = dl.get_absolute_url()
    if request.method == "POST":
        try:
            expected = int(request.POST.get("expected_version") or 0) or None
        except ValueError:
            expected = None
        try:
            services.publish_list(request.user, dl.pk, expected_version=expected)
        except NotFound:
            raise Http404() from None
        except DomainError as exc:
            return error_page(request, exc.status, exc.message, back)
        messages.success(request, _("已发布，自 %(d)s 起生效。") % {"d": dl.effective_from.isoformat()})
        return redirect(back)
    if dl.status != ListStatus.DRAFT:
        return error_page(request, 409, _("该版本已发布，不能再次发布。"), back)
    previous = (
        published_lists()
        .filter(org=dl.org, status=ListStatus.PUBLISHED, effective_from__lt=dl.effective_from)
        .order_by("-effective_from")
        .first()
    )
    counts = {g["label"]: len(g["items"]) for g in grouped(_items_of(dl))}
    ctx = {"dl": dl, "title": _("发布清单"), "previous": previous, "counts": counts}
    return render(request, "duties/list_publish.html", ctx)


# --- import: upload → (mapping step) → preview → confirm ---------------------------------------------
def _import_dir() -> Path:
    d = Path(settings.DATA_DIR) / "tmp" / "duty_lists"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _sweep_uploads(folder: Path) -> None:
    cutoff = time.time() - IMPORT_TTL
    for f in folder.iterdir():
        try:
            if f.stat().st_mtime < cutoff:
                f.unlink()
        except OSError:
            pass


def _stored_upload(request, dl) -> tuple[bytes, dict] | None:
    """The file this user uploaded for this draft (kept server-side; the session entry names it
    and keeps the mapping step's layout or the mapping confirmed for it)."""
    entry = request.session.get(IMPORT_SESSION_KEY) or {}
    if entry.get("list") != dl.pk or not entry.get("token", "").isalnum():
        return None
    f = _import_dir() / entry["token"]
    if not f.exists() or f.stat().st_mtime < time.time() - IMPORT_TTL:
        return None
    return f.read_bytes(), entry


def _keep_upload(request, dl, name: str, data: bytes) -> dict:
    _drop_upload(request)
    folder = _import_dir()
    _sweep_uploads(folder)
    token = secrets.token_hex(16)
    (folder / token).write_bytes(data)
    return {"list": dl.pk, "token": token, "name": name[:120]}


def _drop_upload(request) -> None:
    entry = request.session.pop(IMPORT_SESSION_KEY, None) or {}
    token = entry.get("token", "")
    if token.isalnum():
        (_import_dir() / token).unlink(missing_ok=True)


def _mapping_page(request, dl, ctx, entry, *, status=200, chosen=None, error=""):
    """The mapping step (core's include) for the stored upload, posting back to this page."""
    layout = entry["layout"]
    if chosen is not None:
        layout = import_views.layout_with_choices(layout, chosen)
    url = reverse("duties:list-import", args=[dl.pk])
    ctx.update(
        import_views.mapping_context(importer.DutyListWorkbook, layout, dl.scope_code, entry["name"]),
        mapping_action=url,
        mapping_apply_action=url,
        mapping_discard_action=url,
        mapping_owner=_("本单位"),
        mapping_error=error,
        filename=entry["name"],
    )
    return render(request, "duties/list_import.html", ctx, status=status)


def _read_and_show(request, dl, ctx, data: bytes, entry: dict, options=None, *, remap=False):
    """Read the stored upload with `options` and show the mapping step or the preview; the session
    entry keeps what the next step needs (the layout, or the mapping the preview was read with)."""
    result = importer.read_items(entry["name"], data, options, dl.scope_code, remap=remap)
    entry = {k: v for k, v in entry.items() if k not in ("layout", "options")}
    if result.step is not None:
        entry["layout"] = result.step
        request.session[IMPORT_SESSION_KEY] = entry
        return _mapping_page(request, dl, ctx, entry)
    entry["options"] = result.options
    request.session[IMPORT_SESSION_KEY] = entry
    bad = sum(1 for p in result.preview if p["errors"])
    ctx.update(
        {
            "preview": result.preview,
            "notes": result.notes,
            "bad": bad,
            "good": len(result.preview) - bad,
            "replaces": dl.items.count(),
            "filename": entry["name"],
            "kind_labels": dict(Kind.choices),
        }
    )
    return render(request, "duties/list_import.html", ctx)


@login_required
def list_import(request, pk):
    """Upload a file into a draft; where its columns are not the workbook's own, confirm which
    column is which (core's mapping step, saved for the district or street); preview every row
    with its errors; then replace the draft's items with all rows (or none)."""
    try:
        dl = get_visible_list(request.user, pk)
    except NotFound:
        raise Http404() from None
    if not can_manage(request.user, dl):
        return error_page(request, 403)
    back = dl.get_absolute_url()
    if dl.status != ListStatus.DRAFT:
        return error_page(request, 409, _("已发布的版本不能修改；请新建版本后导入。"), back)
    ctx = {"dl": dl, "title": _("导入清单事项"), "form": ImportForm(), "preview": None}
    if request.method != "POST":
        return render(request, "duties/list_import.html", ctx)
    step = request.POST.get("step") or "upload"
    if step == "upload":
        return _import_upload(request, dl, ctx)

    stored = _stored_upload(request, dl)
    if stored is None:
        ctx["error"] = _("上传的文件已过期或不存在，请重新上传。")
        return render(request, "duties/list_import.html", ctx, status=400)
    data, entry = stored
    if step == "discard":
        _drop_upload(request)
        messages.info(request, _("已放弃本次导入，没有改动任何事项。"))
        return redirect(back)
    try:
        if step == "confirm":
            return _import_confirm(request, dl, ctx, data, entry)
        if step == "mapping" and entry.get("layout"):
            return _import_mapping(request, dl, ctx, data, entry)
        if step == "apply":
            name = request.POST.get("apply", "").strip()[:60]
            return _read_and_show(request, dl, ctx, data, entry, {"mapping_name": name})
        if step == "remap" and entry.get("options"):
            return _read_and_show(request, dl, ctx, data, entry, entry["options"], remap=True)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        if entry.get("layout"):
            return _mapping_page(request, dl, ctx, entry, status=exc.status, error=exc.message)
        ctx["error"] = exc.message
        ctx["details"] = exc.details
        return render(request, "duties/list_import.html", ctx, status=exc.status)
    ctx["error"] = _("这一步已经过去了，请重新上传文件。")
    return render(request, "duties/list_import.html", ctx, status=400)


def _import_upload(request, dl, ctx):
    form = ImportForm(request.POST, request.FILES)
    ctx["form"] = form
    if not form.is_valid():
        return render(request, "duties/list_import.html", ctx, status=400)
    upload = form.cleaned_data["file"]
    try:
        check_size(upload.size)
        data = upload.read()
        check_file(upload.name, data)
        entry = _keep_upload(request, dl, upload.name, data)
        return _read_and_show(request, dl, ctx, data, entry)
    except DomainError as exc:
        _drop_upload(request)
        form.add_error("file", exc.message)
        return render(request, "duties/list_import.html", ctx, status=400)


def _import_mapping(request, dl, ctx, data: bytes, entry: dict):
    """The mapping step's answer: checked, saved under a name for the district or street when
    asked, and the file read again with it."""
    layout = entry["layout"]
    chosen, save_as = import_views.mapping_from_post(request.POST, layout)
    if request.POST.get("save") and not save_as:
        error = _("请填写映射名称，下次上传同样表头的文件时按此名称套用。")
        return _mapping_page(request, dl, ctx, entry, status=400, chosen=chosen, error=error)
    try:
        importing.check_mapping(importer.DutyListWorkbook, chosen)
    except DomainError as exc:
        return _mapping_page(request, dl, ctx, entry, status=exc.status, chosen=chosen, error=exc.message)
    if save_as:
        mappings.save(
            request.user,
            importer.DutyListWorkbook,
            dl.scope_code,
            save_as,
            layout.get("signature", ""),
            chosen,
        )
    options = {"mapping": chosen, "mapping_source": "confirmed", "mapping_name": save_as}
    return _read_and_show(request, dl, ctx, data, entry, options)


def _import_confirm(request, dl, ctx, data: bytes, entry: dict):
    """Read the upload again with the mapping its preview was read with, and write all rows."""
    if not entry.get("options"):
        raise DomainError(_("请先核对列的对应，预览无误后再确认导入。"))
    result = importer.read_items(entry["name"], data, entry["options"], dl.scope_code)
    if result.step is not None or importer.has_errors(result.preview):
        raise DomainError(_("文件中仍有错误行，没有导入任何事项。"))
    n = services.replace_items(request.user, dl, result.rows)
    _drop_upload(request)
    messages.success(request, _("已导入 %(n)d 项，替换了本草稿原有的全部事项。") % {"n": n})
    return redirect(dl.get_absolute_url())


urlpatterns = [
    path("lists/", public_lists, name="public-lists"),
    path("lists/<int:pk>/", public_list_detail, name="public-list-detail"),
    path("lists/<int:pk>/export.xlsx", list_export, name="list-export"),
    path("items/<int:pk>/", item_detail, name="item-detail"),
    path("manage/lists/", ListIndexView.as_view(), name="list-index"),
    path("manage/lists/new/", ListCreateView.as_view(), name="list-create"),
    path("manage/lists/<int:pk>/", ListDetailView.as_view(), name="list-detail"),
    path("manage/lists/<int:pk>/items/new/", ItemCreateView.as_view(), name="item-create"),
    path("manage/lists/<int:pk>/publish/", list_publish, name="list-publish"),
    path("manage/lists/<int:pk>/import/", list_import, name="list-import"),
    path("manage/items/<int:pk>/edit/", ItemEditView.as_view(), name="item-edit"),
    path("manage/items/<int:pk>/delete/", item_delete, name="item-delete"),
]
