"""The indicators' monthly rollup (CaseMonthly): the trend of 立案数, 结案数, 应结案数 and 按期结案数
per filing month read from a few hundred rows per street instead of every case of twelve months.

A filed case counts once under its *state*: filing month, scope code, handling department, the
month it closed in, the month its deadline falls in, whether it is 挂账 and whether it closed on
time. Every quantity the trend needs "as of" the start of a month M is a sum over states:

    结案数     closed_month < M                    按期结案数  closed_month < M and on_time
    应结案数   not parked and (closed_month < M or deadline_month < M)

so a past month is read from the rollup alone. The current period ("as of" now, inside month M)
adds one small live count: the open cases whose deadline passed earlier this month.

Acts keep the rollup current in their own transaction (`shift`): −1 under the state a case leaves,
+1 under the one it enters. They only insert, so concurrent acts never wait on each other or
deadlock over a shared row; the sweep folds the deltas into one row per state (`compact`). Bulk
writes (the synthetic loader, scope resets) call `rebuild`; `shequ cases rollups --check` compares
the rollup with the cases."""

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Case as Choose
from django.db.models import Count, DateField, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Substr, Trunc, TruncMonth
from django.utils import timezone

from shequ.cases.models import Case, CaseMonthly, Status, files_requests, staff_cases_q
from shequ.core.roles import Role, roles_with
from shequ.core.scope import scope_codes, subtree_q

# A case counts under its community (a grid's cases under the grid's community): the indicators
# are read for communities and above, and six grids' rows would make a street's months six times
# as many. A viewer or a focus at grid level is counted from the cases.
COMMUNITY = 12
STATE = ("month", "scope_code", "handler_department", "closed_month", "deadline_month", "parked", "on_time")
# Statuses of a case not closed: DONE ones always carry closed_at; parked and merged are not due.
_OPEN_DUE = tuple(
    s
    for s in Status
    if s not in (Status.CLOSED, Status.CALLED_BACK, Status.EVALUATED, Status.PARKED, Status.MERGED)
)


