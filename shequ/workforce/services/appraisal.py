"""考核 acts: open a cycle (with its rules, its workers and the residents' survey), enter the
organisation's scores, close it (computing every result); and `appraisal_ok`, which the pay scheme's
grade-step rule asks.

How a result is computed (the same words are on the cycle page):
- 组织考: each scorer's score is Σ (dimension score × weight) / 100. With both the street and the
  community lead scoring, the organisation score is street × street_share % + lead × the rest.
- 群众评: the residents' average rating (1–5) of the worker × 20, so 5 → 100, 4 → 80, 3 → 60.
- Total = organisation × org_share % + residents × (100 − org_share) %. A worker no resident rated
  (or a cycle without 群众评) is scored on the organisation's score alone, and the result says so.
- Grade: the highest whose threshold the total reaches. A grade with a quota holds at most
  ⌊participants × quota %⌋ workers; the lowest-ranked over the quota fall to the next grade (which
  may in turn be over its own quota). Rank: total, then organisation score, then residents' score,
  then the longer service (earlier 参加社区工作时间), then the earlier record — all descending except
  the last two.
- Advice follows the grade (coefficient, grade step, renewal); the lowest grade in two cycles
  running advises exit."""

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, scope, services, surveys
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import Action, Survey
from shequ.core.roles import Role
from shequ.core.scope import subtree_q
from shequ.core.services import get_visible, require
from shequ.org.models import Level, OrgUnit
from shequ.workforce.models import (
    DEFAULT_GRADES,
    DEFAULT_WEIGHTS,
    MANAGE_APPRAISAL,
    SURVEY_PURPOSE,
    AppraisalCycle,
    AppraisalResult,
    AppraisalScore,
    CycleKind,
    CycleStatus,
    Dimension,
    Office,
    ScorerRole,
    Scorers,
    Status,
    Worker,
)

TWO = Decimal("0.01")
HUNDRED = Decimal(100)
RESIDENT_SCALE = Decimal(20)  # a 1–5 average × 20 → 0–100


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _choice(enum, value, field: str, label: str) -> str:
    text = str(value or "").strip()
    for code, shown in enum.choices:
        if text in (code, str(shown)):
            return code
    names = "、".join(str(s) for _c, s in enum.choices)
    raise _invalid(field, _("%(l)s应为：%(n)s。") % {"l": label, "n": names})


def _percent(value, field: str, label: str) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        n = -1
    if not 0 <= n <= 100:
        raise _invalid(field, _("%(l)s应为 0 到 100 之间的整数。") % {"l": label})
    return n


# --- rules -----------------------------------------------------------------------------------------
def clean_weights(weights) -> dict[str, int]:
    """德能勤绩廉学 weights (by code or by the character), whole numbers adding up to 100."""
    given = dict(weights or DEFAULT_WEIGHTS)
    out = {}
    for key, value in given.items():
        code = _choice(Dimension, key, "weights", _("考核维度"))
        try:
            n = int(str(value).strip())
        except (TypeError, ValueError):
            raise _invalid("weights", _("“%(d)s”的权重应为整数。") % {"d": Dimension(code).label}) from None
        if not 0 <= n <= 100:
            raise _invalid("weights", _("“%(d)s”的权重应在 0 到 100 之间。") % {"d": Dimension(code).label})
        out[code] = n
    missing = [str(Dimension(d).label) for d in Dimension.values if d not in out]
    if missing:
        raise _invalid(
            "weights",
            _("缺少“%(d)s”的权重；德、能、勤、绩、廉、学六项都要填写。") % {"d": "、".join(missing)},
        )
    total = sum(out.values())
    if total != 100:
        raise _invalid(
            "weights", _("德、能、勤、绩、廉、学六项权重合计应为 100，现为 %(s)d，请调整。") % {"s": total}
        )
    return {d: out[d] for d in Dimension.values}


def _bool(value) -> bool:
    return (
        str(value).strip().lower() in ("1", "true", "yes", "on", "是")
        if not isinstance(value, bool)
        else value
    )


