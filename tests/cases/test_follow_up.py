"""A visit marked 需要跟进 becomes a request in the cases queue, and the visit remembers its number
(people.signals.visit_needs_follow_up → shequ.cases.receivers), end to end through the services."""

import pytest

from shequ.cases import services
from shequ.cases.models import Case, Channel, Status
from shequ.people.models import Visit
from shequ.people.services import record_visit
from tests.people.factories import make_resident

pytestmark = pytest.mark.django_db


def _visit(world, role, *, follow_up=True, note="楼道灯坏了，老人夜间出行不便", capture=None):
    resident = make_resident(world, "a")
    with capture(execute=True):
        visit = record_visit(
            world.users[role],
            resident.pk,
            method="home",
            findings="老人独居，身体尚可",
            follow_up=follow_up,
            follow_up_note=note if follow_up else "",
        )
    visit.refresh_from_db()
    return resident, visit


@pytest.mark.parametrize("role", ["community_worker", "grid_worker"])
def test_follow_up_visit_becomes_a_request_and_the_visit_keeps_its_number(
    world, role, django_capture_on_commit_callbacks
):
    resident, visit = _visit(world, role, capture=django_capture_on_commit_callbacks)
    case = Case.objects.get(channel=Channel.VISIT, external_id=f"visit-{visit.pk}")
    assert visit.follow_up_ref == case.number
    assert case.status == Status.RECEIVED
    assert case.resident_id == resident.pk and case.community_id == world.a.pk
    assert "楼道灯坏了" in case.description and case.title.startswith("走访跟进")
    assert case.created_by == world.users[role]
    # The worker who raised it finds it in their own scope, and a dispatcher can file it.
    assert Case.objects.visible_to(world.users[role]).filter(pk=case.pk).exists()
    filed = services.transition(world.users["community_lead"], case.pk, "file")
    assert filed.status == Status.FILED


def test_visit_without_follow_up_raises_nothing(world, django_capture_on_commit_callbacks):
    _resident, visit = _visit(
        world, "community_worker", follow_up=False, capture=django_capture_on_commit_callbacks
    )
    assert visit.follow_up_ref == ""
    assert not Case.objects.filter(channel=Channel.VISIT).exists()


def test_the_same_visit_signalled_twice_is_one_request(world, django_capture_on_commit_callbacks):
    from shequ.people.signals import visit_needs_follow_up

    _resident, visit = _visit(world, "community_worker", capture=django_capture_on_commit_callbacks)
    visit_needs_follow_up.send(sender=Visit, visit=visit, actor=world.users["community_worker"])
    assert Case.objects.filter(channel=Channel.VISIT, external_id=f"visit-{visit.pk}").count() == 1
    visit.refresh_from_db()
    assert visit.follow_up_ref == Case.objects.get(channel=Channel.VISIT).number


def test_follow_up_through_the_people_api(world, django_capture_on_commit_callbacks):
    import json

    from django.test import Client

    resident = make_resident(world, "a")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.token(world.users['grid_worker'])}")
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            f"/api/v1/people/residents/{resident.pk}/visits",
            json.dumps({"method": "home", "follow_up": True, "follow_up_note": "家中漏水需物业维修"}),
            content_type="application/json",
        )
    assert resp.status_code == 201, resp.content
    visit = Visit.objects.get(pk=resp.json()["id"])
    case = Case.objects.get(channel=Channel.VISIT)
    assert visit.follow_up_ref == case.number
    # The case is read back through the cases API by the same worker.
    got = client.get(f"/api/v1/cases/cases/{case.pk}")
    assert got.status_code == 200 and got.json()["channel"] == "visit"


def test_a_request_that_cannot_be_raised_leaves_the_visit_saved(
    world, django_capture_on_commit_callbacks, caplog
):
    from shequ.cases.models import Category

    Category.objects.filter(code="0711").update(active=False)  # an administrator retired the class
    _resident, visit = _visit(world, "community_worker", capture=django_capture_on_commit_callbacks)
    assert Visit.objects.filter(pk=visit.pk, follow_up=True).exists()
    assert visit.follow_up_ref == ""
    assert not Case.objects.filter(channel=Channel.VISIT).exists()
    assert any("follow-up request not raised" in r.getMessage() for r in caplog.records)
