from django.db import migrations

from shequ.archives.data import schedule


def seed(apps, schema_editor):
    """The classes, problem codes and starting retention schedule of data/schedule.py (to be confirmed
    and edited by the district archive bureau)."""
    ArchiveClass = apps.get_model("archives", "ArchiveClass")
    Topic = apps.get_model("archives", "Topic")
    ScheduleEntry = apps.get_model("archives", "ScheduleEntry")
    classes = {}
    for code, name, order in schedule.CLASSES:
        classes[code], _ = ArchiveClass.objects.update_or_create(
            code=code, defaults={"name": name, "order": order}
        )
    topics = {}
    for cls, code, name in schedule.TOPICS:
        topics[(cls, code)], _ = Topic.objects.update_or_create(
            archive_class=classes[cls], code=code, defaults={"name": name}
        )
    for code, cls, topic, description, retention, expected in schedule.SCHEDULE:
        ScheduleEntry.objects.update_or_create(
            code=code,
            defaults={
                "archive_class": classes[cls],
                "topic": topics[(cls, topic)],
                "description": description,
                "retention": retention,
                "expected": expected,
            },  # fmt: skip
        )


def unseed(apps, schema_editor):
    apps.get_model("archives", "ScheduleEntry").objects.filter(
        code__in=[s[0] for s in schedule.SCHEDULE]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("archives", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
