"""Due dates of residents never visited, recomputed from when their visit duty began (the day the
tag was recorded on the platform, or its start if later) instead of the tag's start alone."""

from django.db import migrations


def recompute(apps, schema_editor):
    # The rule lives in the service (tag intervals, blind tag keys); it reads and writes only
    # columns that exist from this migration on.
    from shequ.people.models import Resident
    from shequ.people.services import refresh_visit_policies

    ids = list(Resident.objects.filter(last_visit_on__isnull=True).values_list("pk", flat=True))
    if ids:
        refresh_visit_policies(ids)


class Migration(migrations.Migration):
    dependencies = [("people", "0002_seed_tags")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
