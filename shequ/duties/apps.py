from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "shequ.duties"
    label = "duties"
    verbose_name = _("事项清单与准入")
    shequ_module = True
    nav_label = _("事项准入与减负")

    @property
    def nav(self):
        from shequ.core.registry import NavItem

        return [
            NavItem(_("事项清单"), "duties:public-lists", "journal-text"),
            NavItem(_("清单管理"), "duties:list-index", "pencil-square", perm="duties.manage_lists"),
            NavItem(_("准入申请"), "duties:request-list", "clipboard-check", perm="duties.view_request"),
            NavItem(_("提出准入申请"), "duties:request-create", "send", perm="duties.file_request"),
            NavItem(_("下派任务"), "duties:task-list", "list-check", perm="duties.view_tasks"),
            NavItem(_("拒收未准入事项"), "duties:refusal-list", "slash-circle", perm="duties.view_tasks"),
            NavItem(_("出具证明"), "duties:certificate-list", "patch-check", perm="duties.view_certificates"),
            NavItem(_("减负台账"), "duties:burden", "bar-chart-steps", perm="duties.view_burden"),
            NavItem(_("部门评议"), "duties:appraisal-list", "star-half", perm="duties.view_appraisals"),
            NavItem(_("填写部门评议"), "duties:appraisal-mine", "star", perm="duties.appraise"),
            NavItem(_("准入与减负设置"), "duties:policy", "sliders", perm="duties.manage_policy"),
        ]

    def ready(self):
        from shequ.core import registry
        from shequ.core.roles import STAFF, Role
        from shequ.duties import caps, dashboard, permissions  # noqa: F401  (registers)

        registry.register_burden_counter(load=caps.load, record=caps.record)

        registry.register_dashboard_card(dashboard.admission_card, roles=STAFF | {Role.DEPARTMENT}, order=20)
        registry.register_dashboard_card(dashboard.services_card, roles={Role.RESIDENT}, order=20)
        registry.register_ledger(
            "duties.admitted_tasks", label=_("准入事项台账"), perm="duties.view_tasks", rows=_ledger_rows,
            asked_by=_("区委社会工作部（减负办）"), frequency=_("每季度"), url_name="duties:task-list",
        )  # fmt: skip
        from shequ.duties import archiving

        registry.register_archive_source(
            "duties.admission_letter", label=_("准入审核决定书"), archive_class="WS", retention="D30", topic="ZH",
            entry="WS-05", candidates=archiving.letters, render=archiving.render_letter)  # fmt: skip
        registry.register_archive_source(
            "duties.certificate", label=_("出具的证明（存根）"), archive_class="WS", retention="D10", topic="MZ",
            entry="WS-11", candidates=archiving.certificates, render=archiving.render_certificate,
            openness="restricted", openness_reason=_("含申请人个人信息"))  # fmt: skip
        from shequ.duties import indicators

        indicators.register()


def _ledger_rows(user, code, start, end):
    """准入事项台账: the admitted tasks handed to communities of `code`, as the task list exports them."""
    from shequ.duties.views.tasks import TaskListView

    return TaskListView.ledger_rows(user, code)
