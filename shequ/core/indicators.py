"""The indicator catalogue: every module's figures (registered with core.registry), read by key for a
scope and a period, live or from dated snapshots.

An indicator is computed live for the scope a user asks about (through the module's own
`visible_to`), and many scopes at once through the module's `compute_many` when it offers one (one
grouped query instead of one per community). A snapshot stores the figure of one scope and period
as it stood when taken: an assessment, a report or a filled upper-level form reads snapshots, so
last year's result does not move when its data is corrected. Taking a snapshot again keeps an
unchanged figure as it is and records a changed one as a correction of the old (both kept).

Periods are named "2026" (a year), "2026-Q3" (a quarter) or "2026-07" (a month); scopes by their
org code, whose length says the level (6 district, 9 street, 12 community)."""

import calendar
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import registry, scope
from shequ.core.errors import Forbidden, NotFound, ValidationFailed

LEVEL_BY_LENGTH = {6: "district", 9: "street", 12: "community"}
LEVEL_LABELS = {"community": _l("社区"), "street": _l("街道"), "district": _l("区县")}
PERIOD_LABELS = {"year": _l("年度"), "quarter": _l("季度"), "month": _l("月度")}
PERIOD_RE = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")
FIGURE_FIELDS = ("value", "numerator", "denominator")


def level_of(code: str) -> str | None:
    return LEVEL_BY_LENGTH.get(len(code or ""))


def parse_period(label: str) -> tuple[str, dt.date, dt.date]:
    """ "2026" → ("year", 2026-01-01, 2026-12-31); "2026-Q3" → quarter; "2026-07" → month."""
    m = PERIOD_RE.match((label or "").strip())
    if not m:
        raise ValidationFailed(
            _("统计期「%(p)s」格式不对：请写年份（2026）、季度（2026-Q3）或月份（2026-07）。") % {"p": label}
        )
    year = int(m.group(1))
    if m.group(2):
        q = int(m.group(2))
        start = dt.date(year, 3 * q - 2, 1)
        end_month = 3 * q
        return "quarter", start, dt.date(year, end_month, calendar.monthrange(year, end_month)[1])
    if m.group(3):
        month = int(m.group(3))
        return "month", dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    return "year", dt.date(year, 1, 1), dt.date(year, 12, 31)


def period_label(kind: str, start: dt.date) -> str:
    if kind == "month":
        return f"{start.year}-{start.month:02d}"
    if kind == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def get(key: str) -> registry.Indicator:
    ind = registry.indicator(key)
    if ind is None:
        raise NotFound(_("指标「%(k)s」不存在：请从指标目录中选择。") % {"k": key})
    return ind


def catalogue(user=None) -> list[registry.Indicator]:
    """The registered indicators (those the user may read, when a user is given), by key."""
    found = sorted(registry.indicators().values(), key=lambda i: i.key)
    if user is None:
        return found
    return [i for i in found if scope.holds(user, i.perm)]


def check_applies(ind: registry.Indicator, code: str) -> None:
    """Refuse a scope whose level the indicator is not meant for (a community-only figure for a
    district, say): a form or scheme bound to it would be filled with nonsense."""
    level = level_of(code)
    if level is None or level not in ind.scopes:
        names = "、".join(str(LEVEL_LABELS.get(s, s)) for s in ind.scopes)
        raise ValidationFailed(
            _("指标「%(n)s」只适用于%(levels)s一级，不适用于范围 %(c)s。")
            % {"n": ind.label, "levels": names, "c": code},
            code="indicator_scope",
        )


def _check(user, ind: registry.Indicator, codes) -> None:
    if not scope.holds(user, ind.perm):
        raise Forbidden()
    for code in codes:
        check_applies(ind, code)
    if not scope.covers_all(user, codes, ind.perm):
        raise NotFound()


