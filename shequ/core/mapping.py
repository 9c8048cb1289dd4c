"""Which column of a clerk's own ledger is which field, and what their values mean.

Synonyms come from three places, all plain data: the workbook's own headers and labels (the
template), `<app>/data/import_synonyms.json` shipped with each module, and those an administrator
adds (`ImportSynonym`). `guess` maps a sheet's columns by them; a `Mapping` the user confirmed in
the mapping step is saved under a name for the community (`ImportMapping`) and applied, without
questions, to the next file whose headers are the same.

A mapping travels as JSON keyed by the user's own header text, so it can be written by hand for
the command line and the API:

    {"columns": {"人口类型": "residence_type", "序号": ""},
     "values": {"education": {"高中": "普通高中"}},
     "sheet": "一网格", "hidden_rows": "import"}

"" ignores a column; "sheet" is one sheet's name or "*" (every sheet with the same header);
"hidden_rows" is "import" (the default) or "skip".
"""

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shequ.core.errors import ValidationFailed
from shequ.core.sheets import Layout, header_key, value_key

# Columns every ledger may have and no workbook reads: row numbers, and the two columns of our own
# error report (so a corrected report can be uploaded again as it is).
IGNORED_HEADERS = frozenset(
    header_key(h) for h in ("序号", "行号", "编号序号", "No", "NO.", "No.", "原行号", "错误原因")
)


@dataclass
class Synonyms:
    headers: dict  # header key → field key (every known name)
    canonical: set  # header keys of the template's own headers: a template file needs no confirming
    values: dict  # field key → {value key: Chinese label}

    def known(self) -> dict:
        return {**dict.fromkeys(IGNORED_HEADERS, ""), **self.headers}


def shipped_file(cls) -> Path:
    """`<app>/data/import_synonyms.json` of the module that defines the importer."""
    return Path(sys.modules[cls.__module__].__file__).parent / "data" / "import_synonyms.json"


@cache
def _shipped(path: str) -> dict:
    p = Path(path)
    if not p.exists():
        return {}
    return json.loads(p.read_text("utf-8"))


def shipped(cls) -> dict:
    """The synonyms shipped with an importer's module: {"headers": {field: [names]}, "values":
    {field: {as written: label}}} (empty when the module ships none)."""
    return _shipped(str(shipped_file(cls)))


def synonyms_for(cls) -> Synonyms:
    """The header and value synonyms of an importer: template, shipped file, administrators'."""
    from shequ.core.models import ImportSynonym, SynonymWhat

    headers, canonical, values = {}, set(), {}
    with translation.override(settings.LANGUAGE_CODE):  # ledgers are written in Chinese
        for c in cls.column_map().values():
            for name in (c.header, *c.aliases):
                key = header_key(str(name))
                headers.setdefault(key, c.key)
                canonical.add(key)
    data = shipped(cls)
    keys = set(cls.column_map())
    for fkey, names in data.get("headers", {}).items():
        if fkey in keys:
            for name in names:
                headers.setdefault(header_key(name), fkey)
    for fkey, table in data.get("values", {}).items():
        values.setdefault(fkey, {}).update({value_key(k): v for k, v in table.items()})
    for s in ImportSynonym.objects.filter(kind=cls.kind) if cls.kind else ():
        if s.what == SynonymWhat.HEADER and s.field in keys:
            headers[header_key(s.source)] = s.field
        elif s.what == SynonymWhat.VALUE:
            values.setdefault(s.field, {})[value_key(s.source)] = s.target
    return Synonyms(headers, canonical, values)


@dataclass
class Mapping:
    columns: dict  # source column index → field key
    labels: dict  # source column index → the user's header
    values: dict = field(default_factory=dict)  # field key → {value key: label}: the user's own
    sheet: str = ""  # "" the sheet the header was found in; a name; "*" every sheet alike
    skip_hidden: bool = False
    name: str = ""  # the saved mapping it came from or was saved as
    source: str = "guess"  # template | saved | confirmed | file | guess

    def to_json(self) -> dict:
        return {
            "columns": {label: self.columns.get(i, "") for i, label in sorted(self.labels.items())},
            "values": {k: dict(v) for k, v in self.values.items() if v},
            "sheet": self.sheet,
            "hidden_rows": "skip" if self.skip_hidden else "import",
        }


