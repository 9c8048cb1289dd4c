"""Grades and pay, contracts and insurance.

Pay records, placements, contracts and insurance are sensitive: a worker reads their own (their
account), the community lead and the street and district managers read their scope's; department
staff, grid workers and other community workers are refused (403). Amounts are yuan as strings of
digits ("24767.00"); the base and the three figures (`total_cost`, `gross`, `take_home`) are
computed, never sent. Grade schemes, their tables and the average wage are published policy."""

import json
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import Day, ErrorOut, Id, Pagination, decimal_in
from shequ.core.errors import Forbidden, NotFound, ValidationFailed
from shequ.core.services import get_visible
from shequ.workforce import services
from shequ.workforce.models import InsuranceKind, PayRecord, Worker
from shequ.workforce.services import pay as pay_services

router = Router()
# What each route may answer besides success (the platform adds 401, 413, 415 and 422 itself).
READ = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
Money = decimal_in(12, 2, le=10_000_000)  # yuan: 0 to 9,999,999.99
Monthly = decimal_in(10, 2, positive=True, le=1_000_000)
Year = Field(ge=2000, le=2100, description="年度（四位）")
COMPUTED = {"base", "base_months", "gross", "total_cost", "take_home"}


def _reads_pay(request) -> None:
    if not pay_services.reads_pay(request.user):
        raise Forbidden()


# --- pay records -------------------------------------------------------------------------------------
class PayRecordOut(Schema):
    id: int
    worker_id: int
    worker_name: str
    year: int
    grade: str = Field(description="年末等级档次，如“中级2档”")
    base_months: int
    base: Decimal = Field(description="基本工资：按每月 1 日的等级档次和当年工资表计算")
    performance: Decimal
    allowances: Decimal
    bonus: Decimal
    employer_insurance: Decimal
    employer_housing_fund: Decimal
    personal_insurance: Decimal
    personal_housing_fund: Decimal
    total_cost: Decimal = Field(description="含单位缴纳总成本 = 应发 + 单位缴纳的社会保险和住房公积金")
    gross: Decimal = Field(description="应发工资 = 基本工资 + 绩效工资 + 津贴补贴 + 年终奖励")
    take_home: Decimal = Field(description="实发 = 应发 − 个人缴纳的社会保险和住房公积金")
    note: str
    version: int

    @staticmethod
    def resolve_worker_name(obj):
        return obj.worker.name

    @staticmethod
    def resolve_grade(obj):
        return obj.grade.label(obj.step)


class PayRecordIn(Schema):
    worker_id: Id
    year: int = Year
    performance: Money = Decimal("0")
    allowances: Money = Decimal("0")
    bonus: Money = Decimal("0")
    employer_insurance: Money = Decimal("0")
    employer_housing_fund: Money = Decimal("0")
    personal_insurance: Money = Decimal("0")
    personal_housing_fund: Money = Decimal("0")
    note: str = Field("", max_length=200)
    version: int | None = Field(None, ge=0, le=2**31, description="修改已有记录时读到的版本（不符为 409）")


class PayRecordQuery(Schema):
    worker_id: Id | None = None
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("/pay-records", response={200: list[PayRecordOut], 403: ErrorOut}, summary="年度薪酬记录")
@paginate(Pagination)
def list_pay_records(request, params: PayRecordQuery = Query(...)):
    _reads_pay(request)
    qs = PayRecord.objects.visible_to(request.user).select_related("worker", "grade__scheme")
    if params.worker_id is not None:
        qs = qs.filter(worker_id=params.worker_id)
    if params.year is not None:
        qs = qs.filter(year=params.year)
    return qs.order_by("-year", "worker_id")


@router.post(
    "/pay-records",
    response={200: PayRecordOut, 201: PayRecordOut, **WRITE},
    summary="登记或修改年度薪酬（每人每年一条；基本工资按等级档次计算）",
    description="新登记答 201，修改该年度已有记录答 200。该年度没有等级工资表、本人尚未定级，或请求中带有"
    "由系统计算的 base、gross、total_cost、take_home 时答 400 并说明原因。",
)
def set_pay_record(request, payload: PayRecordIn):
    computed = sorted(COMPUTED & set(json.loads(request.body or b"{}")))
    if computed:  # a client that sends them would believe they were kept
        msg = _("基本工资和含单位缴纳总成本、应发、实发由系统计算，不能填写：%(f)s。") % {
            "f": "、".join(computed)
        }
        raise ValidationFailed(msg, details={f: [msg] for f in computed})
    d = payload.dict()
    worker_id, version = d.pop("worker_id"), d.pop("version")
    record, created = services.set_pay_record(request.user, worker_id, expected_version=version, **d)
    return Status(201 if created else 200, record)


