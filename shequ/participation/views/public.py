"""What residents use without a staff account: a community's 议事厅 (its issues with their
support counts), proposing an issue, supporting one, the 公示 of resolutions (totals only, never
who supported, signed in or voted), and signing in to a meeting from the QR on the wall. A
signed-in resident acts as themselves; anyone else gives their name and the last four digits of
their phone, checked against the community's registry (and throttled per network)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shequ.core import scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.generic import error_page
from shequ.core.middleware import client_ip
from shequ.core.roles import Role
from shequ.org.models import Level, OrgUnit
from shequ.participation import services
from shequ.participation.forms import ProposeForm, WhoForm
from shequ.participation.models import Issue, Resolution, public_issue_q
from shequ.participation.services.identity import resident_of
from shequ.participation.workflow import OPEN_FOR_SUPPORT


# --- throttle: failed identity checks per network and hour -------------------------------------------
def _key(ip: str) -> str:
    return f"shequ:participation:who:{ip or '-'}"


def _limit() -> int:
    return getattr(settings, "PARTICIPATION_CHECKS_PER_HOUR", 30)


def _throttled(request) -> bool:
    return (cache.get(_key(client_ip(request))) or 0) >= _limit()


def _count_failure(request) -> None:
    key = _key(client_ip(request))
    if not cache.add(key, 1, 3600):
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, 1, 3600)


def _community(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code, level=Level.COMMUNITY).select_related("parent").first()
    if unit is None:
        raise Http404(_("未找到该社区。"))
    return unit


def _signed_in_resident(request, code: str) -> bool:
    return request.user.is_authenticated and resident_of(request.user, code)


def _place(form, exc: DomainError) -> None:
    placed = False
    for field, msgs in (exc.details or {}).items():
        if field in form.fields:
            for m in msgs:
                form.add_error(field, m)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _act(request, form, fn):
    """Run a resident's act; a refusal lands on the form (a failed identity check is counted)."""
    if _throttled(request):
        form.add_error(None, _("核对次数过多，请一小时后再试，或到社区居委会办理。"))
        return None, 429
    try:
        return fn(), 200
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        if "last4" in (exc.details or {}) or exc.code == "ambiguous":
            _count_failure(request)
        _place(form, exc)
        return None, exc.status


@require_http_methods(["GET"])
def hall(request, code):
    """居民议事厅 of a community: issues gathering support, on the agenda and carried out."""
    unit = _community(code)
    issues = (
        Issue.objects.filter(public_issue_q, community=unit)
        .select_related("category")
        .order_by("-raised_on", "-id")
    )
    ctx = {
        "unit": unit,
        "open": list(issues.filter(status__in=OPEN_FOR_SUPPORT)[:100]),
        "later": list(issues.exclude(status__in=OPEN_FOR_SUPPORT)[:50]),
        "threshold": services.threshold_of(unit),
        "resident": _signed_in_resident(request, unit.code),
        "title": _("居民议事厅"),
    }
    return render(request, "participation/public_hall.html", ctx)


@require_http_methods(["GET", "POST"])
def propose(request, code):
    """A resident proposes an issue (on a phone, typically)."""
    unit = _community(code)
    signed_in = _signed_in_resident(request, unit.code)
    form = ProposeForm(request.POST or None, community_code=unit.code, signed_in=signed_in)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            issue, status = _act(request, form, lambda: services.propose_issue(
                request.user, unit.code, title=d["title"], text=d["text"], category=d["category"],
                building=d["building"] or None, name=d["name"], last4=d["last4"], scope=d["scope"],
                area=d["area"] or None,
            ))  # fmt: skip
            if issue is not None:
                messages.success(request, _("议题已提交，您的附议已计入。邀请邻居一起附议吧。"))
                return redirect("participation:public-issue", pk=issue.pk)
    ctx = {"unit": unit, "form": form, "signed_in": signed_in, "title": _("我要提议")}
    return render(request, "participation/public_propose.html", ctx, status=status)


@require_http_methods(["GET", "POST"])
def public_issue(request, pk):
    """One issue as residents see it (title, text, category, status, support count) and 附议."""
    issue = (
        Issue.objects.filter(public_issue_q, pk=pk)
        .select_related("community", "category", "building")
        .first()
    )
    if issue is None:
        raise Http404(_("未找到该议题。"))
    signed_in = _signed_in_resident(request, issue.community.code)
    form = WhoForm(request.POST or None, signed_in=signed_in)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            done, status = _act(request, form, lambda: services.support_issue(
                request.user, issue.pk, name=d["name"], last4=d["last4"]))  # fmt: skip
            if done is not None:
                messages.success(request, _("附议成功，感谢您的参与！"))
                return redirect("participation:public-issue", pk=issue.pk)
        issue.refresh_from_db()
    resolutions = Resolution.objects.filter(issue=issue, adopted=True, published_on__isnull=False)
    ctx = {
        "issue": issue,
        "unit": issue.community,
        "form": form,
        "signed_in": signed_in,
        "open": issue.status in OPEN_FOR_SUPPORT,
        "threshold": services.threshold_of(issue.community),
        "resolutions": resolutions,
        "title": _("议题"),
    }
    return render(request, "participation/public_issue.html", ctx, status=status)


@require_http_methods(["GET"])
def public_resolutions(request, code):
    """决议公示 of a community: published resolutions, their vote totals and progress."""
    unit = _community(code)
    today = timezone.localdate()
    rows = list(
        Resolution.objects.filter(meeting__community=unit, adopted=True, published_on__isnull=False,
                                  published_on__lte=today)
        .select_related("issue", "meeting__kind")
        .prefetch_related("follow_ups")
        .order_by("-published_on", "-id")[:100]
    )  # fmt: skip
    ctx = {"unit": unit, "rows": rows, "today": today, "title": _("决议公示")}
    return render(request, "participation/public_resolutions.html", ctx)


@require_http_methods(["GET", "POST"])
def sign_in(request, token):
    """Meeting sign-in from the QR on the wall: once per person, while sign-in is open."""
    try:
        meeting = services.meeting_for_token(token)
    except NotFound as exc:
        return error_page(request, 404, exc.message)
    signed_in = _signed_in_resident(request, meeting.community.code)
    form = WhoForm(request.POST or None, signed_in=signed_in)
    status, done = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            done, status = _act(request, form, lambda: services.sign_in_by_qr(
                request.user, token, name=d["name"], last4=d["last4"]))  # fmt: skip
    ctx = {
        "m": meeting,
        "form": form,
        "signed_in": signed_in,
        "done": done,
        "open": services.sign_in_open(meeting),
        "present": meeting.attendance.count(),
        "title": _("会议签到"),
    }
    return render(request, "participation/sign_in.html", ctx, status=status)


@login_required
def my_hall(request):
    """A signed-in resident's way to their community's 议事厅."""
    codes = sorted({m.scope_code[:12] for m in scope.memberships(request.user) if m.role == Role.RESIDENT})
    if not codes:
        return error_page(request, 403)
    return redirect("participation:hall", code=codes[0])