def _figure(raw: dict) -> dict:
    """A compute result as {"value", "numerator", "denominator", "detail"} (Decimals or None)."""
    out = {"detail": {k: v for k, v in (raw or {}).items() if k not in FIGURE_FIELDS}}
    for f in FIGURE_FIELDS:
        v = (raw or {}).get(f)
        if v is None:
            out[f] = None
            continue
        try:
            out[f] = Decimal(str(v))
        except InvalidOperation:
            out[f] = None
    return out


def evaluate(user, key: str, code: str, start: dt.date, end: dt.date) -> dict:
    """The live figure of one scope and period."""
    ind = get(key)
    _check(user, ind, [code])
    return _figure(ind.compute(user, code, start, end))


def evaluate_many(user, key: str, codes, start: dt.date, end: dt.date) -> dict[str, dict]:
    """Live figures of many scopes at once ({code: figure})."""
    ind = get(key)
    codes = list(dict.fromkeys(codes))
    _check(user, ind, codes)
    if ind.compute_many is not None:
        raw = ind.compute_many(user, codes, start, end)
        return {c: _figure(raw.get(c)) for c in codes}
    return {c: _figure(ind.compute(user, c, start, end)) for c in codes}


def _same(snap, fig) -> bool:
    return all(getattr(snap, f) == (fig[f].quantize(Decimal("0.0001")) if fig[f] is not None else None)
               for f in FIGURE_FIELDS)  # fmt: skip


def take_snapshots(user, key: str, codes, start: dt.date, end: dt.date) -> dict[str, tuple]:
    """Compute and store the figures of `codes`: {code: (snapshot, status)} with status "new",
    "unchanged" or "corrected" (the old snapshot kept, no longer current)."""
    from shequ.core.models import IndicatorSnapshot

    figures = evaluate_many(user, key, codes, start, end)
    out = {}
    now = timezone.now()
    with transaction.atomic():
        held = {
            s.code: s
            for s in IndicatorSnapshot.objects.select_for_update().filter(
                key=key, code__in=list(figures), start=start, end=end, current=True
            )
        }
        for code, fig in figures.items():
            old = held.get(code)
            if old is not None and _same(old, fig):
                out[code] = (old, "unchanged")
                continue
            if old is not None:
                old.current = False
                old.save(update_fields=["current", "updated_at"])
            snap = IndicatorSnapshot.objects.create(
                key=key, code=code, start=start, end=end, taken_at=now, taken_by=user, replaces=old,
                detail=fig["detail"], **{f: fig[f] for f in FIGURE_FIELDS},
            )  # fmt: skip
            out[code] = (snap, "corrected" if old is not None else "new")
    return out


def snapshots(user, key: str, codes, start: dt.date, end: dt.date) -> dict:
    """The current snapshots of `codes` the user may read ({code: IndicatorSnapshot})."""
    from shequ.core.models import IndicatorSnapshot

    ind = get(key)
    if not scope.holds(user, ind.perm):
        raise Forbidden()
    rows = IndicatorSnapshot.objects.visible_to(user).filter(
        key=key, code__in=list(codes), start=start, end=end, current=True
    )
    return {s.code: s for s in rows}


def snapshot_figures(user, key: str, codes, start: dt.date, end: dt.date) -> dict:
    """The figures of the current snapshots of `codes` the user may read ({code: figure} with
    "taken_at" and "corrected"): one query, rows read as values, not model instances."""
    from shequ.core.models import IndicatorSnapshot

    ind = get(key)
    if not scope.holds(user, ind.perm):
        raise Forbidden()
    rows = IndicatorSnapshot.objects.visible_to(user).filter(
        key=key, code__in=list(codes), start=start, end=end, current=True
    )
    return {
        r["code"]: {"value": r["value"], "numerator": r["numerator"], "denominator": r["denominator"],
                    "detail": r["detail"], "taken_at": r["taken_at"], "corrected": r["replaces_id"] is not None}
        for r in rows.values("code", *FIGURE_FIELDS, "detail", "taken_at", "replaces_id")
    }  # fmt: skip


