from django.utils.translation import gettext_lazy as _

from shequ.core.roles import STAFF, Role, register_permission

_ADMIN = {Role.SYSADMIN, Role.DISTRICT, Role.STREET}
register_permission("people.view_resident", STAFF, _("查看居民台账"))
register_permission("people.manage_resident", STAFF, _("维护居民台账"))
register_permission("people.import_residents", STAFF, _("导入居民"))
register_permission("people.record_visit", STAFF, _("登记走访"))
register_permission("people.manage_tags", _ADMIN, _("设置人群标签"))
register_permission("people.view_sensitive_tags", STAFF, _("查看敏感人群标签"))
