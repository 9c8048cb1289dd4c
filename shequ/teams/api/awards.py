"""/api/v1/teams/awards/: award kinds, rounds (open 推荐中 → reviewing 评审中 → published 已公布),
nominations (pending 待评审 / awarded 当选 / not_awarded 未当选) with the figures drawn from the
data, the review, and the public list of published winners (households by a masked name, persons
by the name they agreed to show)."""

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from shequ.core.api import PUBLIC, Day, ErrorOut, Id, Pagination, PublicPagination, filtered
from shequ.core.errors import NotFound
from shequ.core.services import get_visible
from shequ.org.models import Level, OrgUnit
from shequ.teams.filters_party import AwardRoundFilter
from shequ.teams.models import AwardKind, AwardRound
from shequ.teams.services import awards as services

router = Router(tags=["teams"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class AwardKindOut(Schema):
    id: int
    name: str
    nominee_kind: str = Field(..., description="volunteer / household / resident / member / team")


class AwardRoundOut(Schema):
    id: int
    org: str
    kind: str
    year: int
    title: str
    opens_on: dt.date
    closes_on: dt.date
    places: int
    status: str = Field(..., description="open 推荐中 / reviewing 评审中 / published 已公布")
    published_on: dt.date | None
    version: int

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_kind(obj):
        return obj.kind.name


class AwardNominationOut(Schema):
    id: int
    round_id: int
    nominee_kind: str
    nominee_name: str
    public_name: str
    nominator_name: str
    reason: str
    figures: dict
    result: str = Field(..., description="pending 待评审 / awarded 当选 / not_awarded 未当选")
    review_note: str


class AwardRoundDetailOut(AwardRoundOut):
    nominations: list[AwardNominationOut]

    @staticmethod
    def resolve_nominations(obj):
        return list(obj.nominations.all())


class AwardRoundQuery(Schema):
    kind: Id | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    status: str | None = None
    community: Id | None = None


class AwardRoundIn(Schema):
    org: str = Field(..., description="社区（12 位）或街道（9 位）代码")
    kind: str = Field(..., description="奖项名称，如 优秀志愿者")
    year: int = Field(..., ge=2000, le=2100)
    opens_on: Day
    closes_on: Day
    places: int = Field(10, ge=1, le=1000)
    title: str = ""


class AwardStatusIn(Schema):
    status: str = Field(..., description="reviewing / open / published")


class AwardNominationIn(Schema):
    nominee: Id = Field(..., description="被推荐对象 id（按奖项：志愿者、户、居民、党员或队伍）")
    reason: str
    nominator_name: str = ""
    show_name: bool = Field(False, description="本人同意公示姓名（户始终脱敏）")


class AwardReviewIn(Schema):
    result: str = Field(..., description="awarded / not_awarded")
    note: str = ""


class AwardPublicOut(Schema):
    round: str
    year: int
    kind: str
    published_on: dt.date | None
    winners: list[str]


@router.get("/awards/kinds", response=list[AwardKindOut], summary="表彰奖项")
def list_kinds(request):
    return list(AwardKind.objects.filter(active=True))


@router.get("/awards/rounds", response=list[AwardRoundOut], summary="评选")
@paginate(Pagination)
def list_rounds(request, params: AwardRoundQuery = Query(...)):
    qs = AwardRound.objects.visible_to(request.user).select_related("org", "kind")
    return filtered(request, AwardRoundFilter, qs, params)


@router.get("/awards/rounds/{int:round_id}", response={200: AwardRoundDetailOut, 404: ErrorOut},
            summary="评选及其推荐")  # fmt: skip
def get_round(request, round_id: Id):
    return get_visible(AwardRound, request.user, round_id)


@router.post("/awards/rounds", response={201: AwardRoundOut, **ERRORS}, summary="发起评选")
def create_round(request, payload: AwardRoundIn):
    d = payload.dict()
    return 201, services.create_round(request.user, d.pop("org"), **d)


@router.post("/awards/rounds/{int:round_id}/status", response={200: AwardRoundOut, **ERRORS},
             summary="评选进入评审、退回推荐或公布结果（不允许的变更 409）")  # fmt: skip
def move_round(request, round_id: Id, payload: AwardStatusIn):
    return services.move_round(request.user, round_id, payload.status)


@router.post("/awards/rounds/{int:round_id}/nominations", response={201: AwardNominationOut, **ERRORS},
             summary="推荐（推荐期内，每个对象一次）")  # fmt: skip
def nominate(request, round_id: Id, payload: AwardNominationIn):
    return 201, services.nominate(request.user, round_id, **payload.dict())


@router.post("/awards/nominations/{int:nomination_id}/review", response={200: AwardNominationOut, **ERRORS},
             summary="评审推荐（名额已满 409）")  # fmt: skip
def review(request, nomination_id: Id, payload: AwardReviewIn):
    return services.review(request.user, nomination_id, result=payload.result, note=payload.note)


@router.get("/awards/public/{code}", auth=PUBLIC, response={200: list[AwardPublicOut], 404: ErrorOut},
            summary="已公布的表彰名单（公开；户名脱敏）")  # fmt: skip
@paginate(PublicPagination)
def public_results(request, code: str):
    unit = OrgUnit.objects.filter(code=code[:12], level__in=(Level.COMMUNITY, Level.STREET)).first()
    if unit is None:
        raise NotFound()
    return [{"round": r.title, "year": r.year, "kind": r.kind.name, "published_on": r.published_on,
             "winners": [n.public_name for n in services.winners(r)]}
            for r in services.published(unit.code).order_by("-year", "id")]  # fmt: skip
