"""API of the duties module: the burden ledger and the communities' appraisal of departments.

Reads go through `shequ.duties.burden` (which starts from `visible_to`); writes through
`shequ.duties.services`. A community, org or round outside the caller's scope is not found."""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import scope
from shequ.core.api import Day, ErrorOut, Hours, Id, Pagination
from shequ.core.errors import Forbidden, NotFound
from shequ.core.services import require
from shequ.duties import burden as ledger_data
from shequ.duties import services
from shequ.duties.models import ASPECTS, Kind
from shequ.org.models import OrgUnit

router = Router(tags=["duties"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _may_view(user) -> None:
    if not scope.holds(user, ledger_data.PERM):
        raise Forbidden()


def _num(v):
    return float(v) if isinstance(v, Decimal) else v


def _plain(d: dict) -> dict:
    return {k: _num(v) for k, v in d.items()}


# --- the ledger -----------------------------------------------------------------------------------
class BurdenQuery(Schema):
    code: str | None = Field(None, max_length=12, description="区、街道或社区代码；默认本人管辖范围")
    day: Day | None = Field(None, description="统计日期，默认今天")


class BurdenOut(Schema):
    code: str
    name: str
    day: dt.date
    totals: dict
    by_department: list[dict]
    by_kind: list[dict]
    communities: list[dict]
    breaches: list[dict]
    trend: list[dict]
    league: list[dict]
    baseline: list[dict]


def _ledger(user, params: BurdenQuery) -> dict:
    _may_view(user)
    try:
        return ledger_data.ledger(user, params.code or None, params.day or timezone.localdate())
    except NotFound:
        raise Http404() from None


@router.get(
    "/burden",
    response={200: BurdenOut, **ERRORS},
    summary="减负台账：在办事项的台账、盖章、挂牌、检查等合计，按部门、类别、社区，上限与超限，近 12 个月趋势，部门排行，对照基线",
)
def get_burden(request, params: BurdenQuery = Query(...)):
    d = _ledger(request.user, params)
    return {
        "code": d["node"].code,
        "name": d["node"].name,
        "day": d["day"],
        "totals": _plain(d["totals"]),
        "by_department": [_plain(r) for r in d["departments"]],
        "by_kind": [_plain(r) for r in d["kinds"]],
        "communities": [
            {
                **_plain({k: v for k, v in r.items() if k not in ("caps", "over")}),
                "caps": r["caps"],
                "over": sorted(r["over"]),
            }
            for r in d["communities"]
        ],
        "breaches": d["breaches"],
        "trend": d["trend"],
        "league": [_plain(r) for r in d["league"]],
        "baseline": [_plain(r) for r in d["baseline"]],
    }


@router.get(
    "/burden/departments",
    response={200: list[dict], **ERRORS},
    summary="部门排行：在办任务、覆盖社区、工作量、台账、检查、承诺与到位经费、无经费任务、紧急任务、被拒收次数",
)
def burden_departments(request, params: BurdenQuery = Query(...)):
    user = request.user
    _may_view(user)
    try:
        node = ledger_data.resolve(user, params.code or None)
    except NotFound:
        raise Http404() from None
    return [_plain(r) for r in ledger_data.league(user, node.code, params.day or timezone.localdate())]


class EntryIn(Schema):
    community: str = Field(..., min_length=12, max_length=12, description="社区代码")
    department: str = Field(..., min_length=1, max_length=100)
    kind: Kind = Kind.ASSIST
    title: str = Field(..., min_length=1, max_length=200)
    start_date: Day
    end_date: Day | None = None
    ledgers: int = Field(0, ge=0, le=100000)
    forms: int = Field(0, ge=0, le=100000)
    stamps: int = Field(0, ge=0, le=100000)
    signboards: int = Field(0, ge=0, le=100000)
    inspections: int = Field(0, ge=0, le=100000)
    appraisals: int = Field(0, ge=0, le=100000)
    evaluations: int = Field(0, ge=0, le=100000)
    meetings: int = Field(0, ge=0, le=100000)
    data_reports: int = Field(0, ge=0, le=100000)
    hours_per_month: Hours = Decimal("0")


class EntryOut(Schema):
    id: int
    community: str = Field(..., alias="scope_code")
    source: str
    department: str
    kind: str
    title: str
    start_date: dt.date
    end_date: dt.date | None
    burden: dict

    @staticmethod
    def resolve_burden(obj):
        return _plain(obj.burden())


@router.post(
    "/burden/entries", response={201: EntryOut, **ERRORS}, summary="登记社区已承担的常设台账、挂牌、盖章等"
)
def create_entry(request, payload: EntryIn):
    if not scope.covers(request.user, payload.community):
        raise Http404()
    d = payload.dict()
    entry = services.register_entry(
        request.user,
        community=d.pop("community"),
        department=d.pop("department"),
        kind=d.pop("kind"),
        title=d.pop("title"),
        start_date=d.pop("start_date"),
        end_date=d.pop("end_date"),
        **d,
    )
    return Status(201, entry)


# --- appraisals -----------------------------------------------------------------------------------
class RoundOut(Schema):
    id: int
    org: str = Field(..., alias="scope_code")
    org_name: str = Field(..., alias="org.name")
    title: str
    period: str
    opens_on: dt.date
    closes_on: dt.date
    departments: list[str]
    is_open: bool

    @staticmethod
    def resolve_is_open(obj):
        return obj.is_open()


class RoundIn(Schema):
    org: str = Field(..., min_length=6, max_length=9, description="组织评议的区或街道代码")
    title: str = Field(..., min_length=1, max_length=120)
    period: str = Field(..., min_length=1, max_length=20)
    opens_on: Day
    closes_on: Day
    departments: list[str] = Field(..., min_length=1, max_length=200)


class ResultOut(Schema):
    department: str
    forms: int
    cooperation: float | None
    funding: float | None
    burden: float | None
    service: float | None
    overall: float | None
    comments: list[dict]


class RoundResultsOut(Schema):
    round: RoundOut
    results: list[ResultOut]


class FormIn(Schema):
    community: str = Field(..., min_length=12, max_length=12, description="评议社区代码")
    department: str = Field(..., min_length=1, max_length=100)
    cooperation: int = Field(..., ge=1, le=5)
    funding: int = Field(..., ge=1, le=5)
    burden: int = Field(..., ge=1, le=5)
    service: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class FormOut(Schema):
    id: int
    round_id: int
    community: str = Field(..., alias="scope_code")
    department: str
    cooperation: int
    funding: int
    burden: int
    service: int
    comment: str


@router.get(
    "/appraisals", response=list[RoundOut], summary="部门评议：管辖范围内的评议，以及本社区可参加的评议"
)
@paginate(Pagination)
def list_rounds(request):
    return ledger_data.rounds_visible(request.user).select_related("org").order_by("-opens_on", "-pk")


@router.post("/appraisals", response={201: RoundOut, **ERRORS}, summary="发起部门评议（区、街道）")
def create_round(request, payload: RoundIn):
    user = request.user
    org = OrgUnit.objects.filter(code=payload.org).first()
    if org is None or not scope.covers(user, org.code):
        raise Http404()
    require(user, "duties.manage_appraisals", org.code)
    rnd = services.open_round(
        user,
        org=org,
        title=payload.title,
        period=payload.period,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        departments=payload.departments,
    )
    return Status(201, rnd)


@router.get(
    "/appraisals/{int:round_id}",
    response={200: RoundResultsOut, **ERRORS},
    summary="评议结果：各部门各项平均分、综合分、评议表数与意见（部门只见本部门）",
)
def round_results(request, round_id: Id):
    user = request.user
    rnd = ledger_data.rounds_visible(user).select_related("org").filter(pk=round_id).first()
    if rnd is None:
        raise Http404()
    mine = [c for c in ledger_data.appraiser_communities(user) if c.startswith(rnd.scope_code)]
    if not ledger_data.may_see_results(user, rnd) and not mine:
        raise Forbidden()
    rows = ledger_data.results(user, rnd)
    aspects = [a for a, _l in ASPECTS]
    return {
        "round": rnd,
        "results": [
            {
                "department": r["department"],
                "forms": r["forms"],
                **{a: r[a] for a in aspects},
                "overall": r["overall"],
                "comments": [{"community": c, "comment": t} for c, t in r["comments"]],
            }
            for r in rows
        ],
    }


@router.post(
    "/appraisals/{int:round_id}/forms",
    response={201: FormOut, **ERRORS},
    summary="提交评议表（社区书记/主任；每个部门每次一份，1–5 分）",
)
def submit_form(request, round_id: Id, payload: FormIn):
    user = request.user
    if not scope.covers(user, payload.community):
        raise Http404()
    rnd = ledger_data.rounds_for_community(payload.community).filter(pk=round_id).first()
    if rnd is None:
        raise Http404()
    form = services.submit_appraisal(user, rnd.pk, **payload.dict())
    return Status(201, form)