# --- the report --------------------------------------------------------------------------------------
class PayWageOut(Schema):
    scope: str
    amount: Decimal
    floor_percent: Decimal
    floor: Decimal
    source: str


class PayBandOut(Schema):
    label: str
    count: int
    below: bool = Field(description="整段低于底线")


class PayBelowOut(Schema):
    id: int
    name: str
    unit: str
    unit_name: str
    grade: str
    gross: Decimal
    floor: Decimal
    ratio: Decimal
    shortfall: Decimal


class PayUnitOut(Schema):
    code: str
    name: str
    records: int
    compared: int
    at_or_above: int
    share: Decimal | None
    average_ratio: Decimal | None
    missing: int


class PaySpreadOut(Schema):
    key: str
    label: str
    n: int
    min: Decimal
    max: Decimal
    spread: Decimal
    ratio: Decimal | None


class PayParityOut(Schema):
    label: str
    grade: str
    step: int
    scheme: str
    n: int
    min: Decimal
    max: Decimal
    spread: Decimal
    ratio: Decimal | None
    sources: list[PaySpreadOut]


class PayReportOut(Schema):
    scope: str
    year: int
    date: date
    wage: PayWageOut | None
    wages: list[PayWageOut]
    records: int
    in_post: int
    missing: int
    compared: int
    no_wage: int
    at_or_above: int
    share: Decimal | None = Field(description="达到或高于底线的人数占可比人数的百分比")
    average_gross: Decimal | None
    average_total_cost: Decimal | None
    average_take_home: Decimal | None
    average_ratio: Decimal | None
    distribution: list[PayBandOut]
    below_floor: list[PayBelowOut]
    units: list[PayUnitOut]
    parity: list[PayParityOut]


@router.get(
    "/pay",
    response={200: PayReportOut, **READ},
    summary="薪酬待遇：与社会平均工资之比、底线、同工同酬",
    description="比值 = 应发工资 ÷ 社会平均工资（社区所在街道、区、市中最近一级录入的数字）。",
)
def get_pay_report(
    request, scope: str | None = Query(None, max_length=12), year: int | None = Query(None, ge=2000, le=2100)
):
    return services.pay_report(request.user, scope, year)


# --- the average wage --------------------------------------------------------------------------------
class PayAverageWageIn(Schema):
    scope: str = Field(max_length=12, description="市（4 位）、区（6 位）或街道（9 位）代码")
    year: int = Year
    amount: Money = Field(description="社会平均工资（元/年），如 27968")
    source: str = Field(max_length=100, description="数据来源，如“区统计局 2024 年统计公报”")
    floor_percent: decimal_in(5, 2) = Field(
        Decimal("100"), description="薪酬底线占平均工资的百分比（50–200），如 85、100"
    )


class PayAverageWageOut(Schema):
    scope: str
    year: int
    amount: Decimal
    source: str
    floor_percent: Decimal
    floor: Decimal
    version: int

    @staticmethod
    def resolve_scope(obj):
        return obj.org.code


@router.put("/average-wage", response={200: PayAverageWageOut, **WRITE}, summary="录入社会平均工资和薪酬底线")
def put_average_wage(request, payload: PayAverageWageIn):
    return services.set_average_wage(request.user, **payload.dict())


# --- grade schemes -----------------------------------------------------------------------------------
class PayGradeOut(Schema):
    id: int
    name: str
    min_step: int
    max_step: int
    note: str


class PayGradeSchemeOut(Schema):
    id: int
    name: str
    scope: str = Field(description="适用范围代码；模板为空")
    template: bool
    step_label: str
    years_per_step: int
    appraisal_count: int
    appraisal_min: str
    grades: list[PayGradeOut]
    years: list[int] = Field(description="已录入工资表的年度")

    @staticmethod
    def resolve_scope(obj):
        return obj.scope_code

    @staticmethod
    def resolve_template(obj):
        return obj.is_template

    @staticmethod
    def resolve_grades(obj):
        return sorted(obj.grades.all(), key=lambda g: (g.order, g.pk))

    @staticmethod
    def resolve_years(obj):
        return sorted((t.year for t in obj.tables.all()), reverse=True)


