"""Teams, talent, volunteers and activities in the two-community world, through the real services."""

import datetime as dt
import itertools

from django.utils import timezone

from shequ.teams import services
from tests.people.factories import make_resident

_seq = itertools.count(1)


def staff(world, side="a"):
    return world.users["community_lead"] if side == "a" else world.users["community_worker_b"]


def make_team(world, side="a", **kw):
    kw.setdefault("kind", "合唱队")
    kw.setdefault("name", f"{'甲乙'[side == 'b']}队{next(_seq)}")
    kw.setdefault("founded_on", dt.date(2020, 5, 1))
    return services.create_team(staff(world, side), world.community(side).code, **kw)


def make_activity(world, side="a", *, start=None, hours=2, **kw):
    """An activity of community `side`, starting `start` (default: in an hour), free-text place."""
    start = start or timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(hours=1)
    kw.setdefault("title", f"{'甲乙'[side == 'b']}活动{next(_seq)}")
    kw.setdefault("kind", "culture")
    kw.setdefault("place", "社区广场")
    return services.create_activity(staff(world, side), world.community(side).code, starts_at=start,
                                    ends_at=start + dt.timedelta(hours=hours), **kw)  # fmt: skip


def resident_user(world, side="a", resident=None, name=None):
    """A resident account of community `side` whose phone is a registry resident's."""
    from shequ.core.roles import Role
    from shequ.core.testing.world import make_user

    r = resident or make_resident(world, side, birth_date=dt.date(1960, 3, 1))
    u = make_user(name or f"res{next(_seq)}", Role.RESIDENT, world.community(side), display_name=r.name)
    u.phone = r.phone
    u.save(update_fields=["phone"])
    return u, r


def make_volunteer(world, side="a"):
    u, r = resident_user(world, side)
    v = services.register_volunteer(staff(world, side), r.pk, skills=["摄影"], availability=["周末"])
    return v, u


def started(activity, minutes=30):
    """Move an activity so that it started `minutes` ago (checks in, hours and ratings need that)."""
    from shequ.teams.models import Activity

    start = timezone.now() - dt.timedelta(minutes=minutes)
    Activity.objects.filter(pk=activity.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    activity.refresh_from_db()
    return activity
