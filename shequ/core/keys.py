"""Key rotation: re-encrypt every encrypted column under the active key, in small batches.

Each batch commits on its own, and only rows not yet under the active key are selected, so an
interrupted run loses nothing and `shequ keys rotate --resume` picks up where it stopped."""

import logging
from collections import Counter

from django.apps import apps
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from shequ.core import changelog, crypto
from shequ.core.models import Action


def encrypted_models():
    for model in apps.get_models():
        fields = crypto.encrypted_fields(model)
        if fields:
            yield model, fields


def _stale_q(fields, active: str) -> Q:
    q = Q()
    for f in fields:
        q |= ~Q(**{f"{f.attname}__startswith": f"{active}:"}) & ~Q(**{f.attname: ""})
    return q


def status() -> dict:
    """Rows per key id, per model (reads the raw ciphertext prefixes)."""
    out = {}
    for model, fields in encrypted_models():
        counts = Counter()
        for f in fields:
            # Cast keeps the ciphertext as stored (the field would otherwise decrypt it).
            raw = model._base_manager.exclude(**{f.attname: ""}).values_list(
                Cast(f.attname, output_field=TextField()), flat=True
            )
            for value in raw.iterator():
                counts[crypto.key_id(value)] += 1
        out[model._meta.label] = dict(counts)
    return {"active": crypto.keyring().active, "source": crypto.keyring().source, "models": out}


def rotate(*, new_key: bool = True, batch_size: int = 500, echo=print) -> dict:
    """Make a new active key (unless resuming) and re-encrypt stale rows under it."""
    if new_key:
        kid = crypto.add_key()
        echo(f"新密钥 {kid} 已生成并设为当前密钥。")
    crypto.reset_keyring()
    active = crypto.keyring().active
    changelog.record(None, Action.KEYS, None, scope_code="", note=f"开始轮换到密钥 {active}")
    totals = {}
    for model, fields in encrypted_models():
        stale = model._base_manager.filter(_stale_q(fields, active))
        done = 0
        last_pk = None
        while True:
            qs = stale.order_by("pk")
            if last_pk is not None:
                qs = qs.filter(pk__gt=last_pk)
            pks = list(qs.values_list("pk", flat=True)[:batch_size])
            if not pks:
                break
            with transaction.atomic():
                objs = list(model._base_manager.select_for_update().filter(pk__in=pks))
                model._base_manager.bulk_update(objs, [f.name for f in fields])
            done += len(pks)
            last_pk = pks[-1]
            echo(f"{model._meta.label}: 已重新加密 {done} 行")
        totals[model._meta.label] = done
    changelog.record(
        None,
        Action.KEYS,
        None,
        scope_code="",
        note=f"轮换到密钥 {active} 完成：" + "，".join(f"{k} {v}" for k, v in totals.items()),
    )
    return {"active": active, "reencrypted": totals}


def self_check() -> dict:
    """Decrypt one stored value per encrypted column: catches a lost or swapped key file early."""
    for model, fields in encrypted_models():
        for f in fields:
            try:
                model._base_manager.exclude(**{f.attname: ""}).values_list(f.attname, flat=True).first()
            except Exception as exc:  # noqa: BLE001 - any failure means the data cannot be read
                # The probe is public: name the problem, not the key file's path or key ids.
                logging.getLogger("shequ.keys").error("field-key self-check failed: %s", exc)
                return {"ok": False, "error": f"{model._meta.label}.{f.name}: 无法解密，密钥缺失或不匹配"}
    return {"ok": True}
