"""The rules of the duties module, through its services: lists and versions, the pre-check, the
review and its decision rules, admission, withdrawal and expiry, refusals, certificates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core import worktime
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import ChangeLogEntry, Notification
from shequ.core.testing.concurrency import needs_pg, race
from shequ.duties import services
from shequ.duties.models import (
    AdmissionRequest,
    BurdenEntry,
    DecisionRule,
    FundingCommitment,
    Kind,
    ListStatus,
    RequestStatus,
    Task,
    TaskStatus,
    Vote,
)
from tests.duties import factories as f

pytestmark = pytest.mark.django_db


# --- lists ------------------------------------------------------------------------------------------
def test_publishing_a_new_version_ends_the_previous_one(world):
    v1 = f.make_list(world)
    admin = world.users["district"]
    start = timezone.localdate() + dt.timedelta(days=10)
    v2 = services.create_list(
        admin, org=world.district, title="江夏区社区工作事项清单（修订）", effective_from=start
    )
    assert v2.number == 2 and v2.items.count() == v1.items.count()  # copied from the version in force
    services.publish_list(admin, v2.pk)
    v1.refresh_from_db()
    assert v1.status == ListStatus.SUPERSEDED and v1.effective_to == start - dt.timedelta(days=1)
    assert list(services.lists_in_force(world.a.code)) == [v1]  # v2 takes effect in 10 days
    assert list(services.lists_in_force(world.a.code, start)) == [v2]


def test_published_lists_are_read_only(world):
    dl = f.make_list(world)
    with pytest.raises(Conflict):
        services.save_item(world.users["district"], dl, code="X-9", kind=Kind.ASSIST, title="新增事项")


def test_community_cannot_manage_lists(world):
    with pytest.raises(Forbidden):
        services.create_list(
            world.users["community_lead"], org=world.district, title="x", effective_from=timezone.localdate()
        )


def test_import_is_all_or_nothing(world):
    admin = world.users["district"]
    dl = services.create_list(
        admin, org=world.street, title="纸坊街道清单", effective_from=timezone.localdate()
    )
    good = {"code": "S-1", "kind": Kind.ASSIST, "title": "协助人口抽样调查"}
    with pytest.raises(ValidationFailed) as exc:
        services.replace_items(admin, dl, [good, {**good, "title": "重复编号"}])
    assert "row_2" in exc.value.details
    assert dl.items.count() == 0
    assert services.replace_items(admin, dl, [good]) == 1


# --- the pre-check ---------------------------------------------------------------------------------
def test_negative_list_item_is_rejected_citing_it(world):
    req = f.make_request(world, state="rejected")
    assert req.status == RequestStatus.REJECTED
    reject = [x for x in req.findings if x["level"] == "reject"]
    assert "招商引资" in reject[0]["message"] and "负面清单" in reject[0]["message"]
    assert "FM-01" in reject[0]["item"]
    assert not Task.objects.exists()


def test_text_that_looks_negative_warns_the_reviewer(world):
    req = f.make_request(world, description="请社区协助完成年度招商引资摸底")
    assert req.status == RequestStatus.REVIEW and req.suspected_negative
    assert any(x["code"] == "suspected_negative" and "招商引资" in x["message"] for x in req.findings)


def test_missing_basis_returns_the_request(world):
    req = f.make_request(world, state="returned")
    assert req.status == RequestStatus.RETURNED
    assert [x["code"] for x in req.findings if x["level"] == "return"] == ["missing_basis"]
    fixed = services.resubmit_request(world.users["department"], req.pk, {"basis": "《老年人权益保障法》"})
    assert fixed.status == RequestStatus.REVIEW


def test_missing_funding_returns_and_enough_funding_fast_tracks(world):
    short = f.make_request(world, funding_per_community=Decimal("500"))
    assert short.status == RequestStatus.RETURNED
    assert any(x["code"] == "missing_funding" and "2000" in x["message"] for x in short.findings)
    funded = f.make_request(world)
    assert funded.status == RequestStatus.REVIEW and funded.fast_track
    policy = f.make_policy(world)
    assert funded.review_deadline == worktime.add_working_days(funded.submitted_at, policy.fast_track_days)


def test_notice_period_blocks_unless_urgent_with_reason(world):
    soon = timezone.localdate() + dt.timedelta(days=3)
    with pytest.raises(ValidationFailed) as exc:
        f.make_request(world, start_date=soon, end_date=soon + dt.timedelta(days=30))
    assert "30 个工作日" in exc.value.message
    with pytest.raises(ValidationFailed):
        f.make_request(world, start_date=soon, end_date=soon + dt.timedelta(days=30), urgent=True)
    req = f.make_request(
        world,
        start_date=soon,
        end_date=soon + dt.timedelta(days=30),
        urgent=True,
        urgent_reason="防汛应急转移安置",
    )
    assert any(x["code"] == "urgent" for x in req.findings)


def test_duplicate_request_is_warned_then_accepted_when_confirmed(world):
    first = f.make_request(world)
    fields = f.request_fields(world, title=first.title)
    fields["start_date"], fields["end_date"] = first.start_date, first.end_date
    with pytest.raises(Conflict) as exc:
        services.file_request(world.users["department"], **fields)
    assert exc.value.code == "duplicate_request" and exc.value.details["duplicates"] == [first.number]
    second = services.file_request(world.users["department"], confirm_duplicate=True, **fields)
    assert second.duplicate_of == first.number


def test_only_department_staff_file(world):
    with pytest.raises(Forbidden):
        services.file_request(world.users["community_lead"], **f.request_fields(world))


# --- the review ------------------------------------------------------------------------------------
def test_two_votes_to_one_approves_and_admits(world):
    req = f.make_request(world, communities=[world.a, world.b])
    chair, m1, m2 = f.members(world)
    services.vote(chair, req.pk, Vote.APPROVE)
    services.vote(m1, req.pk, Vote.REJECT, "社区人手不足")
    assert AdmissionRequest.objects.get(pk=req.pk).status == RequestStatus.REVIEW
    services.vote(m2, req.pk, Vote.AMEND, "评估表精简为一张")
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED
    assert "同意 1 票，不同意 1 票，修改后同意 1 票" in req.decision_note
    assert "评估表精简为一张" in req.conditions and req.letter_number
    tasks = list(req.tasks.order_by("community__code"))
    assert [t.community for t in tasks] == [world.a, world.b]
    assert all(t.deadline == req.end_date and t.ledgers == 2 for t in tasks)
    assert FundingCommitment.objects.filter(task__request=req, amount=Decimal("2000")).count() == 2
    assert BurdenEntry.objects.filter(task__request=req, inspections=2).count() == 2


def test_majority_against_rejects_and_no_task_is_created(world):
    req = f.make_request(world)
    chair, m1, m2 = f.members(world)
    services.vote(chair, req.pk, Vote.APPROVE)
    services.vote(m1, req.pk, Vote.REJECT, "无必要")
    services.vote(m2, req.pk, Vote.REJECT, "应由部门自行完成")
    req.refresh_from_db()
    assert req.status == RequestStatus.REJECTED and "应由部门自行完成" in req.decision_note
    assert not req.tasks.exists()


def test_chair_rule_decides_on_the_chairs_vote(world):
    f.make_policy(world)
    services.save_policy(world.users["street"], world.street, decision_rule=DecisionRule.CHAIR)
    req = f.make_request(world)
    chair, m1, _m2 = f.members(world)
    services.vote(m1, req.pk, Vote.APPROVE)
    assert AdmissionRequest.objects.get(pk=req.pk).status == RequestStatus.REVIEW
    services.vote(chair, req.pk, Vote.REJECT, "不属于社区职责")
    assert AdmissionRequest.objects.get(pk=req.pk).status == RequestStatus.REJECTED


def test_votes_once_members_only_and_reasons_required(world):
    req = f.make_request(world)
    chair = f.members(world)[0]
    with pytest.raises(Forbidden):
        services.vote(world.users["district"], req.pk, Vote.APPROVE)
    with pytest.raises(ValidationFailed):
        services.vote(chair, req.pk, Vote.REJECT, "")
    services.vote(chair, req.pk, Vote.APPROVE)
    with pytest.raises(Conflict):
        services.vote(chair, req.pk, Vote.APPROVE)


def test_late_votes_are_recorded_and_the_chair_closes_after_the_deadline(world):
    req = f.make_request(world)
    chair, m1, _m2 = f.members(world)
    with pytest.raises(Conflict):
        services.close_review(chair, req.pk)
    AdmissionRequest.objects.filter(pk=req.pk).update(review_deadline=timezone.now() - dt.timedelta(hours=1))
    v = services.vote(m1, req.pk, Vote.APPROVE)
    assert v.late
    services.close_review(chair, req.pk)
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED and req.decided_late and req.tasks.count() == 1


def test_withdrawing_an_admitted_request_withdraws_its_tasks(world):
    task = f.make_task(world)
    req = task.request
    with pytest.raises(NotFound):  # another department does not even see it
        services.withdraw_request(f.department_user(world, "b"), req.pk, "不需要了")
    services.withdraw_request(world.users["department"], req.pk, "上级取消该项工作")
    task.refresh_from_db()
    assert task.status == TaskStatus.WITHDRAWN
    assert task.entry.end_date == timezone.localdate()


def test_sweep_reminds_flags_overdue_and_expires(world, django_capture_on_commit_callbacks):
    req = f.make_request(world)
    now = req.review_deadline - dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(now)["reminded"] == 1
    assert services.sweep(now)["reminded"] == 0  # once
    assert Notification.objects.filter(template="duties.review_reminder").count() == 3
    assert services.sweep(req.review_deadline + dt.timedelta(hours=1))["overdue"] == 1
    task = f.make_task(world, "b")
    overdue = timezone.make_aware(dt.datetime.combine(task.deadline + dt.timedelta(days=1), dt.time(9)))
    assert services.sweep(overdue)["expired"] == 1  # the request still in review, past its start
    assert Task.objects.get(pk=task.pk).status == TaskStatus.ACTIVE  # overdue, within the grace
    later = overdue + dt.timedelta(days=31)
    assert services.sweep(later)["expired"] == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.EXPIRED and task.request.status == RequestStatus.EXPIRED


def test_a_task_cannot_exist_without_an_approved_request(world):
    req = f.make_request(world)
    with pytest.raises(ValueError):
        Task(
            request=req,
            community=world.a,
            department="区民政局",
            title="x",
            start_date=req.start_date,
            deadline=req.end_date,
        ).save()


# --- tasks, refusals, certificates ------------------------------------------------------------------
def test_progress_and_completion(world):
    task = f.make_task(world)
    worker = world.users["community_worker"]
    services.report_progress(worker, task.pk, progress=40, hours=3, note="已入户 20 户")
    services.report_progress(worker, task.pk, progress=0, hours=5, note="全部完成", completes=True)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.progress == 100 and task.hours_spent == Decimal("8")
    with pytest.raises(Conflict):
        services.report_progress(worker, task.pk, progress=100, hours=1, note="再报")
    with pytest.raises(Forbidden):
        services.report_progress(world.users["department"], task.pk, progress=1, hours=1, note="部门代报")


def test_community_refuses_unadmitted_task_citing_the_rule(world):
    r = f.make_refusal(world)
    assert "准入" in r.rule and r.number.startswith("宁安")
    neg = services.refuse_unadmitted(
        world.users["community_lead"], community=world.a, department="区商务局", title="招商引资任务分解"
    )
    assert "FM-01" in neg.rule and "区商务局" in neg.rule
    task = f.make_task(world)
    with pytest.raises(Conflict) as exc:
        services.refuse_unadmitted(
            world.users["community_lead"], community=world.a, department=task.department, title=task.title
        )
    assert task.request.number in exc.value.message
    with pytest.raises(Forbidden):
        services.refuse_unadmitted(
            world.users["community_lead"], community=world.b, department="x", title="y"
        )


def test_certificates_only_from_the_list(world):
    cert = f.make_certificate(world)
    assert cert.number.startswith("宁安社区证〔") and cert.number.endswith("0001号")
    assert f.make_certificate(world).number.endswith("0002号")
    negative = f.make_list(world).items.get(code="FM-02")
    with pytest.raises(ValidationFailed):
        services.issue_certificate(
            world.users["community_worker"],
            community=world.a,
            item=negative,
            resident=cert.resident,
            purpose="入职",
            content="兹证明……",
        )
    refusal = f.make_certificate_refusal(world)
    assert "民发〔2020〕94号" in refusal.rule and refusal.redirect == "户籍所在地或居住地公安派出所"
    with pytest.raises(Conflict):
        services.refuse_certificate(
            world.users["community_worker"],
            community=world.a,
            requested="居住情况证明",
            requester_name="张三",
        )


def test_certificate_for_a_resident_of_another_community_is_refused(world):
    from tests.people.factories import make_resident

    item = f.make_list(world).items.get(code="ZM-01")
    other = make_resident(world, "b")
    with pytest.raises(ValidationFailed):
        services.issue_certificate(
            world.users["community_worker"],
            community=world.a,
            item=item,
            resident=other,
            purpose="办理居住证",
            content="兹证明……",
        )


def test_appraisal_once_per_department_and_round(world):
    form = f.make_appraisal(world)
    with pytest.raises(Conflict):
        services.submit_appraisal(
            world.users["community_lead"],
            form.round_id,
            community=world.a,
            department="区民政局",
            cooperation=5,
            funding=5,
            burden=5,
            service=5,
        )


def test_every_act_leaves_a_change_log_row(world):
    before = ChangeLogEntry.objects.count()
    f.make_task(world)
    assert ChangeLogEntry.objects.count() - before >= 8


# --- two people at once (PostgreSQL) ---------------------------------------------------------------
@needs_pg
@pytest.mark.django_db(transaction=True)
def test_last_two_votes_at_once_decide_once():
    """The last two members vote at the same moment: both votes count, the request is decided
    once and its tasks are created once."""
    from shequ.core.testing.world import build_world

    world = build_world()
    req = f.make_request(world, communities=[world.a, world.b])
    chair, m1, m2 = f.members(world)
    services.vote(chair, req.pk, Vote.APPROVE)
    results, errors = race(
        [
            lambda: services.vote(m1, req.pk, Vote.APPROVE),
            lambda: services.vote(m2, req.pk, Vote.AMEND, "表格合并"),
        ]
    )
    assert not errors and len(results) == 2
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED and req.votes.count() == 3
    assert Task.objects.filter(request=req).count() == 2


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_double_click_on_a_vote_records_it_once():
    from shequ.core.testing.world import build_world

    world = build_world()
    req = f.make_request(world)
    chair = f.members(world)[0]
    results, errors = race([lambda: services.vote(chair, req.pk, Vote.APPROVE)] * 2)
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Conflict)
    assert req.votes.count() == 1


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_two_certificates_at_once_get_consecutive_numbers():
    from shequ.core.testing.world import build_world

    world = build_world()
    f.make_list(world)
    results, errors = race([lambda: f.make_certificate(world), lambda: f.make_certificate(world)])
    assert not errors
    assert sorted(c.number[-5:] for c in results) == ["0001号", "0002号"]
