"""The demo teams and activities: a year of teams, talent, volunteers and activities with attendance
(mostly over 50), confirmed hours only for volunteers who checked in; and its reset."""

import datetime as dt

from django.utils import timezone

from shequ.org.models import OrgUnit
from shequ.teams import demo, services
from shequ.teams.models import Activity, CheckIn, ServiceHours, Talent, Team, TeamMember, Volunteer
from tests.people.factories import make_resident


def test_demo_year_of_teams_and_activities(world):
    for i in range(120):
        make_resident(world, "a", birth_date=dt.date(1950 + i % 50, 1 + i % 12, 1))
    assert not demo.is_loaded()
    counts = demo.load(echo=lambda *a: None)
    assert demo.is_loaded()
    assert counts["teams"] == 8 and Team.objects.filter(scope_code=world.a.code).count() == 8
    assert TeamMember.objects.filter(resident__isnull=True).exists()  # people from outside
    assert Talent.objects.exists() and Volunteer.objects.count() == counts["volunteers"] > 0
    first = Activity.objects.order_by("starts_at").first().starts_at
    assert (timezone.now() - first).days >= 330 and counts["activities"] > 100
    assert Activity.objects.filter(starts_at__gt=timezone.now()).exists()  # some still to come
    assert not CheckIn.objects.filter(activity__starts_at__gt=timezone.now()).exists()
    for h in ServiceHours.objects.select_related("volunteer")[:200]:  # hours only for those present
        assert CheckIn.objects.filter(activity_id=h.activity_id, key=f"r:{h.volunteer.resident_id}").exists()
    data = services.report(
        world.users["street"], world.street.code, timezone.localdate() - dt.timedelta(days=365)
    )
    assert data["person_times"] == CheckIn.objects.filter(activity__starts_at__lte=timezone.now()).count()
    assert data["over_50_share"] > 50 and data["volunteer_hours"] > 0 and data["appraisal"][0]["score"] > 0
    demo.reset()
    assert not Activity.objects.exists() and not Team.objects.exists() and not Volunteer.objects.exists()
    assert OrgUnit.objects.filter(code=world.a.code).exists()
