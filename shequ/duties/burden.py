"""The burden ledger (减负台账) read side: what is active on a community, a street or a district on a
day, measured against the caps and the baseline; the trend; the league table of departments; and
the results of the communities' appraisal of departments.

Everything here only reads, and every read starts from `visible_to(user)`. A figure for a scope is
a handful of grouped queries whatever the number of communities: policies are fetched once for the
scope and matched to communities by code prefix."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, IntegerField, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import registry, scope
from shequ.core.errors import NotFound
from shequ.core.roles import Role, roles_with
from shequ.duties.models import (
    ASPECTS,
    METRIC_FIELDS,
    METRICS,
    AppraisalForm,
    AppraisalRound,
    BurdenEntry,
    DutyPolicy,
    Kind,
    Refusal,
)
from shequ.duties.services.common import ancestor_codes
from shequ.org.models import Level, OrgUnit

PERM = "duties.view_burden"
SUMS = (*METRIC_FIELDS, "hours_per_month", "funding")
MAIN = ("ledgers", "stamps", "signboards", "inspections")  # the trend's lines
BASELINE_METRICS = ("ledgers", "stamps", "signboards")
REFUSAL_WINDOW_DAYS = 365
LABELS = {f: label for f, label, _per_year in METRICS}
ZERO = Decimal("0")


def metric_label(name: str) -> str:
    if name == "hours_per_month":
        return _("工作量（小时/月）")
    if name == "funding":
        return _("随事经费（元）")
    return str(LABELS[name])


def active_q(day: dt.date, prefix: str = "") -> Q:
    """Entries in force on `day`: started, and not ended before it."""
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )


def _sums(prefix_filter: Q | None = None) -> dict:
    kw = {"filter": prefix_filter} if prefix_filter is not None else {}
    return {f: Sum(f, **kw) for f in SUMS}


def _clean(row: dict) -> dict:
    """None (a sum over no rows) as 0; counts as int, hours and money as Decimal."""
    out = {}
    for f in SUMS:
        v = row.get(f)
        out[f] = (v if v is not None else ZERO) if f in ("hours_per_month", "funding") else int(v or 0)
    for k in ("entries", "tasks", "urgent", "unfunded"):
        if k in row:
            out[k] = int(row[k] or 0)
    return out


# --- scope ----------------------------------------------------------------------------------------
def roots(user) -> list[str] | None:
    return scope.scope_codes(user, roles_with(PERM))


def resolve(user, code: str | None) -> OrgUnit:
    """The district, street or community the figures are for; outside the user's scope is not found."""
    rs = roots(user)
    if not code:
        if rs is None:
            node = OrgUnit.objects.filter(level=Level.DISTRICT).order_by("code").first()
            if node is None:
                raise NotFound()
            return node
        if not rs:
            raise NotFound()
        code = rs[0]
    if rs is not None and not any(code.startswith(r) for r in rs):
        raise NotFound()
    node = OrgUnit.objects.filter(
        code=code, level__in=(Level.DISTRICT, Level.STREET, Level.COMMUNITY)
    ).first()
    if node is None:
        raise NotFound()
    return node


def scope_options(user, code: str = "") -> list[tuple[str, str]]:
    """Districts and streets of the user's scope, and the communities of the street `code` lies in
    (all communities only when the scope is one street or less), indented under each other."""
    rs = roots(user)
    street = code[:9] if len(code) >= 9 else ""
    q = Q(level__in=(Level.DISTRICT, Level.STREET))
    if street:
        q |= Q(level=Level.COMMUNITY) & scope.subtree_q("code", street)
    if rs is not None and all(len(r) >= 9 for r in rs):
        q |= Q(level=Level.COMMUNITY)
    units = OrgUnit.objects.filter(q)
    if rs is not None:
        units = units.filter(scope.prefix_q("code", rs))
    depth = {Level.DISTRICT: 0, Level.STREET: 1, Level.COMMUNITY: 2}
    rows = list(units.order_by("code").values_list("code", "name", "level"))
    top = min((depth.get(lv, 0) for _c, _n, lv in rows), default=0)
    return [(c, "\u3000" * (depth.get(lv, 0) - top) + n) for c, n, lv in rows]


