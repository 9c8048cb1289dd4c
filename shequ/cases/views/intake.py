"""Intake pages: the resident's request form (public) and its receipt, the requester's status page
and its evaluation, the look-up by number (with the phone digits: one's own status page; without:
the public copy of a published case), the public case page, a resident's own requests, the grid
worker's patrol report, the staff entry for walk-ins and calls, and the map's place preview.

Every request is written by services.submit_request; the requester's pages read one case through
its tracking link, the public case page only a published case (Case.objects.public(), shown as
public.public_case), staff pages through visible_to."""

import uuid

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.cases import public, services
from shequ.cases.forms_intake import PatrolForm, ReportForm, StaffEntryForm
from shequ.cases.models import CLOCK_STATUSES, Case, Channel, Status
from shequ.core import scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.forms import read_photos
from shequ.core.generic import ServiceFormView, error_page
from shequ.core.middleware import client_ip
from shequ.core.roles import Role, roles_with
from shequ.org.models import Grid, Level, OrgUnit

EVALUABLE = (Status.CLOSED, Status.CALLED_BACK)


def _place_errors(form, exc: DomainError) -> None:
    """Put a service's refusal next to the field it is about (else above the form)."""
    placed = False
    for field, msgs in (exc.details or {}).items():
        if field in form.fields:
            for m in msgs:
                form.add_error(field, m)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _community(code: str):
    return OrgUnit.objects.filter(code=code, level=Level.COMMUNITY).first() if code else None


def _grids_json(qs=None) -> dict:
    return public.grid_outlines(qs)


# --- the resident's request ----------------------------------------------------------------------
def _report_form(request, data=None, files=None):
    return ReportForm(
        data,
        files,
        communities=public.served_communities(),
        signed_in=request.user.is_authenticated,
        initial=None
        if data is not None
        else {
            "form_token": uuid.uuid4().hex,
            "channel": public.channel_for(request),
            "requester_name": getattr(request.user, "display_name", "")
            if request.user.is_authenticated
            else "",
        },
    )


def _render_report(request, form, status=200, photos_lost=False):
    ctx = {
        "form": form,
        "title": _("我要反映"),
        "grids": _grids_json(),
        "photos_lost": photos_lost,
    }
    return render(request, "cases/intake_report.html", ctx, status=status)


@require_http_methods(["GET", "POST"])
def report(request):
    """The resident's request form (no account needed); a success leads to the receipt."""
    if request.method != "POST":
        return _render_report(request, _report_form(request))
    form = _report_form(request, request.POST, request.FILES)
    photos_lost = bool(request.FILES)
    if not form.is_valid():
        return _render_report(request, form, 400, photos_lost)
    signed_in = request.user.is_authenticated
    ip = client_ip(request)
    if not signed_in and public.throttled("report", ip, public.report_limit()):
        form.add_error(
            None,
            _("同一网络一小时内最多提交 %(n)d 件诉求，请稍后再提交；紧急情况请拨打 12345 或 110。")
            % {"n": public.report_limit()},
        )
        return _render_report(request, form, 429, photos_lost)
    d = form.cleaned_data
    try:
        case, created = services.submit_request(
            request.user if signed_in else None,
            channel=public.channel_for(request, d["channel"]),
            category=d["category"],
            description=d["description"],
            lat=d["lat"],
            lng=d["lng"],
            address=d["address"],
            community=_community(d["community"]),
            anonymous=d["anonymous"],
            requester_name=d["requester_name"],
            requester_phone=d["requester_phone"],
            requester_email=d["requester_email"],
            photos=read_photos(d["photos"]),
            external_id=d["form_token"],
            publish_optout=d["publish_optout"],
        )
    except DomainError as exc:
        _place_errors(form, exc)
        return _render_report(request, form, 400 if exc.status == 404 else exc.status, photos_lost)
    if not created and (case.description != d["description"].strip() or case.category.code != d["category"]):
        # The same one-time token with other content is not a resubmission of this form.
        form.add_error(None, _("这份表单已经提交过，请刷新页面后重新填写。"))
        return _render_report(request, form, 409, photos_lost)
    if created and not signed_in:
        public.count("report", ip)
    return redirect("cases:report-done", token=case.tracking_token)


def _track_url(request, case) -> str:
    return request.build_absolute_uri(reverse("cases:track", args=[case.tracking_token]))


