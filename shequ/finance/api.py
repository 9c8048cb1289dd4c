"""/api/v1/finance/: fund kinds, cost-sharing rules, budgets, allocations, task money, spending,
closing a year, and the figures of a scope's year. Amounts are decimal strings in yuan."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from shequ.core import scope
from shequ.core.api import Day, ErrorOut, Id, Pagination, decimal_in
from shequ.core.attachments import attachments_of
from shequ.core.errors import Forbidden, NotFound
from shequ.core.services import get_visible
from shequ.finance import awards, personnel, reports, services
from shequ.finance.models import (
    MANAGE,
    PAY_TASK,
    Allocation,
    AwardApplication,
    AwardRound,
    AwardScheme,
    Budget,
    FundKind,
    PersonnelProvision,
    SharingRule,
    Spending,
)

router = Router(tags=["finance"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
Amount = decimal_in(14, 2, positive=True)
Threshold = decimal_in(10, 2)
Score = decimal_in(7, 2, le=10000)
YearQ = Query(None, ge=2000, le=2100, description="年度，默认今年")


def _year(y):
    return y or timezone.localdate().year


class FinanceKindOut(Schema):
    code: str
    name: str
    note: str


class FinancePartyIn(Schema):
    party: str = Field(
        max_length=12,
        description="city 市、district 区、street 街道/乡镇、department 部门、other 其他（或中文名）",
    )
    department: str = Field("", max_length=100, description="出资方为部门时的部门名称")
    ratio: str = Field(max_length=12, description="比例，正数，如 1、2.5、8")


class FinancePartyOut(Schema):
    party: str
    department: str
    ratio: str


class FinanceRuleIn(Schema):
    org: str = Field(max_length=12, description="制定单位：区（6 位）或街道（9 位）代码")
    year: int = Field(ge=2000, le=2100)
    fund_kind: str = Field(max_length=40, description="经费类别代码或名称")
    name: str = Field(max_length=100)
    base: str = Field(
        "community", description="community 每社区、worker 每名工作者、resident 每名居民、project 项目总额"
    )
    base_amount: Amount
    mode: str = Field(
        "share", description="share 按比例分担（基数为总额）、match 按比例配套（基数为第一方金额）"
    )
    parties: list[FinancePartyIn] = Field(min_length=1, max_length=8)
    communities: list[str] = Field(
        default_factory=list, max_length=2000, description="适用社区代码；空为辖区全部社区"
    )
    due_on: Day | None = None
    note: str = Field("", max_length=300)


class FinanceRuleOut(Schema):
    id: int
    org: str
    year: int
    fund_kind: str
    name: str
    revision: int
    current: bool
    base: str
    base_amount: Decimal
    mode: str
    parties: list[FinancePartyOut]
    due_on: date | None

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_fund_kind(obj):
        return obj.fund_kind.code


class FinanceApplyOut(Schema):
    rule_id: int
    written: int
    skipped: list[str]


class FinanceLineOut(Schema):
    party: str
    department: str
    amount: Decimal
    rule_id: int | None
    one_off: bool
    note: str
    due_on: date | None


class FinanceBudgetOut(Schema):
    id: int
    community: str
    year: int
    fund_kind: str
    status: str
    version: int
    lines: list[FinanceLineOut]

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_fund_kind(obj):
        return obj.fund_kind.code

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class FinanceBudgetMoveIn(Schema):
    status: str = Field(max_length=12, description="approved 已审定、published 已公开、draft 退回编制")
    version: int | None = Field(None, ge=1, le=2_000_000_000, description="预期版本号，防止并发修改")


class FinanceItemIn(Schema):
    party: str = Field(max_length=12)
    department: str = Field("", max_length=100)
    amount: Amount
    note: str = Field(max_length=200)
    due_on: Day | None = None


class FinanceAllocationIn(Schema):
    org: str = Field(max_length=12, description="收款社区（12 位）或街道（9 位）代码")
    party: str = Field(max_length=12)
    department: str = Field("", max_length=100)
    fund_kind: str = Field(max_length=40)
    year: int = Field(ge=2000, le=2100)
    amount: Amount
    arrived_on: Day
    document_number: str = Field("", max_length=60)
    note: str = Field("", max_length=300, description="超过应拨金额时必填")


class FinanceAllocationOut(Schema):
    id: int
    org: str
    party: str
    department: str
    fund_kind: str
    year: int
    amount: Decimal
    arrived_on: date
    document_number: str
    note: str
    commitment_id: int | None
    reverses_id: int | None

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_fund_kind(obj):
        return obj.fund_kind.code


class FinanceReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=150)


class FinanceTaskArrivalIn(Schema):
    amount: Amount
    arrived_on: Day | None = None
    document_number: str = Field("", max_length=60)
    note: str = Field("", max_length=300, description="累计超过承诺金额时必填")


class FinanceSpendingIn(Schema):
    community: str = Field(max_length=12)
    fund_kind: str = Field(max_length=40)
    year: int = Field(ge=2000, le=2100)
    category: str = Field(
        max_length=12,
        description="staff 人员、operations 运转、activities 活动、premises 阵地、services 服务、relief 救助",
    )
    payee: str = Field(max_length=100)
    spent_on: Day
    amount: Amount
    purpose: str = Field("", max_length=200)


class FinanceSpendingPatch(Schema):
    category: str | None = Field(None, max_length=12)
    payee: str | None = Field(None, max_length=100)
    spent_on: Day | None = None
    amount: Amount | None = None
    purpose: str | None = Field(None, max_length=200)


class FinanceCorrectIn(Schema):
    reason: str = Field(min_length=1, max_length=150)
    amount: Amount | None = Field(None, description="更正后金额；不填则只冲销")
    payee: str | None = Field(None, max_length=100)


class FinanceSpendingOut(Schema):
    id: int
    community: str
    fund_kind: str
    year: int
    category: str
    payee: str
    spent_on: date
    amount: Decimal
    purpose: str
    reverses_id: int | None
    version: int

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_fund_kind(obj):
        return obj.fund_kind.code


class FinanceCorrectionOut(Schema):
    reversal: FinanceSpendingOut
    new: FinanceSpendingOut | None


class FinanceCloseIn(Schema):
    org: str = Field(max_length=12, description="区（6 位）或街道（9 位）代码")
    year: int = Field(ge=2000, le=2100)


class FinanceClosedOut(Schema):
    org: str
    year: int
    closed_at: datetime

    @staticmethod
    def resolve_org(obj):
        return obj.org.code


class FinanceKindRow(Schema):
    fund_kind: str
    code: str
    due: Decimal
    arrived: Decimal
    spent: Decimal
    balance: Decimal
    rate: Decimal | None


class FinancePartyRow(Schema):
    party: str
    department: str
    label: str
    due: Decimal
    arrived: Decimal
    missing: Decimal
    rate: Decimal | None


class FinanceSharingRow(Schema):
    rule: str
    fund_kind: str
    ratio: str
    base: str
    party: str
    due: Decimal
    rate: Decimal | None


class FinanceCommunityRow(Schema):
    code: str
    name: str
    due: Decimal
    arrived: Decimal
    spent: Decimal
    balance: Decimal
    staff_share: Decimal | None
    vs_average: Decimal | None


class FinanceOverdueRow(Schema):
    community: str
    code: str
    fund_kind: str
    party: str
    due: Decimal
    missing: Decimal


class FinanceTaskRow(Schema):
    department: str
    tasks: int
    promised: Decimal
    arrived: Decimal
    missing: Decimal
    unpaid_tasks: int
    rate: Decimal | None


class FinanceTotals(Schema):
    due: Decimal
    arrived: Decimal
    spent: Decimal
    balance: Decimal
    rate: Decimal | None
    staff: Decimal
    staff_share: Decimal | None
    overdue: Decimal
    communities: int
    average: Decimal


class FinanceCategoryRow(Schema):
    category: str
    code: str
    spent: Decimal


class FinanceAwardRow(Schema):
    scheme: str
    basis: str
    entered: int
    auto: int
    awarded: int
    amount: Decimal


class FinancePeopleRow(Schema):
    department: str
    tasks: int
    promised: int
    provided: int
    missing: int
    short_tasks: int
    rate: float | None


class FinanceReportOut(Schema):
    scope: str
    year: int
    totals: FinanceTotals
    by_kind: list[FinanceKindRow]
    by_party: list[FinancePartyRow]
    by_category: list[FinanceCategoryRow]
    sharing: list[FinanceSharingRow]
    communities: list[FinanceCommunityRow]
    overdue: list[FinanceOverdueRow]
    tasks: list[FinanceTaskRow]
    people: list[FinancePeopleRow]
    awards: list[FinanceAwardRow]


# --- routes -----------------------------------------------------------------------------------------
@router.get("/kinds", response=list[FinanceKindOut], summary="经费类别")
def list_kinds(request):
    return FundKind.objects.all()


@router.get("/rules", response={200: list[FinanceRuleOut], 403: ErrorOut}, summary="分担规则")
@paginate(Pagination)
def list_rules(request, year: int | None = YearQ):
    if not scope.holds(request.user, MANAGE):
        raise Forbidden()
    qs = SharingRule.objects.visible_to(request.user).select_related("org", "fund_kind")
    return qs.filter(year=year) if year else qs


@router.post(
    "/rules", response={201: FinanceRuleOut, **ERRORS}, summary="制定分担规则（同名再次提交为新版本）"
)
def create_rule(request, payload: FinanceRuleIn):
    d = payload.dict()
    return Status(201, services.set_rule(request.user, **d))


@router.post(
    "/rules/{int:rule_id}/apply", response={200: FinanceApplyOut, **ERRORS}, summary="按规则编制预算"
)
def apply_rule(request, rule_id: Id):
    out = services.apply_rule(request.user, rule_id)
    return {"rule_id": out["rule"].pk, "written": out["written"], "skipped": out["skipped"]}


@router.get("/budgets", response={200: list[FinanceBudgetOut], 403: ErrorOut}, summary="预算")
@paginate(Pagination)
def list_budgets(
    request, year: int | None = YearQ, scope_code: str | None = Query(None, alias="scope", max_length=12)
):
    if not scope.may_read(request.user, Budget):
        raise Forbidden()
    qs = Budget.objects.visible_to(request.user).within(scope_code).select_related("community", "fund_kind")
    return qs.prefetch_related("lines").filter(year=_year(year))


@router.get(
    "/budgets/{int:budget_id}",
    response={200: FinanceBudgetOut, 403: ErrorOut, 404: ErrorOut},
    summary="预算详情",
)
def get_budget(request, budget_id: Id):
    if not scope.may_read(request.user, Budget):
        raise Forbidden()
    return get_visible(Budget, request.user, budget_id)


@router.post(
    "/budgets/{int:budget_id}/status",
    response={200: FinanceBudgetOut, **ERRORS},
    summary="审定、公开或退回预算",
)
def move_budget(request, budget_id: Id, payload: FinanceBudgetMoveIn):
    return services.move_budget(request.user, budget_id, payload.status, expected_version=payload.version)


@router.post(
    "/budgets/{int:budget_id}/items", response={201: FinanceLineOut, **ERRORS}, summary="增加一次性项目"
)
def add_item(request, budget_id: Id, payload: FinanceItemIn):
    return Status(201, services.add_budget_item(request.user, budget_id, **payload.dict()))


@router.get("/allocations", response={200: list[FinanceAllocationOut], 403: ErrorOut}, summary="拨付到账")
@paginate(Pagination)
def list_allocations(request, year: int | None = YearQ):
    if not (scope.may_read(request.user, Budget) or scope.holds(request.user, PAY_TASK)):
        raise Forbidden()
    qs = Allocation.objects.visible_to(request.user).select_related("org", "fund_kind")
    return qs.filter(year=_year(year))


@router.post("/allocations", response={201: FinanceAllocationOut, **ERRORS}, summary="登记拨付到账")
def create_allocation(request, payload: FinanceAllocationIn):
    return Status(201, services.record_allocation(request.user, **payload.dict()))


@router.post(
    "/allocations/{int:allocation_id}/reverse",
    response={201: FinanceAllocationOut, **ERRORS},
    summary="冲销拨付",
)
def reverse_allocation(request, allocation_id: Id, payload: FinanceReasonIn):
    return Status(201, services.reverse_allocation(request.user, allocation_id, reason=payload.reason))


@router.post(
    "/task-money/{int:commitment_id}/arrivals",
    response={201: FinanceAllocationOut, **ERRORS},
    summary="登记随事经费到位",
)
def task_arrival(request, commitment_id: Id, payload: FinanceTaskArrivalIn):
    return Status(201, services.record_task_arrival(request.user, commitment_id, **payload.dict()))


@router.get(
    "/task-money",
    response={200: list[FinanceTaskRow], 403: ErrorOut, 404: ErrorOut},
    summary="随事经费到位（按部门）",
)
def task_money(
    request, year: int | None = YearQ, scope_code: str | None = Query(None, alias="scope", max_length=12)
):
    if not scope.holds(request.user, PAY_TASK):
        raise Forbidden()
    if scope_code and not scope.covers(request.user, scope_code):
        raise NotFound()
    return reports.task_money(request.user, scope_code or None, _year(year))


@router.get("/spending", response={200: list[FinanceSpendingOut], 403: ErrorOut}, summary="支出明细")
@paginate(Pagination)
def list_spending(request, year: int | None = YearQ):
    if not scope.may_read(request.user, Spending):
        raise Forbidden()
    qs = Spending.objects.visible_to(request.user).select_related("community", "fund_kind")
    return qs.filter(year=_year(year))


@router.post(
    "/spending", response={201: FinanceSpendingOut, **ERRORS}, summary="登记支出（不超过该项经费余额）"
)
def create_spending(request, payload: FinanceSpendingIn):
    return Status(201, services.record_spending(request.user, **payload.dict()))


@router.patch(
    "/spending/{int:spending_id}",
    response={200: FinanceSpendingOut, **ERRORS},
    summary="修改支出（已结账年度不可）",
)
def update_spending(request, spending_id: Id, payload: FinanceSpendingPatch):
    return services.update_spending(
        request.user, spending_id, payload.dict(exclude_unset=True, exclude_none=True)
    )


@router.post(
    "/spending/{int:spending_id}/correct",
    response={201: FinanceCorrectionOut, **ERRORS},
    summary="更正支出（冲销并重记）",
)
def correct_spending(request, spending_id: Id, payload: FinanceCorrectIn):
    rev, new = services.correct_spending(request.user, spending_id, **payload.dict())
    return Status(201, {"reversal": rev, "new": new})


@router.post("/years/close", response={201: FinanceClosedOut, **ERRORS}, summary="年度结账")
def close_year(request, payload: FinanceCloseIn):
    return Status(201, services.close_year(request.user, payload.org, payload.year))


@router.get(
    "/report",
    response={200: FinanceReportOut, 403: ErrorOut, 404: ErrorOut},
    summary="经费情况（一个范围一个年度）",
)
def get_report(
    request, year: int | None = YearQ, scope_code: str | None = Query(None, alias="scope", max_length=12)
):
    rep = reports.report(request.user, scope_code, _year(year))
    return {**rep, "scope": rep["node"].code}


# --- receipts -------------------------------------------------------------------------------------
class FinanceReceiptOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


@router.post(
    "/spending/{int:spending_id}/receipts",
    response={201: list[FinanceReceiptOut], **ERRORS},
    summary="上传支出票据（multipart，字段 files，可多个）",
    description="票据为 JPG、PNG、WEBP 照片或 PDF（电子发票），按文件内容判断类型，每个不超过 8 MB，最多 9 个；"
    "照片去除位置和设备信息。400：文件不是图片或 PDF、超过大小或未选择文件；403：无登记支出权限；404：支出不在您的范围内。",
)
def upload_receipts(request, spending_id: Id, files: list[UploadedFile] = File(None)):
    photos = [
        (f.name or "票据", f.read(services.PHOTO_MAX_BYTES + 1), f.content_type or "") for f in files or []
    ]
    rows = services.add_receipt(request.user, spending_id, photos)
    return Status(201, rows)


@router.get(
    "/spending/{int:spending_id}/receipts",
    response={200: list[FinanceReceiptOut], 403: ErrorOut, 404: ErrorOut},
    summary="支出的票据（下载地址为 /attachments/{id}/）",
)
def list_receipts(request, spending_id: Id):
    if not scope.may_read(request.user, Spending):
        raise Forbidden()
    s = get_visible(Spending, request.user, spending_id)
    return attachments_of(Spending, [s.pk]).get(str(s.pk), [])


# --- 以奖代补 -----------------------------------------------------------------------------------------
class FinanceGradeIn(Schema):
    grade: str = Field(max_length=20, description="等次名称，如 一等")
    min: Threshold = Field(description="达标线（依据数值）")
    amount: Amount


class FinanceGradeOut(Schema):
    grade: str
    min: Decimal
    amount: Decimal


class FinanceBasisOut(Schema):
    key: str
    label: str
    unit: str
    manual: bool


class FinanceSchemeIn(Schema):
    org: str = Field(max_length=12, description="设立单位：区（6 位）或街道（9 位）代码")
    name: str = Field(max_length=100)
    rewards: str = Field(max_length=300, description="奖励内容")
    basis: str = Field(max_length=40, description="评定依据，见 GET /award-bases")
    party: str = Field("district", max_length=12, description="出资方：city、district、street、other")
    fund_kind: str = Field("award", max_length=40, description="经费类别，默认以奖代补")
    grades: list[FinanceGradeIn] = Field(min_length=1, max_length=10)
    note: str = Field("", max_length=300)


class FinanceSchemeOut(Schema):
    id: int
    org: str
    name: str
    rewards: str
    basis: str
    basis_label: str
    party: str
    fund_kind: str
    grades: list[FinanceGradeOut]

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_fund_kind(obj):
        return obj.fund_kind.code


class FinanceRoundIn(Schema):
    scheme_id: int = Field(ge=1, le=2_000_000_000)
    year: int = Field(ge=2000, le=2100)
    org: str = Field("", max_length=12, description="评选范围（区或街道代码），默认方案的设立单位")
    title: str = Field("", max_length=120)
    apply_by: Day | None = None


class FinanceRoundOut(Schema):
    id: int
    scheme_id: int
    org: str
    year: int
    title: str
    status: str
    apply_by: date | None

    @staticmethod
    def resolve_org(obj):
        return obj.org.code


class FinanceEligibleOut(Schema):
    round_id: int
    added: int
    updated: int


class FinanceApplicationIn(Schema):
    community: str = Field(max_length=12, description="申报社区代码（12 位）")
    claim: str = Field(min_length=1, max_length=500, description="申报理由和主要成绩")


class FinanceApplicationOut(Schema):
    id: int
    round_id: int
    community: str
    source: str
    claim: str
    value: Decimal | None
    status: str
    grade: str
    amount: Decimal | None
    review_note: str
    allocation_id: int | None
    version: int

    @staticmethod
    def resolve_community(obj):
        return obj.community.code


class FinanceReviewIn(Schema):
    decision: str = Field(max_length=8, description="approve 通过、reject 不通过")
    grade: str = Field("", max_length=20, description="等次；不填按依据数值对应的等次")
    score: Score | None = Field(None, description="评审得分（按评审打分的方案必填）")
    note: str = Field("", max_length=300, description="不通过、改用他等次时必填")


class FinanceAwardIn(Schema):
    amount: Amount | None = Field(None, description="奖励金额，默认为等次标准；不符时须写说明")
    arrived_on: Day | None = None
    document_number: str = Field("", max_length=60)
    note: str = Field("", max_length=200)


def _award_reader(request):
    if not scope.may_read(request.user, Budget):
        raise Forbidden()


@router.get("/award-bases", response=list[FinanceBasisOut], summary="以奖代补可用的评定依据")
def list_award_bases(request):
    from shequ.core import registry

    return [{"key": k, "label": str(b.label), "unit": str(b.unit), "manual": b.compute is None}
            for k, b in sorted(registry.award_bases().items())]  # fmt: skip


@router.get("/award-schemes", response={200: list[FinanceSchemeOut], 403: ErrorOut}, summary="以奖代补方案")
@paginate(Pagination)
def list_schemes(request):
    _award_reader(request)
    return AwardScheme.objects.visible_to(request.user).select_related("org", "fund_kind")


@router.post("/award-schemes", response={201: FinanceSchemeOut, **ERRORS}, summary="设立以奖代补方案")
def create_scheme(request, payload: FinanceSchemeIn):
    d = payload.dict()
    d["grades"] = [{k: str(v) for k, v in g.items()} for g in d["grades"]]
    return Status(201, awards.set_scheme(request.user, **d))


@router.get("/award-rounds", response={200: list[FinanceRoundOut], 403: ErrorOut}, summary="以奖代补评选")
@paginate(Pagination)
def list_rounds(request, year: int | None = YearQ):
    _award_reader(request)
    qs = AwardRound.objects.visible_to(request.user).select_related("org")
    return qs.filter(year=year) if year else qs


@router.post(
    "/award-rounds",
    response={201: FinanceRoundOut, **ERRORS},
    summary="开展以奖代补评选（每方案每年每范围一次）",
)
def create_round(request, payload: FinanceRoundIn):
    d = payload.dict()
    return Status(
        201, awards.open_round(request.user, scheme=d.pop("scheme_id"), **{**d, "org": d["org"] or None})
    )


@router.get(
    "/award-rounds/{int:round_id}",
    response={200: FinanceRoundOut, 403: ErrorOut, 404: ErrorOut},
    summary="评选详情",
)
def get_round(request, round_id: Id):
    _award_reader(request)
    return awards.round_of(request.user, round_id)


@router.post(
    "/award-rounds/{int:round_id}/eligibility",
    response={200: FinanceEligibleOut, **ERRORS},
    summary="按依据计算自动入围（409：评审打分的方案或评选已结束）",
)
def find_eligible(request, round_id: Id):
    out = awards.find_eligible(request.user, round_id)
    return {"round_id": out["round"].pk, "added": out["added"], "updated": out["updated"]}


@router.post(
    "/award-rounds/{int:round_id}/close", response={200: FinanceRoundOut, **ERRORS}, summary="结束评选"
)
def close_round(request, round_id: Id):
    return awards.close_round(request.user, round_id)


@router.get(
    "/award-rounds/{int:round_id}/applications",
    response={200: list[FinanceApplicationOut], 403: ErrorOut, 404: ErrorOut},
    summary="评选的参评社区（社区只见本社区）",
)
@paginate(Pagination)
def list_applications(request, round_id: Id):
    _award_reader(request)
    r = awards.round_of(request.user, round_id)
    return AwardApplication.objects.visible_to(request.user).filter(round=r).select_related("community")


@router.post(
    "/award-rounds/{int:round_id}/applications",
    response={201: FinanceApplicationOut, **ERRORS},
    summary="社区申报（409：已在本轮、评选已结束、已截止或年度已结账）",
)
def apply_for_award(request, round_id: Id, payload: FinanceApplicationIn):
    return Status(201, awards.apply_for_award(request.user, round_id, **payload.dict()))


@router.get(
    "/award-applications",
    response={200: list[FinanceApplicationOut], 403: ErrorOut},
    summary="以奖代补申报（本范围，社区只见本社区）",
)
@paginate(Pagination)
def list_all_applications(request, year: int | None = YearQ):
    _award_reader(request)
    qs = AwardApplication.objects.visible_to(request.user).select_related("community")
    return qs.filter(round__year=year) if year else qs


@router.post(
    "/award-applications/{int:application_id}/review",
    response={200: FinanceApplicationOut, **ERRORS},
    summary="评审（通过并定等次，或不通过）",
)
def review_application(request, application_id: Id, payload: FinanceReviewIn):
    return awards.review(request.user, application_id, **payload.dict())


@router.post(
    "/award-applications/{int:application_id}/award",
    response={201: FinanceApplicationOut, **ERRORS},
    summary="奖励并登记拨付（409：已奖励、评选已结束、未评审通过或年度已结账；400：金额与等次不符且无说明）",
)
def award_application(request, application_id: Id, payload: FinanceAwardIn):
    return Status(201, awards.award(request.user, application_id, **payload.dict()))


# --- 人随事动 -----------------------------------------------------------------------------------------
class FinanceProvisionIn(Schema):
    people: int = Field(ge=-1000, le=1000, description="到岗人数；撤回人员填负数并写说明")
    provided_on: Day | None = None
    names: str = Field("", max_length=300, description="人员及岗位")
    note: str = Field("", max_length=300, description="超过承诺人数或撤回时必填")


class FinanceProvisionOut(Schema):
    id: int
    task_id: int
    community: str
    department: str
    year: int
    people: int
    provided_on: date
    names: str
    note: str

    @staticmethod
    def resolve_community(obj):
        return obj.community.code


@router.get(
    "/personnel",
    response={200: list[FinancePeopleRow], 403: ErrorOut, 404: ErrorOut},
    summary="随事人员到岗（按部门：承诺与到岗）",
)
def personnel_league(
    request, year: int | None = YearQ, scope_code: str | None = Query(None, alias="scope", max_length=12)
):
    if not scope.holds(request.user, PAY_TASK):
        raise Forbidden()
    if scope_code and not scope.covers(request.user, scope_code):
        raise NotFound()
    return personnel.league(request.user, scope_code or None, _year(year))


@router.get(
    "/personnel/provisions",
    response={200: list[FinanceProvisionOut], 403: ErrorOut},
    summary="随事人员到岗记录（部门只见本部门）",
)
@paginate(Pagination)
def list_provisions(request, year: int | None = YearQ):
    if not (scope.may_read(request.user, Budget) or scope.holds(request.user, PAY_TASK)):
        raise Forbidden()
    qs = PersonnelProvision.objects.visible_to(request.user).select_related("community")
    return qs.filter(year=year) if year else qs


@router.post(
    "/personnel/{int:task_id}/provisions",
    response={201: FinanceProvisionOut, **ERRORS},
    summary="登记随事人员到岗（task_id 为准入任务）",
)
def record_provision(request, task_id: Id, payload: FinanceProvisionIn):
    return Status(201, personnel.record_provision(request.user, task_id, **payload.dict()))
