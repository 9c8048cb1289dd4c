"""Acts on awards and recognition: rounds with a nomination window and places, nominations with the
figures the platform holds about the nominee (hours, activities, pledges — pulled from the data, not
typed), the review, and publishing. A round moves open → reviewing → published (TRANSITIONS); a
nomination is accepted only inside the window, once per nominee; no more are awarded than the
round has places; a round is published only when every nomination is decided."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, services
from shequ.core.errors import Conflict, NotFound
from shequ.core.masking import mask
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.teams.models import (
    MANAGE,
    AwardKind,
    AwardRound,
    CheckIn,
    Nomination,
    NominationResult,
    NomineeKind,
    PartyMember,
    Pledge,
    PledgeStatus,
    RoundStatus,
    ServiceHours,
    Team,
    Volunteer,
)
from shequ.teams.services.common import choice, invalid, org_at, text

# Each allowed move of a round; anything else is refused.
TRANSITIONS = {
    RoundStatus.OPEN: {RoundStatus.REVIEWING},
    RoundStatus.REVIEWING: {RoundStatus.OPEN, RoundStatus.PUBLISHED},
    RoundStatus.PUBLISHED: set(),
}


def _pk(value) -> int:
    return int(value) if str(value or "").isdigit() else 0


def _date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        raise invalid(field, _("请填写%(l)s，如 2026-03-01。") % {"l": label}) from None


def _kind(value) -> AwardKind:
    v = str(value or "").strip()
    qs = AwardKind.objects.filter(active=True)
    found = qs.filter(pk=int(v)).first() if v.isdigit() else qs.filter(name=v).first()
    if found is None:
        raise invalid("kind", _("请选择奖项：%(n)s。") % {"n": "、".join(qs.values_list("name", flat=True))})
    return found


@transaction.atomic
def create_round(
    actor, org_code, *, kind, year, opens_on, closes_on, places=10, title: str = ""
) -> AwardRound:
    """A round of an award in a community or a street for a year, with its nomination window."""
    org = org_at(actor, org_code, MANAGE)
    k = _kind(kind)
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise invalid("year", _("请填写评选年度，如 %(y)d。") % {"y": timezone.localdate().year})
    a, b = _date(opens_on, "opens_on", _("推荐开始日期")), _date(closes_on, "closes_on", _("推荐截止日期"))
    if b < a:
        raise invalid("closes_on", _("推荐截止日期不能早于开始日期。"))
    try:
        places = int(places)
    except (TypeError, ValueError):
        places = 0
    if not 1 <= places <= 1000:
        raise invalid("places", _("名额应为 1 到 1000 之间的整数。"))
    if AwardRound.objects.filter(org=org, kind=k, year=year).exists():
        raise Conflict(_("%(o)s %(y)d 年度已有“%(k)s”评选。") % {"o": org.display_name, "y": year, "k": k.name},
                       code="duplicate", details={"kind": [_("本年度已有")]})  # fmt: skip
    title = text(title, "title", _("名称"), 100) or f"{org.display_name}{year}年度{k.name}评选"
    r = AwardRound(org=org, kind=k, year=year, title=title, opens_on=a, closes_on=b, places=places)
    return services.create(actor, r, perm=MANAGE)


@transaction.atomic
def move_round(actor, round_pk, to) -> AwardRound:
    """Open → reviewing (the window is closed early or has passed), back to open, or published."""
    r = get_visible(AwardRound, actor, round_pk, for_update=True)
    require(actor, MANAGE, r.scope_code)
    to = choice(RoundStatus, to, "status", _("状态"))
    if to not in TRANSITIONS[RoundStatus(r.status)]:
        raise Conflict(_("评选当前为“%(a)s”，不能改为“%(b)s”。") % {"a": r.get_status_display(), "b": RoundStatus(to).label},
                       code="bad_transition")  # fmt: skip
    changes = {"status": to}
    if to == RoundStatus.PUBLISHED:
        pending = r.nominations.filter(result=NominationResult.PENDING).count()
        if pending:
            raise Conflict(
                _("还有 %(n)d 条推荐未评审，请全部评审后再公布结果。") % {"n": pending}, code="pending"
            )
        if not r.nominations.filter(result=NominationResult.AWARDED).exists():
            raise Conflict(_("本次评选没有当选者，无法公布；请先评审推荐。"), code="none_awarded")
        changes["published_on"] = timezone.localdate()
    return services.update(actor, AwardRound, r.pk, changes, perm=MANAGE, note=str(RoundStatus(to).label))


def _year_span(year: int):
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _person_figures(resident_ids, year: int) -> dict:
    start, end = _year_span(year)
    keys = [f"r:{r}" for r in resident_ids]
    attended = CheckIn.objects.filter(
        key__in=keys, activity__starts_at__gte=start, activity__starts_at__lt=end
    ).count()
    hours = ServiceHours.objects.filter(volunteer__resident_id__in=resident_ids, activity__starts_at__gte=start,
                                        activity__starts_at__lt=end).aggregate(h=Sum("hours"))["h"]  # fmt: skip
    return {"activities": attended, "hours": str(hours or Decimal("0"))}


def _nominee(actor, r: AwardRound, kind: str, pk):
    """(key, record fields, name, public name, scope code, figures) of a nominee under the round's
    org, or a field error."""
    from shequ.people.models import Household, Resident

    pk, within = _pk(pk), r.org.code
    if kind == NomineeKind.VOLUNTEER:
        v = Volunteer.objects.visible_to(actor).filter(pk=pk).select_related("resident").first()
        if v is None or not v.scope_code.startswith(within):
            raise invalid("nominee", _("请选择%(o)s的志愿者。") % {"o": r.org.display_name})
        return (
            f"v:{v.pk}",
            {"volunteer": v},
            v.resident.name,
            v.scope_code,
            _person_figures([v.resident_id], r.year),
        )
    if kind == NomineeKind.HOUSEHOLD:
        hh = Household.objects.visible_to(actor).filter(pk=pk).select_related("head", "house").first()
        if hh is None or not hh.scope_code.startswith(within):
            raise invalid("nominee", _("请选择%(o)s居民台账中的户。") % {"o": r.org.display_name})
        members = list(Resident.objects.filter(household=hh).values_list("pk", flat=True))
        f = _person_figures(members, r.year)
        f["members"] = len(members)
        head = hh.head.name if hh.head_id else "—"
        return (
            f"h:{hh.pk}",
            {"household": hh},
            _("%(h)s户（%(a)s）") % {"h": head, "a": hh.house.address},
            hh.scope_code,
            f,
        )
    if kind == NomineeKind.RESIDENT:
        res = Resident.objects.visible_to(actor).filter(pk=pk).first()
        if res is None or not res.scope_code.startswith(within):
            raise invalid("nominee", _("请选择%(o)s居民台账中的居民。") % {"o": r.org.display_name})
        return f"r:{res.pk}", {"resident": res}, res.name, res.scope_code, _person_figures([res.pk], r.year)
    if kind == NomineeKind.MEMBER:
        m = PartyMember.objects.visible_to(actor).filter(pk=pk, status="active").first()
        if m is None or not m.scope_code.startswith(within):
            raise invalid("nominee", _("请选择%(o)s的党员。") % {"o": r.org.display_name})
        f = _person_figures([m.resident_id], r.year) if m.resident_id else {"activities": 0, "hours": "0"}
        pledges = dict(Pledge.objects.filter(member=m).values_list("status").annotate(n=Count("id")))
        f.update(pledges=sum(pledges.values()), pledges_kept=pledges.get(PledgeStatus.KEPT, 0),
                 buildings=m.buildings.count(), households=m.households.count())  # fmt: skip
        return f"m:{m.pk}", {"member": m}, m.name, m.scope_code, f
    t = Team.objects.visible_to(actor).filter(pk=pk).first()
    if t is None or not t.scope_code.startswith(within):
        raise invalid("nominee", _("请选择%(o)s的队伍。") % {"o": r.org.display_name})
    start, end = _year_span(r.year)
    acts = t.activities.filter(starts_at__gte=start, starts_at__lt=end).exclude(status="cancelled")
    f = {"activities": acts.count(), "person_times": CheckIn.objects.filter(activity__in=acts).count()}
    return f"t:{t.pk}", {"team": t}, t.name, t.scope_code, f


def public_name_of(kind: str, name: str, show_name: bool, record=None) -> str:
    """What the public list shows: a team by its name, a household always by a masked head's name,
    a person by name only when they agreed (masked otherwise)."""
    if kind == NomineeKind.TEAM:
        return name
    if kind == NomineeKind.HOUSEHOLD:
        head = record.head.name if record is not None and record.head_id else ""
        return _("%(h)s家庭") % {"h": mask(head, "name") or "—"}
    return name if show_name else mask(name, "name")


@transaction.atomic
def nominate(
    actor, round_pk, *, nominee, reason: str, nominator_name: str = "", show_name: bool = False
) -> Nomination:
    """Put forward a nominee of the round's kind, inside the nomination window, once per nominee."""
    r = get_visible(AwardRound, actor, round_pk, for_update=True)
    require(actor, MANAGE, r.scope_code)
    if r.status != RoundStatus.OPEN:
        raise Conflict(_("本次评选已%(s)s，不再接受推荐。") % {"s": r.get_status_display()}, code="closed")
    today = timezone.localdate()
    if not r.opens_on <= today <= r.closes_on:
        raise Conflict(_("本次评选的推荐时间为 %(a)s 至 %(b)s，今天不在推荐期内。") % {"a": r.opens_on, "b": r.closes_on},
                       code="outside_window")  # fmt: skip
    kind = r.kind.nominee_kind
    key, record, name, _code, figures = _nominee(actor, r, kind, nominee)
    if r.nominations.filter(nominee_key=key).exists():
        raise Conflict(
            _("%(n)s已被推荐参加本次评选。") % {"n": name},
            code="duplicate",
            details={"nominee": [_("已推荐")]},
        )
    reason = text(reason, "reason", _("推荐理由"), 1000, required=True)
    who = text(nominator_name, "nominator_name", _("推荐人（单位）"), 60) or (
        getattr(actor, "display_name", "") or actor.username
    )
    n = Nomination(round=r, nominee_kind=kind, nominee_key=key, nominee_name=name[:100], show_name=bool(show_name),
                   public_name=public_name_of(kind, name, bool(show_name), record.get("household")),
                   nominator=actor, nominator_name=who[:60], reason=reason, figures=figures, **record)  # fmt: skip
    n.save()
    changelog.record(actor, Action.UPDATE, r, after={"nominated": name}, note=_("推荐"))
    return n


