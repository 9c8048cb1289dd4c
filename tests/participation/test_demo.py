"""The demo year of a community: meetings every month, issues with supporters, resolutions with
follow-up (some overdue), outcome reviews; consistent with the rules the services keep."""

import datetime as dt

import pytest
from django.db.models import F

from shequ.participation import demo, reports
from shequ.participation.models import (
    Attendance,
    Issue,
    IssueStatus,
    Meeting,
    OutcomeReview,
    Resolution,
    Support,
)
from tests.participation.factories import residents

pytestmark = pytest.mark.django_db


def test_a_year_of_participation(world):
    residents(world, "a", 80, birth_date=dt.date(1970, 1, 1))
    counts = demo.load(echo=lambda *a: None)
    assert demo.is_loaded()
    assert counts["meetings"] == 12 and Meeting.objects.filter(community=world.a).count() == 12
    assert counts["resolutions"] >= 6 and counts["follow_ups"] >= counts["resolutions"] // 2
    assert OutcomeReview.objects.exists() and not Meeting.objects.filter(community=world.b).exists()
    # What the services enforce holds for the demo rows too.
    assert not Resolution.objects.filter(
        present__lt=F("votes_for") + F("votes_against") + F("votes_abstain")
    ).exists()
    for m in Meeting.objects.all():
        present = Attendance.objects.filter(meeting=m).count()
        for r in m.resolutions.all():
            assert r.present == present and m.kind.quorum_met(present, m.expected)
            assert r.adopted == m.kind.adopted(r.votes_for, present)
    for i in Issue.objects.all():
        assert i.support_count == Support.objects.filter(issue=i).count()
    assert Issue.objects.filter(status=IssueStatus.PROPOSED).exists()
    assert Issue.objects.filter(status=IssueStatus.DONE).exists()
    figures = reports.report(world.users["street"], world.a.code)
    assert figures["meetings"] >= 11 and figures["median_days_to_resolution"] > 0
    demo.reset()
    assert not Issue.objects.exists() and not Meeting.objects.exists()


def test_demo_ratings_hearings_and_consultations(world):
    from shequ.participation.models import Consultation, Hearing, RatingRound, RatingScore
    from tests.participation.rating_factories import property_company
    from tests.people.factories import make_household

    residents(world, "a", 80, birth_date=dt.date(1970, 1, 1))
    for _ in range(25):
        make_household(world, "a")
    property_company(world, "a")
    counts = demo.load(echo=lambda *a: None)
    rnd = RatingRound.objects.get(org=world.a)
    assert rnd.closed_at is not None and counts["rounds"] == 1 and counts["responses"] >= 20
    low = RatingScore.objects.filter(target__round=rnd, issue__isnull=False)
    assert low.exists() and all(s.average < rnd.threshold for s in low)
    assert Issue.objects.filter(source="rating", community=world.a).count() == counts["rating_issues"] >= 1
    held, announced = Hearing.objects.filter(community=world.a).order_by("planned_on")
    assert held.held_on >= held.earliest_on and held.speakers.exclude(statement="").exists()
    assert announced.held_on is None
    c = Consultation.objects.get(community=world.a)
    assert c.summary and c.summarised_at
    assert not Issue.objects.filter(building__isnull=False).exclude(scope="building").exists()
    demo.reset()
    assert not RatingRound.objects.exists() and not Hearing.objects.exists()
