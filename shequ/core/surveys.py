"""The survey engine: the acts on a questionnaire (create, add a question, issue one-time codes,
answer, close) and what it found (results per question, response rate).

A survey belongs to an org node and to the module that uses it, if any: the module registers its
`purpose` here with the permissions its surveys are read and managed with (an appraisal's ratings
of named workers are as sensitive as the appraisal), and creates and closes its surveys through
these functions. The resident registry registers how to find a signed-in resident's household and
how many residents or households an org node has (the denominator of a response rate), so that
the kernel reads no module's tables.

Who answered is kept only as a keyed digest (`SurveyResponse.respondent`) of the account, the
household or the code: a unique constraint on (survey, respondent) refuses a second response even
when two arrive at the same moment, and no page or export can say who gave which answer."""

import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import changelog, crypto, scope
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import (
    RESPONSE_VIA,
    Action,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyCode,
    SurveyPer,
    SurveyQuestion,
    SurveyResponse,
    SurveyVerify,
)
from shequ.core.roles import Role
from shequ.core.services import get_visible, require

VIEW = "core.view_survey"
MANAGE = "core.manage_survey"
MAX_QUESTIONS = 200
MAX_CODES = 2000  # one printed batch
MAX_TEXT = 1000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper by anyone
CODE_LENGTH = 8
CODE_FAILURES_PER_HOUR = 30  # wrong codes one address may try in an hour
RATING_LABELS = {5: _l("非常满意"), 4: _l("满意"), 3: _l("基本满意"), 2: _l("不满意"), 1: _l("非常不满意")}


# --- purposes and the registry's answers ---------------------------------------------------------
@dataclass(frozen=True)
class Purpose:
    """A module's use of surveys: read with `view_perm`, managed with `manage_perm`; `owner_url`
    gives the page of the record that owns a survey (from its owner_id)."""

    key: str
    label: str
    view_perm: str
    manage_perm: str
    owner_url: Callable[[str], str] | None = None


_purposes: dict[str, Purpose] = {}
_registry: dict[str, Callable] = {}


def register_purpose(key: str, *, label, view_perm: str, manage_perm: str, owner_url=None) -> None:
    """Declare a module's surveys (from its AppConfig.ready)."""
    _purposes[key] = Purpose(key, label, view_perm, manage_perm, owner_url)


def purposes() -> dict[str, Purpose]:
    return dict(_purposes)


def purpose_of(survey) -> Purpose:
    if not survey.purpose:
        return Purpose("", _("问卷"), VIEW, MANAGE)
    try:
        return _purposes[survey.purpose]
    except KeyError:
        raise NotFound() from None  # a module no longer installed: its surveys are nobody's to act on


def register_registry(
    *, household_of: Callable, population: Callable, identify: Callable | None = None,
    resident_of_user: Callable | None = None, sample: Callable | None = None,
    populations: Callable | None = None,
) -> None:  # fmt: skip
    """The resident registry's answers: household_of(user, code) → the id of the household of the
    signed-in resident inside `code`, or None; population(code, per) → adult residents or
    households registered under `code`, or None; identify(code, name, last4) → (resident id,
    household id or None) of the one active resident with that name and phone ending, refusing
    with the reason otherwise; resident_of_user(user, code) → the signed-in resident's id, or None."""
    _registry["household_of"] = household_of
    _registry["population"] = population
    if identify is not None:
        _registry["identify"] = identify
    if resident_of_user is not None:
        _registry["resident_of_user"] = resident_of_user
    if populations is not None:  # populations(codes, per) → {code: population(code, per)}
        _registry["populations"] = populations
    if sample is not None:  # sample(code, per, n) → n distinct [(id, label)] drawn at random
        _registry["sample"] = sample


def population_of(code: str, per: str = "resident") -> int | None:
    """The registry's adult residents (or households) under `code`, or None when not known."""
    counter = _registry.get("population")
    return counter(code, per) if counter else None


def populations_of(codes, per: str = "resident") -> dict[str, int | None]:
    """population_of of many codes at once ({code: n or None}): one grouped count when the registry
    offers one, else one count per code."""
    codes = list(dict.fromkeys(codes))
    many = _registry.get("populations")
    if many is not None:
        return many(codes, per)
    return {c: population_of(c, per) for c in codes}


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


