"""Bookings: who may book which room, the rules a booking must keep (half hours, opening hours,
how far ahead, no overlap), approval, cancellation, QR check-in at the door, and utilisation."""

import datetime as dt
import json
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, qr
from shequ.core import scope as scopes
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.core.roles import Role
from shequ.core.services import require
from shequ.facilities.models import (
    APPROVE,
    HOLDING,
    MANAGE,
    SLOT_MINUTES,
    VIEW,
    WEEKDAYS,
    BookerKind,
    Booking,
    BookingSlot,
    BookingStatus,
    Facility,
)
from shequ.facilities.services.common import choice, invalid, text
from shequ.facilities.services.facilities import open_minutes
from shequ.org.models import ResidentOrganization

DOOR_SALT = "shequ.facilities.door"
CHECK_IN_EARLY = dt.timedelta(minutes=30)  # the door code admits a booker this long before the start
MAX_HOURS = 12
SLOT = dt.timedelta(minutes=SLOT_MINUTES)


def booking_roots(user) -> list[str] | None:
    """Where the user may book: the communities they belong to (a resident's, a grid worker's) and
    the scope of staff (None: everywhere)."""
    ms = scopes.memberships(user)
    if any(m.role == Role.SYSADMIN for m in ms):
        return None
    codes = sorted({m.scope_code[:12] for m in ms if m.scope_code})
    return [c for c in codes if not any(c != o and c.startswith(o) for o in codes)]


def bookable_rooms(user):
    """The rooms open for booking that the user may book (their community's, their scope's)."""
    if not user or not user.is_authenticated:
        return Facility.objects.none()
    roots = booking_roots(user)
    return (
        Facility.objects.filter(bookable=True, in_use=True)
        .filter(scopes.prefix_q("scope_code", roots))
        .select_related("kind", "community", "provider")
    )


