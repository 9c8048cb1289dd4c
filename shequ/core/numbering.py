"""Gap-free serial numbers per key (e.g. one certificate sequence per community and year)."""

from django.db import IntegrityError, transaction

from shequ.core.models import Counter


def next_value(key: str) -> int:
    """The next number of `key`, taken under a row lock so that two issuers never share one; it
    belongs to the caller's transaction, so a rolled-back act gives its number back."""
    with transaction.atomic():
        row = Counter.objects.select_for_update().filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = Counter.objects.create(key=key, value=0)
            except IntegrityError:  # created meanwhile by a concurrent caller
                row = Counter.objects.select_for_update().get(key=key)
        row.value += 1
        row.save(update_fields=["value"])
        return row.value
