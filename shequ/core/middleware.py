"""Request id and client IP for the change log; headers every answer carries (no caching of
answers that may hold personal data); the TOTP gate for administrative roles."""

import re
import uuid

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.utils import translation

from shequ.core import context

OTP_SESSION_KEY = "shequ_otp_ok"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request) -> str | None:
    if getattr(settings, "BEHIND_PROXY", False):
        fwd = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if fwd:
            # The last entry is the one our proxy appended; earlier ones come from the client.
            return fwd.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def keeps_no_copy(request) -> bool:
    """Whether an answer must not be stored by the browser, a shared computer's cache or a proxy:
    every answer to a signed-in user (any staff page may show personal data, and a page left in
    the back-button history of a shared office PC is a leak) and every JSON API answer. Static
    files are served before this point; public pages (the request form, Open311) keep theirs."""
    if request.path.startswith("/api/"):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        channel = "api" if request.path.startswith(("/api/", "/open311/")) else "web"
        token = context.activate(context.RequestContext(rid, client_ip(request), channel))
        request.request_id = rid
        try:
            response = self.get_response(request)
        finally:
            context.deactivate(token)
        if response.status_code == 405 and not response.content and not request.path.startswith("/api/"):
            from django.shortcuts import render

            allowed = response.get("Allow", "")
            response = render(
                request,
                "core/error.html",
                {
                    "status": 405,
                    "message": translation.gettext("此地址只接受表单提交，请从页面上的按钮操作。"),
                },
                status=405,
            )
            response["Allow"] = allowed
        response["X-Request-ID"] = rid
        response.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
        if keeps_no_copy(request):
            response["Cache-Control"] = "no-store"
        return response


class SecondFactorMiddleware:
    """A signed-in administrator reaches pages only after passing TOTP in this session."""

    exempt_prefixes = ("/static/", "/healthz", "/api/", "/open311/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(OTP_SESSION_KEY)
            and not request.path.startswith(self.exempt_prefixes)
        ):
            from django.urls import resolve

            try:
                name = resolve(request.path_info).view_name
            except Exception:
                name = ""
            if name not in {"core:totp", "core:logout"} and user.needs_second_factor:
                return redirect("core:totp")
        return self.get_response(request)


class LanguageMiddleware(LocaleMiddleware):
    """Chinese unless the user picked another language: a browser's Accept-Language (often en-US on
    office PCs) does not switch the interface, only the language menu (a cookie) does."""

    def process_request(self, request):
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in dict(settings.LANGUAGES):
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = translation.get_language()


class RejectNulMiddleware:
    """NUL characters are never valid in our text, and PostgreSQL refuses them with a 500:
    answer 400 with a message instead (path, query string, form and JSON bodies)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw_query = request.META.get("QUERY_STRING", "")
        bad = "\x00" in request.path or "%00" in raw_query.upper() or "\x00" in raw_query
        if (
            not bad
            and request.method in ("POST", "PUT", "PATCH")
            and not request.content_type.startswith("multipart/")
        ):
            body = request.body
            bad = b"\x00" in body or b"\\u0000" in body or b"%00" in body
        if bad:
            from django.http import JsonResponse
            from django.shortcuts import render

            message = translation.gettext("请求中含有不允许的控制字符（NUL），请检查后重新提交。")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "invalid_characters", "message": message, "details": {}}, status=400
                )
            return render(request, "core/error.html", {"status": 400, "message": message}, status=400)
        return self.get_response(request)
