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


def test_the_demo_self_government(world):
    """Each demo community: a 居民公约 whose second version is in force, 楼栋长 and 居民代表 covering
    most buildings and households, the 2024 election with its turnout, groups, property contracts,
    and the grid's extended network; consistent with the services' rules."""
    from shequ.org.models import Assignment, Post
    from shequ.participation import governance, services
    from shequ.participation.models import (
        Candidate,
        CharterVersion,
        Election,
        Group,
        PropertyContract,
        Representative,
    )
    from tests.people.factories import make_household

    people = residents(world, "a", 80, birth_date=dt.date(1970, 1, 1))
    for _ in range(48):
        make_household(world, "a")
    assert people
    counts = demo.load(echo=lambda *a: None)
    assert counts["charters"] == 2 and counts["elections"] == 1
    current = services.in_force(world.a, "covenant")
    assert current is not None and current.number == 2 and current.meeting_id
    assert services.in_force(world.a, "covenant", dt.date(2022, 1, 1)).number == 1
    assert current.present == current.meeting.attendance.count()
    assert current.meeting.kind.adopted(current.votes_for, current.present)
    assert CharterVersion.objects.filter(charter__community=world.a).count() == 3
    cov = governance.representative_coverage(world.users["street"], world.a.code)["totals"]
    assert cov["building_share"] > 60 and cov["household_share"] > 50
    for rep in Representative.objects.filter(community=world.a):
        assert rep.resident.community_id == world.a.pk
    e = Election.objects.get(community=world.a)
    assert (e.term, e.held_on.year, e.status) == (12, 2024, "declared")
    assert 70 < e.turnout < 95 and e.ballots_cast <= e.registered_voters == e.voters.count()
    elected = Candidate.objects.filter(election=e, elected=True)
    assert elected.count() == 5 and elected.filter(office="director").count() == 1
    assert all(c.votes <= e.ballots_cast and c.votes * 2 > e.ballots_cast for c in elected)
    assert Group.objects.filter(community=world.a, kind="courtyard_group", vote_for__gt=0).exists()
    assert Group.objects.filter(community=world.a, kind="owners_committee").exists()
    assert PropertyContract.objects.filter(community=world.a).exists()
    rows = governance.four_in_one(world.a)
    assert rows and all(r["company"] for r in rows)
    assert Assignment.objects.filter(grid=world.grid_a, post=Post.AREA_LEAD).exists()
    demo.reset()
    assert not Representative.objects.exists() and not Election.objects.exists()
    assert not Assignment.objects.filter(post__in=[Post.AREA_LEAD, Post.PARTY_HOUSEHOLD]).exists()


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
