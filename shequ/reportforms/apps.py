from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportFormsConfig(AppConfig):
    name = "shequ.reportforms"
    label = "reportforms"
    verbose_name = _("一表通")
    shequ_module = True
    nav_label = _("一表通")

    @property
    def nav(self):
        from shequ.core.registry import NavItem
        from shequ.reportforms.models import MANAGE, VIEW

        return [
            NavItem(_("报表台账登记"), "reportforms:register", "journal-check", perm=VIEW),
            NavItem(_("上传上级表样"), "reportforms:upload", "file-earmark-arrow-up", perm=MANAGE),
        ]

    def ready(self):
        from shequ.core import registry
        from shequ.core.roles import MANAGERS, STAFF, Role, register_permission
        from shequ.reportforms import models as m
        from shequ.reportforms.services import burden_measure

        register_permission(m.VIEW, STAFF - {Role.GRID_WORKER}, _("查看报表台账登记，生成上级报表"))
        register_permission(m.MANAGE, MANAGERS, _("登记报表台账，上传上级表样并绑定指标"))
        register_permission(m.ENTER, MANAGERS | {Role.COMMUNITY_WORKER}, _("填写报表中的人工填报项"))
        registry.register_burden_measure(burden_measure)