def clean_grades(grades) -> list[dict]:
    """Grades, highest first: a name, the lowest total that reaches it (the last one 0), an optional
    quota (percent of the participants) and what the grade means (coefficient, grade step,
    renewal, passing)."""
    rows = list(grades or DEFAULT_GRADES)
    if not 2 <= len(rows) <= 6:
        raise _invalid("grades", _("等次应有 2 到 6 个。"))
    out, names, last_min = [], set(), None
    for i, g in enumerate(rows, start=1):
        name = str(g.get("name") or "").strip()
        if not name or len(name) > 10:
            raise _invalid("grades", _("第 %(n)d 个等次请填写名称（不超过 10 字）。") % {"n": i})
        if name in names:
            raise _invalid("grades", _("等次名称“%(g)s”重复。") % {"g": name})
        names.add(name)
        try:
            low = Decimal(str(g.get("min", 0))).quantize(Decimal("0.1"))
        except InvalidOperation:
            raise _invalid("grades", _("“%(g)s”的分数线应为数字。") % {"g": name}) from None
        if not Decimal(0) <= low <= HUNDRED or (last_min is not None and low >= last_min):
            raise _invalid("grades", _("等次的分数线应在 0 到 100 之间，并从高到低排列（“%(g)s”为 %(m)s）。")
                           % {"g": name, "m": low})  # fmt: skip
        last_min = low
        quota = g.get("quota")
        if quota in ("", None):
            quota = None
        else:
            quota = _percent(quota, "grades", _("“%(g)s”的名额比例") % {"g": name})
            if quota == 0:
                raise _invalid("grades", _("“%(g)s”的名额比例应大于 0；不限名额请留空。") % {"g": name})
        try:
            coefficient = Decimal(str(g.get("coefficient", "1"))).quantize(TWO)
        except InvalidOperation:
            raise _invalid("grades", _("“%(g)s”的绩效系数应为数字。") % {"g": name}) from None
        if not Decimal(0) <= coefficient <= Decimal(5):
            raise _invalid("grades", _("“%(g)s”的绩效系数应在 0 到 5 之间。") % {"g": name})
        out.append({"name": name, "min": float(low) if low % 1 else int(low), "quota": quota,
                    "coefficient": str(coefficient), "step": _bool(g.get("step", False)),
                    "renew": _bool(g.get("renew", True)), "passing": _bool(g.get("passing", False))})  # fmt: skip
    if out[-1]["min"] != 0:
        raise _invalid("grades", _("最低等次（%(g)s）的分数线应为 0。") % {"g": out[-1]["name"]})
    if out[-1]["quota"] is not None:
        raise _invalid("grades", _("最低等次不能设名额比例。"))
    if not any(g["passing"] for g in out):
        raise _invalid("grades", _("至少要有一个等次算作合格。"))
    return out


def _position(worker, offices) -> str:
    held = [o for o in offices if o.worker_id == worker.pk]
    if held:
        return "、".join(f"{o.title_label}" for o in held)[:60]
    return worker.post[:60]


def _unit_for_cycle(actor, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=(code or "").strip()).first()
    if unit is None or unit.level not in (Level.COMMUNITY, Level.STREET):
        raise _invalid("org", _("请选择考核的社区（12 位）或街道（9 位）。"))
    if not scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE_APPRAISAL, unit.code)
    return unit


