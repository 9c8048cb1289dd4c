"""The one door for writes to cases: intake from every channel, the workflow transitions of
`workflow.TABLE`, the deadline clock, merge suggestions, the deadline sweep, categories and the
score settings.

The clock (documented for operators in docs/user-guide.md):
- it starts at dispatch (派遣): deadline = dispatch + the category's limit in working time, the
  warning at 80 % of that working time;
- a return (退单) stops it; the re-dispatch starts a fresh clock for the new unit (the unit that
  returned the case is not charged with its time; the timeline names it, and 退单率 counts every
  case returned at least once);
  转派 likewise gives the new unit its full limit;
- a granted extension (延期) moves the deadline by the granted working days; a pending request
  does not stop the clock;
- 挂账 pauses it: on release the deadline moves by the working hours spent parked;
- the handling unit's feedback (反馈) stops it; a failed verification (返工) sets it running again
  with the same deadline, so rework buys no time;
- 按期结案 means the feedback that passed verification came before the deadline.
"""

import datetime as dt
import difflib
import math
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases import public, rollups
from shequ.cases.models import (
    CLOCK_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Category,
    Channel,
    ExtensionState,
    LimitUnit,
    Open311Client,
    Satisfaction,
    ScoreSettings,
    Status,
    UnitKind,
)
from shequ.cases.workflow import TABLE, label_of
from shequ.core import attachments, changelog, notify, scope, worktime
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import Action, Membership
from shequ.core.periodic import run_on_read
from shequ.core.roles import Role, roles_with
from shequ.core.services import require
from shequ.org.models import Grid, Level, OrgUnit
from shequ.org.services import locate_grid

DESCRIPTION_MAX = 4000
STAFF_CHANNELS = {Channel.PATROL, Channel.WALK_IN, Channel.PHONE, Channel.HOTLINE, Channel.VISIT}


def _invalid(field: str, message) -> ValidationFailed:
    return ValidationFailed(message, details={field: [str(message)]})


# --- the clock ------------------------------------------------------------------------------------
def deadline_after(start: dt.datetime, value: int, unit: str) -> dt.datetime:
    if unit == LimitUnit.HOURS:
        return worktime.add_working_hours(start, value)
    return worktime.add_working_days(start, value)


def warn_moment(start: dt.datetime, deadline: dt.datetime) -> dt.datetime:
    """The moment when CASE_WARN_RATIO of the working time between start and deadline is used."""
    span = worktime.working_hours_between(start, deadline)
    return worktime.add_working_hours(start, max(0.0, span * settings.CASE_WARN_RATIO))


# --- places and units -----------------------------------------------------------------------------
def _check_point(lat, lng) -> tuple[float, float] | None:
    if lat in (None, "") and lng in (None, ""):
        return None
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise _invalid("lat", _("位置坐标格式不正确，请在地图上重新选点。")) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat) or math.isnan(lng):
        raise _invalid("lat", _("位置坐标超出范围，请在地图上重新选点。"))
    return lat, lng


def resolve_place(*, lat=None, lng=None, community=None, street=None, grid=None, within: str = ""):
    """(street, community, grid) of a request: the point decides when it lies in a grid; otherwise
    the grid, community or street given. A place the platform does not serve is refused."""
    point = _check_point(lat, lng)
    if point:
        grid = None
        grid = locate_grid(point[1], point[0], within=within or (street.code if street else ""))
    if grid is not None:
        community = grid.community
    if community is not None:
        if community.level != Level.COMMUNITY:
            raise _invalid("community", _("请选择一个社区。"))
        street = community.parent
    if street is None:
        if point:
            raise _invalid(
                "lat", _("所选位置不在本平台服务的网格范围内，请在地图上重新选点，或选择所在社区。")
            )
        raise _invalid("community", _("请在地图上选点，或选择诉求所在的社区。"))
    if within and not (street.code.startswith(within) or within.startswith(street.code)):
        raise _invalid("community", _("该位置不在本接入应用受理的街道范围内。"))
    return street, community, grid


def departments() -> list[str]:
    """Departments cases can be dispatched to: those with staff accounts and the categories' defaults."""
    names = set(
        Membership.objects.filter(role=Role.DEPARTMENT)
        .exclude(department="")
        .values_list("department", flat=True)
    )
    names |= set(Category.objects.exclude(default_department="").values_list("default_department", flat=True))
    return sorted(names)


def unit_key(kind: str, code: str = "", department: str = "") -> str:
    return f"department:{department}" if kind == UnitKind.DEPARTMENT else f"{kind}:{code}"


def unit_choices(case) -> list[tuple[str, str]]:
    """Units a case may be dispatched to: its street, the street's communities and grids, departments."""
    street = case.street
    choices = [(unit_key(UnitKind.STREET, street.code), street.display_name)]
    for c in OrgUnit.objects.filter(parent=street).order_by("code"):
        choices.append((unit_key(UnitKind.COMMUNITY, c.code), c.display_name))
    for g in Grid.objects.within(street.code).select_related("community").order_by("code"):
        choices.append((unit_key(UnitKind.GRID, g.code), g.display_name))
    for d in departments():
        choices.append((unit_key(UnitKind.DEPARTMENT, department=d), d))
    return choices


