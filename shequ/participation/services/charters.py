"""Acts on charters: a charter of a community, a new version drafted, discussed at a meeting,
voted on among those present (the meeting type's quorum and rule, as for resolutions), published
for its in-force period. A period overlapping another published version of the same charter is
refused with the overlapping dates; an earlier version in force without an end is superseded
(it ends the day before the new one begins)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog, scope, services
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.participation.models import (
    MANAGE,
    Charter,
    CharterKind,
    CharterVersion,
    Meeting,
    VersionStatus,
)
from shequ.participation.services.issues import community_of
from shequ.participation.services.meetings import _count, _invalid

OPEN = {VersionStatus.DRAFT, VersionStatus.DISCUSSED, VersionStatus.ADOPTED}


def _kind(value) -> str:
    text = str(value or "").strip()
    for code, label in CharterKind.choices:
        if text in (code, str(label)):
            return code
    raise _invalid(
        "kind", _("请选择类别：%(n)s。") % {"n": "、".join(str(lab) for _c, lab in CharterKind.choices)}
    )


@transaction.atomic
def create_charter(actor, community_code: str, *, kind, title: str) -> Charter:
    """A charter of the community (its first version is drafted next)."""
    unit = community_of(community_code)
    if not scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE, unit.code)
    title = (title or "").strip()
    if not title:
        raise _invalid("title", _("请填写名称，如：居民公约、居民代表大会制度。"))
    if Charter.objects.filter(community=unit, title=title).exists():
        raise Conflict(_("本社区已有“%(t)s”，请在其中起草新版本。") % {"t": title}, code="duplicate")
    return services.create(actor, Charter(community=unit, kind=_kind(kind), title=title[:60]), perm=MANAGE)


def _charter(actor, pk, *, lock=True) -> Charter:
    c = get_visible(Charter, actor, pk, for_update=lock)
    require(actor, MANAGE, c.scope_code)
    return c


def _version(actor, pk) -> CharterVersion:
    v = get_visible(CharterVersion, actor, pk, for_update=True)
    require(actor, MANAGE, v.scope_code)
    Charter.objects.select_for_update().filter(pk=v.charter_id).first()  # one act on a charter at a time
    return v


def _end_label(day) -> str:
    return day.isoformat() if day else _("长期")


def check_period(charter: Charter, start: dt.date, until: dt.date | None, *, exclude=None) -> list:
    """Refuse a period overlapping a published version of the charter (naming the overlap); the
    published versions without an end that began earlier are returned: they would be superseded."""
    if until is not None and until < start:
        raise _invalid("in_force_until", _("废止日期不能早于施行日期。"))
    superseded = []
    others = CharterVersion.objects.filter(charter=charter, status=VersionStatus.PUBLISHED).exclude(
        pk=exclude
    )
    for o in others.order_by("in_force_from"):
        if o.in_force_until is None and o.in_force_from < start:
            superseded.append(o)
            continue
        if o.in_force_from <= (until or dt.date.max) and start <= (o.in_force_until or dt.date.max):
            lo = max(start, o.in_force_from)
            ends = [d for d in (until, o.in_force_until) if d]
            hi = min(ends) if ends else None
            msg = _(
                "施行期间与第%(n)d版（%(p)s）重叠：%(a)s 至 %(b)s 两个版本同时有效。"
                "请调整施行日期，或先为第%(n)d版确定废止日期。"
            ) % {"n": o.number, "p": o.period_label, "a": lo.isoformat(), "b": _end_label(hi)}
            raise ValidationFailed(msg, code="overlap", details={"in_force_from": [msg],
                                   "overlap": {"version": o.number, "from": lo.isoformat(),
                                               "until": hi.isoformat() if hi else None}})  # fmt: skip
    return superseded


@transaction.atomic
def draft_version(
    actor, charter_pk, *, text: str, in_force_from, in_force_until=None, note: str = ""
) -> CharterVersion:
    """A new version's text and the period it is meant to be in force (numbered after the last)."""
    c = _charter(actor, charter_pk)
    pending = c.versions.filter(status__in=OPEN).first()
    if pending is not None:
        raise Conflict(
            _("第%(n)d版尚未公布（%(s)s），请先完成它的表决和公布。") % {"n": pending.number, "s": pending.get_status_display()},
            code="state",
        )  # fmt: skip
    text = (text or "").strip()
    if not text:
        raise _invalid("text", _("请填写正文。"))
    if not isinstance(in_force_from, dt.date):
        raise _invalid("in_force_from", _("请填写施行日期。"))
    if in_force_until is not None and not isinstance(in_force_until, dt.date):
        raise _invalid("in_force_until", _("废止日期格式有误。"))
    check_period(c, in_force_from, in_force_until)
    number = (c.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    v = CharterVersion(charter=c, number=number, text=text[:20000], note=(note or "").strip()[:300],
                       in_force_from=in_force_from, in_force_until=in_force_until)  # fmt: skip
    return services.create(actor, v, perm=MANAGE)


@transaction.atomic
def discuss_version(actor, version_pk, *, meeting) -> CharterVersion:
    """Put a draft before a meeting of the community (where it is discussed and voted on)."""
    v = _version(actor, version_pk)
    if v.status not in (VersionStatus.DRAFT, VersionStatus.DISCUSSED):
        raise Conflict(
            _("第%(n)d版已%(s)s，不能再提交会议。") % {"n": v.number, "s": v.get_status_display()},
            code="state",
        )
    m = (
        Meeting.objects.filter(pk=meeting, community_id=v.charter.community_id).first()
        if str(meeting).isdigit()
        else None
    )
    if m is None:
        raise _invalid("meeting", _("请选择本社区的会议。"))
    return services.update(actor, CharterVersion, v.pk, {"meeting": m, "status": VersionStatus.DISCUSSED},
                           perm=MANAGE, note=_("提交会议讨论"))  # fmt: skip


@transaction.atomic
def vote_version(
    actor, version_pk, *, votes_for: int, votes_against: int, votes_abstain: int
) -> CharterVersion:
    """The vote on a version at its meeting, counted among those signed in, under the meeting type's
    quorum and adoption rule (the same rule a resolution is voted by)."""
    v = _version(actor, version_pk)
    if v.status != VersionStatus.DISCUSSED or v.meeting_id is None:
        raise Conflict(_("请先将第%(n)d版提交会议讨论，再表决。") % {"n": v.number}, code="state")
    m = Meeting.objects.select_related("kind").get(pk=v.meeting_id)
    if m.starts_at > timezone.now():
        raise Conflict(_("会议尚未开始，不能表决。"), code="state")
    f = _count(votes_for, "votes_for", _("赞成票"))
    a = _count(votes_against, "votes_against", _("反对票"))
    ab = _count(votes_abstain, "votes_abstain", _("弃权票"))
    present = m.attendance.count()
    if f + a + ab > present:
        msg = _("赞成 %(f)d + 反对 %(a)d + 弃权 %(b)d = %(s)d 票，超过签到出席的 %(p)d 人，请核对票数。") % {
            "f": f, "a": a, "b": ab, "s": f + a + ab, "p": present,
        }  # fmt: skip
        raise ValidationFailed(msg, code="votes_above_present", details={"votes_for": [msg]})
    if not m.kind.quorum_met(present, m.expected):
        msg = _("签到出席 %(p)d 人，应到 %(e)d 人，未达到%(k)s的法定人数（%(r)s），不能表决。") % {
            "p": present, "e": m.expected, "k": m.kind.name, "r": m.kind.quorum_label,
        }  # fmt: skip
        raise Conflict(msg, code="no_quorum", details={"present": present, "expected": m.expected})
    adopted = m.kind.adopted(f, present)
    changes = {"present": present, "votes_for": f, "votes_against": a, "votes_abstain": ab,
               "decided_on": timezone.localdate(),
               "status": VersionStatus.ADOPTED if adopted else VersionStatus.REJECTED}  # fmt: skip
    return services.update(actor, CharterVersion, v.pk, changes, perm=MANAGE,
                           note=_("表决通过") if adopted else _("表决未通过"))  # fmt: skip


@transaction.atomic
def publish_version(actor, version_pk) -> CharterVersion:
    """Publish an adopted version: in force for its period (checked again against the published
    ones); an earlier open-ended version ends the day before."""
    v = _version(actor, version_pk)
    if v.status != VersionStatus.ADOPTED:
        raise Conflict(_("第%(n)d版尚未表决通过，不能公布。") % {"n": v.number}, code="state")
    for old in check_period(v.charter, v.in_force_from, v.in_force_until, exclude=v.pk):
        services.update(actor, CharterVersion, old.pk, {"in_force_until": v.in_force_from - dt.timedelta(days=1)},
                        perm=MANAGE, note=_("由第%(n)d版取代") % {"n": v.number})  # fmt: skip
    v = services.update(actor, CharterVersion, v.pk, {"status": VersionStatus.PUBLISHED,
                        "published_on": timezone.localdate()}, perm=MANAGE, note=_("公布"))  # fmt: skip
    changelog.record(actor, Action.UPDATE, v.charter, after={"published": v.number})
    return v


def in_force(community, kind, on: dt.date | None = None, title: str | None = None) -> CharterVersion | None:
    """The version of the community's charter of `kind` (and `title`, if several) in force on `on`."""
    on = on or timezone.localdate()
    code = community if isinstance(community, str) else community.code
    qs = CharterVersion.objects.filter(
        charter__community__code=code, charter__kind=kind, status=VersionStatus.PUBLISHED,
        in_force_from__lte=on,
    ).exclude(in_force_until__lt=on)  # fmt: skip
    if title:
        qs = qs.filter(charter__title=title)
    return qs.select_related("charter").order_by("charter__title", "-number").first()
