"""居民评议 acts: open a round (one survey of the kernel's engine per community, a rating question
per target and dimension, one response per household), close it (the totals are kept, the engine's
answers stay where they are: who answered is only a digest there), and open a follow-up issue for
each target with a dimension or overall average below the round's threshold.

Overall score of a target: the average of all its ratings over all dimensions (each rating counts
once), not the average of the dimension averages."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, surveys
from shequ.core import scope as core_scope
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import Action, Survey, SurveyAnswer, SurveyVerify
from shequ.core.services import get_visible, require
from shequ.org.models import OrgType, ResidentOrganization
from shequ.participation.models import (
    MANAGE,
    SURVEY_PURPOSE,
    Issue,
    IssueAction,
    IssueCategory,
    IssueEvent,
    IssueScope,
    IssueSource,
    RatingRound,
    RatingScore,
    RatingTarget,
    TargetKind,
)
from shequ.participation.services.issues import community_of, move

MAX_DIMENSIONS = 10
FOLLOW_UP_CATEGORIES = {TargetKind.COMMITTEE: "其他", TargetKind.COMPANY: "物业服务"}


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _dimensions(values) -> list[str]:
    if isinstance(values, str):
        values = values.replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
    dims = [str(v).strip() for v in (values or []) if str(v).strip()]
    if not 1 <= len(dims) <= MAX_DIMENSIONS:
        raise _invalid("dimensions", _("请填写 1 到 %(n)d 个评议维度。") % {"n": MAX_DIMENSIONS})
    if any(len(d) > 30 for d in dims):
        raise _invalid("dimensions", _("每个评议维度不超过 30 字。"))
    if len(set(dims)) != len(dims):
        raise _invalid("dimensions", _("评议维度不能重复。"))
    return dims


def _threshold(value) -> Decimal:
    try:
        t = Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        t = None
    if t is None or not Decimal("1") <= t <= Decimal("5"):
        raise _invalid("threshold", _("整改线应为 1 到 5 之间的平均分，如 3.00。"))
    return t


def committee_name(community) -> str:
    name = community.display_name
    return name if name.endswith("居委会") or name.endswith("居民委员会") else f"{name}居委会"


def companies_of(community):
    """The property companies (驻区单位 of the property kind) of a community."""
    return ResidentOrganization.objects.filter(community=community, org_type=OrgType.PROPERTY).order_by(
        "name", "pk"
    )


def _ref(target, index: int) -> str:
    return f"t{target.pk}:{index}"


@transaction.atomic
def create_round(actor, community_code: str, *, title: str, opens_on, closes_on, dimensions=None,
                 threshold=None, verify: str = SurveyVerify.EITHER) -> RatingRound:  # fmt: skip
    """A rating round of a community: the households rate the committee and each property company of
    the community on the round's dimensions, once per household, on the phone page of its survey."""
    unit = community_of(community_code)
    if not core_scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE, unit.code)
    title = (title or "").strip()
    if not title or len(title) > 100:
        raise _invalid("title", _("请填写评议名称（不超过 100 字）。"))
    if not isinstance(opens_on, dt.date) or not isinstance(closes_on, dt.date):
        raise _invalid("closes_on", _("请填写评议的开始和截止日期。"))
    if closes_on < opens_on:
        raise _invalid("closes_on", _("截止日期不能早于开始日期。"))
    if closes_on < timezone.localdate():
        raise _invalid("closes_on", _("截止日期已过，请填写今天或以后的日期。"))
    if verify not in SurveyVerify.values:
        raise _invalid("verify", _("填写人核验应为：login（登录）、code（填写码）或 either（均可）。"))
    dims = _dimensions(dimensions if dimensions is not None else [])
    limit = _threshold("3.00" if threshold in (None, "") else threshold)
    rnd = RatingRound.objects.create(org=unit, title=title, dimensions=dims, threshold=limit, opens_on=opens_on,
                                     closes_on=closes_on, verify=verify, created_by=actor)  # fmt: skip
    targets = [RatingTarget(round=rnd, community=unit, kind=TargetKind.COMMITTEE, name=committee_name(unit))]
    targets += [
        RatingTarget(round=rnd, community=unit, kind=TargetKind.COMPANY, company=c, name=c.name[:200])
        for c in companies_of(unit)
    ]
    for t in targets:
        t.scope_code = t.compute_scope_code()
    RatingTarget.objects.bulk_create(targets)
    targets = list(rnd.targets.order_by("pk"))
    questions = []
    for t in targets:
        for i, d in enumerate(dims):
            questions.append({"kind": "rating", "text": _("%(t)s·%(d)s") % {"t": t.name, "d": d},
                              "required": t.kind == TargetKind.COMMITTEE, "ref": _ref(t, i)})  # fmt: skip
    questions.append({"kind": "text", "text": _("您的意见和建议"), "required": False})
    survey = surveys.create_survey(
        actor, unit.code, title=title, opens_on=opens_on, closes_on=closes_on, verify=verify, per="household",
        purpose=SURVEY_PURPOSE, owner_id=str(rnd.pk), questions=questions, accepts_name=True,
        intro=_("请为社区居委会和物业服务企业逐项打分（5 分为非常满意）；物业企业不了解的可以不评。每户只能填写一次，"
                "答卷只用于统计，任何人都看不到您家的评分。"),
    )  # fmt: skip
    RatingTarget.objects.filter(round=rnd).update(survey_id=survey.pk)
    changelog.record(actor, Action.CREATE, rnd, after={"title": title, "dimensions": dims, "threshold": str(limit),
                                                       "targets": len(targets)})  # fmt: skip
    return rnd


