"""/api/v1/archives/: fonds, the retention schedule, items (件) and their files, the platform's
proposals, yearly filing rounds, use requests and lending, disposal rounds and the register, figures.

Statuses: 200/201 as each route says; 400 a rule refused (a retention outside the schedule, a gap in
the item numbers, a missing reason), with {"code", "message", "details"}; 403 the archive duty is
not held there; 404 not found or outside the caller's scope (closed items are not found outside the
archive duty); 409 a conflict (a 档号 already used, a request not in a state for the act, an item or
a register entry asked to be deleted: never deletable); 422 malformed input."""

import base64
import binascii
from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.archives import reports, services
from shequ.archives.models import (
    MANAGE,
    DisposalRound,
    FilingRound,
    Fonds,
    Item,
    Proposal,
    RegisterEntry,
    ScheduleEntry,
    UseRequest,
)
from shequ.archives.views import search
from shequ.core import scope
from shequ.core.api import Day, ErrorOut, Id, Pagination
from shequ.core.errors import Forbidden, ValidationFailed
from shequ.core.services import get_visible

router = Router(tags=["archives"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
YearQ = Query(None, ge=1949, le=2100, description="年度")


def _manager(request):
    if not scope.holds(request.user, MANAGE):
        raise Forbidden()


class ArchiveScheduleOut(Schema):
    code: str
    archive_class: str
    topic: str
    description: str
    retention: str = Field(description="Y 永久、D30 定期30年、D10 定期10年")
    expected: bool
    confirmed_by_bureau: bool

    @staticmethod
    def resolve_archive_class(obj):
        return obj.archive_class.code

    @staticmethod
    def resolve_topic(obj):
        return obj.topic.code


class ArchiveFondsIn(Schema):
    org: str = Field(max_length=12, description="社区（12 位）或街道（9 位）代码")
    number: str = Field(max_length=10, description="全宗号（区档案馆编定）")
    name: str = Field("", max_length=100)
    note: str = Field("", max_length=300)


class ArchiveFondsOut(Schema):
    id: int
    org: str
    number: str
    name: str

    @staticmethod
    def resolve_org(obj):
        return obj.org.code


class ArchiveFileIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    data_base64: str = Field(min_length=1, max_length=70_000_000)


class ArchiveFileOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    format: str
    long_term: bool
    check_ok: bool | None
    purged: bool

    @staticmethod
    def resolve_purged(obj):
        return obj.purged_at is not None


class ArchiveItemIn(Schema):
    fonds: str = Field(max_length=12, description="全宗号")
    entry: str = Field(max_length=12, description="保管期限表条目编号，如 WS-12")
    year: int = Field(ge=1949, le=2100)
    title: str = Field(max_length=300)
    responsible: str = Field(max_length=100)
    date: Day
    pages: int = Field(1, ge=1, le=100000)
    carrier: str = Field(
        "paper", max_length=12, description="paper 纸质、electronic 电子、photo 照片、av 录音录像"
    )
    room: str = Field("", max_length=40)
    cabinet: str = Field("", max_length=40)
    box: str = Field("", max_length=40)
    openness: str = Field("open", max_length=12, description="open 开放、restricted 限制利用、closed 不开放")
    openness_reason: str = Field("", max_length=200)
    retention: str | None = Field(None, max_length=4, description="须与保管期限表一致；不填则按保管期限表")
    number: int | None = Field(None, ge=1, le=9999, description="件号；不填则自动取下一个（不能空号或重号）")
    note: str = Field("", max_length=300)
    files: list[ArchiveFileIn] = Field(default_factory=list, max_length=10)


class ArchiveItemPatch(Schema):
    title: str | None = Field(None, max_length=300)
    responsible: str | None = Field(None, max_length=100)
    pages: int | None = Field(None, ge=1, le=100000)
    room: str | None = Field(None, max_length=40)
    cabinet: str | None = Field(None, max_length=40)
    box: str | None = Field(None, max_length=40)
    note: str | None = Field(None, max_length=300)
    openness: str | None = Field(None, max_length=12)
    openness_reason: str | None = Field(None, max_length=200)


class ArchiveItemOut(Schema):
    id: int
    fonds: str
    reference: str = Field(description="档号：全宗号-门类代码·年度-保管期限-机构（问题）代码-件号")
    archive_class: str
    year: int
    retention: str
    topic: str
    number: int
    title: str
    responsible: str
    date: date
    pages: int
    carrier: str
    location: str
    openness: str
    openness_reason: str
    status: str = Field(description="filed 已归档、destroyed 已销毁")
    kept_retention: str
    source_rule: str
    source_label: str

    @staticmethod
    def resolve_fonds(obj):
        return obj.fonds.number


class ArchiveItemDetail(ArchiveItemOut):
    files: list[ArchiveFileOut]

    @staticmethod
    def resolve_files(obj):
        return list(obj.files.defer("data", "text"))


class ArchiveSearch(Schema):
    q: str | None = Field(None, max_length=100, description="档号、题名、责任者或全文")
    fonds: str | None = Field(None, max_length=12)
    archive_class: str | None = Field(None, max_length=4)
    year: int | None = Field(None, ge=1949, le=2100)
    retention: str | None = Field(None, max_length=4)
    openness: str | None = Field(None, max_length=12)
    status: str | None = Field(None, max_length=12)
    date_from: Day | None = None
    date_to: Day | None = None


class ArchiveProposalOut(Schema):
    id: int
    fonds: str
    rule: str
    source_label: str
    year: int
    title: str
    date: date
    entry: str
    status: str = Field(description="proposed 待确认、confirmed 已归档、rejected 不归档")
    reference: str | None

    @staticmethod
    def resolve_fonds(obj):
        return obj.fonds.number

    @staticmethod
    def resolve_entry(obj):
        return obj.entry.code

    @staticmethod
    def resolve_reference(obj):
        return obj.item.reference if obj.item_id else None


class ArchiveYearIn(Schema):
    fonds: str = Field(max_length=12)
    year: int = Field(ge=1949, le=2100)


class ArchiveConfirmIn(Schema):
    proposals: list[Id] = Field(min_length=1, max_length=500)


class ArchiveReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


class ArchiveRoundOut(Schema):
    id: int
    fonds: str
    year: int
    deadline: date
    closed_at: datetime | None
    missing: list[str]
    pending: int

    @staticmethod
    def resolve_fonds(obj):
        return obj.fonds.number

    @staticmethod
    def resolve_missing(obj):
        return [x["entry"].code for x in services.round_state(obj)["missing"]]

    @staticmethod
    def resolve_pending(obj):
        return services.round_state(obj)["pending"]


class ArchiveCloseIn(Schema):
    note: str = Field("", max_length=300, description="尚有缺项时必填")


class ArchiveRequestIn(Schema):
    fonds: str = Field(max_length=12)
    items: list[Id] = Field(min_length=1, max_length=100)
    requester: str = Field(max_length=50)
    requester_org: str = Field("", max_length=100)
    requester_phone: str = Field("", max_length=20)
    purpose: str = Field(
        max_length=20,
        description="economic 经济纠纷、neighbour 邻里矛盾、mediation 司法调解、"
        "social_security 社会保障、reemployment 再就业、proof 出具证明、work 工作查考、research 编史修志、other 其他",
    )
    purpose_note: str = Field("", max_length=300)
    mode: str = Field("read", max_length=8, description="read 查阅、lend 借出、copy 复制")
    copies: int = Field(0, ge=0, le=50)


class ArchiveRequestOut(Schema):
    id: int
    number: str
    fonds: str
    requester: str
    purpose: str
    mode: str
    copies: int
    items: list[str]
    status: str = Field(
        description="requested 待审批、approved 已批准、refused 不予批准、lent 已借出、returned 已归还、done 已办结"
    )
    due_on: date | None
    lent_at: datetime | None
    returned_at: datetime | None

    @staticmethod
    def resolve_fonds(obj):
        return obj.fonds.number

    @staticmethod
    def resolve_items(obj):
        return [i.reference for i in obj.items.all()]


class ArchiveMoveIn(Schema):
    act: str = Field(
        max_length=10,
        description="approve 批准、refuse 不予批准（须填意见）、lend 借出（须填应还日期）、"
        "serve 办结查阅或复制、return 归还",
    )
    note: str = Field("", max_length=300)
    due_on: Day | None = None


class ArchiveOpinionIn(Schema):
    member: str = Field(max_length=50)
    kind: str = Field(max_length=10, description="archive 档案人员、community 社区代表、resident 居民代表")
    keep: list[Id] = Field(default_factory=list, max_length=1000, description="主张继续保存的档案 id")
    note: str = Field("", max_length=300, description="主张保存时必填")


class ArchiveKeepIn(Schema):
    item: Id
    retention: str = Field(max_length=4)
    reason: str = Field(max_length=300)


class ArchiveDecideIn(Schema):
    method: str = Field(max_length=100, description="销毁方式")
    keep: list[ArchiveKeepIn] = Field(
        default_factory=list, max_length=1000, description="继续保存的档案及新期限、理由"
    )


class ArchiveOpinionOut(Schema):
    member: str
    kind: str
    keep: list[int]
    note: str


class ArchiveDisposalOut(Schema):
    id: int
    fonds: str
    year: int
    status: str = Field(description="appraising 鉴定中、decided 已处置")
    items: list[str]
    opinions: list[ArchiveOpinionOut]
    decided_at: datetime | None

    @staticmethod
    def resolve_fonds(obj):
        return obj.fonds.number

    @staticmethod
    def resolve_items(obj):
        return [e.item.reference for e in obj.entries.select_related("item")]

    @staticmethod
    def resolve_opinions(obj):
        return list(obj.opinions.all())


class ArchiveRegisterOut(Schema):
    id: int
    reference: str
    title: str
    year: int
    retention: str
    method: str
    group: str
    destroyed_at: datetime


class ArchiveCount(Schema):
    key: str
    n: int


class ArchiveTrainingOut(Schema):
    title: str
    kind: str
    start: date
    end: date
    days: Decimal
    passed: bool | None = None


class ArchiveStaffOut(Schema):
    name: str
    org: str
    code: str
    role: str
    training: list[ArchiveTrainingOut] | None = None  # None: no training recorded for the person


class ArchiveReportOut(Schema):
    scope: str
    year: int
    communities: int
    with_fonds: int
    with_round: int
    filing_rate: float | None
    items: int
    destroyed: int
    by_class: list[ArchiveCount]
    by_year: list[ArchiveCount]
    by_retention: list[ArchiveCount]
    uses: dict[str, int]
    checks_failed: int
    checks_files: int
    staff: list[ArchiveStaffOut]


def _files(files) -> list[tuple[str, bytes]]:
    out = []
    for f in files:
        try:
            out.append((f.name, base64.b64decode(f.data_base64, validate=True)))
        except (binascii.Error, ValueError):
            raise ValidationFailed(f"文件“{f.name[:40]}”的 data_base64 不是有效的 Base64 编码。",
                                   details={"files": ["Base64"]}) from None  # fmt: skip
    return out


# --- routes ----------------------------------------------------------------------------------------
@router.get("/schedule", response=list[ArchiveScheduleOut], summary="保管期限表（待区档案馆确认的初始条目）")
def schedule(request):
    return ScheduleEntry.objects.filter(active=True).select_related("archive_class", "topic")


@router.get("/fonds", response={200: list[ArchiveFondsOut], 403: ErrorOut}, summary="全宗")
@paginate(Pagination)
def list_fonds(request):
    return Fonds.objects.visible_to(request.user).select_related("org")


@router.post("/fonds", response={201: ArchiveFondsOut, **ERRORS}, summary="建立全宗")
def create_fonds(request, payload: ArchiveFondsIn):
    return Status(201, services.create_fonds(request.user, **payload.dict()))


@router.get(
    "/items",
    response={200: list[ArchiveItemOut], 403: ErrorOut},
    summary="档案检索（不开放的档案仅档案员可见）",
)
@paginate(Pagination)
def list_items(request, params: ArchiveSearch = Query(...)):
    d = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in params.dict().items() if v is not None}
    return search(request.user, d)


@router.post("/items", response={201: ArchiveItemDetail, **ERRORS}, summary="登记档案（件号连续、档号唯一）")
def create_item(request, payload: ArchiveItemIn):
    d = payload.dict()
    files = _files(payload.files)
    d.pop("files")
    return Status(201, services.register_item(request.user, files=files, **d))


@router.get("/items/{int:item_id}", response={200: ArchiveItemDetail, 403: ErrorOut, 404: ErrorOut},
            summary="档案详情（限制利用的档案每次查看都记入利用记录）")  # fmt: skip
def get_item(request, item_id: Id):
    if not scope.may_read(request.user, Item):
        raise Forbidden()
    item = get_visible(Item, request.user, item_id)
    services.opened(request.user, item)
    return item


@router.patch("/items/{int:item_id}", response={200: ArchiveItemDetail, **ERRORS},
              summary="修改著录或存放位置（档号、门类、年度、期限不可改）")  # fmt: skip
def update_item(request, item_id: Id, payload: ArchiveItemPatch):
    return services.update_item(request.user, item_id, payload.dict(exclude_unset=True, exclude_none=True))


@router.delete(
    "/items/{int:item_id}",
    response={204: None, **ERRORS},
    summary="删除档案：一律拒绝（409），到期档案须经鉴定销毁",
)
def delete_item(request, item_id: Id):
    services.delete_item(request.user, item_id)
    return Status(204, None)  # not reached: delete_item always refuses


@router.post("/items/{int:item_id}/files", response={201: ArchiveFileOut, **ERRORS},
             summary="添加电子文件（记录 SHA-256，按内容识别格式并检测）")  # fmt: skip
def attach_file(request, item_id: Id, payload: ArchiveFileIn):
    ((name, data),) = _files([payload])
    return Status(201, services.attach_file(request.user, item_id, name, data))


@router.get(
    "/proposals", response={200: list[ArchiveProposalOut], 403: ErrorOut}, summary="平台提出的待归档记录"
)
@paginate(Pagination)
def list_proposals(request, year: int | None = YearQ, status: str | None = Query(None, max_length=12)):
    _manager(request)
    qs = Proposal.objects.visible_to(request.user).select_related("fonds", "entry", "item")
    if year:
        qs = qs.filter(year=year)
    return qs.filter(status=status) if status else qs


@router.post("/proposals/generate", response={201: list[ArchiveProposalOut], **ERRORS},
             summary="按各模块的归档规则生成一个全宗一个年度的待归档记录")  # fmt: skip
def generate(request, payload: ArchiveYearIn):
    return Status(201, services.propose(request.user, payload.fonds, payload.year))


@router.post(
    "/proposals/confirm",
    response={201: list[ArchiveItemOut], **ERRORS},
    summary="确认归档（取件号、生成档号）",
)
def confirm(request, payload: ArchiveConfirmIn):
    return Status(201, services.confirm(request.user, payload.proposals))


@router.post(
    "/proposals/{int:proposal_id}/reject",
    response={200: ArchiveProposalOut, **ERRORS},
    summary="不归档（须说明理由）",
)
def reject(request, proposal_id: Id, payload: ArchiveReasonIn):
    return services.reject(request.user, proposal_id, payload.reason)


@router.get(
    "/rounds",
    response={200: list[ArchiveRoundOut], 403: ErrorOut},
    summary="年度归档（应归未归、6 月 30 日期限）",
)
@paginate(Pagination)
def list_rounds(request, year: int | None = YearQ):
    _manager(request)
    qs = FilingRound.objects.visible_to(request.user).select_related("fonds")
    return qs.filter(year=year) if year else qs


@router.post("/rounds", response={201: ArchiveRoundOut, **ERRORS}, summary="开始年度归档")
def open_round(request, payload: ArchiveYearIn):
    return Status(201, services.open_round(request.user, payload.fonds, payload.year))


@router.post(
    "/rounds/{int:round_id}/close", response={200: ArchiveRoundOut, **ERRORS}, summary="完成年度归档"
)
def close_round(request, round_id: Id, payload: ArchiveCloseIn):
    return services.close_round(request.user, round_id, payload.note)


@router.get("/requests", response={200: list[ArchiveRequestOut], 403: ErrorOut}, summary="查借阅登记")
@paginate(Pagination)
def list_requests(request, status: str | None = Query(None, max_length=12)):
    _manager(request)
    qs = UseRequest.objects.visible_to(request.user).select_related("fonds").prefetch_related("items")
    return qs.filter(status=status) if status else qs


@router.post("/requests", response={201: ArchiveRequestOut, **ERRORS}, summary="登记查阅、借阅或复制申请")
def create_request(request, payload: ArchiveRequestIn):
    return Status(201, services.create_request(request.user, **payload.dict()))


@router.get(
    "/requests/{int:request_id}",
    response={200: ArchiveRequestOut, 403: ErrorOut, 404: ErrorOut},
    summary="查借阅详情",
)
def get_request(request, request_id: Id):
    _manager(request)
    return get_visible(UseRequest, request.user, request_id)


@router.post("/requests/{int:request_id}/move", response={200: ArchiveRequestOut, **ERRORS},
             summary="审批、借出、办结、归还（状态表见 services.TRANSITIONS）")  # fmt: skip
def move_request(request, request_id: Id, payload: ArchiveMoveIn):
    return services.move_request(
        request.user, request_id, payload.act, note=payload.note, due_on=payload.due_on
    )


@router.get("/disposals", response={200: list[ArchiveDisposalOut], 403: ErrorOut}, summary="到期鉴定")
@paginate(Pagination)
def list_disposals(request):
    _manager(request)
    return DisposalRound.objects.visible_to(request.user).select_related("fonds")


@router.post(
    "/disposals",
    response={201: ArchiveDisposalOut, **ERRORS},
    summary="开展到期鉴定（列出保管期限已满的档案）",
)
def open_disposal(request, payload: ArchiveYearIn):
    return Status(201, services.open_disposal(request.user, payload.fonds, payload.year))


@router.get(
    "/disposals/{int:round_id}",
    response={200: ArchiveDisposalOut, 403: ErrorOut, 404: ErrorOut},
    summary="鉴定详情",
)
def get_disposal(request, round_id: Id):
    _manager(request)
    return get_visible(DisposalRound, request.user, round_id)


@router.post(
    "/disposals/{int:round_id}/opinions",
    response={201: ArchiveOpinionOut, **ERRORS},
    summary="登记鉴定小组成员意见",
)
def add_opinion(request, round_id: Id, payload: ArchiveOpinionIn):
    return Status(201, services.record_opinion(request.user, round_id, **payload.dict()))


@router.post("/disposals/{int:round_id}/decide", response={200: ArchiveDisposalOut, **ERRORS},
             summary="按鉴定意见处置：销毁并登记销毁清册，或确定新的保管期限")  # fmt: skip
def decide(request, round_id: Id, payload: ArchiveDecideIn):
    keep = {k.item: {"retention": k.retention, "reason": k.reason} for k in payload.keep}
    return services.decide_disposal(request.user, round_id, method=payload.method, keep=keep)


@router.get(
    "/register", response={200: list[ArchiveRegisterOut], 403: ErrorOut}, summary="档案销毁清册（永久保存）"
)
@paginate(Pagination)
def list_register(request):
    _manager(request)
    return RegisterEntry.objects.visible_to(request.user)


@router.delete(
    "/register/{int:entry_id}", response={204: None, **ERRORS}, summary="删除销毁清册条目：一律拒绝（409）"
)
def delete_register(request, entry_id: Id):
    services.refuse_register_delete(request.user, entry_id)
    return Status(204, None)  # not reached


@router.get(
    "/report",
    response={200: ArchiveReportOut, 403: ErrorOut, 404: ErrorOut},
    summary="档案统计（建档率、馆藏、利用、检测）",
)
def get_report(request, scope_code: str | None = Query(None, alias="scope", max_length=12)):
    if not scope.may_read(request.user, Item):
        raise Forbidden()
    rep = reports.report(request.user, scope_code or None)
    return {**rep, "scope": rep["code"],
            "by_class": [{"key": r["archive_class"], "n": r["n"]} for r in rep["by_class"]],
            "by_year": [{"key": str(r["year"]), "n": r["n"]} for r in rep["by_year"]],
            "by_retention": [{"key": r["code"], "n": r["n"]} for r in rep["by_retention"]],
            "checks_failed": rep["checks"]["failed"], "checks_files": rep["checks"]["files"]}  # fmt: skip
