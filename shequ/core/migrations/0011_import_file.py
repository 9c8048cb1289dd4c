"""An import's workbook in a row of its own (core.ImportFile): the batch's row is updated a dozen
times while it runs, and SQLite rewrites a row whole, the 30 MB workbook included."""

import django.db.models.deletion
from django.db import migrations, models


def move_files(apps, schema_editor):
    ImportBatch = apps.get_model("core", "ImportBatch")
    ImportFile = apps.get_model("core", "ImportFile")
    for pk in ImportBatch.objects.values_list("pk", flat=True).iterator():
        content = ImportBatch.objects.values_list("content", flat=True).get(pk=pk)
        ImportFile.objects.create(batch_id=pk, content=content)


def move_back(apps, schema_editor):
    ImportBatch = apps.get_model("core", "ImportBatch")
    ImportFile = apps.get_model("core", "ImportFile")
    for f in ImportFile.objects.iterator():
        ImportBatch.objects.filter(pk=f.batch_id).update(content=f.content)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_import_mapping"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportFile",
            fields=[
                (
                    "batch",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="file",
                        serialize=False,
                        to="core.importbatch",
                    ),
                ),
                ("content", models.BinaryField(editable=False)),
            ],
            options={"verbose_name": "导入文件", "verbose_name_plural": "导入文件"},
        ),
        migrations.RunPython(move_files, move_back),
        migrations.RemoveField(model_name="importbatch", name="content"),
    ]
