"""Issues, meetings and resolutions in the two-community world, made through the real services."""

import datetime as dt
import itertools

from django.utils import timezone

from shequ.participation import services
from shequ.participation.models import IssueStatus
from tests.people.factories import make_resident

_seq = itertools.count(1)


def residents(world, side="a", n=1, **kw) -> list:
    """n residents of the side's community, each with a distinct phone (last four = their index)."""
    return [make_resident(world, side, **kw) for _ in range(n)]


def last4(resident) -> str:
    return resident.phone[-4:]


def make_issue(world, side="a", *, title=None, status=IssueStatus.PROPOSED, who="community_worker", **kw):
    """An issue staff raised in the side's community, moved on to `status` (READY or ON_AGENDA)."""
    actor = world.users[who] if side == "a" or who in ("street", "district", "sysadmin") else worker_b(world)
    issue = services.raise_issue(
        actor, world.community(side).code, source=kw.pop("source", "staff"), category=kw.pop("category", "环境卫生"),
        title=title or f"{'甲乙'[side == 'b']}议题{next(_seq)}", text=kw.pop("text", "楼道堆放杂物，影响通行。"), **kw,
    )  # fmt: skip
    if status != IssueStatus.PROPOSED:
        services.accept_issue(actor, issue.pk)
    issue.refresh_from_db()
    return issue


def worker_b(world):
    return world.users["community_worker_b"]


def staff(world, side):
    return world.users["community_worker"] if side == "a" else worker_b(world)


def make_meeting(world, side="a", *, kind="民情恳谈会", expected=4, issues=(), starts_at=None, **kw):
    return services.create_meeting(
        staff(world, side), world.community(side).code, kind=kind, title=kw.pop("title", ""),
        starts_at=starts_at or timezone.now() - dt.timedelta(minutes=30), place=kw.pop("place", "社区议事厅"),
        convener=kw.pop("convener", "王书记"), expected=expected, issues=[i.pk for i in issues], **kw,
    )  # fmt: skip


def held_meeting(world, side="a", *, present=3, expected=4, kind="民情恳谈会"):
    """A meeting with one issue on its agenda and `present` people signed in by the staff's list."""
    issue = make_issue(world, side, status=IssueStatus.READY)
    m = make_meeting(world, side, kind=kind, expected=expected, issues=[issue])
    if present:
        services.record_attendance(staff(world, side), m.pk, names=[f"到会{side}{k}" for k in range(present)])
    return m, issue


def adopted_resolution(world, side="a", *, deadline=None):
    m, issue = held_meeting(world, side)
    return services.vote_resolution(
        staff(world, side), m.pk, issue.pk, text=f"{issue.title}：清理楼道杂物", votes_for=3, votes_against=0,
        votes_abstain=0, owner_unit="物业公司", deadline=deadline or timezone.localdate() + dt.timedelta(days=30),
    )  # fmt: skip