@transaction.atomic
def create_cycle(
    actor,
    org_code: str,
    *,
    year: int,
    kind: str = CycleKind.ANNUAL,
    title: str = "",
    weights=None,
    org_share=70,
    scorers: str = Scorers.BOTH,
    street_share=50,
    grades=None,
    survey_opens=None,
    survey_closes=None,
    verify: str = "either",
) -> AppraisalCycle:
    """Open an appraisal of the workers in post in a community or street: its rules, a result row
    per worker, and (with 群众评) one survey per community, a rating question per worker."""
    unit = _unit_for_cycle(actor, org_code)
    today = timezone.localdate()
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= today.year + 1:
        raise _invalid("year", _("年度应在 2000 年至明年之间。"))
    kind = _choice(CycleKind, kind, "kind", _("类别"))
    weights = clean_weights(weights)
    org_share = _percent(org_share, "org_share", _("组织考占比"))
    scorers = _choice(Scorers, scorers, "scorers", _("组织考评分"))
    street_share = _percent(street_share, "street_share", _("街道评分的占比"))
    grades = clean_grades(grades)
    if org_share < 100:
        if not isinstance(survey_opens, dt.date) or not isinstance(survey_closes, dt.date):
            raise _invalid("survey_closes", _("有群众评时请填写群众评的开始和截止日期。"))
        if survey_closes < survey_opens:
            raise _invalid("survey_closes", _("群众评截止日期不能早于开始日期。"))
    else:
        survey_opens = survey_closes = None
    if AppraisalCycle.objects.filter(org=unit, year=year, kind=kind).exists():
        raise Conflict(_("%(u)s已有%(y)d年的%(k)s。") % {"u": unit.display_name, "y": year, "k": CycleKind(kind).label},
                       code="duplicate")  # fmt: skip
    workers = list(
        Worker.objects.filter(subtree_q("scope_code", unit.code), status=Status.ACTIVE)
        .select_related("org")
        .order_by("scope_code", "hired_on", "id")
    )
    if not workers:
        raise _invalid("org", _("%(u)s目前没有在岗的社区工作者。") % {"u": unit.display_name})
    if kind == CycleKind.ANNUAL:
        taken = (
            AppraisalResult.objects.filter(worker__in=workers, cycle__year=year, cycle__kind=CycleKind.ANNUAL)
            .select_related("worker", "cycle")
            .first()
        )
        if taken is not None:
            raise Conflict(
                _("%(n)s已在“%(c)s”中参加 %(y)d 年度考核，一人一年只参加一次年度考核。")
                % {"n": taken.worker.name, "c": taken.cycle.title, "y": year},
                code="duplicate",
            )
    title = (title or "").strip()[:100] or _("%(u)s%(y)d年%(k)s") % {
        "u": unit.display_name, "y": year, "k": CycleKind(kind).label}  # fmt: skip
    cycle = AppraisalCycle(org=unit, kind=kind, year=year, title=title, weights=weights, org_share=org_share,
                           scorers=scorers, street_share=street_share, grades=grades, survey_opens=survey_opens,
                           survey_closes=survey_closes, created_by=actor)  # fmt: skip
    cycle = services.create(actor, cycle, perm=MANAGE_APPRAISAL)
    offices = list(Office.objects.filter(worker__in=workers, end__isnull=True).order_by("body", "id"))
    AppraisalResult.objects.bulk_create(
        [
            AppraisalResult(
                cycle=cycle, worker=w, unit=w.org, position=_position(w, offices), scope_code=w.org.code
            )
            for w in workers
        ]  # fmt: skip
    )
    if org_share < 100:
        _open_surveys(actor, cycle, workers, offices, verify=verify)
    return cycle


def _open_surveys(actor, cycle, workers, offices, *, verify: str) -> None:
    """One survey per community: the residents rate the workers of their own community (workers
    of the street office itself are scored by the organisation alone)."""
    by_unit: dict[OrgUnit, list] = {}
    for w in workers:
        if w.org.level == Level.COMMUNITY:
            by_unit.setdefault(w.org, []).append(w)
    for unit, staff in by_unit.items():
        questions = [
            {"kind": "rating", "text": _("您对%(n)s（%(p)s）的工作满意吗？") % {"n": w.name, "p": _position(w, offices) or _("社区工作者")},
             "required": False, "ref": f"worker:{w.pk}"}
            for w in staff
        ]  # fmt: skip
        questions.append({"kind": "text", "text": _("对社区工作者的意见和建议"), "required": False})
        surveys.create_survey(
            actor, unit.code, title=_("%(t)s·群众评议") % {"t": cycle.title}, opens_on=cycle.survey_opens,
            closes_on=cycle.survey_closes, verify=verify, per="resident", purpose=SURVEY_PURPOSE,
            owner_id=str(cycle.pk), questions=questions,
            intro=_("请对本社区的社区工作者逐一评价（5 分为非常满意）；不了解的可以不评。每位居民只能填写一次，"
                    "答卷只用于统计。"),
        )  # fmt: skip


