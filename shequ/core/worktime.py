"""Working time: statutory holidays and make-up workdays from the database (pre-filled from
`chinese-calendar`, editable by administrators), and deadline arithmetic in working days and hours.

A year without an entered State Council schedule falls back to "Saturday and Sunday off" and is
reported as such (`year_known`), so a deadline that crosses into it is computed, never refused.

Conventions:
- working hours are the periods of SHEQU_WORK_HOURS (default 09:00–12:00, 13:30–17:30, Asia/Shanghai);
- N working days from a moment end at the close of the N-th working day after that moment's day
  (the day of dispatch does not count);
- N working hours from a moment are counted only inside working periods.
"""

import datetime as dt
import threading
import time
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog
from shequ.core.errors import ValidationFailed
from shequ.core.holiday_names import HOLIDAY_NAMES
from shequ.core.models import Action, CalendarDay, CalendarYear, DayKind
from shequ.core.services import require

SOURCE_LIBRARY = "chinese-calendar"
RELOAD_SECONDS = 60.0  # another process's edits are seen within this time


def _parse_periods(spec: str) -> list[tuple[dt.time, dt.time]]:
    periods = []
    for part in spec.split(","):
        start, _sep, end = part.strip().partition("-")
        a, b = dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())
        if b <= a:
            raise ValueError(f"working period {part!r} ends before it starts")
        periods.append((a, b))
    return sorted(periods)


def work_periods() -> list[tuple[dt.time, dt.time]]:
    return _parse_periods(getattr(settings, "WORK_HOURS", "09:00-12:00,13:30-17:30"))


class _Calendar:
    """The exceptions and known years, held in memory; reloaded after an edit or a minute."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self._days: dict[dt.date, str] = {}
        self._years: set[int] = set()

    def reset(self) -> None:
        self._loaded_at = 0.0

    def _ensure(self) -> None:
        if time.monotonic() - self._loaded_at < RELOAD_SECONDS and self._loaded_at:
            return
        with self._lock:
            self._days = dict(CalendarDay.objects.values_list("date", "kind"))
            self._years = set(CalendarYear.objects.values_list("year", flat=True))
            self._loaded_at = time.monotonic()

    def is_workday(self, day: dt.date) -> bool:
        self._ensure()
        kind = self._days.get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < 5

    def year_known(self, year: int) -> bool:
        self._ensure()
        return year in self._years


calendar = _Calendar()


def is_workday(day: dt.date) -> bool:
    return calendar.is_workday(day)


def year_known(year: int) -> bool:
    """Has the holiday schedule of this year been entered (or only weekends are assumed)?"""
    return calendar.year_known(year)


def unknown_years(start: dt.datetime, end: dt.datetime) -> list[int]:
    """Years in [start, end] computed with weekends only: pages show a notice for them."""
    a, b = timezone.localtime(start).year, timezone.localtime(end).year
    return [y for y in range(min(a, b), max(a, b) + 1) if not year_known(y)]


def _periods_on(day: dt.date):
    tz = timezone.get_current_timezone()
    for a, b in work_periods():
        yield (
            timezone.make_aware(dt.datetime.combine(day, a), tz),
            timezone.make_aware(dt.datetime.combine(day, b), tz),
        )


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The close of the `days`-th working day after start's day."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = timezone.localtime(start).date()
    if days == 0:
        return max(b for _a, b in _periods_on(day))
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return max(b for _a, b in _periods_on(day))


def add_working_hours(start: dt.datetime, hours) -> dt.datetime:
    """The moment when `hours` of working time have passed since start."""
    remaining = dt.timedelta(hours=float(Decimal(str(hours))))
    if remaining < dt.timedelta(0):
        raise ValueError("hours must not be negative")
    current = timezone.localtime(start)
    day = current.date()
    for _guard in range(3660):  # ten years of days: a limit no real deadline reaches
        if is_workday(day):
            for a, b in _periods_on(day):
                if current >= b:
                    continue
                begin = max(current, a)
                if begin + remaining <= b:
                    return begin + remaining
                remaining -= b - begin
                current = b
        day += dt.timedelta(days=1)
        current = timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())
    raise ValueError("deadline further than ten years away")


def working_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Working hours in [start, end] (negative when end precedes start)."""
    if end < start:
        return -working_hours_between(end, start)
    total = dt.timedelta(0)
    day, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    while day <= last:
        if is_workday(day):
            for a, b in _periods_on(day):
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += hi - lo
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600


