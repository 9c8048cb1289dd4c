"""Acts and figures of 共驻共建: bodies and their member units, joint meetings, agreements signed from
the duty template, contributions, and per unit and period the duties done against the agreement,
with the coverage of the units in the area by the bodies.

Rules: every read starts from visible_to; a write checks `teams.manage` over the body's place (a
body, member, meeting, agreement) or the unit's community (a contribution); a unit joins a body once
at a time (a unique constraint stands behind the check); an agreement ends after it starts and is
signed with a member unit; a contribution names its unit, lies in its agreement's term, and links a
duty, an activity or a household only of that unit's agreement and street."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, scope, services
from shequ.core.errors import Conflict, Forbidden, NotFound
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.teams.models import (
    MANAGE,
    VIEW,
    Activity,
    Agreement,
    AgreementDuty,
    BodyMember,
    BodyRole,
    CobuildBody,
    CobuildMeeting,
    Contribution,
    ContributionKind,
    DutyFrequency,
    DutyTemplate,
)
from shequ.teams.services.common import choice, invalid, org_at, text

DONE, OPEN, MISSED = "done", "open", "missed"


# --- input -------------------------------------------------------------------------------------------
def _date(value, field: str, label: str, *, required: bool = True, past: bool = False):
    if value in (None, ""):
        if required:
            raise invalid(field, _("请填写%(l)s。") % {"l": label})
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            raise invalid(field, _("%(l)s应为日期，如 2026-03-01。") % {"l": label}) from None
    if past and value > timezone.localdate():
        raise invalid(field, _("%(l)s不能晚于今天。") % {"l": label})
    return value


def _decimal(value, field: str, label: str, places: str, limit: Decimal) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise invalid(field, _("%(l)s应为数字。") % {"l": label}) from None
    if not d.is_finite() or d < 0 or d >= limit:
        raise invalid(field, _("%(l)s应为 0 到 %(n)s 之间的数。") % {"l": label, "n": limit})
    if d != d.quantize(Decimal(places)):
        raise invalid(
            field, _("%(l)s最多保留 %(n)d 位小数。") % {"l": label, "n": -Decimal(places).as_tuple().exponent}
        )
    return d.quantize(Decimal(places))


def _pk(value) -> int:
    s = str(value if value is not None else "").strip()
    return int(s) if s.isdigit() else 0


def _unit(actor, value, within: str, field: str = "unit"):
    """A unit in the area (驻区单位) under `within` that the actor may see; 400 otherwise."""
    from shequ.org.models import ResidentOrganization

    if value in (None, "", 0):
        raise invalid(field, _("请选择驻区单位：共建协议和投入都要记在一个驻区单位名下。"))
    unit = (
        ResidentOrganization.objects.visible_to(actor)
        .select_related("community")
        .filter(pk=_pk(value))
        .first()
    )
    if unit is None or not unit.community.code.startswith(within):
        raise invalid(field, _("请选择本街道（社区）驻区单位名录中的单位。"))
    return unit


# --- bodies, members, meetings -----------------------------------------------------------------------
def create_body(actor, org_code: str, *, name: str, established_on=None, note: str = "") -> CobuildBody:
    """A co-building body (共建联席会) of a street or a community."""
    org = org_at(actor, org_code, MANAGE)
    name = text(name, "name", _("名称"), 60, required=True)
    if CobuildBody.objects.filter(org=org, name=name).exists():
        raise Conflict(_("%(o)s已有名为“%(n)s”的共建机构。") % {"o": org.display_name, "n": name}, code="duplicate",
                       details={"name": [_("已有同名共建机构")]})  # fmt: skip
    body = CobuildBody(org=org, name=name, note=text(note, "note", _("简介"), 200),
                       established_on=_date(established_on, "established_on", _("成立日期"), required=False, past=True))  # fmt: skip
    return services.create(actor, body, perm=MANAGE)


def _body(actor, pk, *, lock: bool = False) -> CobuildBody:
    body = get_visible(CobuildBody, actor, pk, for_update=lock)
    require(actor, MANAGE, body.scope_code)
    return body


@transaction.atomic
def add_body_member(actor, body_pk, *, unit, role=BodyRole.MEMBER, joined_on=None) -> BodyMember:
    """A unit in the area joins the body (once at a time)."""
    body = _body(actor, body_pk, lock=True)
    u = _unit(actor, unit, body.scope_code)
    role = choice(BodyRole, role, "role", _("角色"))
    if BodyMember.objects.filter(body=body, unit=u, left_on__isnull=True).exists():
        raise Conflict(_("%(u)s已是“%(b)s”的成员单位，无需重复加入。") % {"u": u.name, "b": body.name}, code="duplicate",
                       details={"unit": [_("已是成员单位")]})  # fmt: skip
    m = BodyMember(body=body, unit=u, role=role,
                   joined_on=_date(joined_on, "joined_on", _("加入日期"), required=False, past=True) or timezone.localdate())  # fmt: skip
    try:
        with transaction.atomic():
            m.save()
    except IntegrityError:  # a double click that passed the check at the same moment
        raise Conflict(_("%(u)s已是“%(b)s”的成员单位，无需重复加入。") % {"u": u.name, "b": body.name},
                       code="duplicate") from None  # fmt: skip
    changelog.record(actor, Action.UPDATE, body, after={"member_added": u.name, "role": m.get_role_display()})
    return m


@transaction.atomic
def remove_body_member(actor, body_pk, member_pk, *, left_on=None) -> BodyMember:
    """A member unit leaves the body (kept with the date)."""
    body = _body(actor, body_pk, lock=True)
    m = (
        BodyMember.objects.filter(body=body, pk=_pk(member_pk), left_on__isnull=True)
        .select_related("unit")
        .first()
    )
    if m is None:
        raise NotFound()
    m.left_on = _date(left_on, "left_on", _("退出日期"), required=False, past=True) or timezone.localdate()
    if m.left_on < m.joined_on:
        raise invalid("left_on", _("退出日期不能早于加入日期。"))
    m.save(update_fields=["left_on"])
    changelog.record(actor, Action.UPDATE, body, after={"member_left": m.unit.name})
    return m


def _members(body, on: dt.date | None = None):
    qs = BodyMember.objects.filter(body=body)
    if on is None:
        return qs.filter(left_on__isnull=True)
    return qs.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gte=on))


@transaction.atomic
def record_meeting(actor, body_pk, *, title: str = "", held_on=None, place: str = "", attendees=(),
                   minutes: str = "") -> CobuildMeeting:  # fmt: skip
    """A joint meeting the body held; the member units that attended count it toward their
    "one joint meeting a quarter" duty."""
    body = _body(actor, body_pk)
    held_on = _date(held_on, "held_on", _("召开日期"), past=True)
    members = {m.unit_id: m.unit for m in _members(body, held_on).select_related("unit")}
    chosen = []
    for value in attendees or ():
        pk = _pk(value)
        if pk not in members:
            raise invalid("attendees", _("参会单位应为会议当天本机构的成员单位。"))
        chosen.append(members[pk])
    if not chosen:
        raise invalid("attendees", _("请选择参会的成员单位。"))
    q = (held_on.month - 1) // 3 + 1
    title = text(title, "title", _("会议名称"), 100) or _("%(y)d年第%(q)d季度联席会议") % {
        "y": held_on.year,
        "q": q,
    }
    mt = CobuildMeeting(body=body, title=title, held_on=held_on, place=text(place, "place", _("地点"), 100),
                        minutes=text(minutes, "minutes", _("会议纪要"), 4000))  # fmt: skip
    mt = services.create(actor, mt, perm=MANAGE)
    mt.attendees.set(chosen)
    return mt


# --- agreements -----------------------------------------------------------------------------------
def _templates(duties) -> list[DutyTemplate]:
    active = list(DutyTemplate.objects.filter(active=True))
    if duties is None:
        return active
    by = {str(t.pk): t for t in active} | {t.code: t for t in active} | {t.name: t for t in active}
    out = []
    for d in duties:
        t = by.get(str(d).strip())
        if t is None:
            raise invalid(
                "duties", _("共建义务应从模板中选择：%(n)s。") % {"n": "、".join(t.name for t in active)}
            )
        if t not in out:
            out.append(t)
    if not out:
        raise invalid("duties", _("请至少选择一项共建义务。"))
    return out


@transaction.atomic
def sign_agreement(actor, body_pk, *, unit, starts_on, ends_on, title: str = "", signed_on=None, duties=None,
                   note: str = "") -> Agreement:  # fmt: skip
    """A co-building agreement between a member unit and the body, its duties from the template
    (all active template duties unless `duties` names some)."""
    body = _body(actor, body_pk, lock=True)
    u = _unit(actor, unit, body.scope_code)
    starts_on = _date(starts_on, "starts_on", _("起始日期"))
    ends_on = _date(ends_on, "ends_on", _("终止日期"))
    if ends_on <= starts_on:
        raise invalid("ends_on", _("协议终止日期应晚于起始日期（起始 %(a)s）。") % {"a": starts_on})
    if (ends_on - starts_on).days > 366 * 5:
        raise invalid("ends_on", _("协议期限最长五年，请分期签订。"))
    signed_on = _date(signed_on, "signed_on", _("签订日期"), required=False, past=True) or min(
        starts_on, timezone.localdate()
    )
    if not _members(body).filter(unit=u).exists():
        raise invalid(
            "unit", _("%(u)s还不是“%(b)s”的成员单位，请先将其加入共建机构。") % {"u": u.name, "b": body.name}
        )
    clash = Agreement.objects.filter(
        body=body, unit=u, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if clash is not None:
        raise Conflict(_("%(u)s与本机构已有期限重叠的协议“%(t)s”（%(a)s 至 %(b)s）。") % {
            "u": u.name, "t": clash.title, "a": clash.starts_on, "b": clash.ends_on}, code="duplicate",
            details={"starts_on": [_("与已有协议期限重叠")]})  # fmt: skip
    templates = _templates(duties)
    title = text(title, "title", _("协议名称"), 100) or _("%(u)s共驻共建协议（%(a)d—%(b)d）") % {
        "u": u.name[:60], "a": starts_on.year, "b": ends_on.year}  # fmt: skip
    a = Agreement(body=body, unit=u, title=title, signed_on=signed_on, starts_on=starts_on, ends_on=ends_on,
                  note=text(note, "note", _("备注"), 200), created_by=actor)  # fmt: skip
    a = services.create(actor, a, perm=MANAGE)
    AgreementDuty.objects.bulk_create([AgreementDuty(agreement=a, template=t, name=t.name, frequency=t.frequency,
                                                     meeting=t.meeting, order=i) for i, t in enumerate(templates, 1)])  # fmt: skip
    return a


# --- contributions ---------------------------------------------------------------------------------
@transaction.atomic
def record_contribution(actor, *, unit=None, kind, given_on, description: str = "", amount=None, people_days=None,
                        facility: str = "", agreement=None, duty=None, activity=None, household=None) -> Contribution:  # fmt: skip
    """What a unit gave, dated; linked to the agreement duty it fulfils, an activity or a household."""
    from shequ.people.models import Household

    if unit in (None, "", 0):
        raise invalid(
            "unit", _("请选择驻区单位：每一笔共建投入都要记在一个驻区单位名下，没有单位的投入无法登记。")
        )
    if not scope.holds(actor, MANAGE):
        raise Forbidden()
    from shequ.org.models import ResidentOrganization

    # The unit is what the contribution hangs off: one outside the actor's scope is not found.
    u = (
        ResidentOrganization.objects.visible_to(actor)
        .select_related("community")
        .filter(pk=_pk(unit))
        .first()
    )
    if u is None:
        raise NotFound()
    require(actor, MANAGE, u.community.code)
    kind = choice(ContributionKind, kind, "kind", _("投入类别"))
    given_on = _date(given_on, "given_on", _("投入日期"), past=True)
    amount = _decimal(amount, "amount", _("金额或物资价值"), "0.01", Decimal("10000000000"))
    people_days = _decimal(people_days, "people_days", _("人日"), "0.1", Decimal("10000000"))
    facility = text(facility, "facility", _("开放的场地设施"), 100)
    if kind in (ContributionKind.MONEY, ContributionKind.GOODS) and amount <= 0:
        label = _("资金金额") if kind == ContributionKind.MONEY else _("物资价值")
        raise invalid("amount", _("请填写%(l)s（元，大于 0）。") % {"l": label})
    if kind == ContributionKind.PEOPLE and people_days <= 0:
        raise invalid("people_days", _("请填写投入的人日（大于 0，可有一位小数）。"))
    if kind == ContributionKind.FACILITY and not facility:
        raise invalid("facility", _("请填写向居民开放的场地或设施名称。"))
    d = None
    if duty not in (None, "", 0):
        d = AgreementDuty.objects.visible_to(actor).select_related("agreement").filter(pk=_pk(duty)).first()
        if d is None or d.agreement.unit_id != u.pk:
            raise invalid("duty", _("所选义务不属于该单位的共建协议。"))
        if agreement not in (None, "", 0) and _pk(agreement) != d.agreement_id:
            raise invalid("duty", _("所选义务不属于所选协议。"))
    a = d.agreement if d is not None else None
    if a is None and agreement not in (None, "", 0):
        a = Agreement.objects.visible_to(actor).filter(pk=_pk(agreement)).first()
        if a is None or a.unit_id != u.pk:
            raise invalid("agreement", _("所选协议不是该单位签订的。"))
    if a is not None and not a.starts_on <= given_on <= a.ends_on:
        raise invalid("given_on", _("投入日期 %(d)s 不在协议期限（%(a)s 至 %(b)s）内；协议外的投入请不选协议。") % {
            "d": given_on, "a": a.starts_on, "b": a.ends_on})  # fmt: skip
    street = u.community.code[:9]
    act = None
    if activity not in (None, "", 0):
        act = Activity.objects.visible_to(actor).filter(pk=_pk(activity)).first()
        if act is None or not act.scope_code.startswith(street):
            raise invalid("activity", _("请选择本街道的活动。"))
    hh = None
    if household not in (None, "", 0):
        hh = Household.objects.visible_to(actor).filter(pk=_pk(household)).first()
        if hh is None or not hh.scope_code.startswith(street):
            raise invalid("household", _("请选择您可查看的本街道居民户。"))
    description = text(description, "description", _("内容"), 200) or (d.name if d else "")
    if not description:
        raise invalid("description", _("请填写投入内容，如：捐赠防汛物资。"))
    c = Contribution(unit=u, agreement=a, duty=d, kind=kind, given_on=given_on, description=description,
                     amount=amount if kind in (ContributionKind.MONEY, ContributionKind.GOODS) else Decimal("0"),
                     people_days=people_days, facility=facility, activity=act, household=hh, recorded_by=actor)  # fmt: skip
    return services.create(actor, c, perm=MANAGE)


# --- duties done against the agreement -------------------------------------------------------------
def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def _quarter_bounds(year: int, q: int) -> tuple[dt.date, dt.date]:
    lo = dt.date(year, 3 * q - 2, 1)
    hi = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return lo, hi


def duty_periods(frequency: str, starts_on: dt.date, ends_on: dt.date, year: int, today: dt.date) -> list:
    """The periods of `year` in which a duty of this frequency is due under an agreement of this
    term, as (label, first day, last day), those not yet begun left out. A once-only duty has one
    period, the whole term, shown in every year the term touches."""
    y_lo, y_hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if starts_on > y_hi or ends_on < y_lo:
        return []
    if frequency == DutyFrequency.ONCE:
        spans = [(_("协议期内"), starts_on, ends_on)]
    elif frequency == DutyFrequency.YEARLY:
        spans = [(_("%(y)d年") % {"y": year}, max(y_lo, starts_on), min(y_hi, ends_on))]
    else:
        spans = []
        for q in range(1, 5):
            lo, hi = _quarter_bounds(year, q)
            if lo <= ends_on and hi >= starts_on:
                spans.append((_("第%(q)d季度") % {"q": q}, max(lo, starts_on), min(hi, ends_on)))
    return [s for s in spans if s[1] <= today]


def _evidence(agreements) -> tuple[dict, dict]:
    """Dates on which each duty was fulfilled by a contribution, and dates of the held joint meetings
    each (body, unit) attended: two queries for any number of agreements."""
    ids = [a.pk for a in agreements]
    by_duty: dict[int, list] = {}
    for duty_id, day in Contribution.objects.filter(duty__agreement_id__in=ids).values_list(
        "duty_id", "given_on"
    ):
        by_duty.setdefault(duty_id, []).append(day)
    pairs = {(a.body_id, a.unit_id) for a in agreements}
    meetings: dict[tuple, list] = {}
    if pairs:
        rows = CobuildMeeting.attendees.through.objects.filter(
            cobuildmeeting__body_id__in={b for b, _u in pairs},
            residentorganization_id__in={u for _b, u in pairs},
        ).values_list("cobuildmeeting__body_id", "residentorganization_id", "cobuildmeeting__held_on")
        for body_id, unit_id, day in rows:
            meetings.setdefault((body_id, unit_id), []).append(day)
    return by_duty, meetings


def duty_status(agreement, year: int, *, today=None, evidence=None) -> list[dict]:
    """Per duty of the agreement, in `year`: the periods due so far, each done (a contribution linked
    to the duty, or for the meeting duty a held joint meeting the unit attended, inside the period),
    open (the current period, not yet done) or missed; with the counts done and due."""
    today = today or timezone.localdate()
    by_duty, meetings = evidence if evidence is not None else _evidence([agreement])
    out = []
    for d in agreement.duties.all():
        days = list(by_duty.get(d.pk, []))
        if d.meeting:
            days += meetings.get((agreement.body_id, agreement.unit_id), [])
        periods = []
        for label, lo, hi in duty_periods(d.frequency, agreement.starts_on, agreement.ends_on, year, today):
            hit = sorted(x for x in days if lo <= x <= hi)
            state = DONE if hit else (MISSED if hi < today else OPEN)
            periods.append(
                {"label": label, "start": lo, "end": hi, "state": state, "on": hit[0] if hit else None}
            )
        out.append({"id": d.pk, "name": d.name, "frequency": d.frequency, "frequency_label": d.get_frequency_display(),
                    "meeting": d.meeting, "periods": periods, "due": len(periods),
                    "done": sum(p["state"] == DONE for p in periods)})  # fmt: skip
    return out


# --- figures ------------------------------------------------------------------------------------------
def _pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def coverage(user, code: str) -> list[dict]:
    """Per community under `code` (the user's own scope): units in the area, those that are members
    of a co-building body, and the share. Membership is read for the user's own units only."""
    from shequ.org.models import Level, OrgUnit, ResidentOrganization

    units = ResidentOrganization.objects.visible_to(user).within(code or None)
    member_ids = set(
        BodyMember.objects.filter(unit__in=units, left_on__isnull=True, body__active=True).values_list("unit_id", flat=True)
    )  # fmt: skip
    per: dict[str, list] = {}
    for pk, community in units.values_list("pk", "community__code"):
        row = per.setdefault(community, [0, 0])
        row[0] += 1
        row[1] += pk in member_ids
    names = dict(OrgUnit.objects.filter(code__in=per, level=Level.COMMUNITY).values_list("code", "name"))
    rows = [{"code": c, "name": names.get(c, c), "units": n, "members": m, "share": _pct(m, n)}
            for c, (n, m) in sorted(per.items())]  # fmt: skip
    return rows


def body_coverage(body) -> dict:
    """Units in the body's area and how many are its members."""
    from shequ.org.models import ResidentOrganization

    units = ResidentOrganization.objects.filter(scope_code__startswith=body.scope_code).count()
    members = _members(body).filter(unit__scope_code__startswith=body.scope_code).count()
    return {"units": units, "members": members, "share": _pct(members, units)}


def figures(user, code: str = "", year: int | None = None) -> dict:
    """The co-building page, its export and the API: per unit in the scope, contributions in `year`
    (money, goods value, people-days, facilities) and the duties done against its agreements."""
    if not scope.may_read(user, Contribution):
        raise Forbidden()
    code = (code or "").strip()
    if code and not scope.covers(user, code, VIEW):
        raise NotFound()
    today = timezone.localdate()
    year = int(year or today.year)
    if not 2000 <= year <= today.year + 1:
        raise invalid("year", _("年份应在 2000 年到明年之间。"))
    contribs = Contribution.objects.visible_to(user).within(code or None).filter(given_on__year=year)
    money = Sum("amount", filter=Q(kind=ContributionKind.MONEY))
    goods = Sum("amount", filter=Q(kind=ContributionKind.GOODS))
    cents, tenths = Decimal("0.01"), Decimal("0.1")  # SQLite's SUM drops the columns' scale
    given = {u: {"money": Decimal(m or 0).quantize(cents), "goods": Decimal(g or 0).quantize(cents),
                 "people_days": Decimal(p or 0).quantize(tenths),
                 "facilities": f, "contributions": n}
             for u, m, g, p, f, n in contribs.values("unit_id").annotate(
                 m=money, g=goods, p=Sum("people_days"), f=Count("id", filter=Q(kind=ContributionKind.FACILITY)),
                 n=Count("id")).order_by().values_list("unit_id", "m", "g", "p", "f", "n")}  # fmt: skip
    agreements = list(
        Agreement.objects.visible_to(user).within(code or None)
        .filter(starts_on__lte=dt.date(year, 12, 31), ends_on__gte=dt.date(year, 1, 1))
        .select_related("body", "unit__community").prefetch_related("duties")
    )  # fmt: skip
    evidence = _evidence(agreements)
    from shequ.org.models import ResidentOrganization

    units = {
        u.pk: u
        for u in ResidentOrganization.objects.visible_to(user)
        .filter(pk__in=set(given) | {a.unit_id for a in agreements})
        .select_related("community")
    }
    rows = {}
    for pk, u in units.items():
        zero = {
            "money": Decimal("0.00"),
            "goods": Decimal("0.00"),
            "people_days": Decimal("0.0"),
            "facilities": 0,
            "contributions": 0,
        }
        rows[pk] = {"id": pk, "name": u.name, "community": u.community.display_name, **given.get(pk, zero),
                    "agreements": [], "due": 0, "done": 0}  # fmt: skip
    for a in agreements:
        if a.unit_id not in rows:
            continue
        duties = duty_status(a, year, today=today, evidence=evidence)
        due, done = sum(d["due"] for d in duties), sum(d["done"] for d in duties)
        rows[a.unit_id]["agreements"].append({"id": a.pk, "title": a.title, "body": a.body.name, "body_id": a.body_id,
                                              "starts_on": a.starts_on, "ends_on": a.ends_on, "duties": duties,
                                              "due": due, "done": done})  # fmt: skip
        rows[a.unit_id]["due"] += due
        rows[a.unit_id]["done"] += done
    out = sorted(rows.values(), key=lambda r: (-(r["money"] + r["goods"]), r["name"]))
    for r in out:
        r["value"] = r["money"] + r["goods"]
        r["share_done"] = _pct(r["done"], r["due"])
    bodies = list(
        CobuildBody.objects.visible_to(user).within(code or None).filter(active=True).select_related("org")
    )
    return {
        "scope": code,
        "year": year,
        "units": out,
        "totals": {
            "money": sum((r["money"] for r in out), Decimal("0.00")),
            "goods": sum((r["goods"] for r in out), Decimal("0.00")),
            "people_days": sum((r["people_days"] for r in out), Decimal("0.0")),
            "facilities": sum(r["facilities"] for r in out),
            "contributions": sum(r["contributions"] for r in out),
            "agreements": len(agreements),
            "due": sum(r["due"] for r in out),
            "done": sum(r["done"] for r in out),
        },
        "coverage": coverage(user, code),
        "bodies": [
            {"id": b.pk, "name": b.name, "org": b.org.display_name, **body_coverage(b)} for b in bodies
        ],
    }
