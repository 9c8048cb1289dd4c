"""Home-page card: the premises of the user's scope against the standards, overdue handovers
(flagged to the street) and, for the community's staff, bookings waiting for approval."""

from shequ.core import scope
from shequ.core.errors import DomainError
from shequ.facilities.models import APPROVE, VIEW, Booking, BookingStatus


def card(request, focus_code):
    from shequ.facilities import services

    user = request.user
    if not scope.holds(user, VIEW):
        return None
    try:
        report = services.compliance(user, focus_code or None)
        overdue = services.overdue(user, focus_code or None)
    except DomainError:
        return None
    pending = 0
    if scope.holds(user, APPROVE):
        pending = (
            Booking.objects.where_held(user, APPROVE).within(focus_code or None)
            .filter(status=BookingStatus.PENDING).count()
        )  # fmt: skip
    return {
        "template": "facilities/_card.html",
        "width": "col-12 col-lg-6",
        "context": {"report": report, "overdue": overdue, "pending": pending},
    }