def survey_of(rnd) -> Survey | None:
    return Survey.objects.filter(purpose=SURVEY_PURPOSE, owner_id=str(rnd.pk)).select_related("org").first()


def _avg(total, n) -> Decimal | None:
    return (Decimal(total) / n).quantize(Decimal("0.01"), ROUND_HALF_UP) if n else None


def tally(rnd) -> list[dict]:
    """Per target: households that rated it, households eligible, each dimension's and the overall
    average (from the engine's answers, as totals only)."""
    survey = survey_of(rnd)
    targets = list(rnd.targets.select_related("community").order_by("kind", "name", "pk"))
    if survey is None:
        return []
    eligible, _basis = surveys.eligible_of(survey)
    by_ref = {
        ref: (n, total)
        for ref, n, total in SurveyAnswer.objects.filter(question__survey=survey, rating__isnull=False)
        .values("question__ref")
        .annotate(n=Count("id"), total=Sum("rating"))
        .values_list("question__ref", "n", "total")
    }
    out = []
    for t in targets:
        prefix = f"t{t.pk}:"
        responded = (
            SurveyAnswer.objects.filter(
                question__survey=survey, question__ref__startswith=prefix, rating__isnull=False
            )
            .values("response_id")
            .distinct()
            .count()
        )
        dims, all_n, all_total = [], 0, 0
        for i, d in enumerate(rnd.dimensions):
            n, total = by_ref.get(f"{prefix}{i}", (0, 0))
            all_n, all_total = all_n + n, all_total + (total or 0)
            dims.append({"dimension": d, "ratings": n, "average": _avg(total or 0, n)})
        rate = (
            (Decimal(responded) * 100 / eligible).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if eligible
            else None
        )
        out.append({"target": t, "responses": responded, "eligible": eligible, "rate": rate, "dimensions": dims,
                    "overall": _avg(all_total, all_n), "ratings": all_n})  # fmt: skip
    return out


def _follow_up(actor, rnd, target, low: list[tuple[str, Decimal]]) -> Issue:
    """A 议题 for the community to deliberate on the low scores (put straight on the list for the
    next meeting: the households' ratings stand for their support)."""
    names = "、".join(f"{d or _('总体')} {a}" for d, a in low)
    category = (
        IssueCategory.objects.filter(name=FOLLOW_UP_CATEGORIES[target.kind], active=True).first()
        or IssueCategory.objects.filter(active=True).order_by("order", "pk").first()
    )
    issue = Issue.objects.create(
        community=target.community, scope=IssueScope.COMMUNITY, category=category, source=IssueSource.RATING,
        title=(_("居民评议整改：%(t)s") % {"t": target.name})[:100],
        text=_("“%(r)s”中，%(t)s以下得分低于整改线 %(x)s 分：%(s)s。请研究整改措施，并向居民反馈。")
        % {"r": rnd.title, "t": target.name, "x": rnd.threshold, "s": names},
        proposer_name=_("居民评议"), proposer_user=actor, raised_on=timezone.localdate(),
    )  # fmt: skip
    IssueEvent.objects.create(issue=issue, action="raise", status=issue.status,
                              note=(_("由居民评议“%(r)s”生成") % {"r": rnd.title})[:300], actor_name=_("系统"))  # fmt: skip
    changelog.record(actor, Action.CREATE, issue, after={"title": issue.title, "source": issue.source,
                                                         "rating_round": rnd.pk})  # fmt: skip
    move(issue, IssueAction.QUALIFY, actor, note=_("评议得分低于整改线"), name=_("系统"))
    return issue