# --- creating ----------------------------------------------------------------------------------------
def _choice(enum, value, field: str, label: str) -> str:
    text = str(value or "").strip()
    for code, shown in enum.choices:
        if text in (code, str(shown)):
            return code
    names = "、".join(str(s) for _c, s in enum.choices)
    raise _invalid(field, _("%(l)s应为：%(n)s。") % {"l": label, "n": names})


def _clean_question(kind, text, options, required, ref) -> dict:
    kind = _choice(QuestionKind, kind, "kind", _("题型"))
    text = (text or "").strip()
    if not text or len(text) > 300:
        raise _invalid("text", _("请填写题目（不超过 300 字）。"))
    opts = [str(o).strip() for o in (options or []) if str(o).strip()]
    if kind == QuestionKind.CHOICE:
        if not 2 <= len(opts) <= 20 or any(len(o) > 100 for o in opts):
            raise _invalid("options", _("单选题须有 2 到 20 个选项，每个不超过 100 字。"))
        if len(set(opts)) != len(opts):
            raise _invalid("options", _("选项不能重复。"))
    else:
        opts = []
    return {"kind": kind, "text": text, "options": opts, "required": bool(required), "ref": (ref or "")[:64]}


def _unit(actor, code: str, perm: str):
    from shequ.org.models import Level, OrgUnit

    unit = OrgUnit.objects.filter(code=(code or "").strip()).first()
    if unit is None or unit.level not in (Level.DISTRICT, Level.STREET, Level.COMMUNITY):
        raise _invalid("org", _("请选择问卷面向的区、街道或社区。"))
    if not scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, perm, unit.code)
    return unit


@transaction.atomic
def create_survey(
    actor,
    org_code: str,
    *,
    title: str,
    opens_on,
    closes_on,
    verify: str = SurveyVerify.EITHER,
    per: str = SurveyPer.RESIDENT,
    intro: str = "",
    eligible: int | None = None,
    accepts_name: bool = False,
    purpose: str = "",
    owner_id: str = "",
    questions=(),
    feeds: str = "",
) -> Survey:
    """A survey for the residents of a district, street or community, with its questions (dicts of
    kind, text, options, required, ref). A module's survey carries its purpose and owner."""
    perm = (_purposes[purpose].manage_perm if purpose in _purposes else None) if purpose else MANAGE
    if perm is None:
        raise _invalid("purpose", _("未知的问卷用途。"))
    unit = _unit(actor, org_code, perm)
    title = (title or "").strip()
    if not title or len(title) > 100:
        raise _invalid("title", _("请填写问卷名称（不超过 100 字）。"))
    if not opens_on or not closes_on or closes_on < opens_on:
        raise _invalid("closes_on", _("截止日期不能早于开始日期。"))
    if eligible is not None and not 1 <= int(eligible) <= 10_000_000:
        raise _invalid("eligible", _("应答人数应为正整数。"))
    cleaned = [_clean_question(q.get("kind"), q.get("text"), q.get("options"), q.get("required", True),
                               q.get("ref", "")) for q in questions]  # fmt: skip
    feeds = _feeds(feeds)
    if len(cleaned) > MAX_QUESTIONS:
        raise _invalid("questions", _("一份问卷最多 %(n)d 道题。") % {"n": MAX_QUESTIONS})
    survey = Survey(
        org=unit,
        title=title,
        intro=(intro or "").strip()[:1000],
        opens_on=opens_on,
        closes_on=closes_on,
        verify=_choice(SurveyVerify, verify, "verify", _("填写人核验")),
        per=_choice(SurveyPer, per, "per", _("每份答卷代表")),
        eligible=eligible,
        accepts_name=bool(accepts_name),
        purpose=purpose,
        owner_id=str(owner_id or ""),
        feeds=feeds,
        created_by=actor,
    )
    survey.scope_code = survey.compute_scope_code()
    survey.save()
    SurveyQuestion.objects.bulk_create(
        [SurveyQuestion(survey=survey, position=i, **q) for i, q in enumerate(cleaned, start=1)]
    )
    changelog.record(actor, Action.CREATE, survey, after=changelog.snapshot(survey),
                     note=_("问卷，%(n)d 道题") % {"n": len(cleaned)})  # fmt: skip
    return survey


