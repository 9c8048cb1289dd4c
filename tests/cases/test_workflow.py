"""The transition table: every allowed and every forbidden transition, the clock, concurrency."""

import pytest

from shequ.cases import services
from shequ.cases.models import Case, CaseEvent, Status
from shequ.cases.workflow import TABLE
from shequ.core.errors import Conflict
from tests.cases.factories import PATH, make_case

pytestmark = pytest.mark.django_db


def test_walk_to_every_state(world):
    for status in PATH:
        case = make_case(world, "a", status)
        assert case.status == status
        assert CaseEvent.objects.filter(case=case).count() == len(PATH[status]) + 1


@pytest.mark.parametrize("action", sorted(TABLE))
def test_forbidden_sources_are_refused_and_change_nothing(world, action):
    t = TABLE[action]
    forbidden = [s for s in PATH if s not in t.sources]
    actor = world.users["street"]
    for status in forbidden[:4]:
        case = make_case(world, "a", status)
        before = (case.version, CaseEvent.objects.filter(case=case).count())
        with pytest.raises(Conflict) as exc:
            services.transition(actor, case.pk, action, note="x", unit=f"community:{world.a.code}")
        assert exc.value.code == "bad_transition"
        assert "不能" in exc.value.message
        case.refresh_from_db()
        assert (case.version, CaseEvent.objects.filter(case=case).count()) == before


def test_dispatch_starts_the_clock_and_close_judges_it(world):
    case = make_case(world, "a", "closed")
    assert case.deadline and case.warn_at and case.dispatched_at < case.warn_at < case.deadline
    assert case.closed_on_time is True
    assert case.handling_hours is not None and case.handling_hours >= 0


def test_second_accept_is_refused(world):
    case = make_case(world, "a", "dispatched")
    lead = world.users["community_lead"]
    worker = world.users["community_worker"]
    services.transition(lead, case.pk, "accept")
    with pytest.raises(Conflict) as exc:
        services.transition(worker, case.pk, "accept", expected_version=case.version)
    assert "签收" in exc.value.message
    assert Case.objects.get(pk=case.pk).status == Status.PROCESSING
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
