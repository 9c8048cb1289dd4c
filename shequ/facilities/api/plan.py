"""The district's plan of projects and the 四个同步 handovers."""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import Day, ErrorOut, Id, Pagination, decimal_in
from shequ.facilities import services
from shequ.facilities.models import Handover, Project

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
Area = decimal_in(9, 2)
Funds = decimal_in(14, 2)


class FacilityProjectOut(Schema):
    id: int
    community: str
    kind: str
    kind_label: str
    title: str
    plan_year: int
    area: Decimal | None
    funds: Decimal
    status: str
    status_label: str
    progress: int
    planned_end: date | None
    started_on: date | None
    completed_on: date | None
    cancelled_on: date | None
    note: str
    version: int

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class FacilityProjectIn(Schema):
    community: str = Field(max_length=12, description="社区代码（12 位）")
    kind: str = Field(max_length=20, description="新建、购买、改扩建、划转、开发商移交")
    title: str = Field(max_length=100)
    plan_year: int = Field(ge=2000, le=2100)
    area: Area | None = Field(None, description="计划面积（平方米）")
    funds: Funds = Field(Decimal("0"), description="资金（元）")
    planned_end: Day | None = None
    note: str = Field("", max_length=200)


class FacilityProjectMoveIn(Schema):
    status: str = Field(
        max_length=20,
        description="实施中、已完成、已取消（计划 → 实施中 → 已完成；未完成的可取消）；不变则只记录进度",
    )
    on: Day | None = Field(None, description="开工、完成或取消的日期，默认今天")
    progress: int | None = Field(None, ge=0, le=100, description="进度（%），实施中的项目")
    note: str = Field("", max_length=200)


class FacilityPlanCountOut(Schema):
    key: str
    label: str
    count: int
    funds: Decimal


class FacilityPlanOut(Schema):
    year: int | None
    projects: int
    funds: Decimal
    completed: int
    completed_funds: Decimal
    percent: Decimal | None
    by_kind: list[FacilityPlanCountOut]
    by_status: list[FacilityPlanCountOut]


@router.get("/projects", response={200: list[FacilityProjectOut], 403: ErrorOut}, summary="建设项目")
@paginate(Pagination)
def list_projects(request, year: int | None = Query(None, ge=2000, le=2100)):
    qs = Project.objects.visible_to(request.user).select_related("community")
    return qs.filter(plan_year=year) if year else qs


@router.post("/projects", response={201: FacilityProjectOut, **ERRORS}, summary="新增建设项目")
def create_project(request, payload: FacilityProjectIn):
    d = payload.dict()
    return Status(201, services.add_project(request.user, d.pop("community"), **d))


@router.post(
    "/projects/{int:project_id}/progress",
    response={200: FacilityProjectOut, **ERRORS},
    summary="登记项目进展",
)
def move_project(request, project_id: Id, payload: FacilityProjectMoveIn):
    d = payload.dict()
    return services.move_project(request.user, project_id, d.pop("status"), **d)


@router.get(
    "/plan",
    response={200: FacilityPlanOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="建设计划进度",
)
def get_plan(
    request, scope: str | None = Query(None, max_length=15), year: int | None = Query(None, ge=2000, le=2100)
):
    return services.plan_progress(request.user, scope, year)


class FacilityHandoverOut(Schema):
    id: int
    estate: str
    developer: str
    street: str
    community: str | None
    required_area: Decimal
    due_on: date
    planned_on: date | None
    built_on: date | None
    accepted_on: date | None
    handed_area: Decimal
    handed_on: date | None
    gap: Decimal
    state: str = Field(description="pending 未到期、overdue 逾期未移交、partial 部分移交、done 已足额移交")
    state_label: str
    note: str
    version: int

    @staticmethod
    def resolve_street(obj):
        return obj.street.code

    @staticmethod
    def resolve_community(obj):
        return obj.community.code if obj.community_id else None

    @staticmethod
    def resolve_state(obj):
        return str(obj.state())

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()


class FacilityHandoverIn(Schema):
    where: str = Field(max_length=12, description="街道（9 位）或社区（12 位）代码")
    estate: str = Field(max_length=100)
    developer: str = Field(max_length=100)
    required_area: decimal_in(9, 2, positive=True) = Field(description="应移交面积（平方米）")
    due_on: Day
    planned_on: Day | None = None
    built_on: Day | None = None
    accepted_on: Day | None = None
    note: str = Field("", max_length=300)


class FacilityHandedIn(Schema):
    area: Area = Field(description="已移交面积（平方米，累计）；大于应移交面积时须填写说明")
    on: Day
    accepted_on: Day | None = None
    note: str = Field("", max_length=300)


@router.get("/handovers", response={200: list[FacilityHandoverOut], 403: ErrorOut}, summary="四个同步移交")
@paginate(Pagination)
def list_handovers(request, overdue: bool = False):
    if overdue:
        return Handover.objects.visible_to(request.user).filter(
            pk__in=[h.pk for h in services.overdue(request.user)]
        )
    return Handover.objects.visible_to(request.user).select_related("street", "community")


@router.post("/handovers", response={201: FacilityHandoverOut, **ERRORS}, summary="登记新建小区配建移交")
def create_handover(request, payload: FacilityHandoverIn):
    d = payload.dict()
    return Status(201, services.add_handover(request.user, d.pop("where"), **d))


@router.post(
    "/handovers/{int:handover_id}/handed", response={200: FacilityHandoverOut, **ERRORS}, summary="登记移交"
)
def record_handover(request, handover_id: Id, payload: FacilityHandedIn):
    return services.record_handover(request.user, handover_id, **payload.dict())
