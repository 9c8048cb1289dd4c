from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "shequ.ledgers"
    label = "ledgers"
    verbose_name = _("专项台账")
    shequ_module = True
    nav_label = _("专项台账")

    @property
    def nav(self):
        from shequ.core.registry import NavItem
        from shequ.ledgers.models import VIEW_CORRECTION, VIEW_MEDIATION, VIEW_RELIEF

        return [
            NavItem(_("低保特困对象"), "ledgers:relief-list", "shield-check", perm=VIEW_RELIEF),
            NavItem(_("低保特困发放台账"), "ledgers:relief-ledger", "cash-stack", perm=VIEW_RELIEF),
            NavItem(_("人民调解"), "ledgers:mediation-list", "people", perm=VIEW_MEDIATION),
            NavItem(_("社区矫正公益活动"), "ledgers:correction-list", "hammer", perm=VIEW_CORRECTION),
        ]

    def ready(self):
        from shequ.core import registry
        from shequ.core.roles import Role, register_duty, register_permission
        from shequ.ledgers import dashboard
        from shequ.ledgers import models as m

        # Who may be charged with each ledger: the street's and community's staff (and the system and
        # district administrators for oversight). Grid workers, department staff and residents never:
        # the data are highly sensitive and a duty is given to a named person, not to a role.
        keepers = {Role.SYSADMIN, Role.DISTRICT, Role.STREET, Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER}
        register_duty(m.RELIEF, keepers, m.DUTY_LABELS[m.RELIEF])
        register_duty(m.MEDIATION, keepers, m.DUTY_LABELS[m.MEDIATION])
        register_duty(m.CORRECTION, keepers, m.DUTY_LABELS[m.CORRECTION])
        register_permission(m.VIEW_RELIEF, keepers, _("查看低保特困台账"), duty=m.RELIEF)
        register_permission(m.MANAGE_RELIEF, keepers, _("办理低保特困对象和发放"), duty=m.RELIEF)
        register_permission(m.VIEW_MEDIATION, keepers, _("查看人民调解台账"), duty=m.MEDIATION)
        register_permission(m.MANAGE_MEDIATION, keepers, _("登记人民调解"), duty=m.MEDIATION)
        register_permission(m.VIEW_CORRECTION, keepers, _("查看社区矫正公益活动"), duty=m.CORRECTION)
        register_permission(m.MANAGE_CORRECTION, keepers, _("登记公益活动签到和考核等次"), duty=m.CORRECTION)
        registry.register_dashboard_card(dashboard.card, roles=keepers, order=70)
        from shequ.ledgers import archiving

        registry.register_archive_source(
            "ledgers.relief_payments", label=_("低保特困发放年度台账"), archive_class="WS", retention="D30",
            topic="MZ", entry="WS-10", candidates=archiving.relief_candidates, render=archiving.render_relief,
            openness="closed", openness_reason=_("载有低保特困对象姓名和发放金额，仅档案员可查"))  # fmt: skip
        registry.register_detail_panel("cases.case", dashboard.case_panel)
        registry.register_detail_panel("people.resident", dashboard.resident_panel)
