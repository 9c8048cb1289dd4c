"""/api/v1/teams/cobuilding/: co-building bodies and their member units and joint meetings,
agreements signed from the duty template, contributions, and the figures (per unit and year, the
contributions against the agreement's duties, and the coverage of units in the area).

Statuses: 200/201 on success; 400 bad input (a contribution without a unit, an agreement ending
before it starts, a date outside the agreement's term …, with `details` per field); 403 without
`teams.manage` (writes) or `teams.view` (reads) there; 404 outside the caller's scope; 409 a
duplicate (a unit joining a body twice, an agreement overlapping another of the same unit)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q
from ninja import Field, Query, Schema
from ninja.pagination import paginate

from shequ.core.api import Day, ErrorOut, Id, Pagination, Yuan, decimal_in
from shequ.core.errors import Forbidden
from shequ.core.services import get_visible
from shequ.teams import services
from shequ.teams.api import router
from shequ.teams.models import (
    Agreement,
    BodyMember,
    CobuildBody,
    CobuildMeeting,
    Contribution,
    DutyTemplate,
)
from shequ.teams.services import cobuilding as cob

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
PREFIX = "/cobuilding"
PeopleDays = decimal_in(7, 1)


def _may_read(request):
    from shequ.core import scope

    if not scope.may_read(request.user, Contribution):
        raise Forbidden()


# --- schemas ------------------------------------------------------------------------------------------
class CobuildDutyTemplateOut(Schema):
    id: int
    code: str
    name: str
    frequency: str = Field(..., description="quarterly 每季度 / yearly 每年 / once 协议期内一次")
    meeting: bool = Field(..., description="以本机构召开、该单位参加的联席会议计")


class CobuildBodyOut(Schema):
    id: int
    org: str
    org_name: str
    name: str
    established_on: dt.date | None
    note: str
    active: bool
    members: int
    version: int

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.display_name

    @staticmethod
    def resolve_members(obj):
        n = getattr(obj, "n_members", None)
        return n if n is not None else obj.members.filter(left_on__isnull=True).count()


class CobuildMemberOut(Schema):
    id: int
    unit_id: int
    unit: str
    community: str
    role: str
    joined_on: dt.date
    left_on: dt.date | None

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.name

    @staticmethod
    def resolve_community(obj):
        return obj.unit.community.code


class CobuildMeetingOut(Schema):
    id: int
    body_id: int
    title: str
    held_on: dt.date
    place: str
    attendees: list[int]
    minutes: str

    @staticmethod
    def resolve_attendees(obj):
        return sorted(u.pk for u in obj.attendees.all())


class CobuildCoverageOut(Schema):
    units: int
    members: int
    share: Decimal | None


class CobuildBodyDetailOut(CobuildBodyOut):
    member_list: list[CobuildMemberOut]
    meetings: list[CobuildMeetingOut]
    coverage: CobuildCoverageOut

    @staticmethod
    def resolve_member_list(obj):
        return list(
            BodyMember.objects.filter(body=obj)
            .select_related("unit__community")
            .order_by("left_on", "role", "id")
        )

    @staticmethod
    def resolve_meetings(obj):
        return list(CobuildMeeting.objects.filter(body=obj).prefetch_related("attendees"))

    @staticmethod
    def resolve_coverage(obj):
        return cob.body_coverage(obj)


class CobuildBodyIn(Schema):
    org: str = Field(..., description="街道（9 位）或社区（12 位）代码")
    name: str
    established_on: Day | None = None
    note: str = ""


class CobuildMemberIn(Schema):
    unit: Id = Field(..., description="驻区单位 id（组织架构模块的驻区单位名录）")
    role: str = Field("member", description="lead 牵头单位 / member 成员单位")
    joined_on: Day | None = None


class CobuildMeetingIn(Schema):
    held_on: Day
    title: str = ""
    place: str = ""
    attendees: list[Id] = Field(..., description="参会的成员单位（驻区单位 id）")
    minutes: str = ""


class CobuildPeriodOut(Schema):
    label: str
    start: dt.date
    end: dt.date
    state: str = Field(..., description="done 已履行 / open 进行中 / missed 未履行")
    on: dt.date | None


class CobuildDutyStatusOut(Schema):
    id: int
    name: str
    frequency: str
    meeting: bool
    due: int
    done: int
    periods: list[CobuildPeriodOut]


class CobuildAgreementOut(Schema):
    id: int
    body_id: int
    unit_id: int
    unit: str
    title: str
    signed_on: dt.date
    starts_on: dt.date
    ends_on: dt.date
    note: str
    duties: list[str]

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.name

    @staticmethod
    def resolve_duties(obj):
        return [d.name for d in obj.duties.all()]


class CobuildAgreementDetailOut(CobuildAgreementOut):
    year: int
    duty_status: list[CobuildDutyStatusOut]


class CobuildAgreementIn(Schema):
    body: Id
    unit: Id
    starts_on: Day
    ends_on: Day
    title: str = ""
    signed_on: Day | None = None
    duties: list[str] | None = Field(None, description="模板义务的 id、代码或名称；不填则为模板的全部义务")
    note: str = ""


class CobuildContributionOut(Schema):
    id: int
    unit_id: int
    unit: str
    agreement_id: int | None
    duty_id: int | None
    kind: str
    given_on: dt.date
    description: str
    amount: Decimal
    people_days: Decimal
    facility: str
    activity_id: int | None
    household_id: int | None

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.name


class CobuildContributionIn(Schema):
    unit: Id | None = Field(None, description="驻区单位 id（必填：没有单位的投入会被拒绝）")
    kind: str = Field(..., description="money 资金 / goods 物资 / people 人力 / facility 场地设施开放")
    given_on: Day
    description: str = ""
    amount: Yuan | None = Field(None, description="资金金额或物资价值（元）")
    people_days: PeopleDays | None = Field(None, description="人日（人力投入）")
    facility: str = Field("", description="开放的场地设施名称（场地设施开放）")
    agreement: Id | None = None
    duty: Id | None = Field(None, description="履行的协议义务 id")
    activity: Id | None = Field(None, description="服务的活动 id")
    household: Id | None = Field(None, description="服务的居民户 id")


class CobuildContributionQuery(Schema):
    unit: Id | None = None
    agreement: Id | None = None
    kind: str | None = None
    since: Day | None = None
    until: Day | None = None


class CobuildFigureAgreementOut(Schema):
    id: int
    title: str
    body: str
    body_id: int
    starts_on: dt.date
    ends_on: dt.date
    due: int
    done: int
    duties: list[CobuildDutyStatusOut]


class CobuildFigureUnitOut(Schema):
    id: int
    name: str
    community: str
    money: Decimal
    goods: Decimal
    value: Decimal
    people_days: Decimal
    facilities: int
    contributions: int
    due: int
    done: int
    share_done: Decimal | None
    agreements: list[CobuildFigureAgreementOut]


class CobuildTotalsOut(Schema):
    money: Decimal
    goods: Decimal
    people_days: Decimal
    facilities: int
    contributions: int
    agreements: int
    due: int
    done: int


class CobuildCommunityCoverageOut(Schema):
    code: str
    name: str
    units: int
    members: int
    share: Decimal | None


class CobuildBodyCoverageOut(Schema):
    id: int
    name: str
    org: str
    units: int
    members: int
    share: Decimal | None


class CobuildFiguresOut(Schema):
    scope: str
    year: int
    totals: CobuildTotalsOut
    units: list[CobuildFigureUnitOut]
    coverage: list[CobuildCommunityCoverageOut]
    bodies: list[CobuildBodyCoverageOut]


# --- routes ---------------------------------------------------------------------------------------------
@router.get(f"{PREFIX}/duty-templates", response={200: list[CobuildDutyTemplateOut], 403: ErrorOut},
            summary="共建义务模板")  # fmt: skip
def duty_templates(request):
    _may_read(request)
    return list(DutyTemplate.objects.filter(active=True))


@router.get(f"{PREFIX}/bodies", response={200: list[CobuildBodyOut], 403: ErrorOut}, summary="共建联席会")
@paginate(Pagination)
def list_bodies(request):
    _may_read(request)
    return (
        CobuildBody.objects.visible_to(request.user).select_related("org")
        .annotate(n_members=Count("members", filter=Q(members__left_on__isnull=True)))
    )  # fmt: skip


@router.get(f"{PREFIX}/bodies/{{int:body_id}}", response={200: CobuildBodyDetailOut, 404: ErrorOut},
            summary="共建联席会、成员单位和联席会议")  # fmt: skip
def get_body(request, body_id: Id):
    return get_visible(CobuildBody, request.user, body_id)


@router.post(f"{PREFIX}/bodies", response={201: CobuildBodyOut, **ERRORS}, summary="新建共建联席会")
def create_body(request, payload: CobuildBodyIn):
    d = payload.dict()
    return 201, services.create_body(request.user, d.pop("org"), **d)


@router.post(f"{PREFIX}/bodies/{{int:body_id}}/members", response={201: CobuildMemberOut, **ERRORS},
             summary="加入成员单位（同一单位不能重复加入，409）")  # fmt: skip
def add_member(request, body_id: Id, payload: CobuildMemberIn):
    return 201, services.add_body_member(request.user, body_id, **payload.dict())


@router.post(f"{PREFIX}/bodies/{{int:body_id}}/meetings", response={201: CobuildMeetingOut, **ERRORS},
             summary="登记联席会议（计入“每季度召开一次联席会议”）")  # fmt: skip
def record_meeting(request, body_id: Id, payload: CobuildMeetingIn):
    return 201, services.record_meeting(request.user, body_id, **payload.dict())


@router.get(
    f"{PREFIX}/agreements", response={200: list[CobuildAgreementOut], 403: ErrorOut}, summary="共建协议"
)
@paginate(Pagination)
def list_agreements(request, unit: Id | None = None, body: Id | None = None):
    _may_read(request)
    qs = Agreement.objects.visible_to(request.user).select_related("unit").prefetch_related("duties")
    if unit:
        qs = qs.filter(unit_id=unit)
    if body:
        qs = qs.filter(body_id=body)
    return qs


@router.get(f"{PREFIX}/agreements/{{int:agreement_id}}", response={200: CobuildAgreementDetailOut, **ERRORS},
            summary="共建协议及某年度各义务的履行情况")  # fmt: skip
def get_agreement(request, agreement_id: Id, year: int | None = Query(None, ge=2000, le=2100)):
    a = get_visible(Agreement, request.user, agreement_id)
    from django.utils import timezone

    a.year = year or timezone.localdate().year
    a.duty_status = cob.duty_status(a, a.year)
    return a


@router.post(f"{PREFIX}/agreements", response={201: CobuildAgreementOut, **ERRORS},
             summary="签订共建协议（义务来自模板）")  # fmt: skip
def sign_agreement(request, payload: CobuildAgreementIn):
    d = payload.dict()
    return 201, services.sign_agreement(request.user, d.pop("body"), **d)


@router.get(f"{PREFIX}/contributions", response={200: list[CobuildContributionOut], 403: ErrorOut},
            summary="共建投入")  # fmt: skip
@paginate(Pagination)
def list_contributions(request, params: CobuildContributionQuery = Query(...)):
    _may_read(request)
    qs = Contribution.objects.visible_to(request.user).select_related("unit")
    if params.unit:
        qs = qs.filter(unit_id=params.unit)
    if params.agreement:
        qs = qs.filter(agreement_id=params.agreement)
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.since:
        qs = qs.filter(given_on__gte=params.since)
    if params.until:
        qs = qs.filter(given_on__lte=params.until)
    return qs


@router.post(f"{PREFIX}/contributions", response={201: CobuildContributionOut, **ERRORS},
             summary="登记共建投入（必须记在驻区单位名下）")  # fmt: skip
def record_contribution(request, payload: CobuildContributionIn):
    return 201, services.record_contribution(request.user, **payload.dict())


@router.get(f"{PREFIX}/figures", response={200: CobuildFiguresOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="共驻共建统计：各单位投入与协议义务履行、驻区单位覆盖率")  # fmt: skip
def figures(request, scope: str = "", year: int | None = Query(None, ge=2000, le=2100)):
    return cob.figures(request.user, scope, year)
