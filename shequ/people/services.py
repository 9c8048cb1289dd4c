"""The one door for writes to the resident registry: register, edit, population events, tags,
visits, households, house use and transfers between communities."""

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import attachments, changelog, scope, services
from shequ.core.crypto import lookup
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import Action
from shequ.core.validators import parse_id_number
from shequ.org.models import House, OrgUnit
from shequ.people import signals
from shequ.people.choices import DocType, EventKind, Relationship, Status
from shequ.people.models import (
    Household,
    PopulationEvent,
    Resident,
    ResidentTag,
    TagDefinition,
    Transfer,
    TransferStatus,
    Visit,
    duty_start,
    tag_intervals,
    visit_policy,
)
from shequ.people.tags import can_see

# Fields that change only through a population event, never through an edit.
EVENT_FIELDS = {
    "status",
    "house",
    "house_id",
    "household",
    "household_id",
    "relationship",
    "residence_type",
    "community",
    "community_id",
}


# --- documents ----------------------------------------------------------------------------------
def check_phone(phone) -> str:
    """A mobile or landline number, normalised; '' when none is given."""
    from shequ.core.validators import normalize_phone, validate_phone

    value = normalize_phone(phone or "")
    if not value:
        return ""
    try:
        validate_phone(value)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], details={"phone": exc.messages}) from None
    return value


def check_document(doc_type: str, number: str, *, gender: str | None = None, birth_date=None) -> dict:
    """Normalise a document number; for a 身份证 derive gender and birth date and check any given
    ones against it. Returns the fields to set; raises ValidationFailed with the reason."""
    number = "".join(str(number or "").split()).upper()
    if not number:
        raise ValidationFailed(_("请填写证件号码。"), details={"doc_number": [_("请填写证件号码。")]})
    if doc_type != DocType.ID_CARD:
        if len(number) < 5 or len(number) > 30:
            msg = _("证件号码长度应在 5 到 30 位之间。")
            raise ValidationFailed(msg, details={"doc_number": [msg]})
        return {"doc_number": number}
    try:
        info = parse_id_number(number)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], details={"doc_number": exc.messages}) from None
    if gender and gender in ("male", "female") and gender != info.gender:
        msg = _("性别与身份证号码不符：号码第 17 位表示%(g)s。") % {
            "g": _("男") if info.gender == "male" else _("女")
        }
        raise ValidationFailed(msg, details={"gender": [msg]})
    if birth_date and birth_date != info.birth_date:
        msg = _("出生日期与身份证号码不符：号码中的出生日期是 %(d)s。") % {"d": info.birth_date.isoformat()}
        raise ValidationFailed(msg, details={"birth_date": [msg]})
    return {"doc_number": info.number, "gender": info.gender, "birth_date": info.birth_date}


def find_by_document(number: str):
    """The registry row holding this document number, wherever it is (through the blind index).
    Callers decide what the actor may learn about it."""
    number = "".join(str(number or "").split()).upper()
    if not number:
        return None
    return (
        Resident.objects.filter(**lookup(Resident, "doc_number", number)).select_related("community").first()
    )


def seen_by(actor, resident) -> bool:
    """May the actor read this registry row (and so learn where it is kept)?"""
    return scope.covers(actor, resident.scope_code, "people.view_resident")


def duplicate(actor, existing) -> Conflict:
    """The answer to a document number already on the registry. Where the record lies outside the
    actor's scope they learn only that the person is registered elsewhere, not which community
    holds them or in what state (moved out, deceased): the way on is the transfer request, which
    the other community answers."""
    if not seen_by(actor, existing):
        message = _(
            "该证件号码已在其他社区登记，不能重复登记；如本人已搬来，请发起迁入申请，由原社区确认后迁入。"
        )
        return Conflict(
            message,
            code="duplicate_resident",
            details={
                "doc_number": [_("已在其他社区登记")],
                "request_transfer": ["POST /api/v1/people/transfers"],
            },
        )
    if existing.status == Status.ACTIVE:
        message = _("该证件号码已在%(c)s在册，不能重复登记；如本人已搬来，请发起迁入申请。") % {
            "c": existing.community.display_name
        }
    else:
        message = _("该证件号码已有登记（%(s)s，%(c)s），请在原记录上登记迁入，不要新建。") % {
            "s": existing.get_status_display(),
            "c": existing.community.display_name,
        }
    return Conflict(message, code="duplicate_resident", details={"doc_number": [message]})


