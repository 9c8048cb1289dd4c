"""Writing the change log: snapshots with sensitive fields redacted, one row per act."""

import json
import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _

from shequ.core import context
from shequ.core.models import Action, ChangeLogEntry

REDACTED = "***"


# Never logged, whatever the model: credential material.
ALWAYS_REDACTED = {"password", "totp_secret", "totp_last_step", "key_hash"}


def _is_sensitive(field) -> bool:
    return getattr(field, "sensitive", False) or field.name in ALWAYS_REDACTED


def snapshot(instance) -> dict:
    """JSON-able dict of concrete fields; sensitive ones appear only as REDACTED (or empty)."""
    out = {}
    for f in instance._meta.concrete_fields:
        value = f.value_from_object(instance)
        if _is_sensitive(f):
            out[f.name] = REDACTED if value else ""
        else:
            out[f.name] = value
    return json.loads(json.dumps(out, cls=DjangoJSONEncoder))


def sensitive_changes(instance, before_raw: dict) -> list[str]:
    """Names of sensitive fields whose plaintext changed (their values never reach the log)."""
    return [
        f.name
        for f in instance._meta.concrete_fields
        if _is_sensitive(f) and f.name in before_raw and before_raw[f.name] != f.value_from_object(instance)
    ]


def raw_sensitive(instance) -> dict:
    return {f.name: f.value_from_object(instance) for f in instance._meta.concrete_fields if _is_sensitive(f)}


def record(
    actor,
    action: str,
    instance=None,
    *,
    before=None,
    after=None,
    note: str = "",
    batch: str = "",
    scope_code: str | None = None,
    extra_changed=(),
) -> ChangeLogEntry:
    """Write one change-log row under the current request context."""
    ctx = context.current()
    changed = []
    if before is not None and after is not None:
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    changed = sorted(set(changed) | set(extra_changed))
    for noise in ("updated_at", "version"):
        if noise in changed and len(changed) > 1:
            changed.remove(noise)
    return ChangeLogEntry.objects.create(
        user=actor if getattr(actor, "pk", None) else None,
        username=getattr(actor, "username", "") or "",
        ip=ctx.ip,
        request_id=ctx.request_id,
        channel=ctx.channel,
        action=action,
        content_type=ContentType.objects.get_for_model(instance) if instance is not None else None,
        object_id=str(instance.pk) if instance is not None and instance.pk is not None else "",
        object_repr=str(instance)[:200] if instance is not None else "",
        scope_code=scope_code if scope_code is not None else getattr(instance, "scope_code", "") or "",
        before=before,
        after=after,
        changed=changed,
        note=note[:500],
        batch=batch,
    )


# Labels of the columns that models leave without a verbose name because no form shows them: the
# bookkeeping every module shares (who, when, which version) and the clocks and counters a workflow
# stamps. A field's own verbose name always comes first.
FIELD_LABELS = {
    "created_at": _("创建时间"),
    "updated_at": _("更新时间"),
    "created_by": _("创建人"),
    "created": _("新建"),
    "version": _("版本号"),
    "version_after": _("修改后版本号"),
    "ended_at": _("结束时间"),
    "submitted_at": _("提交时间"),
    "requested_at": _("申请时间"),
    "requested_by": _("申请人"),
    "decided_at": _("决定时间"),
    "decided_by": _("决定人"),
    "published_by": _("发布人"),
    "filled_by": _("填写人"),
    "author": _("填写人"),
    "actor": _("操作人"),
    "reminded_at": _("提醒时间"),
    "overdue_at": _("逾期时间"),
    "warned_at": _("临期预警时间"),
    "escalated_at": _("超期上报时间"),
    "parked_at": _("挂账时间"),
    "parked_from": _("挂账前状态"),
    "supervised_at": _("督办时间"),
    "paused_hours": _("挂账工作小时"),
    "return_count": _("退单次数"),
    "rework_count": _("返工次数"),
    "extension_count": _("延期次数"),
    "failed_logins": _("连续登录失败次数"),
    "locked_until": _("锁定至"),
    "totp_last_step": _("动态口令使用记录"),
    "key_hash": _("密钥摘要"),
    "prefix": _("前缀"),
    "label": _("名称"),
    "expires_at": _("到期时间"),
    "revoked_at": _("撤销时间"),
    "last_used_at": _("最近使用时间"),
    "tracking_token": _("查询凭证"),
    "requester_user": _("诉求人账号"),
    "origin_code": _("申请部门所在区划"),
    "from_code": _("迁出地"),
    "to_code": _("迁入地"),
    "from_status": _("原状态"),
    "to_status": _("新状态"),
    "public": _("公开"),
    "data": _("数据"),
    "tag_key": _("标签"),
    "owner_type": _("所属对象类型"),
    "owner_id": _("所属对象编号"),
    "model": _("对象类型"),
    "object_id": _("对象编号"),
    "before": _("修改前"),
    "records": _("导入记录"),
    "content": _("内容"),
    "code": _("编码"),
    "sha256": _("文件校验值"),
    "key": _("键"),
    "value": _("值"),
    "bbox_min_lng": _("边界范围"),
    "bbox_min_lat": _("边界范围"),
    "bbox_max_lng": _("边界范围"),
    "bbox_max_lat": _("边界范围"),
}
_AUTO_NAME = re.compile(r"^[a-z0-9 ]+$")


def field_label(model, name: str) -> str:
    """The label a person reads for a model's field in the change log: its verbose name, else the
    kernel's label for the shared bookkeeping columns, else (a relation) the related model's name."""
    try:
        f = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        f = None
    if f is not None and not f.auto_created:  # reverse relations are auto-created: no verbose name
        verbose = str(getattr(f, "verbose_name", "") or "")
        if verbose and not (_AUTO_NAME.match(verbose) and verbose == name.replace("_", " ")):
            return verbose
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    from shequ.core.crypto import BlindIndexField

    if isinstance(f, BlindIndexField):  # a blind index reads as the index of its field
        return _("%(f)s检索索引") % {"f": field_label(model, f.source)}
    related = getattr(f, "related_model", None) if f is not None else None
    if related is not None:
        meta = related._meta
        return str(meta.verbose_name_plural if f.one_to_many or f.many_to_many else meta.verbose_name)
    return name


def field_labels(model, names) -> list[str]:
    """Labels of changed fields, each once, in the given order."""
    out = []
    for n in names or ():
        label = field_label(model, n)
        if label not in out:
            out.append(label)
    return out


def history(instance):
    """Change-log rows of one object, newest first. A row an import created has no entry of its
    own (a 100,000-row import writes one, for the batch): the batch's import entry is its first."""
    from django.db.models import Q

    from shequ.core.models import ImportBatch

    q = Q(content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk))
    batch_id = getattr(instance, "import_batch_id", None)
    if batch_id:
        q |= Q(
            content_type=ContentType.objects.get_for_model(ImportBatch),
            object_id=str(batch_id),
            action=Action.IMPORT,
        )
    return ChangeLogEntry.objects.filter(q).select_related("user")


__all__ = ["Action", "record", "snapshot", "history", "REDACTED"]