def cycle_surveys(cycle):
    return (
        Survey.objects.filter(purpose=SURVEY_PURPOSE, owner_id=str(cycle.pk))
        .select_related("org")
        .order_by("scope_code")
    )


# --- the organisation's scores ----------------------------------------------------------------------
def scorer_roles(actor, code: str) -> list[str]:
    """The scorers the actor may act as over `code`: the community lead (a lead's membership over
    the community), the street (a street, district or system administrator)."""
    roles = []
    ms = scope.memberships(actor)
    if any(m.role == Role.COMMUNITY_LEAD and code.startswith(m.scope_code) for m in ms):
        roles.append(ScorerRole.LEAD)
    if any(m.role == Role.SYSADMIN for m in ms) or any(
        m.role in (Role.STREET, Role.DISTRICT) and code.startswith(m.scope_code) for m in ms
    ):
        roles.append(ScorerRole.STREET)
    return roles


def needed_for(cycle, result) -> tuple[str, ...]:
    """Who scores this worker: the cycle's scorers, but the street alone for a worker of the
    street office itself (no community lead above them)."""
    if len(result.scope_code) < 12:
        return (ScorerRole.STREET,)
    return cycle.needed_scorers()


def clean_scores(scores: dict) -> dict[str, Decimal]:
    """0–100 for each of the six dimensions (one decimal at most)."""
    out = {}
    for key, value in (scores or {}).items():
        code = _choice(Dimension, key, "scores", _("考核维度"))
        label = Dimension(code).label
        try:
            n = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise _invalid(code, _("“%(d)s”的得分应为数字。") % {"d": label}) from None
        if not n.is_finite() or not Decimal(0) <= n <= HUNDRED:
            raise _invalid(
                code, _("“%(d)s”的得分应在 0 到 100 之间（填写的是 %(v)s）。") % {"d": label, "v": value}
            )
        if n != n.quantize(Decimal("0.1")):
            raise _invalid(code, _("“%(d)s”的得分最多保留一位小数。") % {"d": label})
        out[code] = n
    missing = [str(Dimension(d).label) for d in Dimension.values if d not in out]
    if missing:
        raise _invalid("scores", _("请填写“%(d)s”的得分。") % {"d": "、".join(missing)})
    return {d: out[d] for d in Dimension.values}


def weighted(scores: dict[str, Decimal], weights: dict[str, int]) -> Decimal:
    return (sum(scores[d] * weights[d] for d in Dimension.values) / HUNDRED).quantize(TWO, ROUND_HALF_UP)


@transaction.atomic
def enter_scores(actor, cycle_pk, worker_pk, *, scores: dict, scorer: str | None = None) -> AppraisalScore:
    """The street's or the community lead's 0–100 per dimension for one worker of an open cycle
    (entered again, it replaces the earlier one until the cycle closes)."""
    cycle = get_visible(AppraisalCycle, actor, cycle_pk)
    result = (
        AppraisalResult.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("worker")
        .filter(cycle=cycle, worker_id=worker_pk)
        .first()
    )
    if result is None:
        raise NotFound()
    require(actor, MANAGE_APPRAISAL, result.scope_code)
    if not cycle.is_open:
        raise Conflict(_("本次考核已结束，评分不能再修改。"), code="closed")
    mine = scorer_roles(actor, result.scope_code)
    if scorer:
        scorer = _choice(ScorerRole, scorer, "scorer", _("评分方"))
        if scorer not in mine:
            raise Forbidden(_("您不能以“%(s)s”的身份评分。") % {"s": ScorerRole(scorer).label})
    else:
        wanted = [r for r in mine if r in needed_for(cycle, result)]
        if len(wanted) != 1:
            raise _invalid(
                "scorer",
                _("请选择以街道还是社区负责人的身份评分。") if wanted else _("您不是本次考核的评分方。"),
            )
        scorer = wanted[0]
    if scorer not in needed_for(cycle, result):
        raise Conflict(
            _("本次考核的组织考%(s)s。") % {"s": Scorers(cycle.scorers).label}, code="not_a_scorer"
        )
    clean = clean_scores(scores)
    total = weighted(clean, cycle.weights)
    stored = {d: str(v) for d, v in clean.items()}
    found = AppraisalScore.objects.filter(result=result, scorer=scorer).first()
    before = {"scores": found.scores, "total": str(found.total)} if found else None
    if found is None:
        found = AppraisalScore.objects.create(
            result=result, scorer=scorer, scores=stored, total=total, entered_by=actor
        )
    else:
        found.scores, found.total, found.entered_by = stored, total, actor
        found.save(update_fields=["scores", "total", "entered_by", "entered_at"])
    field = "street_score" if scorer == ScorerRole.STREET else "lead_score"
    AppraisalResult.objects.filter(pk=result.pk).update(**{field: total})
    changelog.record(actor, Action.UPDATE if before else Action.CREATE, found, before=before,
                     after={"scores": stored, "total": str(total)}, scope_code=result.scope_code,
                     note=_("组织考评分（%(s)s）：%(w)s") % {"s": ScorerRole(scorer).label, "w": result.worker.name})  # fmt: skip
    return found


