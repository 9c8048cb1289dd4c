"""The roster, population, staffing, structure, turnover and training.

Choice fields accept the code or the Chinese label (`"gender": "女"`, `"education": "本科"`,
`"source": "聘用"`); answers give both (`gender` and `gender_label`)."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import Day, ErrorOut, Id, Pagination, decimal_in, filtered
from shequ.core.masking import mask
from shequ.core.services import get_visible
from shequ.workforce import reports, services
from shequ.workforce.filters import WorkerFilter
from shequ.workforce.models import Training, Worker

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class WorkerOut(Schema):
    id: int
    name: str
    org: str
    org_name: str
    gender: str
    gender_label: str
    birth_date: date
    education: str
    education_label: str
    political_status: str
    post: str
    source: str
    source_label: str
    source_detail: str
    hired_on: date
    full_time: bool
    status: str
    left_on: date | None
    exit_reason: str
    id_number_masked: str
    phone_masked: str
    version: int

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.display_name

    @staticmethod
    def resolve_gender_label(obj):
        return str(obj.get_gender_display())

    @staticmethod
    def resolve_education_label(obj):
        return str(obj.get_education_display())

    @staticmethod
    def resolve_source_label(obj):
        return str(obj.get_source_display())

    @staticmethod
    def resolve_id_number_masked(obj):
        return mask(obj.id_number, "id_number") if obj.id_number else ""

    @staticmethod
    def resolve_phone_masked(obj):
        return mask(obj.phone, "phone") if obj.phone else ""


class WorkerIn(Schema):
    name: str = Field(max_length=50)
    org: str = Field(max_length=12, description="社区（12 位）或街道（9 位）代码")
    gender: str = Field("", max_length=8, description="男 / 女（填写身份证号码时可省略）")
    birth_date: Day | None = None
    education: str = Field(max_length=20, description="高中及以下、中专、大专、本科、研究生")
    political_status: str = Field("群众", max_length=20)
    source: str = Field(max_length=20, description="选举产生、聘用、街道下派、其他")
    source_detail: str = Field("", max_length=30)
    post: str = Field("", max_length=60)
    hired_on: Day
    full_time: bool = True
    status: str = Field("active", max_length=8, description="新登记只能为在岗（active / 在岗）")
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)


class WorkerQuery(Schema):
    q: str | None = None
    status: str | None = None
    source: str | None = None
    education: str | None = None


@router.get("/workers", response={200: list[WorkerOut], 403: ErrorOut}, summary="社区工作者名册")
@paginate(Pagination)
def list_workers(request, params: WorkerQuery = Query(...)):
    from shequ.core import scope

    if not scope.may_read(request.user, Worker):
        from shequ.core.errors import Forbidden

        raise Forbidden()
    qs = Worker.objects.visible_to(request.user).select_related("org")
    return filtered(request, WorkerFilter, qs, params)


@router.get("/workers/{int:worker_id}", response={200: WorkerOut, 404: ErrorOut}, summary="社区工作者")
def get_worker(request, worker_id: Id):
    return get_visible(Worker, request.user, worker_id)


@router.post("/workers", response={201: WorkerOut, **ERRORS}, summary="登记社区工作者")
def create_worker(request, payload: WorkerIn):
    d = payload.dict()
    status = d.pop("status")
    if status not in ("active", "在岗"):
        from shequ.core.errors import ValidationFailed

        msg = "新登记的社区工作者状态应为在岗；已离开的人员请登记后再登记离开。"
        raise ValidationFailed(msg, details={"status": [msg]})
    return Status(201, services.add_worker(request.user, d.pop("org"), **d))


class QualificationOut(Schema):
    id: int
    kind: str
    label: str
    number: str
    obtained_on: date


class QualificationIn(Schema):
    kind: str = Field(
        max_length=30, description="助理社会工作师、社会工作师、高级社会工作师或其他职业资格（代码或名称）"
    )
    name: str = Field("", max_length=60, description="其他职业资格的名称")
    number: str = Field(max_length=40)
    obtained_on: Day
    reward: decimal_in(10, 2) = Field(Decimal("0"), description="一次性奖励（元）")


@router.get(
    "/workers/{int:worker_id}/qualifications",
    response={200: list[QualificationOut], 404: ErrorOut},
    summary="社区工作者的职业资格",
)
def list_qualifications(request, worker_id: Id):
    return list(get_visible(Worker, request.user, worker_id).qualifications.all())


@router.post(
    "/workers/{int:worker_id}/qualifications",
    response={201: QualificationOut, **ERRORS},
    summary="登记职业资格证书",
)
def add_qualification(request, worker_id: Id, payload: QualificationIn):
    return Status(201, services.add_qualification(request.user, worker_id, **payload.dict()))


class TrainingOut(Schema):
    id: int
    org: str
    title: str
    organiser: str
    kind: str
    start: date
    end: date
    days: Decimal

    @staticmethod
    def resolve_org(obj):
        return obj.org.code


class TrainingIn(Schema):
    org: str = Field(max_length=12, description="举办范围：区、街道或社区代码")
    title: str = Field(max_length=100)
    organiser: str = Field(max_length=16, description="组织部、民政局、街道党工委、党校、其他")
    kind: str = Field(max_length=16, description="岗前培训、岗中培训、学历教育、外出考察")
    start: Day
    end: Day
    days: decimal_in(4, 1, positive=True) = Field(description="培训天数，如 0.5、3")


@router.get("/trainings", response={200: list[TrainingOut], 403: ErrorOut}, summary="培训")
@paginate(Pagination)
def list_trainings(request):
    from shequ.core import scope

    if not scope.may_read(request.user, Training):
        from shequ.core.errors import Forbidden

        raise Forbidden()
    return Training.objects.visible_to(request.user).select_related("org")


@router.post("/trainings", response={201: TrainingOut, **ERRORS}, summary="新建培训")
def create_training(request, payload: TrainingIn):
    d = payload.dict()
    return Status(201, services.create_training(request.user, d.pop("org"), **d))


class SignInIn(Schema):
    worker_id: Id
    passed: bool | None = None


class AttendanceOut(Schema):
    training_id: int
    worker_id: int
    signed_at: datetime
    passed: bool | None


@router.post(
    "/trainings/{int:training_id}/attendance", response={201: AttendanceOut, **ERRORS}, summary="培训签到"
)
def sign_in(request, training_id: Id, payload: SignInIn):
    return Status(201, services.sign_in(request.user, training_id, payload.worker_id, passed=payload.passed))


class TrainingShortOut(Schema):
    id: int
    name: str
    days: Decimal
    minimum: int


class CommunityTrainingOut(Schema):
    code: str
    in_post: int
    trained: int
    coverage: Decimal | None
    person_times: int
    average_days: Decimal | None


class TrainingReportOut(Schema):
    scope: str
    year: int
    date: date
    min_head: int
    min_other: int
    in_post: int
    trained: int
    coverage: Decimal | None
    person_times: int
    average_days: Decimal | None
    below_minimum: list[TrainingShortOut]
    communities: list[CommunityTrainingOut]


@router.get(
    "/training",
    response={200: TrainingReportOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="培训覆盖面与最低天数",
)
def get_training(request, scope: str | None = None, year: int | None = Query(None, ge=2000, le=2100)):
    return reports.training(request.user, scope, year)


class PopulationIn(Schema):
    scope: str = Field(max_length=12, description="区、街道或社区代码")
    year: int = Field(ge=2000, le=2100)
    residents: int = Field(ge=1, le=20_000_000)
    source: str = Field("", max_length=100)


class PopulationOut(Schema):
    scope: str
    year: int
    residents: int
    source: str
    version: int

    @staticmethod
    def resolve_scope(obj):
        return obj.org.code


@router.put("/population", response={200: PopulationOut, **ERRORS}, summary="录入常住人口")
def put_population(request, payload: PopulationIn):
    return services.set_population(request.user, **payload.dict())


PerTenThousand = decimal_in(4, 2, positive=True)


class RatioIn(Schema):
    district: str = Field(max_length=6, description="区代码（6 位）")
    per_10k: PerTenThousand = Field(description="每万常住人口配备人数，如 18（不超过 99.99）")


class RatioOut(Schema):
    district: str
    per_10k: Decimal

    @staticmethod
    def resolve_district(obj):
        return obj.org.code


@router.put("/ratio", response={200: RatioOut, **ERRORS}, summary="设置配备标准（每万人）")
def put_ratio(request, payload: RatioIn):
    return services.set_ratio(request.user, payload.district, per_10k=payload.per_10k)


class CommunityStaffingOut(Schema):
    code: str
    name: str
    residents: int | None
    required: int | None
    actual: int
    gap: int | None


class StaffingOut(Schema):
    scope: str
    year: int
    date: date
    residents: int | None
    source: str
    communities_missing: int
    ratio: Decimal
    required: int | None
    actual: int
    gap: int | None
    per_community: Decimal | None
    communities: list[CommunityStaffingOut]


@router.get(
    "/staffing", response={200: StaffingOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="配备"
)
def get_staffing(request, scope: str | None = None, year: int | None = Query(None, ge=2000, le=2100)):
    return reports.staffing(request.user, scope, year)


class WorkforceGroupOut(Schema):
    key: str
    label: str
    count: int
    percent: Decimal | None


class WorkforceDimensionOut(Schema):
    key: str
    label: str
    groups: list[WorkforceGroupOut]


class WorkforceStructureOut(Schema):
    scope: str
    date: date
    total: int
    dimensions: list[WorkforceDimensionOut]
    roles: list[WorkforceGroupOut]


@router.get(
    "/structure",
    response={200: WorkforceStructureOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="队伍结构",
)
def get_structure(request, scope: str | None = None, date: Day | None = None):
    return reports.structure(request.user, scope, date)


class TurnoverCountOut(Schema):
    key: str
    label: str
    count: int


class CohortOut(Schema):
    year: int
    recruits: int
    left: int
    rate: Decimal | None


class TurnoverOut(Schema):
    scope: str
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    exits: int
    ways_up: int
    headcount_start: int
    headcount_end: int
    average_headcount: Decimal
    rate: Decimal | None
    by_reason: list[TurnoverCountOut]
    by_source: list[TurnoverCountOut]
    cohorts: list[CohortOut]


@router.get(
    "/turnover",
    response={200: TurnoverOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="流失",
    by_alias=True,
)
def get_turnover(
    request,
    start: Day = Query(..., alias="from"),
    end: Day = Query(..., alias="to"),
    scope: str | None = None,
):
    return reports.turnover(request.user, scope, start, end)