def _managed(actor, survey_pk, *, purpose: str | None = None, lock: bool = False) -> Survey:
    """The survey, visible to the actor, who holds its purpose's manage permission over it. A
    module's own survey is acted on through that module (purpose given) unless `purpose` is None."""
    survey = get_visible(Survey, actor, survey_pk, for_update=lock)
    require(actor, purpose_of(survey).manage_perm, survey.scope_code)
    if purpose is not None and survey.purpose != purpose:
        raise Conflict(
            _("本问卷属于“%(p)s”，题目和结束时间随其设置。") % {"p": purpose_of(survey).label},
            code="owned_survey",
        )
    return survey


@transaction.atomic
def add_question(
    actor, survey_pk, *, kind, text, options=(), required=True, ref="", purpose=""
) -> SurveyQuestion:
    """A question at the end of a survey nobody has answered yet."""
    survey = _managed(actor, survey_pk, purpose=purpose, lock=True)
    if survey.closed_at is not None:
        raise Conflict(_("问卷已结束，不能再添加题目。"), code="closed")
    if survey.responses.exists():
        raise Conflict(_("已有居民作答，不能再修改题目；如需调整，请另建问卷。"), code="answered")
    n = survey.questions.count()
    if n >= MAX_QUESTIONS:
        raise _invalid("text", _("一份问卷最多 %(n)d 道题。") % {"n": MAX_QUESTIONS})
    q = SurveyQuestion.objects.create(
        survey=survey, position=n + 1, **_clean_question(kind, text, options, required, ref)
    )
    changelog.record(actor, Action.UPDATE, survey, after={"question": str(q)})
    return q


@transaction.atomic
def close_survey(actor, survey_pk, *, purpose: str = "") -> Survey:
    """End a survey before (or at) its closing date: no answer is taken after this."""
    survey = _managed(actor, survey_pk, purpose=purpose, lock=True)
    if survey.closed_at is None:
        survey.closed_at = timezone.now()
        survey.save(update_fields=["closed_at", "updated_at"])
        changelog.record(actor, Action.UPDATE, survey, after={"closed_at": survey.closed_at.isoformat()})
    return survey


