"""When a visit falls due: counted from the last visit or, for someone never visited, from when the
visit duty began (a tag's start, but not before the registry recorded the tag), never from a
tag's start years before the resident was on the platform."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from shequ.people import services
from shequ.people.models import Resident, ResidentTag, TagDefinition, duty_start, visit_policy
from tests.people.factories import make_resident

LONG_AGO = dt.date(2018, 3, 1)  # 独居 since 2018, registered on the platform today


def _due_page(world, user="community_lead") -> str:
    return world.client(world.users[user]).get(reverse("people:visits-due"), {"days": "30"}).content.decode()


def test_duty_start_is_the_tags_start_but_not_before_it_was_recorded():
    today = dt.date(2026, 12, 7)
    assert duty_start(LONG_AGO, today) == today
    assert duty_start(today - dt.timedelta(days=3), today - dt.timedelta(days=10)) == today - dt.timedelta(
        days=3
    )
    assert duty_start(None, today) == today
    assert visit_policy("active", [(30, today), (7, today - dt.timedelta(days=2))]) == (
        7,
        today - dt.timedelta(days=2) + dt.timedelta(days=7),
    )
    # A visit, whenever it was, is what the next one counts from.
    assert visit_policy("active", [(7, today)], last_visit_on=today - dt.timedelta(days=9))[1] == (
        today - dt.timedelta(days=2)
    )


def test_a_tag_dated_back_years_is_due_from_the_day_it_is_recorded(world):
    today = timezone.localdate()
    r = make_resident(world, "a")
    services.set_tag(world.users["community_lead"], r.pk, "living_alone", start_date=LONG_AGO)
    r.refresh_from_db()
    assert r.last_visit_on is None
    assert r.next_visit_due == today + dt.timedelta(days=7), "not 2018 + 7 days"
    page = _due_page(world)
    assert r.name in page
    assert not re.search(r"超期 \d+ 天", page), "never visited, registered today: not overdue"


def test_overdue_days_count_from_when_the_duty_began(world):
    today = timezone.localdate()
    r = make_resident(world, "a")
    services.set_tag(world.users["community_lead"], r.pk, "living_alone", start_date=LONG_AGO)
    # The tag was recorded 30 days ago (its start is still 2018): due 23 days ago, not 3,000.
    tag = TagDefinition.objects.get(code="living_alone")
    ResidentTag.objects.filter(resident=r, tag_key=tag.key).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    services.refresh_visit_policy(r)
    assert r.next_visit_due == today - dt.timedelta(days=23)
    page = _due_page(world)
    assert re.findall(r"超期 (\d+) 天", page) == ["23"], "counted from the recording, not from 2018"
    # A visit moves the due date on from the visit.
    services.record_visit(world.users["grid_worker"], r.pk, method="home", findings="身体尚可")
    r.refresh_from_db()
    assert r.next_visit_due == today + dt.timedelta(days=7)


def test_every_way_of_computing_agrees(world):
    """The bulk refresh (imports, tag settings) gives the same due date as one resident's refresh."""
    r = make_resident(world, "a")
    services.set_tag(world.users["community_lead"], r.pk, "dibao", start_date=LONG_AGO)
    Resident.objects.filter(pk=r.pk).update(next_visit_due=None, visit_interval_days=None)
    services.refresh_visit_policies([r.pk])
    r.refresh_from_db()
    assert r.visit_interval_days == 90
    assert r.next_visit_due == timezone.localdate() + dt.timedelta(days=90)


def test_the_migration_recomputes_due_dates_stored_by_the_old_rule(world):
    """Due dates already in a database (counted from a tag's start in 2018) are recomputed once."""
    import importlib

    today = timezone.localdate()
    r = make_resident(world, "a")
    services.set_tag(world.users["community_lead"], r.pk, "living_alone", start_date=LONG_AGO)
    Resident.objects.filter(pk=r.pk).update(next_visit_due=LONG_AGO + dt.timedelta(days=7))
    migration = importlib.import_module("shequ.people.migrations.0003_visits_due_from_duty_start")
    migration.recompute(None, None)
    r.refresh_from_db()
    assert r.next_visit_due == today + dt.timedelta(days=7)
