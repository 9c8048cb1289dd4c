"""The catalogue, the centres with their windows, and the outlets.

Choice fields accept the code or the Chinese label (`"mode": "低偿"`, `"category": "养老"`);
answers give both."""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import Day, ErrorOut, Id, Pagination, Version, decimal_in, filtered
from shequ.core.services import get_visible
from shequ.services import services
from shequ.services.filters import OutletFilter, ServiceFilter
from shequ.services.models import Centre, Outlet, Service, ServiceCategory

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
Price = decimal_in(10, 2, positive=True)


class ServiceCategoryOut(Schema):
    id: int
    code: str
    name: str


@router.get("/categories", response={200: list[ServiceCategoryOut]}, summary="服务类别")
def list_categories(request):
    return list(ServiceCategory.objects.filter(active=True))


class ServiceItemOut(Schema):
    id: int
    org: str = Field(description="所属社区或街道代码")
    org_name: str
    name: str
    category: str
    category_name: str
    mode: str = Field(description="free 无偿、low 低偿、paid 有偿")
    mode_label: str
    price: Decimal | None
    price_unit: str
    provider_kind: str
    provider_label: str
    provider_unit_id: int | None
    facility_id: int | None
    place: str
    hours: str
    description: str
    active: bool
    version: int

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.display_name

    @staticmethod
    def resolve_category(obj):
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj):
        return obj.category.name

    @staticmethod
    def resolve_mode_label(obj):
        return str(obj.get_mode_display())


class ServiceItemFields(Schema):
    name: str = Field(max_length=80)
    category: str = Field(max_length=40, description="服务类别代码或名称，见 /categories")
    mode: str = Field("free", max_length=10, description="无偿、低偿、有偿（或 free、low、paid）")
    price: Price | None = Field(None, description="收费标准（元）：低偿、有偿必填，无偿不得填写")
    price_unit: str = Field("", max_length=20)
    provider_kind: str = Field(
        "community", max_length=20, description="社区（街道）自办、社会组织、企业、志愿者、驻区单位"
    )
    provider_name: str = Field("", max_length=100)
    provider_unit_id: Id | None = Field(None, description="提供方为驻区单位时，驻区单位的编号")
    facility_id: Id | None = Field(None, description="服务地点所在阵地的编号")
    place: str = Field("", max_length=200)
    hours: str = Field("", max_length=200, description="服务时间，如“工作日 8:30-17:30”")
    description: str = Field("", max_length=500)
    active: bool = True


class ServiceItemIn(ServiceItemFields):
    org: str = Field(max_length=12, description="社区（12 位）或街道（9 位）代码")


class ServiceItemPatch(Schema):
    expected_version: Version | None = Field(None, description="读到的版本号；已被他人修改时答 409")
    name: str | None = Field(None, max_length=80)
    category: str | None = Field(None, max_length=40)
    mode: str | None = Field(None, max_length=10)
    price: Price | None = None
    price_unit: str | None = Field(None, max_length=20)
    provider_kind: str | None = Field(None, max_length=20)
    provider_name: str | None = Field(None, max_length=100)
    provider_unit_id: Id | None = None
    facility_id: Id | None = None
    place: str | None = Field(None, max_length=200)
    hours: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=500)
    active: bool | None = None


class ServiceItemQuery(Schema):
    q: str | None = Field(None, max_length=80)
    mode: str | None = Field(None, max_length=10)
    provider_kind: str | None = Field(None, max_length=20)
    active: bool | None = None


def _ids(d: dict) -> dict:
    for key in ("provider_unit", "facility"):
        if f"{key}_id" in d:
            d[key] = d.pop(f"{key}_id")
    return d


@router.get("/catalogue", response={200: list[ServiceItemOut], 403: ErrorOut}, summary="服务目录")
@paginate(Pagination)
def list_services(request, params: ServiceItemQuery = Query(...)):
    qs = Service.objects.visible_to(request.user).select_related("org", "category", "provider_unit")
    return filtered(request, ServiceFilter, qs, params)


@router.get("/catalogue/{int:service_id}", response={200: ServiceItemOut, 404: ErrorOut}, summary="服务项目")
def get_service(request, service_id: Id):
    return get_visible(Service, request.user, service_id)


@router.post("/catalogue", response={201: ServiceItemOut, **ERRORS}, summary="新增服务项目",
             description="400：本单位目录中已有同名服务（同时提交时为 409）。")  # fmt: skip
def create_service(request, payload: ServiceItemIn):
    d = _ids(payload.dict())
    return Status(201, services.add_service(request.user, d.pop("org"), **d))


@router.patch("/catalogue/{int:service_id}", response={200: ServiceItemOut, **ERRORS}, summary="修改服务项目",
              description="409：已被他人修改（expected_version 不符）或与同名服务重复。")  # fmt: skip
def patch_service(request, service_id: Id, payload: ServiceItemPatch):
    d = _ids(payload.dict(exclude_unset=True))
    version = d.pop("expected_version", None)
    return services.update_service(request.user, service_id, expected_version=version, **d)


# --- centres and windows ------------------------------------------------------------------------------
class ServiceWindowOut(Schema):
    id: int
    number: int
    name: str
    staff: int
    matters: list[int] = Field(description="办理事项（服务目录编号）")
    version: int

    @staticmethod
    def resolve_matters(obj):
        return [s.pk for s in obj.matters.all()]


