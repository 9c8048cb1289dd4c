"""Generic pages every module reuses: a scoped list (filters, sorting, pagination, Excel export),
a scoped detail page, and a form page whose submit goes through a services function."""

import functools
import os
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View

from shequ.core import changelog, scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import workbook_bytes, xlsx_response
from shequ.core.masking import mask
from shequ.core.models import Action

FORBIDDEN = _l("您没有执行此操作的权限，请联系上级管理员开通。")


def hx_redirect(request, url: str):
    """After a successful write: htmx follows HX-Redirect, a plain form post a 302."""
    if request.htmx:
        resp = HttpResponse(status=204)
        resp["HX-Redirect"] = url
        return resp
    return redirect(url)


def error_page(request, status: int, message=None, back: str | None = None):
    """The Chinese error page every view returns for a refused or failed act."""
    ctx = {"status": status, "message": message or FORBIDDEN, "back": back}
    return render(request, "core/error.html", ctx, status=status)


def reads(model):
    """For a function page that lists or maps rows of `model`: signed in, and refused (403) to a
    user who may read no row of it anywhere, by the same rule as the model's list pages, exports
    and API (`scope.may_read`: the model's `view_perm` and the user's scope)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not scope.may_read(request.user, model):
                return error_page(request, 403)
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorate


@dataclass
class Column:
    """One column of a list page and of its export."""

    label: str
    attr: str  # dotted attribute path, or a method name on the view: "col_<name>"
    sort: str | None = None  # ORM ordering field; None = not sortable
    link: bool = False  # render as a link to obj.get_absolute_url()
    mask: str | None = None  # masking rule for sensitive values
    export: bool = True
    page: bool = True  # False: in the export only (e.g. an internal id people need not read)

    def value(self, obj, view=None) -> Any:
        if view is not None and hasattr(view, f"col_{self.attr}"):
            return getattr(view, f"col_{self.attr}")(obj)
        v = obj
        for part in self.attr.split("."):
            if v is None:
                return ""
            display = getattr(v, f"get_{part}_display", None)
            v = display() if display else getattr(v, part)
            if callable(v):
                v = v()
        return v


def can_reveal(user, code: str) -> bool:
    return scope.covers(user, code, "core.reveal_pii")


class UncountedPage:
    """A page fetched as per_page + 1 rows: it knows whether a next page exists without counting."""

    class _NoCount:
        count = None
        num_pages = None

    paginator = _NoCount()

    def __init__(self, qs, number, per_page: int):
        try:
            self.number = max(1, int(number or 1))
        except ValueError:
            self.number = 1
        start = (self.number - 1) * per_page
        rows = list(qs[start : start + per_page + 1])
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


class ScopedListView(LoginRequiredMixin, View):
    model = None
    filterset_class = None
    columns: list[Column] = []
    title = ""
    template_name = "core/list.html"
    table_template = "core/_table.html"
    paginate_by = 50
    default_sort = None
    select_related: tuple = ()
    defer_fields: tuple = ()  # large columns a list never shows (e.g. a boundary polygon)
    actions_template = None  # buttons above the table (e.g. 新建)
    export_limit = 50_000
    # False for very large tables: pages move by next/previous and no COUNT(*) runs on each load.
    count_total = True
    revealing = False  # set while building a full (unmasked) export

    def dispatch(self, request, *args, **kwargs):
        # One rule per model: who may read no row of it anywhere gets 403 (page and export alike),
        # never an empty list; which rows the others see is visible_to's.
        if request.user.is_authenticated and not scope.may_read(request.user, self.model):
            return error_page(request, 403)
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        qs = self.model.objects.visible_to(self.request.user)
        focus = scope.focus_of(self.request)
        if focus is not None:
            qs = qs.within(focus.code)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.defer_fields:
            qs = qs.defer(*self.defer_fields)
        return qs

    def sort_options(self):
        return {c.sort: c for c in self.columns if c.sort}

    def get(self, request, *args, **kwargs):
        qs = self.base_queryset()
        fs = self.filterset_class(request.GET, queryset=qs, request=request) if self.filterset_class else None
        if fs is not None:
            qs = fs.qs
        sort = request.GET.get("sort") or self.default_sort
        allowed = {k for key in self.sort_options() for k in (key, f"-{key}")}
        if sort not in allowed:
            sort = self.default_sort if self.default_sort in allowed else None
        if sort:
            qs = qs.order_by(sort, "pk")
        if request.GET.get("export") == "xlsx":
            return self.export(qs)  # masked; the full export is a POST (below)
        if self.count_total:
            page = Paginator(qs, self.paginate_by).get_page(request.GET.get("page"))
        else:
            page = UncountedPage(qs, request.GET.get("page"), self.paginate_by)
        self.prepare_rows(page.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("sort", None)
        columns = [c for c in self.columns if c.page]
        rows = [[(c, self._display(c, obj)) for c in columns] + [("obj", obj)] for obj in page.object_list]
        ctx = {
            "view": self,
            "title": self.title,
            "filter": fs,
            "page": page,
            "rows": rows,
            "columns": columns,
            "sort": sort,
            "query": query.urlencode(),
            "actions_template": self.actions_template,
        }
        ctx.update(self.extra_context())
        template = (
            self.table_template
            if request.htmx and request.htmx.target == "list-table"
            else self.template_name
        )
        return render(request, template, ctx)

    def post(self, request, *args, **kwargs):
        """The export with personal data in full: a POST (CSRF-protected) with a stated reason."""
        qs = self.base_queryset()
        if self.filterset_class:
            qs = self.filterset_class(request.GET, queryset=qs, request=request).qs
        return self.export(qs, reason=(request.POST.get("reason") or "").strip(), reveal=True)

    def extra_context(self) -> dict:
        return {}

    def prepare_rows(self, objects) -> None:
        """Load what the page's columns need for all its rows at once (e.g. tags)."""

    def _display(self, column, obj):
        v = column.value(obj, self)
        if column.mask:
            return mask(v, column.mask)
        return v

    def export(self, qs, *, reason: str = "", reveal: bool = False):
        """Excel of the filtered list; sensitive columns masked unless revealed with a reason."""
        user = self.request.user
        if reveal and (len(reason) < 2 or not scope.holds(user, "core.reveal_pii")):
            return error_page(self.request, 403, _("导出完整敏感信息须有查看权限并填写事由。"))
        cols = [c for c in self.columns if c.export]
        total = qs.count()
        rows = []
        objects = list(qs[: self.export_limit])
        self.revealing = reveal
        self.prepare_rows(objects)
        for obj in objects:
            row = []
            for c in cols:
                v = c.value(obj, self)
                if c.mask and not (reveal and can_reveal(user, getattr(obj, self.model.scope_field))):
                    v = mask(v, c.mask)
                row.append(v)
            rows.append(row)
        note = _("导出人：%(u)s；敏感信息%(m)s") % {
            "u": user,
            "m": _("已按事由显示") if reveal else _("已脱敏"),
        }
        if total > len(rows):
            note += _("；共 %(total)d 行，仅导出前 %(n)d 行，请缩小筛选范围后分批导出") % {
                "total": total,
                "n": len(rows),
            }
        content = workbook_bytes(self.title, [c.label for c in cols], rows, note)
        changelog.record(
            user,
            Action.EXPORT,
            None,
            scope_code=self._export_scope(),
            note=f"{self.title} {len(rows)}/{total} 行" + (f"；含敏感信息，事由：{reason}" if reveal else ""),
        )
        return xlsx_response(self.title, content)

    @classmethod
    def ledger_rows(cls, user, code: str, params: dict | None = None, *, date_field: str = "",
                    start=None, end=None, limit: int = 5000):  # fmt: skip
        """The masked export of this list for scope `code` (and `params` as its filters), as (headers,
        rows): the same columns, filters and masking as the page's ?export=xlsx, for a ledger printed
        by another module (一表通) without copying the list's definition."""
        from django.http import HttpRequest, QueryDict

        request = HttpRequest()
        request.user = user
        request.method = "GET"
        request.GET = QueryDict(mutable=True)
        request.GET.update({**(params or {}), "export": "xlsx"})
        view = cls()
        view.setup(request)
        if user.is_authenticated and not scope.may_read(user, cls.model):
            raise PermissionError(cls.model._meta.label)
        qs = view.base_queryset().within(code)
        if cls.filterset_class:
            qs = cls.filterset_class(request.GET, queryset=qs, request=request).qs
        if date_field and start is not None:
            qs = qs.filter(**{f"{date_field}__gte": start, f"{date_field}__lte": end})
        if cls.default_sort:
            qs = qs.order_by(cls.default_sort, "pk")
        cols = [c for c in view.columns if c.export]
        objects = list(qs[:limit])
        view.prepare_rows(objects)
        rows = [
            [mask(c.value(obj, view), c.mask) if c.mask else c.value(obj, view) for c in cols]
            for obj in objects
        ]
        return [str(c.label) for c in cols], rows

    def _export_scope(self) -> str:
        """The narrowest node covering what was exported, so managers of that node see the entry."""
        focus = scope.focus_of(self.request)
        if focus is not None:
            return focus.code
        roots = scope.scope_codes(self.request.user)
        if not roots:
            return ""
        common = os.path.commonprefix(roots)
        return next((common[:n] for n in (15, 12, 9, 6, 4, 2) if n <= len(common)), "")


