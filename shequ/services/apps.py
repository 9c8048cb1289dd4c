from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "shequ.services"
    label = "services"
    verbose_name = _("社区服务")
    shequ_module = True
    nav_label = _("社区服务")

    @property
    def nav(self):
        from shequ.core.registry import NavItem
        from shequ.services.models import RECORD, VIEW, VIEW_RECORD

        return [
            NavItem(_("登记服务"), "services:record-create", "clipboard-plus", perm=RECORD),
            NavItem(_("服务记录"), "services:record-list", "journal-check", perm=VIEW_RECORD),
            NavItem(_("服务目录"), "services:service-list", "list-task", perm=VIEW),
            NavItem(_("服务中心与窗口"), "services:centre-list", "window-stack", perm=VIEW),
            NavItem(_("服务网点"), "services:outlet-list", "shop", perm=VIEW),
            NavItem(_("服务统计"), "services:report", "bar-chart-line", perm=VIEW_RECORD),
            NavItem(_("就业服务台账"), "services:employment-ledger", "briefcase", perm=VIEW_RECORD),
        ]

    def ready(self):
        from shequ.core import registry
        from shequ.core.picker import register_cascade
        from shequ.core.roles import MANAGERS, Role, register_permission
        from shequ.services import dashboard, models, pickers

        staff = {Role.SYSADMIN, Role.DISTRICT, Role.STREET, Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER}
        # The catalogue, centres and outlets are public facts: departments read them too.
        register_permission(
            models.VIEW,
            MANAGERS | {Role.COMMUNITY_WORKER, Role.DEPARTMENT},
            _("查看服务目录、服务中心和网点"),
        )
        register_permission(models.MANAGE, staff, _("维护本社区（街道）服务目录、服务中心和网点"))
        # Records name residents: the community's staff and the managers above, not departments.
        register_permission(models.VIEW_RECORD, MANAGERS | {Role.COMMUNITY_WORKER}, _("查看社区服务记录"))
        register_permission(models.RECORD, staff, _("登记社区服务记录和回访"))
        register_cascade(pickers.RESIDENT)
        registry.register_detail_panel("people.resident", dashboard.resident_panel, order=50)
        from shequ.services import archiving

        registry.register_archive_source(
            "services.service_ledger", label=_("社区服务年度台账"), archive_class="WS", retention="D10",
            topic="FW", entry="WS-15", candidates=archiving.ledger_candidates, render=archiving.render_ledger)  # fmt: skip
        registry.register_dashboard_card(dashboard.card, roles=MANAGERS | {Role.COMMUNITY_WORKER}, order=140)
        from shequ.services import indicators

        indicators.register()