def month_of(value) -> dt.date | None:
    """The first day of the local month of a moment (or of a TruncMonth value: a local datetime on
    PostgreSQL, a date elsewhere)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value.replace(day=1)


def state_of(case) -> tuple | None:
    """The state a case is counted under, or None when the trend does not count it."""
    if case.filed_at is None or case.status == Status.MERGED:
        return None
    closed = case.closed_at is not None
    return (
        month_of(case.filed_at),
        case.scope_code[:COMMUNITY],
        case.handler_department or "",
        month_of(case.closed_at),
        month_of(case.deadline),
        case.status == Status.PARKED,
        bool(closed and case.closed_on_time),
    )


def _fields(state: tuple) -> dict:
    return dict(zip(STATE, state, strict=True))


def shift(before: tuple | None, after: tuple | None) -> None:
    """Move one case from state `before` to `after` (either None: it enters or leaves the count).
    Call inside the transaction that changes the case."""
    if before == after:
        return
    rows = [CaseMonthly(**_fields(s), n=n) for s, n in ((before, -1), (after, 1)) if s is not None]
    CaseMonthly.objects.bulk_create(rows)


# --- rebuilding and folding -----------------------------------------------------------------------
def counted_states(cases=None):
    """(state, n) of the cases, grouped in the database."""
    cases = Case.objects.all() if cases is None else cases
    rows = (
        cases.filter(filed_at__isnull=False)
        .exclude(status=Status.MERGED)
        .order_by()
        .annotate(
            _m=Trunc("filed_at", "month", output_field=DateField()),
            _cm=Trunc("closed_at", "month", output_field=DateField()),
            _dm=Trunc("deadline", "month", output_field=DateField()),
            _parked=Choose(
                When(status=Status.PARKED, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            _on_time=Choose(
                When(closed_at__isnull=False, closed_on_time=True, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .annotate(_scope=Substr("scope_code", 1, COMMUNITY))
        .values_list("_m", "_scope", "handler_department", "_cm", "_dm", "_parked", "_on_time")
        .annotate(n=Count("*"))
    )
    for m, scope, dept, cm, dm, parked, on_time, n in rows.iterator(chunk_size=5000):
        yield (m, scope, dept or "", cm, dm, bool(parked), bool(on_time)), n


def rebuild(scope_codes: list[str] | None = None, *, case_model=Case, rollup_model=CaseMonthly) -> int:
    """Recount the rollup from the cases (all, or those under `scope_codes`); returns its rows.
    (The models are parameters for the migration that first fills it.)"""
    from shequ.core.scope import prefix_q

    with transaction.atomic():
        stale = rollup_model.objects.all()
        cases = case_model.objects.all()
        if scope_codes is not None:
            stale = stale.filter(prefix_q("scope_code", scope_codes))
            cases = cases.filter(prefix_q("scope_code", scope_codes))
        stale.delete()
        made = 0
        batch: list = []
        for state, n in counted_states(cases):
            batch.append(rollup_model(**_fields(state), n=n, delta=False))
            if len(batch) >= 5000:
                rollup_model.objects.bulk_create(batch)
                made, batch = made + len(batch), []
        rollup_model.objects.bulk_create(batch)
    return made + len(batch)


def compact(limit: int = 50_000) -> int:
    """Fold the deltas into one row per state (at most `limit` deltas at a time); returns how many
    rows were folded. Only rows it deletes are summed, so acts committing meanwhile are kept."""
    deltas = list(
        CaseMonthly.objects.filter(delta=True).order_by("month").values_list(*STATE).distinct()[:limit]
    )
    if not deltas:
        return 0
    wanted = set(deltas)
    table = CaseMonthly._meta.db_table
    folded = 0
    with transaction.atomic():
        ids = [
            pk
            for pk, *state in CaseMonthly.objects.filter(
                month__in={s[0] for s in wanted}, scope_code__in={s[1] for s in wanted}
            ).values_list("pk", *STATE)
            if tuple(state) in wanted
        ]
        sums: dict[tuple, int] = defaultdict(int)
        cols = ", ".join(connection.ops.quote_name(c) for c in STATE)
        with connection.cursor() as cur:
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                cur.execute(
                    f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(part))}) "  # noqa: S608
                    f"RETURNING {cols}, n",
                    part,
                )
                for *state, n in cur.fetchall():
                    sums[_state(state)] += n
                    folded += 1
        CaseMonthly.objects.bulk_create(
            CaseMonthly(**_fields(s), n=n, delta=False) for s, n in sums.items() if n
        )
    return folded


def _state(raw) -> tuple:
    """A state read back by a raw cursor (SQLite returns dates as text and booleans as 0/1)."""
    m, scope, dept, cm, dm, parked, on_time = raw

    def day(v):
        return dt.date.fromisoformat(v) if isinstance(v, str) else v

    return (day(m), scope, dept, day(cm), day(dm), bool(parked), bool(on_time))


def differences() -> list[tuple[tuple, int, int]]:
    """(state, in the rollup, counted from the cases) wherever the two disagree."""
    stored = {
        tuple(r[k] for k in STATE): r["total"]
        for r in CaseMonthly.objects.order_by().values(*STATE).annotate(total=Sum("n"))
    }
    counted = dict(counted_states())
    out = []
    for state in sorted(set(stored) | set(counted), key=str):
        a, b = stored.get(state, 0), counted.get(state, 0)
        if a != b:
            out.append((state, a, b))
    return out


# --- reading --------------------------------------------------------------------------------------
def trend_sums(user, f, now=None) -> dict[dt.date, dict] | None:
    """n_filed, n_closed, n_due and n_on_time per filing month of the cohort `f` (as
    indicators.cohort defines it), or None when the rollup cannot answer exactly: a unit or category
    filter, a user who files requests as a resident, a viewer or focus at grid level, or a period
    that starts or ends inside a month other than the current one. The caller has checked the user's permission and the filters."""
    if f.unit or f.category or files_requests(user) or len(f.scope_code or "") > COMMUNITY:
        return None
    roots = scope_codes(user, roles_with("cases.view_case") - {Role.DEPARTMENT})
    if roots is not None and any(len(r) > COMMUNITY for r in roots):
        return None  # a grid worker's view
    now = now or timezone.now()
    a, b = f.bounds()
    if a != _start_of_month(a) or (b < now and b != _start_of_month(b)):
        return None
    as_of = f.as_of(now)
    m0 = _start_of_month(as_of)
    m0_day = timezone.localtime(m0).date()
    rows = CaseMonthly.objects.filter(
        month__gte=timezone.localtime(a).date(), month__lt=timezone.localtime(b).date()
    )
    q = staff_cases_q(user)
    if q is not None:
        rows = rows.filter(q)
    if f.scope_code:
        rows = rows.filter(subtree_q("scope_code", f.scope_code))
    current = as_of > m0  # "as of" now, inside month m0: every closed case closed before now
    closed = Q(closed_month__isnull=False) if current else Q(closed_month__lt=m0_day)
    sums = {
        "n_filed": Sum("n"),
        "n_closed": Sum("n", filter=closed),
        "n_on_time": Sum("n", filter=closed & Q(on_time=True)),
        "n_due": Sum("n", filter=Q(parked=False) & (closed | Q(deadline_month__lt=m0_day))),
    }
    out = {r["month"]: r for r in rows.order_by().values("month").annotate(**sums)}
    if current:
        # Open, not 挂账, deadline passed since the month began: the only part not in the rollup.
        live = (
            Case.objects.visible_to(user)
            .within(f.scope_code or None)
            .filter(
                status__in=_OPEN_DUE,
                closed_at__isnull=True,
                filed_at__gte=a,
                filed_at__lt=b,
                deadline__gte=m0,
                deadline__lt=as_of,
            )
        )
        for r in live.order_by().annotate(_m=TruncMonth("filed_at")).values("_m").annotate(k=Count("*")):
            m = month_of(r["_m"])
            row = out.setdefault(m, {"month": m})
            row["n_due"] = (row.get("n_due") or 0) + r["k"]
    return {m: {k: v or 0 for k, v in r.items() if k != "month"} for m, r in out.items()}


def _start_of_month(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
