"""core.bulk: reserved ids, and `__among` with keys that need quoting in an array literal."""

import pytest

from shequ.core import bulk
from shequ.org.models import Building


@pytest.mark.django_db
def test_among_finds_texts_that_need_quoting(world):
    odd = ['a"b', "c\\d", "e,f", "{g}", "h i", "NULL", "", "中文"]
    for n, number in enumerate(odd):
        Building.objects.create(grid=world.grid_a, compound=f"小区{n}", number=number)
    found = Building.objects.filter(number__among=[*odd, "absent"]).values_list("number", flat=True)
    assert sorted(found) == sorted(odd)
    assert not Building.objects.filter(number__among=[]).exists()


@pytest.mark.django_db(transaction=True)
def test_reserved_ids_are_taken_by_nobody_else(world):
    from django.db import transaction

    with transaction.atomic():
        ids = bulk.reserve_ids(Building, 3)
        assert len(set(ids)) == 3
        after = Building.objects.create(grid=world.grid_a, compound="后来", number="1")
        assert after.pk > max(ids)
        bulk.insert(
            Building,
            [
                "id",
                "scope_code",
                "created_at",
                "updated_at",
                "version",
                "grid_id",
                "compound",
                "number",
                "address",
            ],
            [
                (
                    i,
                    world.grid_a.code,
                    after.created_at,
                    after.created_at,
                    1,
                    world.grid_a.pk,
                    "预留",
                    str(i),
                    "",
                )
                for i in ids
            ],
        )
    assert sorted(Building.objects.filter(compound="预留").values_list("pk", flat=True)) == sorted(ids)