def by_street(code: str, rows: list[dict]) -> list[dict]:
    """Per-community rows rolled up to their streets (a district's table), with breach counts."""
    names = dict(
        OrgUnit.objects.filter(scope.subtree_q("code", code), level=Level.STREET).values_list("code", "name")
    )
    out: dict[str, dict] = {}
    for r in rows:
        s = out.setdefault(
            r["code"][:9],
            {"code": r["code"][:9], "name": names.get(r["code"][:9], r["code"][:9]), "communities": 0,
             "breached": 0, "breaches": 0, "entries": 0, "urgent": 0, "hours_per_month": ZERO,
             **{m: 0 for m in METRIC_FIELDS}},
        )  # fmt: skip
        s["communities"] += 1
        s["breached"] += bool(r["over"])
        s["breaches"] += len(r["over"])
        for k in ("entries", "urgent", "hours_per_month", *METRIC_FIELDS):
            s[k] += r[k]
    return list(out.values())


def entries(user, code: str):
    return BurdenEntry.objects.visible_to(user).within(code)


# --- policies -------------------------------------------------------------------------------------
@dataclass
class Policies:
    """The policies that apply inside one scope, matched to a community by the longest code prefix."""

    by_code: dict = field(default_factory=dict)

    @classmethod
    def load(cls, code: str) -> "Policies":
        q = Q(scope_code__in=ancestor_codes(code)) | scope.subtree_q("scope_code", code)
        return cls({p.scope_code: p for p in DutyPolicy.objects.filter(q)})

    def for_code(self, code: str):
        for n in (12, 9, 6):
            p = self.by_code.get(code[:n]) if n <= len(code) else None
            if p is not None:
                return p
        return None

    def caps(self, code: str) -> dict:
        p = self.for_code(code)
        raw = p.caps if p is not None else settings.DUTY_DEFAULT_CAPS
        return {k: int(v) for k, v in (raw or {}).items() if k in METRIC_FIELDS and v not in (None, "")}

    def baseline(self, code: str) -> dict:
        p = self.for_code(code)
        raw = p.baseline if p is not None and p.baseline else settings.DUTY_DEFAULT_BASELINE
        return {k: int(v) for k, v in raw.items() if k in METRIC_FIELDS and v not in (None, "")}


# --- the ledger -----------------------------------------------------------------------------------
def communities_in(code: str) -> list[tuple[str, str]]:
    return list(
        OrgUnit.objects.filter(scope.subtree_q("code", code), level=Level.COMMUNITY)
        .order_by("code")
        .values_list("code", "name")
    )


def totals(user, code: str, day: dt.date) -> dict:
    """Sums of the active entries per metric, with entry, task and urgent counts (one query)."""
    row = (
        entries(user, code)
        .filter(active_q(day))
        .aggregate(
            **_sums(),
            entries=Count("pk"),
            tasks=Count("pk", filter=Q(task__isnull=False)),
            urgent=Count("pk", filter=Q(urgent=True)),
        )
    )
    return _clean(row)


def by_department(user, code: str, day: dt.date) -> list[dict]:
    """Per department: the load, tasks, communities reached, unfunded and urgent tasks, and the
    funding committed and delivered for its active tasks (one grouped query)."""
    task_q = Q(task__isnull=False)
    rows = (
        entries(user, code)
        .filter(active_q(day))
        .values("department")
        .annotate(
            **_sums(),
            entries=Count("pk"),
            tasks=Count("pk", filter=task_q),
            communities=Count("scope_code", distinct=True),
            unfunded=Count("pk", filter=Q(task__funding=0)),  # "funding" names the sum here
            urgent=Count("pk", filter=Q(urgent=True)),
            committed=Sum("task__commitment__amount"),
            delivered=Sum("task__commitment__delivered"),
        )
        .order_by("-tasks", "department")
    )
    rows = list(rows)
    arrived = _arrived_by_department(user, code, day)
    return [
        {
            "department": r["department"],
            **_clean(r),
            "communities": r["communities"],
            "committed": r["committed"] or ZERO,
            "delivered": (arrived.get(r["department"], ZERO) if arrived is not None else r["delivered"])
            or ZERO,
        }
        for r in rows
    ]