# --- events -------------------------------------------------------------------------------------
def _event(actor, resident, kind, date, note="", batch="", **detail):
    return PopulationEvent.objects.create(
        resident=resident,
        kind=kind,
        date=date or timezone.localdate(),
        note=note[:300],
        actor=actor,
        batch=batch,
        detail=json.loads(json.dumps(detail, default=str)),
    )


def _house_in(actor, community: OrgUnit, house_id):
    """The chosen house, visible to the actor and inside the community (None when none chosen)."""
    if not house_id:
        return None
    house = House.objects.visible_to(actor).filter(pk=house_id).first()
    if house is None:
        raise NotFound(_("未找到该房屋，或它不在您的管辖范围内。"))
    if not house.scope_code.startswith(community.code):
        raise ValidationFailed(
            _("所选房屋不在%(c)s。") % {"c": community.display_name},
            details={"house": [_("房屋不在本社区。")]},
        )
    return house


def _community(actor, code, perm="people.manage_resident") -> OrgUnit:
    """The community a write lands in. The actor must hold `perm` somewhere in it (a grid worker
    holds it for one grid); the write itself is then checked against the exact house's scope."""
    unit = OrgUnit.objects.filter(code=code[:12], level="community").first()
    if unit is None:
        raise NotFound(_("未找到该社区。"))
    from shequ.core.roles import roles_with

    roots = scope.scope_codes(actor, roles_with(perm))
    if roots is not None and not any(unit.code.startswith(r) or r.startswith(unit.code) for r in roots):
        raise Forbidden()
    return unit


@transaction.atomic
def register_resident(
    actor, data: dict, *, community_code: str, kind=EventKind.REGISTER, event_date=None, note=""
):
    """Create a resident (建档, 迁入 or 出生) after checking the document and duplicates."""
    community = _community(actor, community_code)
    data = dict(data)
    house = _house_in(
        actor, community, data.pop("house_id", None) or getattr(data.pop("house", None), "pk", None)
    )
    if "phone" in data:
        data["phone"] = check_phone(data["phone"])
    data.update(
        check_document(
            data.get("doc_type") or DocType.ID_CARD,
            data.get("doc_number"),
            gender=data.get("gender"),
            birth_date=data.get("birth_date"),
        )
    )
    existing = find_by_document(data["doc_number"])
    if existing is not None:
        raise duplicate(actor, existing)
    household = data.pop("household", None)
    resident = Resident(community=community, house=house, **data)
    if household is not None:
        if household.house_id != getattr(house, "pk", None):
            raise ValidationFailed(_("所选的户不在该房屋。"))
        resident.household = household
    today = timezone.localdate()
    if (event_date and event_date > today) or (resident.move_in_date and resident.move_in_date > today):
        msg = _("日期不能晚于今天。")
        raise ValidationFailed(msg, details={"move_in_date": [msg]})
    if kind == EventKind.MOVE_IN and not resident.move_in_date:
        resident.move_in_date = event_date or timezone.localdate()
    services.create(actor, resident, perm="people.manage_resident", note=note)
    _event(
        actor,
        resident,
        kind,
        event_date,
        note,
        community=community.code,
        house=house.address if house else "",
    )
    if household is not None and resident.relationship == Relationship.HEAD and household.head_id is None:
        Household.objects.filter(pk=household.pk).update(head=resident)
    return resident


def update_resident(actor, pk, changes: dict, *, expected_version=None, note=""):
    """Edit the record's own facts; where someone lives and their status change only by events."""
    forbidden = EVENT_FIELDS & set(changes)
    if forbidden:
        raise ValidationFailed(
            _("居住房屋、所在户、人员状态和居住类型须通过登记人口变动来修改，不能直接编辑。"),
            code="use_event",
        )
    current = services.get_visible(Resident, actor, pk)
    changes = dict(changes)
    if "phone" in changes:
        changes["phone"] = check_phone(changes["phone"])
    if "doc_number" in changes or "gender" in changes or "birth_date" in changes or "doc_type" in changes:
        doc_type = changes.get("doc_type", current.doc_type)
        fixed = check_document(
            doc_type,
            changes.get("doc_number", current.doc_number),
            gender=changes.get("gender", current.gender),
            birth_date=changes.get("birth_date", current.birth_date),
        )
        other = find_by_document(fixed["doc_number"])
        if other is not None and other.pk != current.pk:
            raise duplicate(actor, other)
        changes.update(fixed)
    return services.update(
        actor,
        Resident,
        pk,
        changes,
        perm="people.manage_resident",
        expected_version=expected_version,
        note=note,
    )


