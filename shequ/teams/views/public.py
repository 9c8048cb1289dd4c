"""Residents' pages, phone first: a community's public page of coming activities (listings and
totals only, no names), an activity's page with sign-up, volunteer shifts and rating, the check-in
page the entrance's QR opens, "my activities" with the volunteer's record, and the certificate."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core import scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.generic import error_page, hx_redirect
from shequ.core.qr import qr_data_uri
from shequ.core.services import get_visible
from shequ.org.models import Level, OrgUnit
from shequ.teams import services
from shequ.teams.forms import SelfVolunteerForm
from shequ.teams.models import (
    Activity,
    ActivityStatus,
    CheckIn,
    Rating,
    ServiceHours,
    Shift,
    ShiftSignup,
    Signup,
    SignupStatus,
    Volunteer,
)
from shequ.teams.services.common import person_key


def _public_activities(code: str):
    return Activity.objects.filter(public=True, scope_code__startswith=code)


def community(request, code):
    """A community's public page: coming activities with places left, and this year's totals."""
    unit = get_object_or_404(OrgUnit, code=code, level__in=(Level.COMMUNITY, Level.STREET))
    now = timezone.now()
    qs = _public_activities(unit.code)
    coming = (
        qs.filter(ends_at__gte=now).exclude(status=ActivityStatus.CANCELLED).order_by("starts_at")
        .annotate(taken=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)))[:50]
    )  # fmt: skip
    year = qs.filter(starts_at__year=timezone.localdate().year, starts_at__lte=now).exclude(
        status=ActivityStatus.CANCELLED
    )
    totals = {"activities": year.count(), "person_times": CheckIn.objects.filter(activity__in=year).count(),
              "hours": ServiceHours.objects.filter(activity__in=year).aggregate(h=Sum("hours"))["h"] or 0}  # fmt: skip
    return render(request, "teams/public_community.html", {"unit": unit, "coming": coming, "totals": totals})


def _viewable(request, pk) -> Activity:
    a = Activity.objects.select_related("org").filter(pk=pk).first()
    if a is None:
        raise Http404()
    if not a.public and not Activity.objects.visible_to(request.user).filter(pk=a.pk).exists():
        raise Http404()
    return a


def activity(request, pk):
    """An activity's public page: time, place, places left; signed in, the person's sign-up,
    shifts for volunteers and the rating form after it started."""
    a = _viewable(request, pk)
    user = request.user
    taken = Signup.objects.filter(activity=a, status=SignupStatus.CONFIRMED).count()
    waiting = Signup.objects.filter(activity=a, status=SignupStatus.WAITING).count()
    ctx = {"a": a, "taken": taken, "waiting": waiting, "left": None if a.capacity is None else max(a.capacity - taken, 0),
           "now": timezone.now(), "mine": None, "position": None, "checked_in": False, "rated": None,
           "volunteer": None, "shifts": []}  # fmt: skip
    if user.is_authenticated:
        key, _r, _n = person_key(user, a.scope_code)
        mine = Signup.objects.filter(activity=a, user=user).order_by("-created_at").first()
        ctx["mine"] = mine
        ctx["position"] = services.waiting_position(mine) if mine else None
        ctx["checked_in"] = CheckIn.objects.filter(activity=a, key=key).exists()
        if mine and mine.status == SignupStatus.CONFIRMED and not ctx["checked_in"] and not a.cancelled:
            ctx["pass_code"] = services.pass_code(mine)
            ctx["pass_qr"] = qr_data_uri(ctx["pass_code"])
        ctx["rated"] = Rating.objects.filter(activity=a, key=key).first()
        v = services.volunteer_of(user)
        ctx["volunteer"] = v
        if v is not None:
            ctx["shifts"] = [
                (s, s.n, ShiftSignup.objects.filter(shift=s, volunteer=v).exists())
                for s in Shift.objects.filter(activity=a).annotate(n=Count("takers"))
            ]
    return render(request, "teams/public_activity.html", ctx)


def _post(request, pk, fn):
    a = _viewable(request, pk)
    try:
        fn(a)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(
            request, exc.status, exc.message, back=reverse("teams:public-activity", args=[a.pk])
        )
    return hx_redirect(request, reverse("teams:public-activity", args=[a.pk]))


@login_required
@require_POST
def sign_up(request, pk):
    return _post(request, pk, lambda a: services.sign_up(request.user, a.pk))


@login_required
@require_POST
def cancel_signup(request, pk):
    """Withdraw one's own standing sign-up of this activity."""

    def act(a):
        s = Signup.objects.filter(
            activity=a, user=request.user, status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITING)
        ).first()
        if s is None:
            raise NotFound()
        services.cancel_signup(request.user, s.pk)

    return _post(request, pk, act)


