"""Pre-fill statutory holidays and make-up workdays from chinese-calendar (years 2004 onwards that
the installed version knows). Later years are entered by administrators or by
`shequ calendar seed` after upgrading chinese-calendar."""

from django.db import migrations

from shequ.core.holiday_names import HOLIDAY_NAMES


def seed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    rows = [(d, "holiday", n) for d, n in constants.holidays.items()]
    rows += [(d, "workday", n) for d, n in constants.workdays.items()]
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=d, kind=k, name=HOLIDAY_NAMES.get(n, n), source="chinese-calendar")
            for d, k, n in rows
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    for year in sorted({d.year for d, _k, _n in rows}):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "chinese-calendar"})


class Migration(migrations.Migration):
    dependencies = [("core", "0003_calendar")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
