"""/api/v1/duties/requests and /policies: admission requests (准入申请), their pre-check, the review
group's votes, closing, withdrawal and resubmission, and each district's or street's review
settings. Reads start from visible_to; every write is a shequ.duties.services function. Errors
answer {"code", "message", "details"}; a suspected duplicate is 409 `duplicate_request` with
details.duplicates (send confirm_duplicate=true to file anyway)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import scope
from shequ.core.api import Day, ErrorOut, Hours, Id, Pagination, Version, Yuan, filtered
from shequ.core.errors import NotFound, ValidationFailed
from shequ.core.models import User
from shequ.core.roles import Role, roles_with
from shequ.core.services import require
from shequ.duties import services
from shequ.duties.models import (
    METRIC_FIELDS,
    AdmissionRequest,
    DecisionRule,
    DutyItem,
    DutyPolicy,
    FundingCommitment,
    ReviewMember,
    Task,
)
from shequ.duties.services import tally_line
from shequ.duties.views.requests import RequestFilter, awaiting_vote, policy_orgs

router = Router(tags=["duties"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- schemas --------------------------------------------------------------------------------------
class FindingOut(Schema):
    level: str = Field(..., description="reject 不予准入 | return 退回补正 | warn 提示审核人 | info 说明")
    code: str
    message: str
    item: str = Field("", description="所引清单事项")


class RequestOut(Schema):
    id: int
    number: str
    title: str
    department: str
    org_code: str = Field(..., alias="org.code")
    org_name: str
    communities_count: int
    status: str
    status_label: str = Field(..., alias="get_status_display")
    fast_track: bool
    urgent: bool
    suspected_negative: bool
    duplicate_of: str
    start_date: dt.date
    end_date: dt.date
    submitted_at: dt.datetime
    review_deadline: dt.datetime | None
    decided_at: dt.datetime | None
    decided_late: bool
    version: int

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.display_name

    @staticmethod
    def resolve_communities_count(obj):
        n = getattr(obj, "n_communities", None)
        return n if n is not None else obj.communities.count()


class ReviewMemberOut(Schema):
    username: str
    name: str
    title: str
    is_chair: bool


class VoteOut(Schema):
    member: str
    username: str
    title: str
    is_chair: bool
    choice: str
    choice_label: str
    comment: str
    voted_at: dt.datetime
    late: bool


class RequestTaskOut(Schema):
    id: int
    community_code: str
    community_name: str
    status: str
    status_label: str
    progress: int
    deadline: dt.date
    funding_committed: Decimal | None
    funding_delivered: Decimal | None


class ReviewOut(Schema):
    members: list[ReviewMemberOut]
    votes: list[VoteOut]
    tally: dict[str, int]
    tally_text: str
    voted: int
    total: int
    overdue: bool
    is_member: bool
    is_chair: bool
    may_vote: bool
    may_close: bool


class RequestDetailOut(RequestOut):
    description: str
    reason: str
    basis: str
    item_id: int | None
    item_citation: str
    communities: list[str]
    frequency: str
    hours_per_month: Decimal
    ledgers: int
    forms: int
    stamps: int
    signboards: int
    inspections: int
    appraisals: int
    evaluations: int
    meetings: int
    data_reports: int
    ledger_names: str
    form_names: str
    funding_per_community: Decimal
    funding_source: str
    personnel: str
    personnel_count: int
    urgent_reason: str
    decision_rule: str
    decision_note: str
    conditions: str
    letter_number: str
    end_note: str
    findings: list[FindingOut]
    review: ReviewOut
    tasks: list[RequestTaskOut]

    # Computed by _detail (the review state, tasks and commitments the user may see).
    @staticmethod
    def resolve_item_citation(obj):
        return obj.extra["item_citation"]

    @staticmethod
    def resolve_communities(obj):
        return obj.extra["communities"]

    @staticmethod
    def resolve_findings(obj):
        return obj.extra["findings"]

    @staticmethod
    def resolve_review(obj):
        return obj.extra["review"]

    @staticmethod
    def resolve_tasks(obj):
        return obj.extra["tasks"]


def _detail(user, pk) -> AdmissionRequest:
    req = (
        AdmissionRequest.objects.visible_to(user)
        .select_related("org", "item__duty_list")
        .annotate(n_communities=Count("communities", distinct=True))
        .filter(pk=pk)
        .first()
    )
    if req is None:
        raise Http404()
    state = services.review_state(req, user)
    commitments = {c.task_id: c for c in FundingCommitment.objects.visible_to(user).filter(task__request=req)}
    tasks = (
        Task.objects.visible_to(user)
        .filter(request=req)
        .select_related("community")
        .order_by("community__code")
    )
    req.extra = dict(
        item_citation=req.item.citation if req.item_id else "",
        communities=list(req.communities.order_by("code").values_list("code", flat=True)),
        findings=[{"item": "", **f} for f in req.findings or []],
        review={
            "members": [
                {
                    "username": r["member"].user.username,
                    "name": str(r["member"].user),
                    "title": r["member"].title,
                    "is_chair": r["member"].is_chair,
                }
                for r in state["members"]
            ],
            "votes": [
                {
                    "member": str(v.member),
                    "username": v.member.username,
                    "title": v.member_title,
                    "is_chair": v.is_chair,
                    "choice": v.choice,
                    "choice_label": v.get_choice_display(),
                    "comment": v.comment,
                    "voted_at": v.voted_at,
                    "late": v.late,
                }
                for v in state["votes"]
            ],
            "tally": state["tally"],
            "tally_text": tally_line(state["tally"]),
            **{
                k: state[k]
                for k in ("voted", "total", "overdue", "is_member", "is_chair", "may_vote", "may_close")
            },
        },
        tasks=[
            {
                "id": t.pk,
                "community_code": t.community.code,
                "community_name": t.community.display_name,
                "status": t.status,
                "status_label": t.get_status_display(),
                "progress": t.progress,
                "deadline": t.deadline,
                "funding_committed": commitments[t.pk].amount if t.pk in commitments else None,
                "funding_delivered": commitments[t.pk].delivered if t.pk in commitments else None,
            }
            for t in tasks
        ],
    )
    return req


# --- requests -------------------------------------------------------------------------------------
class RequestQuery(Schema):
    tab: str | None = Field(None, description="todo 待我审核 | department 我部门的申请；不填为全部")
    q: str | None = Field(None, max_length=40, description="申请编号（或其开头）或事项名称片段")
    status: str | None = Field(
        None, description="returned | review | approved | rejected | withdrawn | expired"
    )
    department: str | None = Field(None, max_length=100)
    fast_track: bool | None = None
    urgent: bool | None = None


@router.get("/requests", response=list[RequestOut], summary="准入申请列表（与“准入申请”页面同一套筛选）")
@paginate(Pagination)
def list_requests(request, params: RequestQuery = Query(...)):
    user = request.user
    qs = (
        AdmissionRequest.objects.visible_to(user)
        .select_related("org")
        .defer("description", "reason", "findings", "decision_note", "conditions")
        .annotate(n_communities=Count("communities", distinct=True))
    )
    if params.tab == "todo":
        qs = awaiting_vote(qs, user)
    elif params.tab == "department":
        depts = [m for m in scope.memberships(user) if m.role == Role.DEPARTMENT and m.department]
        mine = AdmissionRequest.objects.none()
        for m in depts:
            mine = mine | qs.filter(department=m.department, origin_code__startswith=m.scope_code)
        qs = mine
    elif params.tab not in (None, "", "all"):
        raise ValidationFailed(
            _("tab 只能是 todo、department 或 all。"), code="invalid_filter", details={"tab": ["?"]}
        )
    data = params.dict(exclude={"tab"})
    for flag in ("fast_track", "urgent"):
        if data.get(flag) is False:
            data[flag] = None
    return filtered(request, RequestFilter, qs, data).order_by("-submitted_at", "-pk")


@router.get(
    "/requests/{int:request_id}",
    response={200: RequestDetailOut, 404: ErrorOut},
    summary="准入申请详情：预审结果、审核小组与意见、计票、下派任务与经费承诺",
)
def get_request(request, request_id: Id):
    return _detail(request.user, request_id)


class RequestIn(Schema):
    department: str = Field("", max_length=100, description="申请部门（部门账号不填，按账号所属部门）")
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=4000)
    reason: str = Field("", max_length=2000)
    basis: str = Field("", max_length=400)
    item: Id | None = Field(None, description="对应清单事项 id")
    communities: list[str] = Field(..., min_length=1, max_length=2000, description="承接社区代码")
    start_date: Day
    end_date: Day
    frequency: str = Field(
        "once", description="once | ongoing | yearly | quarterly | monthly | weekly | on_demand"
    )
    hours_per_month: Hours = Decimal("0")
    ledgers: int = Field(0, ge=0, le=10000)
    forms: int = Field(0, ge=0, le=10000)
    stamps: int = Field(0, ge=0, le=10000)
    signboards: int = Field(0, ge=0, le=10000)
    inspections: int = Field(0, ge=0, le=10000)
    appraisals: int = Field(0, ge=0, le=10000)
    evaluations: int = Field(0, ge=0, le=10000)
    meetings: int = Field(0, ge=0, le=10000)
    data_reports: int = Field(0, ge=0, le=10000)
    ledger_names: str = Field("", max_length=300)
    form_names: str = Field("", max_length=300)
    funding_per_community: Yuan = Decimal("0")
    funding_source: str = Field("", max_length=100)
    personnel: str = Field("", max_length=300, description="人员支持说明")
    personnel_count: int = Field(0, ge=0, le=1000, description="每社区派驻人数（人随事动）")
    urgent: bool = False
    urgent_reason: str = Field("", max_length=300)


class RequestCreateIn(RequestIn):
    confirm_duplicate: bool = Field(False, description="已确认不是重复申请（收到 409 duplicate_request 后）")


def _item(pk):
    if pk is None:
        return None
    item = DutyItem.objects.filter(pk=pk).select_related("duty_list").first()
    if item is None:
        raise ValidationFailed(_("没有该清单事项。"), details={"item": [_("没有该清单事项。")]})
    return item


def _fields(payload: RequestIn, *, exclude=()) -> dict:
    data = payload.dict(exclude={"confirm_duplicate", *exclude})
    data["item"] = _item(data.get("item"))
    data["communities"] = list(dict.fromkeys(data["communities"]))
    return data


def _known_communities(user, codes) -> None:
    """A community the user may not file for is answered as not found, never forbidden."""
    roots = scope.scope_codes(user, roles_with("duties.file_request"))
    if roots is None:
        return
    for code in codes:
        if not any(str(code).startswith(r) for r in roots):
            raise NotFound(_("未找到社区 %(c)s，或它不在您的管辖范围内。") % {"c": code})


@router.post("/requests", response={201: RequestDetailOut, **ERRORS}, summary="提出准入申请（自动预审）")
def create_request(request, payload: RequestCreateIn):
    user = request.user
    require(user, "duties.file_request")
    _known_communities(user, payload.communities)
    req = services.file_request(user, confirm_duplicate=payload.confirm_duplicate, **_fields(payload))
    return Status(201, _detail(user, req.pk))


@router.post(
    "/requests/precheck",
    response={200: list[FindingOut], **ERRORS},
    summary="预审预览：不保存，只返回预审结果",
)
def precheck(request, payload: RequestIn):
    user = request.user
    require(user, "duties.file_request")
    _known_communities(user, payload.communities)
    return [{"item": "", **f} for f in services.precheck_preview(user, **_fields(payload))]


class ResubmitIn(RequestIn):
    expected_version: Version | None = Field(None, description="读到的 version；已被他人更新时返回 409")


@router.put(
    "/requests/{int:request_id}",
    response={200: RequestDetailOut, **ERRORS},
    summary="修改退回补正的申请并重新提交",
)
def resubmit(request, request_id: Id, payload: ResubmitIn):
    user = request.user
    if not AdmissionRequest.objects.visible_to(user).filter(pk=request_id).exists():
        raise Http404()
    _known_communities(user, payload.communities)
    changes = _fields(payload, exclude={"expected_version", "department"})
    services.resubmit_request(user, request_id, changes, expected_version=payload.expected_version)
    return _detail(user, request_id)


class VoteIn(Schema):
    choice: str = Field(..., description="approve 同意 | reject 不同意 | amend 修改后同意")
    comment: str = Field("", max_length=2000, description="不同意、修改后同意时必填")
    expected_version: Version | None = None


@router.post(
    "/requests/{int:request_id}/votes",
    response={201: RequestDetailOut, **ERRORS},
    summary="审核小组成员提出意见（同意 / 不同意 / 修改后同意）",
)
def cast_vote(request, request_id: Id, payload: VoteIn):
    services.vote(
        request.user, request_id, payload.choice, payload.comment, expected_version=payload.expected_version
    )
    return Status(201, _detail(request.user, request_id))


class CloseIn(Schema):
    note: str = Field("", max_length=2000)


@router.post(
    "/requests/{int:request_id}/close",
    response={200: RequestDetailOut, **ERRORS},
    summary="审核期满后由组长或管理员按已提出的意见作出决定",
)
def close(request, request_id: Id, payload: CloseIn):
    services.close_review(request.user, request_id, payload.note)
    return _detail(request.user, request_id)


class WithdrawIn(Schema):
    reason: str = Field(..., max_length=300)
    expected_version: Version | None = None


@router.post(
    "/requests/{int:request_id}/withdraw",
    response={200: RequestDetailOut, **ERRORS},
    summary="撤回申请（已准入的，下派任务一并撤回）",
)
def withdraw(request, request_id: Id, payload: WithdrawIn):
    services.withdraw_request(
        request.user, request_id, payload.reason, expected_version=payload.expected_version
    )
    return _detail(request.user, request_id)


# --- policies -------------------------------------------------------------------------------------
class PolicyOut(Schema):
    org_code: str
    org_name: str
    configured: bool
    group_name: str
    decision_rule: str
    notice_days: int
    review_days: int
    fast_track_days: int
    reminder_days: int
    caps: dict[str, int]
    baseline: dict[str, int]
    members: list[ReviewMemberOut]
    version: int


def _with_members(qs):
    return qs.prefetch_related(Prefetch("members", queryset=ReviewMember.objects.select_related("user")))


def _policy_out(org, policy: DutyPolicy | None) -> dict:
    p = policy or DutyPolicy(org=org)
    members = list(policy.members.all()) if policy else []  # prefetched with their users
    return {
        "org_code": org.code,
        "org_name": org.display_name,
        "configured": policy is not None,
        **{
            k: getattr(p, k)
            for k in (
                "group_name",
                "decision_rule",
                "notice_days",
                "review_days",
                "fast_track_days",
                "reminder_days",
            )
        },
        "group_name": str(p.group_name),
        "caps": p.caps or {},
        "baseline": p.baseline or {},
        "members": [
            {"username": m.user.username, "name": str(m.user), "title": m.title, "is_chair": m.is_chair}
            for m in members
        ],
        "version": p.version if policy else 0,
    }


@router.get(
    "/policies", response={200: list[PolicyOut], 403: ErrorOut}, summary="可设置的区、街道准入审核设置"
)
def list_policies(request):
    require(request.user, "duties.manage_policy")
    orgs = list(policy_orgs(request.user)[:500])
    policies = {
        p.org_id: p for p in _with_members(DutyPolicy.objects.visible_to(request.user).filter(org__in=orgs))
    }
    return [_policy_out(o, policies.get(o.pk)) for o in orgs]


# A cap or baseline per community, as the settings page takes it.
MetricCount = Annotated[int, Field(ge=0, le=100_000)]


class MemberIn(Schema):
    username: str = Field(..., max_length=150)
    title: str = Field("", max_length=60)
    is_chair: bool = False


class PolicyIn(Schema):
    group_name: str = Field(..., min_length=1, max_length=100)
    decision_rule: str = Field(DecisionRule.MAJORITY, description="majority 多数通过 | chair 组长决定")
    notice_days: int = Field(30, ge=0, le=250)
    review_days: int = Field(15, ge=1, le=120)
    fast_track_days: int = Field(5, ge=1, le=60)
    reminder_days: int = Field(3, ge=0, le=60)
    caps: dict[str, MetricCount] = Field({}, description=f"每社区上限，键为 {', '.join(METRIC_FIELDS)}")
    baseline: dict[str, MetricCount] = Field({}, description="对照基线，键同上")
    members: list[MemberIn] | None = Field(None, description="审核小组成员（不填则不改）；须有且只有一名组长")


@router.put(
    "/policies/{code}", response={200: PolicyOut, **ERRORS}, summary="设置一个区或街道的准入审核小组与时限"
)
def put_policy(request, code: str, payload: PolicyIn):
    user = request.user
    org = policy_orgs(user).filter(code=code).first()
    if org is None:
        raise Http404()
    fields = payload.dict(exclude={"members"})
    members = None
    if payload.members is not None:
        users = {
            u.username: u for u in User.objects.filter(username__in=[m.username for m in payload.members])
        }
        missing = [m.username for m in payload.members if m.username not in users]
        if missing:
            raise ValidationFailed(
                _("没有这些账号：%s") % "、".join(missing),
                details={"members": [_("没有这些账号：%s") % "、".join(missing)]},
            )
        members = [
            {"user": users[m.username], "title": m.title, "is_chair": m.is_chair} for m in payload.members
        ]
    policy = services.save_policy(user, org, **fields)
    if members is not None:
        services.set_members(user, policy, members)
    return _policy_out(org, _with_members(DutyPolicy.objects.filter(pk=policy.pk)).get())