def _room(user, pk) -> Facility:
    try:
        return bookable_rooms(user).get(pk=pk)
    except (Facility.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def local(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return timezone.localtime(value)


def day_start(d: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(d, dt.time()))


def _span_label(a: dt.datetime, b: dt.datetime) -> str:
    end = "24:00" if b.time() == dt.time() and b.date() > a.date() else f"{b:%H:%M}"
    return f"{a:%m-%d %H:%M}–{end}"


def check_times(facility: Facility, start: dt.datetime, end: dt.datetime, *, now: dt.datetime) -> None:
    """Half hours, in the future, within how far ahead, within one opening interval of the day."""
    if end <= start:
        raise invalid("end", _("结束时间应晚于开始时间。"))
    for v, f in ((start, "start"), (end, "end")):
        if v.minute % SLOT_MINUTES or v.second or v.microsecond:
            raise invalid(f, _("预约按半小时计，开始和结束时间须为整点或半点（如 14:00、14:30）。"))
    if end - start > dt.timedelta(hours=MAX_HOURS):
        raise invalid("end", _("一次预约最长 %(n)d 小时。") % {"n": MAX_HOURS})
    if start < now:
        raise invalid("start", _("不能预约已经开始或过去的时段。"))
    last = now.date() + dt.timedelta(days=facility.book_ahead_days)
    if start.date() > last:
        raise invalid("start", _("“%(f)s”最多提前 %(n)d 天预约（最晚 %(d)s）。")
                      % {"f": facility.name, "n": facility.book_ahead_days, "d": last.isoformat()})  # fmt: skip
    base = day_start(start.date())
    s = int((start - base).total_seconds() // 60)
    e = int((end - base).total_seconds() // 60)
    spans = facility.opening_hours.get(str(start.isoweekday())) or []
    for a, b in spans:
        am = int(a[:2]) * 60 + int(a[3:])
        bm = int(b[:2]) * 60 + int(b[3:])
        if am <= s and e <= bm:
            return
    weekday = f"周{WEEKDAYS[start.isoweekday() - 1]}"
    hours = "、".join(f"{a}–{b}" for a, b in spans) or _("不开放")
    raise invalid("start", _("预约时段不在开放时间内：“%(f)s”%(w)s开放时间为 %(h)s。")
                  % {"f": facility.name, "w": weekday, "h": hours})  # fmt: skip


def _slots(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    out, t = [], start
    while t < end:
        out.append(t)
        t += SLOT
    return out


def _taken(facility: Facility, start: dt.datetime, end: dt.datetime) -> Booking | None:
    return (
        Booking.objects.filter(facility=facility, status__in=HOLDING, start__lt=end, end__gt=start)
        .order_by("start")
        .first()
    )


def _conflict(other: Booking | None) -> Conflict:
    when = _span_label(local(other.start), local(other.end)) if other else ""
    msg = (
        (_("该时段已被预约（%(w)s），请选择其他时间。") % {"w": when})
        if other
        else _("该时段刚被他人预约，请选择其他时间。")
    )
    return Conflict(msg, code="booked", details={"start": [msg]})


@transaction.atomic
def book(actor, facility_id: int, *, start: dt.datetime, end: dt.datetime, booker_kind=BookerKind.RESIDENT,
         purpose: str, attendees: int = 1, team_name: str = "", unit=None) -> Booking:  # fmt: skip
    """Book a room for a resident, a team or a unit. A time that overlaps a booking that holds it,
    or lies outside the room's opening hours, is refused with the reason; a room that needs
    approval gets a pending booking, others are confirmed at once."""
    if not actor or not actor.is_authenticated:
        raise Forbidden()
    facility = _room(actor, facility_id)
    kind = choice(BookerKind, booker_kind, "booker_kind", _("预约身份"))
    allowed = {BookerKind.RESIDENT: facility.book_residents, BookerKind.TEAM: facility.book_teams,
               BookerKind.UNIT: facility.book_units}  # fmt: skip
    if not allowed[kind]:
        raise invalid("booker_kind", _("“%(f)s”不接受以“%(k)s”身份预约，可预约：%(w)s。")
                      % {"f": facility.name, "k": BookerKind(kind).label, "w": facility.bookers_label()})  # fmt: skip
    team_name = text(team_name, "team_name", _("团队名称"), 60, required=kind == BookerKind.TEAM)
    org = None
    if kind == BookerKind.UNIT:
        # Units have no accounts: the community's staff enter a unit's booking on its behalf.
        if not scopes.covers(actor, facility.scope_code, APPROVE):
            raise invalid("booker_kind", _("单位预约请联系社区工作人员代为登记。"))
        pk = unit.pk if isinstance(unit, ResidentOrganization) else unit
        org = ResidentOrganization.objects.filter(pk=pk if str(pk or "").isdigit() else 0,
                                                  community_id=facility.community_id).first()  # fmt: skip
        if org is None:
            raise invalid("unit", _("请选择本社区登记的驻区单位。"))
    purpose = text(purpose, "purpose", _("用途"), 100, required=True)
    if isinstance(attendees, bool) or not isinstance(attendees, int) or attendees < 1:
        raise invalid("attendees", _("人数应为正整数。"))
    if facility.capacity and attendees > facility.capacity:
        raise invalid(
            "attendees", _("“%(f)s”最多容纳 %(n)d 人。") % {"f": facility.name, "n": facility.capacity}
        )
    start, end = local(start), local(end)
    check_times(facility, start, end, now=timezone.localtime())
    other = _taken(facility, start, end)
    if other is not None:
        raise _conflict(other)
    hours = Decimal((end - start).total_seconds()) / 3600
    b = Booking(
        facility=facility,
        booker=actor,
        booker_kind=kind,
        team_name=team_name if kind == BookerKind.TEAM else "",
        unit=org,
        purpose=purpose,
        attendees=attendees,
        start=start,
        end=end,
        hours=hours.quantize(Decimal("0.01")),
        fee=(hours * facility.price_per_hour).quantize(Decimal("0.01")),
        status=BookingStatus.PENDING if facility.needs_approval else BookingStatus.APPROVED,
    )
    b.scope_code = facility.scope_code
    b.save()
    try:
        # The guard: one row per half hour, unique per room. A concurrent booking of the same half
        # hour (which the check above could not yet see) fails here, and its whole act rolls back.
        with transaction.atomic():
            BookingSlot.objects.bulk_create(
                [BookingSlot(facility=facility, booking=b, start=t) for t in _slots(start, end)]
            )
    except IntegrityError:
        raise _conflict(None) from None
    changelog.record(actor, Action.CREATE, b, after=changelog.snapshot(b))
    return b


def _own_or_staff(actor, pk, perm: str, *, lock: bool = True) -> tuple[Booking, bool]:
    """The booking (the actor's own, or in the part of their scope where they hold `perm`)."""
    qs = Booking.objects.visible_to(actor).select_related("facility")
    if lock:
        qs = qs.select_for_update(of=("self",))
    b = qs.filter(pk=pk if str(pk).isdigit() else 0).first()
    if b is None:
        raise NotFound()
    staff = scopes.covers(actor, b.scope_code, perm)
    if not staff and b.booker_id != actor.pk:
        raise NotFound()
    return b, staff


def _set(actor, b: Booking, changes: dict, note: str = "") -> Booking:
    before = changelog.snapshot(b)
    for k, v in changes.items():
        setattr(b, k, v)
    b.version += 1
    b.save()
    changelog.record(actor, Action.UPDATE, b, before=before, after=changelog.snapshot(b), note=note)
    return b


@transaction.atomic
def decide(actor, pk: int, *, approve: bool, note: str = "") -> Booking:
    """Approve or refuse a pending booking (the community's staff); a refusal says why and frees
    the time."""
    b, staff = _own_or_staff(actor, pk, APPROVE)
    if not staff:
        raise Forbidden() if b.booker_id == actor.pk or scopes.covers(actor, b.scope_code) else NotFound()
    if b.status != BookingStatus.PENDING:
        raise ValidationFailed(_("这条预约的状态是“%(s)s”，不是待审批。") % {"s": b.get_status_display()},
                               code="invalid_transition")  # fmt: skip
    note = text(note, "note", _("审批意见"), 200, required=not approve)
    if not approve:
        BookingSlot.objects.filter(booking=b).delete()
    return _set(actor, b, {"status": BookingStatus.APPROVED if approve else BookingStatus.REJECTED,
                           "decided_by": actor, "decided_at": timezone.now(), "decision_note": note})  # fmt: skip


@transaction.atomic
def cancel(actor, pk: int, *, note: str = "") -> Booking:
    """Cancel a booking that holds its time: the booker before it starts, the community's staff
    before it ends (saying why). The time is free again at once."""
    b, staff = _own_or_staff(actor, pk, APPROVE)
    if b.status not in HOLDING:
        raise ValidationFailed(_("这条预约已是“%(s)s”，无需取消。") % {"s": b.get_status_display()},
                               code="invalid_transition")  # fmt: skip
    now = timezone.now()
    mine = b.booker_id == actor.pk
    if mine and b.start <= now and not staff:
        raise ValidationFailed(_("预约已经开始，不能再取消。"), code="started")
    if not mine and b.end <= now:
        raise ValidationFailed(_("预约已经结束，不能再取消。"), code="ended")
    note = text(note, "note", _("取消原因"), 200, required=not mine)
    BookingSlot.objects.filter(booking=b).delete()
    return _set(actor, b, {"status": BookingStatus.CANCELLED, "decision_note": note}, note=note)


# --- the door's QR code -----------------------------------------------------------------------------
def door_token(facility: Facility, on: dt.date | None = None) -> str:
    """The code shown at the door on a day: signed, naming the room and the day (a photo of
    yesterday's code does not work today; renewing the room's door key voids every code)."""
    return qr.daily_code(DOOR_SALT, facility.pk, facility.door_key, on)


def read_door_token(token: str) -> Facility:
    """The room a door code names, if the code is genuine, today's, and not voided."""
    bad = ValidationFailed(_("签到码无效或已过期，请扫描场地门口今天的二维码。"), code="bad_door_code")
    found = qr.read_daily_code(DOOR_SALT, token)
    if found is None or not found[0].isdigit():
        raise bad
    f = Facility.objects.filter(pk=int(found[0]), door_key=found[1]).select_related("community").first()
    if f is None:
        raise bad
    return f


@transaction.atomic
def check_in(actor, token: str) -> Booking:
    """Check in with the code at the door: the actor's confirmed booking of that room that is on
    now (from half an hour before it starts until it ends)."""
    if not actor or not actor.is_authenticated:
        raise Forbidden()
    f = read_door_token(token)
    now = timezone.now()
    b = (
        Booking.objects.select_for_update()
        .filter(facility=f, booker=actor, start__lte=now + CHECK_IN_EARLY, end__gt=now)
        .exclude(status__in=(BookingStatus.CANCELLED, BookingStatus.REJECTED))
        .order_by("start")
        .first()
    )
    if b is None:
        raise ValidationFailed(_("您在“%(f)s”现在没有可签到的预约（预约开始前 30 分钟起可签到）。") % {"f": f.name},
                               code="no_booking")  # fmt: skip
    if b.status == BookingStatus.PENDING:
        raise ValidationFailed(_("这条预约还在等待审批，审批通过后才能签到。"), code="pending")
    if b.checked_in_at:
        return b
    return _set(actor, b, {"checked_in_at": now}, note=_("扫码签到"))


def day_bookings(facility: Facility, on: dt.date) -> list[Booking]:
    """The bookings holding a room's time on a day (the times only are shown to other bookers)."""
    a = day_start(on)
    return list(
        Booking.objects.filter(
            facility=facility, status__in=HOLDING, start__lt=a + dt.timedelta(days=1), end__gt=a
        )
        .order_by("start")
        .only("start", "end", "status")
    )


# --- utilisation ----------------------------------------------------------------------------------
def weekday_counts(start: dt.date, end: dt.date) -> dict[int, int]:
    """How many Mondays … Sundays the period holds (both ends included)."""
    days = (end - start).days + 1
    counts = dict.fromkeys(range(1, 8), days // 7)
    for i in range(days % 7):
        counts[(start + dt.timedelta(days=i)).isoweekday()] += 1
    return counts


def _rate(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else None


def _open_hours(hours_json: str, week: dict[int, int]) -> Decimal:
    """Hours open in a period, from a room's weekly hours (stored JSON) and the count of each weekday
    the period holds: each weekday's open minutes times its occurrences, no walk over the days."""
    minutes = open_minutes(json.loads(hours_json or "null") or {})
    return Decimal(sum(minutes[d] * week[d] for d in range(1, 8))) / 60


def utilisation(user, scope_code: str | None, start: dt.date, end: dt.date) -> dict:
    """Per bookable room of a scope and a period: open hours (from its opening hours), booked hours
    (confirmed bookings) and attended hours (those checked in), and the two rates.

    Two queries: the rooms (plain values, the opening hours as their stored text, so that a district's
    few weekly patterns are each decoded and counted once rather than once per room) and the booked
    and attended hours summed per room in the database."""
    if not scopes.may_read(user, Facility):
        raise Forbidden()
    code = (scope_code or "").strip()
    if code and not scopes.covers(user, code, VIEW):
        raise NotFound()
    if end < start:
        raise invalid("to", _("结束日期不能早于开始日期。"))
    if (end - start).days > 366 * 3:
        raise invalid("to", _("统计期最长三年。"))
    rooms = (
        Facility.objects.visible_to(user)
        .filter(bookable=True)
        .within(code or None)
        .annotate(hours_text=Cast("opening_hours", TextField()))
        .values_list("pk", "name", "scope_code", "community__name", "provider__name", "hours_text")
    )
    bookings = Booking.objects.filter(scopes.prefix_q("scope_code", scopes.read_roots(user, Facility)))
    if code:
        bookings = bookings.filter(scopes.subtree_q("scope_code", code))
    figures = {
        f: (booked, attended, n)
        for f, booked, attended, n in bookings.filter(
            start__gte=day_start(start), start__lt=day_start(end + dt.timedelta(days=1)),
            status=BookingStatus.APPROVED,
        )
        .values_list("facility_id")
        .annotate(b=Sum("hours"), a=Sum("hours", filter=Q(checked_in_at__isnull=False)), n=Count("id"))
    }  # fmt: skip
    from shequ.org.models import short_name

    week = weekday_counts(start, end)
    open_of: dict[str, Decimal] = {}  # weekly pattern (stored text) → open hours in the period
    short: dict[str, str] = {}
    zero = Decimal("0")
    rows = []
    total_open = total_booked = total_attended = zero
    for pk, name, sc, community, provider, hours in rooms:
        if not isinstance(hours, str):  # a backend that hands the cast value back decoded
            hours = json.dumps(hours, sort_keys=True)
        open_h = open_of.get(hours)
        if open_h is None:
            open_h = open_of[hours] = _open_hours(hours, week)
        if community not in short:
            short[community] = short_name(community)
        booked, attended, n = figures.get(pk, (None, None, 0))
        booked, attended = booked or zero, attended or zero
        rows.append({"id": pk, "name": name, "code": sc, "community": short[community], "provider": provider or "",
                     "open_hours": open_h.quantize(Decimal("0.1")), "booked_hours": booked, "attended_hours": attended,
                     "bookings": n, "booked_rate": _rate(booked, open_h), "attended_rate": _rate(attended, open_h)})  # fmt: skip
        total_open += open_h
        total_booked += booked
        total_attended += attended
    return {
        "scope": code,
        "start": start,
        "end": end,
        "rooms": len(rows),
        "open_hours": total_open.quantize(Decimal("0.1")),
        "booked_hours": total_booked,
        "attended_hours": total_attended,
        "booked_rate": _rate(total_booked, total_open),
        "attended_rate": _rate(total_attended, total_open),
        "rows": rows,
    }


def may_manage_bookings(user, facility: Facility) -> bool:
    return scopes.covers(user, facility.scope_code, APPROVE)


def may_manage(user, facility: Facility) -> bool:
    return scopes.covers(user, facility.scope_code, MANAGE)


__all__ = ["require"]
