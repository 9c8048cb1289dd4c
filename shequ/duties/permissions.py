from django.utils.translation import gettext_lazy as _

from shequ.core.roles import MANAGERS, STAFF, Role, register_permission

_ADMIN = {Role.SYSADMIN, Role.DISTRICT, Role.STREET}
_COMMUNITY = {Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER}

register_permission("duties.manage_lists", _ADMIN, _("维护事项清单"))
register_permission("duties.manage_policy", _ADMIN, _("设置准入审核小组、时限与减负上限"))
register_permission("duties.file_request", {Role.DEPARTMENT, Role.SYSADMIN}, _("提出准入申请"))
register_permission("duties.view_request", _ADMIN | {Role.DEPARTMENT}, _("查看准入申请"))
register_permission("duties.view_tasks", STAFF - {Role.GRID_WORKER} | {Role.DEPARTMENT}, _("查看下派任务"))
register_permission("duties.report_task", _COMMUNITY | {Role.SYSADMIN}, _("报告任务进度"))
register_permission("duties.refuse_task", {Role.COMMUNITY_LEAD, Role.SYSADMIN}, _("拒收未经准入的事项"))
register_permission("duties.register_entry", MANAGERS, _("登记常设台账、挂牌等负担"))
register_permission("duties.record_funding", {Role.DEPARTMENT, Role.SYSADMIN}, _("登记经费到位"))
register_permission("duties.view_certificates", _ADMIN | _COMMUNITY, _("查看证明出具记录"))
register_permission("duties.issue_certificate", _COMMUNITY | {Role.SYSADMIN}, _("出具证明"))
register_permission("duties.view_burden", STAFF - {Role.GRID_WORKER} | {Role.DEPARTMENT}, _("查看减负台账"))
register_permission("duties.manage_appraisals", _ADMIN, _("组织部门评议"))
register_permission("duties.appraise", {Role.COMMUNITY_LEAD, Role.SYSADMIN}, _("填写部门评议表"))
register_permission("duties.view_appraisals", _ADMIN | {Role.DEPARTMENT}, _("查看部门评议结果"))
