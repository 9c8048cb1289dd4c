"""The page where administrators extend the import synonyms: for each kind of workbook, per field,
the names and values the engine already reads (the template's, the shipped ones) and those
administrators added, with a form to add one and a button to delete one."""

import functools
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from shequ.core import importing, scope
from shequ.core import mapping as mappings
from shequ.core.errors import DomainError, NotFound
from shequ.core.generic import error_page
from shequ.core.models import ImportSynonym, SynonymWhat
from shequ.core.sheets import header_key, value_key

TARGET_BOX = "synonym-target"
SHOWN_VALUES = 12  # shipped value synonyms shown before "另有 N 条" (民族 has fifty-odd)


def for_administrators(view):
    """Signed in, and holding the permission to maintain the synonyms; anyone else gets 403."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not scope.holds(request.user, mappings.SYNONYM_PERM):
            return error_page(
                request, 403, _("只有系统管理员和区级管理员可以维护导入同义词。"), reverse("core:import-list")
            )
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _importer(kind):
    """The importer asked for, or the first registered one when none is named."""
    importers = importing.mapped_workbooks()
    if not kind:
        if not importers:
            raise Http404(_("没有可导入的表格类型。"))
        return next(iter(importers.values()))
    if kind not in importers:
        raise Http404(_("未知的导入类型。"))
    return importers[kind]


def _page_url(cls, field_key: str = "", what: str = "") -> str:
    """The page of a kind, at a field, its form set to add another synonym of the same sort."""
    query = {"kind": cls.kind, **({"field": field_key, "what": what} if field_key else {})}
    url = f"{reverse('core:import-synonyms')}?{urlencode(query)}"
    return f"{url}#field-{field_key}" if field_key else url


class SynonymForm(forms.Form):
    """What an administrator adds; the rules (which field, which label, no clashes) are checked
    by `mapping.add_synonym`, whose messages land on the fields they concern."""

    kind = forms.CharField(widget=forms.HiddenInput)
    field = forms.ChoiceField(label=_l("字段"))
    what = forms.ChoiceField(label=_l("类别"), choices=SynonymWhat.choices)
    source = forms.CharField(
        label=_l("台账中的写法"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _l("照台账中的原样填写")}),
    )
    # A plain text field behind the select: a label of another field (the field changed after the
    # labels were offered) gets the service's message, not a generic "invalid choice".
    target = forms.CharField(label=_l("读作"), required=False, widget=forms.Select)

    def __init__(self, cls, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.importer = cls
        with translation.override(settings.LANGUAGE_CODE):
            self.columns = cls.column_map()
            self.fields["field"].choices = [(k, str(c.header)) for k, c in self.columns.items()]
        self.fields["kind"].initial = cls.kind
        self.has_choices = any(c.kind == "choice" for c in self.columns.values())
        if not self.has_choices:
            self.fields["what"].choices = [(SynonymWhat.HEADER, SynonymWhat.HEADER.label)]
        refresh = {
            "hx-get": reverse("core:import-synonyms"),
            "hx-trigger": "change",
            "hx-target": f"#{TARGET_BOX}",
            "hx-swap": "outerHTML",
            "hx-sync": "#synonym-form:queue last",  # answers in order: the latest choice wins
            "hx-include": "#synonym-form [name=kind], #synonym-form [name=field], #synonym-form [name=what]",
        }
        self.fields["field"].widget.attrs.update(refresh)
        self.fields["what"].widget.attrs.update(refresh)
        col = self.columns.get(self._value("field"))
        self.choice = col is not None and col.kind == "choice"
        self.asks_target = self.choice and self._value("what") == SynonymWhat.VALUE
        labels = col.labels() if self.choice else []
        self.fields["target"].widget.choices = [("", _("请选择选项"))] + [(x, x) for x in labels]
        if not self.asks_target:
            self.fields["target"].widget.attrs["disabled"] = True

    def _value(self, name):
        if self.is_bound:
            return self.data.get(name) or ""
        return self.initial.get(name) or self.fields[name].initial or next(iter(self.fields[name].choices))[0]


def _field_rows(cls) -> list[dict]:
    """Per field of the importer: its template names, the shipped header and value synonyms (a
    shipped value an administrator reads otherwise is marked), and the administrators' own."""
    syn = mappings.synonyms_for(cls)
    data = mappings.shipped(cls)
    admin = list(ImportSynonym.objects.filter(kind=cls.kind).select_related("created_by"))
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        columns = cls.column_map()
        for key, col in columns.items():
            seen, template, shipped_headers = set(), [], []
            for name in (col.header, *col.aliases):
                k = header_key(str(name))
                if k not in seen:
                    seen.add(k)
                    template.append(str(name))
            for name in data.get("headers", {}).get(key, []):
                k = header_key(name)
                if k not in seen and syn.headers.get(k) == key:
                    seen.add(k)
                    shipped_headers.append(name)
            mine = [s for s in admin if s.field == key]
            redefined = {value_key(s.source): s.target for s in mine if s.what == SynonymWhat.VALUE}
            values = [
                {"source": src, "label": label, "instead": redefined.get(value_key(src), "")}
                for src, label in data.get("values", {}).get(key, {}).items()
            ]
            rows.append(
                {
                    "key": key,
                    "header": str(col.header),
                    "required": col.required,
                    "choice": col.kind == "choice",
                    "labels": col.labels(),
                    "template": template,
                    "headers": shipped_headers,
                    "values": values[:SHOWN_VALUES],
                    "more_values": values[SHOWN_VALUES:],
                    "admin": mine,
                }
            )
    orphans = [s for s in admin if s.field not in columns]
    if orphans:
        rows.append(
            {
                "key": "",
                "header": _("已不存在的字段"),
                "orphans": True,
                "template": [],
                "headers": [],
                "values": [],
                "admin": orphans,
            }
        )
    return rows