def _leave_household(resident):
    if resident.household_id:
        Household.objects.filter(pk=resident.household_id, head=resident).update(head=None)
    resident.household = None
    resident.relationship = ""


@transaction.atomic
def record_event(
    actor,
    pk,
    kind: str,
    *,
    date=None,
    note="",
    house_id=None,
    household_id=None,
    relationship="",
    residence_type="",
    expected_version=None,
):
    """Apply a population event to a resident and keep it as a dated entry in their history."""
    resident = services.get_visible(Resident, actor, pk, for_update=True)
    services.require(actor, "people.manage_resident", resident.scope_code)
    if expected_version is not None and resident.version != expected_version:
        raise Conflict()
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ValidationFailed(_("变动日期不能晚于今天。"), details={"date": [_("变动日期不能晚于今天。")]})
    before = changelog.snapshot(resident)
    detail = {}
    if kind in (EventKind.MOVE_OUT, EventKind.DEATH):
        if resident.status != Status.ACTIVE and not (
            kind == EventKind.DEATH and resident.status == Status.MISSING
        ):
            raise Conflict(
                _("该居民当前状态为“%(s)s”，不能登记%(k)s。")
                % {"s": resident.get_status_display(), "k": EventKind(kind).label}
            )
        detail = {"house": resident.house.address if resident.house_id else ""}
        _leave_household(resident)
        resident.status = Status.MOVED_OUT if kind == EventKind.MOVE_OUT else Status.DECEASED
        resident.next_visit_due = None
    elif kind == EventKind.MOVE_IN:
        house = _house_in(actor, resident.community, house_id)
        if house is None:
            raise ValidationFailed(_("迁入须选择居住的房屋。"), details={"house": [_("请选择房屋。")]})
        if resident.status == Status.DECEASED:
            raise Conflict(_("该居民已登记死亡，不能迁入。"))
        detail = {"from": resident.house.address if resident.house_id else "", "to": house.address}
        if resident.house_id != house.pk:
            _leave_household(resident)
        resident.house, resident.status, resident.move_in_date = house, Status.ACTIVE, date
    elif kind == EventKind.HOUSEHOLD_CHANGE:
        household = (
            Household.objects.visible_to(actor).filter(pk=household_id).first() if household_id else None
        )
        if household_id and household is None:
            raise NotFound(_("未找到该户。"))
        if household is not None and household.house_id != resident.house_id:
            raise ValidationFailed(_("只能加入同一房屋内的户；搬到别处请登记迁入。"))
        if relationship and relationship not in Relationship.values:
            raise ValidationFailed(_("与户主关系不正确。"))
        detail = {
            "from_household": resident.household_id,
            "to_household": getattr(household, "pk", None),
            "from_relationship": resident.relationship,
            "to_relationship": relationship,
        }
        if household is None or household.pk != resident.household_id:
            _leave_household(resident)
        resident.household, resident.relationship = household, relationship
        if household is not None and relationship == Relationship.HEAD:
            Household.objects.filter(pk=household.pk).update(head=resident)
    elif kind == EventKind.SEPARATION_CHANGE:
        from shequ.people.choices import ResidenceType

        if residence_type not in ResidenceType.values:
            raise ValidationFailed(
                _("请选择新的居住类型。"), details={"residence_type": [_("请选择居住类型。")]}
            )
        detail = {"from": resident.residence_type, "to": residence_type}
        resident.residence_type = residence_type
    elif kind == EventKind.LOST_CONTACT:
        if resident.status != Status.ACTIVE:
            raise Conflict(_("只有在册人员可以登记失联。"))
        resident.status = Status.MISSING
    elif kind == EventKind.FOUND:
        if resident.status != Status.MISSING:
            raise Conflict(_("该居民不是失联状态。"))
        resident.status = Status.ACTIVE
    else:
        raise ValidationFailed(_("不支持的变动类型。"))
    resident.scope_code = resident.compute_scope_code()
    services.require(actor, "people.manage_resident", resident.scope_code)
    resident.version = F("version") + 1
    resident.save()
    resident.refresh_from_db()
    if kind in (EventKind.MOVE_OUT, EventKind.DEATH, EventKind.LOST_CONTACT, EventKind.FOUND):
        refresh_visit_policy(resident)
    _event(actor, resident, kind, date, note, **detail)
    changelog.record(
        actor,
        Action.UPDATE,
        resident,
        before=before,
        after=changelog.snapshot(resident),
        note=f"{EventKind(kind).label} {note}".strip(),
    )
    return resident