class ServiceCentreOut(Schema):
    id: int
    org: str
    org_name: str
    level: str = Field(description="district 区、street 街道社区服务中心、community 社区服务站")
    level_label: str
    name: str
    address: str
    facility_id: int | None
    hours: str
    phone: str
    windows: list[ServiceWindowOut]
    version: int

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.display_name

    @staticmethod
    def resolve_level_label(obj):
        return str(obj.get_level_display())

    @staticmethod
    def resolve_windows(obj):
        return list(obj.windows.all())


class ServiceCentreIn(Schema):
    org: str = Field(max_length=12, description="区、街道或社区代码")
    name: str = Field(max_length=80)
    address: str = Field("", max_length=200)
    facility_id: Id | None = None
    hours: str = Field("", max_length=200)
    phone: str = Field("", max_length=30)


class ServiceWindowIn(Schema):
    number: int = Field(ge=1, le=999)
    name: str = Field(max_length=60)
    staff: int = Field(1, ge=0, le=99)
    matters: list[Id] = Field(default_factory=list, max_length=200, description="办理事项（服务目录编号）")


class ServiceWindowPatch(Schema):
    expected_version: Version | None = None
    number: int | None = Field(None, ge=1, le=999)
    name: str | None = Field(None, max_length=60)
    staff: int | None = Field(None, ge=0, le=99)
    matters: list[Id] | None = Field(None, max_length=200)


def _centres(user):
    return Centre.objects.visible_to(user).select_related("org").prefetch_related("windows__matters")


@router.get("/centres", response={200: list[ServiceCentreOut], 403: ErrorOut}, summary="服务中心（站）与窗口")
@paginate(Pagination)
def list_centres(request):
    return _centres(request.user)


@router.get(
    "/centres/{int:centre_id}", response={200: ServiceCentreOut, 404: ErrorOut}, summary="服务中心（站）"
)
def get_centre(request, centre_id: Id):
    return get_visible(Centre, request.user, centre_id)


@router.post("/centres", response={201: ServiceCentreOut, **ERRORS}, summary="登记服务中心（站）",
             description="400：该单位已登记服务中心（站）（同时提交时为 409）。")  # fmt: skip
def create_centre(request, payload: ServiceCentreIn):
    d = _ids(payload.dict())
    return Status(201, services.add_centre(request.user, d.pop("org"), **d))


@router.post("/centres/{int:centre_id}/windows", response={201: ServiceWindowOut, **ERRORS}, summary="新增服务窗口",
             description="400：该中心已有这个窗口号（同时提交时为 409）。")  # fmt: skip
def create_window(request, centre_id: Id, payload: ServiceWindowIn):
    return Status(201, services.add_window(request.user, centre_id, **payload.dict()))


@router.patch("/windows/{int:window_id}", response={200: ServiceWindowOut, **ERRORS}, summary="修改服务窗口",
              description="409：已被他人修改或窗口号重复。")  # fmt: skip
def patch_window(request, window_id: Id, payload: ServiceWindowPatch):
    d = payload.dict(exclude_unset=True)
    version = d.pop("expected_version", None)
    return services.update_window(request.user, window_id, expected_version=version, **d)


# --- outlets ------------------------------------------------------------------------------------------
class ServiceOutletOut(Schema):
    id: int
    community: str
    community_name: str
    name: str
    category: str
    category_name: str
    provider_kind: str
    provider_name: str
    address: str
    staff: int
    formerly_unemployed: int = Field(description="其中下岗失业人员")
    opened_on: date | None
    active: bool
    version: int

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_community_name(obj):
        return obj.community.display_name

    @staticmethod
    def resolve_category(obj):
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj):
        return obj.category.name


class ServiceOutletIn(Schema):
    community: str = Field(max_length=12, description="社区代码（12 位）")
    name: str = Field(max_length=80)
    category: str = Field(max_length=40)
    provider_kind: str = Field("community", max_length=20)
    provider_name: str = Field("", max_length=100)
    address: str = Field("", max_length=200)
    staff: int = Field(0, ge=0, le=100000)
    formerly_unemployed: int = Field(0, ge=0, le=100000, description="不得多于从业人员")
    opened_on: Day | None = None
    active: bool = True


class ServiceOutletPatch(Schema):
    expected_version: Version | None = None
    name: str | None = Field(None, max_length=80)
    category: str | None = Field(None, max_length=40)
    provider_kind: str | None = Field(None, max_length=20)
    provider_name: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=200)
    staff: int | None = Field(None, ge=0, le=100000)
    formerly_unemployed: int | None = Field(None, ge=0, le=100000)
    opened_on: Day | None = None
    active: bool | None = None


class ServiceOutletQuery(Schema):
    q: str | None = Field(None, max_length=80)


@router.get("/outlets", response={200: list[ServiceOutletOut], 403: ErrorOut}, summary="服务网点")
@paginate(Pagination)
def list_outlets(request, params: ServiceOutletQuery = Query(...)):
    qs = Outlet.objects.visible_to(request.user).select_related("community", "category")
    return filtered(request, OutletFilter, qs, params)


@router.post("/outlets", response={201: ServiceOutletOut, **ERRORS}, summary="登记服务网点",
             description="400：本社区已有同名网点（同时提交时为 409）。")  # fmt: skip
def create_outlet(request, payload: ServiceOutletIn):
    d = payload.dict()
    return Status(201, services.add_outlet(request.user, d.pop("community"), **d))


@router.patch("/outlets/{int:outlet_id}", response={200: ServiceOutletOut, **ERRORS}, summary="修改服务网点")
def patch_outlet(request, outlet_id: Id, payload: ServiceOutletPatch):
    d = payload.dict(exclude_unset=True)
    version = d.pop("expected_version", None)
    return services.update_outlet(request.user, outlet_id, expected_version=version, **d)
