"""Issues: the list (the list page's filters), one issue, staff entering one, a resident's
proposal and support. Statuses: proposed 提出 (gathering support), ready 待上会 (the community's
support threshold reached, or accepted by staff), on_agenda 已上会, resolved 已形成决议,
implementing 落实中 (a follow-up step recorded), done 已办结, rejected 不予受理 (with its reason)."""

from datetime import date

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import scope
from shequ.core.api import ErrorOut, Id, Pagination, filtered
from shequ.core.errors import Forbidden
from shequ.core.services import get_visible
from shequ.participation import services
from shequ.participation.filters import IssueFilter
from shequ.participation.models import VIEW_SUPPORTERS, Issue

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
STATUSES = "proposed 提出、ready 待上会、on_agenda 已上会、resolved 已形成决议、implementing 落实中、done 已办结、rejected 不予受理"


class ParticipationIssueOut(Schema):
    id: int
    community: str
    community_name: str
    building: str = Field(description="涉及楼栋（空为全社区）")
    scope: str = Field(description="议题范围：community 全社区、area 片区（网格）、building 楼栋")
    area: int | None = Field(description="片区（网格）id；楼栋议题为楼栋所在网格")
    area_name: str
    category: str
    source: str = Field(
        description="proposal 居民提议、box 议事箱、meeting 会议、case 案件、staff 工作人员、rating 居民评议"
    )
    source_label: str
    title: str
    text: str
    status: str = Field(description=STATUSES)
    status_label: str
    reject_reason: str
    support_count: int
    case_number: str
    raised_on: date
    ready_on: date | None
    resolved_on: date | None
    done_on: date | None

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_community_name(obj):
        return obj.community.display_name

    @staticmethod
    def resolve_building(obj):
        return obj.building.address if obj.building_id else ""

    @staticmethod
    def resolve_category(obj):
        return obj.category.name

    @staticmethod
    def resolve_area(obj):
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj):
        return obj.area.name if obj.area_id else ""

    @staticmethod
    def resolve_source_label(obj):
        return str(obj.get_source_display())

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class ParticipationSupporterOut(Schema):
    name: str
    created_at: str

    @staticmethod
    def resolve_created_at(obj):
        return obj.created_at.isoformat()


class ParticipationIssueDetailOut(ParticipationIssueOut):
    supporters: list[ParticipationSupporterOut] | None = Field(
        description="附议人：仅本社区工作人员可见，其他人为 null（只看人数）"
    )


class ParticipationIssueQuery(Schema):
    q: str | None = Field(None, max_length=100)
    status: str | None = Field(None, max_length=16, description=STATUSES)
    source: str | None = Field(None, max_length=16)


class ParticipationIssueIn(Schema):
    community: str = Field(max_length=12, description="社区代码（12 位）")
    source: str = Field(max_length=16, description="box 议事箱、meeting 会议、case 案件、staff 工作人员")
    category: str = Field(max_length=30, description="议题类别名称，如 环境卫生、停车管理")
    title: str = Field(max_length=100)
    text: str = Field(max_length=4000)
    building: Id | None = Field(None, description="楼栋 id（可省略）")
    scope: str = Field(
        "", max_length=10, description="community 全社区、area 片区、building 楼栋；省略时按所填片区、楼栋"
    )
    area: Id | None = Field(None, description="片区（网格）id：范围为 area 时必填")
    proposer_name: str = Field("", max_length=50)
    case: str = Field("", max_length=20, description="来源为 case 时：案件受理编号")


class ParticipationProposalIn(Schema):
    community: str = Field(max_length=12, description="社区代码（12 位）")
    category: str = Field(max_length=30)
    title: str = Field(max_length=100)
    text: str = Field(max_length=4000)
    building: Id | None = None
    scope: str = Field(
        "", max_length=10, description="community 全社区、area 片区、building 楼栋；省略时按所填片区、楼栋"
    )
    area: Id | None = Field(None, description="片区（网格）id：范围为 area 时必填")
    name: str = Field("", max_length=50, description="居民姓名；以本社区居民账号调用时可省略")
    last4: str = Field("", max_length=4, description="手机号码后四位，与居民台账核对")


class ParticipationSupportIn(Schema):
    name: str = Field("", max_length=50, description="居民姓名；以本社区居民账号调用时可省略")
    last4: str = Field("", max_length=4, description="手机号码后四位，与居民台账核对")


class ParticipationSupportOut(Schema):
    issue: int
    support_count: int
    status: str = Field(description=STATUSES)


@router.get("/issues", response={200: list[ParticipationIssueOut], 403: ErrorOut}, summary="议题")
@paginate(Pagination)
def list_issues(request, params: ParticipationIssueQuery = Query(...)):
    if not scope.may_read(request.user, Issue):
        raise Forbidden()
    qs = Issue.objects.visible_to(request.user).select_related("community", "category", "building", "area")
    return filtered(request, IssueFilter, qs, params)


@router.get(
    "/issues/{int:issue_id}", response={200: ParticipationIssueDetailOut, 404: ErrorOut}, summary="议题"
)
def get_issue(request, issue_id: Id):
    issue = get_visible(Issue, request.user, issue_id)
    issue.supporters = (
        list(issue.supports.all()[:1000])
        if scope.covers(request.user, issue.scope_code, VIEW_SUPPORTERS)
        else None
    )
    return issue


@router.post("/issues", response={201: ParticipationIssueOut, **ERRORS}, summary="工作人员登记议题")
def create_issue(request, payload: ParticipationIssueIn):
    d = payload.dict()
    return Status(201, services.raise_issue(request.user, d.pop("community"), **d))


@router.post(
    "/proposals", response={201: ParticipationIssueOut, **ERRORS}, summary="居民提议（本人附议计入）"
)
def create_proposal(request, payload: ParticipationProposalIn):
    d = payload.dict()
    return Status(201, services.propose_issue(request.user, d.pop("community"), **d))


@router.post(
    "/issues/{int:issue_id}/support",
    response={201: ParticipationSupportOut, **ERRORS},
    summary="附议（每位居民一次）",
)
def support_issue(request, issue_id: Id, payload: ParticipationSupportIn):
    services.support_issue(request.user, issue_id, **payload.dict())
    issue = Issue.objects.get(pk=issue_id)
    return Status(201, {"issue": issue.pk, "support_count": issue.support_count, "status": issue.status})
