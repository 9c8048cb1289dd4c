"""以奖代补 (awards in place of subsidies): every write of schemes, rounds, applications, reviews
and awards. A scheme rests on a figure another module offers per community and year
(`core.registry.register_award_basis`) or on a score the reviewers enter; the amount follows the
grade; an award is paid by an allocation recorded through `services.record_allocation`, so
arrivals, balances and reports include it."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, registry
from shequ.core.errors import Conflict, NotFound
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.finance import services
from shequ.finance.models import (
    APPLY,
    AWARD,
    ApplicationSource,
    ApplicationStatus,
    AwardApplication,
    AwardRound,
    AwardScheme,
    Party,
    RoundStatus,
)
from shequ.finance.services import invalid, money, refuse_closed, unit_at, year_of, yuan
from shequ.org.models import Level, OrgUnit

AWARD_FUND = "award"  # the fund kind awards arrive as: 以奖代补/以奖代拨
MANUAL = "finance.manual"  # the basis of a score the reviewers enter


def basis_choices() -> list[tuple[str, str]]:
    """(key, label) of every basis a scheme may rest on, the manual score last."""
    bases = registry.award_bases()
    keys = sorted(bases, key=lambda k: (k == MANUAL, k))
    return [(k, f"{bases[k].label}（{bases[k].unit}）") for k in keys]


def parse_grades(grades) -> list[dict]:
    """[{"grade", "min", "amount"}], highest threshold first; thresholds and amounts are decimals."""
    if not isinstance(grades, list | tuple) or not grades:
        raise invalid("grades", _("请至少填写一个等次及其奖励金额。"))
    out = []
    for i, g in enumerate(grades, 1):
        if not isinstance(g, dict):
            raise invalid("grades", _("第 %(i)d 个等次格式有误。") % {"i": i})
        name = str(g.get("grade") or "").strip()[:20]
        if not name:
            raise invalid("grades", _("第 %(i)d 个等次没有名称（如：一等）。") % {"i": i})
        try:
            low = Decimal(str(g.get("min")).strip())
        except (InvalidOperation, ValueError):
            low = None
        if low is None or not low.is_finite() or low < 0 or low != round(low, 2):
            raise invalid(
                "grades",
                _("等次“%(g)s”的达标线“%(v)s”无效：应为不小于 0 的数（最多两位小数）。")
                % {"g": name, "v": str(g.get("min"))[:12]},
            )
        amount = money(g.get("amount"), "grades", _("等次“%(g)s”的奖励金额") % {"g": name})
        out.append({"grade": name, "min": str(low), "amount": f"{amount:.2f}"})
    if len({g["grade"] for g in out}) != len(out):
        raise invalid("grades", _("等次名称不能重复。"))
    if len({Decimal(g["min"]) for g in out}) != len(out):
        raise invalid("grades", _("各等次的达标线不能相同。"))
    return sorted(out, key=lambda g: -Decimal(g["min"]))


def grades_from_text(text: str) -> list[dict]:
    """The form's way: one grade a line, "一等:30:20000" (name, threshold, yuan)."""
    out = []
    for line in str(text or "").replace("，", ",").replace(";", "\n").replace(",", "\n").splitlines():
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace("：", ":").split(":")]
        if len(parts) != 3:
            raise invalid(
                "grades",
                _("“%(l)s”格式有误，每行应为 等次:达标线:金额，如 一等:30:20000。") % {"l": line[:30]},
            )
        out.append({"grade": parts[0], "min": parts[1], "amount": parts[2]})
    return out


@transaction.atomic
def set_scheme(
    actor, *, org, name, rewards, basis, party, grades, fund_kind=AWARD_FUND, note=""
) -> AwardScheme:
    """A 以奖代补 scheme of a district or street: what it rewards, on which figure, the amount per grade."""
    unit = unit_at(actor, org, (Level.DISTRICT, Level.STREET), AWARD, "org")
    name = str(name or "").strip()[:100]
    if not name:
        raise invalid("name", _("请填写方案名称。"))
    rewards = str(rewards or "").strip()[:300]
    if not rewards:
        raise invalid("rewards", _("请写明奖励什么（如：社区队伍活动开展好的社区）。"))
    if registry.award_basis(str(basis or "")) is None:
        names = "、".join(label for _k, label in basis_choices())
        raise invalid("basis", _("评定依据“%(b)s”不可用，应为：%(n)s。") % {"b": str(basis)[:40], "n": names})
    party = services.party_of(party)
    if party == Party.DEPARTMENT:
        raise invalid("party", _("以奖代补的出资方应为市、区、街道/乡镇或其他。"))
    kind = services.kind_of(fund_kind)
    parsed = parse_grades(grades)
    if AwardScheme.objects.filter(org=unit, name=name).exists():
        raise Conflict(_("%(o)s已有名为“%(n)s”的方案，请换一个名称。") % {"o": unit.display_name, "n": name},
                       code="duplicate", details={"name": [_("名称重复。")]})  # fmt: skip
    s = AwardScheme(org=unit, name=name, fund_kind=kind, rewards=rewards, basis=basis, party=party,
                    grades=parsed, note=str(note or "").strip()[:300], created_by=actor)  # fmt: skip
    try:
        with transaction.atomic():
            s.save()
    except IntegrityError:
        raise Conflict(_("同名方案刚被他人建立，请刷新后重试。"), code="duplicate") from None
    changelog.record(actor, Action.CREATE, s, after=changelog.snapshot(s), note=_("以奖代补方案"))
    return s