def _arrived_by_department(user, code: str, day: dt.date) -> dict | None:
    """The money that really arrived for each department's active tasks, from the module that
    records arrivals (finance), or None when none is installed (then `delivered` is the figure)."""
    pairs = list(
        entries(user, code)
        .filter(active_q(day), task__commitment__isnull=False)
        .values_list("department", "task__commitment__id")
    )
    arrived = registry.task_money_arrived([cid for _d, cid in pairs])
    if arrived is None:
        return None
    out: dict[str, Decimal] = {}
    for d, cid in pairs:
        out[d] = out.get(d, ZERO) + arrived.get(cid, ZERO)
    return out


def by_kind(user, code: str, day: dt.date) -> list[dict]:
    labels = dict(Kind.choices)
    rows = (
        entries(user, code)
        .filter(active_q(day))
        .values("kind")
        .annotate(**_sums(), entries=Count("pk"), tasks=Count("pk", filter=Q(task__isnull=False)))
        .order_by("kind")
    )
    return [{"kind": r["kind"], "label": str(labels.get(r["kind"], r["kind"])), **_clean(r)} for r in rows]


def per_community(user, code: str, day: dt.date, policies: Policies | None = None) -> list[dict]:
    """Every community of the scope with its active load, its caps and the metrics over them."""
    policies = policies or Policies.load(code)
    grouped = {
        r["scope_code"][:12]: r
        for r in entries(user, code)
        .filter(active_q(day))
        .values("scope_code")
        .annotate(**_sums(), entries=Count("pk"), urgent=Count("pk", filter=Q(urgent=True)))
    }
    out = []
    for c, name in communities_in(code):
        load = _clean(grouped.get(c) or {"entries": 0, "urgent": 0})  # a community with no load yet
        caps = policies.caps(c)
        over = {m: (load[m], cap) for m, cap in caps.items() if load[m] > cap}
        out.append({"code": c, "name": name, **load, "caps": caps, "over": over})
    return out


def breaches(rows: list[dict]) -> list[dict]:
    """(community, metric, value, cap) for every metric over its cap, the largest excess first."""
    out = [
        {
            "code": r["code"],
            "community": r["name"],
            "metric": m,
            "label": metric_label(m),
            "value": v,
            "cap": cap,
        }
        for r in rows
        for m, (v, cap) in r["over"].items()
    ]
    out.sort(key=lambda b: (-(b["value"] - b["cap"]), b["code"], b["metric"]))
    return out


def month_ends(day: dt.date, months: int = 12) -> list[dt.date]:
    """The last day of each of the `months - 1` months before `day`'s month, then `day` itself."""
    points = [day]
    first = day.replace(day=1)
    for _i in range(months - 1):
        last = first - dt.timedelta(days=1)
        points.append(last)
        first = last.replace(day=1)
    return list(reversed(points))


def trend(user, code: str, day: dt.date, metrics=MAIN) -> list[dict]:
    """The main metrics at each month end of the last 12 months (one query, conditional sums)."""
    points = month_ends(day)
    # Written as SQL CASEs: 60 Q-filtered aggregates cost more to compile than to run. The dates
    # are bound parameters and the column names come from METRIC_FIELDS, never from input.
    columns = [m for m in metrics if m in METRIC_FIELDS]
    active = "start_date <= %s AND (end_date IS NULL OR end_date >= %s)"

    def when_active(p, then):
        return Sum(RawSQL(f"CASE WHEN {active} THEN {then} ELSE 0 END", (p, p), output_field=IntegerField()))  # noqa: S611

    aggs = {}
    for i, p in enumerate(points):
        aggs[f"n{i}"] = when_active(p, "1")
        for m in columns:
            aggs[f"{m}{i}"] = when_active(p, f'"{m}"')
    row = (
        entries(user, code)
        .filter(start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=points[0]))
        .aggregate(**aggs)
    )
    return [
        {"day": p, "entries": int(row[f"n{i}"] or 0), **{m: int(row[f"{m}{i}"] or 0) for m in columns}}
        for i, p in enumerate(points)
    ]


def _full_departments(user) -> set[str] | None:
    """Departments whose funding and refusals the user sees in full (None: all of them)."""
    ms = scope.memberships(user)
    if any(m.role not in (Role.DEPARTMENT, Role.RESIDENT) for m in ms):
        return None
    return {m.department for m in ms if m.role == Role.DEPARTMENT and m.department}