def default_unit(case) -> str:
    """The category's default handling unit, placed where the case happened."""
    kind = case.category.default_unit_kind
    if kind == UnitKind.DEPARTMENT and case.category.default_department:
        return unit_key(kind, department=case.category.default_department)
    if kind == UnitKind.GRID and case.grid_id:
        return unit_key(kind, case.grid.code)
    if kind in (UnitKind.GRID, UnitKind.COMMUNITY) and case.community_id:
        return unit_key(UnitKind.COMMUNITY, case.community.code)
    return unit_key(UnitKind.STREET, case.street.code)


def resolve_unit(case, key: str) -> dict:
    """The handler fields of a unit key, checked against the case's street."""
    kind, _sep, ref = (key or "").partition(":")
    bad = _invalid("unit", _("请选择处置单位。"))
    if not ref or kind not in UnitKind.values:
        raise bad
    if kind == UnitKind.DEPARTMENT:
        if ref not in departments():
            raise _invalid("unit", _("没有名为“%(d)s”的职能部门，请从列表中选择。") % {"d": ref[:40]})
        district = case.street.code[:6]
        return {
            "handler_kind": kind,
            "handler_code": district,
            "handler_department": ref,
            "handler_name": ref,
        }
    if not ref.startswith(case.street.code):
        raise _invalid("unit", _("处置单位须在案件所在街道范围内。"))
    if kind == UnitKind.GRID:
        obj = Grid.objects.select_related("community").filter(code=ref).first()
        name = obj.display_name if obj else ""
    else:
        obj = OrgUnit.objects.filter(
            code=ref, level=Level.STREET if kind == UnitKind.STREET else Level.COMMUNITY
        ).first()
        name = obj.display_name if obj else ""
    if obj is None:
        raise bad
    return {"handler_kind": kind, "handler_code": ref, "handler_department": "", "handler_name": name}


def is_handler(user, case) -> bool:
    """Is the user a member of the case's handling unit (or of a node above it)?"""
    handle_roles = roles_with("cases.handle_case")
    for m in scope.memberships(user):
        if m.role == Role.SYSADMIN:
            return True
        if m.role not in handle_roles:
            continue
        if case.handler_department:
            if (
                m.role == Role.DEPARTMENT
                and m.department == case.handler_department
                and case.scope_code.startswith(m.scope_code)
            ):
                return True
        elif m.role != Role.DEPARTMENT and case.handler_code and case.handler_code.startswith(m.scope_code):
            return True
    return False


def handler_users(case):
    """The accounts of the handling unit itself (who are told of dispatch, supervision, overdue)."""
    from shequ.core.models import User

    roles = roles_with("cases.handle_case")
    ms = Membership.objects.active().filter(role__in=roles)
    if case.handler_department:
        ms = ms.filter(role=Role.DEPARTMENT, department=case.handler_department)
    elif case.handler_kind == UnitKind.GRID:
        ms = ms.filter(grid__code=case.handler_code)
    elif case.handler_code:
        ms = ms.filter(org__code=case.handler_code, grid__isnull=True).exclude(role=Role.DEPARTMENT)
    else:
        return User.objects.none()
    return User.objects.filter(pk__in=ms.values("user_id"), is_active=True)


def superior_code(case) -> str:
    """Where an overdue case is escalated: the level above its handling unit."""
    if case.handler_department:
        return case.street.code
    code = case.handler_code
    for n in (12, 9, 6):
        if len(code) > n:
            return code[:n]
    return code[:4] if len(code) > 4 else code


def supervisors_at(code: str):
    from shequ.core.models import User

    ms = Membership.objects.active().filter(role__in=roles_with("cases.supervise_case"))
    ms = ms.filter(Q(org__code=code, grid__isnull=True) | Q(role=Role.SYSADMIN))
    return User.objects.filter(pk__in=ms.values("user_id"), is_active=True)


# --- intake ---------------------------------------------------------------------------------------
def _new_number(now) -> str:
    return timezone.localtime(now).strftime("%Y%m%d") + f"{secrets.randbelow(10**6):06d}"


def minor_category(pk_or_code, *, public_only: bool = False) -> Category:
    qs = Category.objects.filter(parent__isnull=False, active=True).select_related("parent")
    if public_only:
        qs = qs.filter(public=True)
    cat = qs.filter(code=str(pk_or_code)).first()
    if cat is None and str(pk_or_code).isdigit():
        cat = qs.filter(pk=int(pk_or_code)).first()
    if cat is None:
        raise _invalid("category", _("请选择一个有效的诉求小类。"))
    return cat


