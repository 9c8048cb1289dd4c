"""The JSON API under /api/v1/: bearer tokens, one error shape, and every module's router.

A module joins by shipping `<app>/api.py` with a `router = ninja.Router()`; it is mounted at
/api/v1/<app label>/ (see `build_api`)."""

import logging
from datetime import datetime
from importlib import import_module

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, NinjaAPI, Query, Router, Schema, Status, UploadedFile
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer

from shequ.core import accounts, scope
from shequ.core.errors import DomainError
from shequ.core.models import ApiToken, ImportBatch
from shequ.core.registry import shequ_apps
from shequ.core.roles import roles_with


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


class PhotoIn(Schema):
    """A photo sent inside a JSON body."""

    name: str = Field(..., max_length=200)
    content_type: str = Field(..., max_length=100)
    data_base64: str


def decode_photos(photos) -> list[tuple[str, bytes, str]]:
    """PhotoIn items as (name, bytes, content type); bad base64 is a clear 400."""
    import base64
    import binascii

    from shequ.core.errors import ValidationFailed

    out = []
    for p in photos:
        try:
            data = base64.b64decode(p.data_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(
                _("照片“%(n)s”不是有效的 base64 编码。") % {"n": p.name[:40]}, code="bad_photo"
            ) from None
        out.append((p.name, data, p.content_type))
    return out


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


def filtered(request, filterset_class, qs, params: Schema | dict | None):
    """Run the same FilterSet the list page uses over API query parameters (a Schema or a dict)."""
    raw = params if isinstance(params, dict) else params.dict() if params else {}
    data = {k: v for k, v in raw.items() if v not in (None, "")}
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


# --- Excel imports (any module's importer, see shequ.core.importing) ----------------------------
class ImportBatchOut(Schema):
    id: int
    batch_label: str
    kind: str
    title: str
    scope_code: str
    filename: str
    size: int
    status: str
    status_label: str = Field(..., alias="get_status_display")
    finished: bool
    progress: int
    total_rows: int
    counts: dict
    message: str
    created_by: str
    created_at: datetime
    committed_at: datetime | None
    undone_at: datetime | None

    @staticmethod
    def resolve_title(obj):
        from shequ.core import importing

        try:
            return str(importing.importer_for(obj.kind).title)
        except DomainError:
            return obj.kind

    @staticmethod
    def resolve_created_by(obj):
        return str(obj.created_by) if obj.created_by_id else ""


class ImportBatchDetailOut(ImportBatchOut):
    errors: list = Field(..., description="前 100 行的错误与提示（不含证件号码）")
    errors_total: int
    notes: list[str]
    options: dict
    result: dict | None = None

    @staticmethod
    def resolve_errors(obj):
        return obj.errors[:100]

    @staticmethod
    def resolve_errors_total(obj):
        return len(obj.errors)

    @staticmethod
    def resolve_notes(obj):
        return [str(n) for n in obj.options.get("notes", [])]

    @staticmethod
    def resolve_options(obj):
        keep = ("create_missing", "grid_id", "missing_addresses")
        return {k: obj.options[k] for k in keep if k in obj.options}

    @staticmethod
    def resolve_result(obj):
        return getattr(obj, "result", None)


class ImportQuery(Schema):
    kind: str | None = None
    status: str | None = None


class CommitIn(Schema):
    valid_only: bool = Field(True, description="只导入无误的行；false 表示有任何错误就全部不导入")
    create_missing: bool | None = Field(None, description="房屋库中没有的地址是否自动新建")


IMPORT_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _xlsx(data: bytes, filename: str):
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = content_disposition_header(True, filename)
    return resp


def _visible_batch(user, pk, *, content: bool = False):
    qs = ImportBatch.objects.visible_to(user).select_related("created_by")
    batch = (qs if content else qs.defer("content")).filter(pk=pk).first()
    if batch is None:
        raise Http404()
    return batch


@core_router.get(
    "/imports/template/{kind}",
    response={400: ErrorOut, 403: ErrorOut},
    summary="下载导入模板（xlsx，含下拉框和填写说明）",
)
def import_template(request, kind: str):
    from shequ.core import importing
    from shequ.core.services import require

    cls = importing.importer_for(kind)
    require(request.user, cls.perm)
    return _xlsx(importing.template_bytes(cls), f"{cls.title}导入模板.xlsx")


@core_router.post(
    "/imports",
    response={202: ImportBatchDetailOut, **IMPORT_ERRORS},
    summary="上传工作簿：建立导入批次并在后台校验（预览）",
)
def import_upload(
    request,
    kind: str = Form(..., max_length=64),
    scope_code: str = Form(..., max_length=32),
    file: UploadedFile = File(...),
    grid_id: int | None = Form(None),
    create_missing: bool = Form(True),
):
    from django.db import transaction

    from shequ.core import importing

    user = request.user
    cls = importing.importer_for(kind)
    roots = scope.scope_codes(user, roles_with(cls.perm))
    # Outside the user's scope is "not found"; a grid worker's own community reaches the permission check.
    if roots is not None and not any(scope_code.startswith(r) or r.startswith(scope_code) for r in roots):
        raise Http404()
    importing.check_size(file.size or 0)
    options = {"create_missing": create_missing}
    if grid_id:
        options["grid_id"] = grid_id
    with transaction.atomic():
        batch = importing.create_batch(
            user, kind, scope_code, file.name or "upload.xlsx", file.read(), options
        )
        importing.queue_validation(batch, user)
    batch.refresh_from_db()
    return Status(202, batch)


@core_router.get("/imports", response=list[ImportBatchOut], summary="导入批次（本人管辖范围）")
@paginate(Pagination)
def import_list(request, params: ImportQuery = Query(...)):
    qs = ImportBatch.objects.visible_to(request.user).select_related("created_by").defer("content")
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.status:
        qs = qs.filter(status=params.status)
    return qs


@core_router.get(
    "/imports/{int:batch_id}",
    response={200: ImportBatchDetailOut, 404: ErrorOut},
    summary="导入批次：状态、进度、统计、前若干行错误、说明",
)
def import_detail(request, batch_id: int):
    return _visible_batch(request.user, batch_id)


@core_router.get(
    "/imports/{int:batch_id}/errors",
    response={400: ErrorOut, 404: ErrorOut},
    summary="下载错误报告（xlsx：原始行 + 错误原因）",
)
def import_errors(request, batch_id: int):
    from shequ.core import importing

    batch = _visible_batch(request.user, batch_id, content=True)
    return _xlsx(importing.error_report(batch, request.user), f"{batch.batch_label}错误报告.xlsx")


@core_router.post(
    "/imports/{int:batch_id}/commit",
    response={202: ImportBatchDetailOut, **IMPORT_ERRORS},
    summary="确认导入（后台写入；只有“待确认”的批次可以确认，且只能确认一次）",
)
def import_commit(request, batch_id: int, payload: CommitIn):

    from shequ.core import importing

    batch = _visible_batch(request.user, batch_id)
    importing.queue_commit(
        batch, request.user, valid_only=payload.valid_only, create_missing=payload.create_missing
    )
    batch.refresh_from_db()
    return Status(202, batch)


@core_router.post(
    "/imports/{int:batch_id}/undo",
    response={200: ImportBatchDetailOut, **IMPORT_ERRORS},
    summary="撤销已导入的批次（社区负责人及以上）",
)
def import_undo(request, batch_id: int):
    from shequ.core import importing

    batch = _visible_batch(request.user, batch_id)
    result = importing.undo_batch(batch, request.user)
    batch.result = result
    return batch