def league(user, code: str, day: dt.date, departments: list[dict] | None = None) -> list[dict]:
    """Departments by what they hand down: tasks, communities, hours, ledgers, inspections, funding
    committed and delivered, unfunded and urgent tasks, refusals naming them in the last year.
    Department staff see other departments' funding and refusals as unknown (None): funding
    commitments and refusals show them only their own department's."""
    rows = departments if departments is not None else by_department(user, code, day)
    since = day - dt.timedelta(days=REFUSAL_WINDOW_DAYS)
    refusals = dict(
        Refusal.objects.visible_to(user)
        .within(code)
        .filter(received_on__gt=since, received_on__lte=day)
        .values_list("department")
        .annotate(n=Count("pk"))
    )
    full = _full_departments(user)
    out = []
    for r in rows:
        d = r["department"]
        seen = full is None or d in full
        committed, delivered = r["committed"], r["delivered"]
        out.append(
            {
                "department": d,
                "tasks": r["tasks"],
                "communities": r["communities"],
                "hours": r["hours_per_month"],
                "ledgers": r["ledgers"],
                "inspections": r["inspections"],
                "unfunded": r["unfunded"],
                "urgent": r["urgent"],
                "committed": committed if seen else None,
                "delivered": delivered if seen else None,
                "delivery_rate": (delivered / committed if committed else None) if seen else None,
                "refusals": refusals.get(d, 0) if seen else None,
            }
        )
    # Refused departments with no active load still belong in the table.
    listed = {o["department"] for o in out}
    for d, n in refusals.items():
        if d not in listed:
            out.append(
                {"department": d, "tasks": 0, "communities": 0, "hours": ZERO, "ledgers": 0, "inspections": 0,
                 "unfunded": 0, "urgent": 0, "committed": ZERO, "delivered": ZERO, "delivery_rate": None,
                 "refusals": n}
            )  # fmt: skip
    out.sort(key=lambda o: (-o["tasks"], -o["hours"], -(o["refusals"] or 0), o["department"]))
    for i, o in enumerate(out, 1):
        o["rank"] = i
    return out


def baseline(code: str, rows: list[dict], policies: Policies, node: OrgUnit) -> list[dict]:
    """Average per community (and the community itself when the scope is one) against the baseline,
    as a reduction percentage: (baseline − value) / baseline."""
    base = policies.baseline(code)
    n = len(rows)
    out = []
    for m in BASELINE_METRICS:
        if m not in base:
            continue
        avg = Decimal(sum(r[m] for r in rows)) / n if n else ZERO
        b = Decimal(base[m])
        out.append(
            {
                "metric": m,
                "label": metric_label(m),
                "baseline": base[m],
                "average": avg.quantize(Decimal("0.1")),
                "reduction": ((b - avg) / b * 100).quantize(Decimal("0.1")) if b else None,
            }
        )
    for key, label, base_count in registry.burden_baselines(code):
        # A baseline another module keeps (the delegated matters): against the assisting items of
        # the duty lists now in force over the scope.
        now = assisting_items(code)
        b = Decimal(base_count)
        out.append({"metric": key, "label": label, "baseline": base_count, "average": now,
                    "reduction": ((b - now) / b * 100).quantize(Decimal("0.1")) if b else None})  # fmt: skip
    return out


def assisting_items(code: str) -> int:
    """Items of kind 协助 on the duty lists in force over `code` (its own and those above it)."""
    from shequ.duties.models import DutyItem, ListStatus

    day = timezone.localdate()
    lists = Q(duty_list__scope_code__in=[*ancestor_codes(code), code], duty_list__status=ListStatus.PUBLISHED,
              duty_list__effective_from__lte=day) & (Q(duty_list__effective_to__isnull=True)
                                                     | Q(duty_list__effective_to__gte=day))  # fmt: skip
    return DutyItem.objects.filter(lists, kind=Kind.ASSIST).count()