@login_required
@require_POST
def take_shift(request, pk):
    return _post(request, pk, lambda a: services.take_shift(request.user, request.POST.get("shift")))


@login_required
@require_POST
def rate(request, pk):
    return _post(request, pk, lambda a: services.rate(request.user, a.pk, score=request.POST.get("score"),
                                                     comment=request.POST.get("comment", "")))  # fmt: skip


@login_required
def check_in(request, token):
    """The page the entrance's QR opens on a phone: the activity, and the button that checks in."""
    try:
        a = services.read_door_token(token)
    except DomainError as exc:
        return error_page(request, 400, exc.message)
    if not a.public and not Activity.objects.visible_to(request.user).filter(pk=a.pk).exists():
        raise Http404()
    key, _r, name = person_key(request.user, a.scope_code)
    done = CheckIn.objects.filter(activity=a, key=key).first()
    error, status = None, 200
    if request.method == "POST" and done is None:
        try:
            done = services.check_in_by_qr(request.user, token)
        except DomainError as exc:
            error, status = exc.message, exc.status
    ctx = {"a": a, "done": done, "error": error, "name": name}
    return render(request, "teams/check_in.html", ctx, status=status)


@login_required
def mine(request):
    """A resident's activities: sign-ups, attendance, and — for a volunteer — hours and certificate."""
    user = request.user
    signups = (
        Signup.objects.filter(user=user).select_related("activity").order_by("-activity__starts_at")[:50]
    )
    attended = CheckIn.objects.filter(user=user).select_related("activity").order_by("-at")[:50]
    v = services.volunteer_of(user)
    hours = (
        ServiceHours.objects.filter(volunteer=v).select_related("activity").order_by("-activity__starts_at")
        if v
        else []
    )
    total = sum((h.hours for h in hours), 0) if v else 0
    form = None
    codes = sorted({m.scope_code[:12] for m in scope.memberships(user) if m.scope_code})
    if v is None and codes:
        form = SelfVolunteerForm()
    ctx = {"signups": signups, "attended": attended, "v": v, "hours": hours, "total": total, "form": form,
           "community": codes[0] if codes else ""}  # fmt: skip
    return render(request, "teams/mine.html", ctx)


@login_required
@require_POST
def register_self(request):
    """A signed-in resident registers as a volunteer of their community."""
    form = SelfVolunteerForm(request.POST)
    codes = sorted({m.scope_code[:12] for m in scope.memberships(request.user) if m.scope_code})
    if not form.is_valid() or not codes:
        return error_page(request, 400, _("请选择技能和可服务时间后再提交。"), back=reverse("teams:mine"))
    try:
        services.register_self(request.user, codes[0], skills=[s.pk for s in form.cleaned_data["skills"]],
                               availability=form.cleaned_data["availability"])  # fmt: skip
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=reverse("teams:mine"))
    return hx_redirect(request, reverse("teams:mine"))


@login_required
def certificate(request, pk):
    """志愿服务证明: a printable page of a volunteer's confirmed hours (the volunteer's own, or the
    community's staff); printed or saved as PDF from the browser, as the duties certificates are."""
    try:
        v = get_visible(Volunteer, request.user, pk)
    except NotFound:
        raise Http404() from None
    hours = list(
        ServiceHours.objects.filter(volunteer=v).select_related("activity").order_by("activity__starts_at")
    )
    total = sum((h.hours for h in hours), 0)
    issuer = v.resident.community.display_name if v.resident.community_id else ""
    ctx = {"v": v, "hours": hours, "total": total, "issuer": issuer, "today": timezone.localdate(),
           "first": hours[0].activity.starts_at if hours else None}  # fmt: skip
    return render(request, "teams/certificate.html", ctx)
