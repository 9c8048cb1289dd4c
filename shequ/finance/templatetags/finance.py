"""Money on the finance pages: whole yuan as `floatformat:"0g"` writes them (half up, grouped as the
language groups digits), without its cost — a district's overview writes some thousand of them."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats, numberformat
from django.utils.translation import get_language

register = template.Library()
ONE = Decimal(1)
_grouping: dict[str | None, tuple] = {}


def _group_of(lang) -> tuple:
    g = _grouping.get(lang)
    if g is None:
        g = _grouping[lang] = (
            formats.get_format("NUMBER_GROUPING", lang),
            formats.get_format("THOUSAND_SEPARATOR", lang),
        )
    return g


@register.filter(is_safe=True)
def yuan(value) -> str:
    """1234567.5 → "1,234,568" in English, "1234568" in Chinese (no separator): the same text as
    floatformat:"0g"; "" for nothing."""
    if value is None or value == "":
        return ""
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
        n = int(d.quantize(ONE, rounding=ROUND_HALF_UP))  # -0.4 → 0, never "-0"
    except (InvalidOperation, ValueError, TypeError, OverflowError):
        return ""
    grouping, sep = _group_of(get_language())
    if not grouping or not sep:
        return str(n)
    return numberformat.format(n, ".", 0, grouping, sep, force_grouping=True)
