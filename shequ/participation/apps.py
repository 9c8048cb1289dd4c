from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "shequ.participation"
    label = "participation"
    verbose_name = _("居民参与")
    shequ_module = True
    nav_label = _("居民议事")

    @property
    def nav(self):
        from shequ.core.registry import NavItem
        from shequ.core.roles import Role

        return [
            NavItem(_("议题"), "participation:issue-list", "chat-square-text", perm="participation.view"),
            NavItem(_("会议"), "participation:meeting-list", "people", perm="participation.view"),
            NavItem(
                _("决议落实"), "participation:resolution-list", "clipboard-check", perm="participation.view"
            ),
            NavItem(_("居民评议"), "participation:rating-list", "star-half", perm="participation.view"),
            NavItem(
                _("听证与征求意见"), "participation:hearing-list", "megaphone", perm="participation.view"
            ),
            NavItem(_("议事统计"), "participation:report", "bar-chart", perm="participation.view"),
            NavItem(_("议事设置"), "participation:settings", "sliders", perm="participation.configure"),
            NavItem(_("居民议事厅"), "participation:my-hall", "megaphone", roles=frozenset({Role.RESIDENT})),
            # --- self-government ---
            NavItem(_("公约章程"), "participation:charter-list", "journal-text", perm="participation.view"),
            NavItem(_("居民自治"), "participation:self-government", "diagram-3", perm="participation.view"),
            NavItem(_("换届选举"), "participation:election-list", "check2-square", perm="participation.view"),
        ]

    def ready(self):
        from shequ.core import registry
        from shequ.core.roles import MANAGERS, Role, register_permission
        from shequ.participation import dashboard

        community_staff = {Role.SYSADMIN, Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER}
        # Streets and districts read their scope; grid workers and department staff do not take
        # part in a community's deliberation (their own requests go through cases and duties).
        register_permission(
            "participation.view", MANAGERS | {Role.COMMUNITY_WORKER}, _("查看议题、会议和决议")
        )
        register_permission("participation.manage", community_staff, _("登记议题、组织会议、记录决议和落实"))
        # Who supported what: the community's own staff only (streets and districts see totals).
        register_permission("participation.view_supporters", community_staff, _("查看附议人和签到名单"))
        register_permission(
            "participation.configure", {Role.SYSADMIN, Role.COMMUNITY_LEAD}, _("设置上会所需附议人数")
        )
        # Elections of the residents' committee: the community lead and the street and district
        # that guide them (community workers read the results).
        register_permission("participation.manage_elections", MANAGERS, _("登记换届选举、选民、计票和当选"))
        registry.register_dashboard_card(dashboard.card, roles=MANAGERS | {Role.COMMUNITY_WORKER}, order=60)
        registry.register_detail_panel("cases.case", dashboard.case_panel)
        from shequ.participation import archiving

        registry.register_archive_source(
            "participation.meeting_minutes", label=_("会议纪要和决议"), archive_class="WS", retention="Y",
            topic="ZZ", entry="WS-01", candidates=archiving.minutes, render=archiving.render)  # fmt: skip
        registry.register_archive_source(
            "participation.charter_version", label=_("通过的居民公约和自治章程"), archive_class="WS", retention="Y",
            topic="ZZ", entry="WS-03", candidates=archiving.charters, render=archiving.render_charter)  # fmt: skip
        registry.register_archive_source(
            "participation.election_result", label=_("居民委员会换届选举结果"), archive_class="WS", retention="Y",
            topic="ZZ", entry="WS-02", candidates=archiving.elections, render=archiving.render_election)  # fmt: skip
        self._ready_ratings()

    def _ready_ratings(self):
        """居民评议, 听证, 征求意见: their surveys in the kernel's engine; the participation rate."""
        from django.urls import reverse

        from shequ.core import surveys
        from shequ.participation import indicators
        from shequ.participation.models import CONSULTATION_PURPOSE, MANAGE, SURVEY_PURPOSE, VIEW

        surveys.register_purpose(
            SURVEY_PURPOSE, label=_("居民评议"), view_perm=VIEW, manage_perm=MANAGE,
            owner_url=lambda pk: reverse("participation:rating-detail", args=[pk]),
        )  # fmt: skip
        surveys.register_purpose(
            CONSULTATION_PURPOSE, label=_("征求意见"), view_perm=VIEW, manage_perm=MANAGE,
            owner_url=lambda pk: reverse("participation:consultation-detail", args=[pk]),
        )  # fmt: skip
        indicators.register()
        from shequ.core import registry
        from shequ.participation.views.ratings import issue_rating_panel

        registry.register_detail_panel("participation.issue", issue_rating_panel)