def figures(user, key: str, codes, start: dt.date, end: dt.date, *, from_snapshots: bool = False) -> dict:
    """{code: figure} from the current snapshots where there are some (when asked), live for the
    rest; a figure from a snapshot carries "taken_at" and "corrected"."""
    codes = list(dict.fromkeys(codes))
    found = snapshot_figures(user, key, codes, start, end) if from_snapshots else {}
    rest = [c for c in codes if c not in found]
    if rest:
        found.update(evaluate_many(user, key, rest, start, end))
    return {c: found[c] for c in codes}


# --- helpers for the modules' compute functions -----------------------------------------------------
def require(user, perm: str, codes) -> None:
    """The check every compute function makes itself: the permission, then each scope inside the
    part of the user's scope where they hold it (Forbidden, else NotFound)."""
    if not scope.holds(user, perm):
        raise Forbidden()
    if not scope.covers_all(user, [c for c in codes if c], perm):
        raise NotFound()


def percent(numerator, denominator, places: str = "0.1") -> Decimal | None:
    """numerator ÷ denominator × 100, half up (None when the denominator is 0 or None)."""
    if not denominator:
        return None
    return (Decimal(str(numerator)) * 100 / Decimal(str(denominator))).quantize(
        Decimal(places), ROUND_HALF_UP
    )


def ratio(numerator, denominator, places: str = "0.01") -> Decimal | None:
    """numerator ÷ denominator, half up (None when the denominator is 0 or None)."""
    if not denominator:
        return None
    return (Decimal(str(numerator)) / Decimal(str(denominator))).quantize(Decimal(places), ROUND_HALF_UP)


# Above this many scopes of one level, rows are narrowed by the scopes' districts (a handful of
# index ranges) and the grouping keeps only the asked codes, rather than one OR term per scope.
NARROW_ABOVE = 30


def per_scope(qs, codes, aggregates: dict, *, field: str | None = None, by: str | None = None) -> dict:
    """Aggregates of `qs` per scope code: {code: {name: value}} (or, with `by`, {code: {group:
    {name: value}}}). One scope is one aggregate over its subtree; many are one query per code
    length grouped on the code's prefix (Substr(scope_code, 1, 12) for communities), never one
    query per scope. Scopes without rows get {} (sums are then None; read them with `or 0`)."""
    field = field or getattr(qs.model, "scope_field", "scope_code")
    codes = list(dict.fromkeys(codes))
    out: dict = {c: {} for c in codes}
    if len(codes) == 1:
        one = qs.order_by().filter(scope.subtree_q(field, codes[0])) if codes[0] else qs.order_by()
        if by is None:
            out[codes[0]] = one.aggregate(**aggregates)
        else:
            out[codes[0]] = {r.pop(by): r for r in one.values(by).annotate(**aggregates)}
        return out
    lengths: dict[int, list[str]] = {}
    for c in codes:
        lengths.setdefault(len(c), []).append(c)
    for length, group in lengths.items():
        wanted = set(group)
        roots = group if len(group) <= NARROW_ABOVE else sorted({c[: min(6, length)] for c in group})
        rows = (
            qs.order_by()
            .filter(scope.prefix_q(field, roots))
            .annotate(_scope=Substr(field, 1, length))
            .values("_scope", *([by] if by else []))
            .annotate(**aggregates)
        )
        for r in rows:
            code = r.pop("_scope")
            if code not in wanted:
                continue
            if by is None:
                out[code] = r
            else:
                out[code][r.pop(by)] = r
    return out


def single(many):
    """compute(user, code, start, end) from compute_many (for figures computed over rows of the
    whole scope at once, where one scope is the same work as many)."""

    def compute(user, code, start, end):
        return many(user, [code], start, end)[code]

    compute.__doc__ = many.__doc__
    return compute


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end] as aware datetimes [start 00:00, the day after end 00:00) in local time."""
    tz = timezone.get_current_timezone()
    a = timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz)
    b = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz)
    return a, b


def as_of(end: dt.date) -> dt.date:
    """The day a state figure is read on: the period's last day, or today within the period."""
    return min(end, timezone.localdate())


