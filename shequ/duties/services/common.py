"""What every act of the duties module shares: errors, codes, document numbers, the insert step."""

from django.utils import timezone

from shequ.core import changelog, numbering
from shequ.core.errors import ValidationFailed
from shequ.core.models import Action
from shequ.core.services import _clean


def _invalid(field: str, message) -> ValidationFailed:
    return ValidationFailed(message, details={field: [str(message)]})


def ancestor_codes(code: str) -> list[str]:
    """The district and street codes above (and including) an org code."""
    return [code[:n] for n in (6, 9, 12) if len(code) >= n]


def _year(day=None) -> int:
    return (day or timezone.localdate()).year


def _serial(key: str, width: int = 4) -> str:
    return f"{numbering.next_value(key):0{width}d}"


def _doc_number(org, word: str, series: str, width: int = 4, year: int | None = None) -> str:
    """A document number in the usual form, e.g. 宁安社区证〔2026〕0001号: one gap-free series per
    issuing unit, kind of document and year."""
    year = year or _year()
    return f"{org.display_name}{word}〔{year}〕{_serial(f'duties.{series}.{org.code}.{year}', width)}号"


def _insert(actor, obj):
    """Validate, save and log a new row (the acts that create one row and nothing else)."""
    _clean(obj)
    obj.save()
    changelog.record(actor, Action.CREATE, obj, after=changelog.snapshot(obj))
    return obj