@transaction.atomic
def open_round(actor, *, scheme, year, org=None, title="", apply_by=None) -> AwardRound:
    """A year's round of a scheme for its district or street (or a street below a district's scheme)."""
    s = get_visible(AwardScheme, actor, getattr(scheme, "pk", scheme))
    unit = unit_at(actor, org or s.org.code, (Level.DISTRICT, Level.STREET), AWARD, "org")
    if not unit.code.startswith(s.org.code):
        raise invalid(
            "org", _("%(u)s不在方案设立单位%(o)s辖区内。") % {"u": unit.display_name, "o": s.org.display_name}
        )
    year = year_of(year)
    refuse_closed(unit.code, year)
    title = str(title or "").strip()[:120] or f"{year} 年度{s.name}（{unit.display_name}）"
    if AwardRound.objects.filter(scheme=s, org=unit, year=year).exists():
        raise Conflict(_("%(o)s %(y)d 年度已开展过“%(n)s”评选。") % {"o": unit.display_name, "y": year, "n": s.name},
                       code="duplicate_round")  # fmt: skip
    r = AwardRound(scheme=s, org=unit, year=year, title=title, apply_by=apply_by or None, created_by=actor)
    try:
        with transaction.atomic():
            r.save()
    except IntegrityError:
        raise Conflict(_("该评选刚被他人建立，请刷新后查看。"), code="duplicate_round") from None
    changelog.record(actor, Action.CREATE, r, after=changelog.snapshot(r), note=_("开展以奖代补评选"))
    return r


def _open(r: AwardRound) -> None:
    if r.status != RoundStatus.OPEN:
        raise Conflict(_("“%(t)s”已结束，不能再申报、评审或奖励。") % {"t": r.title}, code="round_closed")


def _values(r: AwardRound, codes) -> dict:
    b = registry.award_basis(r.scheme.basis)
    if b is None or b.compute is None:
        return {}
    return {c: Decimal(v) for c, v in (b.compute(list(codes), r.year) or {}).items()}


@transaction.atomic
def apply_for_award(actor, round_pk, *, community, claim="") -> AwardApplication:
    """A community applies in a round; the figure its grade rests on is read from the basis."""
    r = get_visible(AwardRound, actor, round_pk, for_update=True)
    unit = unit_at(actor, community, (Level.COMMUNITY,), APPLY, "community")
    if not unit.code.startswith(r.org.code):
        raise invalid(
            "community",
            _("%(c)s不在本轮评选范围（%(o)s）内。") % {"c": unit.display_name, "o": r.org.display_name},
        )
    _open(r)
    refuse_closed(unit.code, r.year)
    if r.apply_by and timezone.localdate() > r.apply_by:
        raise Conflict(_("申报已于 %(d)s 截止。") % {"d": r.apply_by.isoformat()}, code="past_deadline")
    claim = str(claim or "").strip()[:500]
    if not claim:
        raise invalid("claim", _("请简要写明申报理由和主要成绩。"))
    if AwardApplication.objects.filter(round=r, community=unit).exists():
        raise Conflict(_("%(c)s已在本轮评选中（申报或自动入围），不能重复申报。") % {"c": unit.display_name},
                       code="already_applied")  # fmt: skip
    value = _values(r, [unit.code]).get(unit.code, Decimal(0)) if not r.scheme.manual else None
    a = AwardApplication(round=r, community=unit, source=ApplicationSource.APPLIED, claim=claim, value=value,
                         created_by=actor)  # fmt: skip
    a.save()
    changelog.record(actor, Action.CREATE, a, after=changelog.snapshot(a), note=_("以奖代补申报"))
    return a


