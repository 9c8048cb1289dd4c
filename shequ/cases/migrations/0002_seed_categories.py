"""Seed the category tree (CJ/T 214 event classes and community service classes)."""

from django.db import migrations


def seed(apps, schema_editor):
    from shequ.cases.data.categories import seed as seed_categories

    seed_categories(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