def missing_scores(cycle) -> list[tuple[AppraisalResult, list[str]]]:
    """The workers whose organisation scores are not all in, with the scorers still missing."""
    out = []
    for r in cycle.results.select_related("worker").order_by("scope_code", "id"):
        if _left_unscored(r):
            continue
        have = {ScorerRole.STREET: r.street_score is not None, ScorerRole.LEAD: r.lead_score is not None}
        needed = needed_for(cycle, r)
        if cycle.scorers == Scorers.EITHER and len(needed) > 1:
            lacking = [] if any(have.values()) else [_("街道或社区负责人")]
        else:
            lacking = [str(ScorerRole(s).label) for s in needed if not have[s]]
        if lacking:
            out.append((r, lacking))
    return out


def _left_unscored(r) -> bool:
    """A worker who has left since the cycle opened and whom nobody scored is not appraised."""
    return r.worker.status == Status.LEFT and r.street_score is None and r.lead_score is None


# --- closing ---------------------------------------------------------------------------------------
def organisation_score(cycle, street: Decimal | None, lead: Decimal | None) -> Decimal:
    if street is not None and lead is not None:
        share = Decimal(cycle.street_share)
        return (street * share / HUNDRED + lead * (HUNDRED - share) / HUNDRED).quantize(TWO, ROUND_HALF_UP)
    return street if street is not None else lead


def rank_key(row: dict):
    """Total, organisation score, residents' score (none lowest), longer service, earlier record."""
    res = row["resident"] if row["resident"] is not None else Decimal(-1)
    return (-row["total"], -row["org"], -res, row["hired_on"], row["id"])


def assign_grades(rows: list[dict], grades: list[dict]) -> None:
    """Rank rows (dicts with total, org, resident, hired_on, id) and set each one's `grade`
    (index into grades) and `demoted`, thresholds first, then quotas from the top down."""
    rows.sort(key=rank_key)
    n = len(rows)
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
        row["demoted"] = False
        row["grade"] = next(i for i, g in enumerate(grades) if row["total"] >= Decimal(str(g["min"])))
    for i, g in enumerate(grades[:-1]):
        if g["quota"] is None:
            continue
        cap = math.floor(n * g["quota"] / 100)
        holders = [r for r in rows if r["grade"] == i]
        for row in holders[cap:]:
            row["grade"], row["demoted"] = i + 1, True


