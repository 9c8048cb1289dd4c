"""Acts on activities: organising one (a team or the community; the place a room of the facilities
module through the core places registry, or free text), sign-up on a phone with a waiting list that
moves up on cancellation, volunteer shifts, check-in by the QR at the door (the core daily code) or
from the staff's list, the report with photos, residents' ratings, and the volunteers' hours the
organiser confirms for those who attended.

Race safety: the activity row is locked (select_for_update) before places are counted, and a unique
constraint on (activity, person) stands behind every sign-up, check-in and rating, so two taps at
the same moment give one row and a reason for the other."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import dateparse, timezone
from django.utils.translation import gettext as _

from shequ.core import attachments, changelog, qr, registry, scope, services
from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.core.services import get_visible, require
from shequ.teams.models import (
    HOLDING,
    MANAGE,
    Activity,
    ActivityKind,
    ActivityStatus,
    CheckIn,
    CheckInMethod,
    OrganiserKind,
    Rating,
    ServiceHours,
    Shift,
    ShiftSignup,
    Signup,
    SignupStatus,
    Team,
    TeamStatus,
    Volunteer,
    VolunteerStatus,
)
from shequ.teams.services.common import choice, invalid, lives_in, org_at, person_key, text

DOOR_SALT = "shequ.teams.activity-door"
CHECK_IN_EARLY = dt.timedelta(hours=1)  # the door code admits people this long before the start
PASS_SALT = "shequ.teams.activity-pass"
SCAN_LATE = dt.timedelta(hours=24)  # a scanner offline longer than this has its scans refused
SCANS_MAX = 200  # scans one sync may carry
MAX_HOURS = 24


def _moment(value, field: str, label: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise invalid(field, _("%(l)s应为日期时间，如 2026-03-01 09:00。") % {"l": label}) from None
    if not isinstance(value, dt.datetime):
        raise invalid(field, _("请填写%(l)s。") % {"l": label})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _capacity(value):
    if value in (None, "", 0):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100000:
        raise invalid("capacity", _("人数上限应为 1 到 100000 的整数；不限人数请留空。"))
    return value


def activity_for_staff(actor, pk, *, lock: bool = True) -> Activity:
    a = get_visible(Activity, actor, pk, for_update=lock)
    require(actor, MANAGE, a.scope_code)
    return a


def _organiser(actor, org, kind, pk) -> tuple[str, str]:
    """(organiser_ref, name) of a unit in the area or a Party organisation in the activity's place."""
    from shequ.org.models import ResidentOrganization
    from shequ.teams.models import PartyOrg

    model, field, prefix, message = (
        (ResidentOrganization, "unit", "unit", _("请选择本社区（街道）的驻区单位作为组织方。"))
        if kind == OrganiserKind.UNIT
        else (PartyOrg, "party_org", "party", _("请选择本社区（街道）的党组织作为组织方。"))
    )
    row = model.objects.visible_to(actor).filter(pk=pk if str(pk or "").isdigit() else 0).first()
    if row is None or not (row.scope_code.startswith(org.code) or org.code.startswith(row.scope_code)):
        raise invalid(field, message)
    return f"{prefix}:{row.pk}", row.name


