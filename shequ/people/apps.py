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
        from shequ.people import archiving

        registry.register_archive_source(
            "people.resident_structure", label=_("居民人口结构年度台账"), archive_class="WS", retention="D30",
            topic="ZH", entry="WS-07", candidates=archiving.structure_candidates,
            render=archiving.render_structure)  # fmt: skip
        from shequ.people import ledgers

        for key, label, rows, freq in (
            ("people.residents", _("人口台账"), ledgers.residents, _("每季度")),
            ("people.special_groups", _("特殊人群台账"), ledgers.special_groups, _("每月")),
            ("people.visits", _("走访台账"), ledgers.visits, _("每月")),
        ):
            registry.register_ledger(key, label=label, perm="people.view_resident", rows=rows,
                                     asked_by=_("民政、综治等部门"), frequency=freq, url_name="people:resident-list")  # fmt: skip
        from shequ.people import indicators

        indicators.register()
        from shequ.core import surveys as survey_engine
        from shequ.people import surveys

        survey_engine.register_registry(
            household_of=surveys.household_of,
            population=surveys.population,
            populations=surveys.populations,
            identify=surveys.identify,
            resident_of_user=surveys.resident_of_user,
            sample=surveys.sample,
        )

        # Residents and households per community, for whoever describes communities by size.
        registry.register_headcount("residents", _residents)
        registry.register_headcount("households", _households)


def _residents(codes) -> dict:
    from django.db.models import Count

    from shequ.people.models import Resident, Status

    rows = Resident.objects.filter(community__code__in=codes, status=Status.ACTIVE).values_list(
        "community__code"
    )
    return dict(rows.annotate(n=Count("pk")))


def _households(codes) -> dict:
    from django.db.models import Count

    from shequ.people.models import Household

    return dict(
        Household.objects.filter(community__code__in=codes)
        .values_list("community__code")
        .annotate(n=Count("pk"))
    )
