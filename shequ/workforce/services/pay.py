"""Grades and pay, contracts and insurance: the acts (one function each, in a transaction, with
its change-log entry) and the reports read from them.

The base pay of a year is never typed: for each month the worker is in post on the 1st, the grade
and step they hold that day (their latest placement) is looked up in that year's table of their
scheme, and the months are added up. A pay record for a year whose table is missing, or for a
worker not yet placed, is refused with the reason; when a table or a placement changes, the pay
records it touches are recomputed."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import changelog, notify, services
from shequ.core import scope as scopes
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import Action, Membership, User
from shequ.core.periodic import run_on_read
from shequ.core.roles import Role
from shequ.core.services import get_visible, require
from shequ.org.models import Level, OrgUnit
from shequ.workforce import reports
from shequ.workforce.models import (
    MANAGE_PAY_POLICY,
    VIEW_SENSITIVE,
    AverageWage,
    Contract,
    Grade,
    GradePlacement,
    GradeScheme,
    Insurance,
    InsuranceKind,
    Movement,
    MovementKind,
    PayRate,
    PayRecord,
    PayTable,
    Source,
    Status,
    Worker,
)
from shequ.workforce.models.pay import gross_of
from shequ.workforce.services.roster import _invalid, _locked, choice

CENT = Decimal("0.01")
MONEY_MAX = Decimal("10000000")
PAY_FIELDS = (
    "performance",
    "allowances",
    "bonus",
    "employer_insurance",
    "employer_housing_fund",
    "personal_insurance",
    "personal_housing_fund",
)
REMIND_DAYS = 60  # a contract ending within this many days is due (the page may ask for another span)


def _labels() -> dict:
    return {f: str(PayRecord._meta.get_field(f).verbose_name) for f in PAY_FIELDS}


def money(value, field: str, label: str, *, required: bool = False) -> Decimal:
    """An amount in yuan: a number from 0 to 10,000,000, to the fen."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _invalid(field, _("请填写%(l)s（元）。") % {"l": label})
        return Decimal("0.00")
    try:
        amount = Decimal(str(value).strip().replace(",", "")).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise _invalid(field, _("%(l)s请填写数字（元），如 2100 或 2100.50。") % {"l": label}) from None
    if not Decimal(0) <= amount <= MONEY_MAX:
        raise _invalid(field, _("%(l)s应在 0 到 10,000,000 元之间。") % {"l": label})
    return amount


def _year(year, field: str = "year") -> int:
    today = timezone.localdate()
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= today.year + 1:
        raise _invalid(field, _("年度应在 2000 年至明年之间。"))
    return year