def from_json(
    data, layout: Layout, cls, *, syn: Synonyms | None = None, source: str = "file", name: str = ""
) -> Mapping:
    """A mapping written as JSON (saved, confirmed in the page, or a file) applied to a sheet's
    columns. A header the file does not have is ignored; one the mapping does not name is guessed."""
    check(data, cls)
    keys = set(cls.column_map())
    by_label = {header_key(k): v for k, v in data.get("columns", {}).items()}
    syn = syn or synonyms_for(cls)
    guessed = guess(layout, cls, syn)[0]
    columns, taken = {}, set()
    for c in layout.columns:
        k = by_label.get(header_key(c.label))
        if k is None:
            k = guessed.columns.get(c.index)
        if k and k not in taken:
            columns[c.index] = k
            taken.add(k)
    values = {}
    for fkey, table in (data.get("values") or {}).items():
        if fkey in keys and isinstance(table, dict):
            values[fkey] = {value_key(s): str(t or "") for s, t in table.items()}  # "": not translated
    sheet = str(data.get("sheet") or "")
    return Mapping(
        columns,
        {c.index: c.label for c in layout.columns},
        values,
        sheet=sheet,
        skip_hidden=data.get("hidden_rows") == "skip",
        name=name,
        source=source,
    )


def guess(layout: Layout, cls, syn: Synonyms) -> tuple[Mapping, bool]:
    """Map each source column by its header's synonyms; `sure` when every column is named as the
    template names it (or is a row number) and nothing required is missing."""
    columns, taken = {}, set()
    sure = True
    for c in layout.columns:
        hit = None
        for n in c.names:
            if n in IGNORED_HEADERS:
                hit = ""
                break
            k = syn.headers.get(n)
            if k and k not in taken:
                hit = k
                sure = sure and n in syn.canonical
                break
        if hit is None:
            sure = False
        elif hit:
            columns[c.index] = hit
            taken.add(hit)
    mapping = Mapping(
        columns, {c.index: c.label for c in layout.columns}, source="template" if sure else "guess"
    )
    return mapping, sure and not missing_required(mapping, cls)


HIDDEN_ROWS = ("import", "skip")


def check(data, cls) -> None:
    """Refuse, before anything is read, a mapping written as JSON (a file, an API body) that names
    a field the workbook does not have, reads a value as a label that is not one of the field's
    choices, or is not of the documented shape. Headers the file lacks are not checked here."""
    cols = cls.column_map()
    shape = _('映射格式不正确：应为 {"columns": {"表头": "字段"}, "values": {"字段": {"写法": "选项"}}}。')
    if not isinstance(data, dict):
        raise ValidationFailed(shape, code="bad_mapping")
    columns, values = data.get("columns", {}), data.get("values") or {}
    if not isinstance(columns, dict) or not isinstance(values, dict):
        raise ValidationFailed(shape, code="bad_mapping")
    if not all(isinstance(v, str) for v in columns.values()) or not all(
        isinstance(t, dict) and all(isinstance(x, str) for x in t.values()) for t in values.values()
    ):
        raise ValidationFailed(shape, code="bad_mapping")
    details = {}
    unknown = sorted({k for k in columns.values() if k and k not in cols})
    if unknown:
        details["columns"] = [
            _("映射中的字段“%(f)s”不存在，可用的字段：%(k)s。")
            % {"f": "、".join(unknown), "k": "、".join(sorted(cols))}
        ]
    problems = []
    with translation.override(settings.LANGUAGE_CODE):
        for fkey, table in values.items():
            col = cols.get(fkey)
            if col is None or col.kind != "choice":
                problems.append(_("“%(f)s”不是有可选项的字段，不能为它指定取值的对应。") % {"f": fkey})
                continue
            labels = col.labels()
            known = {value_key(label) for label in labels}
            wrong = [t for t in table.values() if t and value_key(t) not in known]
            if wrong:
                problems.append(
                    _("“%(h)s”没有可选项“%(v)s”，可选项为：%(o)s。")
                    % {"h": col.header, "v": "、".join(wrong[:5]), "o": "、".join(labels[:20])}
                )
    if problems:
        details["values"] = problems
    hidden = data.get("hidden_rows", "import") or "import"
    if hidden not in HIDDEN_ROWS:
        details["hidden_rows"] = [_("hidden_rows 只能是 import（导入隐藏行）或 skip（跳过隐藏行）。")]
    if not isinstance(data.get("sheet", "") or "", str):
        details["sheet"] = [_("sheet 应为工作表名称，或 * 表示表头相同的全部工作表。")]
    if details:
        raise ValidationFailed(next(iter(details.values()))[0], details=details, code="bad_mapping")


