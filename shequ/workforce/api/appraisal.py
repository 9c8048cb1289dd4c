"""Appraisal: cycles (list, open, read), the organisation's scores, closing, results, and a
worker's own results. Everything here is sensitive: the worker's lead and the managers above read
it; a worker reads their own closed results (`/appraisal/mine`)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import scope
from shequ.core.api import Day, ErrorOut, Id, Pagination, decimal_in
from shequ.core.errors import Forbidden
from shequ.core.services import get_visible
from shequ.workforce.models import AppraisalCycle, AppraisalResult, Worker
from shequ.workforce.services import appraisal as service

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
# 0–100 with one decimal: the column's format; a score above 100 is the service's refusal (400).
ScoreIn = decimal_in(4, 1)


class AppraisalGradeIn(Schema):
    name: str = Field(max_length=10)
    min: decimal_in(4, 1) = Field(description="达到该等次的最低总分（0–100）")
    quota: int | None = Field(None, ge=1, le=100, description="名额比例（%），不限为 null")
    coefficient: decimal_in(3, 2) = Field(Decimal("1"), description="绩效系数（0–5）")
    step: bool = Field(False, description="可晋档")
    renew: bool = Field(True, description="建议续聘")
    passing: bool = Field(False, description="算作合格")


class AppraisalGradeOut(Schema):
    name: str
    min: Decimal
    quota: int | None
    coefficient: Decimal
    step: bool
    renew: bool
    passing: bool


class AppraisalWeightsIn(Schema):
    de: int = Field(ge=0, le=100, description="德")
    neng: int = Field(ge=0, le=100, description="能")
    qin: int = Field(ge=0, le=100, description="勤")
    ji: int = Field(ge=0, le=100, description="绩")
    lian: int = Field(ge=0, le=100, description="廉")
    xue: int = Field(ge=0, le=100, description="学")


class AppraisalCycleIn(Schema):
    org: str = Field(max_length=12, description="社区（12 位）或街道（9 位）代码")
    year: int = Field(ge=2000, le=2100)
    kind: str = Field("annual", max_length=10, description="annual 年度考核 / term 换届（届末）考核")
    title: str = Field("", max_length=100)
    weights: AppraisalWeightsIn | None = Field(
        None, description="德能勤绩廉学权重，合计须为 100；不填用默认值"
    )
    org_share: int = Field(70, ge=0, le=100, description="组织考占比（%），其余为群众评")
    scorers: str = Field("both", max_length=8, description="both / street / lead / either")
    street_share: int = Field(50, ge=0, le=100, description="街道和社区负责人都评分时街道所占比例（%）")
    grades: list[AppraisalGradeIn] | None = Field(
        None, max_length=6, description="等次，从高到低；不填用默认值"
    )
    survey_opens: Day | None = None
    survey_closes: Day | None = None
    verify: str = Field("either", max_length=8, description="群众评核验：login / code / either")


class AppraisalSurveyOut(Schema):
    id: int
    org: str
    token: str
    responses: int
    eligible: int | None
    rate: Decimal | None


class AppraisalCycleOut(Schema):
    id: int
    org: str
    org_name: str
    kind: str
    year: int
    title: str
    weights: dict[str, int]
    org_share: int
    scorers: str
    street_share: int
    grades: list[AppraisalGradeOut]
    status: str
    survey_opens: date | None
    survey_closes: date | None
    closed_at: datetime | None
    participants: int
    surveys: list[AppraisalSurveyOut]

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.display_name

    @staticmethod
    def resolve_participants(obj):
        return obj.results.count()

    @staticmethod
    def resolve_surveys(obj):
        from shequ.core import surveys

        out = []
        for s in service.cycle_surveys(obj):
            rate = surveys.response_rate(s)
            out.append({"id": s.pk, "org": s.org.code, "token": s.token, "responses": rate["responses"],
                        "eligible": rate["eligible"], "rate": rate["rate"]})  # fmt: skip
        return out


class AppraisalCycleShortOut(Schema):
    id: int
    org: str
    kind: str
    year: int
    title: str
    status: str

    @staticmethod
    def resolve_org(obj):
        return obj.org.code


@router.get(
    "/appraisal/cycles",
    response={200: list[AppraisalCycleShortOut], 403: ErrorOut},
    summary="考核（本人管辖范围）",
)
@paginate(Pagination)
def list_cycles(request):
    if not scope.may_read(request.user, AppraisalCycle):
        raise Forbidden()
    return AppraisalCycle.objects.visible_to(request.user).select_related("org")


@router.post("/appraisal/cycles", response={201: AppraisalCycleOut, **ERRORS}, summary="新建考核")
def create_cycle(request, payload: AppraisalCycleIn):
    d = payload.dict()
    org = d.pop("org")
    if d["grades"] is not None:
        d["grades"] = [dict(g) for g in d["grades"]]
    return Status(201, service.create_cycle(request.user, org, **d))


@router.get(
    "/appraisal/cycles/{int:cycle_id}", response={200: AppraisalCycleOut, 404: ErrorOut}, summary="考核"
)
def get_cycle(request, cycle_id: Id):
    return get_visible(AppraisalCycle, request.user, cycle_id)


class AppraisalScoresIn(Schema):
    worker_id: Id
    scorer: str = Field("", max_length=8, description="street 街道 / lead 社区负责人；只有一种身份时可不填")
    de: ScoreIn = Field(description="德（0–100）")
    neng: ScoreIn = Field(description="能（0–100）")
    qin: ScoreIn = Field(description="勤（0–100）")
    ji: ScoreIn = Field(description="绩（0–100）")
    lian: ScoreIn = Field(description="廉（0–100）")
    xue: ScoreIn = Field(description="学（0–100）")


class AppraisalScoreOut(Schema):
    worker_id: int
    scorer: str
    scores: dict[str, Decimal]
    total: Decimal

    @staticmethod
    def resolve_worker_id(obj):
        return obj.result.worker_id


@router.post(
    "/appraisal/cycles/{int:cycle_id}/scores",
    response={200: AppraisalScoreOut, **ERRORS},
    summary="录入组织考评分",
)
def enter_scores(request, cycle_id: Id, payload: AppraisalScoresIn):
    d = payload.dict()
    worker_id, scorer = d.pop("worker_id"), d.pop("scorer")
    return service.enter_scores(request.user, cycle_id, worker_id, scores=d, scorer=scorer or None)


@router.post(
    "/appraisal/cycles/{int:cycle_id}/close",
    response={200: AppraisalCycleOut, **ERRORS},
    summary="结束考核并计算结果",
)
def close_cycle(request, cycle_id: Id):
    return service.close_cycle(request.user, cycle_id)


class AppraisalResultOut(Schema):
    cycle_id: int
    year: int
    worker_id: int
    name: str
    unit: str
    position: str
    street_score: Decimal | None
    lead_score: Decimal | None
    org_score: Decimal | None
    resident_count: int
    resident_average: Decimal | None
    resident_score: Decimal | None
    total: Decimal | None
    rank: int | None
    grade: str
    passed: bool | None
    demoted: bool
    coefficient: Decimal | None
    step_eligible: bool | None
    renew_advised: bool | None
    exit_advised: bool | None
    note: str

    @staticmethod
    def resolve_year(obj):
        return obj.cycle.year

    @staticmethod
    def resolve_name(obj):
        return obj.worker.name

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code


@router.get(
    "/appraisal/cycles/{int:cycle_id}/results",
    response={200: list[AppraisalResultOut], 404: ErrorOut},
    summary="考核结果（进行中的考核为参评人员及已录入的评分）",
)
def list_results(request, cycle_id: Id):
    cycle = get_visible(AppraisalCycle, request.user, cycle_id)
    return list(
        AppraisalResult.objects.visible_to(request.user)
        .filter(cycle=cycle)
        .select_related("worker", "unit", "cycle")
        .order_by("rank", "scope_code", "id")
    )


@router.get(
    "/appraisal/mine", response={200: list[AppraisalResultOut], 403: ErrorOut}, summary="本人历年考核结果"
)
def my_results(request):
    if not Worker.objects.filter(user=request.user).exists():
        raise Forbidden(_("您的账号没有关联社区工作者档案。"))
    return list(service.results_of(request.user))
