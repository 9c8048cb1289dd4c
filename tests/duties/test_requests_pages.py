"""The admission pages: filing (notice period, urgent, duplicates, a double click), the list and its
tabs, the review through the request page (votes, decision, letter), close, withdraw, resubmit,
and the review-group settings."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.core import worktime
from shequ.duties.models import AdmissionRequest, DutyPolicy, RequestStatus, ReviewMember, Task, Vote
from tests.duties import factories as f

pytestmark = pytest.mark.django_db


def form_data(world, side="a", **over) -> dict:
    fields = f.request_fields(world, side)
    data = {
        "form_token": uuid.uuid4().hex,
        "title": fields["title"],
        "description": fields["description"],
        "basis": "《湖北省养老服务条例》",
        "item": str(fields["item"].pk),
        "communities": [world.community(side).code],
        "start_date": fields["start_date"].isoformat(),
        "end_date": fields["end_date"].isoformat(),
        "frequency": "once",
        "hours_per_month": "6",
        "ledgers": "2",
        "ledger_names": "老年人能力评估台账",
        "forms_count": "3",
        "stamps": "1",
        "signboards": "0",
        "inspections": "2",
        "appraisals": "0",
        "evaluations": "0",
        "meetings": "0",
        "data_reports": "4",
        "funding_per_community": "2000",
        "funding_source": "区级养老服务专项资金",
        "personnel": "区民政局派评估员 2 名",
    }
    data.update(over)
    return data


@pytest.fixture
def setup(world):
    f.make_list(world)
    f.make_policy(world)
    return world


def _member_clients(world):
    return [world.client(u) for u in f.members(world)]


# --- filing -------------------------------------------------------------------------------------
def test_form_shows_notice_rule_items_and_communities(setup):
    world = setup
    resp = world.client(world.users["department"]).get(reverse("duties:request-create"))
    assert resp.status_code == 200
    body = resp.content.decode()
    earliest = worktime.add_working_days(timezone.now(), 30).date()
    assert "须提前 30 个工作日提出" in body
    assert f"{earliest.year}年{earliest.month}月{earliest.day}日" in body
    assert "协助开展老年人能力评估" in body and "协助政府工作事项" in body  # items grouped by kind
    assert world.a.code in body and world.b.code in body and "纸坊街道" in body


@pytest.mark.parametrize("role", ["community_lead", "community_worker", "grid_worker", "street", "resident"])
def test_only_departments_file(setup, role):
    c = setup.client(setup.users[role])
    assert c.get(reverse("duties:request-create")).status_code == 403
    assert c.post(reverse("duties:request-create"), form_data(setup)).status_code == 403
    assert not AdmissionRequest.objects.exists()


def test_filing_goes_to_review(setup):
    world = setup
    resp = world.client(world.users["department"]).post(reverse("duties:request-create"), form_data(world))
    req = AdmissionRequest.objects.get()
    assert resp.status_code == 302 and resp["Location"] == req.get_absolute_url()
    assert req.status == RequestStatus.REVIEW and req.fast_track  # funding reaches the standard
    assert req.department == "区民政局" and req.forms == 3 and req.ledgers == 2
    assert list(req.communities.values_list("code", flat=True)) == [world.a.code]


def test_double_click_creates_one_request(setup):
    world = setup
    c = world.client(world.users["department"])
    data = form_data(world)
    first = c.post(reverse("duties:request-create"), data)
    second = c.post(reverse("duties:request-create"), data)
    assert AdmissionRequest.objects.count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]


def test_notice_period_blocks_unless_urgent_with_reason(setup):
    world = setup
    c = world.client(world.users["department"])
    soon = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    later = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    resp = c.post(reverse("duties:request-create"), form_data(world, start_date=soon, end_date=later))
    assert resp.status_code == 400
    assert "须在任务开始前 30 个工作日提出" in resp.content.decode()
    resp = c.post(
        reverse("duties:request-create"), form_data(world, start_date=soon, end_date=later, urgent="on")
    )
    assert resp.status_code == 400 and "紧急事由" in resp.content.decode()
    assert not AdmissionRequest.objects.exists()
    resp = c.post(
        reverse("duties:request-create"),
        form_data(
            world, start_date=soon, end_date=later, urgent="on", urgent_reason="防汛应急排查，上级限期完成"
        ),
    )
    req = AdmissionRequest.objects.get()
    assert resp.status_code == 302 and req.urgent
    page = c.get(req.get_absolute_url()).content.decode()
    assert "防汛应急排查" in page and "紧急" in page


def test_duplicate_warns_then_files_when_confirmed(setup):
    world = setup
    c = world.client(world.users["department"])
    data = form_data(world)
    c.post(reverse("duties:request-create"), data)
    first = AdmissionRequest.objects.get()
    again = {**data, "form_token": uuid.uuid4().hex}
    resp = c.post(reverse("duties:request-create"), again)
    body = resp.content.decode()
    assert resp.status_code == 409
    assert 'id="duplicate-warning"' in body and first.number in body
    assert "确认不是重复申请，仍然提交" in body
    assert AdmissionRequest.objects.count() == 1
    resp = c.post(reverse("duties:request-create"), {**again, "confirm_duplicate": "on"})
    assert resp.status_code == 302 and AdmissionRequest.objects.count() == 2
    second = AdmissionRequest.objects.exclude(pk=first.pk).get()
    assert first.number in second.duplicate_of


def test_negative_item_is_rejected_citing_it(setup):
    world = setup
    negative = f.make_list(world).items.get(code="FM-01")
    c = world.client(world.users["department"])
    c.post(
        reverse("duties:request-create"), form_data(world, item=str(negative.pk), title="协助招商引资摸排")
    )
    req = AdmissionRequest.objects.get()
    assert req.status == RequestStatus.REJECTED
    body = c.get(req.get_absolute_url()).content.decode()
    assert "不予准入" in body and "FM-01" in body and "招商引资" in body
    letter = c.get(reverse("duties:request-letter", args=[req.pk])).content.decode()
    assert "不予准入" in letter and "负面清单" in letter


def test_returned_request_is_corrected_and_resubmitted(setup):
    world = setup
    req = f.make_request(world, "a", "returned")
    c = world.client(world.users["department"])
    page = c.get(reverse("duties:request-edit", args=[req.pk]))
    assert page.status_code == 200 and req.title in page.content.decode()  # prefilled
    data = form_data(world, title=req.title, expected_version=str(req.version))
    data["start_date"], data["end_date"] = req.start_date.isoformat(), req.end_date.isoformat()
    resp = c.post(reverse("duties:request-edit", args=[req.pk]), data)
    assert resp.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.REVIEW and req.basis
    # Another department may not touch it; it is not even visible to them.
    other = world.client(f.department_user(world, "b"))
    assert other.get(reverse("duties:request-edit", args=[req.pk])).status_code == 404


# --- the list -----------------------------------------------------------------------------------
def test_list_tabs(setup):
    world = setup
    mine = f.make_request(world, "a")
    theirs = f.make_request(world, "b")
    dept = world.client(world.users["department"])
    body = dept.get(reverse("duties:request-list")).content.decode()
    assert "我部门的申请" in body and "待我审核" not in body
    assert mine.number in body and theirs.number not in body
    chair = world.client(world.users["street"])
    body = chair.get(reverse("duties:request-list")).content.decode()
    assert "待我审核" in body and mine.number in body and theirs.number in body
    chair.post(reverse("duties:request-vote", args=[mine.pk]), {"choice": Vote.APPROVE})
    body = chair.get(reverse("duties:request-list"), {"tab": "todo"}).content.decode()
    assert mine.number not in body and theirs.number in body
    body = chair.get(reverse("duties:request-list"), {"tab": "all", "urgent": "on"}).content.decode()
    assert mine.number not in body
    export = chair.get(reverse("duties:request-list"), {"tab": "all", "export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_overdue_deadline_is_red(setup):
    world = setup
    req = f.make_request(world, "a")
    AdmissionRequest.objects.filter(pk=req.pk).update(review_deadline=timezone.now() - dt.timedelta(days=1))
    body = (
        world.client(world.users["street"])
        .get(reverse("duties:request-list"), {"tab": "all"})
        .content.decode()
    )
    assert "text-danger fw-semibold" in body


@pytest.mark.parametrize(
    "role", ["community_lead", "community_worker", "community_worker_b", "grid_worker", "resident"]
)
def test_community_users_see_no_requests(setup, role):
    world = setup
    req = f.make_request(world, "a", "approved")
    c = world.client(world.users[role])
    assert c.get(reverse("duties:request-list")).status_code == 403
    for name in ("duties:request-detail", "duties:request-letter", "duties:request-edit"):
        assert c.get(reverse(name, args=[req.pk])).status_code == 404
    for name in ("duties:request-vote", "duties:request-close", "duties:request-withdraw"):
        assert c.post(reverse(name, args=[req.pk]), {"choice": "approve", "reason": "x"}).status_code == 404


# --- the review ---------------------------------------------------------------------------------
def test_review_through_the_pages_two_to_one(setup):
    world = setup
    req = f.make_request(world, "a")
    page = world.client(world.users["department"]).get(req.get_absolute_url()).content.decode()
    assert 'id="findings"' in page and "快速通道" in page and 'id="vote"' not in page
    chair, m1, m2 = _member_clients(world)
    assert 'id="vote"' in chair.get(req.get_absolute_url()).content.decode()
    assert (
        chair.post(reverse("duties:request-vote", args=[req.pk]), {"choice": Vote.APPROVE}).status_code == 302
    )
    # A comment is required with 不同意.
    resp = m1.post(reverse("duties:request-vote", args=[req.pk]), {"choice": Vote.REJECT})
    assert resp.status_code == 400 and "理由" in resp.content.decode()
    m1.post(
        reverse("duties:request-vote", args=[req.pk]),
        {"choice": Vote.REJECT, "comment": "台账过多，建议合并"},
    )
    page = m2.get(req.get_absolute_url()).content.decode()
    assert "台账过多，建议合并" in page and "同意 1 票，不同意 1 票，修改后同意 0 票" in page
    m2.post(
        reverse("duties:request-vote", args=[req.pk]), {"choice": Vote.AMEND, "comment": "表格合并为一张"}
    )
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED
    # A second vote is refused on the page.
    resp = m2.post(reverse("duties:request-vote", args=[req.pk]), {"choice": Vote.APPROVE})
    assert resp.status_code == 409
    page = world.client(world.users["department"]).get(req.get_absolute_url()).content.decode()
    assert 'id="tasks"' in page and world.a.display_name in page and "2000" in page
    letter = world.client(world.users["department"]).get(reverse("duties:request-letter", args=[req.pk]))
    body = letter.content.decode()
    assert letter.status_code == 200
    assert "准入审核决定书" in body and req.letter_number in body
    assert "准予准入（附修改意见）" in body and "表格合并为一张" in body
    assert "同意 1 票，不同意 1 票，修改后同意 1 票" in body and "多数通过" in body
    assert "纸坊街道社区工作准入审核领导小组" in body and "区民政局" in body and world.a.display_name in body
    assert "@media print" in body and "sq-sidebar" not in body  # no navigation on the letter


def test_non_member_cannot_vote(setup):
    world = setup
    req = f.make_request(world, "a")
    resp = world.client(world.users["department"]).post(
        reverse("duties:request-vote", args=[req.pk]), {"choice": Vote.APPROVE}
    )
    assert resp.status_code == 403 and not req.votes.exists()


def test_letter_waits_for_a_decision(setup):
    world = setup
    req = f.make_request(world, "a")
    assert (
        world.client(world.users["street"]).get(reverse("duties:request-letter", args=[req.pk])).status_code
        == 409
    )


def test_close_after_deadline_by_chair(setup):
    world = setup
    req = f.make_request(world, "a")
    chair = world.client(world.users["street"])
    m1 = world.client(f.members(world)[1])
    m1.post(reverse("duties:request-vote", args=[req.pk]), {"choice": Vote.APPROVE})
    resp = chair.post(reverse("duties:request-close", args=[req.pk]), {})
    assert resp.status_code == 409  # the deadline has not passed
    AdmissionRequest.objects.filter(pk=req.pk).update(review_deadline=timezone.now() - dt.timedelta(hours=1))
    page = chair.get(req.get_absolute_url()).content.decode()
    assert 'id="close"' in page
    dept = world.client(world.users["department"])
    assert dept.post(reverse("duties:request-close", args=[req.pk]), {}).status_code == 403
    assert chair.post(reverse("duties:request-close", args=[req.pk]), {"note": "按期决定"}).status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED and req.decided_late


def test_withdraw_by_department_ends_tasks(setup):
    world = setup
    req = f.make_request(world, "a", "approved")
    c = world.client(world.users["department"])
    resp = c.post(reverse("duties:request-withdraw", args=[req.pk]), {"reason": ""})
    assert resp.status_code == 400
    resp = c.post(reverse("duties:request-withdraw", args=[req.pk]), {"reason": "上级政策调整，不再开展"})
    assert resp.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.WITHDRAWN
    assert set(Task.objects.filter(request=req).values_list("status", flat=True)) == {"withdrawn"}
    # The letter of a decision stays printable after the withdrawal.
    assert "准予准入" in c.get(reverse("duties:request-letter", args=[req.pk])).content.decode()


# --- settings -----------------------------------------------------------------------------------
def test_policy_pages(setup):
    world = setup
    c = world.client(world.users["street"])
    index = c.get(reverse("duties:policy"))
    assert index.status_code == 200 and "纸坊街道社区工作准入审核领导小组" in index.content.decode()
    url = reverse("duties:policy-edit", args=[world.street.code])
    page = c.get(url)
    assert page.status_code == 200
    members = list(ReviewMember.objects.filter(policy__org=world.street).order_by("-is_chair", "pk"))
    data = {
        "group_name": "纸坊街道准入审核小组",
        "decision_rule": "chair",
        "notice_days": "20",
        "review_days": "10",
        "fast_track_days": "3",
        "reminder_days": "2",
        "cap_ledgers": "15",
        "base_ledgers": "200",
        "m-TOTAL_FORMS": "3",
        "m-INITIAL_FORMS": "0",
    }
    for i, m in enumerate(members[:2]):
        data[f"m-{i}-user"] = str(m.user_id)
        data[f"m-{i}-title"] = "组长" if m.is_chair else "成员"
        if m.is_chair:
            data[f"m-{i}-is_chair"] = "on"
    resp = c.post(url, data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    p = DutyPolicy.objects.get(org=world.street)
    assert p.group_name == "纸坊街道准入审核小组" and p.decision_rule == "chair" and p.notice_days == 20
    assert p.caps["ledgers"] == 15 and p.baseline["ledgers"] == 200
    assert p.members.count() == 2
    # Two chairs are refused.
    data["m-1-is_chair"] = "on"
    resp = c.post(url, data)
    assert resp.status_code == 400 and "只有一名组长" in resp.content.decode()


@pytest.mark.parametrize("role", ["department", "community_lead", "community_worker", "grid_worker"])
def test_policy_pages_need_manage_policy(setup, role):
    c = setup.client(setup.users[role])
    assert c.get(reverse("duties:policy")).status_code == 403
    assert c.get(reverse("duties:policy-edit", args=[setup.street.code])).status_code in (403, 404)


def test_street_manager_cannot_set_the_district(setup):
    c = setup.client(setup.users["street"])
    assert c.get(reverse("duties:policy-edit", args=[setup.district.code])).status_code == 404