@transaction.atomic
def submit_request(
    actor,
    *,
    channel: str,
    category,
    description: str,
    title: str = "",
    lat=None,
    lng=None,
    address: str = "",
    community=None,
    street=None,
    anonymous: bool = False,
    requester_name: str = "",
    requester_phone: str = "",
    requester_email: str = "",
    photos=(),
    external_id: str = "",
    client=None,
    attributes=None,
    resident=None,
    received_at=None,
    within: str = "",
    publish_optout: bool = False,
) -> tuple[Case, bool]:
    """Receive a request from any channel; returns (case, created). An order number the channel
    has sent before returns the existing case (hotline and Open311 retries create nothing).
    `publish_optout`: the requester asks that the case never be published (models.public_q)."""
    from shequ.core.validators import validate_phone

    if channel not in Channel.values:
        raise _invalid("channel", _("未知的来源渠道。"))
    staff_entry = channel in STAFF_CHANNELS
    if staff_entry and (actor is None or not actor.is_authenticated):
        raise Forbidden()
    external_id = (external_id or "").strip()[:64]
    if external_id:
        found = Case.objects.filter(channel=channel, external_id=external_id).first()
        if found is not None:
            return found, False
    if not isinstance(category, Category):
        category = minor_category(category, public_only=not staff_entry)
    description = (description or "").strip()
    if not description:
        raise _invalid("description", _("请描述诉求内容。"))
    if len(description) > DESCRIPTION_MAX:
        raise _invalid("description", _("诉求内容不能超过 %(n)d 字。") % {"n": DESCRIPTION_MAX})
    requester_phone = (requester_phone or "").strip()
    if requester_phone and not anonymous:
        try:
            validate_phone(requester_phone)
        except Exception:  # noqa: BLE001  (django ValidationError carries the Chinese message)
            raise _invalid(
                "requester_phone", _("联系电话格式不正确（手机号 11 位，座机如 027-87654321）。")
            ) from None
    if anonymous:
        requester_name = requester_phone = requester_email = ""
    own_grid = None
    if staff_entry and community is None and street is None and lat in (None, ""):
        community, street, own_grid = actor_place(actor)
    street, community, grid = resolve_place(
        lat=lat, lng=lng, community=community, street=street, grid=own_grid, within=within
    )
    photos = attachments.clean_photos(photos)
    now = timezone.now()
    user = actor if actor is not None and actor.is_authenticated else None
    is_resident = user is not None and not staff_entry and not _is_staff(user)
    case = Case(
        channel=channel,
        external_id=external_id,
        client=client,
        category=category,
        limit_value=category.limit_value,
        limit_unit=category.limit_unit,
        title=(title or description).strip().splitlines()[0][:100],
        description=description,
        address=(address or "").strip()[:200],
        lat=float(lat) if lat not in (None, "") else None,
        lng=float(lng) if lng not in (None, "") else None,
        street=street,
        community=community,
        grid=grid,
        attributes=attributes or {},
        anonymous=anonymous,
        requester_name=(requester_name or "").strip()[:50],
        requester_phone=requester_phone,
        requester_email=(requester_email or "").strip()[:200],
        requester_user=user if is_resident else None,
        resident=resident,
        publish_optout=bool(publish_optout),
        created_by=user,
        received_at=received_at or now,
    )
    case.scope_code = case.compute_scope_code()
    if staff_entry:
        require(actor, "cases.register_case", case.scope_code)
    _set_public_copy(case)
    for _attempt in range(8):
        case.number = _new_number(now)
        try:
            with transaction.atomic():
                case.save()
                rollups.shift(None, rollups.state_of(case))
            break
        except IntegrityError:
            if external_id and Case.objects.filter(channel=channel, external_id=external_id).exists():
                # The same order arrived twice at once: the other request created it.
                return Case.objects.get(channel=channel, external_id=external_id), False
            continue
    else:  # pragma: no cover  (a million numbers a day; eight collisions in a row do not happen)
        raise Conflict(_("受理编号生成失败，请重试。"))
    event = CaseEvent.objects.create(
        case=case,
        action="receive",
        to_status=Status.RECEIVED,
        actor=user,
        actor_label=_actor_label(user, case),
        at=case.received_at,
        note=Channel(channel).label,
    )
    attachments.attach(event, case.scope_code, photos, user)
    changelog.record(
        user,
        Action.CREATE,
        case,
        after={"number": case.number, "channel": channel, "category": category.code},
        note=_("受理诉求（%(c)s）") % {"c": Channel(channel).label},
    )
    transaction.on_commit(lambda: _tell_requester(case, "receive"))
    return case, True


# --- the public copy ------------------------------------------------------------------------------
def _set_public_copy(case) -> None:
    """Compute the public copy (public.stored_copy) of a case about to be saved: whatever writes its
    text, address, point, requester or resident calls this before the save."""
    for field, value in public.copy_of(case).items():
        setattr(case, field, value)


COPY_FIELDS = ("public_description", "public_address", "public_lat", "public_lng")


def refresh_public_copies(cases=None, *, batch: int = 2000) -> int:
    """Recompute the stored public copy of these cases (all by default) in batches; rows whose copy
    is unchanged are not written. Returns how many changed. For what changes a case's copy without
    going through intake: a resident renamed, a copy made by an older version of public_copy."""
    qs = Case.objects.all() if cases is None else cases
    qs = qs.select_related("resident").only(
        "pk", "description", "address", "lat", "lng", "requester_name", "attributes", "resident__name",
        *COPY_FIELDS,
    )  # fmt: skip
    changed, last = 0, 0
    while True:
        rows = list(qs.filter(pk__gt=last).order_by("pk")[:batch])
        if not rows:
            return changed
        last = rows[-1].pk
        stale = []
        for case in rows:
            copy = public.copy_of(case)
            if any(getattr(case, k) != v for k, v in copy.items()):
                for k, v in copy.items():
                    setattr(case, k, v)
                stale.append(case)
        if stale:
            Case.objects.bulk_update(stale, COPY_FIELDS)
            changed += len(stale)


def _is_staff(user) -> bool:
    return any(m.role != Role.RESIDENT for m in scope.memberships(user))