def missing_required(mapping: Mapping, cls) -> list:
    """The required columns a mapping leaves without a source."""
    return uncovered_required(cls, mapping.columns.values())


def uncovered_required(cls, keys) -> list:
    """The required columns none of these fields fills (a split address fills its parts)."""
    cols = cls.column_map()
    covered = set(keys)
    for k in list(covered):
        if k in cols:
            covered.update(cols[k].fills)
    return [c for c in cols.values() if c.required and c.key not in covered]


def value_report(layout: Layout, mapping: Mapping, cls, syn: Synonyms, rows=None) -> dict:
    """Per mapped choice column, the values the file holds that are not the workbook's own labels:
    {field: [{"value", "rows", "label"}]} with label the synonym's (or the user's) reading, or ""
    when nothing reads it. `rows` ((line, row) pairs, default the layout's) is read once."""
    cols = cls.column_map()
    choice = {i: k for i, k in mapping.columns.items() if cols[k].kind == "choice"}
    exact = {i: {value_key(t) for t in cols[k].lookup()} for i, k in choice.items()}
    counts = {i: Counter() for i in choice}
    first = {i: {} for i in choice}
    body = rows if rows is not None else ((line, raw) for line, raw, _h in layout.rows())
    for _line, raw in body:
        n = len(raw)
        for i in choice:
            v = raw[i] if i < n else None
            if v is None or v == "":
                continue
            vk = value_key(v if isinstance(v, str) else _plain(v))
            if vk and vk not in exact[i]:
                counts[i][vk] += 1
                first[i].setdefault(vk, str(v).strip()[:40])
    out = {}
    for i, k in choice.items():
        if counts[i]:
            table = {**syn.values.get(k, {}), **mapping.values.get(k, {})}
            out[k] = [
                {"value": first[i][vk], "rows": n, "label": table.get(vk, "")}
                for vk, n in counts[i].most_common(60)
            ]
    return out


