"""/api/v1/org/: divisions, grids, buildings, units, houses, responsibility, resident organisations.
Personal data (phones) is masked; the full value needs /api/v1/core/reveal with a reason."""

from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import Day, ErrorOut, Id, Pagination, Version, decimal_in, filtered
from shequ.core.masking import mask
from shequ.core.services import get_visible
from shequ.org import dashboard, filters, services
from shequ.org.models import Assignment, Building, Grid, OrgUnit, ResidentOrganization

router = Router(tags=["org"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class OrgUnitOut(Schema):
    code: str
    name: str
    short_name: str = Field(..., alias="display_name")
    level: str
    kind: str
    parent_code: str | None = None

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class UnitQuery(Schema):
    q: str | None = None
    level: str | None = None
    parent: str | None = None


@router.get("/units", response=list[OrgUnitOut], summary="行政区划（本人管辖范围）")
@paginate(Pagination)
def list_units(request, params: UnitQuery = Query(...)):
    qs = OrgUnit.objects.visible_to(request.user).select_related("parent")
    if params.q:
        qs = qs.filter(Q(name__icontains=params.q) | Q(code__startswith=params.q))
    if params.level:
        qs = qs.filter(level=params.level)
    if params.parent:
        qs = qs.filter(parent__code=params.parent)
    return qs


@router.get("/units/{code}", response={200: OrgUnitOut, 404: ErrorOut})
def get_unit(request, code: str):
    unit = OrgUnit.objects.visible_to(request.user).select_related("parent").filter(code=code).first()
    if unit is None:
        raise Http404()
    return unit


@router.get("/units/{code}/coverage", response={200: dict, 404: ErrorOut}, summary="网格员与楼栋长覆盖率")
def unit_coverage(request, code: str):
    get_unit(request, code)
    return dashboard.coverage(request.user, code)


class GridOut(Schema):
    id: int
    code: str
    name: str
    community_code: str = Field(..., alias="community.code")
    grid_type: str
    area_m2: float | None
    center_lat: float | None
    center_lng: float | None
    boundary: dict | None
    version: int


class GridIn(Schema):
    community_code: str
    name: str
    grid_type: str = "area"
    remarks: str = ""
    boundary: dict | None = None


class GridPatch(Schema):
    name: str | None = None
    grid_type: str | None = None
    remarks: str | None = None
    version: Version | None = None


class BoundaryIn(Schema):
    geometry: dict
    version: Version | None = None


class GridQuery(Schema):
    q: str | None = None
    community: str | None = None
    grid_type: str | None = None


def _community_filter(params):
    """API clients pass community codes; the FilterSet expects the unit's pk."""
    if params.community:
        unit = OrgUnit.objects.filter(code=params.community).first()
        params.community = str(unit.pk) if unit else "0"
    return params


@router.get("/grids", response=list[GridOut])
@paginate(Pagination)
def list_grids(request, params: GridQuery = Query(...)):
    qs = Grid.objects.visible_to(request.user).select_related("community")
    return filtered(request, filters.GridFilter, qs, _community_filter(params))


@router.get("/grids/locate", response={200: GridOut, 404: ErrorOut}, summary="按经纬度（WGS84）查找所在网格")
def locate(request, lng: float, lat: float):
    grid = services.locate_grid(lng, lat, queryset=Grid.objects.visible_to(request.user))
    if grid is None:
        raise Http404()
    return Grid.objects.select_related("community").get(pk=grid.pk)


@router.get("/grids/{int:grid_id}", response={200: GridOut, 404: ErrorOut})
def get_grid(request, grid_id: Id):
    return get_visible(Grid, request.user, grid_id)


@router.post("/grids", response={201: GridOut, **ERRORS})
def create_grid(request, payload: GridIn):
    g = services.create_grid(
        request.user,
        payload.community_code,
        name=payload.name,
        grid_type=payload.grid_type,
        remarks=payload.remarks,
        boundary=payload.boundary,
    )
    return Status(201, g)


@router.patch("/grids/{int:grid_id}", response={200: GridOut, **ERRORS})
def patch_grid(request, grid_id: Id, payload: GridPatch):
    data = payload.dict(exclude_none=True)
    version = data.pop("version", None)
    return services.update_grid(request.user, grid_id, expected_version=version, **data)


@router.put(
    "/grids/{int:grid_id}/boundary",
    response={200: GridOut, **ERRORS},
    summary="替换网格边界（GeoJSON Polygon）",
)
def put_boundary(request, grid_id: Id, payload: BoundaryIn):
    return services.set_grid_boundary(
        request.user, grid_id, payload.geometry, expected_version=payload.version
    )


class BuildingOut(Schema):
    id: int
    grid_id: int
    compound: str
    number: str
    address: str
    floors: int | None
    lat: float | None
    lng: float | None
    version: int


class BuildingIn(Schema):
    grid_id: Id
    compound: str = Field("", max_length=100)
    number: str = Field(..., max_length=30)
    floors: int | None = Field(None, ge=1, le=200)
    lat: float | None = Field(None, ge=3, le=54)
    lng: float | None = Field(None, ge=73, le=136)


class BuildingQuery(Schema):
    q: str | None = None
    community: str | None = None
    grid: Id | None = None


@router.get("/buildings", response=list[BuildingOut])
@paginate(Pagination)
def list_buildings(request, params: BuildingQuery = Query(...)):
    return filtered(
        request, filters.BuildingFilter, Building.objects.visible_to(request.user), _community_filter(params)
    )


@router.get("/buildings/{int:building_id}", response={200: BuildingOut, 404: ErrorOut})
def get_building(request, building_id: Id):
    return get_visible(Building, request.user, building_id)


@router.post("/buildings", response={201: BuildingOut, **ERRORS})
def create_building(request, payload: BuildingIn):
    d = payload.dict()
    return Status(201, services.create_building(request.user, d.pop("grid_id"), **d))


class UnitOfBuildingOut(Schema):
    id: int
    building_id: int
    number: str
    address: str


class OrgHouseOut(Schema):
    id: int
    unit_id: int
    number: str
    floor: int | None
    area_m2: Decimal | None
    address: str


class NumberIn(Schema):
    number: str


class HouseIn(Schema):
    number: str = Field(..., max_length=30)
    floor: int | None = Field(None, ge=-5, le=200)
    area_m2: decimal_in(8, 2) | None = None


@router.get("/buildings/{int:building_id}/units", response={200: list[UnitOfBuildingOut], 404: ErrorOut})
def list_building_units(request, building_id: Id):
    return get_visible(Building, request.user, building_id).units.all()


@router.post("/buildings/{int:building_id}/units", response={201: UnitOfBuildingOut, **ERRORS})
def create_building_unit(request, building_id: Id, payload: NumberIn):
    return Status(201, services.create_unit(request.user, building_id, number=payload.number))


@router.get("/building-units/{int:unit_id}/houses", response={200: list[OrgHouseOut], 404: ErrorOut})
def list_houses(request, unit_id: Id):
    from shequ.org.models import BuildingUnit

    return get_visible(BuildingUnit, request.user, unit_id).houses.all()


@router.post("/building-units/{int:unit_id}/houses", response={201: OrgHouseOut, **ERRORS})
def create_house(request, unit_id: Id, payload: HouseIn):
    return Status(201, services.create_house(request.user, unit_id, **payload.dict()))


class AssignmentOut(Schema):
    id: int
    grid_id: int
    building_id: int | None
    unit_id: int | None
    house_id: int | None = None
    post: str
    post_label: str = Field(..., alias="get_post_display")
    person_name: str
    phone_masked: str
    start_date: date
    end_date: date | None

    @staticmethod
    def resolve_phone_masked(obj):
        return mask(obj.phone, "phone")


class AssignmentIn(Schema):
    grid_id: Id
    post: str
    person_name: str
    phone: str
    building_id: Id | None = None
    unit_id: Id | None = None
    house_id: Id | None = Field(None, description="党员户、文明户所在房屋 id")
    start_date: Day | None = None
    end_date: Day | None = None


class AssignmentQuery(Schema):
    q: str | None = None
    community: str | None = None
    grid: Id | None = None
    post: str | None = None
    current: bool | None = None


@router.get("/assignments", response=list[AssignmentOut])
@paginate(Pagination)
def list_assignments(request, params: AssignmentQuery = Query(...)):
    return filtered(
        request,
        filters.AssignmentFilter,
        Assignment.objects.visible_to(request.user),
        _community_filter(params),
    )


@router.get("/assignments/{int:assignment_id}", response={200: AssignmentOut, 404: ErrorOut})
def get_assignment(request, assignment_id: Id):
    return get_visible(Assignment, request.user, assignment_id)


@router.post("/assignments", response={201: AssignmentOut, **ERRORS})
def create_assignment(request, payload: AssignmentIn):
    d = payload.dict()
    grid_id = d.pop("grid_id")
    return Status(
        201,
        services.assign(
            request.user,
            grid_id,
            building_pk=d.pop("building_id"),
            unit_pk=d.pop("unit_id"),
            house_pk=d.pop("house_id"),
            **d,
        ),
    )


class EndIn(Schema):
    end_date: Day | None = None
    version: Version | None = None


@router.post("/assignments/{int:assignment_id}/end", response={200: AssignmentOut, **ERRORS}, summary="卸任")
def end_assignment(request, assignment_id: Id, payload: EndIn):
    return services.end_assignment(
        request.user, assignment_id, end_date=payload.end_date, expected_version=payload.version
    )


class ResidentOrgOut(Schema):
    id: int
    community_code: str = Field(..., alias="community.code")
    grid_id: int | None
    name: str
    uscc: str
    org_type: str
    address: str
    contact_name: str
    contact_phone_masked: str
    employees: int | None
    version: int

    @staticmethod
    def resolve_contact_phone_masked(obj):
        return mask(obj.contact_phone, "phone")


class ResidentOrgIn(Schema):
    community_code: str
    name: str
    uscc: str = ""
    org_type: str
    grid_id: Id | None = None
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    employees: int | None = Field(None, ge=0, le=10_000_000)
    remarks: str = ""


class ResidentOrgPatch(Schema):
    name: str | None = None
    uscc: str | None = None
    org_type: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    employees: int | None = Field(None, ge=0, le=10_000_000)
    remarks: str | None = None
    version: Version | None = None


class ResidentOrgQuery(Schema):
    q: str | None = None
    community: str | None = None
    org_type: str | None = None


@router.get("/resident-orgs", response=list[ResidentOrgOut])
@paginate(Pagination)
def list_resident_orgs(request, params: ResidentOrgQuery = Query(...)):
    qs = ResidentOrganization.objects.visible_to(request.user).select_related("community")
    return filtered(request, filters.ResidentOrgFilter, qs, _community_filter(params))


@router.get("/resident-orgs/{int:org_id}", response={200: ResidentOrgOut, 404: ErrorOut})
def get_resident_org(request, org_id: Id):
    return get_visible(ResidentOrganization, request.user, org_id)


@router.post("/resident-orgs", response={201: ResidentOrgOut, **ERRORS})
def create_resident_org(request, payload: ResidentOrgIn):
    d = payload.dict()
    code = d.pop("community_code")
    d["grid"] = d.pop("grid_id")
    return Status(201, services.create_resident_org(request.user, code, **d))


@router.patch("/resident-orgs/{int:org_id}", response={200: ResidentOrgOut, **ERRORS})
def patch_resident_org(request, org_id: Id, payload: ResidentOrgPatch):
    d = payload.dict(exclude_none=True)
    version = d.pop("version", None)
    return services.update_resident_org(request.user, org_id, expected_version=version, **d)