def actor_place(actor):
    """(community, street, grid): a staff member's own node when an entry names no place (a grid
    worker's report without a position stays in their grid, where they can see it)."""
    for m in scope.memberships(actor):
        if m.grid_id:
            return m.grid.community, None, m.grid
        if m.org_id and m.org.level == Level.COMMUNITY:
            return m.org, None, None
        if m.org_id and m.org.level == Level.STREET:
            return None, m.org, None
    return None, None, None


def _actor_label(user, case=None) -> str:
    if user is None:
        if case is not None and case.channel == Channel.HOTLINE:
            return _("12345热线")
        if case is not None and case.client_id:
            return case.client.name
        return _("市民")
    return str(user)[:100]


# --- transitions ----------------------------------------------------------------------------------
def _apply_file(case, actor, now, category=None, **_kw):
    changes = {"filed_at": now}
    if category:
        cat = minor_category(category)
        changes.update(category=cat, limit_value=cat.limit_value, limit_unit=cat.limit_unit)
    return changes, {}


def _start_clock(case, now, unit) -> tuple[dict, dict]:
    fields = resolve_unit(case, unit or default_unit(case))
    deadline = deadline_after(now, case.limit_value, case.limit_unit)
    fields.update(
        dispatched_at=now,
        accepted_at=None,
        handled_at=None,
        deadline=deadline,
        warn_at=warn_moment(now, deadline),
        paused_hours=0,
        warned_at=None,
        escalated_at=None,
        extension_state=ExtensionState.NONE,
        extension_requested=None,
    )
    return fields, {"unit": fields["handler_name"], "deadline": deadline.isoformat()}


def _apply_dispatch(case, actor, now, unit=None, **_kw):
    return _start_clock(case, now, unit)


def _apply_accept(case, actor, now, **_kw):
    return {"accepted_at": now}, {}


def _apply_return(case, actor, now, **_kw):
    used = worktime.working_hours_between(case.dispatched_at, now)
    limit = settings.CASE_RETURN_LIMIT_HOURS
    if used > limit:
        raise ValidationFailed(
            _("退单须在派遣后 %(n)d 个工作小时内提出，现已超过。如确属派错，请联系派遣人转派。")
            % {"n": limit},
            code="return_too_late",
        )
    return {"return_count": F("return_count") + 1}, {"unit": case.handler_name}


def _apply_request_extension(case, actor, now, days=None, **_kw):
    if case.extension_state == ExtensionState.PENDING:
        raise Conflict(_("已有一项延期申请等待审批，请勿重复申请。"), code="extension_pending")
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 30:
        raise _invalid("days", _("延期天数应为 1–30 个工作日。"))
    return {"extension_state": ExtensionState.PENDING, "extension_requested": days}, {"days": days}


def _apply_grant_extension(case, actor, now, days=None, **_kw):
    if case.extension_state != ExtensionState.PENDING:
        raise Conflict(_("没有待审批的延期申请。"), code="no_extension")
    days = int(days or case.extension_requested or 0)
    if not 1 <= days <= 30:
        raise _invalid("days", _("延期天数应为 1–30 个工作日。"))
    deadline = worktime.add_working_days(case.deadline, days)
    return (
        {
            "extension_state": ExtensionState.GRANTED,
            "deadline": deadline,
            "warn_at": warn_moment(case.dispatched_at, deadline),
            "warned_at": None,
            "escalated_at": None,
            "extension_count": F("extension_count") + 1,
        },
        {"days": days, "deadline": deadline.isoformat()},
    )


def _apply_refuse_extension(case, actor, now, **_kw):
    if case.extension_state != ExtensionState.PENDING:
        raise Conflict(_("没有待审批的延期申请。"), code="no_extension")
    return {"extension_state": ExtensionState.REFUSED}, {}


def _apply_feedback(case, actor, now, **_kw):
    return {"handled_at": now}, {}


def _apply_rework(case, actor, now, **_kw):
    return {"rework_count": F("rework_count") + 1, "handled_at": None}, {}


def _apply_close(case, actor, now, **_kw):
    on_time = case.handled_at is not None and case.deadline is not None and case.handled_at <= case.deadline
    hours = None
    if case.dispatched_at and case.handled_at:
        hours = max(
            0.0, worktime.working_hours_between(case.dispatched_at, case.handled_at) - case.paused_hours
        )
    return {"closed_at": now, "closed_on_time": on_time, "handling_hours": hours}, {"on_time": on_time}


def _yes(v) -> bool | None:
    if v in (None, ""):
        return None
    if isinstance(v, bool):
        return v
    return str(v).lower() in ("1", "true", "yes", "on", "是")


def _apply_callback(case, actor, now, valid=None, contacted=None, solved=None, satisfaction="", **_kw):
    if case.callback_at is not None:
        raise Conflict(_("该案件已回访过，不能重复回访。"), code="already_called_back")
    valid = _yes(valid)
    if valid is None:
        raise _invalid("valid", _("请选择是否联系上诉求人（有效回访）。"))
    changes = {"callback_at": now, "callback_valid": valid}
    if valid:
        if satisfaction not in Satisfaction.values:
            raise _invalid("satisfaction", _("请选择满意度。"))
        if _yes(contacted) is None or _yes(solved) is None:
            raise _invalid("contacted", _("请选择处置单位是否联系过诉求人、问题是否解决。"))
        changes.update(
            callback_contacted=_yes(contacted), callback_solved=_yes(solved), satisfaction=satisfaction
        )
    data = {
        k: changes.get(f"callback_{k}", changes.get(k))
        for k in ("valid", "contacted", "solved", "satisfaction")
    }
    return changes, data


