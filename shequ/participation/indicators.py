"""居民参与率, offered to the kernel's indicator registry (an assessment reads it by key).

Numerator: the distinct residents of the scope who, in the period, proposed an issue, supported
one, signed in at a meeting (in person or on the staff's list), or answered a rating round. The
first three name a person (a registry resident, else an account, else a name on a meeting's list)
and are counted once however many of them they did. A rating response is kept only as a digest of
the household: each counts as one resident, and, since who answered is unknown, it is added to the
named acts rather than matched against them (a resident who both supported an issue and rated is
counted twice at most once per household).
Denominator: the adult (18 and over) active residents of the scope in the resident registry."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop as N_

from shequ.core import scope
from shequ.core.errors import Forbidden, NotFound

KEY = "participation.participation_rate"
FORMULA = N_(
    "统计期内提出议题、附议、参加会议签到或参与居民评议的不同居民人数 ÷ 范围内 18 周岁以上在册居民人数 × 100%。"
    "提议、附议、签到按居民（台账居民、账号或签到姓名）去重；居民评议每户一份且只保存户的摘要，"
    "每份答卷按 1 名居民计，且不与其他参与去重。"
)


def participation_rate(user, code: str | None, start: dt.date, end: dt.date) -> dict:
    """The rate of `code`'s subtree (the user's whole scope when empty) over [start, end]."""
    from shequ.core import surveys
    from shequ.core.models import SurveyResponse
    from shequ.participation.models import SURVEY_PURPOSE, VIEW, Attendance, Issue, IssueSource, Support

    if not scope.holds(user, VIEW):
        raise Forbidden()
    if code and not scope.covers(user, code, VIEW):
        raise NotFound()
    within = code or None
    issues = Issue.objects.visible_to(user).within(within)
    people: set[str] = set()
    for rid, uid in issues.filter(
        source=IssueSource.PROPOSAL, raised_on__gte=start, raised_on__lte=end
    ).values_list("proposer_resident_id", "proposer_user_id"):
        if rid:
            people.add(f"r:{rid}")
        elif uid:
            people.add(f"u:{uid}")
    people.update(
        Support.objects.filter(issue__in=issues, created_at__date__gte=start, created_at__date__lte=end)
        .values_list("key", flat=True)
        .distinct()
    )
    people.update(
        Attendance.objects.visible_to(user)
        .within(within)
        .filter(meeting__starts_at__date__gte=start, meeting__starts_at__date__lte=end)
        .values_list("key", flat=True)
        .distinct()
    )
    roots = [code] if code else scope.scope_codes(user, scope.roles_with(VIEW))
    rating_q = scope.prefix_q("survey__scope_code", roots) if roots is not None else None
    rated_qs = SurveyResponse.objects.filter(
        survey__purpose=SURVEY_PURPOSE, submitted_at__date__gte=start, submitted_at__date__lte=end
    )
    if rating_q is not None:
        rated_qs = rated_qs.filter(rating_q)
    rated = rated_qs.count()
    named = len(people)
    if roots is None:
        adults = surveys.population_of("", "resident")
    else:
        counts = [surveys.population_of(r, "resident") for r in roots]
        adults = sum(c or 0 for c in counts) or None
    numerator = named + rated
    value = (Decimal(numerator) * 100 / adults).quantize(Decimal("0.1"), ROUND_HALF_UP) if adults else None
    return {"value": value, "numerator": numerator, "denominator": adults, "named": named, "rated": rated}


def participation_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """participation_rate of many scopes at once: each source read once, grouped on the scope's
    code prefix (the people named by each act per scope, deduplicated here; the rating responses
    counted per scope), and the adult residents of every scope in one grouped count."""
    from django.db.models import Count

    from shequ.core import indicators as ind
    from shequ.core import surveys
    from shequ.core.models import SurveyResponse
    from shequ.participation.models import SURVEY_PURPOSE, VIEW, Attendance, Issue, IssueSource, Support

    ind.require(user, VIEW, codes)
    codes = list(dict.fromkeys(codes))
    n = {"n": Count("id")}
    people: dict[str, set] = {c: set() for c in codes}
    issues = Issue.objects.visible_to(user)
    proposals = issues.filter(source=IssueSource.PROPOSAL, raised_on__gte=start, raised_on__lte=end)
    for prefix, qs, by in (
        ("r:", proposals.filter(proposer_resident__isnull=False), "proposer_resident_id"),
        (
            "u:",
            proposals.filter(proposer_resident__isnull=True, proposer_user__isnull=False),
            "proposer_user_id",
        ),
    ):
        for c, found in ind.per_scope(qs, codes, n, by=by).items():
            people[c].update(f"{prefix}{k}" for k in found)
    supports = Support.objects.filter(
        issue__in=issues, created_at__date__gte=start, created_at__date__lte=end
    )
    attended = Attendance.objects.visible_to(user).filter(
        meeting__starts_at__date__gte=start, meeting__starts_at__date__lte=end
    )
    for qs in (supports, attended):
        for c, found in ind.per_scope(qs, codes, n, by="key").items():
            people[c].update(found)
    rated_qs = SurveyResponse.objects.filter(
        survey__purpose=SURVEY_PURPOSE, submitted_at__date__gte=start, submitted_at__date__lte=end
    )
    rated = ind.per_scope(rated_qs, codes, n, field="survey__scope_code")
    adults = surveys.populations_of(codes, "resident")
    out = {}
    for c in codes:
        named, r = len(people[c]), rated[c].get("n") or 0
        numerator, den = named + r, adults.get(c)
        value = (Decimal(numerator) * 100 / den).quantize(Decimal("0.1"), ROUND_HALF_UP) if den else None
        out[c] = {"value": value, "numerator": numerator, "denominator": den, "named": named, "rated": r}
    return out


def register() -> None:
    from shequ.core import registry

    registry.register_indicator(
        KEY, label=_l("居民参与率"), unit="%", formula=_l(FORMULA), perm="participation.view",
        compute=participation_rate, compute_many=participation_many, reads=(N_("议题"), N_("附议"), N_("会议签到"), N_("居民评议"), N_("居民")),
    )  # fmt: skip
    from shequ.core.indicators import single

    registry.register_indicator(
        "participation.meetings_held", label=_l("召开议事会议数"), unit="场", formula=_l(MEETINGS),
        perm="participation.view", compute=single(meetings_many), compute_many=meetings_many,
        reads=(N_("会议"), N_("会议类型")), breakdowns=("kind",),
    )  # fmt: skip
    registry.register_indicator(
        "participation.resolutions_adopted", label=_l("通过决议数"), unit="项", formula=_l(RESOLUTIONS),
        perm="participation.view", compute=single(resolutions_many), compute_many=resolutions_many,
        reads=(N_("决议"),),
    )  # fmt: skip


def label() -> str:
    return _("居民参与率")


# --- meetings and resolutions ---------------------------------------------------------------------
MEETINGS = N_("开始时间在统计期内、已召开（已记录召开）的议事会议场数；可按会议类型（四会等）分组。")
RESOLUTIONS = N_("表决日期在统计期内、表决通过的决议数；分母为统计期内表决的决议总数（含未通过的）。")


def meetings_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """已召开的会议 of each scope, by meeting type."""
    from django.db.models import Count

    from shequ.core import indicators as ind
    from shequ.participation.models import VIEW, Meeting, MeetingType

    ind.require(user, VIEW, codes)
    a, b = ind.day_bounds(start, end)
    qs = Meeting.objects.visible_to(user).filter(held=True, starts_at__gte=a, starts_at__lt=b)
    found = ind.per_scope(qs, codes, {"n": Count("id")}, by="kind_id")
    names = dict(MeetingType.objects.values_list("pk", "name"))
    out = {}
    for c in codes:
        n = sum(r["n"] for r in found[c].values())
        kinds = {names.get(k, str(k)): r["n"] for k, r in sorted(found[c].items())}
        out[c] = {"value": n, "numerator": n, "denominator": None, "by": {"kind": kinds}}
    return out


def resolutions_many(user, codes, start: dt.date, end: dt.date) -> dict:
    """表决通过的决议 of each scope (out of those voted on)."""
    from django.db.models import Count, Q

    from shequ.core import indicators as ind
    from shequ.participation.models import VIEW, Resolution

    ind.require(user, VIEW, codes)
    qs = Resolution.objects.visible_to(user).filter(decided_on__gte=start, decided_on__lte=end)
    found = ind.per_scope(qs, codes, {"n": Count("id"), "adopted": Count("id", filter=Q(adopted=True))})
    return {
        c: {"value": found[c].get("adopted") or 0, "numerator": found[c].get("adopted") or 0,
            "denominator": found[c].get("n") or 0}
        for c in codes
    }  # fmt: skip