@transaction.atomic
def create_activity(actor, org_code: str, *, title: str, kind, starts_at, ends_at, organiser_kind=OrganiserKind.COMMUNITY,
                    team=None, unit=None, party_org=None, facility=None, place: str = "", capacity=None,
                    description: str = "", signup_open: bool = True, public: bool = True) -> Activity:  # fmt: skip
    """Organise an activity of a community or a street: by the community itself, one of its teams,
    a unit in the area or a Party organisation of the chain."""
    org = org_at(actor, org_code, MANAGE)
    organiser_kind = choice(OrganiserKind, organiser_kind, "organiser_kind", _("组织方类别"))
    team_row, organiser_ref = None, ""
    if organiser_kind == OrganiserKind.TEAM:
        team_row = Team.objects.visible_to(actor).filter(pk=team if str(team or "").isdigit() else 0).first()
        if team_row is None or not (
            org.code.startswith(team_row.scope_code) or team_row.scope_code.startswith(org.code)
        ):
            raise invalid("team", _("请选择本社区（街道）的队伍作为组织方。"))
        if team_row.status == TeamStatus.DISSOLVED:
            raise invalid("team", _("“%(t)s”已解散，不能再组织活动。") % {"t": team_row.name})
        organiser_name = team_row.name
    elif organiser_kind in (OrganiserKind.UNIT, OrganiserKind.PARTY):
        organiser_ref, organiser_name = _organiser(
            actor, org, organiser_kind, unit if organiser_kind == OrganiserKind.UNIT else party_org
        )
    else:
        organiser_name = org.display_name
    starts_at, ends_at = (
        _moment(starts_at, "starts_at", _("开始时间")),
        _moment(ends_at, "ends_at", _("结束时间")),
    )
    if ends_at <= starts_at:
        raise invalid("ends_at", _("结束时间应晚于开始时间。"))
    if ends_at - starts_at > dt.timedelta(days=7):
        raise invalid("ends_at", _("一次活动最长 7 天；更长的请分次登记。"))
    capacity = _capacity(capacity)
    facility_ref = None
    if facility not in (None, ""):
        found = registry.place(actor, facility)
        if found is None or not (
            found["scope_code"].startswith(org.code) or org.code.startswith(found["scope_code"][:9])
        ):
            raise invalid("facility", _("请选择本社区（街道）的阵地场地，或在“地点”中填写其他地点。"))
        facility_ref, place = found["id"], found["name"]
        if found.get("capacity") and capacity and capacity > found["capacity"]:
            raise invalid(
                "capacity", _("“%(f)s”最多容纳 %(n)d 人。") % {"f": found["name"], "n": found["capacity"]}
            )
    place = text(place, "place", _("地点"), 100, required=True)
    a = Activity(org=org, organiser_kind=organiser_kind, team=team_row, organiser_name=organiser_name[:80], organiser_ref=organiser_ref,
                 kind=choice(ActivityKind, kind, "kind", _("活动类别")), title=text(title, "title", _("活动名称"), 100, required=True),
                 description=text(description, "description", _("活动内容"), 4000), starts_at=starts_at, ends_at=ends_at,
                 facility_ref=facility_ref, place=place, capacity=capacity, signup_open=bool(signup_open),
                 public=bool(public), door_key=qr.new_key(), created_by=actor)  # fmt: skip
    return services.create(actor, a, perm=MANAGE)


@transaction.atomic
def cancel_activity(actor, pk, *, reason: str) -> Activity:
    """Cancel an activity (saying why); its sign-ups stand cancelled with it."""
    a = activity_for_staff(actor, pk)
    if a.cancelled:
        raise Conflict(_("活动已取消。"), code="cancelled")
    if a.ends_at <= timezone.now():
        raise Conflict(_("活动已经结束，不能取消。"), code="ended")
    reason = text(reason, "reason", _("取消原因"), 200, required=True)
    Signup.objects.filter(activity=a, status__in=HOLDING).update(
        status=SignupStatus.CANCELLED, changed_at=timezone.now()
    )
    return services.update(actor, Activity, a.pk, {"status": ActivityStatus.CANCELLED, "cancel_reason": reason},
                           perm=MANAGE, note=reason)  # fmt: skip


# --- sign-up ----------------------------------------------------------------------------------------
def _locked(pk) -> Activity:
    a = (
        Activity.objects.select_for_update()
        .filter(pk=pk if str(pk or "").isdigit() else 0)
        .select_related("org")
        .first()
    )
    if a is None:
        raise NotFound()
    return a


def signable(user, pk) -> Activity:
    """An activity the user may sign up for: a public one, or one they may see."""
    a = Activity.objects.filter(pk=pk if str(pk or "").isdigit() else 0).first()
    if a is None or not (a.public or Activity.objects.visible_to(user).filter(pk=a.pk).exists()):
        raise NotFound()
    return a