# --- tags and the visit policy -------------------------------------------------------------------
def _tag(actor, code) -> TagDefinition:
    tag = TagDefinition.objects.filter(code=code, active=True).first()
    if tag is None or not can_see(actor, tag):
        raise NotFound(_("未找到该标签。"))
    if tag.derived:
        raise ValidationFailed(_("“%(t)s”由出生日期或政治面貌自动得出，无需登记。") % {"t": tag.name})
    return tag


def refresh_visit_policy(resident) -> None:
    """Recompute one resident's visit interval and due date (see models.visit_policy)."""
    refresh_visit_policies([resident.pk])
    resident.refresh_from_db(fields=["visit_interval_days", "next_visit_due"])


def refresh_visit_policies(resident_ids) -> None:
    """The same for many residents: two queries and one bulk update per 2,000 residents."""
    from shequ.core import bulk

    ids = sorted(set(resident_ids))
    intervals = tag_intervals()
    for n in range(0, len(ids), 2000):
        chunk = ids[n : n + 2000]
        tags = {}
        for rid, key, start, recorded in (
            ResidentTag.objects.filter(resident_id__in=chunk)
            .current()
            .values_list("resident_id", "tag_key", "start_date", "created_at")
        ):
            tags.setdefault(rid, []).append(
                (intervals.get(key), duty_start(start, timezone.localdate(recorded)))
            )
        rows = [
            (*visit_policy(status, tags.get(pk, []), last), pk)
            for pk, status, last in Resident.objects.filter(pk__in=chunk).values_list(
                "pk", "status", "last_visit_on"
            )
        ]
        bulk.update(Resident, ["visit_interval_days", "next_visit_due"], rows)


@transaction.atomic
def set_tag(actor, pk, code: str, *, detail=None, start_date=None, note=""):
    """Put a recorded tag on a resident (or update its details)."""
    resident = services.get_visible(Resident, actor, pk, for_update=True)
    services.require(actor, "people.manage_resident", resident.scope_code)
    tag = _tag(actor, code)
    detail = {k: str(v) for k, v in (detail or {}).items() if k in tag.detail_fields and v}
    row, created = ResidentTag.objects.update_or_create(
        resident=resident,
        tag_key=tag.key,
        defaults={
            "detail": json.dumps(detail, ensure_ascii=False) if detail else "",
            "start_date": start_date or timezone.localdate(),
            "end_date": None,
            "note": note,
        },
    )
    refresh_visit_policy(resident)
    # The log names the tag only by its level: the log is read by more people than the tag is.
    changelog.record(
        actor, Action.UPDATE, resident, note=_("登记人群标签（%(s)s）") % {"s": tag.get_sensitivity_display()}
    )
    return row


@transaction.atomic
def end_tag(actor, pk, code: str, *, end_date=None, note=""):
    resident = services.get_visible(Resident, actor, pk, for_update=True)
    services.require(actor, "people.manage_resident", resident.scope_code)
    tag = _tag(actor, code)
    updated = (
        ResidentTag.objects.filter(resident=resident, tag_key=tag.key)
        .current()
        .update(end_date=end_date or timezone.localdate())
    )
    if not updated:
        raise NotFound(_("该居民没有这个标签。"))
    refresh_visit_policy(resident)
    changelog.record(
        actor, Action.UPDATE, resident, note=_("取消人群标签（%(s)s）") % {"s": tag.get_sensitivity_display()}
    )


