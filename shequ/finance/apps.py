from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "shequ.finance"
    label = "finance"
    verbose_name = _("经费保障")
    shequ_module = True
    nav_label = _("经费保障")

    @property
    def nav(self):
        from shequ.core.registry import NavItem
        from shequ.finance.models import MANAGE, PAY_TASK, SPEND, VIEW

        return [
            NavItem(_("经费概况"), "finance:overview", "cash-coin", perm=VIEW),
            NavItem(_("本社区经费"), "finance:funds", "wallet2", perm=SPEND),
            NavItem(_("登记支出"), "finance:spending-create", "receipt", perm=SPEND),
            NavItem(_("支出明细"), "finance:spending-list", "list-check", perm=VIEW),
            NavItem(_("预算"), "finance:budget-list", "journal-text", perm=VIEW),
            NavItem(_("拨付到账"), "finance:allocation-list", "bank", perm=VIEW),
            NavItem(_("分担规则"), "finance:rule-list", "diagram-3", perm=MANAGE),
            NavItem(_("随事经费与人员"), "finance:task-money", "cash-stack", perm=PAY_TASK),
            NavItem(_("以奖代补"), "finance:award-list", "award", perm=VIEW),
        ]

    def ready(self):
        from shequ.core import registry
        from shequ.core.roles import MANAGERS, Role, register_permission
        from shequ.finance import models, services

        register_permission(models.VIEW, MANAGERS | {Role.COMMUNITY_WORKER}, _("查看经费预算、到账与支出"))
        register_permission(
            models.MANAGE, {Role.SYSADMIN, Role.DISTRICT, Role.STREET}, _("制定分担规则、编制预算、登记拨付")
        )
        register_permission(
            models.SPEND, {Role.SYSADMIN, Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER}, _("登记本社区经费支出")
        )
        register_permission(models.CLOSE, {Role.SYSADMIN, Role.DISTRICT}, _("年度结账"))
        register_permission(
            models.PAY_TASK,
            {Role.SYSADMIN, Role.DISTRICT, Role.STREET, Role.DEPARTMENT},
            _("查看和登记随事经费到位"),
        )
        registry.register_task_money(arrived=services.task_money_arrived, record=services.record_task_arrival)
        register_permission(
            models.AWARD,
            {Role.SYSADMIN, Role.DISTRICT, Role.STREET},
            _("设立以奖代补方案、组织评选、评审和奖励"),
        )
        register_permission(
            models.APPLY, {Role.SYSADMIN, Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER}, _("本社区申报以奖代补")
        )
        from shequ.finance.awards import MANUAL

        registry.register_award_basis(MANUAL, label=_("评审打分"), unit=_("分"))
        from shequ.finance import indicators

        indicators.register()