@transaction.atomic
def review(actor, nomination_pk, *, result, note: str = "") -> Nomination:
    """Decide one nomination (awarded or not) while the round is in review; places are a ceiling."""
    n = Nomination.objects.visible_to(actor).filter(pk=_pk(nomination_pk)).first()
    if n is None:
        raise NotFound()
    r = AwardRound.objects.select_for_update().get(pk=n.round_id)
    require(actor, MANAGE, r.scope_code)
    if r.status != RoundStatus.REVIEWING:
        raise Conflict(_("评选须处于“评审中”才能评审推荐（当前：%(s)s）。") % {"s": r.get_status_display()},
                       code="not_reviewing")  # fmt: skip
    result = choice(NominationResult, result, "result", _("评审结果"))
    if result == NominationResult.PENDING:
        raise invalid("result", _("请选择“当选”或“未当选”。"))
    if result == NominationResult.AWARDED and n.result != NominationResult.AWARDED:
        taken = r.nominations.filter(result=NominationResult.AWARDED).count()
        if taken >= r.places:
            raise Conflict(_("本次评选名额为 %(p)d 个，已全部评定；如需调整，请先把其中一条改为未当选。") % {"p": r.places},
                           code="places_full")  # fmt: skip
    before = n.get_result_display()
    n.result, n.review_note = result, text(note, "note", _("评审意见"), 200)
    n.reviewed_by, n.reviewed_at = actor, timezone.now()
    n.save(update_fields=["result", "review_note", "reviewed_by", "reviewed_at"])
    changelog.record(actor, Action.UPDATE, r, before={n.nominee_name: before}, after={n.nominee_name: n.get_result_display()},
                     note=_("评审"))  # fmt: skip
    return n


def published(code: str = ""):
    """Published rounds (for the public page), newest first."""
    qs = AwardRound.objects.filter(status=RoundStatus.PUBLISHED).select_related("kind", "org")
    return qs.filter(scope_code__startswith=code) if code else qs


def winners(r: AwardRound):
    return r.nominations.filter(result=NominationResult.AWARDED).order_by("id")
