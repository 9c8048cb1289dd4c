"""Template helpers of the staff case pages."""

from django import template

register = template.Library()


@register.filter
def status_color(status) -> str:
    """The colour of a status on badges, the map and its legend."""
    from shequ.cases.views.work import STATUS_COLORS

    return STATUS_COLORS.get(status, "#6c757d")


@register.filter
def status_label(status) -> str:
    """The Chinese name of a status code (a timeline entry keeps the bare code)."""
    from shequ.cases.models import Status

    return str(Status(status).label) if status in Status.values else status