def ledger(user, code: str | None = None, day: dt.date | None = None) -> dict:
    """Everything the burden page shows for one scope on one day."""
    node = resolve(user, code)
    day = day or timezone.localdate()
    policies = Policies.load(node.code)
    rows = per_community(user, node.code, day, policies)
    departments = by_department(user, node.code, day)
    return {
        "node": node,
        "day": day,
        "totals": totals(user, node.code, day),
        "departments": departments,
        "kinds": by_kind(user, node.code, day),
        "communities": rows,
        "breaches": breaches(rows),
        "trend": trend(user, node.code, day),
        "league": league(user, node.code, day, departments),
        "baseline": baseline(node.code, rows, policies, node),
        "measured": registry.burden_measure(user, node.code),
    }


def department_names(user) -> list[str]:
    """Departments seen in tasks, requests and list items, for choosing whom a round appraises."""
    from shequ.duties.models import AdmissionRequest, DutyItem, Task

    names = set(Task.objects.visible_to(user).values_list("department", flat=True).distinct()[:500])
    names |= set(
        AdmissionRequest.objects.visible_to(user).values_list("department", flat=True).distinct()[:500]
    )
    names |= set(DutyItem.objects.visible_to(user).values_list("department", flat=True).distinct()[:500])
    names |= set(BurdenEntry.objects.visible_to(user).values_list("department", flat=True).distinct()[:500])
    return sorted(n for n in names if n)


# --- appraisals -----------------------------------------------------------------------------------
def appraiser_communities(user) -> list[str]:
    """Codes of the communities the user may appraise for (community leads)."""
    return sorted(
        {
            m.scope_code[:12]
            for m in scope.memberships(user)
            if m.role in roles_with("duties.appraise") and len(m.scope_code) >= 12
        }
    )


def rounds_for_community(code: str):
    """Rounds organised by the street or district above a community."""
    return AppraisalRound.objects.filter(scope_code__in=ancestor_codes(code)[:-1] or [""])


def rounds_visible(user):
    """Rounds a user may open: those in their scope, and those above the communities they appraise for."""
    qs = AppraisalRound.objects.visible_to(user)
    codes = {a for c in appraiser_communities(user) for a in ancestor_codes(c)[:-1]}
    if codes:
        qs = AppraisalRound.objects.filter(Q(pk__in=qs.values("pk")) | Q(scope_code__in=sorted(codes)))
    return qs


def may_see_results(user, rnd) -> bool:
    return scope.covers(user, rnd.scope_code, "duties.view_appraisals")


def own_departments(user) -> set[str] | None:
    """The departments whose results a user sees: None for staff who see every department."""
    ms = [m for m in scope.memberships(user) if m.role in roles_with("duties.view_appraisals")]
    if any(m.role != Role.DEPARTMENT for m in ms):
        return None
    return {m.department for m in ms if m.department}


def results(user, rnd) -> list[dict]:
    """Per department: the average of each aspect, the overall average, the number of forms and the
    comments. Department staff get their own department's row only. A community lead who is not
    entitled to the results sees the forms of their own community."""
    forms = AppraisalForm.objects.filter(round=rnd)
    if may_see_results(user, rnd):
        own = own_departments(user)
        if own is not None:
            forms = forms.filter(department__in=own)
    else:
        mine = appraiser_communities(user)
        if not mine:
            return []
        forms = forms.filter(scope_code__in=mine)
    aspects = [a for a, _l in ASPECTS]
    rows = {
        r["department"]: r
        for r in forms.values("department").annotate(n=Count("pk"), **{a: Avg(a) for a in aspects})
    }
    comments: dict[str, list] = {}
    for d, name, text in (
        forms.exclude(comment="")
        .order_by("department", "community__code")
        .values_list("department", "community__name", "comment")
    ):
        comments.setdefault(d, []).append((name, text))
    listed = list(rnd.departments or [])
    own = own_departments(user) if may_see_results(user, rnd) else None
    names = [d for d in listed if own is None or d in own]
    names += sorted(d for d in rows if d not in names)
    out = []
    for d in names:
        r = rows.get(d)
        scores = {a: (round(float(r[a]), 2) if r and r[a] is not None else None) for a in aspects}
        vals = [v for v in scores.values() if v is not None]
        out.append(
            {
                "department": d,
                "forms": r["n"] if r else 0,
                **scores,
                "overall": round(sum(vals) / len(vals), 2) if vals else None,
                "comments": comments.get(d, []),
            }
        )
    out.sort(key=lambda o: (o["overall"] is None, -(o["overall"] or 0), o["department"]))
    return out


