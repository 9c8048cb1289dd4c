"""Facilities, bookings and handovers in the two-community world, through the real services."""

import datetime as dt
import itertools

from django.utils import timezone

from shequ.facilities import services

_seq = itertools.count(1)
ALL_DAY = {str(d): [["00:00", "24:00"]] for d in range(1, 8)}
OFFICE_HOURS = {str(d): [["08:30", "12:00"], ["14:00", "17:30"]] for d in range(1, 6)}


def make_facility(world, side="a", *, who="community_lead", kind="活动室", area="120", tenure="自有", **kw):
    """A facility of community `side` entered by a member of its staff (the lead of a)."""
    if side == "b" and who == "community_lead":
        who = "sysadmin"
    data = {"name": kw.pop("name", f"{'甲乙'[side == 'b']}阵地{next(_seq)}"), "kind": kind, "area": area,
            "tenure": tenure}  # fmt: skip
    if tenure in ("租用", "rented"):
        data.update(annual_rent="36000", lease_start=dt.date(2024, 1, 1), lease_end=dt.date(2027, 12, 31))
    data.update(kw)
    return services.add_facility(world.users[who], world.community(side).code, **data)


def make_room(world, side="a", **kw):
    """A bookable room open all day, every day, free, no approval."""
    kw.setdefault("opening_hours", ALL_DAY)
    kw.setdefault("bookable", True)
    return make_facility(world, side, **kw)


def next_slot(hours_ahead: int = 1) -> dt.datetime:
    """A whole hour `hours_ahead` hours from now, local time."""
    now = timezone.localtime()
    return now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=hours_ahead)


def next_half_hour() -> dt.datetime:
    """The first half-hour boundary after now (a booking that starts there may check in now)."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    return now.replace(minute=30) if now.minute < 30 else now.replace(minute=0) + dt.timedelta(hours=1)


def make_booking(world, side="a", *, who="resident", room=None, start=None, hours=1, **kw):
    room = room or make_room(world, side)
    start = start or next_slot(2 + next(_seq) % 20)
    user = world.users[who] if side == "a" or who != "resident" else world.users["sysadmin"]
    return services.book(user, room.pk, start=start, end=start + dt.timedelta(hours=hours),
                         purpose=kw.pop("purpose", "排练"), **kw)  # fmt: skip
