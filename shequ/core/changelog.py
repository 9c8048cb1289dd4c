"""Writing the change log: snapshots with sensitive fields redacted, one row per act."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder

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


def history(instance):
    """Change-log rows of one object, newest first."""
    return ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
    ).select_related("user")


__all__ = ["Action", "record", "snapshot", "history", "REDACTED"]