@require_GET
def report_done(request, token):
    """The receipt: tracking number, status-page link and its QR code."""
    case = public.by_token(token)
    if case is None:
        raise Http404(_("未找到该诉求，请核对链接。"))
    url = _track_url(request, case)
    qr = segno.make(url, error="m").svg_data_uri(scale=5, border=2, dark="#212529")
    ctx = {"case": case, "track_url": url, "qr": qr, "title": _("提交成功")}
    return render(request, "cases/intake_done.html", ctx)


# --- the status page -----------------------------------------------------------------------------
def _render_track(request, case, status=200, error=None, rating=None, comment=""):
    ctx = {
        "case": case,
        "title": _("诉求办理进度"),
        "hint": public.STATUS_HINTS.get(case.status, ""),
        "tone": public.STATUS_TONE.get(case.status, "secondary"),
        "events": public.timeline(case),
        "outcome": public.outcome_of(case),
        "contact": public.requester_masked(case),
        "show_deadline": case.deadline is not None and case.status in CLOCK_STATUSES,
        "can_evaluate": case.status in EVALUABLE,
        "stars": range(5, 0, -1),
        "error": error,
        "rating": rating,
        "comment": comment,
        "track_url": _track_url(request, case),
        "place": public.place_label(
            (case.community or case.street).display_name, case.grid.name if case.grid_id else ""
        ),
        "publication": public.publication_of(case),
    }
    return render(request, "cases/track.html", ctx, status=status)


@require_GET
def track(request, token):
    """The requester's status page; the tracking link is the key, so it shows only this case."""
    case = public.by_token(token)
    if case is None:
        raise Http404(_("未找到该诉求，请核对链接，或用受理编号和手机号后四位查询。"))
    return _render_track(request, case)


@require_POST
def track_evaluate(request, token):
    """The requester's 1–5 star evaluation of a closed case."""
    rating = request.POST.get("rating", "")
    comment = (request.POST.get("comment") or "").strip()
    try:
        services.evaluate_by_token(token, rating=rating, comment=comment)
    except NotFound:
        raise Http404(_("未找到该诉求，请核对链接。")) from None
    except DomainError as exc:
        case = public.by_token(token)
        return _render_track(request, case, exc.status, exc.message, rating, comment)
    messages.success(request, _("感谢您的评价！"))
    return redirect("cases:track", token=token)


# --- look-up by number and phone digits -----------------------------------------------------------
@require_http_methods(["GET", "POST"])
def lookup(request):
    """Find one's status page with the tracking number and the last four digits of the phone."""
    ctx = {"title": _("查询办理进度"), "number": "", "error": None}
    if request.method != "POST":
        ctx["number"] = request.GET.get("number", "")[:20]
        return render(request, "cases/intake_lookup.html", ctx)
    number = (request.POST.get("number") or "").strip()[:20]
    last4 = (request.POST.get("last4") or "").strip()
    ctx["number"] = number
    ip = client_ip(request)
    if public.throttled("lookup", ip, public.lookup_limit()):
        ctx["error"] = _("查询次数过多，请一小时后再试；也可拨打 12345 查询。")
        return render(request, "cases/intake_lookup.html", ctx, status=429)
    if not last4:
        # Without the phone digits only a published case is found, and only its public copy.
        case = public.published(number)
        if case is None:
            public.count("lookup", ip)
            ctx["error"] = _(
                "未找到已公开的该编号诉求。查询自己的诉求请同时填写手机号后四位；匿名提交的诉求请使用提交成功时的链接或二维码查看。"
            )
            return render(request, "cases/intake_lookup.html", ctx, status=400)
        return redirect("cases:public-case", number=case.number)
    case = public.lookup(number, last4)
    if case is None:
        public.count("lookup", ip)
        ctx["error"] = _(
            "受理编号或手机号后四位不正确，请核对后重试。匿名提交的诉求请使用提交成功时的链接或二维码查看。"
        )
        return render(request, "cases/intake_lookup.html", ctx, status=400)
    return redirect("cases:track", token=case.tracking_token)


