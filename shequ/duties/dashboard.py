"""The home-page card of the duties module: what waits on the user in admission and tasks."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.roles import Role, roles_with
from shequ.duties.models import AdmissionRequest, Kind, RequestStatus, Task, TaskStatus, member_codes


def admission_card(request, focus_code):
    """Requests waiting on my vote, my department's open requests, my community's tasks."""
    user = request.user
    held = {m.role for m in scope.memberships(user)}
    rows = []
    if member_codes(user):
        from shequ.duties import services
        from shequ.duties.views.requests import awaiting_vote

        services.maybe_sweep()
        n = awaiting_vote(AdmissionRequest.objects.visible_to(user), user).count()
        rows.append(
            {"label": _("待我审核的准入申请"), "value": n, "url": "duties:request-list", "query": "tab=mine"}
        )
    if Role.DEPARTMENT in held:
        qs = AdmissionRequest.objects.visible_to(user).filter(
            status__in=(RequestStatus.REVIEW, RequestStatus.RETURNED)
        )
        counts = qs.aggregate(
            review=Count("pk", filter=Q(status=RequestStatus.REVIEW)),
            returned=Count("pk", filter=Q(status=RequestStatus.RETURNED)),
        )
        rows.append(
            {
                "label": _("本部门审核中的申请"),
                "value": counts["review"],
                "url": "duties:request-list",
                "query": "status=review",
            }
        )
        rows.append(
            {
                "label": _("退回补正待修改"),
                "value": counts["returned"],
                "url": "duties:request-list",
                "query": "status=returned",
                "tone": "warning",
            }
        )
    if Role.DEPARTMENT in held:
        # The tasks the department handed down (visible_to shows a department only its own).
        qs = Task.objects.visible_to(user).filter(status=TaskStatus.ACTIVE)
        counts = qs.aggregate(
            active=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=timezone.localdate()))
        )
        rows.append(
            {
                "label": _("本部门下派在办任务"),
                "value": counts["active"],
                "url": "duties:task-list",
                "query": "status=active",
            }
        )
        rows.append(
            {
                "label": _("社区逾期未完成"),
                "value": counts["overdue"],
                "url": "duties:task-list",
                "query": "overdue=on",
                "tone": "danger",
            }
        )
    if held & (roles_with("duties.report_task") - {Role.SYSADMIN}):
        qs = Task.objects.visible_to(user).filter(status=TaskStatus.ACTIVE)
        if focus_code:
            qs = qs.within(focus_code)
        counts = qs.aggregate(
            active=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=timezone.localdate()))
        )
        rows.append(
            {
                "label": _("在办下派任务"),
                "value": counts["active"],
                "url": "duties:task-list",
                "query": "status=active",
            }
        )
        rows.append(
            {
                "label": _("已逾期"),
                "value": counts["overdue"],
                "url": "duties:task-list",
                "query": "overdue=on",
                "tone": "danger",
            }
        )
    if not rows:
        return None
    return {
        "template": "duties/_dashboard_card.html",
        "width": "col-12 col-lg-6",
        "context": {"rows": rows, "title": _("事项准入")},
    }


def services_card(request, focus_code):
    """A resident's view of the duty lists in force over their community: how many items of each
    kind, and the certificates the community issues."""
    from shequ.duties import services

    codes = sorted({m.scope_code[:12] for m in scope.memberships(request.user) if m.role == Role.RESIDENT})
    items = list(services.items_in_force(codes)) if codes else []
    counts = {kind: 0 for kind in Kind.values}
    for it in items:
        counts[it.kind] += 1
    certificates = sorted((it for it in items if it.kind == Kind.CERTIFICATE), key=lambda i: i.code)
    return {
        "template": "duties/_services_card.html",
        "width": "col-12 col-lg-5",
        "context": {
            "title": _("社区事项与证明"),
            "org": codes[0] if len(codes) == 1 else "",
            "kinds": [(label, counts[kind]) for kind, label in Kind.choices],
            "certificates": certificates[:SERVICES_CARD_ROWS],
            "more_certificates": max(0, len(certificates) - SERVICES_CARD_ROWS),
            "items": bool(items),
        },
    }


SERVICES_CARD_ROWS = 6
