"""On SQLite, the indicators' index carries its figures' columns as key columns: SQLite has no
INCLUDE, so `case_scope_filed` (scope_code, filed_at) sent every case of a street-month to the
table for its seventeen figures. PostgreSQL keeps the INCLUDE index of 0003."""

from django.db import migrations

COLUMNS = (
    "scope_code, filed_at, status, closed_at, closed_on_time, deadline, dispatched_at, handled_at, "
    "handling_hours, rework_count, extension_count, return_count, callback_valid, callback_contacted, "
    "callback_solved, satisfaction, handler_kind, handler_code, handler_department, category_id, community_id"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP INDEX IF EXISTS case_scope_filed")
    schema_editor.execute(f"CREATE INDEX case_scope_filed ON cases_case ({COLUMNS})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP INDEX IF EXISTS case_scope_filed")
    schema_editor.execute("CREATE INDEX case_scope_filed ON cases_case (scope_code, filed_at)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_case_monthly")]

    operations = [migrations.RunPython(forwards, backwards)]
