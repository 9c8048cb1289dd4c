import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.core import worktime
from shequ.core.errors import Forbidden, ValidationFailed
from shequ.core.models import CalendarDay, ChangeLogEntry

TZ = timezone.get_fixed_timezone(8 * 60)


def at(y, m, d, h=9, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    worktime.calendar.reset()
    yield
    worktime.calendar.reset()


@pytest.mark.django_db
def test_seeded_2026_holidays_and_make_up_days():
    assert CalendarDay.objects.filter(date=dt.date(2026, 10, 1)).get().name == "国庆节"
    assert not worktime.is_workday(dt.date(2026, 10, 1))  # Thursday, holiday
    assert worktime.is_workday(dt.date(2026, 10, 10))  # Saturday, make-up workday
    assert not worktime.is_workday(dt.date(2026, 11, 21))  # an ordinary Saturday
    assert worktime.year_known(2026) and worktime.year_known(2004)


@pytest.mark.django_db
def test_unpublished_year_falls_back_to_weekends_and_says_so():
    assert not worktime.year_known(2030)
    assert worktime.is_workday(dt.date(2030, 10, 1))  # no schedule entered: a Tuesday is a workday
    deadline = worktime.add_working_days(at(2026, 12, 30), 5)  # crosses into an unknown year: computed
    # Thu 31 Dec, then 2027 by weekdays only: Fri 1 Jan (not yet known as a holiday), Mon 4 … Wed 6.
    assert deadline == at(2027, 1, 6, 17, 30)
    assert worktime.unknown_years(at(2026, 12, 30), deadline) == [2027]


@pytest.mark.django_db
def test_working_days_skip_the_national_day_week():
    # Dispatched on Wednesday 30 Sept 2026; 1–7 Oct off; Sat 10 Oct is a make-up workday.
    assert worktime.add_working_days(at(2026, 9, 30, 15), 1) == at(2026, 10, 8, 17, 30)
    assert worktime.add_working_days(at(2026, 9, 30, 15), 3) == at(2026, 10, 10, 17, 30)


@pytest.mark.django_db
def test_working_hours_cross_lunch_evening_and_weekend():
    assert worktime.add_working_hours(at(2026, 11, 20, 11, 0), 2) == at(2026, 11, 20, 14, 30)
    # Friday 17:00 + 2 h → 30 min on Friday, then Monday 09:00 + 1.5 h.
    assert worktime.add_working_hours(at(2026, 11, 20, 17, 0), 2) == at(2026, 11, 23, 10, 30)
    # Outside hours the clock starts at the next period.
    assert worktime.add_working_hours(at(2026, 11, 21, 10, 0), 1) == at(2026, 11, 23, 10, 0)
    assert worktime.working_hours_between(at(2026, 11, 20, 11), at(2026, 11, 23, 10)) == pytest.approx(6.0)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31)),
    minutes=st.integers(min_value=0, max_value=60 * 400),
)
def test_adding_then_measuring_gives_back_the_hours(start, minutes):
    begin = start.replace(tzinfo=TZ)
    end = worktime.add_working_hours(begin, minutes / 60)
    assert end >= begin
    assert worktime.working_hours_between(begin, end) == pytest.approx(minutes / 60, abs=1e-6)


@pytest.mark.django_db
def test_administrators_edit_the_calendar_and_it_is_logged(world):
    admin = world.users["sysadmin"]
    worktime.set_day(admin, dt.date(2030, 10, 1), "holiday", "国庆节")
    worktime.set_day(admin, dt.date(2030, 9, 29), "workday", "国庆节调休")  # a Sunday
    assert not worktime.is_workday(dt.date(2030, 10, 1))
    assert worktime.is_workday(dt.date(2030, 9, 29))
    assert not worktime.year_known(2030)
    worktime.mark_year_entered(admin, 2030)
    assert worktime.year_known(2030)
    assert ChangeLogEntry.objects.filter(username=admin.username).count() == 3
    with pytest.raises(ValidationFailed):
        worktime.set_day(admin, dt.date(2030, 10, 8), "workday")  # a Tuesday is already a workday
    with pytest.raises(Forbidden):
        worktime.set_day(world.users["community_worker"], dt.date(2030, 10, 2), "holiday")
    worktime.remove_day(admin, dt.date(2030, 10, 1))
    assert worktime.is_workday(dt.date(2030, 10, 1))


@pytest.mark.django_db
def test_reseeding_keeps_manual_entries(world):
    worktime.set_day(world.users["sysadmin"], dt.date(2026, 10, 8), "holiday", "地方调整")
    result = worktime.seed_from_library(None)
    assert result["created"] == 0
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 8)).name == "地方调整"


@pytest.mark.django_db
def test_calendar_page_shows_status_and_only_administrators_edit(world):
    worker = world.client(world.users["community_worker"])
    page = worker.get("/calendar/", {"year": 2027}).content.decode()
    assert "尚未录入" in page and "录入一天" not in page
    r = worker.post("/calendar/?year=2027", {"action": "set", "date": "2027-10-01", "kind": "holiday"})
    assert r.status_code == 403 and not CalendarDay.objects.filter(date=dt.date(2027, 10, 1)).exists()
    admin = world.client(world.users["district"])
    r = admin.post(
        "/calendar/?year=2027", {"action": "set", "date": "2027-10-01", "kind": "holiday", "name": "国庆节"}
    )
    assert r.status_code == 302
    r = admin.post("/calendar/?year=2027", {"action": "set", "date": "2027-10-08", "kind": "workday"})
    assert r.status_code == 400 and "本来就是工作日" in r.content.decode()
    admin.post("/calendar/?year=2027", {"action": "year"})
    page = admin.get("/calendar/", {"year": 2027}).content.decode()
    assert "国庆节" in page and "已录入" in page
    assert admin.get("/calendar/", {"year": "abc"}).status_code == 200
