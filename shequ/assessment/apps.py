from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "shequ.assessment"
    label = "assessment"
    verbose_name = _("考核评估")
    shequ_module = True
    nav_label = _("考核评估")

    @property
    def nav(self):
        from shequ.assessment.models import MANAGE, SELF, VIEW
        from shequ.core.registry import NavItem

        return [
            NavItem(_("考核轮次"), "assessment:round-list", "clipboard-data", perm=VIEW),
            NavItem(_("本社区考核"), "assessment:mine", "person-badge", perm=SELF),
            NavItem(_("考核方案"), "assessment:scheme-list", "ui-checks-grid", perm=VIEW),
            NavItem(_("新建方案"), "assessment:scheme-build", "plus-square", perm=MANAGE),
            NavItem(_("创建称号"), "assessment:title-list", "award", perm=VIEW),
            NavItem(_("社区类型与规模"), "assessment:profiles", "houses", perm=VIEW),
        ]

    def ready(self):
        from shequ.assessment.models import MANAGE, SELF, VIEW
        from shequ.core.roles import MANAGERS, Role, register_permission

        register_permission(VIEW, MANAGERS | {Role.COMMUNITY_WORKER}, _("查看考核方案、轮次与结果"))
        register_permission(
            MANAGE,
            {Role.SYSADMIN, Role.DISTRICT, Role.STREET},
            _("制定考核方案、组织考核与创建验收、处理异议"),
        )
        register_permission(
            SELF,
            {Role.SYSADMIN, Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER},
            _("本社区自评、提出异议、申报创建"),
        )
        from shequ.assessment.services import descriptors
        from shequ.core import registry

        registry.register_burden_baseline(
            "delegated_matters", label=_("下沉行政事项（小项）"), count=descriptors.minor_count
        )
