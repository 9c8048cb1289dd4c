from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "shequ.facilities"
    label = "facilities"
    verbose_name = _("阵地与场地预约")
    shequ_module = True
    nav_label = _("阵地与场地")

    @property
    def nav(self):
        from shequ.core.registry import NavItem
        from shequ.facilities.models import VIEW, VIEW_BOOKING

        return [
            NavItem(_("预约场地"), "facilities:rooms", "calendar-plus"),
            NavItem(_("我的预约"), "facilities:my-bookings", "calendar-check"),
            NavItem(_("阵地达标情况"), "facilities:compliance", "building-check", perm=VIEW),
            NavItem(_("阵地台账"), "facilities:facility-list", "buildings", perm=VIEW),
            NavItem(_("预约审批与使用"), "facilities:booking-list", "calendar-week", perm=VIEW_BOOKING),
            NavItem(_("使用率"), "facilities:utilisation", "speedometer", perm=VIEW),
            NavItem(_("建设计划"), "facilities:project-list", "cone-striped", perm=VIEW),
            NavItem(_("四个同步移交"), "facilities:handover-list", "key", perm=VIEW),
            NavItem(_("配置标准"), "facilities:standards", "rulers", perm=VIEW),
        ]

    def ready(self):
        from shequ.core.registry import register_dashboard_card
        from shequ.core.roles import MANAGERS, Role, register_permission
        from shequ.facilities import dashboard, models

        staff_of_community = {Role.SYSADMIN, Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER}
        # Premises are no secret: the departments that set their standards read them too. Grid
        # workers hold a grid, not the community's premises (they book like residents do).
        register_permission(
            models.VIEW,
            MANAGERS | {Role.COMMUNITY_WORKER, Role.DEPARTMENT},
            _("查看阵地、达标情况、计划与移交"),
        )
        register_permission(models.MANAGE, staff_of_community, _("维护本社区阵地和驻区单位开放场地"))
        # Bookings carry residents' names: the community's staff and the managers above, not departments.
        register_permission(models.VIEW_BOOKING, MANAGERS | {Role.COMMUNITY_WORKER}, _("查看场地预约"))
        register_permission(models.APPROVE, staff_of_community, _("审批场地预约"))
        register_permission(models.MANAGE_STANDARDS, {Role.SYSADMIN, Role.DISTRICT}, _("维护阵地配置标准"))
        register_permission(
            models.MANAGE_HANDOVER,
            {Role.SYSADMIN, Role.DISTRICT, Role.STREET},
            _("维护建设计划和四个同步移交"),
        )
        register_dashboard_card(dashboard.card, roles=MANAGERS | {Role.COMMUNITY_WORKER}, order=130)
        from shequ.core.registry import register_places

        register_places(options=_place_options, get=_place)
        from shequ.facilities import indicators

        indicators.register()
        from shequ.core.registry import register_award_basis

        register_award_basis(
            "facilities.built", label=_("建成阵地项目"), unit=_("个"), compute=_projects_completed
        )


def _projects_completed(codes, year):
    """Premises projects (new, bought, extended, …) completed in each community in the year: a
    figure a 以奖代补 scheme of the finance module can reward."""
    from decimal import Decimal

    from django.db.models import Count

    from shequ.facilities.models import Project, ProjectStatus

    rows = (
        Project.objects.filter(
            scope_code__in=list(codes), status=ProjectStatus.COMPLETED, completed_on__year=year
        )
        .values_list("scope_code")
        .annotate(n=Count("pk"))
    )
    return {code: Decimal(n) for code, n in rows}


def _place_options(user, code: str):
    """The rooms and grounds in use under `code` that the user may read: places for other modules."""
    from shequ.facilities.models import Facility

    qs = Facility.objects.visible_to(user).within(code).filter(in_use=True).select_related("community")
    return [
        (f.pk, f"{f.name}（{f.community.display_name}）", f.capacity)
        for f in qs.order_by("scope_code", "name")
    ]


def _place(user, pk):
    from django.urls import reverse

    from shequ.facilities.models import Facility

    f = (
        Facility.objects.visible_to(user)
        .filter(pk=pk if str(pk).isdigit() else 0)
        .select_related("community")
        .first()
    )
    if f is None:
        return None
    return {"id": f.pk, "name": f.name, "community": f.community.code, "capacity": f.capacity,
            "url": reverse("facilities:facility-detail", args=[f.pk]), "scope_code": f.scope_code}  # fmt: skip
