"""The indicator catalogue under /api/v1/indicators/: the indicators the user may read, their live
figures for a scope or the scopes under it, and dated snapshots (taking them, reading them)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from shequ.core import indicators
from shequ.core.api import ErrorOut
from shequ.core.errors import Forbidden, ValidationFailed

router = Router(tags=["indicators"])
CODE = r"^\d{6}(\d{3}){0,2}$"


def _key():
    return Path(
        ..., max_length=80, pattern=r"^[a-z_]+\.[a-z0-9_]+$", description="指标代码，如 cases.close_rate"
    )


class IndicatorCatalogueOut(Schema):
    key: str
    module: str
    label: str
    unit: str
    formula: str
    reads: list[str]
    scopes: list[str]
    periods: list[str]
    breakdowns: list[str]
    higher_is_better: bool


def _out(ind) -> dict:
    return {
        "key": ind.key, "module": ind.module, "label": str(ind.label), "unit": ind.unit, "formula": str(ind.formula),
        "reads": [_(r) for r in ind.reads], "scopes": list(ind.scopes), "periods": list(ind.periods),
        "breakdowns": list(ind.breakdowns), "higher_is_better": ind.higher_is_better,
    }  # fmt: skip


class IndicatorCatalogueValueOut(Schema):
    code: str
    name: str
    period: str
    start: date
    end: date
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    detail: dict
    snapshot: bool = Field(description="取自快照（否则为实时计算）")
    taken_at: datetime | None = None
    corrected: bool = False


class IndicatorCatalogueValuesQuery(Schema):
    period: str = Field(..., max_length=7, description="统计期：2026、2026-Q3 或 2026-07")
    scope: list[str] = Field(default_factory=list, description="范围代码（可重复）", max_length=600)
    children_of: str | None = Field(None, pattern=CODE, description="改为计算该范围下一级的各街道或社区")
    from_snapshots: bool = Field(False, description="有快照时取快照")


class IndicatorCatalogueSnapshotIn(Schema):
    period: str = Field(..., max_length=7)
    scopes: list[str] = Field(..., min_length=1, max_length=600)


class IndicatorCatalogueSnapshotOut(Schema):
    id: int
    code: str
    start: date
    end: date
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    current: bool
    replaces: int | None
    taken_at: datetime
    taken_by: str
    status: str = Field("", description="new / unchanged / corrected（取数时）")


def _snap(s, status: str = "") -> dict:
    return {"id": s.pk, "code": s.code, "start": s.start, "end": s.end, "value": s.value, "numerator": s.numerator,
            "denominator": s.denominator, "current": s.current, "replaces": s.replaces_id, "taken_at": s.taken_at,
            "taken_by": str(s.taken_by) if s.taken_by_id else "", "status": status}  # fmt: skip


def _codes(values) -> list[str]:
    import re

    codes = [v.strip() for v in values if v and v.strip()]
    bad = [c for c in codes if not re.match(CODE, c)]
    if bad:
        raise ValidationFailed(
            _("范围代码 %(c)s 不对：请填写 6 位区、9 位街道或 12 位社区代码。") % {"c": bad[0][:20]},
            details={"scope": [_("请填写 6 位区、9 位街道或 12 位社区代码。")]},
        )
    return codes


def _names(codes) -> dict[str, str]:
    from shequ.org.models import node_names

    return node_names(set(codes))


@router.get(
    "", response={200: list[IndicatorCatalogueOut], 403: ErrorOut}, summary="指标目录（本人可查看的指标）"
)
def list_indicators(request):
    found = indicators.catalogue(request.user)
    if not found:
        raise Forbidden()
    return [_out(i) for i in found]


@router.get(
    "/{key}", response={200: IndicatorCatalogueOut, 403: ErrorOut, 404: ErrorOut}, summary="一个指标的口径"
)
def get_indicator(request, key: str = _key()):
    ind = indicators.get(key)
    if ind not in indicators.catalogue(request.user):
        raise Forbidden()
    return _out(ind)


@router.get(
    "/{key}/values",
    response={200: list[IndicatorCatalogueValueOut], 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="指标值：若干范围（或某范围下一级各范围）在一个统计期的数值、分子、分母",
)
def indicator_values(request, key: str = _key(), q: Query[IndicatorCatalogueValuesQuery] = None):
    kind, start, end = indicators.parse_period(q.period)
    ind = indicators.get(key)
    if kind not in ind.periods:
        raise ValidationFailed(
            _("指标「%(n)s」不按这种统计期计算，请改用：%(p)s。")
            % {"n": ind.label, "p": "、".join(str(indicators.PERIOD_LABELS.get(p, p)) for p in ind.periods)},
            details={"period": [q.period]},
        )
    codes = _codes(q.scope)
    if q.children_of:
        codes += [c for c, _n in indicators.children(request.user, key, q.children_of)]
    if not codes:
        raise ValidationFailed(
            _("请用 scope 或 children_of 指定范围。"), details={"scope": [_("请指定范围。")]}
        )
    figs = indicators.figures(request.user, key, codes, start, end, from_snapshots=q.from_snapshots)
    names = _names(codes)
    label = indicators.period_label(kind, start)
    return [
        {"code": c, "name": names.get(c, c), "period": label, "start": start, "end": end, "value": f["value"],
         "numerator": f["numerator"], "denominator": f["denominator"], "detail": f.get("detail") or {},
         "snapshot": "taken_at" in f, "taken_at": f.get("taken_at"), "corrected": bool(f.get("corrected"))}
        for c, f in figs.items()
    ]  # fmt: skip


@router.post(
    "/{key}/snapshots",
    response={
        201: list[IndicatorCatalogueSnapshotOut],
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="为若干范围存档指标快照（区、街道管理员）；数值变化时保留旧快照并记为更正",
)
def take_snapshots(request, payload: IndicatorCatalogueSnapshotIn, key: str = _key()):
    _kind, start, end = indicators.parse_period(payload.period)
    codes = _codes(payload.scopes)
    taken = indicators.take_snapshots_checked(request.user, key, codes, start, end)
    return Status(201, [_snap(s, status) for s, status in taken.values()])


@router.get(
    "/{key}/snapshots",
    response={200: list[IndicatorCatalogueSnapshotOut], 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="一个范围、一个统计期的全部快照（现行的和被更正的），新的在前",
)
def read_snapshots(
    request,
    key: str = _key(),
    period: str = Query(..., max_length=7),
    scope: str = Query(..., pattern=CODE),
):
    _kind, start, end = indicators.parse_period(period)
    return [_snap(s) for s in indicators.history(request.user, key, scope, start, end)]
