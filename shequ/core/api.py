"""The JSON API under /api/v1/: bearer tokens, one error shape, and every module's router.

A module joins by shipping `<app>/api.py` with a `router = ninja.Router()`; it is mounted at
/api/v1/<app label>/ (see `build_api`).

The contract every route keeps, set here once (`ShequAPI.complete`): record ids are `Id` (1 to
2**63 - 1, what a database key holds), so an out-of-range id is a 422, never a database overflow;
JSON bodies must be sent as application/json (else 415) and be JSON objects (else 422); a body
over the size limit is 413; and the OpenAPI document lists, for every route, the error statuses
the platform itself answers (400 always, 401 where a token is read, 403 where one is required,
404 where the path names a record, 413/415/422 where input is taken)."""

import functools
import json
import logging
import re
from datetime import date, datetime
from decimal import Decimal
from importlib import import_module
from typing import Annotated, Literal

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, NinjaAPI, Query, Router, Schema, Status, UploadedFile
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer
from pydantic import BaseModel, BeforeValidator, WithJsonSchema, create_model

from shequ.core import accounts, scope
from shequ.core.errors import DomainError, Forbidden, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from shequ.core.models import ApiToken, ImportBatch, ImportStatus
from shequ.core.registry import shequ_apps
from shequ.core.roles import roles_with

MAX_ID = 2**63 - 1  # the largest key a database id column (signed 64-bit) holds

# A record id in a path, a filter or a body. Every module uses this type, so the range is checked
# once, here: past it the answer is 422, not a database overflow.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# A record version a client read (optimistic locking: a stale one is 409).
Version = Annotated[int, Field(ge=0, le=MAX_ID)]


def iso_only(value):
    """Dates and times are ISO 8601 text ("2026-03-11", "2026-03-11T09:30:00+08:00"). A bare number
    is refused rather than read as a Unix timestamp, where a mistyped 20260311 would silently mean
    a day in 1970."""
    text = str(value).strip() if isinstance(value, str | int | float) else None
    if (
        text is not None
        and not isinstance(value, bool)
        and re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", text)
    ):
        raise ValueError("Input should be an ISO 8601 date or datetime, not a number")
    return value


# A date or a date and time a client sends (see iso_only; the range is checked in ShequAPI).
Day = Annotated[date, BeforeValidator(iso_only)]
Moment = Annotated[datetime, BeforeValidator(iso_only)]


def decimal_in(max_digits: int, decimal_places: int, *, positive: bool = False, le: int | None = None):
    """The type of a decimal a client sends (hours, yuan, square metres): a string of digits
    ("1500.00", exact) or a whole JSON number; never negative, at most `decimal_places` places and
    `max_digits` digits, as the column stores it. The document states exactly what is accepted, so
    a client (or a test generator) that follows it is never refused with 422."""
    whole = max_digits - decimal_places
    places = decimal_places
    if le is not None and le < 10:
        # A bound under ten (a score of 1–5): the units digit below it with any places, or the bound itself.
        below = rf"[1-{le - 1}]" if le > 1 else ""
        units = [rf"{below}(\.[0-9]{{1,{places}}})?"] if below else []
        zero = rf"0\.[0-9]{{0,{places - 1}}}[1-9]" if positive else rf"0(\.[0-9]{{1,{places}}})?"
        pattern = "^(" + "|".join([*units, zero, rf"{le}(\.0{{1,{places}}})?"]) + ")$"
        top = le
    else:
        if le is not None:
            whole = min(whole, len(str(le)) - 1)  # every number with this many digits stays under `le`
        if positive:
            pattern = (
                rf"^([1-9][0-9]{{0,{whole - 1}}}(\.[0-9]{{1,{places}}})?|0\.[0-9]{{0,{places - 1}}}[1-9])$"
            )
        else:
            pattern = rf"^[0-9]{{1,{whole}}}(\.[0-9]{{1,{places}}})?$"
        top = 10**whole - 1
    documented = {
        "anyOf": [
            {"type": "string", "pattern": pattern},
            {"type": "integer", "minimum": 1 if positive else 0, "maximum": top},
        ]
    }
    bounds = {"gt": 0} if positive else {"ge": 0}
    return Annotated[
        Decimal,
        Field(**bounds, le=le, max_digits=max_digits, decimal_places=decimal_places),
        WithJsonSchema(documented, mode="validation"),
    ]