# --- visits -------------------------------------------------------------------------------------
@transaction.atomic
def record_visit(
    actor, pk, *, method, findings="", visited_at=None, follow_up=False, follow_up_note="", photos=()
):
    """Record a visit; it resets the person's visit clock and may ask for a follow-up."""
    resident = services.get_visible(Resident, actor, pk, for_update=True)
    services.require(actor, "people.record_visit", resident.scope_code)
    visited_at = visited_at or timezone.now()
    if visited_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed(
            _("走访时间不能晚于现在。"), details={"visited_at": [_("走访时间不能晚于现在。")]}
        )
    if follow_up and not follow_up_note.strip():
        raise ValidationFailed(
            _("需要跟进时请写明跟进事项。"), details={"follow_up_note": [_("请写明跟进事项。")]}
        )
    photos = attachments.clean_photos(photos)
    visit = Visit.objects.create(
        resident=resident,
        visited_at=visited_at,
        visitor=actor,
        visitor_name=str(actor)[:50],
        method=method,
        findings=findings,
        follow_up=follow_up,
        follow_up_note=follow_up_note[:200],
    )
    attachments.attach(visit, resident.scope_code, photos, actor)
    day = timezone.localtime(visited_at).date()
    if resident.last_visit_on is None or day > resident.last_visit_on:
        Resident.objects.filter(pk=resident.pk).update(last_visit_on=day)
        resident.last_visit_on = day
    refresh_visit_policy(resident)
    changelog.record(
        actor,
        Action.CREATE,
        visit,
        after={"resident": resident.pk, "method": method, "follow_up": follow_up},
        scope_code=resident.scope_code,
    )
    if follow_up:
        transaction.on_commit(
            lambda: signals.visit_needs_follow_up.send(sender=Visit, visit=visit, actor=actor)
        )
    return visit


# --- households and houses ----------------------------------------------------------------------
@transaction.atomic
def create_household(actor, *, house_id, head_id=None, **fields):
    house = (
        House.objects.visible_to(actor)
        .select_related("unit__building__grid__community")
        .filter(pk=house_id)
        .first()
    )
    if house is None:
        raise NotFound(_("未找到该房屋，或它不在您的管辖范围内。"))
    hh = Household(house=house, community=house.unit.building.grid.community, **fields)
    services.create(actor, hh, perm="people.manage_resident")
    if head_id:
        record_event(
            actor,
            head_id,
            EventKind.HOUSEHOLD_CHANGE,
            household_id=hh.pk,
            relationship=Relationship.HEAD,
            note=_("立户"),
        )
        hh.refresh_from_db()
    return hh


def update_household(actor, pk, changes: dict, *, expected_version=None):
    if {"house", "house_id", "head", "head_id", "community"} & set(changes):
        raise ValidationFailed(_("户主和房屋须通过户内变更或迁入登记修改。"), code="use_event")
    return services.update(
        actor, Household, pk, changes, perm="people.manage_resident", expected_version=expected_version
    )


def set_house_use(actor, pk, *, use, owner_name=None, expected_version=None):
    """Set a house's use (and its owner's name, when given: None keeps it)."""
    changes = {"use": use} if owner_name is None else {"use": use, "owner_name": owner_name}
    return services.update(
        actor, House, pk, changes, perm="people.manage_resident", expected_version=expected_version
    )


# --- transfers between communities --------------------------------------------------------------
@transaction.atomic
def request_transfer(actor, *, doc_number: str, to_community_code: str, to_house_id=None, reason=""):
    """The receiving community asks for a person already 在册 elsewhere. Knowing the full document
    number is what entitles the requester to find the record; they learn only its community."""
    community = _community(actor, to_community_code)
    house = _house_in(actor, community, to_house_id)
    existing = find_by_document(doc_number)
    if existing is None:
        raise NotFound(_("没有找到该证件号码的登记，可直接新建。"))
    if existing.community_id == community.pk:
        raise Conflict(_("该居民已在本社区登记。"))
    if existing.status == Status.DECEASED:
        raise Conflict(_("该证件号码的登记人已登记死亡，不能迁入。请核对证件号码。"))
    if Transfer.objects.filter(resident=existing, status=TransferStatus.PENDING).exists():
        raise Conflict(_("该居民已有一条待确认的迁移申请，请勿重复提交。"), code="duplicate_transfer")
    t = Transfer.objects.create(
        resident=existing,
        from_code=existing.scope_code,
        to_community=community,
        to_house=house,
        to_code=house.scope_code if house else community.code,
        reason=reason[:200],
        requested_by=actor,
    )
    changelog.record(
        actor,
        Action.CREATE,
        t,
        scope_code=t.to_code,
        after={"from": existing.community.code, "to": community.code},
    )
    changelog.record(actor, Action.CREATE, t, scope_code=t.from_code, note=_("收到迁入申请"))
    return t