@router.get("/grade-schemes", response={200: list[PayGradeSchemeOut], **READ}, summary="等级体系（含模板）")
def list_grade_schemes(request, scope: str | None = Query(None, max_length=12)):
    from shequ.core import scope as scopes
    from shequ.workforce.models import VIEW

    if not scopes.holds(request.user, VIEW):
        raise Forbidden()
    if scope:
        if not scope.isdigit():
            raise ValidationFailed(
                _("范围应为区划代码（数字）。"), details={"scope": [_("请填写区、街道或社区代码。")]}
            )
        if not scopes.covers(request.user, scope, VIEW):
            raise NotFound()
        schemes = list(pay_services.applicable_schemes(scope).prefetch_related("grades", "tables"))
    else:
        schemes = list(pay_services.schemes_for(request.user))
    return pay_services.templates() + schemes


class PayGradeIn(Schema):
    name: str = Field(max_length=20)
    min_step: int = Field(1, ge=1, le=30)
    max_step: int = Field(ge=1, le=30)
    note: str = Field("", max_length=100)


class PaySchemeIn(Schema):
    org: str = Field(max_length=12, description="区（6 位）或街道（9 位）代码")
    template: str = Field(
        "", max_length=60, description="模板名称或编号：三岗十八级、三级九档；列出 grades 时可省略"
    )
    name: str = Field("", max_length=60)
    grades: list[PayGradeIn] | None = Field(None, max_length=20)
    step_label: str = Field("", max_length=4, description="档次称谓：档或级")
    years_per_step: int = Field(3, ge=1, le=10)
    appraisal_count: int = Field(3, ge=0, le=5, description="最近几次年度考核须达到要求（0：不看考核）")
    appraisal_min: str = Field("称职", max_length=10)
    note: str = Field("", max_length=200)


@router.post("/grade-schemes", response={201: PayGradeSchemeOut, **WRITE}, summary="采用模板或建立等级体系")
def create_grade_scheme(request, payload: PaySchemeIn):
    d = payload.dict()
    grades = d.pop("grades")
    scheme = services.create_scheme(request.user, d.pop("org"), grades=grades, **d)
    return Status(201, scheme)


class PayRateIn(Schema):
    grade: str = Field(max_length=20, description="等级名称")
    step: int = Field(ge=1, le=30)
    monthly: Monthly = Field(description="月基本工资（元）")


class PayTableIn(Schema):
    rates: list[PayRateIn] = Field(max_length=600, description="每个等级的每一档都须填写")
    source: str = Field("", max_length=100)


class PayRateOut(Schema):
    grade: str
    step: int
    monthly: Decimal

    @staticmethod
    def resolve_grade(obj):
        return obj.grade.name


class PayTableOut(Schema):
    scheme_id: int
    year: int
    source: str
    rates: list[PayRateOut]

    @staticmethod
    def resolve_rates(obj):
        return list(obj.rates.select_related("grade").order_by("grade__order", "step"))


@router.put(
    "/grade-schemes/{int:scheme_id}/tables/{int:year}",
    response={200: PayTableOut, **WRITE},
    summary="录入某年度的等级工资表（整表；已登记的薪酬随之重算）",
)
def put_pay_table(request, scheme_id: Id, payload: PayTableIn, year: int = Path(..., ge=2000, le=2100)):
    rates = [r.dict() for r in payload.rates]
    return services.set_pay_table(request.user, scheme_id, year=year, rates=rates, source=payload.source)


# --- a worker's grade, contracts, insurance ---------------------------------------------------------
class PayPlacementIn(Schema):
    grade: str = Field(max_length=20, description="等级名称，如“中级”“正职”")
    step: int = Field(ge=1, le=30)
    on: Day = Field(description="起始日期")
    scheme: str = Field("", max_length=60, description="等级体系名称或编号（社区适用多个体系时填写）")
    note: str = Field("", max_length=200)


class PayPlacementOut(Schema):
    id: int
    worker_id: int
    scheme: str
    grade: str
    step: int
    label: str
    on: date
    note: str

    @staticmethod
    def resolve_scheme(obj):
        return obj.scheme.name

    @staticmethod
    def resolve_grade(obj):
        return obj.grade.name


@router.post(
    "/workers/{int:worker_id}/grade",
    response={201: PayPlacementOut, **WRITE},
    summary="定级、晋档（等级不在体系中时答 400 并说明原因）",
)
def place_grade(request, worker_id: Id, payload: PayPlacementIn):
    return Status(201, services.place_grade(request.user, worker_id, **payload.dict()))