@transaction.atomic
def close_cycle(actor, cycle_pk) -> AppraisalCycle:
    """End the cycle: every worker's organisation scores must be in; the residents' survey closes;
    each result is computed (see the module's docstring)."""
    cycle = get_visible(AppraisalCycle, actor, cycle_pk, for_update=True)
    require(actor, MANAGE_APPRAISAL, cycle.scope_code)
    if not cycle.is_open:
        raise Conflict(
            _("本次考核已于 %(d)s 结束。") % {"d": timezone.localtime(cycle.closed_at).date()}, code="closed"
        )
    missing = missing_scores(cycle)
    if missing:
        names = "、".join(f"{r.worker.name}（{'、'.join(who)}）" for r, who in missing[:20])
        more = _("等 %(n)d 人") % {"n": len(missing)} if len(missing) > 20 else ""
        raise Conflict(
            _("以下人员的组织考评分尚未录入，不能结束考核：%(w)s%(m)s。") % {"w": names, "m": more},
            code="scores_missing",
            details={
                "missing": [
                    {"worker_id": r.worker_id, "name": r.worker.name, "scorers": who} for r, who in missing
                ]
            },
        )
    ratings: dict[str, tuple[int, Decimal | None]] = {}
    for s in cycle_surveys(cycle):
        surveys.close_survey(actor, s.pk, purpose=SURVEY_PURPOSE)
        ratings.update(surveys.ratings_by_ref(s))
    results = list(cycle.results.select_related("worker").order_by("id"))
    gone = [r for r in results if _left_unscored(r)]
    if gone:
        AppraisalResult.objects.filter(pk__in=[r.pk for r in gone]).delete()
        results = [r for r in results if r not in gone]
    rows = []
    for r in results:
        org = organisation_score(cycle, r.street_score, r.lead_score)
        count, average = ratings.get(r.ref, (0, None))
        resident = (
            (average * RESIDENT_SCALE).quantize(TWO, ROUND_HALF_UP)
            if count and cycle.org_share < 100
            else None
        )
        if resident is None:
            total = org
        else:
            share = Decimal(cycle.org_share)
            total = (org * share / HUNDRED + resident * (HUNDRED - share) / HUNDRED).quantize(
                TWO, ROUND_HALF_UP
            )
        rows.append({"id": r.pk, "result": r, "org": org, "resident": resident, "count": count, "average": average,
                     "total": total, "hired_on": r.worker.hired_on})  # fmt: skip
    grades = cycle.grades
    assign_grades(rows, grades)
    last = len(grades) - 1
    previous = _previous_lowest(cycle, [r.worker_id for r in results])
    for row in rows:
        r, g = row["result"], grades[row["grade"]]
        r.org_score, r.resident_score, r.total = row["org"], row["resident"], row["total"]
        r.resident_count, r.resident_average = row["count"], row["average"]
        r.rank, r.grade, r.grade_index, r.demoted = row["rank"], g["name"], row["grade"], row["demoted"]
        r.lowest = row["grade"] == last
        r.passed = bool(g["passing"])
        r.coefficient = Decimal(g["coefficient"])
        r.step_eligible, r.renew_advised = bool(g["step"]), bool(g["renew"])
        r.exit_advised = r.lowest and r.worker_id in previous
        notes = []
        if row["resident"] is None and cycle.org_share < 100:
            notes.append(_("无居民评价，总分按组织考计"))
        if row["demoted"]:
            notes.append(_("超出“%(g)s”名额，按名次调整") % {"g": grades[row["grade"] - 1]["name"]})
        if r.exit_advised:
            notes.append(_("连续两次考核为%(g)s，建议解除聘用") % {"g": g["name"]})
        r.note = "；".join(str(n) for n in notes)[:300]
    AppraisalResult.objects.bulk_update(results, ["org_score", "resident_score", "total", "resident_count",
                                                  "resident_average", "rank", "grade", "grade_index", "demoted",
                                                  "lowest", "passed", "coefficient", "step_eligible", "renew_advised",
                                                  "exit_advised", "note"])  # fmt: skip
    counts = {}
    for row in rows:
        counts[grades[row["grade"]]["name"]] = counts.get(grades[row["grade"]]["name"], 0) + 1
    return services.update(actor, AppraisalCycle, cycle.pk, {"status": CycleStatus.CLOSED, "closed_at": timezone.now(),
                           "closed_by": actor}, perm=MANAGE_APPRAISAL,
                           note=_("结束考核：") + "，".join(f"{k} {v} 人" for k, v in counts.items())
                           + (_("；已离开未评分的 %(n)d 人不参加") % {"n": len(gone)} if gone else ""))  # fmt: skip