# --- keeping the calendar -----------------------------------------------------------------------


@transaction.atomic
def seed_from_library(actor=None) -> dict:
    """Enter every year chinese-calendar knows; days an administrator entered by hand are kept."""
    from chinese_calendar import constants

    manual = set(CalendarDay.objects.exclude(source=SOURCE_LIBRARY).values_list("date", flat=True))
    rows = [(d, DayKind.HOLIDAY, n) for d, n in constants.holidays.items()]
    rows += [(d, DayKind.WORKDAY, n) for d, n in constants.workdays.items()]
    created = updated = 0
    existing = {c.date: c for c in CalendarDay.objects.filter(source=SOURCE_LIBRARY)}
    new = []
    for day, kind, name in rows:
        if day in manual:
            continue
        label = HOLIDAY_NAMES.get(name, name)
        old = existing.get(day)
        if old is None:
            new.append(CalendarDay(date=day, kind=kind, name=label, source=SOURCE_LIBRARY))
        elif (old.kind, old.name) != (kind, label):
            CalendarDay.objects.filter(pk=old.pk).update(kind=kind, name=label)
            updated += 1
    CalendarDay.objects.bulk_create(new, batch_size=500)
    created = len(new)
    years = {d.year for d, _k, _n in rows}
    for y in years:
        CalendarYear.objects.get_or_create(year=y, defaults={"source": SOURCE_LIBRARY})
    calendar.reset()
    result = {"created": created, "updated": updated, "years": f"{min(years)}–{max(years)}"}
    changelog.record(
        actor,
        Action.IMPORT,
        None,
        scope_code="",
        note=_("导入节假日安排（chinese-calendar）：新增 %(c)d，更新 %(u)d，年份 %(y)s")
        % {"c": created, "u": updated, "y": result["years"]},
    )
    return result


@transaction.atomic
def set_day(actor, day: dt.date, kind: str, name: str = "") -> CalendarDay:
    """Enter or change one holiday or make-up workday (administrators)."""
    if actor is not None:
        require(actor, "core.manage_calendar")
    if kind not in DayKind.values:
        raise ValidationFailed(_("类别应为法定节假日或调休上班日。"))
    if kind == DayKind.WORKDAY and day.weekday() < 5:
        raise ValidationFailed(_("%(d)s 本来就是工作日，无需登记为调休上班。") % {"d": day.isoformat()})
    obj, created = CalendarDay.objects.select_for_update().get_or_create(
        date=day, defaults={"kind": kind, "name": name, "source": "manual"}
    )
    before = None if created else changelog.snapshot(obj)
    if not created:
        obj.kind, obj.name, obj.source = kind, name, "manual"
        obj.save()
    calendar.reset()
    changelog.record(
        actor,
        Action.CREATE if created else Action.UPDATE,
        obj,
        before=before,
        after=changelog.snapshot(obj),
        scope_code="",
    )
    return obj


@transaction.atomic
def remove_day(actor, day: dt.date) -> None:
    if actor is not None:
        require(actor, "core.manage_calendar")
    obj = CalendarDay.objects.select_for_update().filter(date=day).first()
    if obj is None:
        return
    before = changelog.snapshot(obj)
    obj.delete()
    calendar.reset()
    changelog.record(
        actor,
        Action.DELETE,
        None,
        before=before,
        scope_code="",
        note=_("删除 %(d)s 的节假日安排") % {"d": day.isoformat()},
    )


@transaction.atomic
def mark_year_entered(actor, year: int) -> None:
    """Declare a year's schedule complete (e.g. a year with no make-up days entered by hand)."""
    if actor is not None:
        require(actor, "core.manage_calendar")
    CalendarYear.objects.get_or_create(year=year)
    calendar.reset()
    changelog.record(
        actor, Action.UPDATE, None, scope_code="", note=_("%(y)d 年节假日安排已录入") % {"y": year}
    )