class PayStepAdviceOut(Schema):
    worker_id: int
    status: str = Field(
        description="not_placed、top、not_yet、pending_appraisal（待考核结果）、appraisal_failed、due"
    )
    status_label: str
    message: str
    label: str
    since: date | None
    years_in_step: int
    years_required: int
    due_on: date | None
    next_label: str
    appraisal_years: list[int]
    appraisal_min: str
    appraisal: bool | None


@router.get(
    "/workers/{int:worker_id}/step-advice", response={200: PayStepAdviceOut, **READ}, summary="晋档提示"
)
def step_advice(request, worker_id: Id):
    own = Worker.objects.filter(pk=worker_id, user=request.user).first()
    worker = own or get_visible(Worker, request.user, worker_id)
    if not pay_services.may_see_pay(request.user, worker):
        raise Forbidden()
    return services.step_due(worker)


class PayContractIn(Schema):
    employer: str = Field(max_length=100, description="用人单位")
    number: str = Field("", max_length=40)
    start: Day
    end: Day | None = Field(None, description="终止日期；无固定期限合同不填")
    renews: Id | None = Field(None, description="续订的原合同编号")
    note: str = Field("", max_length=200)


class PayContractOut(Schema):
    id: int
    worker_id: int
    worker_name: str
    org: str
    employer: str
    number: str
    start: date
    end: date | None
    open_ended: bool
    renews: int | None
    days_left: int | None = Field(description="距终止日期的天数（已到期为负数）")

    @staticmethod
    def resolve_worker_name(obj):
        return obj.worker.name

    @staticmethod
    def resolve_org(obj):
        return obj.worker.scope_code

    @staticmethod
    def resolve_renews(obj):
        return obj.renews_id

    @staticmethod
    def resolve_days_left(obj):
        from django.utils import timezone

        return (obj.end - timezone.localdate()).days if obj.end else None


class PayContractQuery(Schema):
    scope: str | None = Field(None, max_length=12)
    due_within: int | None = Field(
        None, ge=1, le=3650, description="只列在岗人员 N 天内到期或已到期、且未登记续订或新合同的合同"
    )
    worker_id: Id | None = None


@router.get("/contracts", response={200: list[PayContractOut], **READ}, summary="劳动合同（可筛选到期）")
@paginate(Pagination)
def list_contracts(request, params: PayContractQuery = Query(...)):
    _reads_pay(request)
    return services.contracts(
        request.user, params.scope, due_within=params.due_within, worker_id=params.worker_id
    )


@router.post(
    "/workers/{int:worker_id}/contracts", response={201: PayContractOut, **WRITE}, summary="登记劳动合同"
)
def add_contract(request, worker_id: Id, payload: PayContractIn):
    return Status(201, services.add_contract(request.user, worker_id, **payload.dict()))


class PayInsuranceIn(Schema):
    year: int = Year
    kinds: list[str] = Field(
        max_length=6,
        description="参保险种（代码或名称）：养老保险、医疗保险、失业保险、工伤保险、生育保险、住房公积金",
    )


class PayInsuranceOut(Schema):
    worker_id: int
    year: int
    kinds: list[str]
    labels: list[str]


@router.put(
    "/workers/{int:worker_id}/insurance", response={200: PayInsuranceOut, **WRITE}, summary="登记社会保险参保"
)
def put_insurance(request, worker_id: Id, payload: PayInsuranceIn):
    kinds = services.set_insurance(request.user, worker_id, year=payload.year, kinds=payload.kinds)
    return {"worker_id": worker_id, "year": payload.year, "kinds": kinds,
            "labels": [str(InsuranceKind(k).label) for k in kinds]}  # fmt: skip


class PayKindRateOut(Schema):
    key: str
    label: str
    count: int
    rate: Decimal | None


class PayUnitRatesOut(Schema):
    code: str
    name: str
    in_post: int
    kinds: list[PayKindRateOut]


class PayInsuranceRatesOut(Schema):
    scope: str
    year: int
    date: date
    in_post: int
    kinds: list[PayKindRateOut]
    units: list[PayUnitRatesOut]


@router.get("/insurance", response={200: PayInsuranceRatesOut, **READ}, summary="社会保险参保率")
def get_insurance_rates(
    request, scope: str | None = Query(None, max_length=12), year: int | None = Query(None, ge=2000, le=2100)
):
    return services.insurance_rates(request.user, scope, year)
