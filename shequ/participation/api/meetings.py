"""Meetings (with their agenda and attendance count), the staff's attendance list, the vote that
makes a resolution, follow-up steps, the resolutions' list (with the overdue ones) and the report."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import scope
from shequ.core.api import Day, ErrorOut, Id, Moment, Pagination, PhotoIn, decode_photos, filtered
from shequ.core.errors import Forbidden
from shequ.core.services import get_visible
from shequ.participation import reports, services
from shequ.participation.filters import MeetingFilter, ResolutionFilter
from shequ.participation.models import Meeting, Resolution

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class MeetingAgendaOut(Schema):
    issue: int
    title: str
    views: str

    @staticmethod
    def resolve_issue(obj):
        return obj.issue_id

    @staticmethod
    def resolve_title(obj):
        return obj.issue.title


class MeetingOut(Schema):
    id: int
    community: str
    kind: str
    title: str
    starts_at: datetime
    place: str
    convener: str
    expected: int
    present: int = Field(description="签到出席人数")
    quorum: str = Field(description="法定人数规则")
    adopt: str = Field(description="通过规则")
    invited: str
    held: bool
    minutes: str
    agenda: list[MeetingAgendaOut]

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_kind(obj):
        return obj.kind.name

    @staticmethod
    def resolve_present(obj):
        return obj.attendance.count()

    @staticmethod
    def resolve_quorum(obj):
        return obj.kind.quorum_label

    @staticmethod
    def resolve_adopt(obj):
        return obj.kind.adopt_label

    @staticmethod
    def resolve_agenda(obj):
        return list(obj.agenda.select_related("issue"))


class MeetingIn(Schema):
    community: str = Field(max_length=12, description="社区代码（12 位）")
    kind: str = Field(
        max_length=30,
        description="会议类型：民情恳谈会、民事协调会、民意听证会、民主评议会、居民代表大会、协商议事会、楼院议事会",
    )
    title: str = Field("", max_length=100)
    starts_at: Moment
    place: str = Field(max_length=100)
    convener: str = Field(max_length=50)
    expected: int = Field(ge=1, le=10000, description="应到人数")
    invited: str = Field("", max_length=2000, description="邀请参加的各方，每行一方")
    invited_orgs: list[Id] = Field([], max_length=50, description="邀请的驻区单位 id")
    issues: list[Id] = Field([], max_length=50, description="列入议程的待上会议题 id")


class MeetingQuery(Schema):
    q: str | None = Field(None, max_length=100)


class MeetingAttendanceIn(Schema):
    names: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        min_length=1, max_length=500, description="出席人员姓名，每人一项"
    )


class MeetingAttendanceOut(Schema):
    meeting: int
    present: int


class MeetingVoteIn(Schema):
    issue: Id = Field(description="议程中的议题 id")
    text: str = Field(max_length=4000)
    votes_for: int = Field(ge=0, le=100000)
    votes_against: int = Field(ge=0, le=100000)
    votes_abstain: int = Field(ge=0, le=100000)
    owner_user: Id | None = Field(None, description="责任人账号 id（本社区工作人员）")
    owner_unit: str = Field("", max_length=100)
    deadline: Day | None = None


class ParticipationResolutionOut(Schema):
    id: int
    meeting: int
    issue: int
    issue_title: str
    text: str
    present: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    adopted: bool
    owner: str
    deadline: date | None
    decided_on: date
    published_on: date | None
    publish_days: int | None
    completed_on: date | None
    overdue: bool = Field(description="已通过、过了完成时限且未完成")

    @staticmethod
    def resolve_meeting(obj):
        return obj.meeting_id

    @staticmethod
    def resolve_issue(obj):
        return obj.issue_id

    @staticmethod
    def resolve_issue_title(obj):
        return obj.issue.title

    @staticmethod
    def resolve_owner(obj):
        return obj.owner_label


class ParticipationResolutionQuery(Schema):
    state: str | None = Field(
        None,
        max_length=16,
        description="overdue 逾期未完成、open 落实中、done 已完成、published 公示中、failed 未通过",
    )


class ParticipationFollowUpIn(Schema):
    on: Day
    text: str = Field(max_length=1000)
    photos: list[PhotoIn] = Field([], max_length=9)


class ParticipationFollowUpOut(Schema):
    id: int
    resolution: int
    on: date
    text: str

    @staticmethod
    def resolve_resolution(obj):
        return obj.resolution_id


class ParticipationKindOut(Schema):
    name: str
    meetings: int
    attendance: int
    rate: float | None


class ParticipationReportOut(Schema):
    scope: str
    start: date
    end: date
    meetings: int
    attendance: int
    kinds: list[ParticipationKindOut]
    issues_raised: int
    issues_resolved: int
    issues_done: int
    issues_rejected: int
    resolutions: int
    adopted: int
    overdue: int
    median_days_to_resolution: float | None
    median_days_to_completion: float | None
    satisfaction: float | None


@router.get("/meetings", response={200: list[MeetingOut], 403: ErrorOut}, summary="会议")
@paginate(Pagination)
def list_meetings(request, params: MeetingQuery = Query(...)):
    if not scope.may_read(request.user, Meeting):
        raise Forbidden()
    qs = Meeting.objects.visible_to(request.user).select_related("community", "kind")
    return filtered(request, MeetingFilter, qs, params)


@router.get("/meetings/{int:meeting_id}", response={200: MeetingOut, 404: ErrorOut}, summary="会议")
def get_meeting(request, meeting_id: Id):
    return get_visible(Meeting, request.user, meeting_id)


@router.post("/meetings", response={201: MeetingOut, **ERRORS}, summary="组织会议（可同时列入议程）")
def create_meeting(request, payload: MeetingIn):
    d = payload.dict()
    return Status(201, services.create_meeting(request.user, d.pop("community"), **d))


@router.post(
    "/meetings/{int:meeting_id}/attendance",
    response={201: MeetingAttendanceOut, **ERRORS},
    summary="登记出席人员（每人一次）",
)
def add_attendance(request, meeting_id: Id, payload: MeetingAttendanceIn):
    services.record_attendance(request.user, meeting_id, names=payload.names)
    return Status(
        201, {"meeting": meeting_id, "present": Meeting.objects.get(pk=meeting_id).attendance.count()}
    )


@router.post(
    "/meetings/{int:meeting_id}/resolutions",
    response={201: ParticipationResolutionOut, **ERRORS},
    summary="表决形成决议（按出席人数计票，须达到法定人数）",
)
def vote(request, meeting_id: Id, payload: MeetingVoteIn):
    d = payload.dict()
    issue = d.pop("issue")
    return Status(201, services.vote_resolution(request.user, meeting_id, issue, **d))


@router.get("/resolutions", response={200: list[ParticipationResolutionOut], 403: ErrorOut}, summary="决议")
@paginate(Pagination)
def list_resolutions(request, params: ParticipationResolutionQuery = Query(...)):
    if not scope.may_read(request.user, Resolution):
        raise Forbidden()
    qs = (
        Resolution.objects.visible_to(request.user)
        .select_related("issue", "owner_user")
        .order_by("deadline", "pk")
    )
    return filtered(request, ResolutionFilter, qs, params)


@router.post(
    "/resolutions/{int:resolution_id}/follow-ups",
    response={201: ParticipationFollowUpOut, **ERRORS},
    summary="登记决议落实情况（可附照片）",
)
def add_follow_up(request, resolution_id: Id, payload: ParticipationFollowUpIn):
    d = payload.dict()
    d.pop("photos")
    return Status(
        201, services.add_follow_up(request.user, resolution_id, photos=decode_photos(payload.photos), **d)
    )


@router.get(
    "/report", response={200: ParticipationReportOut, 403: ErrorOut, 404: ErrorOut}, summary="议事统计"
)
def get_report(
    request,
    scope_code: str | None = Query(None, alias="scope", max_length=12),
    start: Day | None = Query(None),
    end: Day | None = Query(None),
):
    return reports.report(request.user, scope_code or None, start, end)
