"""Service records (phones masked), their follow-up, the counts and the employment ledger."""

from datetime import date, datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import Day, ErrorOut, Id, Pagination, filtered
from shequ.core.masking import mask
from shequ.core.services import get_visible
from shequ.services import services
from shequ.services.filters import RecordFilter
from shequ.services.models import ServiceRecord

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ServiceRecordOut(Schema):
    id: int
    service_id: int
    service_name: str
    category: str
    community: str
    resident_id: int | None = Field(description="在册居民的编号；不在册对象为空")
    person_name: str
    person_phone: str = Field(description="脱敏显示")
    served_on: date
    served_by: str
    outcome: str
    outcome_label: str
    employment_kind: str = Field(
        description="就业类服务：consult 咨询、training 培训、referral 推荐/介绍、placement 安置/就业"
    )
    note: str
    follow_up_due: date | None
    follow_up_done_on: date | None
    follow_up_note: str
    created_at: datetime

    @staticmethod
    def resolve_service_name(obj):
        return obj.service.name

    @staticmethod
    def resolve_category(obj):
        return obj.service.category.code

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_person_phone(obj):
        return mask(obj.person_phone, "phone")

    @staticmethod
    def resolve_outcome_label(obj):
        return str(obj.get_outcome_display())


class ServiceRecordIn(Schema):
    service_id: Id = Field(description="服务目录中的服务编号（居民所在社区或其街道的目录）")
    resident_id: Id | None = Field(
        None, description="在册居民的编号；不在册对象留空并填写 person_name 和 community"
    )
    person_name: str = Field("", max_length=50)
    person_phone: str = Field("", max_length=20)
    community: str | None = Field(None, max_length=12, description="不在册对象所在社区代码")
    served_on: Day = Field(description="服务日期，不晚于今天")
    served_by: str = Field("", max_length=100)
    outcome: str = Field("done", max_length=10, description="已办结、已转介、持续服务中、未能解决")
    note: str = Field("", max_length=500)
    employment_kind: str = Field(
        "", max_length=10, description="就业类服务必填：咨询、培训、推荐/介绍、安置/就业"
    )
    follow_up_due: Day | None = Field(None, description="回访截止日期，不早于服务日期")
    idempotency_key: str = Field(
        "", max_length=64, description="幂等键：同一个键再次提交时答 200 和第一次登记的记录，不会重复登记"
    )


class ServiceFollowUpIn(Schema):
    done_on: Day
    note: str = Field(min_length=1, max_length=300)


class ServiceRecordQuery(Schema):
    q: str | None = Field(None, max_length=50)
    outcome: str | None = Field(None, max_length=10)
    employment_kind: str | None = Field(None, max_length=10)
    start: Day | None = None
    end: Day | None = None
    follow_up: str | None = Field(None, max_length=10, description="due、overdue、done")


@router.get("/records", response={200: list[ServiceRecordOut], 403: ErrorOut}, summary="服务记录")
@paginate(Pagination)
def list_records(request, params: ServiceRecordQuery = Query(...)):
    qs = ServiceRecord.objects.visible_to(request.user).select_related("service__category", "community")
    return filtered(request, RecordFilter, qs, params)


@router.get("/records/{int:record_id}", response={200: ServiceRecordOut, 404: ErrorOut}, summary="服务记录")
def get_record(request, record_id: Id):
    return get_visible(ServiceRecord, request.user, record_id)


@router.post(
    "/records",
    response={201: ServiceRecordOut, 200: ServiceRecordOut, **ERRORS},
    summary="登记服务",
    description="201：已登记。200：同一幂等键已登记过，答第一次的记录。404：居民不在您的管辖范围内。"
    "409：该幂等键已用于另一条记录。",
)
def create_record(request, payload: ServiceRecordIn):
    d = payload.dict()
    record, created = services.record_service(
        request.user,
        service=d.pop("service_id"),
        resident=d.pop("resident_id"),
        token=d.pop("idempotency_key"),
        **d,
    )
    return Status(201 if created else 200, record)


@router.post(
    "/records/{int:record_id}/follow-up",
    response={200: ServiceRecordOut, **ERRORS},
    summary="登记回访",
    description="400：没有安排回访或回访日期早于服务日期。409：已回访过。",
)
def follow_up(request, record_id: Id, payload: ServiceFollowUpIn):
    return services.record_follow_up(request.user, record_id, **payload.dict())


class ServiceCountOut(Schema):
    name: str
    n: int


class ServiceTagCountOut(Schema):
    code: str
    name: str
    n: int


class ServiceItemCountOut(Schema):
    id: int
    name: str
    n: int


class ServiceMonthCountOut(Schema):
    month: str
    n: int


class ServiceReportOut(Schema):
    scope: str
    start: date
    end: date
    total: int
    residents: int
    unregistered: int
    follow_ups: int
    follow_ups_done: int
    follow_ups_overdue: int
    by_category: list[ServiceCountOut]
    by_mode: list[ServiceCountOut]
    by_provider: list[ServiceCountOut]
    by_service: list[ServiceItemCountOut]
    by_tag: list[ServiceTagCountOut] = Field(description="只含调用者有权查看的人群标签")
    by_month: list[ServiceMonthCountOut]


@router.get("/report", response={200: ServiceReportOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="服务统计")  # fmt: skip
def get_report(
    request,
    scope: str | None = Query(None, max_length=12),
    start: Day | None = Query(None, alias="from"),
    end: Day | None = Query(None, alias="to"),
):
    return services.report(request.user, scope, start, end)


class ServiceLedgerRowOut(Schema):
    code: str
    name: str
    consult: int
    training: int
    referral: int
    placement: int
    total: int


class ServiceLedgerMonthOut(Schema):
    month: int
    consult: int
    training: int
    referral: int
    placement: int
    total: int


class ServiceLedgerOut(Schema):
    scope: str
    unit: str
    year: int
    month: int | None
    period: str
    rows: list[ServiceLedgerRowOut]
    by_month: list[ServiceLedgerMonthOut]
    totals: dict[str, int]


@router.get("/employment-ledger", response={200: ServiceLedgerOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="就业服务台账")  # fmt: skip
def get_ledger(
    request,
    scope: str | None = Query(None, max_length=12),
    year: int | None = Query(None, ge=2000, le=2999),
    month: int | None = Query(None, ge=1, le=12),
):
    return services.employment_ledger(request.user, scope, year, month)
