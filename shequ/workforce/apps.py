from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "shequ.workforce"
    label = "workforce"
    verbose_name = _("社区工作者")
    shequ_module = True
    nav_label = _("社区工作者")

    @property
    def nav(self):
        from shequ.core.registry import NavItem
        from shequ.core.roles import Role

        return [
            NavItem(_("队伍概况"), "workforce:overview", "person-badge", perm="workforce.view_worker"),
            NavItem(
                _("社区工作者名册"), "workforce:worker-list", "people-fill", perm="workforce.view_worker"
            ),
            NavItem(_("常住人口与配备"), "workforce:staffing", "calculator", perm="workforce.view_worker"),
            NavItem(_("培训"), "workforce:training-list", "mortarboard", perm="workforce.view_worker"),
            NavItem(_("街道内设机构"), "workforce:sections", "diagram-3", perm="workforce.manage_population"),
            NavItem(_("薪酬与合同"), "workforce:pay", "cash-coin", perm="workforce.view_sensitive"),
            NavItem(
                _("考核"), "workforce:appraisal-list", "clipboard-check", perm="workforce.view_sensitive"
            ),
            NavItem(_("表彰与成长"), "workforce:recognition", "trophy", perm="workforce.view_worker"),
            NavItem(
                _("我的考核"),
                "workforce:appraisal-mine",
                "person-check",
                roles=frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_LEAD}),
            ),
        ]

    def ready(self):
        from shequ.core.registry import register_dashboard_card
        from shequ.core.roles import MANAGERS, Role, register_permission
        from shequ.workforce import dashboard, importer  # noqa: F401  (importer registers the roster workbook)

        # The roster: staff of the community or street (not departments, not grid workers, whose
        # own record is shown to them through their account).
        register_permission(
            "workforce.view_worker", MANAGERS | {Role.COMMUNITY_WORKER}, _("查看社区工作者名册")
        )
        # Exit interviews (and, later, pay and appraisal): the worker's lead and the managers above.
        register_permission("workforce.view_sensitive", MANAGERS, _("查看离职谈话等敏感记录"))
        register_permission("workforce.manage_worker", MANAGERS, _("维护社区工作者名册"))
        register_permission(
            "workforce.manage_population",
            {Role.SYSADMIN, Role.DISTRICT, Role.STREET},
            _("维护常住人口和配备标准"),
        )
        # Grade schemes and their yearly tables, the average wage and the floor: streets and districts.
        register_permission(
            "workforce.manage_pay_policy",
            {Role.SYSADMIN, Role.DISTRICT, Role.STREET},
            _("维护等级工资标准和社会平均工资"),
        )
        register_dashboard_card(dashboard.card, roles=MANAGERS, order=120)
        from shequ.workforce import appraisal_setup

        appraisal_setup.register()
        # Elected committee members come into the roster (participation's elections declare them).
        from shequ.core.registry import register_election_receiver
        from shequ.workforce import election

        register_election_receiver(election.take_in)

        # Workers in post per community, for whoever computes with them (finance: pay shared per worker).
        from shequ.core.registry import register_headcount

        register_headcount("workers", _workers_in_post)
        # A worker's training, by account (the archives show their archivists' training).
        from shequ.core.registry import register_training_records
        from shequ.workforce import training_records

        register_training_records(training_records.by_user)
        from shequ.workforce import indicators

        indicators.register()


def _workers_in_post(codes) -> dict:
    from django.db.models import Count

    from shequ.workforce.models import Worker

    rows = Worker.objects.filter(scope_code__in=codes, status="active").values_list("scope_code")
    return dict(rows.annotate(n=Count("pk")))
