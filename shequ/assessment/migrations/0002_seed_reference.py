from django.db import migrations

BANDS = (
    ("小型", 1000, 3000, 1),
    ("中型", 3000, 9000, 2),
    ("大型", 5000, 15000, 3),
    ("超大型", None, None, 4),
)


def seed(apps, schema_editor):
    from shequ.assessment.data.matters import MATTERS

    SizeBand = apps.get_model("assessment", "SizeBand")
    for name, h, r, order in BANDS:
        SizeBand.objects.get_or_create(
            name=name, defaults={"max_households": h, "max_residents": r, "order": order}
        )
    MatterGroup = apps.get_model("assessment", "MatterGroup")
    Matter = apps.get_model("assessment", "Matter")
    for n, (name, department, items) in enumerate(MATTERS, 1):
        g, created = MatterGroup.objects.get_or_create(
            number=n, defaults={"name": name, "department": department}
        )
        if created:
            Matter.objects.bulk_create(Matter(group=g, number=i, name=t) for i, t in enumerate(items, 1))


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
