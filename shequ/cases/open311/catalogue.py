"""The services Open311 publishes: minor categories that residents may file (public, active).

Every request reads them, so they are kept in the process for a few seconds (edits in this
process clear it at once; other worker processes follow within CACHE_SECONDS)."""

import time
from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shequ.cases.models import Category, LimitUnit, Status

CACHE_SECONDS = 10.0

# The specification's datatypes; a category's attributes use the same words.
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


@dataclass(frozen=True)
class Service:
    id: int
    code: str
    name: str
    group: str
    filing_condition: str
    notice: str  # what the requester may expect (service_notice)
    attributes: list = field(default_factory=list)


def _notice(c: Category) -> str:
    return _("派遣后 %(n)d 个%(u)s内处置；结案条件：%(c)s") % {
        "n": c.limit_value,
        "u": LimitUnit(c.limit_unit).label,
        "c": c.closure_condition or _("问题已处理"),
    }


# Per language (the texts are translated): {"at": monotonic time, "services": {...}, "labels": {...}}
_cache: dict[str, dict] = {}


def reset() -> None:
    """Forget the cached services (a category was edited) and the kept answers built on them."""
    from shequ.cases.open311 import cache

    _cache.clear()
    cache.clear()


@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
def _category_changed(**_kw):
    reset()


def _entry() -> dict:
    lang = get_language() or ""
    now = time.monotonic()
    entry = _cache.get(lang)
    if entry is None or now - entry["at"] > CACHE_SECONDS:
        rows = list(
            Category.objects.filter(parent__isnull=False, public=True, active=True)
            .select_related("parent")
            .order_by("code")
        )
        found = {
            c.code: Service(
                id=c.pk,
                code=c.code,
                name=c.name,
                group=c.parent.name,
                filing_condition=c.filing_condition,
                notice=_notice(c),
                attributes=list(c.attributes or []),
            )
            for c in rows
        }
        entry = {
            "at": now,
            # The rows themselves, for intake (services.submit_request takes a Category): read
            # only, shared by the requests of this process until the entry is renewed.
            "categories": {c.pk: c for c in rows},
            "services": found,
            "by_id": {s.id: s for s in found.values()},
            "labels": {s.value: str(s.label) for s in Status},
        }
        _cache[lang] = entry
    return entry


def services() -> dict[str, Service]:
    """Published services by code, in code order."""
    return _entry()["services"]


def by_id() -> dict[int, Service]:
    return _entry()["by_id"]


def category(service: Service):
    """The Category a published service stands for (as read with the catalogue)."""
    return _entry()["categories"][service.id]


def status_labels() -> dict[str, str]:
    """Our statuses in words (status_notes), in the request's language."""
    return _entry()["labels"]


def attribute_definitions(service: Service) -> list[dict]:
    """The service definition's attributes, complete and in order (spec fields, spec datatypes)."""
    out = []
    for i, a in enumerate(sorted(service.attributes, key=lambda a: a.get("order") or 0), start=1):
        datatype = a.get("datatype") if a.get("datatype") in DATATYPES else "string"
        values = [
            {"key": str(v.get("key")), "name": str(v.get("name", v.get("key")))}
            for v in a.get("values") or []
        ]
        out.append(
            {
                "variable": bool(a.get("variable", True)),
                "code": str(a.get("code")),
                "datatype": datatype,
                "required": bool(a.get("required", False)),
                "datatype_description": a.get("datatype_description") or _datatype_hint(datatype),
                "order": int(a.get("order") or i),
                "description": str(a.get("description") or a.get("code")),
                "values": values,
            }
        )
    return out


def _datatype_hint(datatype: str) -> str:
    return {
        "string": _("单行文字"),
        "number": _("数字"),
        "datetime": _("日期时间，如 2026-01-05T09:30:00+08:00"),
        "text": _("多行文字"),
        "singlevaluelist": _("从列表中选一项，提交 key"),
        "multivaluelist": _("从列表中选一项或多项，提交 key"),
    }[datatype]