@transaction.atomic
def sign_up(user, pk) -> Signup:
    """A signed-in resident (or volunteer) signs up on their phone: confirmed while places last,
    then on the waiting list. A second sign-up of the same person is refused."""
    if not user or not user.is_authenticated:
        raise Forbidden(_("请先登录后再报名。"))
    signable(user, pk)
    a = _locked(pk)
    if a.cancelled:
        raise Conflict(_("活动已取消，不能报名。"), code="cancelled")
    if not a.signup_open:
        raise Conflict(_("本次活动不接受报名，请直接到场参加或联系组织方。"), code="closed")
    if a.starts_at <= timezone.now():
        raise Conflict(_("活动已经开始，报名已截止。"), code="started")
    if not (lives_in(user, a.scope_code) or scope.covers(user, a.scope_code)):
        raise Forbidden(_("本次活动面向%(o)s居民，请报名本社区的活动。") % {"o": a.org.display_name})
    key, resident, name = person_key(user, a.scope_code)
    if Signup.objects.filter(activity=a, key=key, status__in=HOLDING).exists():
        raise Conflict(_("您已报名本次活动，无需重复报名。"), code="duplicate")
    taken = Signup.objects.filter(activity=a, status=SignupStatus.CONFIRMED).count()
    status = SignupStatus.CONFIRMED if a.capacity is None or taken < a.capacity else SignupStatus.WAITING
    try:
        with transaction.atomic():
            s = Signup.objects.create(
                activity=a, key=key, resident=resident, user=user, name=name, status=status
            )
    except IntegrityError:
        raise Conflict(_("您已报名本次活动，无需重复报名。"), code="duplicate") from None
    changelog.record(user, Action.CREATE, s, after={"activity": a.title, "status": s.get_status_display()},
                     scope_code=a.scope_code)  # fmt: skip
    return s


def waiting_position(s: Signup) -> int | None:
    if s.status != SignupStatus.WAITING:
        return None
    return Signup.objects.filter(activity_id=s.activity_id, status=SignupStatus.WAITING, created_at__lte=s.created_at,
                                 id__lte=s.id).count()  # fmt: skip


@transaction.atomic
def cancel_signup(user, signup_pk) -> Signup:
    """Withdraw a sign-up (the person, or the organiser); the first on the waiting list moves up."""
    s = Signup.objects.visible_to(user).filter(pk=signup_pk if str(signup_pk or "").isdigit() else 0).first()
    if s is None:
        raise NotFound()
    a = _locked(s.activity_id)
    s = Signup.objects.select_for_update().get(pk=s.pk)
    if s.user_id != user.pk and not scope.covers(user, a.scope_code, MANAGE):
        raise Forbidden()
    if s.status == SignupStatus.CANCELLED:
        raise Conflict(_("这条报名已取消。"), code="cancelled")
    if a.starts_at <= timezone.now():
        raise Conflict(_("活动已经开始，不能再取消报名。"), code="started")
    was = s.status
    s.status = SignupStatus.CANCELLED
    s.save(update_fields=["status", "changed_at"])
    moved = None
    if was == SignupStatus.CONFIRMED:
        moved = (
            Signup.objects.select_for_update()
            .filter(activity=a, status=SignupStatus.WAITING)
            .order_by("created_at", "id")
            .first()
        )
        if moved is not None:
            moved.status = SignupStatus.CONFIRMED
            moved.save(update_fields=["status", "changed_at"])
    changelog.record(user, Action.UPDATE, s, before={"status": str(SignupStatus(was).label)},
                     after={"status": s.get_status_display(), "moved_up": moved.name if moved else ""},
                     scope_code=a.scope_code)  # fmt: skip
    return s


