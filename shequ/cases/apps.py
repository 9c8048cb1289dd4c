from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "shequ.cases"
    label = "cases"
    verbose_name = _("诉求与事件")
    shequ_module = True
    nav_label = _("诉求与事件")

    @property
    def nav(self):
        from shequ.core.registry import NavItem
        from shequ.core.roles import Role

        return [
            NavItem(_("待办案件"), "cases:todo", "inbox", perm="cases.view_case"),
            NavItem(_("全部案件"), "cases:case-list", "list-task", perm="cases.view_case"),
            NavItem(_("登记诉求"), "cases:case-create", "telephone-inbound", perm="cases.register_case"),
            NavItem(_("巡查上报"), "cases:patrol", "geo-alt", perm="cases.register_case"),
            NavItem(_("案件地图"), "cases:map", "map", perm="cases.view_case"),
            NavItem(_("考核指标"), "cases:indicators", "graph-up", perm="cases.view_indicators"),
            NavItem(
                _("导入12345工单"),
                "cases:hotline-import",
                "file-earmark-arrow-up",
                perm="cases.import_hotline",
            ),
            NavItem(_("案件类别"), "cases:category-list", "diagram-3", perm="cases.manage_categories"),
            NavItem(_("Open311 接入应用"), "cases:client-list", "plug", perm="cases.manage_clients"),
            NavItem(_("我要反映"), "cases:report", "megaphone", roles=frozenset({Role.RESIDENT})),
            NavItem(_("我的诉求"), "cases:mine", "card-checklist", roles=frozenset({Role.RESIDENT})),
            NavItem(_("查询办理进度"), "cases:lookup", "search", roles=frozenset({Role.RESIDENT})),
        ]

    def ready(self):
        from shequ.cases import dashboard, importer, permissions, receivers  # noqa: F401  (registers)
        from shequ.core import registry
        from shequ.core.roles import STAFF, Role

        registry.register_dashboard_card(dashboard.todo_card, roles=STAFF | {Role.DEPARTMENT}, order=10)
        registry.register_dashboard_card(dashboard.mine_card, roles={Role.RESIDENT}, order=10)
        registry.register_reference("case", _case_reference)
        from shequ.core import metrics

        metrics.register_gauge(
            "shequ_cases_overdue_open", "Cases being handled whose deadline has passed", _overdue_open
        )
        registry.register_ledger(
            "cases.requests", label=_("诉求台账"), perm="cases.view_case", rows=_ledger_rows,
            asked_by=_("区12345热线、信访等部门"), frequency=_("每月"), url_name="cases:case-list",
        )  # fmt: skip
        from shequ.cases import archiving

        registry.register_archive_source(
            "cases.closed_case", label=_("已结案的诉求和事件"), archive_class="WS", retention="D10", topic="FW",
            entry="WS-14", candidates=archiving.candidates, render=archiving.render, openness="restricted",
            openness_reason=_("含居民诉求和个人信息"))  # fmt: skip
        from shequ.cases import indicators

        indicators.register_catalogue()


def _overdue_open() -> int:
    """Unscoped, a count only: the operator's alert, not a page."""
    from django.utils import timezone

    from shequ.cases.models import CLOCK_STATUSES, Case

    return Case.objects.filter(status__in=CLOCK_STATUSES, deadline__lt=timezone.now()).count()


def _case_reference(user, ref):
    """A case named by its receipt number (or id), as another app may link to it: only if visible."""
    from django.urls import reverse

    from shequ.cases.models import Case

    text = str(ref).strip()
    qs = Case.objects.visible_to(user)
    case = qs.filter(number=text).first() if text else None
    if case is None and text.isdigit() and len(text) < 14:
        case = qs.filter(pk=int(text)).first()
    if case is None:
        return None
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "url": reverse("cases:case-detail", args=[case.pk]),
        "scope_code": case.scope_code,
        "community": case.community.code if case.community_id else "",
    }


def _ledger_rows(user, code, start, end):
    """诉求台账: the cases received in the period, as the case list exports them."""
    from shequ.cases.views.work import CaseListView

    return CaseListView.ledger_rows(user, code, date_field="received_at__date", start=start, end=end)
