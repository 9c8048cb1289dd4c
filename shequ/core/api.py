"""The JSON API under /api/v1/: bearer tokens, one error shape, and every module's router.

A module joins by shipping `<app>/api.py` with a `router = ninja.Router()`; it is mounted at
/api/v1/<app label>/ (see `build_api`)."""

import logging
from datetime import datetime
from importlib import import_module

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer

from shequ.core import accounts, scope
from shequ.core.errors import DomainError
from shequ.core.models import ApiToken
from shequ.core.registry import shequ_apps


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        tok = ApiToken.authenticate(token)
        if tok is None:
            return None
        request.user = tok.user
        request.api_token = tok
        return tok.user


class Pagination(LimitOffsetPagination):
    """limit/offset with bounds: a huge offset is a clear 422, not a database overflow."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="每页条数（1–1000）")
        offset: int = Field(0, ge=0, le=10_000_000, description="跳过的条数")


class ErrorOut(Schema):
    code: str
    message: str
    details: dict = {}


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    otp: str | None = Field(None, max_length=8)
    label: str = Field("", max_length=100)


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: datetime


class MembershipOut(Schema):
    role: str
    role_label: str
    scope_code: str
    scope_name: str


class MeOut(Schema):
    username: str
    display_name: str
    memberships: list[MembershipOut]


auth_router = Router(tags=["auth"])


@auth_router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="用户名+密码（管理员另需动态口令）换取令牌",
)
def create_token(request, payload: TokenIn):
    tok, raw = accounts.issue_token(payload.username, payload.password, payload.otp, payload.label)
    return {"token": raw, "expires_at": tok.expires_at}


@auth_router.delete("/token", response={204: None}, summary="撤销当前令牌")
def delete_token(request):
    accounts.revoke_token(request.user, request.api_token)
    return Status(204, None)


@auth_router.get("/me", response=MeOut, summary="当前账号及其授权范围")
def me(request):
    return {
        "username": request.user.username,
        "display_name": request.user.display_name,
        "memberships": [
            {
                "role": m.role,
                "role_label": m.get_role_display(),
                "scope_code": m.scope_code,
                "scope_name": m.scope_name,
            }
            for m in scope.memberships(request.user)
        ],
    }


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="shequ API",
        version="1",
        description="社区治理平台接口。认证：POST /api/v1/auth/token 取得令牌，之后带 `Authorization: Bearer <token>`。"
        "错误统一为 {code, message, details}。敏感个人信息默认脱敏。",
        auth=BearerToken(),
        urls_namespace="api",
    )

    def _err(request, status, code, message, details=None):
        return api.create_response(
            request, {"code": code, "message": message, "details": details or {}}, status=status
        )

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return _err(request, exc.status, exc.code, exc.message, exc.details)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return _err(request, 404, "not_found", _("未找到该记录，或它不在您的管辖范围内。"))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return _err(request, 401, "unauthenticated", _("令牌缺失、无效、已过期或已撤销，请重新申请。"))

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc):
        return _err(request, 422, "invalid_request", _("请求参数有误。"), {"errors": exc.errors})

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        if exc.status_code == 400:
            return _err(
                request, 400, "bad_request", _("请求体无法解析，请发送有效的 JSON。"), {"error": str(exc)}
            )
        return _err(request, exc.status_code, "http_error", str(exc))

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logging.getLogger("shequ.api").exception("unhandled API error")
        return _err(
            request,
            500,
            "server_error",
            _("服务器出错了，请稍后重试；如反复出现，请把请求编号告诉管理员。"),
            {"request_id": getattr(request, "request_id", "")},
        )

    api.add_router("/auth", auth_router)
    api.add_router("/core", core_router)
    for app in shequ_apps():
        try:
            mod = import_module(f"{app.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app.name}.api":
                raise
            continue
        router = getattr(mod, "router", None)
        if router is not None:
            api.add_router(f"/{app.label}", router)
    return api


def filtered(request, filterset_class, qs, params: Schema | None):
    """Run the same FilterSet the list page uses over API query parameters."""
    data = {k: v for k, v in (params.dict() if params else {}).items() if v not in (None, "")}
    fs = filterset_class(data, queryset=qs, request=request)
    if not fs.is_valid():
        raise DomainError(
            _("筛选条件有误。"),
            code="invalid_filter",
            details={k: [str(m) for m in v] for k, v in fs.errors.items()},
        )
    return fs.qs


class RevealIn(Schema):
    model: str  # "org.assignment"
    id: int
    field: str
    reason: str


class RevealOut(Schema):
    value: str


class ChangeLogOut(Schema):
    time: datetime
    username: str
    action: str
    object_type: str | None
    object_id: str
    object_repr: str
    changed: list
    note: str
    request_id: str
    before: dict | None
    after: dict | None


core_router = Router(tags=["core"])


@core_router.post(
    "/reveal",
    response={200: RevealOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="查看一个脱敏字段的完整值（须有权限并填写事由，留痕）",
)
def reveal_field(request, payload: RevealIn):
    from django.apps import apps as django_apps

    try:
        model = django_apps.get_model(payload.model)
    except (LookupError, ValueError):
        raise Http404() from None
    if not hasattr(model.objects, "visible_to"):
        raise Http404()
    return {"value": accounts.reveal(request.user, model, payload.id, payload.field, payload.reason)}


@core_router.get("/changelog", response=list[ChangeLogOut], summary="操作日志（本人管辖范围）")
def changelog_list(request, object_type: str | None = None, object_id: str | None = None, limit: int = 100):
    from shequ.core.models import ChangeLogEntry
    from shequ.core.services import require

    require(request.user, "core.view_changelog")
    qs = ChangeLogEntry.objects.visible_to(request.user).select_related("content_type")
    if object_type:
        app_label, _, model = object_type.partition(".")
        qs = qs.filter(content_type__app_label=app_label, content_type__model=model)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return [
        {
            **{
                k: getattr(e, k)
                for k in (
                    "time",
                    "username",
                    "action",
                    "object_id",
                    "object_repr",
                    "changed",
                    "note",
                    "request_id",
                    "before",
                    "after",
                )
            },
            "object_type": f"{e.content_type.app_label}.{e.content_type.model}" if e.content_type else None,
        }
        for e in qs[: max(1, min(limit, 1000))]
    ]
