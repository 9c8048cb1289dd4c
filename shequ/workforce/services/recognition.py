"""Recognition: honours, the 两代表一委员 seats and promotions within community work, each entered
for a worker of the actor's scope; and a street's "way up" (those promotions with the exits that
were a way up), read from the records."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog
from shequ.core.errors import Conflict, ValidationFailed
from shequ.core.models import Action
from shequ.core.scope import subtree_q
from shequ.workforce.models import (
    WAYS_UP,
    Award,
    HonourLevel,
    Movement,
    MovementKind,
    Promotion,
    Representative,
    SeatKind,
    Worker,
)
from shequ.workforce.services.roster import _locked, choice


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _text(value, field: str, label: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _invalid(field, _("请填写%(l)s。") % {"l": label})
    if len(text) > limit:
        raise _invalid(field, _("%(l)s不能超过 %(n)d 字。") % {"l": label, "n": limit})
    return text


def _day(worker, value, field: str) -> dt.date:
    if not isinstance(value, dt.date) or value > timezone.localdate():
        raise _invalid(field, _("请填写日期（不晚于今天）。"))
    if value < worker.birth_date + dt.timedelta(days=16 * 365):
        raise _invalid(field, _("日期早于 16 周岁，请核对。"))
    return value


@transaction.atomic
def add_award(actor, worker_pk, *, title: str, level: str, awarded_on, body: str, note: str = "") -> Award:
    """An honour the worker received (十佳社区干部, 优秀社区工作者 …)."""
    worker = _locked(actor, worker_pk)
    a = Award.objects.create(
        worker=worker,
        title=_text(title, "title", _("荣誉名称"), 60),
        level=choice(HonourLevel, level, "level", _("级别")),
        awarded_on=_day(worker, awarded_on, "awarded_on"),
        body=_text(body, "body", _("授予单位"), 60),
        note=_text(note, "note", _("说明"), 200, required=False),
    )
    changelog.record(actor, Action.CREATE, a, after={"title": a.title, "level": a.level, "awarded_on": a.awarded_on.isoformat(),
                     "body": a.body}, scope_code=worker.scope_code)  # fmt: skip
    return a


@transaction.atomic
def add_representative(
    actor, worker_pk, *, kind: str, level: str, term: str, start, end=None
) -> Representative:
    """A seat as 党代表, 人大代表 or 政协委员, at a level, for a term."""
    worker = _locked(actor, worker_pk)
    kind = choice(SeatKind, kind, "kind", _("类别"))
    level = choice(HonourLevel, level, "level", _("级别"))
    term = _text(term, "term", _("届次"), 30)
    start = _day(worker, start, "start")
    if end is not None and (not isinstance(end, dt.date) or end <= start):
        raise _invalid("end", _("届满日期应晚于当选日期。"))
    if Representative.objects.filter(worker=worker, kind=kind, level=level, term=term).exists():
        raise Conflict(
            _("%(n)s已登记为%(t)s%(l)s%(k)s。")
            % {"n": worker.name, "t": term, "l": HonourLevel(level).label, "k": SeatKind(kind).label},
            code="duplicate",
        )
    seat = Representative.objects.create(
        worker=worker, kind=kind, level=level, term=term, start=start, end=end
    )
    changelog.record(actor, Action.CREATE, seat, after={"kind": kind, "level": level, "term": term,
                     "start": start.isoformat()}, scope_code=worker.scope_code)  # fmt: skip
    return seat


@transaction.atomic
def add_promotion(actor, worker_pk, *, on, post: str, note: str = "") -> Promotion:
    """A step up within community work, dated, to a named post."""
    worker = _locked(actor, worker_pk)
    on = _day(worker, on, "on")
    if on < worker.hired_on:
        raise _invalid(
            "on", _("日期不能早于参加社区工作时间（%(d)s）。") % {"d": worker.hired_on.isoformat()}
        )
    p = Promotion.objects.create(worker=worker, on=on, post=_text(post, "post", _("晋升后的职务"), 60),
                                 note=_text(note, "note", _("说明"), 200, required=False))  # fmt: skip
    changelog.record(
        actor, Action.CREATE, p, after={"post": p.post, "on": on.isoformat()}, scope_code=worker.scope_code
    )
    return p


def ways_up(user, code: str | None) -> list[dict]:
    """The way up in a scope, latest first: promotions within community work, and exits to the
    civil service or a public institution (招录为公务员或事业编) or into the street's leadership."""
    workers = Worker.objects.visible_to(user)
    if code:
        workers = workers.filter(subtree_q("scope_code", code))
    ids = workers.values("id")
    out = []
    for m in Movement.objects.filter(
        worker__in=ids, kind=MovementKind.EXIT, reason__in=WAYS_UP
    ).select_related("worker", "from_org"):
        out.append({"on": m.on, "worker": m.worker, "kind": _("离开社区：") + str(m.get_reason_display()),
                    "post": m.note, "unit": m.from_org.display_name if m.from_org else "", "out": True})  # fmt: skip
    for p in Promotion.objects.filter(worker__in=ids).select_related("worker__org"):
        out.append({"on": p.on, "worker": p.worker, "kind": _("社区内晋升"), "post": p.post,
                    "unit": p.worker.org.display_name, "out": False})  # fmt: skip
    out.sort(key=lambda r: (r["on"], r["worker"].pk), reverse=True)
    return out