Yuan = decimal_in(12, 2)  # an amount of money in yuan, as the money columns store it
Hours = decimal_in(7, 1)  # hours of work, to a tenth


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`. With optional=True the route is public: no header means
    anonymous, but a header that is sent must carry a valid token (a wrong, expired or revoked one
    is 401, never silent anonymity)."""

    def __init__(self, *, optional: bool = False):
        super().__init__()
        self.optional = optional

    def __call__(self, request):
        header = request.headers.get(self.header, "")
        if not header:
            if self.optional:
                return getattr(request, "user", None) or True
            return None
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not raw.strip():
            raise AuthenticationError()
        user = self.authenticate(request, raw.strip())
        if user is None:
            raise AuthenticationError()
        return user

    def authenticate(self, request, token):
        tok = ApiToken.authenticate(token)
        if tok is None:
            return None
        request.user = tok.user
        request.api_token = tok
        return tok.user


# Public reads: anyone may call them; a token, when sent, is checked and honoured.
PUBLIC = BearerToken(optional=True)


class PublicPagination(LimitOffsetPagination):
    """limit/offset with bounds: a huge offset is a clear 422, not a database overflow. For public
    lists (auth=PUBLIC); every other list uses `Pagination`."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="每页条数（1–1000）")
        offset: int = Field(0, ge=0, le=10_000_000, description="跳过的条数")


class Pagination(PublicPagination):
    """The bounded pages of a list of scoped rows, refused (403) to a user who may read no row of
    its model anywhere: the rule of the model's pages and exports (`scope.may_read`), so that
    department staff or a resident get a refusal, not an empty list that looks like "none"."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        model = getattr(queryset, "model", None)
        # owner_reads: the list also holds the user's own rows (a resident's own requests).
        if (
            model is not None
            and hasattr(model.objects, "visible_to")
            and not getattr(model, "owner_reads", False)
        ):
            from shequ.core import scope

            if not scope.may_read(request.user, model):
                raise Forbidden()
        return super().paginate_queryset(queryset, pagination, request, **params)


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


# What each error status means, as the OpenAPI document says it (one wording for every route; the
# document is in Chinese, like the routes' summaries).
ERROR_MEANINGS = {
    400: "请求无法处理：含不允许的字符、JSON 无法解析，或不符合业务规则（见 code 与 message）",
    401: "令牌缺失、无效、已过期或已撤销",
    403: "没有执行此操作的权限",
    404: "未找到该记录，或它不在您的管辖范围内",
    409: "记录已被他人修改，或与现有记录冲突",
    413: "请求体超过大小上限",
    415: "请求体须为 application/json",
    422: "参数或请求体不符合接口定义（见 details.errors）",
    429: "尝试过于频繁，请稍后再试",
}
BODY_SOURCES = {"body", "form", "file"}


def _json_object_body(op) -> tuple[bool, bool]:
    """Does the operation read a JSON body that must be an object (a schema, not a list), and may
    that body be null (an optional payload)?"""
    for model in op.models:
        if model.__ninja_param_source__ != "body":
            continue
        single = getattr(model, "__read_from_single_attr__", None)
        if not single:
            return True, False
        field = model.model_fields[single]
        candidates = getattr(field.annotation, "__args__", None) or (field.annotation,)
        is_object = any(isinstance(c, type) and issubclass(c, BaseModel) for c in candidates)
        return is_object, not field.is_required()
    return False, False


def _is_json(content_type: str) -> bool:
    ct = (content_type or "").lower()
    return ct == "application/json" or (ct.startswith("application/") and ct.endswith("+json"))


class ShequAPI(NinjaAPI):
    """NinjaAPI with the platform's error shape and the contract every route keeps (see the module
    docstring): `complete()` documents the common error statuses on each operation and puts the
    JSON body checks in front of the operations that take one."""

    def error(self, request, status, code, message, details=None):
        """An error answer in the platform's shape {code, message, details}."""
        return self.create_response(
            request, {"code": code, "message": str(message), "details": details or {}}, status=status
        )

    def operations(self):
        """Every operation as it is served (bound to this API, auth inherited)."""
        for bound in self._get_bound_routers():
            for view in bound.path_operations.values():
                yield from view.operations

    def complete(self) -> None:
        """Document the common error statuses on every operation and guard JSON bodies."""
        for op in self.operations():
            sources = {m.__ninja_param_source__ for m in op.models}
            required = [cb for cb in op.auth_callbacks if not getattr(cb, "optional", False)]
            public = len(required) < len(op.auth_callbacks)
            codes = {400}
            if op.auth_callbacks:
                codes.add(401)
            if op.auth_callbacks and not public:
                codes.add(403)
            if "path" in sources:
                codes.add(404)
            if sources:
                codes.add(422)
            if sources & BODY_SOURCES:
                codes.add(413)
            if "body" in sources:
                codes.add(415)
            for code in codes - set(op.response_models):
                op.response_models[code] = op._create_response_model(ErrorOut)
            op.response_models = dict(sorted(op.response_models.items(), key=lambda kv: str(kv[0])))
            extra = op.openapi_extra or {}
            described = {
                code: {"description": ERROR_MEANINGS[code]}
                for code in op.response_models
                if code in ERROR_MEANINGS and (code != 401 or op.auth_callbacks)
            }
            extra = {**extra, "responses": {**extra.get("responses", {}), **described}}
            if public:
                # Anonymous is allowed: the empty requirement makes the token optional.
                extra["security"] = [*extra.get("security", []), {}]
            if sources & {"form", "file"}:
                # A form takes its own fields only: say so (the multipart parser does not promise
                # to read a declared part after an oddly named undeclared one).
                media = "multipart/form-data" if "file" in sources else "application/x-www-form-urlencoded"
                schema = {"additionalProperties": False}
                # An empty file is no upload (and some multipart encoders drop an empty part).
                files = [n for m in op.models if m.__ninja_param_source__ == "file" for n in m.model_fields]
                if files:
                    schema["properties"] = {name: {"minLength": 1} for name in files}
                extra["requestBody"] = {"content": {media: {"schema": schema}}}
            op.openapi_extra = extra
            # Both checks wrap the reading of the input, so the token is checked first.
            if sources:
                op._get_values = _dates_in_range(op._get_values)
            is_object, nullable = _json_object_body(op)
            if is_object:
                op._get_values = _json_object_guard(op._get_values, nullable=nullable)


# Dates a client may send: date arithmetic (deadlines, windows, month ends) stays inside Python's
# range, and no record of the platform lies outside it. JSON Schema cannot bound a date, so the API
# description states it and a date outside is a 400 (a rule, like an ID number's check digit).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _out_of_range_date(value, where: str) -> str | None:
    """The path of the first date or datetime outside FIRST_DAY..LAST_DAY in a request value."""
    if isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        return where if not FIRST_DAY <= day <= LAST_DAY else None
    if isinstance(value, BaseModel):
        items = ((k, getattr(value, k)) for k in type(value).model_fields)
    elif isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _out_of_range_date(item, f"{where}.{key}" if where else str(key))
        if found:
            return found
    return None


def _dates_in_range(get_values):
    """Refuse, after validation and before the route runs, a date outside FIRST_DAY..LAST_DAY."""

    @functools.wraps(get_values)
    def checked(request, *args, **kwargs):
        values = get_values(request, *args, **kwargs)
        where = _out_of_range_date(values, "")
        if where:
            field = where.rsplit(".", 1)[-1]
            msg = _("日期须在 %(a)s 至 %(b)s 之间。") % {"a": FIRST_DAY, "b": LAST_DAY}
            raise ValidationFailed(msg, code="date_out_of_range", details={field: [msg]})
        return values

    return checked


def _json_object_guard(get_values, *, nullable: bool):
    """Refuse, before ninja parses it, a body that is not JSON (415) or not a JSON object (422)."""

    @functools.wraps(get_values)
    def guarded(request, *args, **kwargs):
        try:
            body = request.body
        except RequestDataTooBig:
            raise PayloadTooLarge.over_upload_limit() from None
        if body:
            if not _is_json(request.content_type):
                raise UnsupportedMediaType(details={"content_type": request.content_type or ""})
            try:
                data = json.loads(body)
            except ValueError:
                data = {}  # not JSON at all: the parser answers 400 with its own message
            if not isinstance(data, dict) and not (data is None and nullable):
                raise DomainError(
                    _("请求体须为 JSON 对象（{…}）。"),
                    code="invalid_request",
                    details={
                        "errors": [
                            {"type": "model_type", "loc": ["body"], "msg": "Input should be an object"}
                        ]
                    },
                    status=422,
                )
        return get_values(request, *args, **kwargs)

    return guarded


def build_api() -> ShequAPI:
    api = ShequAPI(
        title="shequ API",
        version="1",
        description="社区治理平台接口。认证：POST /api/v1/auth/token 取得令牌，之后带 `Authorization: Bearer <token>`。"
        "公开的只读接口（事项清单）不带令牌也可调用，带了则须有效。"
        "请求体一律为 JSON 对象（Content-Type: application/json），上传文件的接口除外。"
        "日期须在 1900-01-01 至 2999-12-31 之间。"
        "错误统一为 {code, message, details}。敏感个人信息默认脱敏。",
        auth=BearerToken(),
        urls_namespace="api",
    )
    _err = api.error

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

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):  # a multipart form over the limit, read by ninja
        return domain_error(request, PayloadTooLarge.over_upload_limit())

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
    from shequ.core.indicator_api import router as indicator_router

    api.add_router("/indicators", indicator_router)
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
    api.complete()
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
    id: Id
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
def changelog_list(
    request,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
):
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
        for e in qs[:limit]
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


class ImportMappingRulesOut(Schema):
    """A mapping as JSON (the format of core.mapping, the same for `shequ … import --mapping`)."""

    columns: dict[str, str] = Field(..., description="表格中的表头 → 字段（空字符串表示该列不导入）")
    values: dict[str, dict[str, str]] = Field(
        ..., description="字段 → {表格中的写法: 可选项}：本表格自己的取值写法读作哪个选项"
    )
    sheet: str = Field(..., description="读取的工作表：空为找到表头的那张，* 为表头相同的全部工作表")
    hidden_rows: str = Field(..., description="Excel 中隐藏的行：import 导入，skip 跳过")


def _rules(data) -> dict | None:
    """A stored mapping in the documented shape (whatever was stored, nothing else comes out)."""
    if not isinstance(data, dict):
        return None
    columns = data.get("columns") if isinstance(data.get("columns"), dict) else {}
    values = data.get("values") if isinstance(data.get("values"), dict) else {}
    return {
        "columns": {str(k): str(v or "") for k, v in columns.items()},
        "values": {
            str(f): {str(k): str(v or "") for k, v in t.items()}
            for f, t in values.items()
            if isinstance(t, dict)
        },
        "sheet": str(data.get("sheet") or ""),
        "hidden_rows": "skip" if data.get("hidden_rows") == "skip" else "import",
    }


class ImportSourceColumnOut(Schema):
    index: int = Field(..., description="列号（从 0 起）")
    label: str = Field(..., description="表格中的表头（两行表头写作“现住址/小区”）")
    samples: list[str] = Field(..., description="前几行的值（证件号码、电话已脱敏）")
    field: str = Field(..., description="读作的字段（空字符串表示不导入）")


class ImportValueReadingOut(Schema):
    value: str = Field(..., description="表格中的写法（不是可选项本身）")
    rows: int = Field(..., description="出现的行数")
    label: str = Field(..., description="读作的可选项（同义词或已确认的对应）；空字符串表示读不出，须指定")


class ImportSheetOut(Schema):
    name: str = Field(..., description="工作表名称")
    rows: int = Field(..., description="数据行数")
    same: bool = Field(..., description="表头与所读的工作表相同")


class ImportFieldOut(Schema):
    key: str = Field(..., description="字段（映射中 columns 的值、values 的键）")
    header: str = Field(..., description="模板中的表头")
    required: bool
    choices: list[str] = Field(..., description="可选项（values 中可读作的值）；空表示不是选择题")


class ImportLayoutOut(Schema):
    sheet: str = Field(..., description="找到表头的工作表")
    header_lines: list[int] = Field(..., description="表头所在的 Excel 行号")
    sheets: list[ImportSheetOut]
    all_sheets: bool = Field(..., description="是否读取表头相同的全部工作表")
    skip_hidden: bool = Field(..., description="是否跳过 Excel 中隐藏的行")
    hidden: int = Field(..., description="隐藏的数据行数")
    skipped: int = Field(..., description="跳过的合计行、表尾等行数")
    columns: list[ImportSourceColumnOut] = Field(..., description="表格的各列及读作的字段")
    values: dict[str, list[ImportValueReadingOut]] = Field(
        ..., description="字段 → 表格中不是可选项的写法及其读法"
    )
    missing: list[str] = Field(..., description="还没有对应列的必填字段")
    source: str = Field(..., description="对应从何而来：template、saved、confirmed、file 或 guess")
    name: str = Field(..., description="套用的已保存映射名称")
    fields: list[ImportFieldOut] = Field(..., description="可对应的全部字段")


class ImportSkippedRowOut(Schema):
    sheet: str
    row: int = Field(..., description="Excel 行号")
    reason: str


class ImportHiddenRowOut(Schema):
    sheet: str
    row: int = Field(..., description="Excel 行号")


# "from" is a Python keyword: the class is built from its field names.
ImportTranslationOut = create_model(
    "ImportTranslationOut",
    __base__=Schema,
    **{
        "column": (str, Field(..., description="表格中的表头")),
        "field": (str, Field(..., description="字段")),
        "from": (str, Field(..., description="表格中的写法")),
        "to": (str, Field(..., description="读作的可选项")),
        "rows": (int, Field(..., description="行数")),
    },
)

MAPPING_SOURCES = (
    "template 模板表头；saved 本社区保存的映射；confirmed 核对列时确认；"
    "file 上传时随附（命令行 --mapping、接口 mapping 字段）；guess 按同义词推断（auto）"
)
# What the figures of a validated batch describe; before (and in the mapping step) there are none.
_PLANNED = {
    ImportStatus.READY,
    ImportStatus.COMMITTING,
    ImportStatus.COMMITTED,
    ImportStatus.UNDONE,
    ImportStatus.DISCARDED,
}


class ImportBatchDetailOut(ImportBatchOut):
    errors: list = Field(..., description="前 100 行的错误与提示（不含证件号码）")
    errors_total: int
    notes: list[str]
    options: dict
    result: dict | None = None
    layout: ImportLayoutOut | None = Field(
        None,
        description="仅在状态为 mapping（待核对列）时给出：表格的各列及其前几个值（已脱敏）、各列读作的字段、"
        "不在可选项中的写法及其读法、缺少的必填字段、工作表。用 POST /imports/{id}/mapping 确认。",
    )
    mapping: ImportMappingRulesOut | None = Field(
        None, description="生效的映射（与命令行 --mapping 文件格式相同）"
    )
    mapping_source: str = Field("", description=f"映射从何而来：{MAPPING_SOURCES}")
    mapping_name: str = Field("", description="套用或保存的映射名称")
    skipped_rows: list[ImportSkippedRowOut] = Field(
        [], description="未作为数据导入的行：合计行、表尾、重复的表头"
    )
    hidden_rows: list[ImportHiddenRowOut] = Field(
        [], description="Excel 中隐藏的数据行（按映射导入或跳过，见 mapping.hidden_rows）"
    )
    translated: list[ImportTranslationOut] = Field(
        [], description="按同义词或映射读作可选项的写法及行数，如“学历”列的“高中”读作“普通高中”"
    )
    sheets: list[ImportSheetOut] = Field([], description="文件中有表头的工作表")

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
    def resolve_layout(obj):
        from django.conf import settings
        from django.utils import translation

        from shequ.core import importing

        layout = obj.options.get("layout")
        if obj.status != ImportStatus.MAPPING or not isinstance(layout, dict):
            return None
        try:
            cls = importing.importer_for(obj.kind)
        except DomainError:
            return None
        with translation.override(settings.LANGUAGE_CODE):  # the workbook's format is Chinese
            fields = [
                {"key": c.key, "header": str(c.header), "required": c.required, "choices": c.labels()}
                for c in cls.column_map().values()
            ]
        return {**layout, "fields": fields}

    @staticmethod
    def resolve_mapping(obj):
        return _rules(obj.options.get("mapping"))

    @staticmethod
    def resolve_mapping_source(obj):
        return str(obj.options.get("mapping_source") or "")

    @staticmethod
    def resolve_mapping_name(obj):
        return str(obj.options.get("mapping_name") or "")

    @staticmethod
    def resolve_skipped_rows(obj):
        return obj.options.get("skipped_rows", []) if obj.status in _PLANNED else []

    @staticmethod
    def resolve_hidden_rows(obj):
        return obj.options.get("hidden_rows", []) if obj.status in _PLANNED else []

    @staticmethod
    def resolve_translated(obj):
        return obj.options.get("translated", []) if obj.status in _PLANNED else []

    @staticmethod
    def resolve_sheets(obj):
        return obj.options.get("sheets", []) if obj.status in _PLANNED else []

    @staticmethod
    def resolve_result(obj):
        return getattr(obj, "result", None)


class ImportQuery(Schema):
    kind: str | None = None
    status: str | None = None


class CommitIn(Schema):
    valid_only: bool = Field(True, description="只导入无误的行；false 表示有任何错误就全部不导入")
    create_missing: bool | None = Field(None, description="房屋库中没有的地址是否自动新建")


class ImportMappingIn(Schema):
    """The mapping step's answer, in the mapping JSON format (core.mapping)."""

    columns: dict[str, str] = Field(
        ...,
        description="表格中的表头 → 字段（layout.fields 的 key；空字符串表示该列不导入）；每个字段只能对应一列",
    )
    values: dict[str, dict[str, str]] = Field(
        {}, description='字段 → {表格中的写法: 可选项}，如 {"education": {"高中": "普通高中"}}'
    )
    sheet: str = Field(
        "", max_length=100, description="读取的工作表：空为找到表头的那张，* 为表头相同的全部工作表"
    )
    hidden_rows: Literal["import", "skip"] = Field(
        "import", description="Excel 中隐藏的行：import 导入，skip 跳过"
    )
    save_as: str = Field(
        "", max_length=60, description="保存为本社区的映射（名称）；同样表头的下一个文件将直接套用"
    )


class ImportRemapIn(Schema):
    apply: str = Field("", max_length=60, description="套用本社区已保存的映射（名称）；留空则回到核对列")


class ImportMappingQuery(Schema):
    kind: str | None = Field(None, max_length=64, description="导入类型，如 people.residents")
    scope_code: str | None = Field(None, max_length=32, description="社区（或其网格）代码")


class SavedImportMappingOut(Schema):
    id: int
    name: str
    kind: str
    scope_code: str
    headers: list[str] = Field(..., description="保存时表格的表头；表头相同的文件上传后直接套用")
    mapping: ImportMappingRulesOut
    created_by: str
    updated_at: datetime
    used_at: datetime | None

    @staticmethod
    def resolve_headers(obj):
        return obj.signature.split("|") if obj.signature else []

    @staticmethod
    def resolve_mapping(obj):
        return _rules(obj.mapping) or _rules({})

    @staticmethod
    def resolve_created_by(obj):
        return str(obj.created_by) if obj.created_by_id else ""


IMPORT_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _xlsx(data: bytes, filename: str):
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = content_disposition_header(True, filename)
    return resp


def _imports_at(user, cls, code: str) -> bool:
    """May the user import this kind of workbook at `code`, or below or above it? Elsewhere is
    "not found"; a grid worker's own community (and a place above one's own) reaches the permission
    check."""
    roots = scope.scope_codes(user, roles_with(cls.perm))
    return roots is None or any(code.startswith(r) or r.startswith(code) for r in roots)


def _mapping_json(text: str) -> dict:
    """The `mapping` form field: JSON text holding an object."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        msg = _('mapping 不是有效的 JSON（%(e)s），请按 {"columns": {"表头": "字段"}} 的格式填写。') % {
            "e": exc
        }
        raise ValidationFailed(msg, code="bad_mapping", details={"mapping": [msg]}) from None
    if not isinstance(data, dict):
        msg = _('mapping 须为 JSON 对象（{…}），如 {"columns": {"人口类型": "residence_type"}}。')
        raise ValidationFailed(msg, code="bad_mapping", details={"mapping": [msg]})
    return data


def _visible_batch(user, pk):
    batch = ImportBatch.objects.visible_to(user).select_related("created_by").filter(pk=pk).first()
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
    kind: str = Form(..., min_length=1, max_length=64),
    scope_code: str = Form(..., min_length=1, max_length=32),
    file: UploadedFile = File(...),
    grid_id: Id = Form(None),  # absent means none: a multipart form has no null
    create_missing: bool = Form(True),
    mapping: str = Form(
        "",
        max_length=100_000,
        description='映射（JSON 文本，与命令行 --mapping 文件格式相同）：{"columns": {"表头": "字段"}, '
        '"values": {"字段": {"写法": "可选项"}}, "sheet": "", "hidden_rows": "import"}',
    ),
    mapping_name: str = Form("", max_length=60, description="套用本社区已保存的映射（名称）"),
    auto: bool = Form(
        False,
        description="true：不经核对列，按同义词推断各列（与命令行相同），缺少必填列则批次失败并说明缺哪些列；"
        "false：对应不确定时停在 mapping（待核对列）",
    ),
):
    from django.db import transaction

    from shequ.core import importing

    user = request.user
    cls = importing.importer_for(kind)
    if not _imports_at(user, cls, scope_code):
        raise Http404()
    importing.check_size(file.size or 0)
    options = {"create_missing": create_missing}
    if grid_id:
        options["grid_id"] = grid_id
    if auto:
        options["auto"] = True
    if mapping.strip() and mapping_name:
        raise ValidationFailed(
            _("mapping 与 mapping_name 只能提供一个：随附映射，或套用已保存的映射。"), code="bad_mapping"
        )
    if mapping.strip():
        options.update({"mapping": _mapping_json(mapping), "mapping_source": "file"})
    elif mapping_name:
        options["mapping_name"] = mapping_name
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
    qs = ImportBatch.objects.visible_to(request.user).select_related("created_by")
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
def import_detail(request, batch_id: Id):
    return _visible_batch(request.user, batch_id)


@core_router.get(
    "/imports/{int:batch_id}/errors",
    response={400: ErrorOut, 404: ErrorOut},
    summary="下载错误报告（xlsx：原始行 + 错误原因）",
)
def import_errors(request, batch_id: Id):
    from shequ.core import importing

    batch = _visible_batch(request.user, batch_id)
    return _xlsx(importing.error_report(batch, request.user), f"{batch.batch_label}错误报告.xlsx")


@core_router.post(
    "/imports/{int:batch_id}/commit",
    response={202: ImportBatchDetailOut, **IMPORT_ERRORS},
    summary="确认导入（后台写入；只有“待确认”的批次可以确认，且只能确认一次）",
)
def import_commit(request, batch_id: Id, payload: CommitIn):

    from shequ.core import importing

    batch = _visible_batch(request.user, batch_id)
    importing.queue_commit(
        batch, request.user, valid_only=payload.valid_only, create_missing=payload.create_missing
    )
    batch.refresh_from_db()
    return Status(202, batch)


@core_router.post(
    "/imports/{int:batch_id}/mapping",
    response={202: ImportBatchDetailOut, **IMPORT_ERRORS},
    summary="核对列：确认各列对应的字段和取值的读法（可保存为本社区的映射），批次按此重新校验",
)
def import_confirm_mapping(request, batch_id: Id, payload: ImportMappingIn):
    from shequ.core import importing

    batch = _visible_batch(request.user, batch_id)
    data = payload.dict(exclude={"save_as"})
    importing.confirm_mapping(batch, request.user, data, save_as=payload.save_as.strip())
    batch.refresh_from_db()
    return Status(202, batch)


@core_router.post(
    "/imports/{int:batch_id}/remap",
    response={202: ImportBatchDetailOut, **IMPORT_ERRORS},
    summary="重新核对列（从预览或失败回到核对列），或套用本社区已保存的映射重新校验",
)
def import_remap(request, batch_id: Id, payload: ImportRemapIn | None = None):
    from shequ.core import importing

    batch = _visible_batch(request.user, batch_id)
    apply = payload.apply.strip() if payload else ""
    importing.reopen_mapping(batch, request.user, apply_name=apply)
    batch.refresh_from_db()
    return Status(202, batch)


@core_router.get(
    "/imports/mappings",
    response={200: list[SavedImportMappingOut], 403: ErrorOut, 404: ErrorOut},
    summary="本社区保存的导入映射（只列出您可以导入的社区）",
)
@paginate(Pagination)
def import_mapping_list(request, params: ImportMappingQuery = Query(...)):
    from shequ.core import importing
    from shequ.core.models import ImportMapping

    user = request.user
    kinds = (
        [importing.importer_for(params.kind)] if params.kind else importing.registered_importers().values()
    )
    if not any(scope.holds(user, cls.perm) for cls in kinds):
        raise Forbidden()
    qs = ImportMapping.objects.visible_to(user).select_related("created_by")
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.scope_code:
        code = params.scope_code
        if not any(_imports_at(user, cls, code) for cls in kinds):
            raise Http404()
        qs = qs.filter(scope.subtree_q("scope_code", code[:12]))
    return qs


@core_router.delete(
    "/imports/mappings/{int:mapping_id}",
    response={204: None, **IMPORT_ERRORS},
    summary="删除本社区保存的导入映射（可在该社区导入的人员；记入操作日志）",
)
def import_mapping_delete(request, mapping_id: Id):
    from shequ.core import mapping

    mapping.delete_saved(request.user, mapping_id)
    return Status(204, None)


@core_router.post(
    "/imports/{int:batch_id}/undo",
    response={200: ImportBatchDetailOut, **IMPORT_ERRORS},
    summary="撤销已导入的批次（社区负责人及以上）",
)
def import_undo(request, batch_id: Id):
    from shequ.core import importing

    batch = _visible_batch(request.user, batch_id)
    result = importing.undo_batch(batch, request.user)
    batch.result = result
    return batch


# Surveys (their own module; mounted on the kernel's router).
from shequ.core.survey_api import router as _survey_router  # noqa: E402

core_router.add_router("", _survey_router)