# --- volunteer shifts -------------------------------------------------------------------------------
@transaction.atomic
def add_shift(actor, pk, *, role: str, starts_at, ends_at, slots: int = 1) -> Shift:
    a = activity_for_staff(actor, pk)
    if a.cancelled:
        raise Conflict(_("活动已取消。"), code="cancelled")
    starts_at, ends_at = (
        _moment(starts_at, "starts_at", _("上岗时间")),
        _moment(ends_at, "ends_at", _("下岗时间")),
    )
    if ends_at <= starts_at:
        raise invalid("ends_at", _("下岗时间应晚于上岗时间。"))
    if isinstance(slots, bool) or not isinstance(slots, int) or not 1 <= slots <= 500:
        raise invalid("slots", _("需要人数应为 1 到 500 的整数。"))
    sh = Shift.objects.create(activity=a, role=text(role, "role", _("岗位"), 30, required=True), starts_at=starts_at,
                              ends_at=ends_at, slots=slots)  # fmt: skip
    changelog.record(actor, Action.UPDATE, a, after={"shift": f"{sh.role} ×{sh.slots}"})
    return sh


def volunteer_of(user) -> Volunteer | None:
    """The signed-in person's volunteer record: by their account, or — the first time — by the
    registry resident their account's phone finds in their community (the account is then linked)."""
    if not user or not user.is_authenticated:
        return None
    v = Volunteer.objects.filter(user=user).select_related("resident").first()
    if v is not None:
        return v
    from shequ.teams.services.common import resident_of_user

    for code in sorted(
        {m.scope_code[:12] for m in scope.memberships(user) if m.role == "resident" and m.scope_code}
    ):
        r = resident_of_user(user, code)
        if r is not None:
            v = Volunteer.objects.filter(resident=r, user__isnull=True).select_related("resident").first()
            if v is not None:
                Volunteer.objects.filter(pk=v.pk, user__isnull=True).update(user=user)
                v.user = user
                return v
    return None


@transaction.atomic
def take_shift(user, shift_pk) -> ShiftSignup:
    """A registered volunteer takes a place in a shift, while places last."""
    v = volunteer_of(user)
    if v is None or v.status != VolunteerStatus.ACTIVE:
        raise Forbidden(_("报名志愿岗位须先注册为志愿者（在“我的活动”中注册，或到社区居委会登记）。"))
    sh = Shift.objects.filter(pk=shift_pk if str(shift_pk or "").isdigit() else 0).first()
    if sh is None:
        raise NotFound()
    a = _locked(sh.activity_id)
    if not (a.public or Activity.objects.visible_to(user).filter(pk=a.pk).exists()):
        raise NotFound()
    if a.cancelled or a.starts_at <= timezone.now():
        raise Conflict(_("活动已取消或已经开始，不能再报名岗位。"), code="closed")
    if ShiftSignup.objects.filter(shift=sh, volunteer=v).exists():
        raise Conflict(_("您已报名这个岗位。"), code="duplicate")
    if ShiftSignup.objects.filter(shift=sh).count() >= sh.slots:
        raise Conflict(_("“%(r)s”岗位已满。") % {"r": sh.role}, code="full")
    try:
        with transaction.atomic():
            t = ShiftSignup.objects.create(shift=sh, volunteer=v)
    except IntegrityError:
        raise Conflict(_("您已报名这个岗位。"), code="duplicate") from None
    changelog.record(user, Action.CREATE, t, after={"shift": sh.role}, scope_code=a.scope_code)
    return t


# --- check-in ---------------------------------------------------------------------------------------
def door_token(a: Activity, on: dt.date | None = None) -> str:
    """Today's code at the activity's entrance (the core daily code; renewing the key voids it)."""
    return qr.daily_code(DOOR_SALT, a.pk, a.door_key, on)


def read_door_token(token: str) -> Activity:
    bad = ValidationFailed(_("签到码无效或已过期，请扫描活动现场今天的二维码。"), code="bad_door_code")
    found = qr.read_daily_code(DOOR_SALT, token)
    if found is None or not found[0].isdigit():
        raise bad
    a = Activity.objects.filter(pk=int(found[0]), door_key=found[1]).select_related("org").first()
    if a is None:
        raise bad
    return a