def _previous_lowest(cycle, worker_ids) -> set[int]:
    """Workers whose latest closed result before this cycle was that cycle's lowest grade."""
    latest: dict[int, bool] = {}
    earlier = (
        AppraisalResult.objects.filter(worker_id__in=worker_ids, cycle__status=CycleStatus.CLOSED)
        .exclude(cycle=cycle)
        .filter(cycle__year__lte=cycle.year)
        .order_by("worker_id", "-cycle__year", "-cycle__closed_at", "-id")
        .values_list("worker_id", "lowest")
    )
    for wid, lowest in earlier:
        latest.setdefault(wid, lowest)
    return {wid for wid, lowest in latest.items() if lowest}


# --- for other rules -------------------------------------------------------------------------------
def appraisal_ok(worker_id: int, years: int) -> bool:
    """Were the worker's last `years` annual appraisals (closed cycles, one per year, latest first)
    all of a passing grade? False when fewer than `years` are on record."""
    if years < 1:
        return True
    seen: dict[int, bool] = {}
    rows = (
        AppraisalResult.objects.filter(worker_id=worker_id, cycle__status=CycleStatus.CLOSED,
                                       cycle__kind=CycleKind.ANNUAL)
        .order_by("-cycle__year", "-cycle__closed_at")
        .values_list("cycle__year", "passed")
    )  # fmt: skip
    for year, passed in rows:
        seen.setdefault(year, bool(passed))
        if len(seen) == years:
            break
    return len(seen) == years and all(seen.values())


def step_checker(worker_ids=None):
    """The pay module's `appraisal_ok` for its step-up rule, reading the closed annual results of
    the given workers at once: for a worker and the years asked, True when each year's result
    allows a step (its grade's `step`, e.g. 优秀 and 称职), False when one does not, None (待考核结果)
    when a year has no closed result yet and none has failed."""
    rows = AppraisalResult.objects.filter(cycle__status=CycleStatus.CLOSED, cycle__kind=CycleKind.ANNUAL)
    if worker_ids is not None:
        rows = rows.filter(worker_id__in=list(worker_ids))
    seen: dict[tuple[int, int], bool | None] = {}
    for wid, year, ok in rows.order_by("cycle__year", "cycle__closed_at").values_list(
        "worker_id", "cycle__year", "step_eligible"
    ):
        seen[(wid, year)] = ok  # the latest closed cycle of a year stands

    def check(worker_id: int, years) -> bool | None:
        verdicts = [seen.get((worker_id, y)) for y in years]
        if any(v is False for v in verdicts):
            return False
        return None if any(v is None for v in verdicts) else True

    return check


def results_of(user):
    """The signed-in worker's own closed results, latest first."""
    return (
        AppraisalResult.objects.filter(worker__user=user, cycle__status=CycleStatus.CLOSED)
        .select_related("cycle", "unit", "worker")
        .order_by("-cycle__year", "-cycle__closed_at")
    )


def grade_distribution(user, scope_code: str, year: int) -> dict | None:
    """How the closed annual appraisals in a scope fell across the grades (the names of each
    cycle's own scale, in its order), with percentages to one decimal, half up: the latest year up
    to `year` that has any (None when none has)."""
    from django.db.models import Max

    from shequ.workforce.reports import percent

    closed = AppraisalResult.objects.visible_to(user).filter(
        cycle__status=CycleStatus.CLOSED, cycle__kind=CycleKind.ANNUAL, cycle__year__lte=year
    )
    if scope_code:
        closed = closed.filter(subtree_q("unit__code", scope_code))
    year = closed.aggregate(y=Max("cycle__year"))["y"]
    if year is None:
        return None
    rows = closed.filter(cycle__year=year).exclude(grade="").values_list("grade", "grade_index")
    counts: dict[str, list] = {}
    for name, index in rows:
        entry = counts.setdefault(name, [index if index is not None else 99, 0])
        entry[1] += 1
    total = sum(n for _i, n in counts.values())
    groups = [
        {"label": name, "count": n, "percent": percent(n, total)}
        for name, (_i, n) in sorted(counts.items(), key=lambda kv: (kv[1][0], kv[0]))
    ]
    return {"year": year, "total": total, "groups": groups}