def _whole(value, field: str, low: int, high: int, message: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise _invalid(field, message) from None
    if isinstance(value, bool) or not low <= n <= high or str(value).strip() not in (str(n), f"{n}.0"):
        raise _invalid(field, message)
    return n


def _policy_unit(actor, code: str, field: str) -> OrgUnit:
    """A city, district or street of the actor's scope where they set pay policy."""
    unit = OrgUnit.objects.filter(code=(code or "").strip()).first()
    if unit is not None and not scopes.covers(actor, unit.code):
        raise NotFound()
    if unit is None or unit.level not in (Level.CITY, Level.DISTRICT, Level.STREET):
        raise _invalid(field, _("请填写市（4 位）、区（6 位）或街道（9 位）代码。"))
    require(actor, MANAGE_PAY_POLICY, unit.code)
    return unit


def ancestors(code: str) -> list[str]:
    """The code and the codes of the nodes above it (province to community)."""
    return [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]


# --- grade schemes and their tables ------------------------------------------------------------------
def templates() -> list[GradeScheme]:
    """The shipped schemes (三岗十八级, 三级九档) with their grades."""
    return list(
        GradeScheme.objects.filter(org__isnull=True).prefetch_related("grades", "tables").order_by("name")
    )


def applicable_schemes(code: str):
    """The schemes of the units above (or at) a code, nearest first."""
    return (
        GradeScheme.objects.filter(org__isnull=False, scope_code__in=ancestors(code))
        .select_related("org")
        .order_by("-scope_code", "name")
    )


def schemes_for(user):
    """The schemes a user reads: those of their scope and those of the units above it (a community
    reads its street's and district's scheme), nearest first."""
    roots = scopes.read_roots(user, GradeScheme)
    qs = GradeScheme.objects.filter(org__isnull=False).select_related("org")
    if roots is not None:
        above = {a for r in roots for a in ancestors(r)}
        qs = qs.filter(scopes.prefix_q("scope_code", roots) | Q(scope_code__in=above))
    return qs.prefetch_related("grades", "tables").order_by("scope_code", "name")


def _grade_rows(grades) -> list[tuple[str, int, int, str]]:
    rows, seen = [], set()
    if not grades:
        raise _invalid("grades", _("请列出本体系的等级（名称和档次范围）。"))
    if len(grades) > 20:
        raise _invalid("grades", _("一个等级体系最多 20 个等级。"))
    for g in grades:
        name = str(g.get("name") or "").strip()
        if not name or len(name) > 20:
            raise _invalid("grades", _("等级名称应为 1 到 20 个字。"))
        if name in seen:
            raise _invalid("grades", _("等级“%(g)s”重复。") % {"g": name})
        seen.add(name)
        msg = _("%(g)s的档次范围应为 1 到 30 之间的整数，最低不高于最高。") % {"g": name}
        low = _whole(g.get("min_step", 1), "grades", 1, 30, msg)
        high = _whole(g.get("max_step"), "grades", 1, 30, msg)
        if low > high:
            raise _invalid("grades", msg)
        rows.append((name, low, high, str(g.get("note") or "").strip()[:100]))
    return rows


@transaction.atomic
def create_scheme(
    actor,
    org_code: str,
    *,
    template=None,
    name: str = "",
    grades=None,
    step_label: str = "",
    years_per_step=3,
    appraisal_count=3,
    appraisal_min: str = "称职",
    note: str = "",
) -> GradeScheme:
    """A district's or street's own grade scheme: a copy of a template's grades (三岗十八级, 三级九档,
    by id or name) or grades of its own, with the rule for stepping up (years in the step; the last
    `appraisal_count` appraisal grades at least `appraisal_min`, 0 for none)."""
    unit = _policy_unit(actor, org_code, "org")
    tpl = None
    if template not in (None, ""):
        shipped = GradeScheme.objects.filter(org__isnull=True)
        text = str(template).strip()
        tpl = shipped.filter(Q(name=text) | Q(pk=int(text) if text.isdigit() else -1)).first()
        if tpl is None:
            names = "、".join(shipped.order_by("name").values_list("name", flat=True))
            raise _invalid("template", _("模板应为：%(n)s。") % {"n": names})
    if grades:
        rows = _grade_rows(grades)
    elif tpl is not None:
        rows = [(g.name, g.min_step, g.max_step, g.note) for g in tpl.grades.order_by("order", "id")]
    else:
        raise _invalid("template", _("请选择模板，或列出本体系的等级。"))
    name = (name or "").strip()[:60] or (f"{unit.display_name}{tpl.name}" if tpl else "")
    if not name:
        raise _invalid("name", _("请填写等级体系的名称。"))
    step_label = (step_label or "").strip()[:4] or (tpl.step_label if tpl else "档")
    years = _whole(years_per_step, "years_per_step", 1, 10, _("晋档年限应为 1 到 10 年。"))
    count = _whole(
        appraisal_count, "appraisal_count", 0, 5, _("考核要求的次数应为 0 到 5 次（0 表示不看考核）。")
    )
    minimum = (appraisal_min or "").strip()[:10]
    if count and not minimum:
        raise _invalid("appraisal_min", _("请填写考核等次的最低要求，如“称职”。"))
    if GradeScheme.objects.filter(org=unit, name=name).exists():
        raise Conflict(
            _("%(u)s已有名为“%(n)s”的等级体系。") % {"u": unit.display_name, "n": name}, code="duplicate"
        )
    scheme = GradeScheme.objects.create(
        org=unit, name=name, step_label=step_label, years_per_step=years, appraisal_count=count,
        appraisal_min=minimum if count else "", template=tpl, note=(note or "").strip()[:200],
    )  # fmt: skip
    Grade.objects.bulk_create(
        [Grade(scheme=scheme, name=n, order=k, min_step=lo, max_step=hi, note=who)
         for k, (n, lo, hi, who) in enumerate(rows, start=1)]
    )  # fmt: skip
    after = changelog.snapshot(scheme) | {"grades": [f"{n} {lo}–{hi}{step_label}" for n, lo, hi, _w in rows]}
    changelog.record(actor, Action.CREATE, scheme, after=after)
    return scheme


def _scheme_grade(scheme: GradeScheme, grade, field: str = "grade") -> Grade:
    grades = list(scheme.grades.all())
    text = str(grade if grade is not None else "").strip()
    for g in grades:
        if text in (g.name, str(g.pk)):
            return g
    raise _invalid(
        field,
        _("“%(g)s”不是“%(s)s”中的等级，应为：%(n)s。")
        % {"g": text[:20], "s": scheme.name, "n": "、".join(g.name for g in grades)},
    )


def _step_in(scheme: GradeScheme, grade: Grade, step, field: str = "step") -> int:
    msg = _("%(g)s的%(l)s应在 %(a)d 至 %(b)d 之间。") % {
        "g": grade.name, "l": scheme.step_label, "a": grade.min_step, "b": grade.max_step,
    }  # fmt: skip
    return _whole(step, field, grade.min_step, grade.max_step, msg)


def _rate_items(rates) -> list[tuple]:
    """(grade, step, amount) from a list of {grade, step, monthly} or a {(grade, step): amount}."""
    if isinstance(rates, dict):
        return [(g, s, a) for (g, s), a in rates.items()]
    return [(r.get("grade"), r.get("step"), r.get("monthly")) for r in rates or []]


@transaction.atomic
def set_pay_table(actor, scheme_pk, *, year, rates, source: str = "") -> PayTable:
    """A scheme's monthly base pay in a year for every grade and step (a table is entered whole);
    the pay records it counts in are recomputed."""
    scheme = get_visible(GradeScheme, actor, scheme_pk, for_update=True)
    if scheme.is_template:
        raise Conflict(
            _("模板只列等级，不录入金额；请先采用模板建立本区或本街道的等级体系。"), code="template"
        )
    require(actor, MANAGE_PAY_POLICY, scheme.scope_code)
    year = _year(year)
    got: dict[tuple[int, int], Decimal] = {}
    grades = {g.pk: g for g in scheme.grades.all()}
    for grade, step, amount in _rate_items(rates):
        g = _scheme_grade(scheme, grade, "rates")
        s = _step_in(scheme, g, step, "rates")
        if (g.pk, s) in got:
            raise _invalid("rates", _("%(c)s填写了两次。") % {"c": g.label(s)})
        value = money(amount, "rates", g.label(s), required=True)
        if not value:
            raise _invalid("rates", _("%(c)s的月基本工资应大于 0。") % {"c": g.label(s)})
        got[(g.pk, s)] = value
    missing = [g.label(s) for g in grades.values() for s in g.steps() if (g.pk, s) not in got]
    if missing:
        shown = "、".join(missing[:6]) + (_("等 %(n)d 项") % {"n": len(missing)} if len(missing) > 6 else "")
        raise _invalid("rates", _("工资表须填写每个等级的每一档，尚缺：%(m)s。") % {"m": shown})
    source = (source or "").strip()[:100]
    table = PayTable.objects.select_for_update().filter(scheme=scheme, year=year).first()
    before = None
    if table is None:
        table = PayTable.objects.create(scheme=scheme, year=year, source=source)
    else:
        before = {"source": table.source} | {
            grades[r.grade_id].label(r.step): str(r.monthly)
            for r in table.rates.all()
            if r.grade_id in grades
        }
        table.rates.all().delete()
        table.source = source
        table.save(update_fields=["source", "updated_at"])
    PayRate.objects.bulk_create(
        [PayRate(table=table, grade_id=g, step=s, monthly=v) for (g, s), v in got.items()]
    )
    after = {"source": source} | {grades[g].label(s): str(v) for (g, s), v in got.items()}
    changelog.record(actor, Action.UPDATE if before else Action.CREATE, table, before=before, after=after,
                     scope_code=scheme.scope_code)  # fmt: skip
    touched = PayRecord.objects.filter(year=year, worker__grades__scheme=scheme).distinct()
    _recompute(actor, touched)
    return table


def table_rates(scheme: GradeScheme, year: int) -> dict[tuple[int, int], Decimal] | None:
    """{(grade id, step): monthly} of a scheme's table for a year, or None when there is none."""
    table = PayTable.objects.filter(scheme=scheme, year=year).first()
    if table is None:
        return None
    return {(g, s): m for g, s, m in table.rates.values_list("grade_id", "step", "monthly")}


# --- placements --------------------------------------------------------------------------------------
def scheme_of(worker: Worker, scheme=None) -> GradeScheme:
    """The scheme a worker is placed in: the one named, if it applies where they work, else the
    nearest unit's (their street's before their district's)."""
    found = list(applicable_schemes(worker.scope_code))
    if scheme not in (None, ""):
        text = str(scheme).strip()
        for s in found:
            if text in (str(s.pk), s.name):
                return s
        names = "、".join(s.name for s in found) or _("（无）")
        raise _invalid(
            "scheme",
            _("“%(s)s”不适用于%(u)s，可选：%(n)s。")
            % {"s": text[:60], "u": worker.org.display_name, "n": names},
        )
    if not found:
        raise _invalid(
            "grade",
            _("%(u)s所在的街道和区尚未建立等级体系，请先在“等级工资标准”中采用模板。")
            % {"u": worker.org.display_name},
        )
    nearest = [s for s in found if s.scope_code == found[0].scope_code]
    if len(nearest) > 1:
        raise _invalid("scheme", _("请指定等级体系：%(n)s。") % {"n": "、".join(s.name for s in nearest)})
    return nearest[0]


@transaction.atomic
def place_grade(actor, worker_pk, *, grade, step, on, scheme=None, note: str = "") -> GradePlacement:
    """定级、晋档: from `on` the worker holds `grade` and `step` of their unit's scheme. A grade not in
    the scheme, or a step outside the grade's range, is refused with the reason. The pay records of
    the years from `on` are recomputed."""
    worker = _locked(actor, worker_pk)
    if worker.status != Status.ACTIVE:
        raise Conflict(_("%(n)s已离开，不能定级。") % {"n": worker.name}, code="state")
    sch = scheme_of(worker, scheme)
    g = _scheme_grade(sch, grade)
    s = _step_in(sch, g, step)
    if not isinstance(on, dt.date):
        raise _invalid("on", _("请填写起始日期。"))
    if on < worker.hired_on or on > timezone.localdate():
        raise _invalid(
            "on", _("起始日期应在参加社区工作时间（%(d)s）与今天之间。") % {"d": worker.hired_on.isoformat()}
        )
    if GradePlacement.objects.filter(worker=worker, on=on).exists():
        raise Conflict(
            _("%(n)s在 %(d)s 已有定级记录。") % {"n": worker.name, "d": on.isoformat()}, code="duplicate"
        )
    p = GradePlacement.objects.create(worker=worker, scheme=sch, grade=g, step=s, on=on,
                                      note=(note or "").strip()[:200])  # fmt: skip
    changelog.record(actor, Action.CREATE, p, after={"scheme": sch.name, "grade": p.label, "on": on.isoformat(),
                                                     "note": p.note}, scope_code=worker.scope_code)  # fmt: skip
    _recompute(actor, PayRecord.objects.filter(worker=worker, year__gte=on.year))
    return p


def placement_on(worker_id: int, day: dt.date) -> GradePlacement | None:
    """The grade and step a worker held on a day (their latest placement on or before it)."""
    return (
        GradePlacement.objects.filter(worker_id=worker_id, on__lte=day)
        .select_related("grade", "scheme")
        .order_by("-on", "-id")
        .first()
    )


STEP_STATUS = {
    "not_placed": _l("尚未定级"),
    "top": _l("已到本等级最高档"),
    "not_yet": _l("未满晋档年限"),
    "pending_appraisal": _l("待考核结果"),
    "appraisal_failed": _l("考核未达要求"),
    "due": _l("可晋档"),
}


@dataclass
class StepAdvice:
    """Whether a worker is due to step up on a day, and why (see `step_due`)."""

    worker_id: int
    status: str
    label: str = ""
    since: dt.date | None = None
    years_in_step: int = 0
    years_required: int = 0
    due_on: dt.date | None = None
    next_step: int | None = None
    next_label: str = ""
    appraisal_years: tuple = ()
    appraisal_min: str = ""
    appraisal: bool | None = None
    extra: dict = field(default_factory=dict)

    @property
    def status_label(self) -> str:
        return str(STEP_STATUS[self.status])

    @property
    def years_met(self) -> bool:
        return self.status in ("pending_appraisal", "appraisal_failed", "due")

    @property
    def message(self) -> str:
        """The advice in a sentence."""
        if self.status == "not_placed":
            return _("尚未定级。")
        if self.status == "top":
            return _("现为%(l)s，已是本等级最高档。") % {"l": self.label}
        if self.status == "not_yet":
            return _("现为%(l)s（%(d)s 起），满 %(y)d 年（%(due)s）可晋至%(n)s。") % {
                "l": self.label, "d": self.since.isoformat(), "y": self.years_required,
                "due": self.due_on.isoformat(), "n": self.next_label,
            }  # fmt: skip
        years = "、".join(str(y) for y in self.appraisal_years)
        need = _("%(y)s 年度考核均不低于“%(m)s”") % {"y": years, "m": self.appraisal_min}
        if self.status == "pending_appraisal":
            return _("已满 %(y)d 年，可晋至%(n)s；待考核结果（须%(need)s）。") % {
                "y": self.years_required, "n": self.next_label, "need": need,
            }  # fmt: skip
        if self.status == "appraisal_failed":
            return _("已满 %(y)d 年，但未达考核要求（须%(need)s），暂不晋档。") % {
                "y": self.years_required,
                "need": need,
            }
        return _("已满 %(y)d 年%(a)s，可晋至%(n)s。") % {
            "y": self.years_required, "n": self.next_label,
            "a": _("且%(need)s") % {"need": need} if self.appraisal_years else "",
        }  # fmt: skip


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def step_due(worker, on: dt.date | None = None, *, appraisal_ok=None, placement=None) -> StepAdvice:
    """Is the worker due to step up on `on` (today by default)? The years rule comes from the
    scheme's data (`years_per_step` in the current step); the appraisal part (the last
    `appraisal_count` years' grades at least `appraisal_min`) is asked of `appraisal_ok(worker_id,
    years) -> bool | None`, `years` being the tuple of those appraisal years; by default the closed
    annual appraisals (`appraisal.step_checker`: each year's grade must allow a step). When it
    answers None (a year not yet appraised), the advice says so (status "pending_appraisal",
    待考核结果) rather than guess."""
    worker_id = getattr(worker, "pk", worker)
    on = on or timezone.localdate()
    p = placement if placement is not None else placement_on(worker_id, on)
    if p is None:
        return StepAdvice(worker_id, "not_placed")
    sch, g = p.scheme, p.grade
    advice = StepAdvice(
        worker_id, "not_yet", label=p.label, since=p.on, years_in_step=reports._years(p.on, on),
        years_required=sch.years_per_step, due_on=_add_years(p.on, sch.years_per_step),
    )  # fmt: skip
    if p.step >= g.max_step:
        advice.status = "top"
        return advice
    advice.next_step = p.step + 1
    advice.next_label = f"{g.name}{p.step + 1}{sch.step_label}"  # (g.scheme is sch: not read again)
    if advice.years_in_step < sch.years_per_step:
        return advice
    if not sch.appraisal_count:
        advice.status = "due"
        return advice
    advice.appraisal_years = tuple(range(on.year - sch.appraisal_count, on.year))
    advice.appraisal_min = sch.appraisal_min
    if appraisal_ok is None:
        from shequ.workforce.services.appraisal import step_checker

        appraisal_ok = step_checker([worker_id])
    verdict = appraisal_ok(worker_id, advice.appraisal_years)
    advice.appraisal = None if verdict is None else bool(verdict)
    advice.status = {None: "pending_appraisal", True: "due", False: "appraisal_failed"}[advice.appraisal]
    return advice


# --- the base and the annual pay record ----------------------------------------------------------
def _service_of(worker: Worker) -> reports.Facts:
    """The worker's service (hire, exits and returns) as the reports read it."""
    f = reports.Facts(worker.pk, worker.gender, worker.birth_date, worker.education, worker.political_status,
                      worker.source, worker.hired_on, worker.full_time, worker.scope_code)  # fmt: skip
    moves = Movement.objects.filter(
        worker=worker, kind__in=(MovementKind.TRANSFER, MovementKind.EXIT, MovementKind.RETURN)
    ).order_by("on", "id")
    f.moves = list(moves.values_list("on", "kind", "from_org__code", "reason"))
    return f


@dataclass
class Base:
    amount: Decimal
    months: int
    grade: Grade
    step: int


def compute_base(worker: Worker, year: int) -> Base:
    """The base pay of a year: for each month whose 1st finds the worker in post and placed, the
    monthly amount of the grade and step held that day in that year's table of its scheme."""
    placements = list(
        GradePlacement.objects.filter(worker=worker, on__lte=dt.date(year, 12, 31))
        .select_related("grade", "scheme")
        .order_by("on", "id")
    )
    tables: dict[int, dict | None] = {}

    def rates_of(p: GradePlacement):
        if p.scheme_id not in tables:
            tables[p.scheme_id] = table_rates(p.scheme, year)
        return tables[p.scheme_id]

    return base_of(worker.name, year, placements, _service_of(worker).in_post, rates_of)


def base_of(name: str, year: int, placements: list, in_post, rates_of) -> Base:
    """`compute_base` on what it reads: the worker's placements by date, whether they are in post
    on a day, and the year's table of a placement's scheme ({(grade id, step): monthly} or None)."""
    if not any(p.on.year <= year for p in placements):
        raise _invalid(
            "year",
            _("%(n)s在 %(y)d 年尚未定级；基本工资按等级档次计算，请先登记定级。") % {"n": name, "y": year},
        )
    total, months, last = Decimal("0.00"), 0, None
    for month in range(1, 13):
        day = dt.date(year, month, 1)
        held = next((p for p in reversed(placements) if p.on <= day), None)
        if held is None or not in_post(day):
            continue
        rates = rates_of(held)
        if rates is None:
            raise _invalid(
                "year",
                _("“%(s)s”尚未录入 %(y)d 年的等级工资标准，不能登记该年度薪酬；请先录入该年度的工资表。")
                % {"s": held.scheme.name, "y": year},
            )
        monthly = rates.get((held.grade_id, held.step))
        if monthly is None:  # a table is entered whole; a grade added later has no amount yet
            raise _invalid("year", _("%(y)d 年工资表中没有%(c)s的金额。") % {"y": year, "c": held.label})
        total += monthly
        months += 1
        last = held
    if last is None:
        raise _invalid(
            "year",
            _("%(n)s在 %(y)d 年没有已定级且在岗的月份（按每月 1 日计），不能登记该年度薪酬。")
            % {"n": name, "y": year},
        )
    return Base(total, months, last.grade, last.step)


def _figures(r: PayRecord) -> dict:
    # The computed figures are no columns: logged under the names people read them by.
    return {"base": str(r.base), "base_months": r.base_months, _("应发工资"): str(r.gross),
            _("含单位缴纳总成本"): str(r.total_cost), _("实发"): str(r.take_home)}  # fmt: skip


@transaction.atomic
def set_pay_record(
    actor, worker_pk, *, year, note: str = "", expected_version=None, **amounts
) -> tuple[PayRecord, bool]:
    """A worker's pay in a year (entered, or corrected: one record a year): performance pay,
    allowances and subsidies, year-end bonus, the employer's and the worker's social insurance and
    housing fund. The base is computed from the grade held and that year's table; the three figures
    (total cost, gross, take-home) are computed from the components. Answers (record, created)."""
    if "base" in amounts:
        raise _invalid("base", _("基本工资按等级档次和当年工资表计算，不能直接填写。"))
    unknown = sorted(set(amounts) - set(PAY_FIELDS))
    if unknown:
        raise TypeError(f"unknown pay components: {unknown}")
    worker = _locked(actor, worker_pk)
    year = _year(year)
    if year < worker.hired_on.year:
        raise _invalid("year", _("年度不能早于参加社区工作的年份（%(y)d）。") % {"y": worker.hired_on.year})
    labels = _labels()
    values = {f: money(amounts.get(f), f, labels[f]) for f in PAY_FIELDS}
    base = compute_base(worker, year)
    gross = gross_of(base.amount, values["performance"], values["allowances"], values["bonus"])
    if values["personal_insurance"] + values["personal_housing_fund"] > gross:
        raise _invalid(
            "personal_insurance",
            _("个人缴纳的社会保险和住房公积金合计不能超过应发工资（%(g)s 元）。") % {"g": gross},
        )
    found = PayRecord.objects.select_for_update().filter(worker=worker, year=year).first()
    fields = values | {"base": base.amount, "base_months": base.months, "grade": base.grade, "step": base.step,
                       "note": (note or "").strip()[:200]}  # fmt: skip
    if found is None:
        record = PayRecord.objects.create(worker=worker, year=year, **fields)
        changelog.record(actor, Action.CREATE, record, after=changelog.snapshot(record) | _figures(record),
                         scope_code=worker.scope_code)  # fmt: skip
        return record, True
    if expected_version not in (None, "") and int(expected_version) != found.version:
        raise Conflict(_("该记录已被他人修改，请刷新页面后重试。"), code="stale")
    before = changelog.snapshot(found) | _figures(found)
    for k, v in fields.items():
        setattr(found, k, v)
    found.version += 1
    found.save()
    changelog.record(actor, Action.UPDATE, found, before=before, after=changelog.snapshot(found) | _figures(found),
                     scope_code=worker.scope_code)  # fmt: skip
    return found, False


def _recompute(actor, records) -> int:
    """Recompute the base of pay records after their grade or table changed (logged)."""
    n = 0
    for r in records.select_related("worker"):
        base = compute_base(r.worker, r.year)
        if (base.amount, base.months, base.grade.pk, base.step) == (
            r.base,
            r.base_months,
            r.grade_id,
            r.step,
        ):
            continue
        before = _figures(r)
        r.base, r.base_months, r.grade, r.step = base.amount, base.months, base.grade, base.step
        r.version += 1
        r.save(update_fields=["base", "base_months", "grade", "step", "version", "updated_at"])
        changelog.record(actor, Action.UPDATE, r, before=before, after=_figures(r), note=_("按等级档次重算基本工资"),
                         scope_code=r.worker.scope_code)  # fmt: skip
        n += 1
    return n


# --- the average wage and the floor ------------------------------------------------------------------
@transaction.atomic
def set_average_wage(actor, scope: str, *, year, amount, source: str, floor_percent=100) -> AverageWage:
    """The local average wage of a year for a city, district or street (with its source), and the
    floor that year as a percentage of it (e.g. 85 in a transition year, 100 after)."""
    unit = _policy_unit(actor, scope, "scope")
    year = _year(year)
    amount = money(amount, "amount", _("社会平均工资"), required=True)
    if amount < 10000:
        raise _invalid(
            "amount", _("社会平均工资按年填写（元/年），如 27968；%(a)s 元像是月平均工资。") % {"a": amount}
        )
    source = (source or "").strip()[:100]
    if not source:
        raise _invalid("source", _("请填写数据来源，如“区统计局 2024 年统计公报”。"))
    try:
        pct = Decimal(str(floor_percent).strip()).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise _invalid("floor_percent", _("薪酬底线请填写百分数，如 85 或 100。")) from None
    if not Decimal(50) <= pct <= Decimal(200):
        raise _invalid("floor_percent", _("薪酬底线应在平均工资的 50% 到 200% 之间。"))
    found = AverageWage.objects.select_for_update().filter(org=unit, year=year).first()
    values = {"amount": amount, "source": source, "floor_percent": pct}
    if found is None:
        return services.create(actor, AverageWage(org=unit, year=year, **values), perm=MANAGE_PAY_POLICY)
    return services.update(actor, AverageWage, found.pk, values, perm=MANAGE_PAY_POLICY)


def wages_of(year: int) -> list[tuple[str, Decimal, Decimal, str]]:
    """(scope code, amount, floor percent, source) of every average wage entered for a year,
    nearest (longest code) first."""
    rows = AverageWage.objects.filter(year=year).values_list(
        "scope_code", "amount", "floor_percent", "source"
    )
    return sorted(rows, key=lambda r: -len(r[0]))


def wage_for(wages, code: str):
    """The entry that counts for a unit: its own, else its street's, district's or city's."""
    return next((w for w in wages if code.startswith(w[0])), None) if code else None


def floor_of(wage) -> Decimal:
    return (wage[1] * wage[2] / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(gross: Decimal, wage) -> Decimal | None:
    """Gross pay as a percentage of the average wage, one decimal, half up."""
    if wage is None or not wage[1]:
        return None
    return (gross * 100 / wage[1]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- contracts ---------------------------------------------------------------------------------------
@transaction.atomic
def add_contract(
    actor, worker_pk, *, employer: str, start, end=None, number: str = "", renews=None, note: str = ""
) -> Contract:
    """A labour contract (no end: open-ended). A renewal names the contract it renews and starts
    after it ends; a contract overlapping another of the same worker is refused."""
    worker = _locked(actor, worker_pk)
    employer = (employer or "").strip()[:100]
    if not employer:
        raise _invalid("employer", _("请填写用人单位，如“纸坊街道办事处”。"))
    if not isinstance(start, dt.date):
        raise _invalid("start", _("请填写起始日期。"))
    if end is not None and not isinstance(end, dt.date):
        raise _invalid("end", _("终止日期格式有误。"))
    if end is not None and end < start:
        raise _invalid("end", _("终止日期不能早于起始日期。"))
    if start < worker.hired_on:
        raise _invalid(
            "start", _("起始日期不能早于参加社区工作时间（%(d)s）。") % {"d": worker.hired_on.isoformat()}
        )
    if start > timezone.localdate() + dt.timedelta(days=366):
        raise _invalid("start", _("起始日期不能晚于一年以后。"))
    previous = None
    if renews not in (None, ""):
        previous = (
            Contract.objects.filter(worker=worker, pk=renews).first() if str(renews).isdigit() else None
        )
        if previous is None:
            raise _invalid("renews", _("续订的应是%(n)s本人已登记的合同。") % {"n": worker.name})
        if previous.end is None:
            raise _invalid("renews", _("原合同为无固定期限合同，无需续订。"))
        if Contract.objects.filter(renews=previous).exists():
            raise Conflict(
                _("该合同已续订过。"), code="duplicate", details={"renews": [_("该合同已续订过。")]}
            )
        if start <= previous.end:
            raise _invalid(
                "start", _("续订合同应在原合同终止（%(d)s）之后开始。") % {"d": previous.end.isoformat()}
            )
    far = dt.date.max
    for other in Contract.objects.filter(worker=worker):
        if other.start <= (end or far) and start <= (other.end or far):
            until = other.end.isoformat() if other.end else _("无固定期限")
            msg = _("与已登记的合同（%(e)s，%(a)s 至 %(b)s）期间重叠，同一人的劳动合同不能重叠。") % {
                "e": other.employer, "a": other.start.isoformat(), "b": until,
            }  # fmt: skip
            raise Conflict(msg, code="overlap", details={"start": [msg]})
    c = Contract.objects.create(worker=worker, employer=employer, number=(number or "").strip()[:40], start=start,
                                end=end, renews=previous, note=(note or "").strip()[:200])  # fmt: skip
    changelog.record(actor, Action.CREATE, c, after=changelog.snapshot(c), scope_code=worker.scope_code)
    return c


def _unrenewed():
    """Contracts not followed by another contract of the same worker (a renewal or a new one)."""
    later = Contract.objects.filter(worker=OuterRef("worker"), start__gt=OuterRef("end"))
    return ~Exists(later)


def sweep_contracts(today: dt.date | None = None) -> dict:
    """Tell the worker's community lead and the street managers, once per contract, that a contract
    of a worker in post ends within REMIND_DAYS days and no later contract is entered."""
    today = today or timezone.localdate()
    due = Contract.objects.filter(
        _unrenewed(), reminded_at__isnull=True, end__gte=today, end__lte=today + dt.timedelta(days=REMIND_DAYS),
        worker__status=Status.ACTIVE,
    ).select_related("worker__org")  # fmt: skip
    n = 0
    for c in due:
        with transaction.atomic():
            now = timezone.now()
            if not Contract.objects.filter(pk=c.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            _tell_contract(c, today)
            changelog.record(None, Action.UPDATE, c, after={"reminded_at": now.isoformat()}, note=_("合同到期提醒"),
                             scope_code=c.worker.scope_code)  # fmt: skip
        n += 1
    return {"reminded": n}


def maybe_sweep() -> None:
    """Run the contracts' sweep on read when no broker schedules it (see core.periodic)."""
    run_on_read("workforce-contracts", sweep_contracts)


def contract_managers(code: str) -> list:
    """Who is told of a worker's contract: the community's leads and the street's managers."""
    q = Q(role=Role.STREET, org__code=code[:9])
    if len(code) >= 12:
        q |= Q(role=Role.COMMUNITY_LEAD, org__code=code[:12])
    ids = Membership.objects.active().filter(q).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _tell_contract(c: Contract, today: dt.date) -> None:
    w = c.worker
    subject = _("劳动合同即将到期")
    body = _("%(n)s（%(u)s）与%(e)s的劳动合同将于 %(d)s 到期（还有 %(k)d 天），请及时办理续订或终止。") % {
        "n": w.name, "u": w.org.display_name, "e": c.employer, "d": c.end.isoformat(), "k": (c.end - today).days,
    }  # fmt: skip
    users = contract_managers(w.scope_code)

    def send():
        for u in users:
            notify.send(notify.Message(template="workforce.contract_expiring", subject=str(subject), body=body,
                                       params={"name": w.name, "end": c.end.isoformat()}, user=u,
                                       scope_code=w.scope_code))  # fmt: skip

    transaction.on_commit(send)


# --- insurance ---------------------------------------------------------------------------------------
@transaction.atomic
def set_insurance(actor, worker_pk, *, year, kinds) -> list[str]:
    """The kinds of social insurance (and the housing fund) a worker took part in in a year: the
    list replaces the year's (a kind left out was not taken part in)."""
    worker = _locked(actor, worker_pk)
    year = _year(year)
    if year < worker.hired_on.year:
        raise _invalid("year", _("年度不能早于参加社区工作的年份（%(y)d）。") % {"y": worker.hired_on.year})
    wanted = sorted({choice(InsuranceKind, k, "kinds", _("险种")) for k in kinds or []})
    rows = Insurance.objects.filter(worker=worker, year=year)
    before = sorted(rows.values_list("kind", flat=True))
    if before == wanted:
        return wanted
    rows.exclude(kind__in=wanted).delete()
    Insurance.objects.bulk_create(
        [Insurance(worker=worker, year=year, kind=k) for k in wanted if k not in before]
    )

    def names(kinds):
        return "、".join(str(InsuranceKind(k).label) for k in kinds)

    key = _("%(y)d 年参保险种") % {"y": year}
    changelog.record(actor, Action.UPDATE, worker, before={key: names(before)}, after={key: names(wanted)},
                     note=_("社会保险参保"))  # fmt: skip
    return wanted


# --- reports -----------------------------------------------------------------------------------------
def service_roster(user) -> list:
    """Every worker the user may read with what changes their service (transfers, exits, returns),
    as `reports.Facts`: the reports' roster without the offices and certificates, which no pay
    report reads (two queries)."""
    require(user, reports.VIEW)
    rows = Worker.objects.visible_to(user).values_list(
        "id", "gender", "birth_date", "education", "political_status", "source", "hired_on", "full_time",
        "scope_code",
    )  # fmt: skip
    facts = {r[0]: reports.Facts(*r) for r in rows}
    changes = (MovementKind.TRANSFER, MovementKind.EXIT, MovementKind.RETURN)
    moves = Movement.objects.filter(worker__in=Worker.objects.visible_to(user).values("id"), kind__in=changes)
    for wid, *move in moves.order_by("on", "id").values_list(
        "worker_id", "on", "kind", "from_org__code", "reason"
    ):
        facts[wid].moves.append(tuple(move))
    return list(facts.values())


def _report_scope(user, scope_code: str | None) -> str:
    require(user, VIEW_SENSITIVE)
    code = (scope_code or "").strip()
    if code and not code.isdigit():
        raise ValidationFailed(
            _("范围应为区划代码（数字）。"), details={"scope": [_("请填写区、街道或社区代码。")]}
        )
    if code and not scopes.covers(user, code, VIEW_SENSITIVE):
        raise NotFound()
    if not code:
        roots = scopes.read_roots(user, PayRecord)
        code = roots[0] if roots and len(roots) == 1 else ""
    return code


def _report_year(year) -> tuple[int, dt.date]:
    today = timezone.localdate()
    year = year or today.year
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= today.year + 1:
        raise ValidationFailed(_("年度应在 2000 年至明年之间。"), details={"year": [_("请填写四位年份。")]})
    return year, min(dt.date(year, 12, 31), today)


CHILD = {
    0: (6, Level.DISTRICT),
    2: (4, Level.CITY),
    4: (6, Level.DISTRICT),
    6: (9, Level.STREET),
    9: (12, Level.COMMUNITY),
}


def _children(code: str) -> tuple[int, list[tuple[str, str]]]:
    """The units one level below a scope (a district's streets, a street's communities)."""
    from shequ.org.models import short_name

    if len(code) not in CHILD:
        return 0, []
    n, level = CHILD[len(code)]
    units = OrgUnit.objects.filter(level=level).order_by("code")
    if code:
        units = units.filter(scopes.subtree_q("code", code))
    return n, [(c, short_name(name)) for c, name in units.values_list("code", "name")]


def percent(n: int, total: int) -> Decimal | None:
    return reports.percent(n, total)


BINS = (50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150)


def _bin_labels() -> list[str]:
    labels = [f"<{BINS[0]}%"]
    labels += [f"{a}–{b}%" for a, b in zip(BINS, BINS[1:], strict=False)]
    return labels + [f"≥{BINS[-1]}%"]


def _bin(r: Decimal) -> int:
    return sum(1 for edge in BINS if r >= edge)


def _spread(values: list[Decimal]) -> dict:
    low, high = min(values), max(values)
    return {
        "n": len(values),
        "min": low,
        "max": high,
        "spread": high - low,
        "ratio": (high / low).quantize(CENT, rounding=ROUND_HALF_UP) if low else None,
    }


def pay_report(user, scope_code: str | None, year: int | None = None, *, roster=None) -> dict:
    """Pay against the local average wage in a scope and year.

    Each worker's ratio is their gross pay (应发: base, performance pay, allowances and subsidies
    and year-end bonus, before their own social-insurance and housing-fund contributions, without
    the employer's) over the average wage that counts where they worked at the year's end (their
    community's, street's, district's or city's entry). Gross is the figure compared because the
    statistics bureau's average wage (城镇非私营单位在岗职工年平均工资) is gross pay by the same
    definition: it includes what the employee pays in and leaves out what the employer pays on
    top, so the total cost would overstate the pay and the take-home understate it.

    Answers the records and how many full-time workers in post have none; the three figures'
    averages; the ratio's distribution; who is below the floor (the average wage × the year's
    floor percentage) and the share at or above it, overall and per street or community; and
    同工同酬: per grade and step held at the year's end, the spread of gross pay (min, max,
    max − min, max ÷ min), overall and by source."""
    code = _report_scope(user, scope_code)
    year, day = _report_year(year)
    roster = roster if roster is not None else service_roster(user)
    facts = {f.id: f for f in roster}
    wages = wages_of(year)
    rows = PayRecord.objects.visible_to(user).filter(year=year).values_list(
        "worker_id", "grade_id", "step", "base", "performance", "allowances", "bonus", "employer_insurance",
        "employer_housing_fund", "personal_insurance", "personal_housing_fund",
    )  # fmt: skip
    people = []
    for wid, grade_id, step, base, perf, allow, bonus, er_ins, er_hf, p_ins, p_hf in rows:
        f = facts.get(wid)
        if f is None:
            continue
        unit = f.org_on(day)
        if not unit.startswith(code):
            continue
        gross = base + perf + allow + bonus
        wage = wage_for(wages, unit)
        floor = floor_of(wage) if wage else None
        people.append({
            "id": wid, "unit": unit, "source": f.source, "grade_id": grade_id, "step": step, "gross": gross,
            "total_cost": gross + er_ins + er_hf, "take_home": gross - p_ins - p_hf, "wage": wage, "floor": floor,
            "ratio": ratio(gross, wage), "met": None if floor is None else gross >= floor,
        })  # fmt: skip
    in_post = reports.in_post(roster, code, day)
    recorded = {p["id"] for p in people}
    missing = [f for f in in_post if f.id not in recorded]
    compared = [p for p in people if p["met"] is not None]
    at = sum(1 for p in compared if p["met"])

    def mean(key, group):
        return (
            (sum((p[key] for p in group), Decimal(0)) / len(group)).quantize(CENT, rounding=ROUND_HALF_UP)
            if group
            else None
        )

    below = sorted((p for p in compared if not p["met"]), key=lambda p: (p["ratio"], p["unit"]))
    grade_ids = {p["grade_id"] for p in people}
    grades = {g.pk: g for g in Grade.objects.filter(pk__in=grade_ids).select_related("scheme")}
    names = dict(Worker.objects.filter(pk__in=[p["id"] for p in below]).values_list("pk", "name"))
    from shequ.org.models import node_names

    width, children = _children(code)
    unit_names = node_names({p["unit"] for p in below} | {code})
    counts = Counter(_bin(p["ratio"]) for p in compared)
    own = wage_for(wages, code)
    floor_pct = own[2] if own else None
    labels = _bin_labels()
    distribution = [
        {"label": labels[k], "count": counts.get(k, 0),
         "below": floor_pct is not None and (BINS[k] if k < len(BINS) else 10**6) <= floor_pct}
        for k in range(len(labels))
    ]  # fmt: skip
    by_unit, unrecorded = defaultdict(list), Counter(f.org_on(day)[:width] for f in missing)
    for p in people:
        by_unit[p["unit"][:width]].append(p)
    units = []
    for child, name in children:  # the units with workers in post or paid that year
        group = by_unit.get(child, [])
        if not group and not unrecorded.get(child):
            continue
        cmp = [p for p in group if p["met"] is not None]
        met = sum(1 for p in cmp if p["met"])
        units.append({
            "code": child, "name": name, "records": len(group), "compared": len(cmp), "at_or_above": met,
            "share": percent(met, len(cmp)), "missing": unrecorded.get(child, 0),
            "average_ratio": (sum((p["ratio"] for p in cmp), Decimal(0)) / len(cmp)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if cmp else None,
        })  # fmt: skip
    by_group: dict[tuple, list] = defaultdict(list)
    for p in people:
        by_group[(p["grade_id"], p["step"])].append(p)
    source_labels = dict(Source.choices)
    parity = []
    for (gid, step), group in sorted(
        by_group.items(), key=lambda kv: (grades[kv[0][0]].scheme.name, grades[kv[0][0]].order, -kv[0][1])
    ):
        g = grades[gid]
        by_source = defaultdict(list)
        for p in group:
            by_source[p["source"]].append(p["gross"])
        parity.append({
            "grade": g.name, "step": step, "label": g.label(step), "scheme": g.scheme.name,
            **_spread([p["gross"] for p in group]),
            "sources": [{"key": k, "label": str(source_labels[k]), **_spread(v)} for k, v in
                        sorted(by_source.items(), key=lambda kv: list(source_labels).index(kv[0]))],
        })  # fmt: skip
    return {
        "scope": code,
        "year": year,
        "date": day,
        "wage": None
        if own is None
        else {
            "scope": own[0],
            "amount": own[1],
            "floor_percent": own[2],
            "source": own[3],
            "floor": floor_of(own),
        },  # fmt: skip
        "wages": [
            {"scope": w[0], "amount": w[1], "floor_percent": w[2], "source": w[3], "floor": floor_of(w)}
            for w in sorted(wages, key=lambda w: w[0])
            if w[0].startswith(code) or code.startswith(w[0])
        ],
        "records": len(people),
        "in_post": len(in_post),
        "missing": len(missing),
        "compared": len(compared),
        "no_wage": len(people) - len(compared),
        "at_or_above": at,
        "share": percent(at, len(compared)),
        "average_gross": mean("gross", people),
        "average_total_cost": mean("total_cost", people),
        "average_take_home": mean("take_home", people),
        "average_ratio": (sum((p["ratio"] for p in compared), Decimal(0)) / len(compared)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        if compared
        else None,
        "distribution": distribution,
        "below_floor": [
            {
                "id": p["id"],
                "name": names.get(p["id"], ""),
                "unit": p["unit"],
                "unit_name": unit_names.get(p["unit"], p["unit"]),
                "grade": grades[p["grade_id"]].label(p["step"]),
                "gross": p["gross"],
                "floor": p["floor"],
                "ratio": p["ratio"],
                "shortfall": p["floor"] - p["gross"],
            }
            for p in below
        ],  # fmt: skip
        "units": units,
        "parity": parity,
    }


def step_advice(
    user, scope_code: str | None, on: dt.date | None = None, *, appraisal_ok=None, roster=None
) -> list:
    """The full-time workers in post under a scope whose years in the step are met on `on`: due,
    pending their appraisal (待考核结果), or held back by it (see `step_due`), with names."""
    code = _report_scope(user, scope_code)
    on = on or timezone.localdate()
    roster = roster if roster is not None else service_roster(user)
    ids = {f.id for f in reports.in_post(roster, code, on)}
    # Each worker's latest placement from its columns (schemes and grades are few: read once).
    schemes = {x.pk: x for x in GradeScheme.objects.filter(org__isnull=False)}
    grades = {g.pk: g for g in Grade.objects.filter(scheme__in=list(schemes))}
    for g in grades.values():
        g.scheme = schemes[g.scheme_id]
    latest: dict[int, tuple] = {}
    rows = GradePlacement.objects.visible_to(user).filter(on__lte=on).order_by("worker_id", "on", "id")
    for row in rows.values_list("worker_id", "id", "on", "scheme_id", "grade_id", "step"):
        if row[0] in ids:
            latest[row[0]] = row
    if appraisal_ok is None:  # the appraisal results of everyone asked about, in one read
        from shequ.workforce.services.appraisal import step_checker

        appraisal_ok = step_checker(latest)
    out = []
    for wid, pk, since, sid, gid, step in latest.values():
        if reports._years(since, on) >= schemes[sid].years_per_step:  # only those are asked about
            p = GradePlacement(
                pk=pk, worker_id=wid, scheme=schemes[sid], grade=grades[gid], step=step, on=since
            )
            out.append(step_due(wid, on, appraisal_ok=appraisal_ok, placement=p))
    out = [a for a in out if a.years_met]
    names = dict(Worker.objects.filter(pk__in=[a.worker_id for a in out]).values_list("pk", "name"))
    for a in out:
        a.extra["name"] = names.get(a.worker_id, "")
    return sorted(out, key=lambda a: (a.status != "due", a.since))


def contracts(user, scope_code: str | None = None, *, due_within: int | None = None, worker_id=None,
              today: dt.date | None = None):  # fmt: skip
    """The contracts a user reads (their scope's with `workforce.view_sensitive`, and their own),
    narrowed to a scope or a worker; with `due_within`, only those due: of a worker in post, ending
    within that many days (or already ended) with no later contract entered."""
    today = today or timezone.localdate()
    qs = Contract.objects.visible_to(user).select_related("worker__org", "renews")
    if scope_code:
        if not str(scope_code).isdigit():
            raise ValidationFailed(
                _("范围应为区划代码（数字）。"), details={"scope": [_("请填写区、街道或社区代码。")]}
            )
        if not scopes.covers(user, scope_code, VIEW_SENSITIVE):
            raise NotFound()
        qs = qs.filter(scopes.subtree_q("worker__scope_code", scope_code))
    if worker_id is not None:
        qs = qs.filter(worker_id=worker_id)
    if due_within is not None:
        if isinstance(due_within, bool) or not isinstance(due_within, int) or not 1 <= due_within <= 3650:
            raise ValidationFailed(
                _("天数应在 1 到 3650 之间。"), details={"due_within": [_("请填写天数。")]}
            )
        qs = qs.filter(_unrenewed(), worker__status=Status.ACTIVE, end__isnull=False,
                       end__lte=today + dt.timedelta(days=due_within)).order_by("end", "id")  # fmt: skip
    return qs


def insurance_rates(user, scope_code: str | None, year: int | None = None, *, roster=None) -> dict:
    """Participation in a year per kind (养老, 医疗, 失业, 工伤, 生育, 住房公积金): the full-time workers in
    post at the year's end (today in the current year) who took part, over all of them, overall and
    per street or community. A kind not entered for a worker counts as not taken part in."""
    code = _report_scope(user, scope_code)
    year, day = _report_year(year)
    roster = roster if roster is not None else service_roster(user)
    people = reports.in_post(roster, code, day)
    ids = {f.id for f in people}
    taken: dict[str, set] = defaultdict(set)
    rows = Insurance.objects.filter(worker__in=Worker.objects.visible_to(user).values("id"), year=year)
    for wid, kind in rows.values_list("worker_id", "kind"):
        if wid in ids:
            taken[kind].add(wid)

    def kinds(group_ids: set) -> list[dict]:
        return [
            {"key": k, "label": str(label), "count": len(taken[k] & group_ids),
             "rate": percent(len(taken[k] & group_ids), len(group_ids))}
            for k, label in InsuranceKind.choices
        ]  # fmt: skip

    width, children = _children(code)
    by_unit: dict[str, set] = defaultdict(set)
    for f in people:
        by_unit[f.org_on(day)[:width]].add(f.id)
    units = [
        {"code": child, "name": name, "in_post": len(by_unit[child]), "kinds": kinds(by_unit[child])}
        for child, name in children
        if by_unit.get(child)  # the units with workers in post
    ]
    return {
        "scope": code,
        "year": year,
        "date": day,
        "in_post": len(people),
        "kinds": kinds(ids),
        "units": units,
    }


def may_see_pay(user, worker: Worker) -> bool:
    """The worker themselves, and the roles with `workforce.view_sensitive` over their unit."""
    if not user or not user.is_authenticated:
        return False
    return worker.user_id == user.pk or scopes.covers(user, worker.scope_code, VIEW_SENSITIVE)


def reads_pay(user) -> bool:
    """May the user read any pay record (their scope's, or their own as a worker)?"""
    if not user or not user.is_authenticated:
        return False
    return scopes.may_read(user, PayRecord) or Worker.objects.filter(user=user).exists()