@transaction.atomic
def find_eligible(actor, round_pk) -> dict:
    """Automatic eligibility: every community of the round whose figure reaches the lowest grade is
    entered (as 自动入围); the figures of those already in are brought up to date."""
    r = get_visible(AwardRound, actor, round_pk, for_update=True)
    require(actor, AWARD, r.scope_code)
    _open(r)
    if r.scheme.manual:
        raise Conflict(_("该方案按评审打分，没有可自动计算的依据；请由社区申报后评分。"), code="manual_basis")
    codes = list(OrgUnit.objects.filter(level=Level.COMMUNITY, code__startswith=r.org.code)
                 .values_list("code", flat=True))  # fmt: skip
    values = _values(r, codes)
    lowest = min(Decimal(g["min"]) for g in r.scheme.grades)
    present = {a.community.code: a for a in r.applications.select_related("community")}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    added = updated = 0
    for code in codes:
        v = values.get(code, Decimal(0))
        a = present.get(code)
        if a is not None:
            if a.status == ApplicationStatus.SUBMITTED and a.value != v:
                a.value = v
                a.save(update_fields=["value"])
                updated += 1
            continue
        if v >= lowest and v > 0:
            AwardApplication(round=r, community=units[code], source=ApplicationSource.AUTO, value=v,
                             created_by=actor).save()  # fmt: skip
            added += 1
    changelog.record(
        actor, Action.UPDATE, r, note=_("自动入围 %(a)d 个，更新 %(u)d 个") % {"a": added, "u": updated}
    )
    return {"round": r, "added": added, "updated": updated}


@transaction.atomic
def review(actor, application_pk, *, decision, grade="", score=None, note="") -> AwardApplication:
    """评审: approve with a grade (the grade the figure reaches, or another one with a note saying
    why), or reject with a reason. A manual scheme's figure is the reviewers' score."""
    a = get_visible(AwardApplication, actor, application_pk, for_update=True)
    r = a.round
    require(actor, AWARD, r.scope_code)
    _open(r)
    refuse_closed(a.scope_code, r.year)
    if a.status == ApplicationStatus.AWARDED:
        raise Conflict(_("已奖励的申报不能再评审。"), code="already_awarded")
    note = str(note or "").strip()[:300]
    if decision not in ("approve", "reject"):
        raise invalid("decision", _("评审结论应为通过（approve）或不通过（reject）。"))
    before = changelog.snapshot(a)
    if decision == "reject":
        if not note:
            raise invalid("note", _("不通过时请写明理由。"))
        a.status, a.grade, a.amount = ApplicationStatus.REJECTED, "", None
    else:
        if r.scheme.manual or score not in (None, ""):
            if score in (None, ""):
                raise invalid("score", _("该方案按评审打分，请填写得分。"))
            try:
                v = Decimal(str(score).strip())
            except (InvalidOperation, ValueError):
                v = None
            if v is None or not v.is_finite() or v < 0 or v > 10000 or v != round(v, 2):
                raise invalid("score", _("得分应为 0 至 10000 之间的数（最多两位小数）。"))
            if not r.scheme.manual and not note:
                raise invalid("score", _("该方案的依据由系统计算；改用评审得分请在意见中写明原因。"))
            a.value = v
        reached = r.scheme.grade_for(a.value)
        chosen = r.scheme.grade_named(str(grade or "").strip()) if grade else reached
        if grade and chosen is None:
            names = "、".join(g["grade"] for g in r.scheme.grades)
            raise invalid(
                "grade", _("等次“%(g)s”不在方案中，应为：%(n)s。") % {"g": str(grade)[:20], "n": names}
            )
        if chosen is None:
            low = r.scheme.grades[-1]
            raise invalid(
                "grade",
                _("%(c)s的依据数值 %(v)s 未达到最低等次“%(g)s”的达标线 %(m)s；确需评为通过请选择等次并写明理由。")
                % {"c": a.community.display_name, "v": a.value if a.value is not None else "—", "g": low["grade"],
                   "m": low["min"]},
            )  # fmt: skip
        if chosen != reached and not note:
            raise invalid(
                "note",
                _("依据数值对应“%(r)s”，评为“%(g)s”须在意见中写明理由。")
                % {"r": reached["grade"] if reached else _("未达标"), "g": chosen["grade"]},
            )
        a.status, a.grade, a.amount = ApplicationStatus.APPROVED, chosen["grade"], Decimal(chosen["amount"])
    a.review_note, a.reviewed_at, a.reviewed_by = note, timezone.now(), actor
    a.version += 1
    a.save()
    changelog.record(actor, Action.UPDATE, a, before=before, after=changelog.snapshot(a),
                     note=_("评审：%(s)s") % {"s": a.get_status_display()})  # fmt: skip
    return a


