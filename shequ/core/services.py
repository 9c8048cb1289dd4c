"""The shared mechanics of every write: role and scope check, validation, optimistic locking,
the post-write visibility re-check and the change-log row, in one transaction. App services
(`create_grid`, `assign_staff`, …) call these after their own business rules."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shequ.core import changelog, scope
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import Action


def require(actor, perm: str, code: str | None = None) -> None:
    """Raise Forbidden unless the actor holds `perm` over `code` (or anywhere, if code is None)."""
    if not actor or not actor.is_authenticated:
        raise Forbidden()
    if code is None:
        if not scope.holds(actor, perm):
            raise Forbidden()
        return
    if not scope.covers(actor, code, perm):
        raise Forbidden()


def get_visible(model, actor, pk, *, for_update: bool = False):
    """Fetch one row through visible_to; a row outside the scope is simply not found."""
    qs = model.objects.visible_to(actor)
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _clean(instance, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from None


def _recheck(actor, instance):
    if not type(instance).objects.visible_to(actor).filter(pk=instance.pk).exists():
        # The write would move the row out of the actor's own scope: refuse and roll back.
        raise Forbidden(_("修改后的记录将不在您的管辖范围内，操作已取消。"))


def _save(instance, **kwargs):
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError as exc:
        raise Conflict(
            _("与已有记录重复（编号或名称已存在），请检查后重试。"),
            code="duplicate",
        ) from exc


@transaction.atomic
def create(actor, instance, *, perm: str, note: str = "", batch: str = ""):
    """Validate and insert `instance` if the actor holds `perm` over where it will live."""
    instance.scope_code = instance.compute_scope_code() if hasattr(instance, "compute_scope_code") else ""
    require(actor, perm, getattr(instance, instance.scope_field))
    _clean(instance)
    _save(instance)
    _recheck(actor, instance)
    changelog.record(
        actor, Action.CREATE, instance, after=changelog.snapshot(instance), note=note, batch=batch
    )
    return instance


@transaction.atomic
def update(
    actor,
    model,
    pk,
    changes: dict,
    *,
    perm: str,
    expected_version: int | None = None,
    note: str = "",
    batch: str = "",
):
    """Lock the row, check scope before and after, apply `changes`, log before/after."""
    instance = get_visible(model, actor, pk, for_update=True)
    require(actor, perm, getattr(instance, model.scope_field))
    if expected_version is not None and hasattr(instance, "version") and instance.version != expected_version:
        raise Conflict()
    before = changelog.snapshot(instance)
    raw_before = changelog.raw_sensitive(instance)
    for k, v in changes.items():
        setattr(instance, k, v)
    if hasattr(instance, "compute_scope_code"):
        instance.scope_code = instance.compute_scope_code()
        require(actor, perm, instance.scope_code)
    _clean(instance)
    if hasattr(instance, "version"):
        instance.version = F("version") + 1
    _save(instance)
    instance.refresh_from_db()
    _recheck(actor, instance)
    after = changelog.snapshot(instance)
    changelog.record(
        actor,
        Action.UPDATE,
        instance,
        before=before,
        after=after,
        note=note,
        batch=batch,
        extra_changed=changelog.sensitive_changes(instance, raw_before),
    )
    return instance


@transaction.atomic
def delete(actor, model, pk, *, perm: str, note: str = ""):
    instance = get_visible(model, actor, pk, for_update=True)
    require(actor, perm, getattr(instance, model.scope_field))
    before = changelog.snapshot(instance)
    entry_pk = instance.pk
    from django.db.models import ProtectedError

    try:
        instance.delete()
    except ProtectedError:
        raise Conflict(_("该记录下还有关联数据，请先处理关联数据后再删除。"), code="protected") from None
    instance.pk = entry_pk
    changelog.record(actor, Action.DELETE, instance, before=before, note=note)
