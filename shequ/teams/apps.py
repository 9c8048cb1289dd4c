from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "shequ.teams"
    label = "teams"
    verbose_name = _("队伍与活动")
    shequ_module = True
    nav_label = _("队伍与活动")

    @property
    def nav(self):
        from shequ.core.registry import NavItem
        from shequ.core.roles import Role
        from shequ.teams.models import CONFIGURE, VIEW

        return [
            NavItem(_("我的活动"), "teams:mine", "calendar-heart", roles=frozenset({Role.RESIDENT})),
            NavItem(_("活动统计"), "teams:report", "bar-chart", perm=VIEW),
            NavItem(_("活动"), "teams:activity-list", "calendar-event", perm=VIEW),
            NavItem(_("队伍"), "teams:team-list", "people", perm=VIEW),
            NavItem(_("文化人才库"), "teams:talent-list", "stars", perm=VIEW),
            NavItem(_("志愿者"), "teams:volunteer-list", "heart", perm=VIEW),
            NavItem(_("志愿服务时长"), "teams:hours-list", "hourglass-split", perm=VIEW),
            NavItem(_("共驻共建"), "teams:cobuilding", "buildings", perm=VIEW),
            NavItem(_("考评权重"), "teams:weights", "sliders", perm=CONFIGURE),
            NavItem(_("党员服务"), "teams:party-report", "flag", perm=VIEW),
            NavItem(_("党员承诺"), "teams:party-pledge-list", "check2-square", perm=VIEW),
            NavItem(_("评选表彰"), "teams:award-round-list", "award", perm=VIEW),
        ]

    def ready(self):
        from shequ.core.registry import register_dashboard_card
        from shequ.core.roles import MANAGERS, Role, register_permission
        from shequ.teams import dashboard
        from shequ.teams.models import CONFIGURE, MANAGE, VIEW

        # Grid workers hold a grid, not the community's teams; departments read no names of residents.
        register_permission(VIEW, MANAGERS | {Role.COMMUNITY_WORKER}, _("查看队伍、人才库、志愿者和活动"))
        register_permission(
            MANAGE, MANAGERS | {Role.COMMUNITY_WORKER}, _("维护队伍、人才库、志愿者，组织活动，确认服务时长")
        )
        register_permission(CONFIGURE, {Role.SYSADMIN, Role.DISTRICT, Role.STREET}, _("设置队伍考评权重"))
        register_dashboard_card(dashboard.card, roles=MANAGERS | {Role.COMMUNITY_WORKER}, order=140)
        register_dashboard_card(dashboard.activities_card, roles={Role.RESIDENT}, order=40)
        from shequ.core.registry import register_award_basis

        register_award_basis(
            "teams.activities", label=_("队伍活动场次"), unit=_("场"), compute=_activities_per_community
        )
        from shequ.teams import indicators

        indicators.register()


def _activities_per_community(codes, year):
    """Activities held (not cancelled) in each community in the year: a figure a 以奖代补 scheme
    of the finance module can reward."""
    from decimal import Decimal

    from django.db.models import Count

    from shequ.teams.models import Activity, ActivityStatus

    rows = (
        Activity.objects.filter(scope_code__in=list(codes), starts_at__year=year)
        .exclude(status=ActivityStatus.CANCELLED)
        .values_list("scope_code")
        .annotate(n=Count("pk"))
    )
    return {code: Decimal(n) for code, n in rows}