def _admit(a: Activity, now, *, keys=(), arriving: int = 1) -> None:
    """Refusals every check-in shares: a cancelled activity, outside its hours, a person checked in
    already, a full activity (in that order: someone already in is told so, not that it is full)."""
    if a.cancelled:
        raise Conflict(_("活动已取消，不能签到。"), code="cancelled")
    if now < a.starts_at - CHECK_IN_EARLY or now > a.ends_at:
        raise Conflict(_("签到时间为活动开始前 1 小时至活动结束（本次活动 %(s)s 至 %(e)s）。")
                       % {"s": timezone.localtime(a.starts_at).strftime("%m-%d %H:%M"),
                          "e": timezone.localtime(a.ends_at).strftime("%m-%d %H:%M")}, code="closed")  # fmt: skip
    twice = (
        CheckIn.objects.filter(activity=a, key__in=[k for k, _n in keys])
        .values_list("key", flat=True)
        .first()
    )
    if twice:
        name = dict(keys)[twice]
        raise Conflict(_("%(n)s已签到，同一活动只能签到一次。") % {"n": name}, code="duplicate")
    if a.capacity is not None and CheckIn.objects.filter(activity=a).count() + arriving > a.capacity:
        raise Conflict(_("活动人数已满（上限 %(n)d 人），不能再签到。") % {"n": a.capacity}, code="full")


def _check_in(a, key, resident, user, name, method) -> CheckIn:
    try:
        with transaction.atomic():
            return CheckIn.objects.create(
                activity=a, key=key, resident=resident, user=user, name=name, method=method
            )
    except IntegrityError:
        raise Conflict(_("%(n)s已签到，同一活动只能签到一次。") % {"n": name}, code="duplicate") from None


@transaction.atomic
def check_in_by_qr(user, token: str) -> CheckIn:
    """A signed-in person checks in on their phone from today's code at the entrance."""
    if not user or not user.is_authenticated:
        raise Forbidden(_("请先登录后再签到。"))
    a = _locked(read_door_token(token).pk)
    if not (a.public or Activity.objects.visible_to(user).filter(pk=a.pk).exists()):
        raise NotFound()
    key, resident, name = person_key(user, a.scope_code)
    _admit(a, timezone.now(), keys=[(key, name)])
    c = _check_in(a, key, resident, user, name, CheckInMethod.QR)
    changelog.record(user, Action.CREATE, c, after={"activity": a.title, "method": c.get_method_display()},
                     scope_code=a.scope_code)  # fmt: skip
    return c


# --- the staff scanner: a resident's pass read at the door, also while briefly offline ---------------
def pass_code(s: Signup) -> str:
    """A confirmed sign-up's pass (入场码), shown on the resident's phone and read by the staff's
    scanner: `<activity>.<sign-up>` signed, so an offline scanner can already name the person."""
    return qr.record_code(PASS_SALT, s.activity_id, s.pk)


def _scan_time(at, now):
    """When the scanner read a pass: its own clock, never in the future, at most a day back."""
    if at in (None, ""):
        return now
    if isinstance(at, str):
        try:
            at = dateparse.parse_datetime(at[:40])
        except ValueError:
            at = None
        if at is None:
            raise invalid("at", _("扫码时间格式不对，应为 ISO 8601 时间（如 2026-12-07T09:30:00+08:00）。"))
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at < now - SCAN_LATE:
        raise Conflict(
            _("这条扫码记录已超过 24 小时未上传，不再计入签到；请改用名单签到补录。"), code="stale_scan"
        )
    return min(at, now)


