"""/api/v1/assessment/: schemes, rounds, results with the figures behind them, manual scores,
self-assessment, objections, creation applications, acceptance and titles.

Statuses: 200/201 done; 400 input refused with the reason (weights that do not add to 100, an
indicator that does not exist or does not apply, a score without required evidence, an objection
out of its window); 403 the role may not act; 404 not found or outside the caller's scope; 409 the
state forbids it (a round over an inspection cap, published results, a duplicate)."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shequ.assessment.models import Entry, Objection, Round, Scheme, Title
from shequ.assessment.services import creation, rounds, schemes
from shequ.core import scope
from shequ.core.api import MAX_ID, Day, ErrorOut, Id, Pagination, PhotoIn, decode_photos
from shequ.core.errors import Forbidden
from shequ.core.services import get_visible

router = Router(tags=["assessment"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
READ = {403: ErrorOut, 404: ErrorOut}


def _may(request, model):
    if not scope.may_read(request.user, model):
        raise Forbidden()


class AssessmentBandIn(Schema):
    from_: str | None = Field(None, alias="from", max_length=20)
    to: str | None = Field(None, max_length=20)
    points: str = Field(max_length=10)


class AssessmentParamsIn(Schema):
    floor: str | None = Field(None, max_length=20, description="线性计分的起评值")
    target: str | None = Field(None, max_length=20, description="线性计分的目标值")
    pass_at: str | None = Field(None, max_length=20, description="达标与否的达标值")
    bands: list[AssessmentBandIn] | None = Field(
        None, max_length=20, description="分档：from ≤ 数值 < to 得 points 分"
    )


class AssessmentItemIn(Schema):
    label: str = Field("", max_length=120)
    indicator: str = Field("", max_length=80, description="指标目录中的指标代码；人工评分项目留空")
    weight: str = Field(max_length=10, description="分值；全部项目合计须恰好为 100")
    rule: str = Field("manual", description="thresholds 分档、linear 线性、yesno 达标与否、manual 人工评分")
    params: AssessmentParamsIn = Field(default_factory=AssessmentParamsIn)
    evidence_required: bool = False


class AssessmentDimensionIn(Schema):
    name: str = Field(max_length=60)
    items: list[AssessmentItemIn] = Field(min_length=1, max_length=60)


class AssessmentGradeIn(Schema):
    name: str = Field(max_length=20)
    min: str = Field(max_length=10, description="分数线（0–100）")


class AssessmentSchemeIn(Schema):
    org: str = Field(max_length=12, description="组织单位：区（6 位）或街道（9 位）代码")
    name: str = Field(max_length=100)
    kind: str = Field("unified", description="unified 综合考核、creation 创建评比")
    level: str = Field("community", description="community 考核社区、street 考核街道")
    body: str = Field("", max_length=100, description="组织实施部门")
    frequency: str = Field("year", description="year、quarter、month、once")
    counts_as: str | None = Field(None, description="appraisals 考核、evaluations 评比、inspections 检查")
    grades: list[AssessmentGradeIn] = Field(min_length=1, max_length=10)
    objection_days: int = Field(7, ge=0, le=60)
    title_name: str = Field("", max_length=60)
    term_years: int = Field(0, ge=0, le=10)
    recheck_months: int = Field(0, ge=0, le=120)
    dimensions: list[AssessmentDimensionIn] = Field(min_length=1, max_length=20)


class AssessmentItemOut(Schema):
    id: int
    dimension: str
    label: str
    indicator: str
    weight: Decimal
    rule: str
    params: dict
    higher_is_better: bool
    evidence_required: bool

    @staticmethod
    def resolve_dimension(obj):
        return obj.dimension.name


class AssessmentSchemeOut(Schema):
    id: int
    org: str
    name: str
    kind: str
    level: str
    body: str
    frequency: str
    counts_as: str
    grades: list[dict]
    objection_days: int
    title_name: str
    term_years: int
    recheck_months: int
    items: list[AssessmentItemOut]

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_items(obj):
        return schemes.items_of(obj)


class AssessmentRoundIn(Schema):
    period: str = Field(max_length=8, description="2026、2026-Q3 或 2026-07")
    org: str | None = Field(None, max_length=12, description="范围（默认方案组织单位）")
    units: list[str] | None = Field(None, max_length=5000, description="参评单位代码（默认范围内全部）")
    title: str = Field("", max_length=120)
    apply_by: Day | None = None


class AssessmentRoundOut(Schema):
    id: int
    scheme_id: int
    org: str
    title: str
    period: str
    start: date
    end: date
    status: str
    computed_at: datetime | None
    computations: list[dict]
    published_at: datetime | None
    objection_until: date | None

    @staticmethod
    def resolve_org(obj):
        return obj.org.code


class AssessmentComputeIn(Schema):
    source: str = Field("live", description="live 实时数据、snapshots 指标快照")
    reason: str = Field("", max_length=200, description="重新计分时必填")


class AssessmentScoreOut(Schema):
    id: int
    item_id: int
    label: str
    indicator: str
    weight: Decimal
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    taken_at: datetime | None
    from_snapshot: bool
    points: Decimal | None
    self_points: Decimal | None
    note: str


class AssessmentEntryOut(Schema):
    id: int
    round_id: int
    unit: str
    name: str
    status: str
    published: bool
    total: Decimal | None
    rank: int | None
    grade: str
    self_total: Decimal | None
    profile: dict
    scores: list[AssessmentScoreOut] | None


def _entry(user, e: Entry, with_scores=False) -> dict:
    shown = rounds.shows_results(user, e)
    out = {"id": e.pk, "round_id": e.round_id, "unit": e.unit.code, "name": e.unit.display_name, "status": e.status,
           "published": e.round.published, "total": e.total if shown else None, "rank": e.rank if shown else None,
           "grade": e.grade if shown else "", "self_total": e.self_total, "profile": e.profile or {}, "scores": None}  # fmt: skip
    if with_scores:
        out["scores"] = [
            {
                "id": s.pk,
                "item_id": s.item_id,
                "label": s.item.label,
                "indicator": s.item.indicator,
                "weight": s.item.weight,
                "value": s.value if shown else None,
                "numerator": s.numerator if shown else None,
                "denominator": s.denominator if shown else None,
                "taken_at": s.taken_at if shown else None,
                "from_snapshot": s.from_snapshot,
                "points": s.points if shown else None,
                "self_points": s.self_points,
                "note": s.note if shown else "",
            }  # fmt: skip
            for s in e.scores.select_related("item").order_by("item__dimension__position", "item__position")
        ]
    return out


class AssessmentManualIn(Schema):
    points: str = Field(max_length=10)
    note: str = Field("", max_length=300)
    photos: list[PhotoIn] = Field(
        default_factory=list, max_length=9, description="佐证照片（须附佐证的项目必填）"
    )


class AssessmentSelfIn(Schema):
    scores: dict[str, str] = Field(description="项目 id → 自评得分")
    note: str = Field("", max_length=500)


class AssessmentObjectionIn(Schema):
    reason: str = Field(max_length=500)
    score_id: int | None = Field(None, ge=1, le=MAX_ID, description="所指项目得分 id；留空为对总体结果")


class AssessmentHandleIn(Schema):
    decision: str = Field(description="upheld 异议成立、rejected 不予采纳")
    reply: str = Field("", max_length=500)
    points: str | None = Field(None, max_length=10, description="异议成立时复核后的得分")


class AssessmentObjectionOut(Schema):
    id: int
    entry_id: int
    score_id: int | None
    reason: str
    status: str
    reply: str
    old_points: Decimal | None
    new_points: Decimal | None
    created_at: datetime


class AssessmentApplyIn(Schema):
    community: str = Field(max_length=12)
    claim: str = Field(max_length=500)
    scores: dict[str, str] | None = Field(None, description="自评：项目 id → 得分")


class AssessmentAcceptIn(Schema):
    inspected_on: Day | None = None
    note: str = Field(max_length=500)
    scores: dict[str, str] = Field(default_factory=dict, description="人工评分项目 id → 得分")


class AssessmentDecideIn(Schema):
    grant: bool
    note: str = Field("", max_length=500)


class AssessmentTitleOut(Schema):
    id: int
    community: str
    scheme_id: int
    name: str
    grade: str
    granted_on: date
    expires_on: date | None
    rechecks: list[dict]

    @staticmethod
    def resolve_community(obj):
        return obj.community.code


# --- schemes ----------------------------------------------------------------------------------------
@router.get("/schemes", response={200: list[AssessmentSchemeOut], 403: ErrorOut}, summary="考核方案")
@paginate(Pagination)
def list_schemes(request):
    _may(request, Scheme)
    return Scheme.objects.visible_to(request.user).select_related("org")


@router.get("/schemes/{int:scheme_id}", response={200: AssessmentSchemeOut, **READ}, summary="考核方案详情")
def get_scheme(request, scheme_id: Id):
    _may(request, Scheme)
    return get_visible(Scheme, request.user, scheme_id)


@router.post(
    "/schemes", response={201: AssessmentSchemeOut, **ERRORS}, summary="制定考核方案（分值合计须为 100）"
)
def create_scheme(request, payload: AssessmentSchemeIn):
    d = payload.dict(by_alias=True)
    d["grades"] = [dict(g) for g in d["grades"]]
    for dim in d["dimensions"]:
        for it in dim["items"]:
            p = {k: v for k, v in (it.get("params") or {}).items() if v is not None}
            it["params"] = p
    return Status(201, schemes.create_scheme(request.user, **d))


# --- rounds -----------------------------------------------------------------------------------------
@router.post(
    "/schemes/{int:scheme_id}/rounds",
    response={201: AssessmentRoundOut, **ERRORS},
    summary="开展一轮（计入考核评比上限）",
)
def open_round(request, scheme_id: Id, payload: AssessmentRoundIn):
    return Status(201, rounds.open_round(request.user, scheme=scheme_id, **payload.dict()))


@router.get("/rounds", response={200: list[AssessmentRoundOut], 403: ErrorOut}, summary="考核轮次")
@paginate(Pagination)
def list_rounds(request):
    _may(request, Round)
    return Round.objects.visible_to(request.user).select_related("org")


@router.get("/rounds/{int:round_id}", response={200: AssessmentRoundOut, **READ}, summary="考核轮次详情")
def get_round(request, round_id: Id):
    _may(request, Round)
    return get_visible(Round, request.user, round_id)


@router.post(
    "/rounds/{int:round_id}/compute",
    response={200: AssessmentRoundOut, **ERRORS},
    summary="计分（公布前可重算，须写原因）",
)
def compute_round(request, round_id: Id, payload: AssessmentComputeIn):
    return rounds.compute_round(request.user, round_id, **payload.dict())


@router.post(
    "/rounds/{int:round_id}/publish", response={200: AssessmentRoundOut, **ERRORS}, summary="公布结果"
)
def publish_round(request, round_id: Id):
    return rounds.publish(request.user, round_id)


@router.get(
    "/rounds/{int:round_id}/entries",
    response={200: list[AssessmentEntryOut], **READ},
    summary="参评单位与得分（公布前社区只见自评）",
)
@paginate(Pagination)
def list_entries(request, round_id: Id):
    _may(request, Entry)
    r = get_visible(Round, request.user, round_id)
    return [_entry(request.user, e) for e in rounds.results(request.user, r)]


@router.get(
    "/entries/{int:entry_id}", response={200: AssessmentEntryOut, **READ}, summary="单位得分及数据来源"
)
def get_entry(request, entry_id: Id):
    _may(request, Entry)
    return _entry(request.user, get_visible(Entry, request.user, entry_id), with_scores=True)


@router.post(
    "/scores/{int:score_id}",
    response={200: AssessmentScoreOut, **ERRORS},
    summary="人工评分（须附佐证的项目须带照片）",
)
def score_item(request, score_id: Id, payload: AssessmentManualIn):
    sc = rounds.score_item(request.user, score_id, points=payload.points, note=payload.note,
                           photos=decode_photos(payload.photos))  # fmt: skip
    return {"id": sc.pk, "item_id": sc.item_id, "label": sc.item.label, "indicator": sc.item.indicator,
            "weight": sc.item.weight, "value": sc.value, "numerator": sc.numerator, "denominator": sc.denominator,
            "taken_at": sc.taken_at, "from_snapshot": sc.from_snapshot, "points": sc.points,
            "self_points": sc.self_points, "note": sc.note}  # fmt: skip


@router.post("/entries/{int:entry_id}/self", response={200: AssessmentEntryOut, **ERRORS}, summary="社区自评")
def self_assess(request, entry_id: Id, payload: AssessmentSelfIn):
    e = rounds.self_assess(request.user, entry_id, scores=payload.scores, note=payload.note)
    return _entry(request.user, e, with_scores=True)


# --- objections -------------------------------------------------------------------------------------
@router.get("/objections", response={200: list[AssessmentObjectionOut], 403: ErrorOut}, summary="考核异议")
@paginate(Pagination)
def list_objections(request):
    _may(request, Objection)
    return Objection.objects.visible_to(request.user)


@router.post(
    "/entries/{int:entry_id}/objections",
    response={201: AssessmentObjectionOut, **ERRORS},
    summary="提出异议（异议期内）",
)
def file_objection(request, entry_id: Id, payload: AssessmentObjectionIn):
    return Status(
        201, rounds.file_objection(request.user, entry_id, reason=payload.reason, score_id=payload.score_id)
    )


@router.post(
    "/objections/{int:objection_id}/handle",
    response={200: AssessmentObjectionOut, **ERRORS},
    summary="处理异议",
)
def handle_objection(request, objection_id: Id, payload: AssessmentHandleIn):
    return rounds.handle_objection(request.user, objection_id, **payload.dict())


# --- creation ---------------------------------------------------------------------------------------
@router.post(
    "/rounds/{int:round_id}/applications", response={201: AssessmentEntryOut, **ERRORS}, summary="申报创建"
)
def apply(request, round_id: Id, payload: AssessmentApplyIn):
    e = creation.apply(request.user, round_id, **payload.dict())
    return Status(201, _entry(request.user, e, with_scores=True))


@router.post(
    "/entries/{int:entry_id}/accept",
    response={200: AssessmentEntryOut, **ERRORS},
    summary="验收检查（计入检查上限）",
)
def accept(request, entry_id: Id, payload: AssessmentAcceptIn):
    e = creation.accept(request.user, entry_id, **payload.dict())
    return _entry(request.user, e, with_scores=True)


@router.post(
    "/entries/{int:entry_id}/decide",
    response={200: AssessmentEntryOut, **ERRORS},
    summary="授予或不予授予称号",
)
def decide(request, entry_id: Id, payload: AssessmentDecideIn):
    return _entry(request.user, creation.decide(request.user, entry_id, **payload.dict()))


@router.get("/titles", response={200: list[AssessmentTitleOut], 403: ErrorOut}, summary="创建称号")
@paginate(Pagination)
def list_titles(request):
    _may(request, Title)
    return Title.objects.visible_to(request.user).select_related("community")