# --- one-time codes ------------------------------------------------------------------------------
def normalize_code(raw: str) -> str:
    """What a resident typed, as issued: capitals, without spaces or dashes."""
    return "".join(ch for ch in str(raw or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _digest(code: str) -> str:
    return crypto.blind_index(normalize_code(code), "survey_code")


@transaction.atomic
def issue_codes(actor, survey_pk, count: int, *, now=None) -> tuple[int, list[str]]:
    """A batch of one-time codes for printing: (batch number, codes). The codes are returned this
    once and never stored (only their digests), so the sheet is printed from this answer. `now`
    is for entering a past paper round in bulk, as in submit_response."""
    survey = _managed(actor, survey_pk, lock=True)
    now = now or timezone.now()
    if not survey.takes_code:
        raise Conflict(_("本问卷只接受登录的居民填写，不使用填写码。"), code="no_codes")
    if survey.closed_at is not None or survey.closes_on < timezone.localtime(now).date():
        raise Conflict(_("问卷已结束，不能再发放填写码。"), code="closed")
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= MAX_CODES:
        raise _invalid("count", _("每批可发放 1 到 %(n)d 个填写码。") % {"n": MAX_CODES})
    batch = (survey.codes.order_by("-batch").values_list("batch", flat=True).first() or 0) + 1
    codes: list[str] = []
    while len(codes) < count:
        fresh = [
            "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
            for _k in range(count - len(codes))
        ]
        fresh = list(dict.fromkeys(c for c in fresh if c not in codes))
        digests = {_digest(c): c for c in fresh}
        taken = set(SurveyCode.objects.filter(digest__in=list(digests)).values_list("digest", flat=True))
        rows = [SurveyCode(survey=survey, digest=d, batch=batch, issued_at=now, issued_by=actor)
                for d in digests if d not in taken]  # fmt: skip
        SurveyCode.objects.bulk_create(rows)
        codes += [digests[r.digest] for r in rows]
    changelog.record(actor, Action.UPDATE, survey, after={"codes_issued": count, "batch": batch},
                     note=_("发放填写码 %(n)d 个（第 %(b)d 批）") % {"n": count, "b": batch})  # fmt: skip
    return batch, [format_code(c) for c in codes]


# --- a sample from the registry, and the indicator a survey feeds ----------------------------------
FEEDS = {"core.satisfaction": _l("居民满意度")}  # the indicators a survey's result may feed
MAX_SAMPLE = MAX_CODES


def _feeds(value) -> str:
    value = (value or "").strip()
    if value and value not in FEEDS:
        raise _invalid("feeds", _("问卷结果只能计入这些指标：%(k)s。") % {"k": "、".join(FEEDS)})
    return value


@transaction.atomic
def set_feeds(actor, survey_pk, feeds: str) -> Survey:
    """Mark (or unmark) a survey as feeding an indicator: once closed, its rating questions count in
    that indicator for the survey's scope and the period it closed in."""
    survey = _managed(actor, survey_pk, lock=True)
    feeds = _feeds(feeds)
    if feeds and not survey.questions.filter(kind=QuestionKind.RATING).exists():
        raise _invalid("feeds", _("问卷没有评分题，不能计入满意度指标；请先添加评分题。"))
    before = survey.feeds
    if before != feeds:
        Survey.objects.filter(pk=survey.pk).update(feeds=feeds, updated_at=timezone.now())
        survey.feeds = feeds
        changelog.record(actor, Action.UPDATE, survey, before={"feeds": before}, after={"feeds": feeds},
                         note=_("问卷结果计入指标"))  # fmt: skip
    return survey


@transaction.atomic
def draw_sample(actor, survey_pk, size: int) -> tuple[int, list[dict]]:
    """Draw `size` distinct residents (or households, as the survey counts) at random from the
    registry of the survey's scope and issue one one-time code to each: (batch, [{"label", "code"}]).
    The label (address and surname) is for handing the code over; which code went to whom is not
    stored, so the answers stay anonymous."""
    survey = _managed(actor, survey_pk)
    sampler = _registry.get("sample")
    if sampler is None:
        raise Conflict(_("没有居民台账，不能抽样。"), code="no_registry")
    if not survey.takes_code:
        raise Conflict(_("本问卷只接受登录的居民填写，不使用填写码，不能抽样发码。"), code="no_codes")
    try:
        size = int(size)
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= MAX_SAMPLE:
        raise _invalid("size", _("样本量应为 1 到 %(n)d。") % {"n": MAX_SAMPLE})
    population = population_of(survey.scope_code, survey.per) or 0
    if size > population:
        raise _invalid("size", _("样本量 %(s)d 超过了范围内登记的%(what)s数 %(p)d，请减少样本量。")
                       % {"s": size, "p": population,
                          "what": _("户") if survey.per == SurveyPer.HOUSEHOLD else _("居民")})  # fmt: skip
    drawn = sampler(survey.scope_code, survey.per, size)
    batch, codes = issue_codes(actor, survey.pk, len(drawn))
    changelog.record(actor, Action.UPDATE, survey, after={"sample": len(drawn), "batch": batch},
                     note=_("从居民台账随机抽取样本 %(n)d 个（第 %(b)d 批填写码）") % {"n": len(drawn), "b": batch})  # fmt: skip
    return batch, [{"label": label, "code": code} for (_id, label), code in zip(drawn, codes, strict=True)]


def code_batches(survey) -> list[dict]:
    """Per batch: when issued, how many, how many used."""
    rows = (
        survey.codes.values("batch")
        .annotate(n=Count("id"), used=Count("used_at"))
        .order_by("batch")
        .values_list("batch", "n", "used")
    )
    issued = dict(survey.codes.order_by("batch", "id").values_list("batch", "issued_at").distinct())
    return [{"batch": b, "count": n, "used": u, "issued_at": issued.get(b)} for b, n, u in rows]


def _throttle_key(ip) -> str:
    return f"survey-code-fail:{ip or '-'}"


def check_code(survey, raw: str, *, ip=None) -> SurveyCode:
    """The unused code of this survey a resident typed; a wrong one is counted against the
    address (a guesser is stopped after CODE_FAILURES_PER_HOUR in an hour)."""
    if (cache.get(_throttle_key(ip)) or 0) >= CODE_FAILURES_PER_HOUR:
        raise Conflict(
            _("填写码输错次数过多，请一小时后再试，或联系社区工作人员。"), code="throttled", status=429
        )
    code = normalize_code(raw)
    found = (
        SurveyCode.objects.filter(survey=survey, digest=_digest(code)).first()
        if len(code) == CODE_LENGTH
        else None
    )
    if found is None:
        key = _throttle_key(ip)
        if not cache.add(key, 1, 3600):
            try:
                cache.incr(key)
            except ValueError:
                cache.add(key, 1, 3600)
        raise _invalid("code", _("填写码不正确，请核对社区发放的纸条（8 位字母和数字）。"))
    if found.used_at is not None:
        raise Conflict(_("该填写码已使用过，每个填写码只能使用一次。"), code="code_used",
                       details={"code": [_("该填写码已使用过。")]})  # fmt: skip
    return found


# --- answering -----------------------------------------------------------------------------------
def resident_of(user, survey) -> bool:
    """A signed-in resident whose community (or grid) lies inside the survey's scope."""
    return any(
        m.role == Role.RESIDENT and m.scope_code.startswith(survey.scope_code)
        for m in scope.memberships(user)
    )


def _respondent(survey, key: str) -> str:
    return crypto.blind_index(f"{survey.pk}:{key}", "survey_respondent")


def _login_key(survey, user) -> str:
    if survey.per == SurveyPer.HOUSEHOLD:
        finder = _registry.get("household_of")
        household = finder(user, survey.scope_code) if finder else None
        if household is None:
            raise ValidationFailed(
                _("本问卷每户填写一份，但居民台账中没有找到您所在的户；请使用社区发放的填写码填写。"),
                code="household_unknown",
            )
        return f"household:{household}"
    if survey.accepts_name:
        # The same person by login or by name and digits: keyed by the registry resident when known.
        finder = _registry.get("resident_of_user")
        found = finder(user, survey.scope_code) if finder else None
        if found is not None:
            return f"resident:{found}"
    return f"user:{user.pk}"


def _count_failure(ip) -> None:
    key = _throttle_key(ip)
    if not cache.add(key, 1, 3600):
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, 1, 3600)


def check_name(survey, name: str, last4: str, *, ip=None) -> str:
    """The respondent key of the registry resident with this name and phone ending (their
    household's, for a household survey); a failed match is counted against the address as a
    wrong code is."""
    if not survey.accepts_name or "identify" not in _registry:
        raise _invalid("name", _("本问卷不接受凭姓名和手机号填写，请登录或使用填写码。"))
    if (cache.get(_throttle_key(ip)) or 0) >= CODE_FAILURES_PER_HOUR:
        raise Conflict(
            _("核对失败次数过多，请一小时后再试，或联系社区工作人员。"), code="throttled", status=429
        )
    try:
        resident, household = _registry["identify"](survey.scope_code, name, last4)
    except ValidationFailed:
        _count_failure(ip)
        raise
    if survey.per == SurveyPer.HOUSEHOLD:
        if household is None:
            raise ValidationFailed(
                _("本问卷每户填写一份，但居民台账中您没有登记所在的户；请联系社区居委会，或使用填写码填写。"),
                code="household_unknown",
            )
        return f"household:{household}"
    return f"resident:{resident}"


def already_message(survey) -> str:
    if survey.per == SurveyPer.HOUSEHOLD:
        return _("您家已提交过本次问卷，每户只能填写一次。")
    return _("您已提交过本次问卷，每位居民只能填写一次。")


def _check_answers(survey, answers: dict) -> list[SurveyAnswer]:
    """Answers by question id: an option's number (from 0), a rating 1–5 or a text."""
    questions = {q.pk: q for q in survey.questions.all()}
    unknown = [k for k in answers if _int(k) not in questions]
    if unknown:
        raise _invalid("answers", _("第 %(k)s 题不在本问卷中。") % {"k": unknown[0]})
    errors, rows = {}, []
    by_id = {_int(k): v for k, v in answers.items()}
    for q in questions.values():
        value = by_id.get(q.pk)
        blank = value is None or str(value).strip() == ""
        if blank:
            if q.required:
                errors[f"q{q.pk}"] = [_("第 %(n)d 题为必答题。") % {"n": q.position}]
            continue
        a = SurveyAnswer(question=q)
        if q.kind == QuestionKind.TEXT:
            text = str(value).strip()
            if len(text) > MAX_TEXT:
                errors[f"q{q.pk}"] = [_("第 %(n)d 题不能超过 %(m)d 字。") % {"n": q.position, "m": MAX_TEXT}]
            a.text = text
        else:
            number = _int(value)
            low, high = (0, len(q.options) - 1) if q.kind == QuestionKind.CHOICE else (1, 5)
            if number is None or not low <= number <= high:
                errors[f"q{q.pk}"] = [_("第 %(n)d 题的回答不在可选范围内。") % {"n": q.position}]
            elif q.kind == QuestionKind.CHOICE:
                a.option = number
            else:
                a.rating = number
        rows.append(a)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, details=errors)
    if not rows:
        raise _invalid("answers", _("请至少回答一道题。"))
    return rows


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


