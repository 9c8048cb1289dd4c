"""/api/v1/teams/party/: the Party organisation chain and its 党建指导员, members (from the registry
and reporting in), pledges (履诺中 open, 已履诺 kept, 未兑现 unkept; `overdue` when open past the due
date), building and household responsibility, and the figures. Phones are masked; a member's hours
are the confirmed volunteer hours of activities."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from shequ.core.api import Day, ErrorOut, Id, Pagination, filtered
from shequ.core.errors import NotFound
from shequ.core.masking import mask
from shequ.core.services import get_visible
from shequ.org.models import Level, OrgUnit
from shequ.teams.filters_party import PartyMemberFilter, PledgeFilter
from shequ.teams.models import BuildingDuty, ContactHousehold, PartyMember, PartyOrg, Pledge
from shequ.teams.services import party as services

router = Router(tags=["teams"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class PartyOrgOut(Schema):
    id: int
    community: str
    level: str = Field(
        ...,
        description="community 社区党组织 / area 小区（网格）党组织 / group 楼栋党小组 / center 党员中心户",
    )
    name: str
    parent_id: int | None
    grid_id: int | None
    building_id: int | None
    compound: str
    leader_name: str
    instructor_name: str
    instructor_unit: str
    instructor_phone_masked: str

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_instructor_phone_masked(obj):
        return mask(obj.instructor_phone, "phone") if obj.instructor_phone else ""


class PartyOrgIn(Schema):
    community: str = Field(..., description="社区代码（12 位）")
    level: str = Field(..., description="community / area / group / center")
    name: str
    parent: Id | None = Field(None, description="上级党组织 id（社区党组织以外必填，且须为上一层级）")
    grid: Id | None = None
    compound: str = ""
    building: Id | None = Field(None, description="楼栋 id（楼栋党小组必填）")
    leader_name: str = ""
    founded_on: Day | None = None


class PartyInstructorIn(Schema):
    name: str
    unit: str = ""
    phone: str = ""


class PartyMemberOut(Schema):
    id: int
    community: str
    kind: str = Field(..., description="resident 居住地党员 / reporting 在职党员（到社区报到）")
    resident_id: int | None
    name: str
    phone_masked: str
    work_unit: str
    unit_contact: str
    reported_on: dt.date | None
    node_id: int | None
    status: str = Field(..., description="active 在册 / left 已转出")
    hours: Decimal = Field(..., description="活动中经组织方确认的志愿服务时长")

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_phone_masked(obj):
        return mask(obj.phone, "phone") if obj.phone else ""

    @staticmethod
    def resolve_hours(obj):
        return services.hours_of([obj.pk]).get(obj.pk, Decimal("0"))


class PartyPledgeOut(Schema):
    id: int
    member_id: int
    member_name: str
    content: str
    due_on: dt.date
    status: str = Field(..., description="open 履诺中 / kept 已履诺 / unkept 未兑现")
    overdue: bool
    outcome: str
    closed_on: dt.date | None

    @staticmethod
    def resolve_member_name(obj):
        return obj.member.name


class PartyBuildingOut(Schema):
    id: int
    member_id: int
    building_id: int
    building: str
    since: dt.date

    @staticmethod
    def resolve_building(obj):
        return obj.building.address


class PartyHouseholdOut(Schema):
    id: int
    member_id: int
    household_id: int
    household: str = Field(..., description="户主姓名已脱敏")
    since: dt.date

    @staticmethod
    def resolve_household(obj):
        return services.household_label(obj.household, False)


class PartyMemberDetailOut(PartyMemberOut):
    pledges: list[PartyPledgeOut]
    buildings: list[PartyBuildingOut]
    households: list[PartyHouseholdOut]

    @staticmethod
    def resolve_pledges(obj):
        return list(Pledge.objects.filter(member=obj).select_related("member"))

    @staticmethod
    def resolve_buildings(obj):
        return list(BuildingDuty.objects.filter(member=obj).select_related("building"))

    @staticmethod
    def resolve_households(obj):
        return list(
            ContactHousehold.objects.filter(member=obj).select_related("household__head", "household__house")
        )


class PartyMemberQuery(Schema):
    q: str | None = None
    kind: str | None = None
    level: str | None = None
    status: str | None = None
    node: Id | None = None
    community: Id | None = None


class PartyReportIn(Schema):
    community: str = Field(..., description="报到社区代码（12 位）")
    resident: Id | None = Field(None, description="居民台账 id（不在台账中的留空，填姓名和电话）")
    name: str = ""
    phone: str = ""
    work_unit: str
    unit_contact: str = ""
    reported_on: Day | None = None
    node: Id | None = None
    note: str = ""


class PartyEnrolIn(Schema):
    resident: Id
    node: Id | None = None


class PartyPledgeIn(Schema):
    content: str
    due_on: Day


class PartyPledgeCloseIn(Schema):
    status: str = Field("kept", description="kept 已履诺 / unkept 未兑现")
    outcome: str = Field("", description="履诺情况（必填）")
    closed_on: Day | None = None


class PartyPledgeQuery(Schema):
    q: str | None = None
    status: str | None = None
    overdue: bool | None = None
    community: Id | None = None


class PartyBuildingIn(Schema):
    building: Id
    since: Day | None = None


class PartyHouseholdIn(Schema):
    household: Id
    since: Day | None = None


class PartyCountOut(Schema):
    label: str
    value: int


class PartyHoursOut(Schema):
    name: str
    hours: Decimal


class PartyFiguresOut(Schema):
    members: int
    by_kind: list[PartyCountOut]
    by_level: list[PartyCountOut]
    unplaced: int
    pledges: list[PartyCountOut] = Field(..., description="履诺中（未逾期）、已逾期、已履诺、未兑现")
    overdue: int
    hours_total: Decimal
    top_hours: list[PartyHoursOut]
    buildings: int
    households: int


def _members(request):
    return PartyMember.objects.visible_to(request.user).select_related("community")


@router.get("/party/orgs", response={200: list[PartyOrgOut], 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="社区党组织体系（社区党组织 → 小区或网格党组织 → 楼栋党小组 → 党员中心户）")  # fmt: skip
@paginate(Pagination)
def list_orgs(request, community: str = ""):
    qs = PartyOrg.objects.visible_to(request.user).select_related("community")
    if community:
        unit = OrgUnit.objects.filter(code=community, level=Level.COMMUNITY).first()
        if unit is None:
            raise NotFound()
        qs = qs.filter(community=unit)
    return qs.order_by("scope_code", "id")


@router.post("/party/orgs", response={201: PartyOrgOut, **ERRORS}, summary="建立党组织（逐级）")
def create_org(request, payload: PartyOrgIn):
    d = payload.dict()
    return 201, services.create_org(request.user, d.pop("community"), **d)


@router.post("/party/orgs/{int:org_id}/instructor", response={200: PartyOrgOut, **ERRORS},
             summary="配备社区党建指导员")  # fmt: skip
def set_instructor(request, org_id: Id, payload: PartyInstructorIn):
    return services.set_instructor(request.user, org_id, **payload.dict())


@router.get(
    "/party/members", response=list[PartyMemberOut], summary="党员（居住地党员和到社区报到的在职党员）"
)
@paginate(Pagination)
def list_members(request, params: PartyMemberQuery = Query(...)):
    return filtered(request, PartyMemberFilter, _members(request), params)


@router.get("/party/members/{int:member_id}", response={200: PartyMemberDetailOut, 404: ErrorOut},
            summary="党员详情（承诺、责任区、联系户）")  # fmt: skip
def get_member(request, member_id: Id):
    return get_visible(PartyMember, request.user, member_id)


@router.post("/party/members/report-in", response={201: PartyMemberOut, **ERRORS},
             summary="在职党员到社区报到（同一社区不能重复报到：409）")  # fmt: skip
def report_in(request, payload: PartyReportIn):
    d = payload.dict()
    return 201, services.report_in(request.user, d.pop("community"), **d)


@router.post("/party/members/enrol", response={201: PartyMemberOut, **ERRORS},
             summary="登记居住地党员（居民台账中政治面貌为党员的居民）")  # fmt: skip
def enrol(request, payload: PartyEnrolIn):
    return 201, services.enrol_resident(request.user, payload.resident, node=payload.node)


@router.post(
    "/party/members/{int:member_id}/pledges", response={201: PartyPledgeOut, **ERRORS}, summary="登记承诺"
)
def add_pledge(request, member_id: Id, payload: PartyPledgeIn):
    return 201, services.add_pledge(request.user, member_id, **payload.dict())


@router.post("/party/members/{int:member_id}/buildings", response={201: PartyBuildingOut, **ERRORS},
             summary="楼栋党员责任区")  # fmt: skip
def assign_building(request, member_id: Id, payload: PartyBuildingIn):
    return 201, services.assign_building(request.user, member_id, payload.building, since=payload.since)


@router.post("/party/members/{int:member_id}/households", response={201: PartyHouseholdOut, **ERRORS},
             summary="党员联系户")  # fmt: skip
def assign_household(request, member_id: Id, payload: PartyHouseholdIn):
    return 201, services.assign_household(request.user, member_id, payload.household, since=payload.since)


@router.get("/party/pledges", response=list[PartyPledgeOut], summary="党员承诺（overdue=true 只看逾期）")
@paginate(Pagination)
def list_pledges(request, params: PartyPledgeQuery = Query(...)):
    qs = Pledge.objects.visible_to(request.user).select_related("member")
    d = params.dict()
    if d.get("overdue") is not None:
        d["overdue"] = "true" if d["overdue"] else "false"
    return filtered(request, PledgeFilter, qs, d)


@router.post("/party/pledges/{int:pledge_id}/close", response={200: PartyPledgeOut, **ERRORS},
             summary="履诺：办结承诺（须填写履诺情况，否则 400）")  # fmt: skip
def close_pledge(request, pledge_id: Id, payload: PartyPledgeCloseIn):
    return services.close_pledge(request.user, pledge_id, **payload.dict())


@router.get(
    "/party/figures", response={200: PartyFiguresOut, 403: ErrorOut, 404: ErrorOut}, summary="党员服务统计"
)
def figures(request, scope: str = ""):
    from shequ.core import scope as core_scope
    from shequ.core.errors import Forbidden

    if not core_scope.may_read(request.user, PartyMember):
        raise Forbidden()
    code = scope.strip()
    if code and not (code.isdigit() and core_scope.covers(request.user, code)):
        raise NotFound()
    data = services.figures(request.user, code)
    for key in ("by_kind", "by_level", "pledges"):
        data[key] = [{"label": k, "value": v} for k, v in data[key]]
    data["top_hours"] = [{"name": k, "hours": v} for k, v in data["top_hours"]]
    return data