@require_GET
def public_case(request, number):
    """A published case as anyone may see it: the public copy, never the requester's own text."""
    case = public.published(number)
    if case is None:
        raise Http404(_("未找到已公开的该编号诉求。"))
    ctx = {
        "case": case,
        "copy": public.public_case(case),
        "title": _("诉求办理情况"),
        "tone": public.STATUS_TONE.get(case.status, "secondary"),
    }
    return render(request, "cases/public_case.html", ctx)


# --- a resident's own requests -------------------------------------------------------------------
@login_required
def mine(request):
    """The requests the signed-in person filed, newest first. Only residents file requests as
    themselves (staff entries never set the requester account), so other roles are refused."""
    if not any(m.role == Role.RESIDENT for m in scope.memberships(request.user)):
        return error_page(request, 403)
    qs = (
        Case.objects.visible_to(request.user)
        .filter(requester_user=request.user)
        .select_related("category__parent")
        .only(
            "number",
            "title",
            "status",
            "received_at",
            "tracking_token",
            "deadline",
            "category__name",
            "category__parent__name",
            "channel",
        )
        .order_by("-received_at", "-id")
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    for c in page:
        c.tone = public.STATUS_TONE.get(c.status, "secondary")
    return render(request, "cases/intake_mine.html", {"page": page, "title": _("我的诉求")})


# --- staff pages ---------------------------------------------------------------------------------
class _StaffIntake(ServiceFormView):
    perm = "cases.register_case"
    channel = ""

    def _check_perm(self):
        # The act is checked over the place by the service; the page needs the permission somewhere.
        roles = roles_with(self.perm)
        if not any(m.role in roles for m in scope.memberships(self.request.user)):
            return error_page(self.request, 403)
        return None

    def initial(self):
        return {"form_token": uuid.uuid4().hex}

    def context(self):
        return {"grids": _grids_json(Grid.objects.visible_to(self.request.user))}

    def submit(self, form, **extra):
        d = form.cleaned_data
        case, _created = services.submit_request(
            self.request.user,
            category=d["category"],
            description=d["description"],
            lat=d["lat"],
            lng=d["lng"],
            address=d["address"],
            photos=read_photos(d["photos"]),
            external_id=d["form_token"],
            **extra,
        )
        return case


class PatrolView(_StaffIntake):
    """A grid worker's patrol report on a phone: photo, position, category, a few words."""

    form_class = PatrolForm
    title = _l("巡查上报")
    submit_label = _l("上报")
    template_name = "cases/intake_patrol.html"

    def perform(self, form):
        return self.submit(form, channel=Channel.PATROL)


def _scope_communities(user) -> list:
    """Communities where the user may register requests, grouped by street."""
    roots = scope.scope_codes(user, roles_with("cases.register_case"))
    qs = OrgUnit.objects.filter(level=Level.COMMUNITY)
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    return public.served_communities(qs)


class CaseCreateView(_StaffIntake):
    """Staff entry of a request taken at the counter or on the telephone."""

    form_class = StaffEntryForm
    title = _l("登记诉求")
    submit_label = _l("登记")
    template_name = "cases/intake_staff.html"

    def get_form_kwargs(self):
        return {"communities": _scope_communities(self.request.user)}

    def perform(self, form):
        d = form.cleaned_data
        return self.submit(
            form,
            channel=d["channel"],
            community=_community(d["community"]),
            anonymous=d["anonymous"],
            requester_name=d["requester_name"],
            requester_phone=d["requester_phone"],
            requester_email=d["requester_email"],
            publish_optout=d["publish_optout"],
        )


# --- the map's place preview ---------------------------------------------------------------------
@require_GET
def locate(request):
    """Which grid, community and street a point lies in (public: names only, no personal data)."""
    try:
        place = public.place_of(request.GET.get("lat"), request.GET.get("lng"))
    except ValueError as exc:
        return JsonResponse({"found": False, "message": str(exc)}, status=400)
    return JsonResponse(place, json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("report/", report, name="report"),
    path("report/done/<str:token>/", report_done, name="report-done"),
    path("track/<str:token>/", track, name="track"),
    path("track/<str:token>/evaluate/", track_evaluate, name="track-evaluate"),
    path("lookup/", lookup, name="lookup"),
    path("public/<str:number>/", public_case, name="public-case"),
    path("mine/", mine, name="mine"),
    path("patrol/", PatrolView.as_view(), name="patrol"),
    path("new/", CaseCreateView.as_view(), name="case-create"),
    path("locate/", locate, name="locate"),
]
