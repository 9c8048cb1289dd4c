from django.db import migrations


def seed(apps, schema_editor):
    from shequ.people.tags import DEFAULT_GRANT, DEFAULT_TAGS

    TagDefinition = apps.get_model("people", "TagDefinition")
    for order, (code, name, sensitivity, rule, interval, detail) in enumerate(DEFAULT_TAGS, start=1):
        TagDefinition.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "sensitivity": sensitivity,
                "rule": rule,
                "visit_interval_days": interval,
                "detail_fields": detail,
                "granted_roles": [str(r) for r in DEFAULT_GRANT] if sensitivity == "highly_sensitive" else [],
                "sort_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
