"""居民评议 rounds (their totals per target, never a household's rating), 听证 (notice period,
speakers, statements), 征求意见 (written views, summary), and the rating part of the report with
the residents' participation rate. Residents answer a round on its survey's phone page or through
/api/v1/core/surveys/public/{token}/responses; a consultation's view also here."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import scope
from shequ.core.api import Day, ErrorOut, Id, Pagination, decimal_in
from shequ.core.errors import Forbidden, NotFound
from shequ.core.middleware import client_ip
from shequ.core.services import get_visible
from shequ.participation import reports, reports_ratings, services
from shequ.participation.models import Consultation, Hearing, RatingRound
from shequ.participation.services import hearings as hearing_services
from shequ.participation.services import ratings as rating_services

router = Router()
Threshold = decimal_in(3, 2, positive=True, le=5)
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
STATES = "open 评议中、pending 未开始、due 已到截止日期待结束、closed 已结束"


# --- rating rounds ------------------------------------------------------------------------------------
class ParticipationRatingRoundOut(Schema):
    id: int
    community: str
    title: str
    dimensions: list[str]
    threshold: Decimal
    opens_on: date
    closes_on: date
    verify: str
    state: str = Field(description=STATES)
    closed_at: datetime | None

    @staticmethod
    def resolve_community(obj):
        return obj.org.code

    @staticmethod
    def resolve_state(obj):
        return rating_services.state_of(obj)


class ParticipationRatingScoreOut(Schema):
    dimension: str
    ratings: int
    average: Decimal | None


class ParticipationRatingTargetOut(Schema):
    name: str
    kind: str = Field(description="committee 社区居委会、company 物业服务企业")
    company: int | None = Field(description="物业服务企业（驻区单位）id")
    responses: int = Field(description="对该对象评分的户数")
    eligible: int | None = Field(description="应评户数")
    rate: Decimal | None = Field(description="参评率（%）")
    overall: Decimal | None = Field(description="总体平均分：该对象所有评分的平均")
    dimensions: list[ParticipationRatingScoreOut]


class ParticipationRatingRoundDetailOut(Schema):
    id: int
    community: str
    title: str
    dimensions: list[str]
    threshold: Decimal
    opens_on: date
    closes_on: date
    verify: str
    state: str = Field(description=STATES)
    closed_at: datetime | None
    survey_token: str = Field(description="居民评议页 /s/<token>/ 的标识")
    targets: list[ParticipationRatingTargetOut]
    follow_up_issues: list[int] = Field(description="得分低于整改线生成的整改议题 id")


class ParticipationRatingRoundIn(Schema):
    community: str = Field(max_length=12, description="社区代码（12 位）")
    title: str = Field(max_length=100)
    dimensions: list[str] = Field(min_length=1, max_length=10, description="评议维度，如 服务态度、办事效率")
    threshold: Threshold = Field(Decimal("3.00"), description="整改线（1–5）：平均分低于此分自动生成整改议题")
    opens_on: Day
    closes_on: Day
    verify: str = Field(
        "either", max_length=8, description="login 登录、code 填写码、either 均可；均可凭姓名和手机号后四位"
    )


def _round_detail(rnd):
    survey = rating_services.survey_of(rnd)
    return {
        "id": rnd.pk,
        "community": rnd.org.code,
        "title": rnd.title,
        "dimensions": rnd.dimensions,
        "threshold": rnd.threshold,
        "opens_on": rnd.opens_on,
        "closes_on": rnd.closes_on,
        "verify": rnd.verify,
        "state": rating_services.state_of(rnd),
        "closed_at": rnd.closed_at,
        "survey_token": survey.token if survey else "",
        "targets": [
            {
                "name": row["target"].name,
                "kind": row["target"].kind,
                "company": row["target"].company_id,
                "responses": row["responses"],
                "eligible": row["eligible"],
                "rate": row["rate"],
                "overall": row["overall"],
                "dimensions": row["dimensions"],
            }
            for row in rating_services.results_of(rnd)
        ],
        "follow_up_issues": list(rating_services.follow_ups(rnd).values_list("pk", flat=True)),
    }


@router.get("/ratings", response={200: list[ParticipationRatingRoundOut], 403: ErrorOut}, summary="居民评议")
@paginate(Pagination)
def list_rounds(request):
    if not scope.may_read(request.user, RatingRound):
        raise Forbidden()
    return RatingRound.objects.visible_to(request.user).select_related("org")


@router.get(
    "/ratings/{int:round_id}",
    response={200: ParticipationRatingRoundDetailOut, 404: ErrorOut},
    summary="居民评议（各对象得分和参评率；评议中为当前得分）",
)
def get_round(request, round_id: Id):
    return _round_detail(get_visible(RatingRound, request.user, round_id))


@router.post("/ratings", response={201: ParticipationRatingRoundDetailOut, **ERRORS}, summary="发起居民评议")
def create_round(request, payload: ParticipationRatingRoundIn):
    d = payload.dict()
    return Status(201, _round_detail(services.create_round(request.user, d.pop("community"), **d)))


@router.post(
    "/ratings/{int:round_id}/close",
    response={200: ParticipationRatingRoundDetailOut, **ERRORS},
    summary="结束评议（保存得分，低于整改线生成整改议题）",
)
def close_round(request, round_id: Id):
    return _round_detail(services.close_round(request.user, round_id))


# --- hearings -----------------------------------------------------------------------------------------
class ParticipationSpeakerOut(Schema):
    id: int
    position: int
    kind: str = Field(description="resident 居民、unit 单位")
    name: str
    unit_name: str
    statement: str


class ParticipationHearingOut(Schema):
    id: int
    community: str
    title: str
    subject: str
    notice_on: date
    notice_days: int
    earliest_on: date = Field(description="公告期满、可以举行的第一天")
    planned_on: date
    place: str
    held_on: date | None
    conclusion: str

    @staticmethod
    def resolve_community(obj):
        return obj.community.code


class ParticipationHearingDetailOut(ParticipationHearingOut):
    speakers: list[ParticipationSpeakerOut]

    @staticmethod
    def resolve_speakers(obj):
        return list(obj.speakers.all())


class ParticipationHearingIn(Schema):
    community: str = Field(max_length=12)
    title: str = Field(max_length=100)
    subject: str = Field(max_length=4000)
    notice_on: Day
    notice_days: int = Field(7, ge=1, le=90)
    planned_on: Day
    place: str = Field(max_length=100)


class ParticipationSpeakerIn(Schema):
    kind: str = Field(max_length=10, description="resident 居民、unit 单位")
    name: str = Field(max_length=50)
    unit: Id | None = Field(None, description="驻区单位 id（单位发言人）")
    unit_name: str = Field("", max_length=200)


class ParticipationHoldIn(Schema):
    held_on: Day | None = None
    conclusion: str = Field("", max_length=4000)


class ParticipationStatementIn(Schema):
    statement: str = Field(max_length=4000)


@router.get("/hearings", response={200: list[ParticipationHearingOut], 403: ErrorOut}, summary="听证会")
@paginate(Pagination)
def list_hearings(request):
    if not scope.may_read(request.user, Hearing):
        raise Forbidden()
    return Hearing.objects.visible_to(request.user).select_related("community")


@router.get("/hearings/{int:hearing_id}", response={200: ParticipationHearingDetailOut, 404: ErrorOut},
            summary="听证会（发言人和发言记录）")  # fmt: skip
def get_hearing(request, hearing_id: Id):
    return get_visible(Hearing, request.user, hearing_id)


@router.post(
    "/hearings", response={201: ParticipationHearingOut, **ERRORS}, summary="安排听证会（须满公告期）"
)
def create_hearing(request, payload: ParticipationHearingIn):
    d = payload.dict()
    return Status(201, services.schedule_hearing(request.user, d.pop("community"), **d))


@router.post("/hearings/{int:hearing_id}/speakers", response={201: ParticipationSpeakerOut, **ERRORS},
             summary="登记听证发言人")  # fmt: skip
def add_speaker(request, hearing_id: Id, payload: ParticipationSpeakerIn):
    return Status(201, services.register_speaker(request.user, hearing_id, **payload.dict()))


@router.post("/hearings/{int:hearing_id}/hold", response={200: ParticipationHearingOut, **ERRORS},
             summary="登记听证会举行（公告期未满则拒绝）")  # fmt: skip
def hold_hearing(request, hearing_id: Id, payload: ParticipationHoldIn):
    return services.hold_hearing(request.user, hearing_id, **payload.dict())


@router.post(
    "/hearings/{int:hearing_id}/speakers/{int:speaker_id}/statement",
    response={200: ParticipationSpeakerOut, **ERRORS},
    summary="记录发言（听证会举行后）",
)
def record_statement(request, hearing_id: Id, speaker_id: Id, payload: ParticipationStatementIn):
    return services.record_statement(request.user, hearing_id, speaker_id, statement=payload.statement)


# --- consultations ------------------------------------------------------------------------------------
class ParticipationConsultationOut(Schema):
    id: int
    community: str
    title: str
    plan: str
    opens_on: date
    closes_on: date
    verify: str
    summary: str
    summarised_at: datetime | None

    @staticmethod
    def resolve_community(obj):
        return obj.community.code


class ParticipationConsultationDetailOut(ParticipationConsultationOut):
    survey_token: str = Field(description="居民提交意见页 /s/<token>/ 的标识")
    view_count: int
    views: list[str] = Field(description="居民意见（不含填写人）")

    @staticmethod
    def resolve_survey_token(obj):
        s = hearing_services.survey_for(obj)
        return s.token if s else ""

    @staticmethod
    def resolve_view_count(obj):
        return hearing_services.view_count(obj)

    @staticmethod
    def resolve_views(obj):
        return hearing_services.views_of(obj)


class ParticipationConsultationIn(Schema):
    community: str = Field(max_length=12)
    title: str = Field(max_length=100)
    plan: str = Field(max_length=1000)
    opens_on: Day
    closes_on: Day
    verify: str = Field(
        "either", max_length=8, description="login 登录、code 填写码、either 均可；均可凭姓名和手机号后四位"
    )


class ParticipationViewIn(Schema):
    text: str = Field(max_length=1000)
    name: str = Field("", max_length=50, description="居民姓名（与手机号后四位一起核对）")
    last4: str = Field("", max_length=4)
    code: str = Field("", max_length=20, description="社区发放的填写码")


class ParticipationViewOut(Schema):
    consultation: int
    submitted_at: datetime


class ParticipationSummaryIn(Schema):
    summary: str = Field(max_length=4000)


@router.get("/consultations", response={200: list[ParticipationConsultationOut], 403: ErrorOut},
            summary="征求意见")  # fmt: skip
@paginate(Pagination)
def list_consultations(request):
    if not scope.may_read(request.user, Consultation):
        raise Forbidden()
    return Consultation.objects.visible_to(request.user).select_related("community")


@router.get("/consultations/{int:consultation_id}", response={200: ParticipationConsultationDetailOut, 404: ErrorOut},
            summary="征求意见（意见和汇总）")  # fmt: skip
def get_consultation(request, consultation_id: Id):
    return get_visible(Consultation, request.user, consultation_id)


@router.post("/consultations", response={201: ParticipationConsultationOut, **ERRORS}, summary="发起征求意见")
def create_consultation(request, payload: ParticipationConsultationIn):
    d = payload.dict()
    return Status(201, services.open_consultation(request.user, d.pop("community"), **d))


@router.post(
    "/consultations/{int:consultation_id}/views",
    response={201: ParticipationViewOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    summary="居民提交意见（每人一条；截止后拒绝）",
)
def submit_view(request, consultation_id: Id, payload: ParticipationViewIn):
    c = Consultation.objects.filter(pk=consultation_id).first()
    if c is None:
        raise NotFound()
    # A resident's token answers as that resident; any other caller names the resident by name and
    # phone digits, or gives a code.
    user = request.user
    r = services.submit_view(c, payload.text, user=user, code=payload.code, name=payload.name, last4=payload.last4,
                             ip=client_ip(request))  # fmt: skip
    return Status(201, {"consultation": c.pk, "submitted_at": r.submitted_at})


@router.post("/consultations/{int:consultation_id}/summary", response={200: ParticipationConsultationOut, **ERRORS},
             summary="汇总意见（截止后）")  # fmt: skip
def summarise(request, consultation_id: Id, payload: ParticipationSummaryIn):
    return services.summarise_consultation(request.user, consultation_id, summary=payload.summary)


# --- the report's rating part -------------------------------------------------------------------------
class ParticipationRatingRowOut(Schema):
    round: str
    round_id: int
    community: str
    community_code: str
    target: str
    kind: str
    responses: int
    eligible: int | None
    rate: Decimal | None
    overall: Decimal | None
    below: bool = Field(description="总体平均分低于该轮整改线")
    issue_id: int | None


class ParticipationRatingReportOut(Schema):
    rounds: int
    targets: list[ParticipationRatingRowOut]
    follow_ups: int
    participation_rate: Decimal | None = Field(description="居民参与率（%）")
    participants: int
    participants_named: int
    participants_rated: int
    adults: int | None
    formula: str


@router.get(
    "/report/ratings",
    response={200: ParticipationRatingReportOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="居民评议结果与居民参与率",
)
def get_rating_report(
    request,
    scope_code: str | None = Query(None, alias="scope", max_length=12),
    start: Day | None = Query(None),
    end: Day | None = Query(None),
):
    start, end = reports.period(start, end)
    return reports_ratings.rating_report(request.user, scope_code or None, start, end)
