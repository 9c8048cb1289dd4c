from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "shequ.org"
    label = "org"
    verbose_name = _("组织与网格")
    shequ_module = True
    nav_label = _("组织与网格")

    @property
    def nav(self):
        from shequ.core.registry import NavItem
        from shequ.core.roles import STAFF, Role

        staff = frozenset(STAFF | {Role.DEPARTMENT})
        return [
            NavItem(_("组织架构"), "org:tree", "diagram-3", roles=staff),
            NavItem(_("网格"), "org:grid-list", "grid-3x3", roles=staff),
            NavItem(_("楼栋"), "org:building-list", "buildings", roles=staff),
            NavItem(_("网格责任人"), "org:assignment-list", "person-badge", roles=staff),
            NavItem(_("驻区单位"), "org:residentorg-list", "briefcase", roles=staff),
        ]

    def ready(self):
        from shequ.core import registry
        from shequ.core.roles import MANAGERS, STAFF, Role
        from shequ.org import dashboard, permissions, pickers  # noqa: F401  (registers permissions)

        registry.register_node_resolver(dashboard.resolve_node)
        pickers.register()
        # The ground of a scope: for those who hold one (not departments, whose home is their
        # requests, tasks and cases, nor residents); coverage is the managers' and community's.
        registry.register_dashboard_card(dashboard.counts_card, roles=STAFF)
        registry.register_dashboard_card(dashboard.map_card, roles=STAFF)
        registry.register_dashboard_card(dashboard.coverage_card, roles=MANAGERS | {Role.COMMUNITY_WORKER})
