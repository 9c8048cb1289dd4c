from django.utils import timezone

from shequ.core import scope
from shequ.teams.models import Activity, ActivityStatus, Signup, SignupStatus


def card(request, focus_code):
    """Staff: this year's activities and person-times, and the coming week's activities."""
    user = request.user
    if not scope.may_read(user, Activity):
        return None
    now = timezone.now()
    qs = Activity.objects.visible_to(user).within(focus_code).exclude(status=ActivityStatus.CANCELLED)
    year = qs.filter(starts_at__year=timezone.localdate().year)
    coming = qs.filter(starts_at__gte=now, starts_at__lt=now + timezone.timedelta(days=7)).order_by(
        "starts_at"
    )[:5]
    from shequ.teams.models import CheckIn

    ctx = {
        "year": year.count(),
        "person_times": CheckIn.objects.filter(activity__in=year).count(),
        "coming": list(coming),
    }
    return {"template": "teams/_card.html", "context": ctx}


def activities_card(request, focus_code):
    """A resident: their coming sign-ups and the way to the community's activities."""
    user = request.user
    mine = (
        Signup.objects.filter(user=user, status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITING),
                              activity__starts_at__gte=timezone.now())
        .select_related("activity").order_by("activity__starts_at")[:3]
    )  # fmt: skip
    codes = sorted({m.scope_code[:12] for m in scope.memberships(user) if m.scope_code})
    return {
        "template": "teams/_resident_card.html",
        "context": {"mine": list(mine), "community": codes[0] if codes else ""},
    }