def _plain(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def saved_for(cls, scope_code: str, layout: Layout, name: str = ""):
    """The saved mapping of this community to apply: by name, or the one for the same headers."""
    from shequ.core.models import ImportMapping

    qs = ImportMapping.objects.filter(kind=cls.kind, scope_code=scope_code[:12])
    if name:
        return qs.filter(name=name).first()
    return qs.filter(signature=layout.signature[:2000]).first()


def require_saved(cls, scope_code: str, name: str):
    """The community's saved mapping of this name, or a refusal that says so."""
    from shequ.core.models import ImportMapping

    found = ImportMapping.objects.filter(kind=cls.kind, scope_code=scope_code[:12], name=name).first()
    if found is None:
        raise ValidationFailed(_("本社区没有名为“%(m)s”的已保存映射。") % {"m": name}, code="unknown_mapping")
    return found


def save(actor, cls, scope_code: str, name: str, signature: str, data: dict):
    """Keep a confirmed mapping (as JSON) under a name for the community; a second save of the
    name replaces it."""
    from shequ.core import changelog
    from shequ.core.models import Action, ImportMapping

    before = ImportMapping.objects.filter(kind=cls.kind, scope_code=scope_code[:12], name=name[:60]).first()
    obj, created = ImportMapping.objects.update_or_create(
        kind=cls.kind,
        scope_code=scope_code[:12],
        name=name[:60],
        defaults={
            "signature": signature[:2000],
            "mapping": data,
            "created_by": actor,
            "used_at": timezone.now(),
        },
    )
    changelog.record(
        actor,
        Action.CREATE if created else Action.UPDATE,
        obj,
        before=None if created else changelog.snapshot(before),
        after=changelog.snapshot(obj),
        note=_("保存导入映射“%(m)s”") % {"m": obj.name},
    )
    return obj


def delete_saved(actor, pk: int) -> None:
    """Delete a community's saved mapping: by those who may import that kind of workbook there."""
    from shequ.core import changelog, services
    from shequ.core.importing import importer_for
    from shequ.core.models import Action, ImportMapping

    with transaction.atomic():
        obj = services.get_visible(ImportMapping, actor, pk, for_update=True)
        services.require(actor, importer_for(obj.kind).perm, obj.scope_code)
        before = changelog.snapshot(obj)
        obj.delete()
        obj.pk = pk
        changelog.record(
            actor, Action.DELETE, obj, before=before, note=_("删除导入映射“%(m)s”") % {"m": obj.name}
        )


def saved_list(cls, scope_code: str):
    from shequ.core.models import ImportMapping

    return list(ImportMapping.objects.filter(kind=cls.kind, scope_code=scope_code[:12])[:50])


# --- administrators' synonyms -------------------------------------------------------------------
SYNONYM_PERM = "core.manage_import_synonyms"


def _header_of(col) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(col.header)


def _refuse(message, field_name: str, code: str):
    return ValidationFailed(message, details={field_name: [str(message)]}, code=code)


def add_synonym(actor, kind: str, field_key: str, what: str, source: str, target: str = ""):
    """An administrator's synonym for one field of an importer, for every community's imports:
    a header name, or a value clerks write for one of a choice field's labels. Refused when the
    name already reads as a field, or the value already reads as it is or as that label."""
    from django.db import IntegrityError, transaction

    from shequ.core import changelog, services
    from shequ.core.importing import mapped_workbooks
    from shequ.core.models import Action, ImportSynonym, SynonymWhat

    services.require(actor, SYNONYM_PERM)
    cls = mapped_workbooks().get(kind)
    if cls is None:
        raise ValidationFailed(_("未知的导入类型。"), code="unknown_import")
    cols = cls.column_map()
    col = cols.get(field_key)
    if col is None:
        raise _refuse(_("请从列表中选择字段。"), "field", "unknown_field")
    header = _header_of(col)
    source = " ".join(str(source or "").split())
    if not source:
        raise _refuse(_("请填写台账中的写法。"), "source", "required")
    if len(source) > 100:
        raise _refuse(_("写法过长（%(n)d 字），最多 100 字。") % {"n": len(source)}, "source", "too_long")
    syn = synonyms_for(cls)
    admin = ImportSynonym.objects.filter(kind=cls.kind, what=what)
    if what == SynonymWhat.HEADER:
        target = ""
        key = header_key(source)
        if not key:
            raise _refuse(_("请填写列名。"), "source", "required")
        if key in IGNORED_HEADERS:
            raise _refuse(
                _("“%(s)s”这样的序号列导入时总是略过，不能作为“%(f)s”的列名。") % {"s": source, "f": header},
                "source",
                "ignored_header",
            )
        owner = syn.headers.get(key)
        if owner == field_key:
            raise _refuse(
                _("“%(s)s”已是“%(f)s”的列名，无需重复添加。") % {"s": source, "f": header},
                "source",
                "duplicate",
            )
        if owner:
            other = _header_of(cols[owner])
            mine = next((s for s in admin.filter(field=owner) if header_key(s.source) == key), None)
            hint = (
                _("如要改为“%(f)s”，请先在“%(o)s”下删除这条同义词。")
                if mine
                else _("这是内置的列名，一个列名只能对应一个字段，请换一个写法。")
            ) % {"f": header, "o": other}
            raise _refuse(
                _("“%(s)s”已是“%(o)s”的列名。") % {"s": source, "o": other} + hint,
                "source",
                "header_taken",
            )
    elif what == SynonymWhat.VALUE:
        if col.kind != "choice":
            raise _refuse(
                _("“%(f)s”不是选项字段，只能添加列名；取值同义词只用于带下拉选项的字段。") % {"f": header},
                "what",
                "not_a_choice",
            )
        labels = col.labels()
        if not target:
            raise _refuse(_("请选择这个写法对应“%(f)s”的哪个选项。") % {"f": header}, "target", "required")
        if target not in labels:
            raise _refuse(
                _("“%(t)s”不是“%(f)s”的选项，请从列表中选择：%(o)s。")
                % {"t": target, "f": header, "o": "、".join(labels)},
                "target",
                "unknown_label",
            )
        vk = value_key(source)
        if vk in {value_key(k) for k in col.lookup()}:
            raise _refuse(
                _("“%(s)s”本身就是“%(f)s”的选项，导入时直接识别，无需添加同义词。")
                % {"s": source, "f": header},
                "source",
                "is_a_label",
            )
        mine = next((s for s in admin.filter(field=field_key) if value_key(s.source) == vk), None)
        if mine is not None:
            raise _refuse(
                (
                    _("“%(s)s”已添加过，读作“%(t)s”。")
                    if mine.target == target
                    else _("“%(s)s”已设为读作“%(t)s”；如要改为“%(n)s”，请先删除那条同义词。")
                )
                % {"s": source, "t": mine.target, "n": target},
                "source",
                "duplicate",
            )
        if syn.values.get(field_key, {}).get(vk) == target:
            raise _refuse(
                _("“%(s)s”已是内置同义词，读作“%(t)s”，无需添加。") % {"s": source, "t": target},
                "source",
                "duplicate",
            )
        # A value a shipped synonym reads otherwise is allowed: the administrator's reading wins.
    else:
        raise _refuse(_("请选择类别：列名或取值。"), "what", "unknown_what")
    try:
        with transaction.atomic():
            obj = ImportSynonym.objects.create(
                kind=cls.kind, field=field_key, what=what, source=source, target=target, created_by=actor
            )
            changelog.record(
                actor,
                Action.CREATE,
                obj,
                after=changelog.snapshot(obj),
                scope_code="",
                note=_synonym_note(cls, col, obj),
            )
    except IntegrityError:  # the same synonym added at the same moment in another tab
        raise _refuse(_("“%(s)s”已添加过，无需重复添加。") % {"s": source}, "source", "duplicate") from None
    return obj


def delete_synonym(actor, pk):
    """Take back an administrator's synonym (the shipped ones are not deletable); logged."""
    from django.db import transaction

    from shequ.core import changelog, services
    from shequ.core.errors import NotFound
    from shequ.core.importing import mapped_workbooks
    from shequ.core.models import Action, ImportSynonym

    services.require(actor, SYNONYM_PERM)
    with transaction.atomic():
        obj = ImportSynonym.objects.select_for_update().filter(pk=pk).first()
        if obj is None:
            raise NotFound(_("该同义词已不存在，可能已被删除。"))
        before = changelog.snapshot(obj)
        cls = mapped_workbooks().get(obj.kind)
        col = cls.column_map().get(obj.field) if cls else None
        note = _synonym_note(cls, col, obj)
        kept = obj.pk
        obj.delete()
        obj.pk = kept
        changelog.record(actor, Action.DELETE, obj, before=before, scope_code="", note=note)
    return obj


def _synonym_note(cls, col, obj) -> str:
    """How the change log names a synonym: 居民信息 · 文化程度：取值“大专文化”读作“大学专科”."""
    with translation.override(settings.LANGUAGE_CODE):
        title = str(cls.title) if cls else obj.kind
        header = str(col.header) if col else obj.field
    if obj.target:
        return _("%(k)s · %(f)s：取值“%(s)s”读作“%(t)s”") % {
            "k": title,
            "f": header,
            "s": obj.source,
            "t": obj.target,
        }
    return _("%(k)s · %(f)s：列名“%(s)s”") % {"k": title, "f": header, "s": obj.source}
