"""Lists and their versions, and the district's or street's policy and review group."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import changelog
from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import Action, User
from shequ.core.services import _clean, get_visible, require
from shequ.duties.models import (
    METRIC_FIELDS,
    DutyItem,
    DutyList,
    DutyPolicy,
    ListStatus,
    ReviewMember,
)
from shequ.duties.services.common import _invalid, ancestor_codes
from shequ.org.models import Level, OrgUnit


# --- lists ----------------------------------------------------------------------------------------
def lists_in_force(codes, day: dt.date | None = None):
    """The published list versions (district and street) that govern an org code (or any of
    several codes) on a day."""
    day = day or timezone.localdate()
    codes = [codes] if isinstance(codes, str) else list(codes)
    governing = {a for c in codes for a in ancestor_codes(c)}
    return (
        DutyList.objects.filter(org__code__in=governing, effective_from__lte=day)
        .exclude(status=ListStatus.DRAFT)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .select_related("org")
    )


def items_in_force(codes, kind: str | None = None, day: dt.date | None = None):
    """Items of the versions in force over a code, or over several (each item applies below its
    list's `scope_code`)."""
    qs = DutyItem.objects.filter(duty_list__in=lists_in_force(codes, day)).select_related("duty_list")
    return qs.filter(kind=kind) if kind else qs


def _list_org(org) -> OrgUnit:
    if org.level not in (Level.DISTRICT, Level.STREET):
        raise _invalid("org", _("事项清单由区或街道制定，请选择区或街道。"))
    return org


@transaction.atomic
def create_list(
    actor, *, org, title, effective_from, basis="", notes="", copy_from=None, blank=False
) -> DutyList:
    """A new draft version for a district or street: a copy of `copy_from` (by default the version
    in force, else the latest), or empty with `blank`."""
    org = _list_org(org)
    require(actor, "duties.manage_lists", org.code)
    last = DutyList.objects.select_for_update().filter(org=org).order_by("-number").first()
    if copy_from is None and last is not None and not blank:
        copy_from = lists_in_force(org.code).filter(org=org).first() or last
    dl = DutyList(
        org=org,
        title=title,
        effective_from=effective_from,
        basis=basis,
        notes=notes,
        number=(last.number + 1) if last else 1,
    )
    _clean(dl)
    dl.save()  # logged below, once the copied items are in
    if copy_from is not None:
        if copy_from.org_id != org.id:
            raise _invalid("copy_from", _("只能在本单位已有清单的基础上修订。"))
        items = list(copy_from.items.all())
        for it in items:
            it.pk = None
            it.duty_list = dl
            it.scope_code = dl.scope_code
            it.version = 1
        DutyItem.objects.bulk_create(items)
    changelog.record(actor, Action.CREATE, dl, after=changelog.snapshot(dl))
    return dl


def _draft(actor, list_pk) -> DutyList:
    dl = get_visible(DutyList, actor, list_pk, for_update=True)
    require(actor, "duties.manage_lists", dl.scope_code)
    if dl.status != ListStatus.DRAFT:
        raise Conflict(_("已发布的清单不能修改；如需调整，请新建一个版本。"), code="list_published")
    return dl


ITEM_FIELDS = (
    "code",
    "kind",
    "title",
    "basis",
    "department",
    "set_by",
    "frequency",
    "hours_per_month",
    "ledgers",
    "forms",
    "funding_required",
    "funding_standard",
    "redirect",
    "keywords",
    "position",
)


@transaction.atomic
def save_item(actor, duty_list, *, pk=None, **fields) -> DutyItem:
    """Add or change an item of a draft version."""
    dl = _draft(actor, getattr(duty_list, "pk", duty_list))
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise _invalid("__all__", _("未知字段：%s") % "、".join(sorted(unknown)))
    if pk is None:
        item = DutyItem(
            duty_list=dl, set_by=dl.org.level if dl.org.level in ("district", "street") else "district"
        )
        before = None
    else:
        item = DutyItem.objects.filter(duty_list=dl, pk=pk).first()
        if item is None:
            raise NotFound()
        before = changelog.snapshot(item)
    for k, v in fields.items():
        setattr(item, k, v)
    _validate_item(item)
    _clean(item)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise _invalid("code", _("事项编号“%s”在本清单中已存在。") % item.code) from None
    changelog.record(
        actor,
        Action.CREATE if before is None else Action.UPDATE,
        item,
        before=before,
        after=changelog.snapshot(item),
    )
    return item


def _validate_item(item) -> None:
    if item.funding_required and not item.funding_standard:
        raise _invalid("funding_standard", _("须随事拨付经费的事项请填写经费标准。"))


@transaction.atomic
def delete_item(actor, pk) -> None:
    item = get_visible(DutyItem, actor, pk)
    _draft(actor, item.duty_list_id)
    before = changelog.snapshot(item)
    item.delete()
    item.pk = pk
    changelog.record(actor, Action.DELETE, item, before=before)


@transaction.atomic
def replace_items(actor, duty_list, rows: list[dict]) -> int:
    """Replace a draft's items with imported rows: all rows or none."""
    dl = _draft(actor, getattr(duty_list, "pk", duty_list))
    items, errors, seen = [], {}, set()
    for i, row in enumerate(rows, start=1):
        item = DutyItem(duty_list=dl, scope_code=dl.scope_code)
        for k, v in row.items():
            if k in ITEM_FIELDS:
                setattr(item, k, v)
        try:
            if item.code in seen:
                raise _invalid("code", _("事项编号“%s”重复。") % item.code)
            seen.add(item.code)
            _validate_item(item)
            # Uniqueness is checked within the file above: the draft's current items go.
            item.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors[f"row_{i}"] = [str(m) for m in exc.messages]
        except ValidationFailed as exc:
            errors[f"row_{i}"] = [exc.message]
        items.append(item)
    if errors:
        raise ValidationFailed(_("有 %d 行内容有误，未导入任何事项。") % len(errors), details=errors)
    dl.items.all().delete()
    DutyItem.objects.bulk_create(items)
    changelog.record(actor, Action.IMPORT, dl, note=_("导入清单事项 %d 项") % len(items))
    return len(items)


@transaction.atomic
def publish_list(actor, pk, *, expected_version=None) -> DutyList:
    """Publish a draft; the version in force before it ends the day before this one takes effect."""
    dl = _draft(actor, pk)
    if expected_version is not None and dl.version != expected_version:
        raise Conflict()
    if not dl.items.exists():
        raise _invalid("__all__", _("清单中还没有事项，不能发布。"))
    earlier = DutyList.objects.select_for_update().filter(org=dl.org).exclude(pk=dl.pk)
    earlier = earlier.exclude(status=ListStatus.DRAFT)
    later = earlier.filter(effective_from__gte=dl.effective_from).first()
    if later is not None:
        raise _invalid(
            "effective_from",
            _("生效日期须晚于已发布的第 %(n)d 版（%(d)s 起生效）。")
            % {"n": later.number, "d": later.effective_from},
        )
    end = dl.effective_from - dt.timedelta(days=1)
    for prev in earlier.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=end)):
        before = changelog.snapshot(prev)
        prev.effective_to = end
        prev.status = ListStatus.SUPERSEDED
        prev.version = F("version") + 1
        prev.save(update_fields=["effective_to", "status", "version", "updated_at"])
        prev.refresh_from_db()
        changelog.record(actor, Action.UPDATE, prev, before=before, after=changelog.snapshot(prev))
    before = changelog.snapshot(dl)
    dl.status = ListStatus.PUBLISHED
    dl.published_at = timezone.now()
    dl.published_by = actor
    dl.version = F("version") + 1
    dl.save()
    dl.refresh_from_db()
    changelog.record(actor, Action.UPDATE, dl, before=before, after=changelog.snapshot(dl), note=_("发布"))
    return dl


