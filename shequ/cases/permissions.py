from django.utils.translation import gettext_lazy as _

from shequ.core.roles import MANAGERS, STAFF, Role, register_permission

_ADMIN = {Role.SYSADMIN, Role.DISTRICT, Role.STREET}
_DISPATCHERS = MANAGERS | {Role.COMMUNITY_WORKER}
_HANDLERS = STAFF | {Role.DEPARTMENT}

register_permission("cases.view_case", _HANDLERS, _("查看诉求与案件"))
register_permission("cases.register_case", STAFF, _("登记诉求、上报事件"))
register_permission("cases.dispatch_case", _DISPATCHERS, _("立案、派遣、结案"))
register_permission("cases.handle_case", _HANDLERS, _("签收、处置、反馈、退单、申请延期"))
register_permission("cases.verify_case", STAFF, _("现场核查"))
register_permission("cases.callback_case", STAFF, _("回访"))
register_permission("cases.supervise_case", MANAGERS | {Role.DISTRICT}, _("督办"))
register_permission("cases.view_indicators", MANAGERS | {Role.DEPARTMENT}, _("查看考核指标"))
register_permission("cases.import_hotline", _ADMIN | {Role.COMMUNITY_LEAD}, _("导入12345工单"))
register_permission("cases.manage_categories", _ADMIN, _("维护案件类别与时限"))
register_permission("cases.manage_clients", _ADMIN, _("管理 Open311 接入应用"))