class ScopedDetailView(LoginRequiredMixin, View):
    model = None
    template_name = ""
    select_related: tuple = ()
    lookup = "pk"

    def get_object(self):
        qs = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        try:
            return qs.get(**{self.lookup: self.kwargs[self.lookup]})
        except (self.model.DoesNotExist, ValueError):
            raise Http404(_("未找到该记录，或它不在您的管辖范围内。")) from None

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        refused = self.refuse(obj)
        if refused is not None:
            return refused
        ctx = {"object": obj, "view": self, "content_type_id": ContentType.objects.get_for_model(obj).pk}
        ctx.update(self.extra_context(obj))
        return render(request, self.template_name, ctx)

    def extra_context(self, obj) -> dict:
        return {}

    def refuse(self, obj):
        """A response refusing this visible object to the user (e.g. a 403 page), or None."""
        return None


class ServiceFormView(LoginRequiredMixin, View):
    """GET shows the form; POST validates it, calls `perform(form)` (a services function) and
    redirects. Domain errors land next to their field; htmx posts swap only the form."""

    form_class = None
    template_name = "core/form.html"
    title = ""
    submit_label = _l("保存")
    perm: str | None = None  # the permission the form's act needs, checked before it is shown

    def perm_code(self) -> str | None:
        """The org code the act applies to (set by setup_objects)."""
        return None

    def _check_perm(self):
        if self.perm and not scope.covers(self.request.user, self.perm_code() or "", self.perm):
            return error_page(self.request, 403)
        return None

    def get_form_kwargs(self) -> dict:
        return {}

    def initial(self) -> dict:
        return {}

    def context(self) -> dict:
        return {}

    def perform(self, form):
        raise NotImplementedError

    def success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def reveal_object(self):
        """The row whose sensitive fields the form edits: its masked values get the logged reveal."""
        return getattr(self, "object", None)

    def render_form(self, form, status=200):
        from shequ.core.forms import enable_reveal

        enable_reveal(form, self.reveal_object(), self.request.user)
        ctx = {"form": form, "title": self.title, "submit_label": self.submit_label, "view": self}
        ctx.update(self.context())
        template = "core/_form.html" if self.request.htmx else self.template_name
        return render(self.request, template, ctx, status=status)

    def _setup(self):
        try:
            self.setup_objects()
        except NotFound:
            raise Http404() from None

    def get(self, request, *args, **kwargs):
        self._setup()
        denied = self._check_perm()
        if denied:
            return denied
        return self.render_form(self.form_class(initial=self.initial(), **self.get_form_kwargs()))

    def setup_objects(self) -> None:
        """Load and scope-check the objects the form hangs off (404 when out of scope)."""

    def post(self, request, *args, **kwargs):
        self._setup()
        denied = self._check_perm()
        if denied:
            return denied
        # The initial values go along: a sensitive field left as shown (masked) keeps the stored one.
        form = self.form_class(request.POST, request.FILES, initial=self.initial(), **self.get_form_kwargs())
        if form.is_valid():
            try:
                obj = self.perform(form)
            except NotFound:
                raise Http404() from None
            except DomainError as exc:
                known = set(form.fields)
                placed = False
                for field, msgs in (exc.details or {}).items():
                    if field in known:
                        for m in msgs:
                            form.add_error(field, m)
                        placed = True
                if not placed or exc.message not in str(form.errors):
                    form.add_error(None, exc.message)
                return self.render_form(form, status=exc.status if exc.status != 404 else 400)
            return hx_redirect(request, self.success_url(obj))
        return self.render_form(form, status=400)