# --- policy and review group ----------------------------------------------------------------------
def policies_for(codes) -> dict[str, DutyPolicy | None]:
    """The nearest district or street policy at or above each org code (one query for all)."""
    codes = list(codes)
    found = {
        p.org.code: p
        for p in DutyPolicy.objects.filter(
            org__code__in={a for c in codes for a in ancestor_codes(c)}
        ).select_related("org")
    }
    return {c: next((found[a] for a in reversed(ancestor_codes(c)) if a in found), None) for c in codes}


def policy_for(code: str) -> DutyPolicy | None:
    """The nearest district or street policy at or above an org code."""
    return policies_for([code])[code]


_POLICY_FIELDS = (
    "group_name",
    "decision_rule",
    "notice_days",
    "review_days",
    "fast_track_days",
    "reminder_days",
    "caps",
    "baseline",
)


@transaction.atomic
def save_policy(actor, org, **fields) -> DutyPolicy:
    """Create or change the admission and burden settings of a district or street."""
    org = _list_org(org)
    require(actor, "duties.manage_policy", org.code)
    unknown = set(fields) - set(_POLICY_FIELDS)
    if unknown:
        raise _invalid("__all__", _("未知字段：%s") % "、".join(sorted(unknown)))
    policy = DutyPolicy.objects.select_for_update().filter(org=org).first()
    before = changelog.snapshot(policy) if policy else None
    policy = policy or DutyPolicy(org=org)
    for k, v in fields.items():
        if k in ("caps", "baseline"):
            v = _metric_dict(k, v)
        setattr(policy, k, v)
    _clean(policy)
    if before is not None:
        policy.version = F("version") + 1
    policy.save()
    policy.refresh_from_db()
    changelog.record(
        actor,
        Action.UPDATE if before else Action.CREATE,
        policy,
        before=before,
        after=changelog.snapshot(policy),
    )
    return policy


