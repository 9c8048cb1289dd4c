"""Roles and the permissions each role holds; modules register their own permissions here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", _("系统管理员")
    DISTRICT = "district", _("区级管理员")
    STREET = "street", _("街道管理员")
    COMMUNITY_LEAD = "community_lead", _("社区负责人")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    GRID_WORKER = "grid_worker", _("网格员")
    DEPARTMENT = "department", _("部门工作人员")
    RESIDENT = "resident", _("居民")


# Administrative roles must pass a TOTP second factor.
SECOND_FACTOR_ROLES = frozenset({Role.SYSADMIN, Role.DISTRICT, Role.STREET})

# Org levels at which each role may be placed (see org.models.Level).
ROLE_LEVELS = {
    Role.SYSADMIN: None,  # anywhere; scope is everything
    Role.DISTRICT: {"province", "city", "district"},
    Role.STREET: {"street"},
    Role.COMMUNITY_LEAD: {"community"},
    Role.COMMUNITY_WORKER: {"community"},
    Role.GRID_WORKER: {"grid"},
    Role.DEPARTMENT: {"province", "city", "district", "street"},
    Role.RESIDENT: {"community", "grid"},
}

STAFF = {
    Role.SYSADMIN,
    Role.DISTRICT,
    Role.STREET,
    Role.COMMUNITY_LEAD,
    Role.COMMUNITY_WORKER,
    Role.GRID_WORKER,
}
MANAGERS = {Role.SYSADMIN, Role.DISTRICT, Role.STREET, Role.COMMUNITY_LEAD}

_PERMISSIONS: dict[str, tuple[frozenset, str]] = {}
# Permissions a role holds only where a membership also carries a duty (专项职责): the highly
# sensitive ledgers are kept by the one clerk of a street or community charged with them, not by
# every holder of the role. permission code → duty code.
_DUTY_OF: dict[str, str] = {}
_DUTIES: dict[str, tuple[frozenset, str]] = {}


def register_permission(code: str, roles, label: str, *, duty: str | None = None) -> None:
    """Declare a permission and the roles that hold it (called from an app's AppConfig.ready).
    With `duty`, a membership of one of those roles holds it only if it carries that duty."""
    _PERMISSIONS[code] = (frozenset(roles), label)
    if duty:
        if duty not in _DUTIES:
            raise KeyError(f"unknown duty {duty!r}; register it with register_duty()")
        _DUTY_OF[code] = duty
    else:
        _DUTY_OF.pop(code, None)


def register_duty(code: str, roles, label: str) -> None:
    """Declare a duty (专项职责) that memberships of these roles may be given (Membership.duties)."""
    _DUTIES[code] = (frozenset(roles), label)


def duty_of(perm: str) -> str | None:
    """The duty a membership must carry to hold `perm` (None: the role alone holds it)."""
    return _DUTY_OF.get(perm)


def duties() -> dict[str, tuple[frozenset, str]]:
    """Every registered duty: code → (roles it may be given to, label)."""
    return dict(_DUTIES)


def membership_holds(m, perm: str) -> bool:
    """Does this membership hold `perm`: its role has it and, for a duty permission, it carries the duty."""
    if m.role not in roles_with(perm):
        return False
    duty = _DUTY_OF.get(perm)
    return duty is None or duty in (getattr(m, "duties", None) or [])


def roles_with(code: str) -> frozenset:
    try:
        return _PERMISSIONS[code][0]
    except KeyError:
        raise KeyError(f"unknown permission {code!r}; register it with register_permission()") from None


register_permission("core.view_changelog", MANAGERS, _("查看操作日志"))
register_permission("core.reveal_pii", STAFF, _("查看完整个人敏感信息"))
register_permission("core.manage_users", {Role.SYSADMIN, Role.DISTRICT, Role.STREET}, _("管理账号与授权"))
register_permission("core.manage_calendar", {Role.SYSADMIN, Role.DISTRICT}, _("维护节假日与调休安排"))
register_permission("core.undo_import", MANAGERS, _("撤销导入批次"))
register_permission("core.manage_import_synonyms", {Role.SYSADMIN, Role.DISTRICT}, _("维护导入同义词"))
register_permission("core.view_survey", MANAGERS | {Role.COMMUNITY_WORKER}, _("查看问卷结果"))
register_permission("core.manage_survey", MANAGERS, _("创建和管理问卷、发放填写码"))