@transaction.atomic
def check_in_by_pass(actor, pk, code: str, *, at=None) -> tuple[CheckIn, bool]:
    """The staff's scanner reads a resident's pass at the door of activity `pk` (at `at`, when the
    scanner was offline). Returns (check-in, new): the same pass read twice, or sent again by a
    scanner that lost its connection mid-sync, finds the check-in already there."""
    a = activity_for_staff(actor, pk)
    parts = qr.read_record_code(PASS_SALT, code, 2)
    if parts is None or not all(p.isdigit() for p in parts):
        raise invalid("code", _("这不是本平台的活动入场码，请让居民打开报名页面出示入场码。"))
    if int(parts[0]) != a.pk:
        raise Conflict(_("这是其他活动的入场码，请核对居民报名的活动。"), code="other_activity")
    s = Signup.objects.filter(pk=int(parts[1]), activity=a).first()
    if s is None or s.status == SignupStatus.CANCELLED:
        raise Conflict(
            _("该报名已取消，入场码作废；如需参加请重新报名或由工作人员名单签到。"), code="cancelled_signup"
        )
    if s.status == SignupStatus.WAITING:
        raise Conflict(
            _("%(n)s在候补名单中，尚未获得名额；有空位时请用名单签到。") % {"n": s.name}, code="waiting"
        )
    done = CheckIn.objects.filter(activity=a, key=s.key).first()
    if done is not None:
        return done, False
    when = _scan_time(at, timezone.now())
    _admit(a, when, keys=[(s.key, s.name)])
    c = _check_in(a, s.key, s.resident, s.user, s.name, CheckInMethod.PASS)
    if when != c.at:
        CheckIn.objects.filter(pk=c.pk).update(at=when)
        c.at = when
    changelog.record(actor, Action.CREATE, c, after={"activity": a.title, "method": c.get_method_display()},
                     scope_code=a.scope_code)  # fmt: skip
    return c, True


def sync_scans(actor, pk, scans) -> list[dict]:
    """A scanner's queue, each scan on its own (one refused pass does not hold back the others):
    [{"id", "code", "at"}] → [{"id", "status": in|again|refused, "name", "message"}]."""
    activity_for_staff(actor, pk, lock=False)  # the scanner's right to this activity, once
    scans = list(scans or ())
    if len(scans) > SCANS_MAX:
        raise invalid("scans", _("一次最多上传 %(n)d 条扫码记录，请分批上传。") % {"n": SCANS_MAX})
    out = []
    for scan in scans:
        row = {"id": str(scan.get("id") or "")[:40], "name": "", "message": ""}
        try:
            c, new = check_in_by_pass(actor, pk, scan.get("code") or "", at=scan.get("at"))
        except DomainError as exc:
            row.update(status="refused", message=exc.message)
        else:
            row.update(status="in" if new else "again", name=c.name,
                       message="" if new else _("%(n)s已签到（%(t)s），无需重复扫码。")
                       % {"n": c.name, "t": timezone.localtime(c.at).strftime("%H:%M")})  # fmt: skip
        out.append(row)
    return out


@transaction.atomic
def check_in_from_list(actor, pk, *, signups=(), names=()) -> list[CheckIn]:
    """The staff's list: the sign-ups ticked and names typed (a resident of the community by a
    unique name, otherwise counted under the name). One refusal refuses the whole list."""
    a = activity_for_staff(actor, pk)
    from shequ.teams.services.common import active_residents

    people = []
    for s in Signup.objects.filter(
        activity=a, pk__in=[int(x) for x in signups or () if str(x).isdigit()], status__in=HOLDING
    ):
        people.append((s.key, s.resident, s.user, s.name))
    for raw in names or ():
        n = str(raw).strip()[:50]
        if not n:
            continue
        found = list(active_residents(a.scope_code).filter(name=n).only("pk", "name")[:2])
        people.append(
            (f"r:{found[0].pk}", found[0], None, n) if len(found) == 1 else (f"n:{n}", None, None, n)
        )
    if not people:
        raise invalid("names", _("请勾选报名人员或填写到场人员姓名。"))
    _admit(a, timezone.now(), keys=[(k, n) for k, _r, _u, n in people], arriving=len(people))
    out = [_check_in(a, key, r, u, n, CheckInMethod.LIST) for key, r, u, n in people]
    changelog.record(actor, Action.UPDATE, a, after={"checked_in": len(out)})
    return out


# --- hours, report, rating --------------------------------------------------------------------------
def _hours(value, a: Activity) -> Decimal:
    try:
        h = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise invalid("hours", _("服务时长应为数字（小时，可有一位小数）。")) from None
    longest = max(a.duration_hours, Decimal("0.5"))
    if h <= 0 or h > min(longest + Decimal("2"), MAX_HOURS):
        raise invalid("hours", _("服务时长应大于 0，且不超过活动时长加 2 小时（本次最多 %(n)s 小时）。")
                      % {"n": min(longest + 2, MAX_HOURS)})  # fmt: skip
    return h


