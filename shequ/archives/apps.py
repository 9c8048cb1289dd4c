from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "shequ.archives"
    label = "archives"
    verbose_name = _("社区档案")
    shequ_module = True
    nav_label = _("社区档案")

    @property
    def nav(self):
        from shequ.archives.models import MANAGE, VIEW
        from shequ.core.registry import NavItem

        return [
            NavItem(_("档案检索"), "archives:item-list", "archive", perm=VIEW),
            NavItem(_("待确认归档"), "archives:proposals", "inbox", perm=MANAGE),
            NavItem(_("年度归档"), "archives:filing", "calendar-check", perm=MANAGE),
            NavItem(_("登记纸质档案"), "archives:item-create", "file-earmark-plus", perm=MANAGE),
            NavItem(_("查借阅"), "archives:request-list", "journal-arrow-up", perm=MANAGE),
            NavItem(_("鉴定销毁"), "archives:disposal-list", "trash3", perm=MANAGE),
            NavItem(_("档案统计"), "archives:report", "bar-chart", perm=VIEW),
        ]

    def ready(self):
        from shequ.archives import models as m
        from shequ.core.roles import MANAGERS, Role, register_duty, register_permission

        # The archive staff (档案员) of a street or community is a named person charged with the duty;
        # only they see closed items and act on the fonds.
        keepers = {Role.SYSADMIN, Role.DISTRICT, Role.STREET, Role.COMMUNITY_LEAD, Role.COMMUNITY_WORKER}
        register_duty(m.ARCHIVIST, keepers, _("档案员"))
        register_permission(
            m.VIEW, MANAGERS | {Role.COMMUNITY_WORKER}, _("检索社区档案目录（开放与限制利用）")
        )
        register_permission(m.MANAGE, keepers, _("管理社区档案：归档、查借阅、鉴定销毁"), duty=m.ARCHIVIST)
        from shequ.archives import indicators

        indicators.register()
