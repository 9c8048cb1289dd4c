"""/api/v1/teams/: teams and members, the talent pool, volunteers, activities (sign-up, check-in,
hours, ratings), the figures; and the public listing of a community's coming activities."""

import datetime as dt
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from shequ.core.api import PUBLIC, Day, ErrorOut, Hours, Id, Moment, Pagination, PublicPagination, filtered
from shequ.core.errors import NotFound
from shequ.core.masking import mask
from shequ.core.services import get_visible
from shequ.org.models import Level, OrgUnit
from shequ.teams import services
from shequ.teams.filters import ActivityFilter, TalentFilter, TeamFilter, VolunteerFilter
from shequ.teams.models import (
    Activity,
    ActivityStatus,
    CheckIn,
    ServiceHours,
    SignupStatus,
    Talent,
    Team,
    TeamMember,
    Volunteer,
)

router = Router(tags=["teams"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- teams ----------------------------------------------------------------------------------------
class TeamsTeamOut(Schema):
    id: int
    org: str
    org_name: str
    kind: str
    name: str
    leader_name: str
    instructor_name: str
    founded_on: dt.date | None
    status: str
    members: int
    version: int

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.display_name

    @staticmethod
    def resolve_kind(obj):
        return obj.kind.name

    @staticmethod
    def resolve_instructor_name(obj):
        return obj.instructor.resident.name if obj.instructor_id else ""

    @staticmethod
    def resolve_members(obj):
        return getattr(obj, "n_members", None) or obj.members.filter(left_on__isnull=True).count()


class TeamsMemberOut(Schema):
    id: int
    name: str
    role: str
    resident_id: int | None
    phone_masked: str
    joined_on: dt.date
    left_on: dt.date | None

    @staticmethod
    def resolve_phone_masked(obj):
        return mask(obj.phone, "phone") if obj.phone else ""


class TeamsTeamDetailOut(TeamsTeamOut):
    member_list: list[TeamsMemberOut]

    @staticmethod
    def resolve_member_list(obj):
        return list(TeamMember.objects.filter(team=obj).order_by("left_on", "role", "id"))


class TeamsTeamQuery(Schema):
    q: str | None = None
    kind: Id | None = None
    status: str | None = None
    community: Id | None = None


class TeamsTeamIn(Schema):
    org: str = Field(..., description="社区（12 位）或街道（9 位）代码")
    kind: str = Field(..., description="队伍类别名称，如 合唱队")
    name: str
    founded_on: Day | None = None
    leader: Id | None = Field(None, description="队长（居民台账 id）")
    leader_name: str = ""
    note: str = ""


class TeamsMemberIn(Schema):
    resident: Id | None = Field(None, description="居民台账 id；外来人员留空并填姓名")
    name: str = ""
    phone: str = ""
    role: str = "member"
    joined_on: Day | None = None


def _teams(request):
    return Team.objects.visible_to(request.user).select_related("org", "kind", "instructor__resident")


@router.get("/teams", response=list[TeamsTeamOut], summary="队伍")
@paginate(Pagination)
def list_teams(request, params: TeamsTeamQuery = Query(...)):
    qs = _teams(request).annotate(n_members=Count("members", filter=Q(members__left_on__isnull=True)))
    return filtered(request, TeamFilter, qs, params)


@router.get("/teams/{int:team_id}", response={200: TeamsTeamDetailOut, 404: ErrorOut}, summary="队伍及队员")
def get_team(request, team_id: Id):
    return get_visible(Team, request.user, team_id)


@router.post("/teams", response={201: TeamsTeamOut, **ERRORS}, summary="新建队伍")
def create_team(request, payload: TeamsTeamIn):
    d = payload.dict()
    return 201, services.create_team(request.user, d.pop("org"), **d)


@router.post("/teams/{int:team_id}/members", response={201: TeamsMemberOut, **ERRORS}, summary="添加队员")
def add_member(request, team_id: Id, payload: TeamsMemberIn):
    return 201, services.add_member(request.user, team_id, **payload.dict())


# --- talent and volunteers ------------------------------------------------------------------------
class TeamsTalentOut(Schema):
    id: int
    resident_id: int
    name: str
    community: str
    skill: str
    level: str
    willing: bool
    phone_masked: str

    @staticmethod
    def resolve_name(obj):
        return obj.resident.name

    @staticmethod
    def resolve_community(obj):
        return obj.scope_code[:12]

    @staticmethod
    def resolve_skill(obj):
        return obj.skill.name

    @staticmethod
    def resolve_phone_masked(obj):
        return mask(obj.resident.phone, "phone")


class TeamsTalentQuery(Schema):
    skill: Id | None = None
    level: str | None = None
    willing: bool | None = None
    community: Id | None = None
    q: str | None = None


class TeamsTalentIn(Schema):
    resident: Id
    skill: str = Field(..., description="特长名称，如 书法")
    level: str = "skilled"
    willing: bool = True
    note: str = ""


@router.get("/talent", response=list[TeamsTalentOut], summary="文化人才库（按特长和地点查找）")
@paginate(Pagination)
def list_talent(request, params: TeamsTalentQuery = Query(...)):
    qs = Talent.objects.visible_to(request.user).select_related("resident", "skill")
    return filtered(request, TalentFilter, qs, params)


@router.post("/talent", response={201: TeamsTalentOut, **ERRORS}, summary="登记人才")
def register_talent(request, payload: TeamsTalentIn):
    d = payload.dict()
    return 201, services.register_talent(request.user, d.pop("resident"), **d)


class TeamsVolunteerOut(Schema):
    id: int
    resident_id: int
    name: str
    phone_masked: str
    registered_on: dt.date
    skills: list[str]
    availability: list[str]
    status: str
    hours: Decimal

    @staticmethod
    def resolve_name(obj):
        return obj.resident.name

    @staticmethod
    def resolve_phone_masked(obj):
        return mask(obj.resident.phone, "phone")

    @staticmethod
    def resolve_skills(obj):
        return [s.name for s in obj.skills.all()]

    @staticmethod
    def resolve_hours(obj):
        return sum((h.hours for h in ServiceHours.objects.filter(volunteer=obj)), Decimal("0"))


class TeamsVolunteerQuery(Schema):
    q: str | None = None
    skill: Id | None = None
    status: str | None = None
    community: Id | None = None


class TeamsVolunteerIn(Schema):
    resident: Id
    skills: list[str] = []
    availability: list[str] = []


class TeamsServiceOut(Schema):
    activity_id: int
    activity: str
    day: dt.date
    role: str
    hours: Decimal

    @staticmethod
    def resolve_activity(obj):
        return obj.activity.title

    @staticmethod
    def resolve_day(obj):
        return timezone.localtime(obj.activity.starts_at).date()


class TeamsMyRecordOut(Schema):
    volunteer: TeamsVolunteerOut | None
    service: list[TeamsServiceOut]
    total_hours: Decimal


@router.get("/volunteers", response=list[TeamsVolunteerOut], summary="志愿者")
@paginate(Pagination)
def list_volunteers(request, params: TeamsVolunteerQuery = Query(...)):
    qs = Volunteer.objects.visible_to(request.user).select_related("resident").prefetch_related("skills")
    return filtered(request, VolunteerFilter, qs, params)


@router.post("/volunteers", response={201: TeamsVolunteerOut, **ERRORS}, summary="注册志愿者")
def register_volunteer(request, payload: TeamsVolunteerIn):
    d = payload.dict()
    return 201, services.register_volunteer(request.user, d.pop("resident"), **d)


@router.get("/me", response={200: TeamsMyRecordOut}, summary="本人的志愿服务记录（登录的居民）")
def my_record(request):
    v = services.volunteer_of(request.user)
    rows = list(ServiceHours.objects.filter(volunteer=v).select_related("activity")) if v else []
    return {"volunteer": v, "service": rows, "total_hours": sum((h.hours for h in rows), Decimal("0"))}


# --- activities -----------------------------------------------------------------------------------
class TeamsActivityOut(Schema):
    id: int
    org: str
    organiser_kind: str
    organiser_name: str
    team_id: int | None
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    facility_id: int | None = Field(None, alias="facility_ref")
    capacity: int | None
    signup_open: bool
    public: bool
    status: str
    version: int

    @staticmethod
    def resolve_org(obj):
        return obj.scope_code


class TeamsActivityDetailOut(TeamsActivityOut):
    confirmed: int
    waiting: int
    checked_in: int
    volunteer_hours: Decimal
    report: str

    @staticmethod
    def resolve_confirmed(obj):
        return obj.signups.filter(status=SignupStatus.CONFIRMED).count()

    @staticmethod
    def resolve_waiting(obj):
        return obj.signups.filter(status=SignupStatus.WAITING).count()

    @staticmethod
    def resolve_checked_in(obj):
        return obj.checkins.count()

    @staticmethod
    def resolve_volunteer_hours(obj):
        return sum((h.hours for h in obj.service_hours.all()), Decimal("0"))


class TeamsActivityQuery(Schema):
    q: str | None = None
    kind: str | None = None
    organiser_kind: str | None = None
    team: Id | None = None
    status: str | None = None
    since: Day | None = None
    until: Day | None = None
    community: Id | None = None


class TeamsActivityIn(Schema):
    org: str = Field(..., description="社区（12 位）或街道（9 位）代码")
    title: str
    kind: str = Field(..., description="culture/volunteer/education/service/training/festival/fitness/other")
    starts_at: Moment
    ends_at: Moment
    organiser_kind: str = Field(
        "community", description="community 社区（街道）、team 队伍、unit 驻区单位、party 党组织"
    )
    team: Id | None = Field(None, description="organiser_kind=team 时的队伍 id")
    unit: Id | None = Field(None, description="organiser_kind=unit 时的驻区单位 id")
    party_org: Id | None = Field(None, description="organiser_kind=party 时的党组织 id（党组织链中的一级）")
    facility: Id | None = Field(None, description="阵地场地 id（阵地模块）；否则填 place")
    place: str = ""
    capacity: int | None = Field(None, ge=1, le=100000)
    description: str = ""
    signup_open: bool = True
    public: bool = True


class TeamsCancelIn(Schema):
    reason: str


class TeamsSignupOut(Schema):
    id: int
    activity_id: int
    status: str
    position: int | None

    pass_code: str = Field("", description="入场码（已报名成功时），由工作人员扫码签到")

    @staticmethod
    def resolve_position(obj):
        return services.waiting_position(obj)

    @staticmethod
    def resolve_pass_code(obj):
        return services.pass_code(obj) if obj.status == SignupStatus.CONFIRMED else ""


class TeamsCheckInIn(Schema):
    token: str = Field(..., max_length=200, description="活动现场二维码中的签到码")


class TeamsCheckInOut(Schema):
    id: int
    activity_id: int
    name: str
    method: str
    at: datetime


class TeamsScanIn(Schema):
    id: str = Field(..., max_length=40, description="扫码设备为这次扫码生成的编号，结果按它返回")
    code: str = Field(..., max_length=200, description="居民出示的入场码")
    at: Moment | None = Field(None, description="扫码时间（设备离线时扫码的时间；缺省为上传时间）")


class TeamsScansIn(Schema):
    scans: list[TeamsScanIn] = Field(..., max_length=200)


class TeamsScanResultOut(Schema):
    id: str
    status: str = Field(..., description="in 已签到 / again 此前已签到 / refused 未通过")
    name: str
    message: str


class TeamsScansOut(Schema):
    results: list[TeamsScanResultOut]
    checked_in: int


class TeamsListCheckInIn(Schema):
    signups: list[Id] = []
    names: list[str] = []


class TeamsHoursIn(Schema):
    volunteer: Id
    hours: Hours
    role: str = ""


class TeamsHoursOut(Schema):
    id: int
    activity_id: int
    volunteer_id: int
    role: str
    hours: Decimal
    confirmed_at: datetime


class TeamsRatingIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: str = ""


class TeamsRatingOut(Schema):
    id: int
    activity_id: int
    score: int


@router.get("/activities", response=list[TeamsActivityOut], summary="活动")
@paginate(Pagination)
def list_activities(request, params: TeamsActivityQuery = Query(...)):
    return filtered(request, ActivityFilter, Activity.objects.visible_to(request.user), params)


@router.get(
    "/activities/{int:activity_id}", response={200: TeamsActivityDetailOut, 404: ErrorOut}, summary="活动详情"
)
def get_activity(request, activity_id: Id):
    return get_visible(Activity, request.user, activity_id)


@router.post("/activities", response={201: TeamsActivityOut, **ERRORS}, summary="组织活动")
def create_activity(request, payload: TeamsActivityIn):
    d = payload.dict()
    return 201, services.create_activity(request.user, d.pop("org"), **d)


@router.post(
    "/activities/{int:activity_id}/cancel", response={200: TeamsActivityOut, **ERRORS}, summary="取消活动"
)
def cancel_activity(request, activity_id: Id, payload: TeamsCancelIn):
    return services.cancel_activity(request.user, activity_id, reason=payload.reason)


@router.post("/activities/{int:activity_id}/signups", response={201: TeamsSignupOut, **ERRORS},
             summary="报名（登录的居民或志愿者；满员进入候补）")  # fmt: skip
def sign_up(request, activity_id: Id):
    return 201, services.sign_up(request.user, activity_id)


@router.post("/signups/{int:signup_id}/cancel", response={200: TeamsSignupOut, **ERRORS},
             summary="取消报名（候补按顺序递补）")  # fmt: skip
def cancel_signup(request, signup_id: Id):
    return services.cancel_signup(request.user, signup_id)


@router.post(
    "/check-in", response={201: TeamsCheckInOut, **ERRORS}, summary="扫码签到（活动现场当天的签到码）"
)
def check_in(request, payload: TeamsCheckInIn):
    return 201, services.check_in_by_qr(request.user, payload.token)


@router.post("/activities/{int:activity_id}/scans", response={200: TeamsScansOut, **ERRORS},
             summary="工作人员扫入场码签到（可批量上传离线扫码记录，逐条返回结果）")  # fmt: skip
def scans(request, activity_id: Id, payload: TeamsScansIn):
    results = services.sync_scans(request.user, activity_id, [s.dict() for s in payload.scans])
    return {"results": results, "checked_in": CheckIn.objects.filter(activity_id=activity_id).count()}


@router.post("/activities/{int:activity_id}/attendance", response={201: list[TeamsCheckInOut], **ERRORS},
             summary="工作人员点名签到")  # fmt: skip
def list_check_in(request, activity_id: Id, payload: TeamsListCheckInIn):
    return 201, services.check_in_from_list(
        request.user, activity_id, signups=payload.signups, names=payload.names
    )


@router.post("/activities/{int:activity_id}/hours", response={201: TeamsHoursOut, **ERRORS},
             summary="确认志愿服务时长（仅限已签到的志愿者）")  # fmt: skip
def confirm_hours(request, activity_id: Id, payload: TeamsHoursIn):
    return 201, services.confirm_hours(
        request.user, activity_id, payload.volunteer, hours=payload.hours, role=payload.role
    )


@router.post(
    "/activities/{int:activity_id}/rating",
    response={201: TeamsRatingOut, **ERRORS},
    summary="评价活动（签到参加的居民，每人一次）",
)
def rate(request, activity_id: Id, payload: TeamsRatingIn):
    return 201, services.rate(request.user, activity_id, score=payload.score, comment=payload.comment)


# --- figures --------------------------------------------------------------------------------------
class TeamsKindFigureOut(Schema):
    kind: str
    label: str
    activities: int
    person_times: int


class TeamsOrganiserFigureOut(Schema):
    kind: str
    name: str
    activities: int
    person_times: int


class TeamsAgeBandOut(Schema):
    band: str
    residents: int
    share: Decimal | None


class TeamsAppraisalOut(Schema):
    id: int
    name: str
    kind: str
    activities: int
    person_times: int
    rating: Decimal | None
    ratings: int
    score: Decimal


class TeamsFiguresOut(Schema):
    scope: str
    start: dt.date
    end: dt.date
    activities: int
    cancelled: int
    person_times: int
    residents: int
    by_kind: list[TeamsKindFigureOut]
    by_organiser: list[TeamsOrganiserFigureOut]
    age_bands: list[TeamsAgeBandOut]
    age_unknown: int
    over_50_share: Decimal | None
    volunteer_hours: Decimal
    volunteers_served: int
    rating: Decimal | None
    ratings: int
    appraisal: list[TeamsAppraisalOut]
    weights: list[int]


@router.get("/figures", response={200: TeamsFiguresOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="活动统计与队伍考评")  # fmt: skip
def figures(request, scope: str = "", start: Day | None = None, end: Day | None = None):
    return services.report(request.user, scope, start, end)


# --- public ---------------------------------------------------------------------------------------
class TeamsPublicActivityOut(Schema):
    id: int
    title: str
    kind: str
    organiser_name: str
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int | None
    confirmed: int

    @staticmethod
    def resolve_confirmed(obj):
        return obj.taken


@router.get("/public/{code}/activities", auth=PUBLIC, response={200: list[TeamsPublicActivityOut], 404: ErrorOut},
            summary="社区近期公开活动（公开，无个人信息）")  # fmt: skip
@paginate(PublicPagination)
def public_activities(request, code: str):
    unit = OrgUnit.objects.filter(code=code[:12], level__in=(Level.COMMUNITY, Level.STREET)).first()
    if unit is None:
        raise NotFound()
    return (
        Activity.objects.filter(public=True, scope_code__startswith=unit.code, ends_at__gte=timezone.now())
        .exclude(status=ActivityStatus.CANCELLED).order_by("starts_at")
        .annotate(taken=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)))
    )  # fmt: skip


# --- Party-member service and awards (their own modules) ------------------------------------------
from shequ.teams.api import awards as _awards  # noqa: E402
from shequ.teams.api import cobuilding as _cobuilding  # noqa: E402, F401  (its routes join this router)
from shequ.teams.api import party as _party  # noqa: E402

for _part in (_party, _awards):
    router.add_router("", _part.router)