def fold(rows: dict, codes) -> dict:
    """{scope code: sum of the values of the row codes under it} from {row code: number}: figures
    computed per row (a community, a room) rolled up to the asked scopes by code prefix."""
    out = {c: 0 for c in codes}
    for rc, v in rows.items():
        for c in scopes_of(rc, out):
            out[c] += v
    return out


def scopes_of(row_code: str, codes) -> list[str]:
    """The asked codes (a dict or set) a row's code lies under, by its prefixes of 12, 9 and 6."""
    return [row_code[:n] for n in (12, 9, 6, 4, 2) if len(row_code) >= n and row_code[:n] in codes]


def common_root(user, codes, perm: str) -> str:
    """The narrowest org code above all of `codes` that the user's scope covers ("" for the whole
    scope): the subtree a whole-scope report is run over once for many scopes."""
    import os.path

    prefix = os.path.commonprefix(list(codes)) if codes else ""
    for n in (12, 9, 6):
        if len(prefix) >= n and scope.covers(user, prefix[:n], perm):
            return prefix[:n]
    return ""


# --- who may take snapshots, and the scopes under a scope -------------------------------------------
def snapshot_roots(user, key: str) -> list[str] | None:
    """Where the user may take snapshots of `key`: the scope of their district or street role
    (or system administrator) holding the indicator's permission (None: everywhere)."""
    from shequ.core.roles import Role, membership_holds

    ind = get(key)
    held = [m for m in scope.memberships(user)
            if m.role in (Role.SYSADMIN, Role.DISTRICT, Role.STREET) and membership_holds(m, ind.perm)]  # fmt: skip
    return scope._roots(held)


def may_snapshot(user, key: str, code: str | None = None) -> bool:
    roots = snapshot_roots(user, key)
    if roots is None:
        return True
    if code is None:
        return bool(roots)
    return any(code.startswith(r) for r in roots)


def take_snapshots_checked(user, key: str, codes, start: dt.date, end: dt.date) -> dict[str, tuple]:
    """take_snapshots, for a district or street role holding the indicator's permission only."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        raise ValidationFailed(_("请至少选择一个范围。"), details={"scopes": [_("请至少选择一个范围。")]})
    ind = get(key)
    _check(user, ind, codes)
    for code in codes:
        if not may_snapshot(user, key, code):
            raise Forbidden(_("只有区、街道管理员可以为指标存档快照。"))
    return take_snapshots(user, key, codes, start, end)


def history(user, key: str, code: str, start: dt.date, end: dt.date) -> list:
    """Every snapshot of one scope and period, newest first: the current one and those it corrected."""
    from shequ.core.models import IndicatorSnapshot

    ind = get(key)
    _check(user, ind, [code])
    return list(
        IndicatorSnapshot.objects.visible_to(user)
        .filter(key=key, code=code, start=start, end=end)
        .select_related("taken_by")
        .order_by("-taken_at", "-pk")
    )


def children(user, key: str, code: str) -> list[tuple[str, str]]:
    """(code, name) of the scopes one level below `code` that the indicator applies to (the streets
    of a district, the communities of a street) and the user may read it for."""
    from django.apps import apps

    ind = get(key)
    _check(user, ind, [code])
    OrgUnit = apps.get_model("org", "OrgUnit")
    level = {6: "street", 9: "community"}.get(len(code))
    if level is None or level not in ind.scopes:
        return []
    rows = OrgUnit.objects.filter(scope.subtree_q("code", code), level=level).order_by("code")
    return [(c, n) for c, n in rows.values_list("code", "name") if scope.covers(user, c, ind.perm)]