def _apply_evaluate(case, actor, now, rating=None, comment="", **_kw):
    if case.rating is not None:
        raise Conflict(_("该诉求已评价过，感谢您的反馈。"), code="already_evaluated")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise _invalid("rating", _("请给出 1–5 星的评价。"))
    return {"rating": rating, "rating_comment": (comment or "").strip()[:500]}, {"rating": rating}


def _apply_park(case, actor, now, review_on=None, **_kw):
    if isinstance(review_on, str):
        try:
            review_on = dt.date.fromisoformat(review_on)
        except ValueError:
            review_on = None
    if not review_on or review_on <= timezone.localdate():
        raise _invalid("review_on", _("挂账须填写今天以后的复查日期。"))
    return {"parked_at": now, "parked_from": case.status, "review_on": review_on}, {
        "review_on": review_on.isoformat()
    }


def _apply_unpark(case, actor, now, **_kw):
    changes = {"parked_at": None, "parked_from": "", "review_on": None, "status": case.parked_from}
    data = {}
    if case.parked_from in CLOCK_STATUSES and case.deadline and case.parked_at:
        paused = worktime.working_hours_between(case.parked_at, now)
        changes.update(
            deadline=worktime.add_working_hours(case.deadline, paused),
            warn_at=worktime.add_working_hours(case.warn_at, paused) if case.warn_at else None,
            paused_hours=case.paused_hours + paused,
            warned_at=None,
            escalated_at=None,
        )
        data["paused_hours"] = round(paused, 2)
    return changes, data


def _apply_supervise(case, actor, now, **_kw):
    return {"supervised": True, "supervised_at": now}, {}


def _apply_merge(case, actor, now, parent=None, **_kw):
    try:
        target = Case.objects.visible_to(actor).select_for_update().get(pk=int(parent))
    except (Case.DoesNotExist, TypeError, ValueError):
        raise _invalid("parent", _("未找到要并入的案件，或它不在您的管辖范围内。")) from None
    if target.pk == case.pk or target.status in (Status.MERGED, Status.REJECTED) or target.parent_id:
        raise _invalid("parent", _("只能并入一件未被合并、未被驳回的案件。"))
    return {"parent": target}, {"parent": target.number}


def _apply_reassign(case, actor, now, unit=None, **_kw):
    if not unit:
        raise _invalid("unit", _("请选择转派的处置单位。"))
    return _start_clock(case, now, unit)


def _nothing(case, actor, now, **_kw):
    return {}, {}


_APPLY = {
    "file": _apply_file,
    "reject": _nothing,
    "dispatch": _apply_dispatch,
    "accept": _apply_accept,
    "return": _apply_return,
    "progress": _nothing,
    "request_extension": _apply_request_extension,
    "grant_extension": _apply_grant_extension,
    "refuse_extension": _apply_refuse_extension,
    "feedback": _apply_feedback,
    "verify": _nothing,
    "rework": _apply_rework,
    "close": _apply_close,
    "callback": _apply_callback,
    "evaluate": _apply_evaluate,
    "park": _apply_park,
    "unpark": _apply_unpark,
    "supervise": _apply_supervise,
    "merge": _apply_merge,
    "reassign": _apply_reassign,
}
assert set(_APPLY) == set(TABLE), "every transition needs its effect"  # noqa: S101


def _last_event(case):
    return case.events.exclude(action__in=("warn", "notify")).order_by("-at", "-id").first()


def _state_conflict(case, t) -> Conflict:
    last = _last_event(case)
    msg = _("案件当前状态为“%(s)s”，不能%(a)s。") % {"s": case.get_status_display(), "a": t.label}
    if last is not None:
        msg += _("（%(who)s 已于 %(at)s %(what)s，请刷新页面查看。）") % {
            "who": last.actor_label or _("他人"),
            "at": timezone.localtime(last.at).strftime("%m-%d %H:%M"),
            "what": last.label,
        }
    return Conflict(msg, code="bad_transition", details={"status": case.status})


# Conditions beyond the status, so that pages and the API offer only acts that can succeed (the
# effect functions above enforce the same conditions with their messages).
_GUARDS = {
    "request_extension": lambda c: c.extension_state != ExtensionState.PENDING,
    "grant_extension": lambda c: c.extension_state == ExtensionState.PENDING,
    "refuse_extension": lambda c: c.extension_state == ExtensionState.PENDING,
    "callback": lambda c: c.callback_at is None,
    "evaluate": lambda c: c.rating is None,
}


def can_take(user, case, action: str) -> bool:
    """Would the table, the role, the scope and the unit allow this user this action now?"""
    t = TABLE.get(action)
    if t is None or case.status not in t.sources:
        return False
    if not _GUARDS.get(action, bool)(case):
        return False
    if t.requester_may and case.requester_user_id and case.requester_user_id == user.pk:
        return True
    if not scope.covers(user, case.scope_code, t.perm):
        return False
    return not t.handler_only or is_handler(user, case)


def available_actions(user, case) -> list:
    return [t for t in TABLE.values() if can_take(user, case, t.action)]


