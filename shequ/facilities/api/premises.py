"""Premises, their kinds, the standards in force and each community's compliance.

Choice fields accept the code or the Chinese label (`"tenure": "租用"`, `"kind": "活动室"`);
answers give both."""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import scope as scopes
from shequ.core.api import Day, ErrorOut, Id, Pagination, Version, decimal_in, filtered
from shequ.core.errors import Forbidden
from shequ.core.services import get_visible
from shequ.facilities import services
from shequ.facilities.filters import FacilityFilter
from shequ.facilities.models import AreaRule, Facility, FacilityKind, KindPackage

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
Area = decimal_in(9, 2, positive=True)
Money = decimal_in(12, 2)
Hours = dict[str, list[list[str]] | str]


class FacilityKindOut(Schema):
    id: int
    code: str
    name: str
    bookable: bool
    outdoor: bool


@router.get("/kinds", response={200: list[FacilityKindOut]}, summary="阵地类别")
def list_kinds(request):
    return list(FacilityKind.objects.filter(active=True))


class FacilityOut(Schema):
    id: int
    community: str
    community_name: str
    provider_id: int | None
    provider_name: str
    name: str
    kind: str
    kind_name: str
    area: Decimal
    floor: int | None
    step_free: bool
    tenure: str
    tenure_label: str
    annual_rent: Decimal | None
    lease_start: date | None
    lease_end: date | None
    obtained: str
    address: str
    lat: float | None
    lng: float | None
    opening_hours: dict[str, list[list[str]]]
    in_use: bool
    note: str
    bookable: bool
    book_residents: bool
    book_teams: bool
    book_units: bool
    book_ahead_days: int
    price_per_hour: Decimal
    needs_approval: bool
    capacity: int | None
    version: int

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_community_name(obj):
        return obj.community.display_name

    @staticmethod
    def resolve_provider_name(obj):
        return obj.provider.name if obj.provider_id else ""

    @staticmethod
    def resolve_kind(obj):
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj):
        return obj.kind.name

    @staticmethod
    def resolve_tenure_label(obj):
        return str(obj.get_tenure_display())


class FacilityFields(Schema):
    name: str = Field(max_length=80)
    kind: str = Field(max_length=40, description="阵地类别代码或名称，见 /kinds")
    area: Area = Field(description="面积（平方米）")
    floor: int | None = Field(None, ge=-5, le=60, description="楼层，地下为负数")
    step_free: bool = False
    tenure: str = Field(max_length=20, description="自有、租用、开发商无偿提供、划转调剂")
    annual_rent: Money | None = Field(None, description="年租金（元），租用时必填")
    lease_start: Day | None = None
    lease_end: Day | None = None
    obtained: str = Field("", max_length=20, description="新建、购买、改扩建、调剂")
    address: str = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    opening_hours: Hours = Field(
        default_factory=dict, description='按星期（1–7）：{"1": "08:30-12:00, 14:00-17:30"}'
    )
    in_use: bool = True
    note: str = Field("", max_length=200)
    provider_id: Id | None = Field(None, description="驻区单位的编号（单位开放给居民的场地）")
    bookable: bool = False
    book_residents: bool = True
    book_teams: bool = True
    book_units: bool = True
    book_ahead_days: int = Field(14, ge=1, le=365)
    price_per_hour: Money = Field(Decimal("0"), description="收费（元/小时），0 为免费")
    needs_approval: bool = False
    capacity: int | None = Field(None, ge=1, le=100000)


class FacilityIn(FacilityFields):
    community: str = Field(max_length=12, description="社区代码（12 位）")


