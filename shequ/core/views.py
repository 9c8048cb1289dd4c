"""Kernel pages: sign-in with TOTP, home dashboard, account, change log, reveal, scope focus, health."""

import datetime as dt
import logging
import re

import django_filters
import segno
from django import forms
from django.apps import apps
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from shequ.core import accounts, attachments, changelog, registry, scope, worktime
from shequ.core.errors import DomainError, PayloadTooLarge, ValidationFailed
from shequ.core.forms import DateInput
from shequ.core.generic import Column, ScopedListView
from shequ.core.middleware import OTP_SESSION_KEY
from shequ.core.models import Action, ApiToken, CalendarDay, ChangeLogEntry, DayKind
from shequ.core.roles import STAFF, Role


class LoginForm(forms.Form):
    username = forms.CharField(label=_l("用户名"), max_length=150)
    password = forms.CharField(label=_l("密码"), widget=forms.PasswordInput)


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_l("动态口令"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


def _safe_next(request) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
        return nxt
    return reverse("core:home")


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.password_login(
                form.cleaned_data["username"], form.cleaned_data["password"], request
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status if exc.status == 429 else 400  # the same words either way
        else:
            login(request, user)
            request.session.cycle_key()
            if user.needs_second_factor:
                request.session["otp_next"] = _safe_next(request)
                return redirect("core:totp")
            # No second-factor flag here: the middleware asks again whenever the account gains
            # an administrative role, even within this session.
            accounts.record_login(user)
            return redirect(_safe_next(request))
    else:
        status = 400 if form.errors else 200
    return render(
        request, "core/login.html", {"form": form, "next": request.GET.get("next", "")}, status=status
    )


@login_required
def totp_view(request):
    user = request.user
    if request.session.get(OTP_SESSION_KEY) or not user.needs_second_factor:
        return redirect("core:home")
    enrol = not user.totp_confirmed_at
    ctx = {}
    if enrol:
        uri = accounts.begin_totp_enrolment(user)
        ctx = {
            "qr_svg": segno.make(uri, error="m").svg_inline(scale=4),
            "secret": user.totp_secret,
            "uri": uri,
        }
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            passed = accounts.verify_totp(user, form.cleaned_data["code"])
        except DomainError as exc:  # locked by too many wrong codes: end the half-open session
            logout(request)
            ctx = {"form": LoginForm(), "next": "", "message": exc.message}
            return render(request, "core/login.html", ctx, status=exc.status)
        if passed:
            request.session.cycle_key()
            request.session[OTP_SESSION_KEY] = True
            accounts.record_login(user, note=_("已通过动态口令验证"))
            return redirect(request.session.pop("otp_next", None) or "core:home")
        form.add_error("code", _("动态口令不正确或已使用过，请查看认证器上最新的 6 位数字。"))
    ctx.update({"form": form, "enrol": enrol})
    return render(request, "core/totp.html", ctx, status=400 if form.errors else 200)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("core:login")


def home_heading(user, focus) -> str:
    """What the home page is about: the node looked at, the scope of staff, the department of its
    staff, or the resident themself (who holds no scope to speak of)."""
    if focus is not None:
        return str(focus)
    ms = scope.memberships(user)
    if any(m.role in STAFF for m in ms):
        return _("我的管辖范围")
    departments = sorted({m.department for m in ms if m.role == Role.DEPARTMENT and m.department})
    if departments:
        return "、".join(departments)
    return _("%(name)s，您好") % {"name": user.display_name or user.username}


@login_required
def home(request):
    """What waits on the user and their scope at a glance: the cards the modules registered for the
    user's roles, in their order."""
    focus = scope.focus_of(request)
    cards = []
    for fn in registry.dashboard_cards(request.user):
        card = fn(request, focus.code if focus else None)
        if card:
            cards.append(
                {
                    "width": card.get("width", "col-12"),
                    "html": render_to_string(card["template"], card["context"], request=request),
                }
            )
    return render(request, "core/home.html", {"cards": cards, "heading": home_heading(request.user, focus)})


@login_required
def account(request):
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")[:20]
    return render(request, "core/account.html", {"tokens": tokens, "now": timezone.now()})


@login_required
@require_POST
def revoke_token(request, pk):
    tok = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if tok is None:
        raise Http404()
    accounts.revoke_token(request.user, tok)
    return redirect("core:account")


@login_required
@require_POST
def set_focus(request):
    """Narrow pages to one node of the user's scope (empty code: the whole scope)."""
    code = (request.POST.get("code") or "").strip()
    if code and (registry.resolve_node(code) is None or not scope.covers(request.user, code)):
        raise Http404()
    request.session[scope.FOCUS_SESSION_KEY] = code
    return redirect(_safe_next(request))


@login_required
@require_POST
def reveal(request):
    """Show one masked field in full: needs the permission and a reason; logged."""
    try:
        ct = ContentType.objects.get_for_id(int(request.POST.get("ct", "0")))
    except (ContentType.DoesNotExist, ValueError):
        raise Http404() from None
    model = ct.model_class()
    if model is None or not hasattr(model.objects, "visible_to"):
        raise Http404()
    field = request.POST.get("field", "")
    ctx = {"ct": ct.pk, "pk": request.POST.get("pk"), "field": field}
    try:
        value = accounts.reveal(
            request.user, model, request.POST.get("pk"), field, request.POST.get("reason", "")
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404() from None
        ctx["error"] = exc.message
        return render(request, "core/_reveal.html", ctx, status=exc.status)
    ctx["value"] = value
    return render(request, "core/_reveal.html", ctx)


class ChangeLogFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_l("操作人"), lookup_expr="icontains")
    action = django_filters.ChoiceFilter(label=_l("动作"), choices=Action.choices)
    content_type = django_filters.ModelChoiceFilter(
        label=_l("对象类型"),
        queryset=ContentType.objects.filter(app_label__in=["core", "org"]).order_by("app_label", "model"),
    )
    object_repr = django_filters.CharFilter(label=_l("对象"), lookup_expr="icontains")
    request_id = django_filters.CharFilter(label=_l("请求编号"))
    since = django_filters.DateFilter(
        label=_l("起始日期"),
        field_name="time",
        lookup_expr="date__gte",
        widget=DateInput(),
    )
    until = django_filters.DateFilter(
        label=_l("截止日期"),
        field_name="time",
        lookup_expr="date__lte",
        widget=DateInput(),
    )

    class Meta:
        model = ChangeLogEntry
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = [a.label for a in apps.get_app_configs() if getattr(a, "shequ_module", False)]
        self.filters["content_type"].queryset = ContentType.objects.filter(app_label__in=labels).order_by(
            "app_label", "model"
        )


_DEFAULT_REPR = re.compile(r"^\w+ object \((.+)\)$")  # Model.__str__ of a model without its own


class ChangeLogView(ScopedListView):
    model = ChangeLogEntry
    filterset_class = ChangeLogFilter
    title = _l("操作日志")
    template_name = "core/changelog.html"
    table_template = "core/_changelog_table.html"
    default_sort = "-time"
    select_related = ("content_type",)
    columns = [
        Column(_l("时间"), "time", sort="time"),
        Column(_l("操作人"), "username", sort="username"),
        Column(_l("动作"), "action", sort="action"),
        Column(_l("对象类型"), "type_label"),
        Column(_l("对象"), "object_text"),
        Column(_l("变更字段"), "changed_text"),
        Column(_l("说明"), "note"),
        Column(_l("IP"), "ip"),
        # Kept for tracing one request through the log (the export, the filter and each row's
        # tooltip carry it); not a column people read.
        Column(_l("请求编号"), "request_id", page=False),
    ]

    def prepare_rows(self, objects) -> None:
        """Rows written before their model had a name of its own ("AppraisalForm object (2)") get
        the object's present name, read in one query per model (only an object the user may see;
        any other reads as its type and number)."""
        wanted: dict[int, set] = {}
        for e in objects:
            if e.content_type_id and _DEFAULT_REPR.match(e.object_repr or ""):
                wanted.setdefault(e.content_type_id, set()).add(e.object_id)
        self._names = {}
        for ct_id, ids in wanted.items():
            model = ContentType.objects.get_for_id(ct_id).model_class()
            if model is None:
                continue
            qs = model._default_manager
            qs = qs.visible_to(self.request.user) if hasattr(qs, "visible_to") else qs.none()
            for obj in qs.filter(pk__in=ids):
                self._names[(ct_id, str(obj.pk))] = str(obj)

    def col_type_label(self, e):
        return (
            e.content_type.model_class()._meta.verbose_name
            if e.content_type and e.content_type.model_class()
            else ""
        )

    def col_object_text(self, e):
        found = _DEFAULT_REPR.match(e.object_repr or "")
        if not found:
            return e.object_repr
        name = getattr(self, "_names", {}).get((e.content_type_id, e.object_id))
        return name or f"{self.col_type_label(e)} {found.group(1)}".strip()

    def col_changed_text(self, e):
        model = e.content_type.model_class() if e.content_type_id else None
        return "、".join(changelog.field_labels(model, e.changed))


@login_required
def history(request, ct, pk):
    """The history tab of any scoped object (the object itself must be visible)."""
    try:
        model = ContentType.objects.get_for_id(ct).model_class()
    except ContentType.DoesNotExist:
        raise Http404() from None
    if model is None or not hasattr(model.objects, "visible_to"):
        raise Http404()
    obj = model.objects.visible_to(request.user).filter(pk=pk).first()
    if obj is None:
        raise Http404()
    entries = list(changelog.history(obj)[:200])
    for e in entries:
        e.changed_labels = changelog.field_labels(model, e.changed)
    return render(request, "core/_history.html", {"entries": entries, "object": obj})


def metrics(request):
    """Prometheus text exposition, for the monitoring server only (see core.metrics.allowed)."""
    from shequ.core import metrics as m

    if not m.allowed(request):
        return HttpResponse(status=404)
    return HttpResponse(m.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")


def healthz(request):
    """Database reachable, migrations applied, broker reachable when one is configured."""
    from django.conf import settings

    checks = {}
    ok = True
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - report any failure
        logging.getLogger("shequ.health").error("database check failed: %s", exc)
        checks["database"] = {"ok": False, "error": type(exc).__name__}
        ok = False
    if checks["database"]["ok"]:
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            checks["migrations"] = {"ok": not pending, "pending": len(pending)}
            ok &= not pending
        except Exception as exc:  # noqa: BLE001
            checks["migrations"] = {"ok": False, "error": type(exc).__name__}
            ok = False
    if checks.get("migrations", {}).get("ok"):
        from shequ.core.keys import self_check

        checks["field_keys"] = self_check()
        ok &= checks["field_keys"]["ok"]
    from shequ.core import replica

    if replica.configured():
        st = replica.state(force=True)
        # A replica that is down or behind is skipped (reads go to the primary): reported, not fatal.
        checks["replica"] = {
            "ok": st["ok"],
            "lag_seconds": st["lag"],
            **({"error": st["error"]} if st["error"] else {}),
        }
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
            checks["broker"] = {"ok": True}
        except Exception as exc:  # noqa: BLE001
            logging.getLogger("shequ.health").error("broker check failed: %s", exc)
            checks["broker"] = {"ok": False, "error": type(exc).__name__}
            ok = False
    else:
        checks["broker"] = {"ok": True, "mode": "eager (no broker configured)"}
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503)


def _api_error(request, status, code, message):
    if request.path.startswith(("/api/", "/open311/")):
        return JsonResponse({"code": code, "message": str(message), "details": {}}, status=status)
    return None


def error_400(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        # Over DATA_UPLOAD_MAX_MEMORY_SIZE: say so with 413, so a client knows to send less.
        err = PayloadTooLarge.over_upload_limit()
        status, code, message = err.status, err.code, err.message
    else:
        status, code = 400, "bad_request"
        message = _("请求无法处理（内容过大或格式不对），请检查后重试。")
    return _api_error(request, status, code, message) or render(
        request, "core/error.html", {"status": status, "message": message}, status=status
    )


def error_404(request, exception=None):
    api = _api_error(request, 404, "not_found", _("未找到该记录，或它不在您的管辖范围内。"))
    if api:
        return api
    return render(
        request,
        "core/error.html",
        {"status": 404, "message": _("未找到该页面或记录，或它不在您的管辖范围内。")},
        status=404,
    )


def error_403(request, exception=None):
    return render(
        request, "core/error.html", {"status": 403, "message": _("您没有访问此页面的权限。")}, status=403
    )


def error_500(request):
    return render(
        request,
        "core/error.html",
        {
            "status": 500,
            "message": _("服务器出错了，请稍后重试；如反复出现，请把页面底部的请求编号告诉管理员。"),
        },
        status=500,
    )


def csrf_failure(request, reason=""):
    return render(
        request,
        "core/error.html",
        {"status": 403, "message": _("页面已过期，请刷新后重新提交。")},
        status=403,
    )


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_l("日期"), widget=DateInput())
    kind = forms.ChoiceField(label=_l("类别"), choices=DayKind.choices)
    name = forms.CharField(label=_l("名称"), max_length=50, required=False)


def _can_edit_calendar(user) -> bool:
    return scope.holds(user, "core.manage_calendar")


@login_required
def calendar_page(request):
    """Holidays and make-up workdays of one year; administrators edit them here."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2004), today.year + 5)
    form = CalendarDayForm(request.POST or None, initial={"date": dt.date(year, 1, 1)})
    editable = _can_edit_calendar(request.user)
    if request.method == "POST":
        if not editable:
            return render(
                request,
                "core/error.html",
                {"status": 403, "message": _("只有系统或区级管理员可以修改工作日历。")},
                status=403,
            )
        action = request.POST.get("action", "set")
        try:
            if action == "remove":
                worktime.remove_day(request.user, dt.date.fromisoformat(request.POST.get("date", "")))
            elif action == "year":
                worktime.mark_year_entered(request.user, year)
            elif form.is_valid():
                d = form.cleaned_data
                worktime.set_day(request.user, d["date"], d["kind"], d["name"])
            else:
                raise ValidationFailed(_("请检查填写的日期和类别。"))
        except (DomainError, ValueError) as exc:
            form.add_error(None, getattr(exc, "message", _("日期格式不正确。")))
        else:
            return redirect(f"{reverse('core:calendar')}?year={year}")
    ctx = {
        "year": year,
        "years": range(today.year - 2, today.year + 3),
        "known": worktime.year_known(year),
        "days": CalendarDay.objects.filter(date__year=year),
        "form": form,
        "editable": editable,
    }
    return render(request, "core/calendar.html", ctx, status=400 if form.errors else 200)


@login_required
def attachment(request, pk):
    """A photo of a visit (or any attachment), to whoever may see what it is attached to."""
    a = attachments.readable(request.user, pk)
    if a is None:
        raise Http404()
    resp = HttpResponse(bytes(a.data), content_type=a.content_type)
    resp["Content-Disposition"] = "inline"
    resp["Cache-Control"] = "private, max-age=3600"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