@transaction.atomic
def submit_response(survey, answers: dict, *, user=None, code: str = "", code_id: int | None = None, ip=None,
                    now=None, name: str = "", last4: str = "", name_key: str = "") -> SurveyResponse:  # fmt: skip
    """One respondent's answers: a signed-in resident of the survey's scope (when the survey takes
    logins), or the holder of an unused code (typed, or checked earlier on the page: code_id), or
    (when the survey accepts it) a resident named with the phone's last four digits (typed, or
    checked earlier on the page: name_key, as check_name gave it).
    A second response by the same resident, household or code is refused, also when both arrive
    at once (the unique constraint decides). `now` is for entering past paper forms in bulk."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    # Read afresh: the page's copy may predate the survey being ended.
    survey.closed_at = Survey.objects.filter(pk=survey.pk).values_list("closed_at", flat=True).first()
    if survey.closed_at is not None:
        raise Conflict(_("本问卷已结束填写（已截止），感谢您的关注。"), code="closed")
    if day > survey.closes_on:
        raise Conflict(_("本问卷已于 %(d)s 截止，感谢您的关注。") % {"d": survey.closes_on}, code="closed")
    if day < survey.opens_on:
        raise Conflict(_("本问卷 %(d)s 起开始填写。") % {"d": survey.opens_on}, code="not_open")
    held = None
    signed_in = user is not None and user.is_authenticated
    if signed_in and survey.takes_login and resident_of(user, survey):
        key, via = _login_key(survey, user), SurveyVerify.LOGIN
    elif survey.accepts_name and (name_key or (name or "").strip() or (last4 or "").strip()):
        key, via = name_key or check_name(survey, name, last4, ip=ip), "name"
    elif survey.takes_code and (code or code_id):
        if code_id is not None:
            held = SurveyCode.objects.filter(pk=code_id, survey=survey).first()
            if held is None:
                raise _invalid("code", _("填写码不正确，请重新输入。"))
            if held.used_at is not None:
                raise Conflict(_("该填写码已使用过，每个填写码只能使用一次。"), code="code_used")
        else:
            held = check_code(survey, code, ip=ip)
        key, via = f"code:{held.pk}", SurveyVerify.CODE
    elif survey.takes_code:
        if survey.accepts_name:
            raise _invalid("code", _("请输入社区发放的填写码，或填写姓名和手机号码后四位。"))
        raise _invalid("code", _("请输入社区发放的填写码。"))
    elif survey.accepts_name:
        raise _invalid("name", _("请登录居民账号，或填写姓名和手机号码后四位。"))
    else:
        raise ValidationFailed(_("本问卷只接受本社区登记的居民登录后填写。"), code="residents_only")
    rows = _check_answers(survey, answers)
    respondent = _respondent(survey, key)
    if SurveyResponse.objects.filter(survey=survey, respondent=respondent).exists():
        raise Conflict(already_message(survey), code="already_answered")
    # A code is marked used in the same transaction: of two submissions with one code, the second
    # waits for this row and then finds it used.
    if held is not None and not SurveyCode.objects.filter(pk=held.pk, used_at__isnull=True).update(
        used_at=now
    ):
        raise Conflict(_("该填写码已使用过，每个填写码只能使用一次。"), code="code_used")
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey, respondent=respondent, via=via, submitted_at=now
            )
    except IntegrityError:
        raise Conflict(already_message(survey), code="already_answered") from None
    for a in rows:
        a.response = response
    SurveyAnswer.objects.bulk_create(rows)
    # Logged without the account: the log says a response came, not whose it is.
    changelog.record(None, Action.CREATE, response, scope_code=survey.scope_code,
                     note=_("问卷答卷（%(v)s）") % {"v": dict(RESPONSE_VIA)[via]})  # fmt: skip
    return response


def own_response(survey, user) -> SurveyResponse | None:
    """The signed-in resident's own response (their household's, for a household survey)."""
    if user is None or not user.is_authenticated or not resident_of(user, survey):
        return None
    try:
        key = _login_key(survey, user)
    except ValidationFailed:
        return None
    return (
        SurveyResponse.objects.filter(survey=survey, respondent=_respondent(survey, key))
        .prefetch_related("answers")
        .first()
    )


def answers_shown(survey, response) -> list[tuple]:
    """(question, answer as text) of a response, in the survey's order (for its respondent)."""
    given = {a.question_id: a for a in response.answers.all()}
    out = []
    for q in survey.questions.all():
        a = given.get(q.pk)
        if a is None:
            shown = _("（未作答）")
        elif q.kind == QuestionKind.CHOICE:
            shown = q.options[a.option] if a.option is not None and a.option < len(q.options) else ""
        elif q.kind == QuestionKind.RATING:
            shown = f"{a.rating} · {RATING_LABELS[a.rating]}"
        else:
            shown = a.text
        out.append((q, shown))
    return out