@transaction.atomic
def transition(actor, pk, action: str, *, expected_version=None, note: str = "", photos=(), **data) -> Case:
    """Take one workflow action on a case. Exactly one of two simultaneous acts applies; the other
    is told what happened instead. Nothing is written when the act is refused."""
    t = TABLE.get(action)
    if t is None:
        raise ValidationFailed(_("未知的办理环节。"), code="unknown_action")
    if actor is None or not actor.is_authenticated:
        raise Forbidden()
    case = (
        Case.objects.visible_to(actor)
        .select_for_update()
        .select_related("street", "category")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound()
    if case.status not in t.sources:
        raise _state_conflict(case, t)
    if expected_version not in (None, "") and int(expected_version) != case.version:
        last = _last_event(case)
        msg = _("案件已被他人更新，本次%(a)s未执行。") % {"a": t.label}
        if last is not None:
            msg += _("（%(who)s 已于 %(at)s %(what)s，请刷新页面查看。）") % {
                "who": last.actor_label or _("他人"),
                "at": timezone.localtime(last.at).strftime("%m-%d %H:%M"),
                "what": last.label,
            }
        raise Conflict(msg, code="stale", details={"status": case.status, "version": case.version})
    requester = t.requester_may and case.requester_user_id == actor.pk
    if not requester:
        require(actor, t.perm, case.scope_code)
        if t.handler_only and not is_handler(actor, case):
            raise Forbidden(
                _("只有处置单位（%(u)s）的工作人员可以%(a)s。")
                % {"u": case.handler_name or "-", "a": t.label}
            )
    return _commit(case, t, actor, note=note, photos=photos, data=data)


@transaction.atomic
def evaluate_by_token(tracking_token: str, *, rating, comment: str = "") -> Case:
    """The requester's own 评价 from the status page (no account: the tracking link is the key)."""
    t = TABLE["evaluate"]
    case = Case.objects.select_for_update().filter(tracking_token=tracking_token or "-").first()
    if case is None:
        raise NotFound()
    if case.status not in t.sources:
        raise _state_conflict(case, t)
    return _commit(case, t, None, data={"rating": rating, "comment": comment})


def _commit(case, t, actor, *, note: str = "", photos=(), data=None) -> Case:
    """Apply an allowed, authorised transition: conditional update, timeline entry, change log."""
    action = t.action
    note = (note or "").strip()
    if t.needs_note and not note:
        raise _invalid("note", _("请填写%(a)s的说明或理由。") % {"a": t.label})
    if len(note) > DESCRIPTION_MAX:
        raise _invalid("note", _("说明不能超过 %(n)d 字。") % {"n": DESCRIPTION_MAX})
    photos = attachments.clean_photos(photos)
    now = timezone.now()
    changes, event_data = _APPLY[action](case, actor, now, **(data or {}))
    before_status = case.status
    before_state = rollups.state_of(case)
    target = changes.pop("status", None) or (
        t.target if t.target not in (None, "parked_from") else before_status
    )
    updated = Case.objects.filter(pk=case.pk, version=case.version, status=before_status).update(
        status=target, version=F("version") + 1, updated_at=now, **changes
    )
    if updated != 1:  # another act got there first (SQLite has no row lock to wait on)
        case.refresh_from_db()
        raise _state_conflict(case, t)
    label = _actor_label(actor) if actor is not None else (case.requester_name or _("诉求人"))
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=before_status,
        to_status=target,
        actor=actor,
        actor_label=label,
        at=now,
        note=note,
        data=event_data,
        public=action not in ("supervise", "request_extension", "grant_extension", "refuse_extension"),
    )
    attachments.attach(event, case.scope_code, photos, actor)
    case.refresh_from_db()
    rollups.shift(before_state, rollups.state_of(case))
    if action == "merge":
        CaseEvent.objects.create(
            case=case.parent,
            action="merged_into",
            actor=actor,
            actor_label=label,
            at=now,
            note=f"{case.number} {case.title}",
            data={"child": case.number},
        )
    if action == "close":  # the requesters of merged duplicates hear the parent's outcome
        CaseEvent.objects.bulk_create(
            CaseEvent(
                case=child, action="parent_outcome", actor=actor, actor_label=label, at=now, note=case.number
            )
            for child in case.merged_cases.all()
        )
    changelog.record(
        actor,
        Action.UPDATE,
        case,
        before={"status": before_status},
        after={"status": target, **{k: str(v) for k, v in event_data.items()}},
        note=str(t.label),
    )
    transaction.on_commit(lambda: _after(case, action, actor))
    return case


# --- notices --------------------------------------------------------------------------------------
# The changes a requester hears of (internal steps such as 签收 or a return stay on the timeline).
_REQUESTER_ACTIONS = {
    "receive",
    "file",
    "reject",
    "dispatch",
    "reassign",
    "feedback",
    "park",
    "unpark",
    "close",
    "merge",
    "parent_outcome",
}


def _tell_requester(case, action: str, outcome_of=None) -> None:
    if case.anonymous or not (case.requester_phone or case.requester_email or case.requester_user_id):
        return
    status = outcome_of.get_status_display() if outcome_of else case.get_status_display()
    body = _("您的诉求（受理编号 %(n)s）%(what)s，当前状态：%(s)s。") % {
        "n": case.number,
        "what": label_of(action),
        "s": status,
    }
    notify.send(
        notify.Message(
            template=f"case.{action}",
            subject=_("诉求办理进度"),
            body=body,
            params={"number": case.number, "status": status},
            user=case.requester_user,
            phone=case.requester_phone,
            email=case.requester_email,
            scope_code=case.scope_code,
        )
    )


