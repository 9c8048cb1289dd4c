from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "shequ.people"
    label = "people"
    verbose_name = _("人口与房屋")
    shequ_module = True
    nav_label = _("人口与房屋")

    @property
    def nav(self):
        from shequ.core.registry import NavItem

        return [
            NavItem(_("居民"), "people:resident-list", "people", perm="people.view_resident"),
            NavItem(_("待走访"), "people:visits-due", "calendar-check", perm="people.view_resident"),
            NavItem(_("户"), "people:household-list", "house-heart", perm="people.view_resident"),
            NavItem(_("房屋"), "people:house-list", "house-door", perm="people.view_resident"),
            NavItem(_("人口结构"), "people:structure", "bar-chart", perm="people.view_resident"),
            NavItem(_("导入居民"), "people:import", "file-earmark-arrow-up", perm="people.import_residents"),
            NavItem(_("迁移申请"), "people:transfer-list", "arrow-left-right", perm="people.view_resident"),
            NavItem(_("人群标签设置"), "people:tag-list", "tags", perm="people.manage_tags"),
        ]

    def ready(self):
        from shequ.core import registry
        from shequ.core.roles import STAFF
        from shequ.people import dashboard, importer, permissions  # noqa: F401  (registers)

        registry.register_dashboard_card(dashboard.population_card, roles=STAFF, order=30)
        from shequ.people import indicators

        indicators.register()
        from shequ.core import surveys as survey_engine
        from shequ.people import surveys

        survey_engine.register_registry(
            household_of=surveys.household_of,
            population=surveys.population,
            identify=surveys.identify,
            resident_of_user=surveys.resident_of_user,
            sample=surveys.sample,
        )