def _metric_dict(field: str, value) -> dict:
    out = {}
    for k, v in (value or {}).items():
        if k not in METRIC_FIELDS:
            raise _invalid(field, _("未知指标：%s") % k)
        if v in (None, ""):
            continue
        try:
            n = int(v)
        except (TypeError, ValueError):
            raise _invalid(field, _("%s 须为整数。") % k) from None
        if n < 0:
            raise _invalid(field, _("%s 不能为负数。") % k)
        out[k] = n
    return out


@transaction.atomic
def set_members(actor, policy, members: list[dict]) -> list[ReviewMember]:
    """Replace the review group: each member {user, title, is_chair}; exactly one chair."""
    policy = get_visible(DutyPolicy, actor, getattr(policy, "pk", policy), for_update=True)
    require(actor, "duties.manage_policy", policy.scope_code)
    users = [m["user"] for m in members]
    if not members:
        raise _invalid("members", _("审核小组至少需要一名成员。"))
    if len({getattr(u, "pk", u) for u in users}) != len(users):
        raise _invalid("members", _("同一账号不能重复加入审核小组。"))
    if sum(1 for m in members if m.get("is_chair")) != 1:
        raise _invalid("members", _("审核小组须有且只有一名组长。"))
    before = [f"{m.user_id}:{m.is_chair}" for m in policy.members.all()]
    policy.members.all().delete()
    rows = [
        ReviewMember(
            policy=policy,
            user=m["user"] if isinstance(m["user"], User) else User.objects.get(pk=m["user"]),
            title=m.get("title", ""),
            is_chair=bool(m.get("is_chair")),
        )
        for m in members
    ]
    for r in rows:
        r.save()
    changelog.record(
        actor,
        Action.UPDATE,
        policy,
        before={"members": before},
        after={"members": [f"{r.user_id}:{r.is_chair}" for r in rows]},
        note=_("调整审核小组成员"),
    )
    return rows
