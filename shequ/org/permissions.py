from django.utils.translation import gettext_lazy as _

from shequ.core.roles import STAFF, Role, register_permission

_ADMIN = {Role.SYSADMIN, Role.DISTRICT, Role.STREET}
register_permission("org.import_divisions", {Role.SYSADMIN}, _("导入行政区划"))
register_permission("org.manage_grid", _ADMIN | {Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER}, _("维护网格"))
register_permission(
    "org.manage_building",
    _ADMIN | {Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER, Role.GRID_WORKER},
    _("维护楼栋房屋"),
)
register_permission(
    "org.manage_assignment", _ADMIN | {Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER}, _("任免网格责任人")
)
register_permission(
    "org.manage_resident_org",
    _ADMIN | {Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER, Role.GRID_WORKER},
    _("维护驻区单位"),
)
# A house's owner and who lives there are the resident registry's business: department staff see
# the org structure (grids, buildings, house numbers) but not the house ledger.
register_permission("org.view_house", STAFF, _("查看房屋用途、产权人与居住情况"))
