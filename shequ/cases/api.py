"""/api/v1/cases/: cases and their workflow actions, the handler's to-do list, categories,
indicators, and the push endpoint of the 12345 hotline.

Every write goes through `shequ.cases.services` (or `shequ.cases.hotline`), every read through
`Case.objects.visible_to`. The requester's phone and e-mail are masked in every answer; the full
value needs POST /api/v1/core/reveal with {"model": "cases.case", "id": …, "field":
"requester_phone" | "requester_email", "reason": …}."""

import datetime as dt

from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.cases import hotline, services
from shequ.cases.filters import CaseFilter
from shequ.cases.models import Case, CaseEvent, Category, Channel
from shequ.cases.models import Status as CaseStatus
from shequ.core import attachments, registry, scope
from shequ.core.api import Day, ErrorOut, Id, Moment, Pagination, PhotoIn, Version, decode_photos, filtered
from shequ.core.errors import NotFound, ValidationFailed
from shequ.core.masking import mask
from shequ.core.roles import roles_with
from shequ.core.services import require
from shequ.org.models import Level, OrgUnit

router = Router(tags=["cases"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_PHOTOS = 9
ENTRY_CHANNELS = (Channel.WALK_IN, Channel.PHONE, Channel.PATROL)


def _user_of(context):
    return context["request"].user


def _touches(user, code: str, perm: str) -> bool:
    """Is `code` inside the user's scope for `perm`, or their scope inside it? Anything else is
    outside: answered as not found, never as forbidden."""
    roots = scope.scope_codes(user, roles_with(perm))
    if roots is None:
        return True
    return any(code.startswith(r) or r.startswith(code) for r in roots)


# --- schemas --------------------------------------------------------------------------------------
class CaseOut(Schema):
    id: int
    number: str
    channel: str
    channel_label: str = Field(..., alias="get_channel_display")
    external_id: str
    category_code: str = Field(..., alias="category.code")
    category_name: str = Field(..., alias="category.name")
    title: str
    address: str
    lat: float | None
    lng: float | None
    scope_code: str
    community_name: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    received_at: dt.datetime
    handler_kind: str
    handler_name: str
    deadline: dt.datetime | None
    clock: str = Field(..., description="'' | ok | warning | overdue")
    supervised: bool
    anonymous: bool
    requester_name: str
    requester_phone_masked: str
    requester_email_masked: str
    version: int

    @staticmethod
    def resolve_community_name(obj):
        return obj.community.display_name if obj.community_id else ""

    @staticmethod
    def resolve_clock(obj):
        return obj.clock_state()

    @staticmethod
    def resolve_requester_phone_masked(obj):
        return mask(obj.requester_phone, "phone")

    @staticmethod
    def resolve_requester_email_masked(obj):
        return mask(obj.requester_email, "email")


class PhotoOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj):
        return reverse("core:attachment", args=[obj.pk])


class CaseEventOut(Schema):
    id: int
    action: str
    label: str
    from_status: str
    to_status: str
    actor: str = Field(..., alias="actor_label")
    at: dt.datetime
    note: str
    data: dict
    photos: list[PhotoOut]

    @staticmethod
    def resolve_photos(obj):
        return getattr(obj, "photos", [])


class ActionOut(Schema):
    action: str
    label: str
    needs_note: bool
    handler_only: bool

    @staticmethod
    def resolve_label(obj):
        return str(obj.label)


class DispatchUnitOut(Schema):
    key: str
    name: str


class CaseDetailOut(CaseOut):
    description: str
    attributes: dict
    limit_value: int
    limit_unit: str
    limit_label: str
    filed_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    accepted_at: dt.datetime | None
    warn_at: dt.datetime | None
    handled_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_on_time: bool | None
    handling_hours: float | None
    review_on: dt.date | None
    extension_state: str
    extension_requested: int | None
    return_count: int
    rework_count: int
    extension_count: int
    parent_number: str
    grid_name: str
    callback_at: dt.datetime | None
    callback_valid: bool | None
    callback_contacted: bool | None
    callback_solved: bool | None
    satisfaction: str
    rating: int | None
    rating_comment: str
    timeline: list[CaseEventOut]
    actions: list[ActionOut]
    units: list[DispatchUnitOut] = Field([], description="派遣、转派可选的处置单位（有这两项操作时）")
    default_unit: str = ""

    @staticmethod
    def resolve_parent_number(obj):
        return obj.parent.number if obj.parent_id else ""

    @staticmethod
    def resolve_grid_name(obj):
        return obj.grid.name if obj.grid_id else ""


def _case_qs(user):
    return Case.objects.visible_to(user).select_related("category", "community")


def _detail(user, pk) -> Case:
    """A visible case with its timeline (the requester sees the public entries), photos and the
    actions this user may take now."""
    case = (
        Case.objects.visible_to(user)
        .select_related("category", "community", "grid", "parent", "street")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404()
    events = CaseEvent.objects.filter(case=case)
    if not scope.covers(user, case.scope_code, "cases.view_case"):
        events = events.filter(public=True)
    events = list(events)
    photos = attachments.attachments_of(CaseEvent, [e.pk for e in events])
    for e in events:
        e.photos = photos.get(str(e.pk), [])
    case.timeline = events
    case.actions = services.available_actions(user, case)
    if any(t.action in ("dispatch", "reassign") for t in case.actions):
        case.units = [{"key": k, "name": n} for k, n in services.unit_choices(case)]
        case.default_unit = services.default_unit(case)
    return case


# --- cases ----------------------------------------------------------------------------------------
class CaseQuery(Schema):
    status: str | None = Field(None, description="状态，如 dispatched")
    category: str | None = Field(None, max_length=16, description="大类或小类编码")
    channel: str | None = None
    clock: str | None = Field(None, description="overdue 超期 | warning 临期")
    supervised: bool | None = Field(None, description="只看督办的")
    q: str | None = Field(None, max_length=40, description="受理编号（或其前几位）或标题片段")
    received_from: Day | None = None
    received_to: Day | None = None
    community: str | None = Field(None, max_length=12, description="社区代码")
    unit: str | None = Field(
        None, max_length=80, description="处置单位：community:代码、grid:代码、department:部门"
    )


def _bad_filter(field: str, msg) -> ValidationFailed:
    return ValidationFailed(msg, code="invalid_filter", details={field: [str(msg)]})


def _filter_params(user, p: CaseQuery) -> dict:
    """The API's codes turned into what the list page's FilterSet takes (primary keys)."""
    data = p.dict()
    code = data.pop("category")
    if code:
        cat = Category.objects.filter(code=code).first()
        if cat is None:
            raise _bad_filter("category", _("没有编码为“%(c)s”的案件类别。") % {"c": code})
        data["category" if cat.parent_id else "major"] = cat.pk
    community = data.pop("community")
    if community:
        unit = OrgUnit.objects.visible_to(user).filter(code=community, level=Level.COMMUNITY).first()
        if unit is None:
            raise _bad_filter("community", _("未找到该社区，或它不在您的管辖范围内。"))
        data["community"] = unit.pk
    return data


@router.get("/cases", response=list[CaseOut], summary="案件列表（与“全部案件”页面同一套筛选；电话已脱敏）")
@paginate(Pagination)
def list_cases(request, params: CaseQuery = Query(...)):
    data = _filter_params(request.user, params)
    qs = _case_qs(request.user).defer("description", "attributes", "rating_comment")
    return filtered(request, CaseFilter, qs, data)


@router.get(
    "/cases/{int:case_id}",
    response={200: CaseDetailOut, 404: ErrorOut},
    summary="案件详情：办理记录（含照片）、当前可做的操作、可派遣的单位",
)
def get_case(request, case_id: Id):
    return _detail(request.user, case_id)


class CaseIn(Schema):
    channel: str = Field(Channel.WALK_IN, description="walk_in 来访 | phone 来电 | patrol 网格巡查")
    category: str = Field(..., max_length=16, description="小类编码")
    description: str = Field(..., min_length=1, max_length=4000)
    title: str = Field("", max_length=100)
    lat: float | None = None
    lng: float | None = None
    address: str = Field("", max_length=200)
    community: str | None = Field(None, max_length=12, description="社区代码（没有坐标时）")
    anonymous: bool = False
    requester_name: str = Field("", max_length=50)
    requester_phone: str = Field("", max_length=20)
    requester_email: str = Field("", max_length=200)
    photos: list[PhotoIn] = Field([], max_length=MAX_PHOTOS)


@router.post(
    "/cases", response={201: CaseDetailOut, **ERRORS}, summary="登记诉求（来访、来电）或上报巡查发现"
)
def create_case(request, payload: CaseIn):
    user = request.user
    require(user, "cases.register_case")
    if payload.channel not in ENTRY_CHANNELS:
        raise ValidationFailed(
            _("来源渠道只能是来访、来电或网格巡查；12345 工单请用 /hotline/orders。"),
            details={"channel": [_("不支持的来源渠道。")]},
        )
    community = None
    if payload.community:
        community = OrgUnit.objects.filter(code=payload.community, level=Level.COMMUNITY).first()
        if community is None or not _touches(user, community.code, "cases.register_case"):
            raise NotFound(_("未找到该社区，或它不在您的管辖范围内。"))
    if community is not None or payload.lat is not None:
        # Where the case will hang decides: a place outside the scope is not found.
        street, comm, grid = services.resolve_place(lat=payload.lat, lng=payload.lng, community=community)
        code = grid.code if grid else comm.code if comm else street.code
        if not scope.covers(user, code, "cases.register_case"):
            raise NotFound(_("该位置不在您的管辖范围内。"))
    case, _created = services.submit_request(
        user,
        channel=payload.channel,
        category=payload.category,
        description=payload.description,
        title=payload.title,
        lat=payload.lat,
        lng=payload.lng,
        address=payload.address,
        community=community,
        anonymous=payload.anonymous,
        requester_name=payload.requester_name,
        requester_phone=payload.requester_phone,
        requester_email=payload.requester_email,
        photos=decode_photos(payload.photos),
    )
    return Status(201, _detail(user, case.pk))


class ActionIn(Schema):
    note: str = Field("", max_length=4000, description="说明或理由（退单、处置、反馈、挂账等必填）")
    expected_version: Version | None = Field(None, description="读到的 version；已被他人更新时返回 409")
    unit: str | None = Field(None, max_length=80, description="派遣/转派的单位，如 community:420115001001")
    days: int | None = Field(None, ge=1, le=30, description="延期的工作日数")
    review_on: Day | None = Field(None, description="挂账的复查日期")
    valid: bool | None = Field(None, description="回访：是否联系上诉求人")
    contacted: bool | None = Field(None, description="回访：处置单位是否联系过诉求人")
    solved: bool | None = Field(None, description="回访：问题是否解决")
    satisfaction: str | None = Field(None, description="satisfied | basic | unsatisfied")
    rating: int | None = Field(None, ge=1, le=5, description="评价星级")
    comment: str = Field("", max_length=500, description="评价意见")
    parent: Id | None = Field(None, description="合并：并入的案件 id")
    category: str | None = Field(None, max_length=16, description="立案时改类的小类编码")
    photos: list[PhotoIn] = Field([], max_length=MAX_PHOTOS)


@router.post(
    "/cases/{int:case_id}/actions/{action}",
    response={200: CaseDetailOut, **ERRORS},
    summary="办理一个环节（立案、派遣、签收、退单、处置、反馈、核查、结案、回访、评价、延期、挂账、督办、合并、转派）",
)
def act(request, case_id: Id, action: str, payload: ActionIn):
    data = payload.dict(exclude={"note", "expected_version", "photos", "comment"}, exclude_none=True)
    if payload.comment:
        data["comment"] = payload.comment
    services.transition(
        request.user,
        case_id,
        action,
        expected_version=payload.expected_version,
        note=payload.note,
        photos=decode_photos(payload.photos),
        **data,
    )
    return _detail(request.user, case_id)


class CandidateOut(Schema):
    case: CaseOut
    distance_m: int | None
    similarity: float | None


@router.get(
    "/cases/{int:case_id}/merge-candidates",
    response={200: list[CandidateOut], 404: ErrorOut},
    summary="可并入的案件：同一小类、附近（R 米内、T 天内）或描述几乎相同的未办结案件",
)
def merge_candidates(request, case_id: Id):
    case = _case_qs(request.user).select_related("street").filter(pk=case_id).first()
    if case is None:
        raise Http404()
    return services.merge_candidates(case, request.user)


class TodoQuery(Schema):
    q: str | None = Field(None, max_length=40, description="受理编号（或其前几位）或标题片段")


@router.get("/todo", response=list[CaseOut], summary="待办理：派给本人单位的案件，督办的在前，其次按处置时限")
@paginate(Pagination)
def todo(request, params: TodoQuery = Query(...)):
    from shequ.cases.filters import search_q

    user = request.user
    services.maybe_sweep()
    qs = (
        _case_qs(user)
        .handled_by(user)
        .filter(status__in=(CaseStatus.DISPATCHED, CaseStatus.PROCESSING))
        .defer("description", "attributes", "rating_comment")
    )
    if params.q:
        qs = qs.filter(search_q(params.q))
    return qs.order_by("-supervised", F("deadline").asc(nulls_last=True), "received_at", "id")


# --- categories -----------------------------------------------------------------------------------
class MinorOut(Schema):
    code: str
    name: str
    default_unit_kind: str
    default_unit_kind_label: str = Field(..., alias="get_default_unit_kind_display")
    default_department: str
    filing_condition: str
    closure_condition: str
    limit_value: int
    limit_unit: str
    limit_label: str
    merge_radius_m: int
    merge_days: int
    public: bool
    active: bool


class MajorOut(Schema):
    code: str
    name: str
    source: str
    active: bool
    children: list[MinorOut]

    @staticmethod
    def resolve_children(obj):
        return obj.minors


def category_tree(include_inactive: bool = False) -> list[Category]:
    """The 大类 with their 小类 (and time limits), in code order."""
    majors = list(Category.objects.filter(parent__isnull=True).order_by("code"))
    minors = Category.objects.filter(parent__isnull=False).order_by("code")
    if not include_inactive:
        minors = minors.filter(active=True)
    by_parent: dict[int, list] = {}
    for c in minors:
        by_parent.setdefault(c.parent_id, []).append(c)
    for m in majors:
        m.minors = by_parent.get(m.pk, [])
    return [m for m in majors if m.minors or include_inactive]


@router.get("/categories", response=list[MajorOut], summary="案件类别：大类、小类及其处置单位与时限")
def categories(request, include_inactive: bool = False):
    return category_tree(include_inactive=include_inactive)


# --- indicators -----------------------------------------------------------------------------------
class IndicatorQuery(Schema):
    start: Day | None = Field(None, description="统计期起（立案日期），默认本月 1 日")
    end: Day | None = Field(None, description="统计期止（含），默认今天")
    scope: str | None = Field(None, max_length=15, description="区域代码（街道、社区或网格）")
    unit: str | None = Field(
        None, max_length=80, description="处置单位：community:代码、grid:代码、department:部门"
    )
    category: str | None = Field(None, max_length=16, description="大类或小类编码")
    by: str | None = Field(None, description="分组：unit | category | major | community | month")


class IndicatorOut(Schema):
    start: dt.date
    end: dt.date
    scope: str | None
    figures: dict
    breakdown: list[dict] | None = None
    formulas: list[list[str]]


@router.get(
    "/indicators",
    response={200: IndicatorOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="考核指标：立案数、结案率、按期结案率、返工率、延期率、退单率、超期数、平均处置时长、响应率、解决率、满意率、综合得分",
)
def indicators(request, params: IndicatorQuery = Query(...)):
    from shequ.cases import indicators as ind

    user = request.user
    require(user, ind.PERM)
    if params.scope and (
        not _touches(user, params.scope, ind.PERM) or registry.resolve_node(params.scope) is None
    ):
        raise Http404()
    today = timezone.localdate()
    f = ind.Filters(
        start=params.start or today.replace(day=1),
        end=params.end or today,
        scope_code=params.scope or None,
        unit=params.unit or None,
        category=params.category or None,
    )
    out = {
        "start": f.start,
        "end": f.end,
        "scope": f.scope_code,
        "figures": ind.compute(user, f),
        "formulas": [[str(a), str(b)] for a, b in ind.formulas()],
    }
    if params.by:
        out["breakdown"] = ind.breakdown(user, f, params.by)
    return out


# --- 12345 hotline push ---------------------------------------------------------------------------
class HotlineOrderIn(Schema):
    order_no: str = Field(..., min_length=1, max_length=64, description="热线工单编号（去重依据）")
    received_at: Moment | None = Field(None, description="热线受理时间，默认现在")
    requester_name: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)
    content: str = Field(..., min_length=1, max_length=4000)
    address: str = Field("", max_length=200)
    category: str = Field(..., min_length=1, max_length=100, description="小类名称或编码，或热线的分类名")
    lat: float | None = None
    lng: float | None = None
    community: str | None = Field(None, max_length=60, description="社区代码或名称")
    street: str | None = Field(None, max_length=9, description="街道代码（没有坐标和社区时）")
    time_limit: str | None = Field(
        None, max_length=40, description="热线的办理时限：3个工作日、24小时或截止时间"
    )


class HotlineOrderOut(Schema):
    created: bool
    case: CaseOut
    warnings: list[str]


@router.post(
    "/hotline/orders",
    response={200: HotlineOrderOut, 201: HotlineOrderOut, **ERRORS},
    summary="12345 热线推送一张工单（按工单编号去重：首次 201，重复推送 200 并返回已有案件）",
)
def hotline_order(request, payload: HotlineOrderIn):
    user = request.user
    require(user, hotline.PERM)
    if payload.street and not _touches(user, payload.street, hotline.PERM):
        raise NotFound(_("未找到该街道，或它不在您的管辖范围内。"))
    if (
        payload.community
        and payload.community.isdigit()
        and not _touches(user, payload.community, hotline.PERM)
    ):
        raise NotFound(_("未找到该社区，或它不在您的管辖范围内。"))
    case, created, warnings = hotline.receive_order(
        user,
        order_no=payload.order_no,
        content=payload.content,
        category=payload.category,
        received_at=payload.received_at,
        requester_name=payload.requester_name,
        phone=payload.phone,
        address=payload.address,
        lat=payload.lat,
        lng=payload.lng,
        community=payload.community,
        street=payload.street,
        limit=payload.time_limit,
    )
    case = _case_qs(user).get(pk=case.pk)
    body = {"created": created, "case": case, "warnings": [str(w) for w in warnings]}
    return Status(201 if created else 200, body)