# --- results -------------------------------------------------------------------------------------
def _pct(n: int, d: int) -> Decimal | None:
    if not d:
        return None
    return (Decimal(n) * 100 / Decimal(d)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def eligible_of(survey) -> tuple[int | None, str]:
    """Who could have answered, and on what basis: the number the owner set, else the codes issued
    (a code survey), else the registry's adult residents or households under the survey's node."""
    if survey.eligible:
        return survey.eligible, _("按设定的应答人数")
    codes = survey.codes.count()
    if survey.verify == SurveyVerify.CODE:
        return (codes or None), _("按已发放的填写码")
    counter = _registry.get("population")
    n = counter(survey.scope_code, survey.per) if counter else None
    if n:
        return n, _("按居民台账的户数") if survey.per == SurveyPer.HOUSEHOLD else _("按居民台账的成年居民")
    return (codes or None), _("按已发放的填写码")


def response_rate(survey) -> dict:
    responses = survey.responses.count()
    eligible, basis = eligible_of(survey)
    return {
        "responses": responses,
        "eligible": eligible,
        "rate": _pct(responses, eligible or 0),
        "basis": basis,
    }


def ratings_by_ref(survey) -> dict[str, tuple[int, Decimal | None]]:
    """For a module's survey: per question `ref`, (ratings given, average 1–5 to two decimals)."""
    rows = (
        SurveyAnswer.objects.filter(question__survey=survey, rating__isnull=False)
        .values("question__ref")
        .annotate(n=Count("id"), total=Sum("rating"))
        .values_list("question__ref", "n", "total")
    )
    return {
        ref: (n, (Decimal(total) / n).quantize(Decimal("0.01"), ROUND_HALF_UP) if n else None)
        for ref, n, total in rows
        if ref
    }


def results(survey, *, texts: int = 50) -> dict:
    """Per question: how many answered, the count and share of each option or rating, the average
    rating, and (for text questions) the latest `texts` texts; with the response rate."""
    questions = list(survey.questions.all())
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    answered: dict[int, int] = defaultdict(int)
    base = SurveyAnswer.objects.filter(question__survey=survey)
    for qid, option, rating, n in (
        base.exclude(option__isnull=True, rating__isnull=True)
        .values("question_id", "option", "rating")
        .annotate(n=Count("id"))
        .values_list("question_id", "option", "rating", "n")
    ):
        counts[qid][option if option is not None else rating] = n
        answered[qid] += n
    written: dict[int, list[str]] = defaultdict(list)
    text_counts = dict(
        base.exclude(text="").values("question_id").annotate(n=Count("id")).values_list("question_id", "n")
    )
    for q in questions:
        if q.kind == QuestionKind.TEXT:
            answered[q.pk] = text_counts.get(q.pk, 0)
            written[q.pk] = list(
                base.filter(question=q).exclude(text="").order_by("-response__submitted_at", "-id")
                .values_list("text", flat=True)[:texts]
            )  # fmt: skip
    out = []
    for q in questions:
        n = answered.get(q.pk, 0)
        row = {"question": q, "answered": n, "counts": [], "average": None, "texts": written.get(q.pk, [])}
        if q.kind == QuestionKind.CHOICE:
            row["counts"] = [(label, counts[q.pk].get(i, 0), _pct(counts[q.pk].get(i, 0), n))
                             for i, label in enumerate(q.options)]  # fmt: skip
        elif q.kind == QuestionKind.RATING:
            row["counts"] = [(f"{r} · {RATING_LABELS[r]}", counts[q.pk].get(r, 0), _pct(counts[q.pk].get(r, 0), n))
                             for r in (5, 4, 3, 2, 1)]  # fmt: skip
            if n:
                total = sum(r * c for r, c in counts[q.pk].items())
                row["average"] = (Decimal(total) / n).quantize(Decimal("0.01"), ROUND_HALF_UP)
        out.append(row)
    return {"questions": out, **response_rate(survey)}


# --- 居民满意度: the closed surveys marked to feed it ----------------------------------------------
SATISFACTION = "core.satisfaction"
SATISFACTION_FORMULA = (
    "统计期内结束（截止日期在统计期内且已结束）、标记为“计入居民满意度”的问卷中，所有评分题（1–5 分）"
    "得分的平均值 × 20，即得分合计 ÷（评分答案数 × 5）× 100%；问卷按其所属范围计入该社区、街道或区。"
)


def satisfaction_many(user, codes, start, end) -> dict:
    """居民满意度 of each scope over the period."""
    from django.db.models import Q

    from shequ.core import indicators as ind

    ind.require(user, VIEW, codes)
    surveys = Survey.objects.visible_to(user).filter(
        feeds=SATISFACTION, closed_at__isnull=False, closes_on__gte=start, closes_on__lte=end
    )
    answers = SurveyAnswer.objects.filter(
        response__survey__in=surveys, question__kind=QuestionKind.RATING, rating__isnull=False
    )
    found = ind.per_scope(
        answers, codes,
        {"s": Sum("rating"), "n": Count("id"), "surveys": Count("response__survey_id", distinct=True),
         "responses": Count("response_id", distinct=True, filter=Q(rating__isnull=False))},
        field="response__survey__scope_code",
    )  # fmt: skip
    out = {}
    for c in codes:
        s, n = found[c].get("s") or 0, found[c].get("n") or 0
        out[c] = {"value": ind.percent(s, n * 5), "numerator": s, "denominator": n * 5,
                  "surveys": found[c].get("surveys") or 0, "responses": found[c].get("responses") or 0}  # fmt: skip
    return out


def register_indicators() -> None:
    from django.utils.translation import gettext_noop as N_

    from shequ.core import indicators as ind
    from shequ.core import registry

    N_(SATISFACTION_FORMULA)
    registry.register_indicator(
        SATISFACTION, label=_l("居民满意度"), unit="%", formula=_l(SATISFACTION_FORMULA), perm=VIEW,
        compute=ind.single(satisfaction_many), compute_many=satisfaction_many,
        reads=("问卷", "问卷答卷"),
    )  # fmt: skip