@transaction.atomic
def award(actor, application_pk, *, amount=None, arrived_on=None, document_number="", note=""):
    """奖励: pay an approved application by an allocation to the community (fund kind of the scheme,
    from its party, in the round's year). Once per community and round; an amount other than the
    grade's needs a note."""
    a = get_visible(AwardApplication, actor, application_pk, for_update=True)
    r = (
        AwardRound.objects.select_for_update()
        .select_related("scheme", "scheme__fund_kind")
        .get(pk=a.round_id)
    )
    require(actor, AWARD, r.scope_code)
    if a.status == ApplicationStatus.AWARDED or a.allocation_id:
        raise Conflict(
            _("%(c)s在本轮已获奖励 %(a)s 元，同一轮不能重复奖励。")
            % {"c": a.community.display_name, "a": yuan(a.amount)},
            code="already_awarded",
        )
    _open(r)
    refuse_closed(a.scope_code, r.year)
    if a.status != ApplicationStatus.APPROVED:
        raise Conflict(
            _("申报尚未评审通过（%(s)s），不能奖励。") % {"s": a.get_status_display()}, code="not_approved"
        )
    grade = r.scheme.grade_named(a.grade)
    due = Decimal(grade["amount"]) if grade else a.amount
    amount = due if amount in (None, "") else money(amount, "amount", _("奖励金额"))
    note = str(note or "").strip()[:200]
    if amount != due and not note:
        raise invalid(
            "amount",
            _("奖励金额 %(a)s 元与“%(g)s”的标准 %(d)s 元不符；确需调整请在说明中写明原因。")
            % {"a": yuan(amount), "g": a.grade, "d": yuan(due)},
        )
    text = _("以奖代补：%(t)s %(g)s") % {"t": r.title, "g": a.grade}
    alloc = services.record_allocation(
        actor, org=a.community.code, party=r.scheme.party, fund_kind=r.scheme.fund_kind, year=r.year,
        amount=amount, arrived_on=arrived_on or timezone.localdate(), document_number=document_number,
        note=f"{text}；{note}" if note else text,
    )  # fmt: skip
    before = changelog.snapshot(a)
    a.status, a.amount, a.allocation, a.awarded_at = ApplicationStatus.AWARDED, amount, alloc, timezone.now()
    a.version += 1
    a.save()
    changelog.record(actor, Action.UPDATE, a, before=before, after=changelog.snapshot(a), note=_("奖励到账"))
    return a


@transaction.atomic
def close_round(actor, round_pk) -> AwardRound:
    """End a round: no more applications, reviews or awards."""
    r = get_visible(AwardRound, actor, round_pk, for_update=True)
    require(actor, AWARD, r.scope_code)
    _open(r)
    before = changelog.snapshot(r)
    r.status, r.closed_at = RoundStatus.CLOSED, timezone.now()
    r.version += 1
    r.save()
    changelog.record(actor, Action.UPDATE, r, before=before, after=changelog.snapshot(r), note=_("评选结束"))
    return r


def awarded_by_scheme(user, code: str, year: int) -> list[dict]:
    """以奖代补 awarded by scheme in a scope's year: communities in, approved, awarded, and yuan."""
    from django.db.models import Count, Q, Sum

    rows = (
        AwardApplication.objects.visible_to(user).within(code).filter(round__year=year)
        .values_list("round__scheme_id", "round__scheme__name", "round__scheme__basis")
        .annotate(entered=Count("pk"), auto=Count("pk", filter=Q(source=ApplicationSource.AUTO)),
                  awarded=Count("pk", filter=Q(status=ApplicationStatus.AWARDED)),
                  amount=Sum("amount", filter=Q(status=ApplicationStatus.AWARDED)))
        .order_by("round__scheme__name")
    )  # fmt: skip
    out = []
    for _pk, name, basis, entered, auto, awarded, amount in rows:
        b = registry.award_basis(basis)
        out.append({"scheme": name, "basis": str(b.label) if b else basis, "entered": entered, "auto": auto,
                    "awarded": awarded, "amount": amount or Decimal(0)})  # fmt: skip
    return out


def round_of(actor, pk) -> AwardRound:
    r = (
        AwardRound.objects.visible_to(actor)
        .select_related("scheme", "org", "scheme__fund_kind")
        .filter(pk=pk)
        .first()
    )
    if r is None:
        raise NotFound()
    return r
