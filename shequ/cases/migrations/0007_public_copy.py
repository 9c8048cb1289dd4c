"""The public copy of a case stored with it (Case.public_*): computed when the case is written, so
that public reads select it instead of cleaning every row's text. Existing cases are filled here,
in batches of BATCH by id, with the same function intake uses (public.stored_copy)."""

from django.db import migrations, models

BATCH = 2000


def fill(apps, schema_editor):
    from shequ.cases.public import open311_address_id, stored_copy

    Case = apps.get_model("cases", "Case")
    table = Case._meta.db_table
    conn = schema_editor.connection
    fields = ("id", "description", "address", "lat", "lng", "requester_name", "resident__name", "attributes")
    last = 0
    while True:
        rows = list(Case.objects.filter(id__gt=last).order_by("id").values_list(*fields)[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        params = []
        for pk, description, address, lat, lng, requester, resident, attributes in rows:
            copy = stored_copy(
                description=description,
                address=address,
                lat=lat,
                lng=lng,
                names=(requester, resident or ""),
                address_id=open311_address_id(attributes),
            )
            params.append((*copy.values(), pk))
        with conn.cursor() as cur:
            cur.executemany(
                f"UPDATE {table} SET public_description = %s, public_address = %s, "  # noqa: S608
                "public_lat = %s, public_lng = %s WHERE id = %s",
                params,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_publication"),
        ("people", "0002_seed_tags"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="public_description",
            field=models.TextField(
                blank=True, db_default="", default="", editable=False, verbose_name="公开描述"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="public_address",
            field=models.CharField(
                blank=True, db_default="", default="", editable=False, max_length=200, verbose_name="公开地址"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="public_lat",
            field=models.FloatField(blank=True, editable=False, null=True, verbose_name="公开纬度"),
        ),
        migrations.AddField(
            model_name="case",
            name="public_lng",
            field=models.FloatField(blank=True, editable=False, null=True, verbose_name="公开经度"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
