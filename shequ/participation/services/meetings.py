"""Acts on meetings and resolutions: convening a meeting with its agenda, sign-in (the QR on the
wall or the staff's list, once per person), minutes and the views heard, the vote among those
present under the type's quorum and rule, 公示, follow-up steps with photos, completion and the
成效评议 of a later 民主评议会."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import attachments, changelog, qr, scope, services
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import Action, User
from shequ.core.services import get_visible, require
from shequ.org.models import ResidentOrganization
from shequ.participation.models import (
    MANAGE,
    AgendaItem,
    Attendance,
    FollowUp,
    Issue,
    IssueAction,
    IssueStatus,
    Meeting,
    MeetingType,
    OutcomeReview,
    Resolution,
    SignInMethod,
)
from shequ.participation.services.identity import Person, _active_residents, identify
from shequ.participation.services.issues import community_of, move

SIGN_IN_SALT = "participation.meeting-sign-in"
# Sign-in by QR is open from two hours before a meeting starts until twelve hours after.
OPEN_BEFORE, OPEN_AFTER = dt.timedelta(hours=2), dt.timedelta(hours=12)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _count(value, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _invalid(field, _("%(l)s应为不小于 0 的整数。") % {"l": label})
    return value


def _kind(value) -> MeetingType:
    text = str(value or "").strip()
    qs = MeetingType.objects.filter(active=True)
    found = qs.filter(pk=int(text)).first() if text.isdigit() else qs.filter(name=text).first()
    if found is None:
        raise _invalid(
            "kind", _("请选择会议类型：%(n)s。") % {"n": "、".join(qs.values_list("name", flat=True))}
        )
    return found


def _meeting(actor, pk, *, lock: bool = True) -> Meeting:
    m = get_visible(Meeting, actor, pk, for_update=lock)
    require(actor, MANAGE, m.scope_code)
    return m


def _agenda_issue(meeting: Meeting, issue_pk) -> Issue:
    issue = Issue.objects.select_for_update().filter(pk=issue_pk, community=meeting.community).first()
    if issue is None:
        raise _invalid("issue", _("所选议题不在本社区。"))
    return issue


@transaction.atomic
def create_meeting(actor, community_code: str, *, kind, title: str, starts_at, place: str, convener: str,
                   expected: int, invited: str = "", invited_orgs=(), issues=()) -> Meeting:  # fmt: skip
    """Convene a meeting of a community; the issues named go on its agenda (待上会 → 已上会)."""
    unit = community_of(community_code)
    if not scope.covers(actor, unit.code):
        raise NotFound()
    require(actor, MANAGE, unit.code)
    kind = _kind(kind)
    title = (title or "").strip() or f"{unit.display_name}{kind.name}"
    if not isinstance(starts_at, dt.datetime):
        raise _invalid("starts_at", _("请填写开始时间。"))
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    place, convener = (place or "").strip(), (convener or "").strip()
    if not place:
        raise _invalid("place", _("请填写会议地点。"))
    if not convener:
        raise _invalid("convener", _("请填写召集人。"))
    expected = _count(expected, "expected", _("应到人数"))
    if not 1 <= expected <= 10000:
        raise _invalid("expected", _("应到人数应在 1 到 10000 之间（%(l)s）。") % {"l": kind.expected_label})
    orgs = list(
        ResidentOrganization.objects.filter(pk__in=[int(o) for o in invited_orgs or ()], community=unit)
    )
    if len(orgs) != len(set(invited_orgs or ())):
        raise _invalid("invited_orgs", _("邀请的驻区单位须在本社区。"))
    lines = [ln.strip() for ln in (invited or "").splitlines() if ln.strip()]
    m = Meeting(community=unit, kind=kind, title=title[:100], starts_at=starts_at, place=place[:100],
                convener=convener[:50], expected=expected, invited="\n".join(lines)[:2000])  # fmt: skip
    m = services.create(actor, m, perm=MANAGE)
    m.invited_orgs.set(orgs)
    for pk in issues or ():
        add_to_agenda(actor, m.pk, pk)
    return m


@transaction.atomic
def add_to_agenda(actor, meeting_pk, issue_pk) -> AgendaItem:
    """Put a 待上会 issue of the meeting's community on its agenda."""
    m = _meeting(actor, meeting_pk)
    if m.held:
        raise Conflict(_("会议已召开，不能再增加议程。"), code="state")
    issue = _agenda_issue(m, issue_pk)
    if AgendaItem.objects.filter(meeting=m, issue=issue).exists():
        raise Conflict(_("“%(t)s”已在本次会议议程中。") % {"t": issue.title}, code="duplicate")
    move(issue, IssueAction.SCHEDULE, actor, note=m.title)
    position = (m.agenda.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    item = AgendaItem.objects.create(meeting=m, issue=issue, position=position)
    changelog.record(actor, Action.UPDATE, m, after={"agenda": issue.title})
    return item


@transaction.atomic
def remove_from_agenda(actor, meeting_pk, issue_pk) -> Issue:
    """Take an issue off a meeting's agenda before it is voted on (back to 待上会)."""
    m = _meeting(actor, meeting_pk)
    item = AgendaItem.objects.filter(meeting=m, issue_id=issue_pk).select_related("issue").first()
    if item is None:
        raise _invalid("issue", _("该议题不在本次会议议程中。"))
    if Resolution.objects.filter(meeting=m, issue_id=issue_pk).exists():
        raise Conflict(_("该议题已表决，不能移出议程。"), code="state")
    issue = Issue.objects.select_for_update().get(pk=issue_pk)
    item.delete()
    move(issue, IssueAction.UNSCHEDULE, actor, note=m.title)
    changelog.record(actor, Action.UPDATE, m, before={"agenda": issue.title}, after={"agenda": ""})
    return issue


# --- sign-in ---------------------------------------------------------------------------------------
def sign_in_token(meeting: Meeting) -> str:
    """The signed token of the meeting's sign-in link (the QR on the wall)."""
    return qr.link_code(SIGN_IN_SALT, meeting.pk)


def meeting_for_token(token: str) -> Meeting:
    """The meeting a sign-in link names (NotFound for a forged or damaged link)."""
    try:
        m = Meeting.objects.select_related("community", "kind").get(
            pk=int(qr.read_link_code(SIGN_IN_SALT, token))
        )
    except (TypeError, ValueError, Meeting.DoesNotExist):
        raise NotFound(_("签到链接无效，请重新扫描会场的二维码。")) from None
    return m


def sign_in_open(meeting: Meeting, now=None) -> bool:
    now = now or timezone.now()
    return meeting.starts_at - OPEN_BEFORE <= now <= meeting.starts_at + OPEN_AFTER


def _attend(meeting: Meeting, person: Person, method: str) -> Attendance:
    try:
        with transaction.atomic():
            return Attendance.objects.create(meeting=meeting, key=person.key, name=person.name[:50],
                                             resident=person.resident, user=person.user, method=method)  # fmt: skip
    except IntegrityError:
        raise Conflict(
            _("%(n)s已签到，同一会议只能签到一次。") % {"n": person.name}, code="duplicate"
        ) from None


@transaction.atomic
def sign_in_by_qr(user, token: str, *, name: str = "", last4: str = "") -> Attendance:
    """A resident signs in on their phone from the QR on the wall: signed in, or by name and the
    last four digits of their phone; once per meeting, while sign-in is open."""
    m = meeting_for_token(token)
    m = Meeting.objects.select_for_update().select_related("community").get(pk=m.pk)
    if not sign_in_open(m):
        raise Conflict(
            _("签到时间为会议开始前 2 小时至开始后 12 小时（本次会议 %(t)s 开始）。")
            % {"t": timezone.localtime(m.starts_at).strftime("%Y-%m-%d %H:%M")},
            code="closed",
        )
    person = identify(user, m.community.code, name=name, last4=last4)
    a = _attend(m, person, SignInMethod.QR)
    changelog.record(user if getattr(user, "pk", None) else None, Action.CREATE, a,
                     after={"meeting": m.title, "method": a.method}, scope_code=m.scope_code)  # fmt: skip
    return a


@transaction.atomic
def record_attendance(actor, meeting_pk, *, names) -> list[Attendance]:
    """The staff's list: people present, by name, one a line. A name that is one active resident
    of the community is that resident (so they cannot also sign in by QR); anyone else is counted
    under their name. A person signed in already is refused, naming them; nothing is written then."""
    m = _meeting(actor, meeting_pk)
    wanted = []
    for raw in names if isinstance(names, list | tuple) else str(names or "").splitlines():
        n = str(raw).strip()
        if n and n not in wanted:
            wanted.append(n[:50])
    if not wanted:
        raise _invalid("names", _("请填写出席人员姓名，每行一人。"))
    out = []
    for n in wanted:
        found = list(_active_residents(m.community.code).filter(name=n).only("pk", "name")[:2])
        person = Person(f"r:{found[0].pk}", n, resident=found[0]) if len(found) == 1 else Person(f"n:{n}", n)
        out.append(_attend(m, person, SignInMethod.LIST))
    changelog.record(actor, Action.UPDATE, m, after={"attendance_added": len(out)})
    return out


@transaction.atomic
def record_minutes(actor, meeting_pk, *, minutes: str, views: dict | None = None) -> Meeting:
    """会议纪要 and, per agenda issue, the views heard; the meeting counts as held from then on."""
    m = _meeting(actor, meeting_pk)
    minutes = (minutes or "").strip()
    if not minutes:
        raise _invalid("minutes", _("请填写会议纪要。"))
    if m.starts_at > timezone.now():
        raise Conflict(_("会议尚未开始，不能记录纪要。"), code="state")
    items = {str(i.pk): i for i in m.agenda.all()}
    for key, text in (views or {}).items():
        item = items.get(str(key))
        if item is None:
            raise _invalid("views", _("意见须针对本次会议议程中的议题。"))
        item.views = (text or "").strip()[:4000]
        item.save(update_fields=["views"])
    return services.update(actor, Meeting, m.pk, {"minutes": minutes[:20000], "held": True}, perm=MANAGE)


# --- resolutions -----------------------------------------------------------------------------------
def _owner(actor, m: Meeting, owner_user, owner_unit: str):
    user = None
    if owner_user not in (None, ""):
        from shequ.core.models import Membership
        from shequ.core.roles import Role

        user = User.objects.filter(pk=owner_user).first() if str(owner_user).isdigit() else None
        ok = (
            user is not None
            and Membership.objects.active()
            .filter(
                user=user, org__code=m.community.code, role__in=(Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER)
            )
            .exists()
        )
        if not ok:
            raise _invalid("owner_user", _("责任人须为本社区的工作人员。"))
    return user, (owner_unit or "").strip()[:100]


@transaction.atomic
def vote_resolution(actor, meeting_pk, issue_pk, *, text: str, votes_for: int, votes_against: int,
                    votes_abstain: int, owner_user=None, owner_unit: str = "", deadline=None) -> Resolution:  # fmt: skip
    """Record the vote on an agenda issue among those signed in. Refused above those present or
    without the type's quorum (with the numbers); adopted by the type's rule (the issue then has a
    resolution; else it goes back to 待上会)."""
    m = _meeting(actor, meeting_pk)
    kind = m.kind
    item = AgendaItem.objects.filter(meeting=m, issue_id=issue_pk).first()
    if item is None:
        raise _invalid("issue", _("该议题不在本次会议议程中，请先列入议程。"))
    if m.starts_at > timezone.now():
        raise Conflict(_("会议尚未开始，不能表决。"), code="state")
    text = (text or "").strip()
    if not text:
        raise _invalid("text", _("请填写决议内容。"))
    f = _count(votes_for, "votes_for", _("赞成票"))
    a = _count(votes_against, "votes_against", _("反对票"))
    ab = _count(votes_abstain, "votes_abstain", _("弃权票"))
    present = m.attendance.count()
    if f + a + ab > present:
        msg = _("赞成 %(f)d + 反对 %(a)d + 弃权 %(b)d = %(s)d 票，超过签到出席的 %(p)d 人，请核对票数。") % {
            "f": f, "a": a, "b": ab, "s": f + a + ab, "p": present,
        }  # fmt: skip
        raise ValidationFailed(msg, code="votes_above_present", details={"votes_for": [msg]})
    if not kind.quorum_met(present, m.expected):
        msg = _("签到出席 %(p)d 人，应到 %(e)d 人，未达到%(k)s的法定人数（%(r)s），不能表决。") % {
            "p": present, "e": m.expected, "k": kind.name, "r": kind.quorum_label,
        }  # fmt: skip
        raise Conflict(msg, code="no_quorum", details={"present": present, "expected": m.expected})
    if Resolution.objects.filter(meeting=m, issue_id=issue_pk).exists():
        raise Conflict(_("本次会议已就该议题表决过。"), code="duplicate")
    adopted = kind.adopted(f, present)
    user, unit = _owner(actor, m, owner_user, owner_unit)
    if adopted:
        if user is None and not unit:
            raise _invalid("owner_unit", _("决议通过后须明确责任人或责任单位。"))
        if not isinstance(deadline, dt.date):
            raise _invalid("deadline", _("决议通过后须填写完成时限。"))
        if deadline < m.day:
            raise _invalid("deadline", _("完成时限不能早于会议日期。"))
    issue = _agenda_issue(m, issue_pk)
    r = Resolution(meeting=m, issue=issue, text=text, present=present, votes_for=f, votes_against=a,
                   votes_abstain=ab, adopted=adopted, owner_user=user, owner_unit=unit,
                   deadline=deadline if adopted else None, decided_on=timezone.localdate())  # fmt: skip
    r = services.create(actor, r, perm=MANAGE)
    note = _("赞成 %(f)d，反对 %(a)d，弃权 %(b)d，出席 %(p)d") % {"f": f, "a": a, "b": ab, "p": present}
    move(issue, IssueAction.RESOLVE if adopted else IssueAction.RETURN, actor, note=note)
    return r


def _resolution(actor, pk) -> Resolution:
    r = get_visible(Resolution, actor, pk, for_update=True)
    require(actor, MANAGE, r.scope_code)
    if not r.adopted:
        raise Conflict(_("该决议未获通过，无需公示和落实。"), code="state")
    return r


@transaction.atomic
def publish_resolution(actor, pk, *, days: int) -> Resolution:
    """公示: the resolution, its vote totals and its progress on the community's public page."""
    r = _resolution(actor, pk)
    days = _count(days, "days", _("公示天数"))
    if not 1 <= days <= 90:
        raise _invalid("days", _("公示天数应在 1 到 90 天之间。"))
    return services.update(actor, Resolution, r.pk, {"published_on": timezone.localdate(), "publish_days": days},
                           perm=MANAGE, note=_("公示"))  # fmt: skip


@transaction.atomic
def add_follow_up(actor, pk, *, on, text: str, photos=()) -> FollowUp:
    """A step taken to carry the resolution out (the issue is 落实中 from the first one)."""
    r = _resolution(actor, pk)
    if r.completed_on is not None:
        raise Conflict(_("决议已于 %(d)s 落实完成。") % {"d": r.completed_on.isoformat()}, code="state")
    if not isinstance(on, dt.date) or on > timezone.localdate() or on < r.decided_on:
        raise _invalid("on", _("日期应在表决日期（%(d)s）与今天之间。") % {"d": r.decided_on.isoformat()})
    text = (text or "").strip()
    if not text:
        raise _invalid("text", _("请填写落实情况。"))
    cleaned = attachments.clean_photos(photos or ())
    step = FollowUp.objects.create(resolution=r, on=on, text=text[:1000], recorded_by=str(actor)[:150])
    if cleaned:
        attachments.attach(step, r.scope_code, cleaned, actor)
    issue = Issue.objects.select_for_update().get(pk=r.issue_id)
    if issue.status == IssueStatus.RESOLVED:
        move(issue, IssueAction.IMPLEMENT, actor, note=text[:100])
    changelog.record(actor, Action.CREATE, step, after={"on": on.isoformat(), "text": text[:200],
                     "photos": len(cleaned)}, scope_code=r.scope_code)  # fmt: skip
    return step


@transaction.atomic
def complete_resolution(actor, pk, *, on, note: str = "") -> Resolution:
    """落实完成: the resolution is carried out; its issue is 已办结."""
    r = _resolution(actor, pk)
    if r.completed_on is not None:
        raise Conflict(_("决议已于 %(d)s 落实完成。") % {"d": r.completed_on.isoformat()}, code="state")
    if not isinstance(on, dt.date) or on > timezone.localdate() or on < r.decided_on:
        raise _invalid("on", _("日期应在表决日期（%(d)s）与今天之间。") % {"d": r.decided_on.isoformat()})
    issue = Issue.objects.select_for_update().get(pk=r.issue_id)
    move(issue, IssueAction.COMPLETE, actor, note=(note or "").strip()[:300])
    Issue.objects.filter(pk=issue.pk).update(done_on=on)
    return services.update(actor, Resolution, r.pk, {"completed_on": on, "completion_note": (note or "").strip()[:500]},
                           perm=MANAGE, note=_("落实完成"))  # fmt: skip


@transaction.atomic
def review_outcome(
    actor, meeting_pk, resolution_pk, *, satisfied: int, basic: int, unsatisfied: int
) -> OutcomeReview:
    """成效评议 at a 民主评议会: how many of those present were satisfied with what a resolution
    achieved (refused above those present; once per resolution)."""
    m = _meeting(actor, meeting_pk)
    if not m.kind.rates_outcomes:
        raise Conflict(_("成效评议须在民主评议会上进行（本次为%(k)s）。") % {"k": m.kind.name}, code="state")
    r = get_visible(Resolution, actor, resolution_pk, for_update=True)
    if r.scope_code != m.scope_code or not r.adopted:
        raise _invalid("resolution", _("请选择本社区已通过的决议。"))
    if r.meeting_id == m.pk:
        raise _invalid("resolution", _("成效评议须在作出决议之后的会议上进行。"))
    if not (r.completed_on or r.follow_ups.exists()):
        raise Conflict(_("该决议尚无落实情况，暂不能评议成效。"), code="state")
    s = _count(satisfied, "satisfied", _("满意"))
    b = _count(basic, "basic", _("基本满意"))
    u = _count(unsatisfied, "unsatisfied", _("不满意"))
    present = m.attendance.count()
    if s + b + u > present:
        msg = _("满意 %(s)d + 基本满意 %(b)d + 不满意 %(u)d = %(t)d，超过签到出席的 %(p)d 人。") % {
            "s": s, "b": b, "u": u, "t": s + b + u, "p": present,
        }  # fmt: skip
        raise ValidationFailed(msg, code="votes_above_present", details={"satisfied": [msg]})
    if s + b + u == 0:
        raise _invalid("satisfied", _("请填写评议结果。"))
    if OutcomeReview.objects.filter(resolution=r).exists():
        raise Conflict(_("该决议已评议过成效。"), code="duplicate")
    review = OutcomeReview.objects.create(resolution=r, meeting=m, satisfied=s, basic=b, unsatisfied=u)
    changelog.record(actor, Action.CREATE, review, after={"satisfied": s, "basic": b, "unsatisfied": u},
                     scope_code=r.scope_code)  # fmt: skip
    return review