def _tell_users(users, case, template: str, text) -> None:
    for u in users:
        notify.send(
            notify.Message(
                template=template,
                subject=str(text),
                body=f"{text}：{case.number} {case.title}",
                params={"number": case.number, "title": case.title[:20]},
                user=u,
                scope_code=case.scope_code,
            )
        )


def _after(case, action: str, actor) -> None:
    if action in _REQUESTER_ACTIONS:
        _tell_requester(case, action)
    if action in ("dispatch", "reassign"):
        _tell_users(handler_users(case), case, "case.dispatched", _("新派遣案件"))
    elif action == "supervise":
        _tell_users(handler_users(case), case, "case.supervised", _("案件被督办"))
    elif action == "close":
        for child in case.merged_cases.all():
            _tell_requester(child, "parent_outcome", outcome_of=case)


# --- merge suggestions ----------------------------------------------------------------------------
def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres."""
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


TEXT_SIMILARITY = 0.8


def merge_candidates(case, user, limit: int = 5) -> list[dict]:
    """Open cases the user may see, of the same minor class, near in place (R metres) and time
    (T days) or with a nearly identical description, that this case could be merged into."""
    cat = case.category
    window = dt.timedelta(days=cat.merge_days)
    base = (
        Case.objects.visible_to(user)
        .filter(category=cat, status__in=OPEN_STATUSES, parent__isnull=True)
        .exclude(pk=case.pk)
        .filter(received_at__gte=case.received_at - window, received_at__lte=case.received_at + window)
        .filter(street=case.street)
    )
    found: dict[int, dict] = {}
    if case.lat is not None and case.lng is not None:
        dlat = cat.merge_radius_m / 111_320
        dlng = dlat / max(0.01, math.cos(math.radians(case.lat)))
        near = base.filter(
            lat__gte=case.lat - dlat,
            lat__lte=case.lat + dlat,
            lng__gte=case.lng - dlng,
            lng__lte=case.lng + dlng,
        )
        for other in near[:200]:
            d = distance_m(case.lat, case.lng, other.lat, other.lng)
            if d <= cat.merge_radius_m:
                found[other.pk] = {"case": other, "distance_m": round(d), "similarity": None}
    text = case.description
    for other in base.order_by("-received_at")[:200]:
        matcher = difflib.SequenceMatcher(None, text, other.description, autojunk=False)
        if matcher.real_quick_ratio() < TEXT_SIMILARITY or matcher.quick_ratio() < TEXT_SIMILARITY:
            continue
        ratio = matcher.ratio()
        if ratio >= TEXT_SIMILARITY:
            entry = found.setdefault(other.pk, {"case": other, "distance_m": None, "similarity": None})
            entry["similarity"] = round(ratio, 2)
    ordered = sorted(
        found.values(), key=lambda e: (e["distance_m"] is None, e["distance_m"] or 0, -(e["similarity"] or 0))
    )
    return ordered[:limit]


# --- the deadline sweep ---------------------------------------------------------------------------
def _mark_once(case, now, guard: str, action: str, tell, data=None, **also) -> bool:
    """Stamp `guard` on a case that has none yet (a conditional update: two sweeps running at once
    mark it once), write the system's timeline entry and change-log row, and queue the notices."""
    with transaction.atomic():
        if not Case.objects.filter(pk=case.pk, **{f"{guard}__isnull": True}).update(**{guard: now}, **also):
            return False
        CaseEvent.objects.create(
            case=case, action=action, at=now, actor_label=_("系统"), public=False, data=data or {}
        )
        changelog.record(None, Action.UPDATE, case, after={guard: now.isoformat()}, note=label_of(action))
        transaction.on_commit(tell)
    return True


def sweep_deadlines(now=None, limit: int = 2000) -> dict:
    """Warn the handlers of cases at 80 % of their limit; flag overdue cases, remind their handlers
    and escalate them to the unit's superior; remind dispatchers of parked cases whose review date
    has come. Each happens once per clock (解除挂账 and a new dispatch clear the marks)."""
    now = now or timezone.now()
    counts = {"warned": 0, "escalated": 0, "review_due": 0}
    running = Case.objects.filter(status__in=CLOCK_STATUSES).select_related("street")
    for case in running.filter(warn_at__lte=now, deadline__gte=now, warned_at__isnull=True)[:limit]:
        tell = lambda c=case: _tell_users(handler_users(c), c, "case.warning", _("案件即将超期"))  # noqa: E731
        counts["warned"] += _mark_once(case, now, "warned_at", "warn", tell)
    for case in running.filter(deadline__lt=now, escalated_at__isnull=True)[:limit]:
        up = superior_code(case)

        def tell(c=case, u=up):
            _tell_users(handler_users(c), c, "case.overdue", _("案件已超期"))
            _tell_users(supervisors_at(u), c, "case.escalated", _("下级案件超期，请督办"))

        counts["escalated"] += _mark_once(
            case, now, "escalated_at", "escalate", tell, {"to": up}, warned_at=case.warned_at or now
        )
    review = Case.objects.filter(
        status=Status.PARKED, review_on__lte=timezone.localdate(now), warned_at__isnull=True
    ).select_related("street", "community")
    for case in review[:limit]:
        tell = lambda c=case: _tell_users(dispatchers_at(c), c, "case.review_due", _("挂账案件已到复查日期"))  # noqa: E731
        counts["review_due"] += _mark_once(case, now, "warned_at", "review_due", tell)
    return counts


