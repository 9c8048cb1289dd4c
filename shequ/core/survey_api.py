"""Surveys under /api/v1/core/: the staff's list and results, and for a phone app the public
questions of a survey and the answering of it (with a one-time code, or a resident's token)."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Path, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import scope, surveys
from shequ.core.api import PUBLIC, ErrorOut, Id, Pagination
from shequ.core.errors import Forbidden, NotFound
from shequ.core.middleware import client_ip
from shequ.core.models import Survey
from shequ.core.services import get_visible

router = Router(tags=["surveys"])


def _token():
    return Path(
        ..., max_length=32, pattern=r"^[A-Za-z0-9_-]+$", description="问卷链接中的标识（/s/<token>/）"
    )


class SurveyOut(Schema):
    id: int
    token: str
    org: str
    title: str
    purpose: str
    opens_on: date
    closes_on: date
    verify: str
    per: str
    closed_at: datetime | None
    feeds: str = Field("", description="结束后计入的指标（core.satisfaction 居民满意度），空为不计入")

    @staticmethod
    def resolve_org(obj):
        return obj.org.code


class SurveyCountOut(Schema):
    label: str
    count: int
    percent: Decimal | None


class SurveyQuestionResultOut(Schema):
    id: int
    position: int
    kind: str
    text: str
    ref: str
    answered: int
    average: Decimal | None
    counts: list[SurveyCountOut]
    texts: list[str]


class SurveyResultsOut(Schema):
    id: int
    title: str
    responses: int
    eligible: int | None
    rate: Decimal | None = Field(description="回收率（%）：答卷数 ÷ 应答人数")
    basis: str
    questions: list[SurveyQuestionResultOut]


@router.get("/surveys", response={200: list[SurveyOut], 403: ErrorOut}, summary="问卷（本人管辖范围）")
@paginate(Pagination)
def list_surveys(request):
    if not scope.may_read(request.user, Survey):
        raise Forbidden()
    return Survey.objects.visible_to(request.user).select_related("org")


@router.get(
    "/surveys/{int:survey_id}/results",
    response={200: SurveyResultsOut, 404: ErrorOut},
    summary="问卷各题结果与回收率",
)
def survey_results(request, survey_id: Id):
    survey = get_visible(Survey, request.user, survey_id)
    data = surveys.results(survey)
    questions = [
        {
            "id": r["question"].pk,
            "position": r["question"].position,
            "kind": r["question"].kind,
            "text": r["question"].text,
            "ref": r["question"].ref,
            "answered": r["answered"],
            "average": r["average"],
            "counts": [{"label": label, "count": n, "percent": p} for label, n, p in r["counts"]],
            "texts": r["texts"],
        }
        for r in data["questions"]
    ]
    return {"id": survey.pk, "title": survey.title, **{k: data[k] for k in ("responses", "eligible", "rate", "basis")},
            "questions": questions}  # fmt: skip


class SurveySampleIn(Schema):
    size: int = Field(..., ge=1, le=surveys.MAX_SAMPLE, description="样本量（户或居民数）")


class SurveySampleCodeOut(Schema):
    label: str = Field(description="地址和姓氏，便于把填写码送到本人手中")
    code: str


class SurveySampleOut(Schema):
    batch: int
    codes: list[SurveySampleCodeOut]


@router.post(
    "/surveys/{int:survey_id}/sample",
    response={201: SurveySampleOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="从居民台账随机抽样并为每个样本发放一个填写码（只在此次返回）",
)
def draw_sample(request, payload: SurveySampleIn, survey_id: Id):
    batch, codes = surveys.draw_sample(request.user, survey_id, payload.size)
    return Status(201, {"batch": batch, "codes": codes})


class SurveyFeedsIn(Schema):
    feeds: str = Field("", max_length=80, description="core.satisfaction，或空字符串取消")


@router.put(
    "/surveys/{int:survey_id}/feeds",
    response={200: SurveyOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="设置问卷结果是否计入居民满意度指标",
)
def set_feeds(request, payload: SurveyFeedsIn, survey_id: Id):
    return surveys.set_feeds(request.user, survey_id, payload.feeds)


# --- answering (public) ----------------------------------------------------------------------------
class SurveyPublicQuestionOut(Schema):
    id: int
    position: int
    kind: str = Field(description="choice 单选（回答选项序号，从 0 起）、rating 评分（1–5）、text 文字")
    text: str
    options: list[str]
    required: bool


class SurveyPublicOut(Schema):
    title: str
    intro: str
    org_name: str
    opens_on: date
    closes_on: date
    open: bool
    verify: str
    per: str
    accepts_name: bool = Field(description="是否也可凭姓名和手机号后四位填写")
    questions: list[SurveyPublicQuestionOut]


def _public_survey(token: str) -> Survey:
    survey = Survey.objects.select_related("org").filter(token=token).first()
    if survey is None:
        raise NotFound()
    return survey


@router.get(
    "/surveys/public/{token}",
    response={200: SurveyPublicOut, 404: ErrorOut},
    auth=PUBLIC,
    summary="问卷题目（公开）",
)
def public_survey(request, token: str = _token()):
    survey = _public_survey(token)
    return {
        "title": survey.title,
        "intro": survey.intro,
        "org_name": survey.org.display_name,
        "opens_on": survey.opens_on,
        "closes_on": survey.closes_on,
        "open": survey.is_open(),
        "verify": survey.verify,
        "per": survey.per,
        "accepts_name": survey.accepts_name,
        "questions": list(survey.questions.all()),
    }


class SurveyAnswerIn(Schema):
    question_id: Id
    option: int | None = Field(None, ge=0, le=99, description="单选题：选项序号（从 0 起）")
    rating: int | None = Field(None, ge=1, le=5, description="评分题：1–5")
    text: str | None = Field(None, max_length=surveys.MAX_TEXT, description="文字题")


class SurveyResponseIn(Schema):
    code: str = Field("", max_length=20, description="社区发放的填写码；带居民账号的令牌时可不填")
    name: str = Field("", max_length=50, description="居民姓名（问卷 accepts_name 时可代替填写码）")
    last4: str = Field("", max_length=4, description="手机号码后四位，与居民台账核对")
    answers: list[SurveyAnswerIn] = Field(max_length=surveys.MAX_QUESTIONS)


class SurveyReceiptOut(Schema):
    submitted_at: datetime
    answered: int


@router.post(
    "/surveys/public/{token}/responses",
    response={201: SurveyReceiptOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=PUBLIC,
    summary="提交答卷（填写码或居民令牌，每人或每户一次）",
)
def answer_survey(request, payload: SurveyResponseIn, token: str = _token()):
    survey = _public_survey(token)
    given = {}
    for a in payload.answers:
        value = a.option if a.option is not None else a.rating if a.rating is not None else a.text
        given[str(a.question_id)] = value
    # Only a bearer token names a resident here: a browser's session cookie is not honoured by an
    # endpoint that takes no CSRF token.
    user = request.user if getattr(request, "api_token", None) else None
    response = surveys.submit_response(survey, given, user=user, code=payload.code, ip=client_ip(request),
                                       name=payload.name, last4=payload.last4)  # fmt: skip
    return Status(201, {"submitted_at": response.submitted_at, "answered": len(given)})
