"""The staff's scanner at an activity's door: a phone's camera (or a scanner gun, or typed) reads the
pass (入场码) each resident shows; scans queue on the phone while it is offline and go up when it is
back (the sync answers each scan on its own: checked in, already in, or refused with the reason)."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.errors import DomainError, NotFound
from shequ.core.generic import error_page
from shequ.core.services import get_visible
from shequ.teams import services
from shequ.teams.models import Activity, CheckIn, Signup, SignupStatus


def _staff_activity(request, pk) -> Activity:
    try:
        a = get_visible(Activity, request.user, pk)
        services.activity_for_staff(request.user, a.pk, lock=False)
    except NotFound:
        raise Http404() from None
    return a


@login_required
def scanner(request, pk):
    """The scanner page: camera, a box for a scanner gun or typing, the queue and what each scan did.
    It carries the confirmed sign-ups so that, offline, it can still name whose pass it read."""
    try:
        a = _staff_activity(request, pk)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    confirmed = Signup.objects.filter(activity=a, status=SignupStatus.CONFIRMED).only("pk", "name", "key")
    inside = set(CheckIn.objects.filter(activity=a).values_list("key", flat=True))
    roster = {str(s.pk): {"name": s.name, "in": s.key in inside} for s in confirmed}
    ctx = {"a": a, "roster": {"activity": a.pk, "signups": roster}, "checked_in": len(inside),
           "confirmed": len(roster)}  # fmt: skip
    return render(request, "teams/scanner.html", ctx)


@login_required
@require_POST
def scans(request, pk):
    """The scanner's queue going up: JSON {"scans": [{"id", "code", "at"}]}; answers each scan."""
    try:
        a = _staff_activity(request, pk)
    except DomainError as exc:
        return JsonResponse({"message": exc.message}, status=exc.status)
    try:
        body = json.loads(request.body or b"{}")
        rows = body.get("scans")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValueError
    except (ValueError, AttributeError):
        return JsonResponse({"message": _("上传内容格式不对，请刷新扫码页面后重试。")}, status=400)
    try:
        results = services.sync_scans(request.user, a.pk, rows)
    except DomainError as exc:
        return JsonResponse({"message": exc.message}, status=exc.status)
    return JsonResponse({"results": results, "checked_in": CheckIn.objects.filter(activity=a).count()})
