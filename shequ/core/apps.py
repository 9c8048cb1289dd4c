from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = _("系统")
    shequ_module = True
    nav_label = _("系统")

    @property
    def nav(self):
        from shequ.core.registry import NavItem
        from shequ.core.roles import MANAGERS, STAFF, Role

        return [
            NavItem(_("操作日志"), "core:changelog", "journal-text", perm="core.view_changelog"),
            NavItem(_("工作日历"), "core:calendar", "calendar3", roles=frozenset(STAFF | {Role.DEPARTMENT})),
            NavItem(_("问卷"), "core:survey-list", "ui-checks", perm="core.view_survey"),
            NavItem(
                _("指标目录"),
                "core:indicator-list",
                "speedometer2",
                roles=frozenset(MANAGERS | {Role.DEPARTMENT}),
            ),
            NavItem(_("导入同义词"), "core:import-synonyms", "translate", perm="core.manage_import_synonyms"),
            NavItem(_("我的账号"), "core:account", "person-circle"),
        ]

    def ready(self):
        from shequ.core import surveys

        surveys.register_indicators()
