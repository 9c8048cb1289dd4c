"""The closed loop through the services: proposal, support to the threshold, agenda, sign-in,
vote, 公示, follow-up, completion and 成效评议 — and every refusal with its reason."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import Attachment
from shequ.core.roles import Role
from shequ.core.testing.world import make_user
from shequ.participation import services
from shequ.participation.models import (
    Attendance,
    Issue,
    IssueStatus,
    Meeting,
    Resolution,
    Support,
    overdue_q,
)
from tests.participation.factories import (
    adopted_resolution,
    held_meeting,
    last4,
    make_issue,
    make_meeting,
    residents,
)

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def test_a_resident_proposes_by_name_and_phone_digits_and_others_support_to_the_threshold(world):
    services.set_threshold(world.users["community_lead"], world.a.code, support_threshold=3)
    people = residents(world, "a", 3)
    issue = services.propose_issue(None, world.a.code, title="小区加装充电桩", text="电动车充电难。",
                                   category="公共设施", name=people[0].name, last4=last4(people[0]))  # fmt: skip
    assert issue.source == "proposal" and issue.support_count == 1 and issue.status == IssueStatus.PROPOSED
    assert issue.proposer_resident == people[0]
    services.support_issue(None, issue.pk, name=people[1].name, last4=last4(people[1]))
    issue.refresh_from_db()
    assert issue.status == IssueStatus.PROPOSED
    services.support_issue(None, issue.pk, name=people[2].name, last4=last4(people[2]))
    issue.refresh_from_db()
    assert (
        issue.status == IssueStatus.READY
        and issue.support_count == 3
        and issue.ready_on == timezone.localdate()
    )


def test_a_resident_supports_once(world):
    people = residents(world, "a", 2)
    issue = make_issue(world)
    services.support_issue(None, issue.pk, name=people[0].name, last4=last4(people[0]))
    with pytest.raises(Conflict) as exc:
        services.support_issue(None, issue.pk, name=people[0].name, last4=last4(people[0]))
    assert "只能附议一次" in exc.value.message
    assert Support.objects.filter(issue=issue).count() == 1


def test_a_signed_in_resident_is_the_registry_resident_with_their_phone(world):
    r = residents(world, "a")[0]
    user = world.users["resident"]
    user.phone = r.phone
    user.save()
    issue = make_issue(world)
    s = services.support_issue(user, issue.pk)
    assert s.key == f"r:{r.pk}" and s.resident == r
    with pytest.raises(Conflict):  # the same person by name and digits: still once
        services.support_issue(None, issue.pk, name=r.name, last4=last4(r))


def test_wrong_digits_another_community_and_staff_are_not_residents(world):
    r = residents(world, "a")[0]
    issue = make_issue(world)
    with pytest.raises(ValidationFailed) as exc:
        services.support_issue(None, issue.pk, name=r.name, last4="0000" if last4(r) != "0000" else "1111")
    assert "未在本社区居民台账" in exc.value.message
    other = residents(world, "b")[0]
    with pytest.raises(ValidationFailed):
        services.support_issue(None, issue.pk, name=other.name, last4=last4(other))
    with pytest.raises(ValidationFailed):  # staff are not residents of the community
        services.support_issue(world.users["community_worker"], issue.pk)
    b_resident = make_user("t_resident_b2", Role.RESIDENT, world.b)
    with pytest.raises(ValidationFailed):
        services.support_issue(b_resident, issue.pk)


def test_support_ends_once_the_issue_is_on_an_agenda(world):
    r = residents(world, "a")[0]
    issue = make_issue(world, status=IssueStatus.READY)
    make_meeting(world, issues=[issue])
    with pytest.raises(Conflict) as exc:
        services.support_issue(None, issue.pk, name=r.name, last4=last4(r))
    assert "不再征集附议" in exc.value.message


def test_reject_needs_a_reason_and_ends_the_issue(world):
    issue = make_issue(world)
    with pytest.raises(ValidationFailed):
        services.reject_issue(world.users["community_worker"], issue.pk, reason="不")
    services.reject_issue(world.users["community_worker"], issue.pk, reason="属于业主私事，建议协商解决")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.REJECTED and issue.reject_reason.startswith("属于")
    with pytest.raises(Conflict) as exc:  # a transition not in the table
        services.accept_issue(world.users["community_worker"], issue.pk)
    assert exc.value.code == "transition"


def test_who_manages_and_who_reads(world):
    issue = make_issue(world)
    for role in ("street", "district", "grid_worker", "department", "resident"):
        with pytest.raises((Forbidden, NotFound)):
            services.accept_issue(world.users[role], issue.pk)
    with pytest.raises(NotFound):  # another community's worker does not see it
        services.accept_issue(world.users["community_worker_b"], issue.pk)
    assert Issue.objects.visible_to(world.users["street"]).filter(pk=issue.pk).exists()
    for role in ("grid_worker", "department", "resident"):
        assert not Issue.objects.visible_to(world.users[role]).exists()
    r = residents(world, "a")[0]
    services.support_issue(None, issue.pk, name=r.name, last4=last4(r))
    # Who supported: community staff only; the street reads the count.
    assert Support.objects.visible_to(world.users["community_worker"]).count() == 1
    assert Support.objects.visible_to(world.users["street"]).count() == 0


def test_an_issue_from_a_case_names_it(world):
    from tests.cases.scope_cases_intake import own_request

    case = own_request(world, "a")
    issue = make_issue(world, source="case", case=case.number)
    assert issue.case_id == case.pk and issue.case_number == case.number
    with pytest.raises(Conflict):
        make_issue(world, source="case", case=case.number)
    other = own_request(world, "b")
    with pytest.raises(ValidationFailed):  # a case outside the worker's scope is not found
        make_issue(world, source="case", case=other.number)


def test_qr_sign_in_once_while_open(world):
    r = residents(world, "a")[0]
    m = make_meeting(world)
    token = services.sign_in_token(m)
    a = services.sign_in_by_qr(None, token, name=r.name, last4=last4(r))
    assert a.method == "qr" and a.resident == r
    with pytest.raises(Conflict) as exc:
        services.sign_in_by_qr(None, token, name=r.name, last4=last4(r))
    assert "只能签到一次" in exc.value.message
    with pytest.raises(Conflict):  # the staff's list names the same registry resident
        services.record_attendance(world.users["community_worker"], m.pk, names=[r.name])
    with pytest.raises(NotFound):
        services.sign_in_by_qr(None, token[:-2] + "xx", name=r.name, last4=last4(r))
    later = make_meeting(world, starts_at=timezone.now() + dt.timedelta(days=2))
    with pytest.raises(Conflict) as exc:
        services.sign_in_by_qr(None, services.sign_in_token(later), name=r.name, last4=last4(r))
    assert exc.value.code == "closed"


def test_vote_refused_above_those_present_and_without_quorum(world):
    m, issue = held_meeting(world, present=3, expected=4)
    worker = world.users["community_worker"]
    with pytest.raises(ValidationFailed) as exc:
        services.vote_resolution(worker, m.pk, issue.pk, text="清理", votes_for=3, votes_against=1, votes_abstain=0,
                                 owner_unit="物业", deadline=timezone.localdate())  # fmt: skip
    assert (
        exc.value.code == "votes_above_present"
        and "= 4 票" in exc.value.message
        and "3 人" in exc.value.message
    )
    thin, thin_issue = held_meeting(world, present=2, expected=4)  # 2 of 4 is not more than half
    with pytest.raises(Conflict) as exc:
        services.vote_resolution(worker, thin.pk, thin_issue.pk, text="清理", votes_for=2, votes_against=0,
                                 votes_abstain=0, owner_unit="物业", deadline=timezone.localdate())  # fmt: skip
    assert (
        exc.value.code == "no_quorum"
        and "出席 2 人" in exc.value.message
        and "应到 4 人" in exc.value.message
    )
    assert not Resolution.objects.exists()


def test_two_thirds_for_a_representatives_assembly(world):
    m, issue = held_meeting(world, present=5, expected=8, kind="居民代表大会")  # 5/8 < 2/3
    with pytest.raises(Conflict) as exc:
        services.vote_resolution(world.users["community_worker"], m.pk, issue.pk, text="x", votes_for=5,
                                 votes_against=0, votes_abstain=0, owner_unit="u", deadline=timezone.localdate())  # fmt: skip
    assert "三分之二" in exc.value.message


def test_adopted_by_more_than_half_of_those_present_or_returned(world):
    m, issue = held_meeting(world, present=4, expected=4)
    worker = world.users["community_worker"]
    r = services.vote_resolution(worker, m.pk, issue.pk, text="不通过的方案", votes_for=2, votes_against=2,
                                 votes_abstain=0)  # fmt: skip
    issue.refresh_from_db()
    assert not r.adopted and issue.status == IssueStatus.READY
    with pytest.raises(Conflict):
        services.vote_resolution(
            worker, m.pk, issue.pk, text="再表决", votes_for=3, votes_against=1, votes_abstain=0
        )
    with pytest.raises(Conflict):  # nothing to publish
        services.publish_resolution(worker, r.pk, days=7)
    r = adopted_resolution(world)
    assert r.adopted and r.present == 3 and r.issue.status == IssueStatus.RESOLVED
    with pytest.raises(ValidationFailed):  # adopted needs an owner and a deadline
        m2, i2 = held_meeting(world)
        services.vote_resolution(
            worker, m2.pk, i2.pk, text="x", votes_for=3, votes_against=0, votes_abstain=0
        )


def test_publish_follow_up_complete_and_review(world):
    worker = world.users["community_worker"]
    r = adopted_resolution(world)
    r = services.publish_resolution(worker, r.pk, days=7)
    assert r.on_notice and r.publish_until == timezone.localdate() + dt.timedelta(days=6)
    step = services.add_follow_up(worker, r.pk, on=timezone.localdate(), text="物业已清理三楼楼道",
                                  photos=[("楼道.jpg", _jpeg(), "image/jpeg")])  # fmt: skip
    assert Attachment.objects.filter(owner_id=str(step.pk)).count() == 1
    r.issue.refresh_from_db()
    assert r.issue.status == IssueStatus.IMPLEMENTING
    services.complete_resolution(worker, r.pk, on=timezone.localdate(), note="全部清理完毕")
    r.refresh_from_db()
    r.issue.refresh_from_db()
    assert r.completed_on and r.issue.status == IssueStatus.DONE and r.issue.done_on
    with pytest.raises(Conflict):
        services.add_follow_up(worker, r.pk, on=timezone.localdate(), text="再次")
    talk = make_meeting(world, kind="民情恳谈会")
    with pytest.raises(Conflict):  # only a 民主评议会 rates outcomes
        services.review_outcome(worker, talk.pk, r.pk, satisfied=1, basic=0, unsatisfied=0)
    review_meeting = make_meeting(world, kind="民主评议会")
    services.record_attendance(worker, review_meeting.pk, names=["评议甲", "评议乙", "评议丙"])
    with pytest.raises(ValidationFailed) as exc:
        services.review_outcome(worker, review_meeting.pk, r.pk, satisfied=3, basic=1, unsatisfied=0)
    assert "超过签到出席的 3 人" in exc.value.message
    review = services.review_outcome(worker, review_meeting.pk, r.pk, satisfied=2, basic=1, unsatisfied=0)
    assert review.satisfaction == 100.0
    with pytest.raises(Conflict):
        services.review_outcome(worker, review_meeting.pk, r.pk, satisfied=1, basic=0, unsatisfied=0)


def test_overdue_resolutions(world):
    r = adopted_resolution(world, deadline=timezone.localdate())
    Resolution.objects.filter(pk=r.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    r.refresh_from_db()
    assert r.overdue and Resolution.objects.filter(overdue_q()).count() == 1
    Resolution.objects.filter(pk=r.pk).update(completed_on=timezone.localdate())
    assert not Resolution.objects.filter(overdue_q()).exists()


def test_agenda_only_ready_issues_of_the_community(world):
    proposed = make_issue(world)
    with pytest.raises(Conflict):
        make_meeting(world, issues=[proposed])
    assert not Meeting.objects.filter(community=world.a).exists()  # the whole act rolled back
    ready_b = make_issue(world, "b", status=IssueStatus.READY)
    m = make_meeting(world)
    with pytest.raises(ValidationFailed):
        services.add_to_agenda(world.users["community_worker"], m.pk, ready_b.pk)
    ready = make_issue(world, status=IssueStatus.READY)
    services.add_to_agenda(world.users["community_worker"], m.pk, ready.pk)
    services.remove_from_agenda(world.users["community_worker"], m.pk, ready.pk)
    ready.refresh_from_db()
    assert ready.status == IssueStatus.READY and not Attendance.objects.exists()
