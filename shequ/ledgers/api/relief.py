"""低保特困: cases, payments (409 on a month already recorded), the month's generation, the ledger."""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import Day, ErrorOut, Id, Pagination, decimal_in
from shequ.core.errors import Forbidden
from shequ.core.masking import mask
from shequ.core.services import get_visible
from shequ.ledgers import services
from shequ.ledgers.models import ReliefCase, ReliefPayment

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
Amount = decimal_in(9, 2)


class LedgerReliefCaseOut(Schema):
    id: int
    community: str
    head_name: str = Field(description="户主姓名（脱敏；完整值经 /api/v1/core/reveal 查看并留痕）")
    head_id_number: str = Field(description="身份证号（脱敏）")
    resident_id: int
    household_id: int | None
    category: str
    category_label: str
    persons: int
    start_date: date
    monthly_amount: Decimal
    care_mode: str
    status: str
    status_label: str
    status_on: date | None
    version: int

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_head_name(obj):
        return mask(obj.head_name, "name")

    @staticmethod
    def resolve_head_id_number(obj):
        return mask(obj.head_id_number, "id_number")

    @staticmethod
    def resolve_resident_id(obj):
        return obj.head_id

    @staticmethod
    def resolve_category_label(obj):
        return str(obj.get_category_display())

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class LedgerReliefCaseIn(Schema):
    resident: str = Field(max_length=18, description="居民 id，或完整的 18 位身份证号")
    category: str = Field(max_length=10, description="城乡低保、特困供养、农村五保（或 dibao、tekun、wubao）")
    start_date: Day
    monthly_amount: Amount
    care_mode: str = Field("", max_length=10, description="集中供养、分散供养（特困、五保必填，低保留空）")
    persons: int | None = Field(None, ge=1, le=30, description="保障人数，默认按户内人数")
    remarks: str = Field("", max_length=500)


class LedgerReliefStatusIn(Schema):
    status: str = Field(max_length=10, description="在保、暂停、停保")
    on: Day
    reason: str = Field("", max_length=500, description="暂停、停保必填")
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class LedgerReliefPaymentOut(Schema):
    id: int
    case_id: int
    month: str
    amount: Decimal
    status: str
    status_label: str
    reason: str
    generated: bool

    @staticmethod
    def resolve_month(obj):
        return obj.month.strftime("%Y-%m")

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class LedgerReliefPaymentIn(Schema):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="月份，如 2026-11")
    amount: Amount | None = Field(None, description="金额，默认为月保障金")
    status: str = Field("paid", max_length=10, description="已发放、暂停发放")
    reason: str = Field("", max_length=300, description="暂停发放必填")


class LedgerReliefGenerateIn(Schema):
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    scope: str | None = Field(None, max_length=12, description="只生成该组织之下的（默认全部辖区）")


class LedgerReliefGenerateOut(Schema):
    month: str
    created: int
    existing: int


class LedgerReliefRowOut(Schema):
    code: str
    name: str
    households: int
    persons: int
    paid: Decimal
    suspended: int
    cared: int
    central: int
    central_share: Decimal | None


class LedgerReliefLedgerOut(Schema):
    month: str
    rows: list[LedgerReliefRowOut]
    total: dict


@router.get("/relief/cases", response={200: list[LedgerReliefCaseOut], 403: ErrorOut}, summary="低保特困对象")
@paginate(Pagination)
def list_cases(
    request,
    status: str | None = Query(None, max_length=10),
    category: str | None = Query(None, max_length=10),
):
    qs = ReliefCase.objects.visible_to(request.user).select_related("community")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    return qs


@router.get("/relief/cases/{int:case_id}", response={200: LedgerReliefCaseOut, 403: ErrorOut, 404: ErrorOut},
            summary="一个低保特困对象")  # fmt: skip
def get_case(request, case_id: Id):
    return get_visible(ReliefCase, request.user, case_id)


@router.post(
    "/relief/cases", response={201: LedgerReliefCaseOut, 409: ErrorOut, **ERRORS}, summary="登记保障对象"
)
def create_case(request, payload: LedgerReliefCaseIn):
    d = payload.dict()
    return Status(201, services.open_case(request.user, resident_id=d.pop("resident"), **d))


@router.post("/relief/cases/{int:case_id}/status", response={200: LedgerReliefCaseOut, 409: ErrorOut, **ERRORS},
             summary="暂停、恢复或停保")  # fmt: skip
def set_status(request, case_id: Id, payload: LedgerReliefStatusIn):
    return services.change_status(request.user, case_id, **payload.dict())


@router.get("/relief/cases/{int:case_id}/payments", response={200: list[LedgerReliefPaymentOut], 403: ErrorOut,
            404: ErrorOut}, summary="对象的发放记录")  # fmt: skip
def list_payments(request, case_id: Id):
    case = get_visible(ReliefCase, request.user, case_id)
    return list(ReliefPayment.objects.visible_to(request.user).filter(case=case))


@router.post(
    "/relief/cases/{int:case_id}/payments",
    response={201: LedgerReliefPaymentOut, 409: ErrorOut, **ERRORS},
    summary="登记一个月的发放（同一对象同一月份已登记的，答 409）",
)
def create_payment(request, case_id: Id, payload: LedgerReliefPaymentIn):
    d = payload.dict()
    return Status(201, services.record_payment(request.user, case_id, month_value=d["month"],
                                               amount_value=d["amount"], status=d["status"], reason=d["reason"]))  # fmt: skip


@router.post("/relief/generate", response={200: LedgerReliefGenerateOut, 409: ErrorOut, **ERRORS},
             summary="生成当月所有在保对象的发放记录（可重复调用，不重复生成）")  # fmt: skip
def generate(request, payload: LedgerReliefGenerateIn):
    out = services.generate_month(request.user, payload.month, within=payload.scope)
    return {"month": out["month"].strftime("%Y-%m"), "created": out["created"], "existing": out["existing"]}


@router.get("/relief/ledger", response={200: LedgerReliefLedgerOut, 400: ErrorOut, 403: ErrorOut},
            summary="月度发放台账（按社区）")  # fmt: skip
def get_ledger(
    request, month: str = Query(..., pattern=r"^\d{4}-\d{2}$"), scope: str | None = Query(None, max_length=12)
):
    from shequ.core import scope as sc

    if scope and not sc.covers(request.user, scope):
        raise Forbidden()
    data = services.ledger(request.user, month, scope)
    total = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data["total"].items()}
    return {"month": data["month"].strftime("%Y-%m"), "rows": data["rows"], "total": total}