def _render(request, cls, form, status=200):
    importers = importing.mapped_workbooks()
    ctx = {
        "importer": cls,
        "kinds": [(k, c.title) for k, c in importers.items()],
        "fields": _field_rows(cls),
        "form": form,
        "target_box": TARGET_BOX,
    }
    return render(request, "core/import_synonyms.html", ctx, status=status)


@for_administrators
def synonym_page(request):
    cls = _importer(request.GET.get("kind"))
    form = SynonymForm(cls, initial={k: request.GET.get(k, "") for k in ("field", "what")})
    if request.htmx and request.htmx.target == TARGET_BOX:
        return render(request, "core/_synonym_target.html", {"form": form, "target_box": TARGET_BOX})
    return _render(request, cls, form)


@for_administrators
@require_POST
def synonym_add(request):
    cls = _importer(request.POST.get("kind"))
    form = SynonymForm(cls, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            obj = mappings.add_synonym(
                request.user, cls.kind, d["field"], d["what"], d["source"], d.get("target") or ""
            )
        except DomainError as exc:
            for name, errors in (exc.details or {"__all__": [exc.message]}).items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        else:
            header = form.columns[obj.field].header
            if obj.target:
                text = _("已添加：“%(f)s”的取值“%(s)s”读作“%(t)s”。")
            else:
                text = _("已添加：列名“%(s)s”读作“%(f)s”。")
            messages.success(request, text % {"f": header, "s": obj.source, "t": obj.target})
            return redirect(_page_url(cls, obj.field, obj.what))
    return _render(request, cls, form, status=400)


@for_administrators
@require_POST
def synonym_delete(request, pk):
    cls = _importer(request.POST.get("kind"))
    try:
        obj = mappings.delete_synonym(request.user, pk)
    except NotFound as exc:  # deleted a moment ago (another tab, a second click)
        messages.warning(request, exc.message)
        return redirect(_page_url(cls))
    messages.success(request, _("已删除同义词“%(s)s”。") % {"s": obj.source})
    return redirect(_page_url(importing.mapped_workbooks().get(obj.kind, cls), obj.field, obj.what))
