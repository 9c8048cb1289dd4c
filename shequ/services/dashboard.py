"""What the services module shows on other pages: a panel of a resident's services on their page
in the registry, and a home-page card of the follow-up visits due."""

from shequ.core import scope
from shequ.services.models import RECORD, VIEW_RECORD, ServiceRecord


def resident_panel(request, resident):
    """The services the resident received (newest first), for staff who may read the records."""
    user = request.user
    if not scope.covers(user, resident.scope_code, VIEW_RECORD):
        return None
    qs = ServiceRecord.objects.visible_to(user).filter(resident=resident).select_related("service__category")
    return {
        "template": "services/_resident_panel.html",
        "context": {
            "records": list(qs[:20]),
            "total": qs.count(),
            "resident": resident,
            "can_record": scope.covers(user, resident.scope_code, RECORD),
        },
    }


def card(request, focus_code):
    from shequ.services import services

    user = request.user
    if not scope.may_read(user, ServiceRecord):
        return None
    due = services.follow_ups_due(user, focus_code or None)
    return {
        "template": "services/_card.html",
        "width": "col-12 col-lg-6",
        "context": {"due": list(due[:5]), "due_count": due.count()},
    }
