"""Home-page card: the workforce of the user's scope (or focus) against the staffing standard."""

from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import DomainError
from shequ.workforce import reports
from shequ.workforce.models import VIEW


def card(request, focus_code):
    user = request.user
    if not scope.holds(user, VIEW):
        return None
    try:
        staff = reports.staffing(user, focus_code or None, timezone.localdate().year)
    except DomainError:
        return None
    return {
        "template": "workforce/_card.html",
        "width": "col-12 col-lg-6",
        "context": {"staff": staff, "title": _("社区工作者队伍")},
    }