@transaction.atomic
def decide_transfer(actor, pk, *, accept: bool, note=""):
    """The community the person leaves (or a street above both) confirms or refuses."""
    t = Transfer.objects.visible_to(actor).select_for_update().filter(pk=pk).first()
    if t is None:
        raise NotFound()
    services.require(actor, "people.manage_resident", t.from_code)
    if t.status != TransferStatus.PENDING:
        raise Conflict(_("该申请已处理（%(s)s）。") % {"s": t.get_status_display()})
    t.status = TransferStatus.ACCEPTED if accept else TransferStatus.REFUSED
    t.decided_by, t.decided_at, t.decision_note = actor, timezone.now(), note[:200]
    t.save()
    if accept:
        resident = Resident.objects.select_for_update().get(pk=t.resident_id)
        before = changelog.snapshot(resident)
        _event(actor, resident, EventKind.MOVE_OUT, None, note, to=t.to_community.code)
        _leave_household(resident)
        resident.community, resident.house, resident.status = t.to_community, t.to_house, Status.ACTIVE
        resident.move_in_date = timezone.localdate()
        resident.scope_code = resident.compute_scope_code()
        resident.version = F("version") + 1
        resident.save()
        resident.refresh_from_db()
        _event(actor, resident, EventKind.MOVE_IN, None, note, **{"from": before["community"]})
        refresh_visit_policy(resident)
        changelog.record(
            actor,
            Action.UPDATE,
            resident,
            before=before,
            after=changelog.snapshot(resident),
            scope_code=t.from_code,
            note=_("迁出至%(c)s") % {"c": t.to_community.display_name},
        )
        changelog.record(actor, Action.UPDATE, resident, scope_code=t.to_code, note=_("迁入"))
    return t


@transaction.atomic
def cancel_transfer(actor, pk):
    t = Transfer.objects.visible_to(actor).select_for_update().filter(pk=pk).first()
    if t is None:
        raise NotFound()
    services.require(actor, "people.manage_resident", t.to_code)
    if t.status != TransferStatus.PENDING:
        raise Conflict(_("该申请已处理（%(s)s）。") % {"s": t.get_status_display()})
    t.status = TransferStatus.CANCELLED
    t.decided_by, t.decided_at = actor, timezone.now()
    t.save()
    return t


# --- tag settings -------------------------------------------------------------------------------
@transaction.atomic
def save_tag_definition(actor, *, pk=None, **fields):
    """Create or edit a tag definition (administrators of a street or above)."""
    services.require(actor, "people.manage_tags")
    if fields.get("sensitivity") != "highly_sensitive":
        fields["granted_roles"] = []
    fields.pop("rule", None)
    if pk is None:
        tag = TagDefinition(**fields)
        before = None
    else:
        tag = TagDefinition.objects.select_for_update().filter(pk=pk).first()
        if tag is None:
            raise NotFound()
        before = changelog.snapshot(tag)
        fields.pop("code", None)  # residents' rows are keyed by the code's hash
        for k, v in fields.items():
            setattr(tag, k, v)
    try:
        tag.full_clean()
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from None
    tag.save()
    if before is not None and (
        before.get("visit_interval_days") != tag.visit_interval_days or before.get("active") != tag.active
    ):
        # Everyone carrying the tag gets their due date recomputed under the new policy.
        refresh_visit_policies(
            ResidentTag.objects.filter(tag_key=tag.key).values_list("resident_id", flat=True)
        )
    changelog.record(
        actor,
        Action.CREATE if before is None else Action.UPDATE,
        tag,
        before=before,
        after=changelog.snapshot(tag),
        scope_code="",
    )
    return tag