def filled(rnd, community_code: str) -> dict[str, AppraisalForm]:
    """The forms one community has submitted in a round, by department."""
    return {f.department: f for f in AppraisalForm.objects.filter(round=rnd, scope_code=community_code)}


# --- export ---------------------------------------------------------------------------------------
def workbook(data: dict, *, exported_by: str = "") -> bytes:
    """The ledger as xlsx: 部门排行 (first, the table most asked for), 各社区与上限, 超限, 按类别, 趋势, 对照基线."""
    import io

    import xlsxwriter

    from shequ.core.excel import _cell

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    red = wb.add_format({"font_color": "#B02A37", "bold": True})
    note = _("%(n)s · %(d)s · 导出人：%(u)s") % {
        "n": data["node"].name,
        "d": data["day"].isoformat(),
        "u": exported_by,
    }

    def sheet(name, headers, rows, flagged=()):
        ws = wb.add_worksheet(str(name)[:31])
        ws.write_row(0, 0, [str(h) for h in headers], head)
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row):
                fmt = red if (i - 1, j) in flagged else None
                v = _cell(float(v) if isinstance(v, Decimal) else v)
                if fmt is not None:
                    ws.write(i, j, v, fmt)
                else:
                    ws.write(i, j, v)
        ws.set_column(0, 0, 22)
        ws.set_column(1, len(headers), 12)
        ws.freeze_panes(1, 1)
        ws.write(len(rows) + 2, 0, note)

    dash = "—"
    sheet(
        _("部门排行"),
        [
            _("排名"),
            _("部门"),
            _("在办任务"),
            _("覆盖社区"),
            _("工作量（小时/月）"),
            _("台账"),
            _("检查（次/年）"),
            _("承诺经费（元）"),
            _("已到位（元）"),
            _("到位率"),
            _("无经费任务"),
            _("紧急任务"),
            _("被拒收次数"),
        ],
        [
            [
                o["rank"],
                o["department"],
                o["tasks"],
                o["communities"],
                o["hours"],
                o["ledgers"],
                o["inspections"],
                dash if o["committed"] is None else o["committed"],
                dash if o["delivered"] is None else o["delivered"],
                dash if o["delivery_rate"] is None else f"{o['delivery_rate'] * 100:.1f}%",
                o["unfunded"],
                o["urgent"],
                dash if o["refusals"] is None else o["refusals"],
            ]
            for o in data["league"]
        ],
    )
    metrics = list(METRIC_FIELDS)
    flagged = set()
    rows = []
    for i, r in enumerate(data["communities"]):
        row = [r["code"], r["name"], r["entries"]]
        for j, m in enumerate(metrics):
            cap = r["caps"].get(m)
            row.append(f"{r[m]} / {cap}" if cap is not None else r[m])
            if m in r["over"]:
                flagged.add((i, 3 + j))
        row += [r["hours_per_month"], r["funding"], len(r["over"])]
        rows.append(row)
    sheet(
        _("各社区与上限"),
        [
            _("社区代码"),
            _("社区"),
            _("在办事项"),
            *[metric_label(m) for m in metrics],
            metric_label("hours_per_month"),
            metric_label("funding"),
            _("超限项数"),
        ],
        rows,
        flagged,
    )
    sheet(
        _("超限"),
        [_("社区代码"), _("社区"), _("指标"), _("数值"), _("上限")],
        [[b["code"], b["community"], b["label"], b["value"], b["cap"]] for b in data["breaches"]],
    )
    sheet(
        _("按类别"),
        [_("类别"), _("在办事项"), *[metric_label(m) for m in SUMS]],
        [[k["label"], k["entries"], *[k[m] for m in SUMS]] for k in data["kinds"]],
    )
    sheet(
        _("趋势"),
        [_("日期"), _("在办事项"), *[metric_label(m) for m in MAIN]],
        [[t["day"], t["entries"], *[t[m] for m in MAIN]] for t in data["trend"]],
    )
    sheet(
        _("对照基线"),
        [_("指标"), _("基线"), _("社区平均"), _("减少（%）")],
        [
            [b["label"], b["baseline"], b["average"], dash if b["reduction"] is None else b["reduction"]]
            for b in data["baseline"]
        ],
    )
    wb.close()
    return buf.getvalue()