@transaction.atomic
def confirm_hours(actor, pk, volunteer_pk, *, hours, role: str = "") -> ServiceHours:
    """The organiser confirms a volunteer's hours at an activity the volunteer attended (checked in).
    Hours for someone who did not attend are refused; hours once confirmed are not confirmed twice."""
    a = activity_for_staff(actor, pk)
    if a.cancelled:
        raise Conflict(_("活动已取消，不能确认服务时长。"), code="cancelled")
    if a.starts_at > timezone.now():
        raise Conflict(_("活动尚未开始，不能确认服务时长。"), code="not_started")
    v = Volunteer.objects.visible_to(actor).filter(
        pk=volunteer_pk if str(volunteer_pk or "").isdigit() else 0
    )
    v = v.select_related("resident").first()
    if v is None:
        raise invalid("volunteer", _("请选择已注册的志愿者。"))
    keys = [f"r:{v.resident_id}"] + ([f"u:{v.user_id}"] if v.user_id else [])
    if not CheckIn.objects.filter(activity=a, key__in=keys).exists():
        raise Conflict(_("%(n)s没有本次活动的签到记录，不能确认服务时长；请先核实其是否到场，到场的请在签到名单中补签。")
                       % {"n": v.resident.name}, code="not_attended", details={"volunteer": [_("未签到")]})  # fmt: skip
    h = _hours(hours, a)
    role = text(role, "role", _("服务岗位"), 30)
    if not role:
        role = (
            ShiftSignup.objects.filter(shift__activity=a, volunteer=v)
            .values_list("shift__role", flat=True)
            .first()
            or ""
        )
    try:
        with transaction.atomic():
            row = ServiceHours.objects.create(activity=a, volunteer=v, role=role, hours=h, confirmed_by=actor)
    except IntegrityError:
        raise Conflict(
            _("%(n)s本次活动的服务时长已确认。") % {"n": v.resident.name}, code="duplicate"
        ) from None
    changelog.record(
        actor,
        Action.CREATE,
        row,
        after={"volunteer": v.resident.name, "hours": str(h)},
        scope_code=a.scope_code,
    )
    return row


@transaction.atomic
def record_report(actor, pk, *, report: str, photos=()) -> Activity:
    """The short report after the activity, with photos."""
    a = activity_for_staff(actor, pk)
    if a.cancelled:
        raise Conflict(_("活动已取消。"), code="cancelled")
    if a.starts_at > timezone.now():
        raise Conflict(_("活动尚未开始，不能填写小结。"), code="not_started")
    report = text(report, "report", _("活动小结"), 4000, required=True)
    cleaned = attachments.clean_photos(photos or ())
    a = services.update(actor, Activity, a.pk, {"report": report, "reported_at": timezone.now()}, perm=MANAGE)
    if cleaned:
        attachments.attach(a, a.scope_code, cleaned, actor)
    return a


@transaction.atomic
def rate(user, pk, *, score, comment: str = "") -> Rating:
    """A resident who attended rates the activity (1–5), once."""
    if not user or not user.is_authenticated:
        raise Forbidden(_("请先登录后再评价。"))
    a = signable(user, pk)
    if a.cancelled or a.starts_at > timezone.now():
        raise Conflict(_("活动开始后才能评价。"), code="not_started")
    if isinstance(score, bool) or str(score) not in {"1", "2", "3", "4", "5"}:
        raise invalid("score", _("请选择 1 到 5 星。"))
    key, _r, _n = person_key(user, a.scope_code)
    if not CheckIn.objects.filter(activity=a, key=key).exists():
        raise Forbidden(_("只有签到参加了本次活动的居民才能评价。"))
    try:
        with transaction.atomic():
            r = Rating.objects.create(
                activity=a, key=key, score=int(score), comment=text(comment, "comment", _("意见"), 200)
            )
    except IntegrityError:
        raise Conflict(_("您已评价过本次活动。"), code="duplicate") from None
    return r