def dispatchers_at(case):
    """Accounts that dispatch where the case lies (its community, or its street)."""
    from shequ.core.models import User

    code = case.community.code if case.community_id else case.street.code
    ms = Membership.objects.active().filter(role__in=roles_with("cases.dispatch_case"), grid__isnull=True)
    ms = ms.filter(org__code__in={code, case.street.code})
    return User.objects.filter(pk__in=ms.values("user_id"), is_active=True)


def maybe_sweep() -> None:
    """Run the deadline sweep on read when no broker schedules it (see core.periodic)."""
    run_on_read("cases", lambda: (sweep_deadlines(), rollups.compact()))


# --- categories, settings, clients ---------------------------------------------------------------
_CATEGORY_FIELDS = (
    "name",
    "default_unit_kind",
    "default_department",
    "filing_condition",
    "closure_condition",
    "limit_value",
    "limit_unit",
    "merge_radius_m",
    "merge_days",
    "public",
    "publishable",
    "active",
)


@transaction.atomic
def save_category(actor, pk, *, expected_version=None, **fields) -> Category:
    """Edit a category; cases already filed keep the limits they were filed under."""
    require(actor, "cases.manage_categories")
    cat = Category.objects.select_for_update().filter(pk=pk).first()
    if cat is None:
        raise NotFound()
    if expected_version not in (None, "") and int(expected_version) != cat.version:
        raise Conflict()
    before = changelog.snapshot(cat)
    for k, v in fields.items():
        if k in _CATEGORY_FIELDS:
            setattr(cat, k, v)
    if cat.limit_value < 1:
        raise _invalid("limit_value", _("处置时限至少为 1。"))
    if cat.default_unit_kind == UnitKind.DEPARTMENT and not cat.default_department.strip():
        raise _invalid("default_department", _("默认处置单位为职能部门时，请填写部门名称。"))
    cat.version += 1
    cat.save()
    changelog.record(actor, Action.UPDATE, cat, before=before, after=changelog.snapshot(cat), scope_code="")
    return cat


@transaction.atomic
def save_score_settings(actor, **weights) -> ScoreSettings:
    require(actor, "cases.manage_categories")
    s = ScoreSettings.objects.select_for_update().order_by("pk").first() or ScoreSettings()
    before = changelog.snapshot(s) if s.pk else None
    for k in ("response_weight", "solve_weight", "satisfaction_weight", "basic_value"):
        if k in weights and weights[k] not in (None, ""):
            try:
                setattr(s, k, Decimal(str(weights[k])))
            except InvalidOperation:
                raise _invalid(k, _("请填写 0 到 1 之间的小数。")) from None
    total = s.response_weight + s.solve_weight + s.satisfaction_weight
    if abs(total - 1) > 0.001:
        raise _invalid("response_weight", _("三项权重之和应为 1（现为 %(t)s）。") % {"t": total})
    if not 0 <= s.basic_value <= 1:
        raise _invalid("basic_value", _("基本满意的折算值应在 0 到 1 之间。"))
    s.save()
    changelog.record(actor, Action.UPDATE, s, before=before, after=changelog.snapshot(s), scope_code="")
    return s


@transaction.atomic
def register_client(actor, *, name: str, street_code: str, contact: str = "") -> tuple[Open311Client, str]:
    """Register an Open311 client application; the api_key is returned once and stored hashed."""
    import hashlib

    require(actor, "cases.manage_clients", street_code)
    street = OrgUnit.objects.filter(code=street_code, level=Level.STREET).first()
    if street is None:
        raise _invalid("street", _("请选择受理的街道。"))
    key = secrets.token_urlsafe(24)
    client = Open311Client.objects.create(
        name=name.strip()[:100],
        contact=contact[:100],
        street=street,
        key_hash=hashlib.sha256(key.encode()).hexdigest(),
    )
    changelog.record(
        actor,
        Action.CREATE,
        client,
        after={"name": client.name, "street": street.code},
        scope_code=street.code,
    )
    return client, key


@transaction.atomic
def set_client_active(actor, pk, active: bool) -> Open311Client:
    """Stop (or resume) an application: a stopped application's api_key is refused at once."""
    client = Open311Client.objects.select_for_update().select_related("street").filter(pk=pk).first()
    if client is None or not scope.covers(actor, client.street.code, "cases.manage_clients"):
        raise NotFound()
    if client.active != active:
        client.active = active
        client.save(update_fields=["active"])
        changelog.record(
            actor,
            Action.UPDATE,
            client,
            before={"active": not active},
            after={"active": active},
            scope_code=client.street.code,
            note=_("启用接入应用") if active else _("停用接入应用"),
        )
    return client


def client_for_key(key: str) -> Open311Client | None:
    import hashlib

    if not key:
        return None
    return (
        Open311Client.objects.select_related("street")
        .filter(key_hash=hashlib.sha256(key.encode()).hexdigest(), active=True)
        .first()
    )