@transaction.atomic
def close_round(actor, pk) -> RatingRound:
    """End a round: its survey takes no more answers; each target's totals are kept; a target with a
    dimension or overall average below the threshold gets one follow-up issue, linked from its scores."""
    rnd = get_visible(RatingRound, actor, pk, for_update=True)
    require(actor, MANAGE, rnd.scope_code)
    if rnd.closed_at is not None:
        day = timezone.localtime(rnd.closed_at).date()
        raise Conflict(_("本轮评议已于 %(d)s 结束，不能重复结束。") % {"d": day}, code="closed")
    survey = survey_of(rnd)
    if survey is not None:
        surveys.close_survey(actor, survey.pk, purpose=SURVEY_PURPOSE)
    rows = tally(rnd)
    followed = 0
    for row in rows:
        t = row["target"]
        t.responses, t.eligible, t.overall = row["responses"], row["eligible"], row["overall"]
        t.save(update_fields=["responses", "eligible", "overall", "updated_at"])
        scores = [RatingScore(target=t, dimension=d["dimension"], ratings=d["ratings"], average=d["average"])
                  for d in row["dimensions"]]  # fmt: skip
        scores.append(RatingScore(target=t, dimension="", ratings=row["ratings"], average=row["overall"]))
        low = [s for s in scores if s.average is not None and s.average < rnd.threshold]
        if low:
            issue = _follow_up(actor, rnd, t, [(s.dimension, s.average) for s in low])
            for s in low:
                s.issue = issue
            followed += 1
        RatingScore.objects.bulk_create(scores)
    rnd.closed_at = timezone.now()
    rnd.save(update_fields=["closed_at", "updated_at"])
    changelog.record(
        actor, Action.UPDATE, rnd, after={"closed_at": rnd.closed_at.isoformat(), "follow_ups": followed}
    )
    return rnd


def state_of(rnd) -> str:
    """open, pending (not yet open) or closed (ended by staff; a round past its date still awaits
    being closed for its totals: 'due')."""
    if rnd.closed_at is not None:
        return "closed"
    today = timezone.localdate()
    if today < rnd.opens_on:
        return "pending"
    return "due" if today > rnd.closes_on else "open"


def follow_ups(rnd):
    """The follow-up issues a closed round opened."""
    ids = RatingScore.objects.filter(target__round=rnd, issue__isnull=False).values("issue_id")
    return Issue.objects.filter(pk__in=ids).order_by("pk")


def closed_results(rnd) -> list[dict]:
    """The totals kept when the round closed, per target, as `tally` gives them."""
    out = []
    targets = list(
        rnd.targets.select_related("community").prefetch_related("scores").order_by("kind", "name", "pk")
    )
    for t in targets:
        scores = {s.dimension: s for s in t.scores.all()}
        dims = [{"dimension": d, "ratings": scores[d].ratings if d in scores else 0,
                 "average": scores[d].average if d in scores else None,
                 "issue_id": scores[d].issue_id if d in scores else None} for d in rnd.dimensions]  # fmt: skip
        overall = scores.get("")
        out.append({"target": t, "responses": t.responses or 0, "eligible": t.eligible, "rate": t.rate,
                    "dimensions": dims, "overall": t.overall, "ratings": overall.ratings if overall else 0,
                    "issue_id": next((s.issue_id for s in scores.values() if s.issue_id), None)})  # fmt: skip
    return out


def results_of(rnd) -> list[dict]:
    return closed_results(rnd) if rnd.closed_at is not None else tally(rnd)