class FacilityPatch(Schema):
    expected_version: Version | None = Field(None, description="读到的版本号；已被他人修改时答 409")
    name: str | None = Field(None, max_length=80)
    kind: str | None = Field(None, max_length=40)
    area: Area | None = None
    floor: int | None = Field(None, ge=-5, le=60)
    step_free: bool | None = None
    tenure: str | None = Field(None, max_length=20)
    annual_rent: Money | None = None
    lease_start: Day | None = None
    lease_end: Day | None = None
    obtained: str | None = Field(None, max_length=20)
    address: str | None = Field(None, max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    opening_hours: Hours | None = None
    in_use: bool | None = None
    note: str | None = Field(None, max_length=200)
    bookable: bool | None = None
    book_residents: bool | None = None
    book_teams: bool | None = None
    book_units: bool | None = None
    book_ahead_days: int | None = Field(None, ge=1, le=365)
    price_per_hour: Money | None = None
    needs_approval: bool | None = None
    capacity: int | None = Field(None, ge=1, le=100000)


class FacilityQuery(Schema):
    q: str | None = Field(None, max_length=80)
    tenure: str | None = Field(None, max_length=20)
    bookable: bool | None = None


def _data(payload) -> dict:
    d = payload.dict(exclude_unset=True)
    if "provider_id" in d:
        d["provider"] = d.pop("provider_id")
    return d


@router.get("/facilities", response={200: list[FacilityOut], 403: ErrorOut}, summary="阵地台账")
@paginate(Pagination)
def list_facilities(request, params: FacilityQuery = Query(...)):
    qs = Facility.objects.visible_to(request.user).select_related("community", "kind", "provider")
    return filtered(request, FacilityFilter, qs, params)


@router.get("/facilities/{int:facility_id}", response={200: FacilityOut, 404: ErrorOut}, summary="阵地")
def get_facility(request, facility_id: Id):
    return get_visible(Facility, request.user, facility_id)


@router.post("/facilities", response={201: FacilityOut, **ERRORS}, summary="登记阵地")
def create_facility(request, payload: FacilityIn):
    d = payload.dict()
    d["provider"] = d.pop("provider_id")
    return Status(201, services.add_facility(request.user, d.pop("community"), **d))


@router.patch("/facilities/{int:facility_id}", response={200: FacilityOut, **ERRORS}, summary="修改阵地")
def patch_facility(request, facility_id: Id, payload: FacilityPatch):
    d = _data(payload)
    version = d.pop("expected_version", None)
    return services.update_facility(request.user, facility_id, expected_version=version, **d)


class FacilityCheckOut(Schema):
    name: str
    min: Decimal | None = Field(description="最低面积；配置要求为空")
    area: Decimal | None
    met: bool
    gap: Decimal | None = None
    lacking: list[str] = []


class FacilityCommunityOut(Schema):
    code: str
    name: str
    type: str
    type_label: str
    total_area: Decimal
    office_area: Decimal
    has_office: bool
    rents: bool
    met_all: bool
    missing: list[str]
    checks: list[FacilityCheckOut]


class FacilityRuleShareOut(Schema):
    name: str
    type: str
    type_label: str
    min: Decimal | None
    met: int
    of: int
    percent: Decimal | None


class FacilityComplianceOut(Schema):
    scope: str
    communities: int
    met_all: int
    met_all_percent: Decimal | None
    no_office: int
    no_office_names: list[str]
    renting: int
    rental_rate: Decimal | None = Field(description="租用率（%）：有租用阵地的社区 ÷ 社区数")
    rules: list[FacilityRuleShareOut]
    rows: list[FacilityCommunityOut]


@router.get(
    "/compliance",
    response={200: FacilityComplianceOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="阵地达标情况",
)
def get_compliance(request, scope: str | None = Query(None, max_length=15)):
    data = services.compliance(request.user, scope)
    for r in data["rows"]:
        r["missing"] = [str(m) for m in r["missing"]]
    return data


class FacilityStandardOut(Schema):
    id: int
    district: str
    community_type: str
    name: str
    min_area: Decimal | None = None
    kinds: list[str]

    @staticmethod
    def resolve_district(obj):
        return obj.district.code if obj.district_id else ""

    @staticmethod
    def resolve_kinds(obj):
        return [k.name for k in obj.kinds.all()]


class FacilityStandardsOut(Schema):
    district: str
    own: bool = Field(description="本区是否已有自己的标准（否则为平台默认标准）")
    rules: list[FacilityStandardOut]
    packages: list[FacilityStandardOut]


@router.get(
    "/standards", response={200: FacilityStandardsOut, 403: ErrorOut, 404: ErrorOut}, summary="配置标准"
)
def get_standards(request, district: str = Query(..., min_length=6, max_length=6, pattern=r"^\d{6}$")):
    if not scopes.may_read(request.user, Facility):
        raise Forbidden()
    if not any(
        district.startswith(r) or r.startswith(district)
        for r in (scopes.read_roots(request.user, Facility) or [district])
    ):
        from shequ.core.errors import NotFound

        raise NotFound()
    rules, packages = services.standards_for(district)
    own = any(r.district_id for r in rules) or any(p.district_id for p in packages)
    return {"district": district, "own": own, "rules": rules, "packages": packages}


class FacilityRuleIn(Schema):
    district: str = Field(min_length=6, max_length=6, description="区代码（6 位）")
    id: Id | None = Field(
        None, description="要修改的标准编号（平台默认标准的编号也可，修改的是本区的副本）；新增留空"
    )
    community_type: str = Field(max_length=20, description="城市社区（urban）或农村社区（rural）")
    name: str = Field(max_length=60)
    min_area: Area
    kinds: list[str] = Field(min_length=1, max_length=50, description="计入的阵地类别（代码或名称）")


class FacilityPackageIn(Schema):
    district: str = Field(min_length=6, max_length=6)
    id: Id | None = None
    community_type: str = Field("", max_length=20, description="空：两类社区都适用")
    name: str = Field(max_length=60)
    kinds: list[str] = Field(min_length=1, max_length=50)


@router.put("/standards/rules", response={200: FacilityStandardOut, **ERRORS}, summary="设置面积标准")
def put_rule(request, payload: FacilityRuleIn):
    d = payload.dict()
    return services.set_area_rule(request.user, d.pop("district"), pk=d.pop("id"), **d)


@router.put("/standards/packages", response={200: FacilityStandardOut, **ERRORS}, summary="设置配置要求")
def put_package(request, payload: FacilityPackageIn):
    d = payload.dict()
    return services.set_package(request.user, d.pop("district"), pk=d.pop("id"), **d)


__all__ = ["AreaRule", "KindPackage"]
