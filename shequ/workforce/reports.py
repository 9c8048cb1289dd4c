"""The workforce's figures for any scope and date: structure (in the form the reports use),
staffing against the population, and turnover.

Everything is computed from the records, never typed: who was in post on a day comes from the
hire date, the dated exits and returns, and the transfers (a worker counts under the community
they worked for on that day); offices from their terms. Workers are read once per report through
`visible_to(user)` with their movements and offices (three queries), then counted in Python: a
district of 5,000 workers with ten years of history is a few thousand small objects.

Percentages have one decimal, rounded half up, and each dimension's groups add up to the total."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.errors import ValidationFailed
from shequ.core.services import require
from shequ.workforce.models import (
    SOCIAL_WORK,
    VIEW,
    WAYS_UP,
    Body,
    Education,
    ExitReason,
    Gender,
    Movement,
    MovementKind,
    Office,
    Political,
    Population,
    Qualification,
    Source,
    StaffingRatio,
    Title,
    Worker,
)

DEFAULT_RATIO = Decimal(18)
AGE_BANDS = (
    (None, 30, "30岁以下"),
    (31, 35, "31–35岁"),
    (36, 45, "36–45岁"),
    (46, 54, "46–54岁"),
    (55, None, "55岁以上"),
)
YEAR_BANDS = ((None, 3, "不满4年"), (4, 9, "4年以上不满10年"), (10, None, "10年以上"))


@dataclass
class Facts:
    """What the reports need of one worker, with their history."""

    id: int
    gender: str
    birth_date: dt.date
    education: str
    political: str
    source: str
    hired_on: dt.date
    full_time: bool
    org: str  # code of the community or street they work for now
    moves: list = field(default_factory=list)  # (date, kind, from_code, reason), by date
    offices: list = field(default_factory=list)  # (body, title, start, end)
    certified_on: dt.date | None = None  # the first social-work certificate's date

    def in_post(self, day: dt.date) -> bool:
        """In post on `day`: hired by then, and not gone (an exit not followed by a return)."""
        if self.hired_on > day:
            return False
        here = True
        for on, kind, _from, _reason in self.moves:
            if on > day:
                break
            if kind == MovementKind.EXIT:
                here = False
            elif kind == MovementKind.RETURN:
                here = True
        return here

    def org_on(self, day: dt.date) -> str:
        """The code of the unit they worked for on `day` (transfers after it are undone)."""
        code = self.org
        for on, kind, from_code, _reason in reversed(self.moves):
            if on <= day:
                break
            if kind == MovementKind.TRANSFER and from_code:
                code = from_code
        return code

    def offices_on(self, day: dt.date) -> list[tuple[str, str]]:
        return [(b, t) for b, t, start, end in self.offices if start <= day and (end is None or end > day)]


def roster_of(user) -> list[Facts]:
    """Every worker the user may read, with movements and offices (three queries)."""
    require(user, VIEW)
    rows = Worker.objects.visible_to(user).values_list(
        "id", "gender", "birth_date", "education", "political_status", "source", "hired_on", "full_time",
        "scope_code",
    )  # fmt: skip
    facts = {r[0]: Facts(*r) for r in rows}
    # The workers' history by a subquery on the same rule, not a list of thousands of ids.
    mine = Worker.objects.visible_to(user).values("id")
    # Hires are the workers' own hired_on: only what changes a service after it is read.
    changes = (MovementKind.TRANSFER, MovementKind.EXIT, MovementKind.RETURN)
    moves = Movement.objects.filter(worker__in=mine, kind__in=changes).order_by("on", "id")
    for wid, on, kind, code, reason in moves.values_list(
        "worker_id", "on", "kind", "from_org__code", "reason"
    ):
        facts[wid].moves.append((on, kind, code, reason))
    offices = Office.objects.filter(worker__in=mine, body__in=(Body.PARTY, Body.COMMITTEE))
    for wid, body, title, start, end in offices.values_list("worker_id", "body", "title", "start", "end"):
        facts[wid].offices.append((body, title, start, end))
    certs = Qualification.objects.filter(worker__in=mine, kind__in=SOCIAL_WORK).order_by("obtained_on")
    for wid, on in certs.values_list("worker_id", "obtained_on"):
        facts[wid].certified_on = facts[wid].certified_on or on
    return list(facts.values())


def in_post(roster: list[Facts], scope_code: str, day: dt.date, *, full_time: bool = True) -> list[Facts]:
    """Workers in post on `day` under `scope_code` (full-time only by default: the workforce)."""
    return [
        f
        for f in roster
        if (f.full_time or not full_time) and f.in_post(day) and f.org_on(day).startswith(scope_code)
    ]


def percent(n: int, total: int) -> Decimal | None:
    """n / total as a percentage with one decimal, half up (None when total is 0)."""
    if not total:
        return None
    return (Decimal(n) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _years(start: dt.date, day: dt.date) -> int:
    return day.year - start.year - ((day.month, day.day) < (start.month, start.day))


def _band(value: int, bands) -> str:
    for low, high, label in bands:
        if (low is None or value >= low) and (high is None or value <= high):
            return label
    raise AssertionError(value)  # pragma: no cover  (the bands cover every integer)


def _check_scope(user, scope_code: str | None) -> str:
    from shequ.core import scope

    code = scope_code or ""
    if code and not code.isdigit():
        raise ValidationFailed(
            _("范围应为区划代码（数字）。"), details={"scope": [_("请填写区、街道或社区代码。")]}
        )
    if code and not scope.covers(user, code, VIEW):
        from shequ.core.errors import NotFound

        raise NotFound()
    if not code:
        roots = scope.read_roots(user, Worker)
        code = roots[0] if roots and len(roots) == 1 else ""
    return code


def structure(user, scope_code: str | None, day: dt.date | None = None, *, roster=None) -> dict:
    """The workforce's structure under a scope on a day: per dimension the groups with count and
    percent, and the committee roles (两委成员, 主职, 一肩挑, 交叉任职) with count and percent."""
    code = _check_scope(user, scope_code)
    day = day or timezone.localdate()
    people = in_post(roster if roster is not None else roster_of(user), code, day)
    total = len(people)

    def dim(key, label, groups, value):
        counts = Counter(value(f) for f in people)
        return {
            "key": key,
            "label": label,
            "groups": [
                {
                    "key": k,
                    "label": str(lbl),
                    "count": counts.get(k, 0),
                    "percent": percent(counts.get(k, 0), total),
                }
                for k, lbl in groups
            ],
        }

    dims = [
        dim("gender", _("性别"), Gender.choices, lambda f: f.gender),
        dim("age", _("年龄"), [(b[2], _(b[2])) for b in AGE_BANDS], lambda f: _band(_years(f.birth_date, day), AGE_BANDS)),
        dim("education", _("学历"), Education.choices, lambda f: f.education),
        dim("political", _("政治面貌"), Political.choices, lambda f: f.political),
        dim("source", _("来源"), Source.choices, lambda f: f.source),
        dim("years", _("社区工作年限"), [(b[2], _(b[2])) for b in YEAR_BANDS], lambda f: _band(_years(f.hired_on, day), YEAR_BANDS)),
    ]  # fmt: skip
    held = [(f, f.offices_on(day)) for f in people]
    committee = [f for f, o in held if o]
    head = [f for f, o in held if any(t in (Title.SECRETARY, Title.DIRECTOR) for _b, t in o)]
    both_heads = [
        f for f, o in held if (Body.PARTY, Title.SECRETARY) in o and (Body.COMMITTEE, Title.DIRECTOR) in o
    ]
    cross = [f for f, o in held if {b for b, _t in o} >= {Body.PARTY, Body.COMMITTEE}]
    certified = [f for f in people if f.certified_on and f.certified_on <= day]
    roles = [
        {"key": key, "label": label, "count": len(xs), "percent": percent(len(xs), total)}
        for key, label, xs in (
            ("committee", _("两委成员"), committee),
            ("head", _("主职（书记、主任）"), head),
            ("one_shoulder", _("书记、主任“一肩挑”"), both_heads),
            ("cross", _("两委交叉任职"), cross),
            ("certified", _("持社会工作者职业资格证书（持证率）"), certified),
        )
    ]
    return {"scope": code, "date": day, "total": total, "dimensions": dims, "roles": roles}


# --- staffing --------------------------------------------------------------------------------------
def ratio_for(code: str) -> Decimal:
    """Workers required per 10,000 residents where `code` lies (its district's setting, or 18)."""
    if not code:
        return DEFAULT_RATIO
    found = StaffingRatio.objects.filter(org__code=code[:6]).values_list("per_10k", flat=True).first()
    return found if found is not None else DEFAULT_RATIO


def required(ratio: Decimal, residents: int | None) -> int | None:
    """ratio × residents / 10,000, rounded up (a part of a worker is a worker)."""
    if residents is None:
        return None
    return int((ratio * residents / 10000).to_integral_value(rounding=ROUND_CEILING))


def staffing(user, scope_code: str | None, year: int | None = None, *, roster=None) -> dict:
    """常住人口, the ratio, required and actual full-time workers and the gap of a scope in a year
    (actual as of the year's last day, or today in the current year), with a row per community.
    A node's population is its own figure, else the sum of its communities' (saying how many had
    none)."""
    from shequ.org.models import Level, OrgUnit

    code = _check_scope(user, scope_code)
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= today.year + 1:
        raise ValidationFailed(_("年度应在 2000 年至明年之间。"), details={"year": [_("请填写四位年份。")]})
    day = min(dt.date(year, 12, 31), today)
    ratio = ratio_for(code)
    entered = {
        c: (n, src)
        for c, n, src in Population.objects.filter(scope_code__startswith=code, year=year).values_list(
            "scope_code", "residents", "source"
        )
    }
    communities = list(
        OrgUnit.objects.filter(level=Level.COMMUNITY, code__startswith=code)
        .order_by("code")
        .values_list("code", "name")
    )
    roster = roster if roster is not None else roster_of(user)
    here = Counter(f.org_on(day)[:12] for f in in_post(roster, code, day))

    def figures(node: str) -> dict:
        if node in entered:
            residents, source, missing = *entered[node], 0
        elif len(node) >= 12:  # a community without a figure
            residents, source, missing = None, "", 1
        else:
            under = [c for c, _n in communities if c.startswith(node)]
            known = [entered[c][0] for c in under if c in entered]
            residents = sum(known) if known else None
            source, missing = (_("各社区合计") if known else ""), len(under) - len(known)
        need = required(ratio, residents)
        actual = (
            here.get(node, 0) if len(node) >= 12 else sum(n for c, n in here.items() if c.startswith(node))
        )
        return {
            "residents": residents,
            "source": source,
            "communities_missing": missing,
            "ratio": ratio,
            "required": need,
            "actual": actual,
            "gap": None if need is None else need - actual,
        }

    out = {"scope": code, "year": year, "date": day, **figures(code)}
    rows = []
    if len(code) < 12:
        from shequ.org.models import short_name

        rows = [{"code": c, "name": short_name(name), **figures(c)} for c, name in communities]
    out["communities"] = rows
    out["per_community"] = (
        (Decimal(out["actual"]) / len(rows)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if rows
        else None
    )
    return out


# --- turnover --------------------------------------------------------------------------------------
def turnover(user, scope_code: str | None, start: dt.date, end: dt.date, *, roster=None) -> dict:
    """Exits in [start, end] over the average headcount (start and end), by reason and source, and
    per recruitment cohort (workers hired in a year, and how many of them have left by `end`)."""
    code = _check_scope(user, scope_code)
    if start > end:
        raise ValidationFailed(
            _("开始日期不能晚于结束日期。"), details={"from": [_("开始日期不能晚于结束日期。")]}
        )
    roster = roster if roster is not None else roster_of(user)
    exits = []
    for f in roster:
        if not f.full_time:
            continue
        for on, kind, _code, reason in f.moves:
            if (
                kind == MovementKind.EXIT
                and start <= on <= end
                and f.org_on(on - dt.timedelta(days=1)).startswith(code)
            ):
                exits.append((f, reason))
    first, last = len(in_post(roster, code, start)), len(in_post(roster, code, end))
    average = Decimal(first + last) / 2
    by_reason = Counter(r for _f, r in exits)
    by_source = Counter(f.source for f, _r in exits)
    up = sum(n for r, n in by_reason.items() if r in WAYS_UP)
    cohorts = defaultdict(lambda: [0, 0])
    for f in roster:
        if (
            f.full_time
            and start.year <= f.hired_on.year <= end.year
            and f.org_on(f.hired_on).startswith(code)
        ):
            c = cohorts[f.hired_on.year]
            c[0] += 1
            c[1] += not f.in_post(end)

    def rate(n, d):
        return (
            None
            if not d
            else (Decimal(n) * 100 / Decimal(d)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        )

    return {
        "scope": code,
        "from": start,
        "to": end,
        "exits": len(exits),
        "ways_up": up,
        "headcount_start": first,
        "headcount_end": last,
        "average_headcount": average,
        "rate": rate(len(exits), average),
        "by_reason": [
            {"key": k, "label": str(v), "count": by_reason.get(k, 0)} for k, v in ExitReason.choices
        ],
        "by_source": [{"key": k, "label": str(v), "count": by_source.get(k, 0)} for k, v in Source.choices],
        "cohorts": [
            {"year": y, "recruits": c[0], "left": c[1], "rate": rate(c[1], c[0])}
            for y, c in sorted(cohorts.items())
        ],
    }


# --- training --------------------------------------------------------------------------------------
def training(user, scope_code: str | None, year: int | None = None, *, roster=None) -> dict:
    """Training in a year for the full-time workers in post at its end (today in the current year):
    days each (the trainings they signed in to that started in the year) against the minimum
    (MIN_DAYS_HEAD for a 书记 or 主任, MIN_DAYS_OTHER otherwise), coverage (受训面: share with any
    training) and person-times, overall and per community."""
    from shequ.workforce.models import MIN_DAYS_HEAD, MIN_DAYS_OTHER, Attendance

    code = _check_scope(user, scope_code)
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= today.year:
        raise ValidationFailed(_("年度应在 2000 年至今年之间。"), details={"year": [_("请填写四位年份。")]})
    day = min(dt.date(year, 12, 31), today)
    people = in_post(roster if roster is not None else roster_of(user), code, day)
    ids = {f.id for f in people}
    days: dict[int, Decimal] = defaultdict(Decimal)
    times: Counter = Counter()
    rows = Attendance.objects.filter(
        worker__in=Worker.objects.visible_to(user).values("id"), training__start__year=year
    )
    for wid, d in rows.values_list("worker_id", "training__days"):
        if wid in ids:
            days[wid] += d
            times[wid] += 1

    def minimum(f) -> int:
        heads = any(t in (Title.SECRETARY, Title.DIRECTOR) for _b, t in f.offices_on(day))
        return MIN_DAYS_HEAD if heads else MIN_DAYS_OTHER

    short = [f for f in people if days.get(f.id, Decimal(0)) < minimum(f)]
    names = dict(Worker.objects.filter(pk__in=[f.id for f in short]).values_list("pk", "name"))
    by_community: dict[str, list] = defaultdict(list)
    for f in people:
        by_community[f.org_on(day)[:12]].append(f)

    def figures(group: list) -> dict:
        n = len(group)
        trained = sum(1 for f in group if times.get(f.id))
        total = sum((days.get(f.id, Decimal(0)) for f in group), Decimal(0))
        return {
            "in_post": n,
            "trained": trained,
            "coverage": percent(trained, n),
            "person_times": sum(times.get(f.id, 0) for f in group),
            "average_days": (total / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if n else None,
        }

    return {
        "scope": code,
        "year": year,
        "date": day,
        "min_head": MIN_DAYS_HEAD,
        "min_other": MIN_DAYS_OTHER,
        **figures(people),
        "below_minimum": [
            {
                "id": f.id,
                "name": names.get(f.id, ""),
                "days": days.get(f.id, Decimal(0)),
                "minimum": minimum(f),
            }
            for f in sorted(short, key=lambda f: f.org_on(day))
        ],
        "communities": [{"code": c, **figures(g)} for c, g in sorted(by_community.items())],
    }
