"""POST requests: a registered application files a request on a resident's behalf.

Checked in the order of the specification's error list: api_key (403), jurisdiction_id (404),
service_code (400 missing, 404 unknown), location (400), attributes against the service
definition (400), `private` (400 unless true or false), description length (400). The case is
created by `services.submit_request`, the one door for intake; the place comes from the point (its
grid, inside the application's street), or, with only an address, the application's street.

Tokens: an application that wants retry-safe posting sends its own key in `token`
(8–40 letters, digits, - or _). The answer is then the specification's token form,
[{"token": "<application number>-<key>"}], the same key posted again files nothing new, and
GET tokens/{token} gives the service_request_id. Without `token` the answer is realtime:
[{"service_request_id", "service_notice", "account_id"}].

The sandbox (the discovery's test endpoint) runs every check and the whole intake, then rolls
it back: nothing is stored, nobody is notified."""

import hashlib
import math
import re
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from shequ.cases import services
from shequ.cases.models import Channel, Open311Client
from shequ.cases.open311 import catalogue
from shequ.cases.open311.formats import Open311Error, parse_w3c
from shequ.core.errors import DomainError, Forbidden, NotFound

DESCRIPTION_MAX = services.DESCRIPTION_MAX
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
STRING_MAX = 500
TEXT_MAX = 2000


class _Rollback(Exception):
    def __init__(self, case):
        self.case = case


def check_jurisdiction(params) -> None:
    """jurisdiction_id may be left out (one jurisdiction is served); a different one is not found."""
    given = (params.get("jurisdiction_id") or "").strip()
    if given and given != settings.OPEN311_JURISDICTION:
        raise Open311Error(
            404,
            _(
                "未找到 jurisdiction_id“%(j)s”，本接口的 jurisdiction_id 是“%(ours)s”（jurisdiction_id not found）"
            )
            % {"j": given[:60], "ours": settings.OPEN311_JURISDICTION},
        )


# Applications found by their key, kept a few seconds per process (as the catalogue is): a POST
# then costs no query for its application. A key that finds nothing is asked again every time (a
# new key works at once); an application edited in this process is forgotten at once, and other
# worker processes stop accepting a deactivated key within CLIENT_SECONDS.
CLIENT_SECONDS = catalogue.CACHE_SECONDS
_CLIENTS_MAX = 1000
_clients: dict[str, tuple[float, object]] = {}


@receiver(post_save, sender=Open311Client)
@receiver(post_delete, sender=Open311Client)
def _client_changed(**_kw):
    _clients.clear()


def _client(params):
    key = (params.get("api_key") or "").strip()
    if not key:
        raise Open311Error(403, _("缺少 api_key，请先在平台登记接入应用（api_key is required）"))
    digest = hashlib.sha256(key.encode()).hexdigest()
    kept = _clients.get(digest)
    now = time.monotonic()
    if kept is not None and now - kept[0] <= CLIENT_SECONDS:
        return kept[1]
    client = services.client_for_key(key)
    if client is None:
        _clients.pop(digest, None)
        raise Open311Error(403, _("api_key 无效或应用已停用（invalid api_key）"))
    if len(_clients) >= _CLIENTS_MAX:
        _clients.clear()
    _clients[digest] = (now, client)
    return client


def _service(params) -> catalogue.Service:
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("缺少 service_code（service_code was not provided）"))
    service = catalogue.services().get(code)
    if service is None:
        raise Open311Error(404, _("未找到 service_code“%(c)s”（service_code not found）") % {"c": code[:40]})
    return service


def _location(params) -> tuple[float | None, float | None, str, str]:
    lat, lng = (params.get("lat") or "").strip(), (params.get("long") or "").strip()
    address = (params.get("address_string") or "").strip()
    address_id = (params.get("address_id") or "").strip()
    point = None
    if lat or lng:
        try:
            point = float(lat), float(lng)
        except ValueError:
            point = None
        if point is None or any(math.isnan(v) or math.isinf(v) for v in point):
            raise Open311Error(
                400, _("lat 与 long 须同时提供，且为数字（lat and long must both be numbers）")
            )
        if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
            raise Open311Error(400, _("lat / long 超出范围（lat / long out of range）"))
    if point is None and not address and not address_id:
        raise Open311Error(
            400,
            _("缺少位置：请提供 lat 和 long，或 address_string，或 address_id（a location is required）"),
        )
    if len(address) > 200 or len(address_id) > 64:
        raise Open311Error(400, _("address_string 不能超过 200 字（address_string too long）"))
    return (point[0] if point else None, point[1] if point else None, address, address_id)


def _posted_attributes(params) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key in params:
        m = _ATTRIBUTE.match(key)
        if m:
            found.setdefault(m.group(1), []).extend(v.strip() for v in params.getlist(key))
    return found


def clean_attributes(service: catalogue.Service, params) -> dict:
    """attribute[code] values checked against the service definition; unknown codes are ignored."""
    posted = _posted_attributes(params)
    out = {}
    for a in catalogue.attribute_definitions(service):
        if not a["variable"]:
            continue
        code, label = a["code"], f"{a['description']}（attribute[{a['code']}]）"
        values = [v for v in posted.get(code, []) if v != ""]
        if not values:
            if a["required"]:
                raise Open311Error(
                    400, _("缺少必填的补充信息 %(a)s（required attribute missing）") % {"a": label}
                )
            continue
        keys = {v["key"] for v in a["values"]}
        datatype = a["datatype"]
        if datatype == "multivaluelist":
            wrong = [v for v in values if v not in keys]
            if wrong:
                raise Open311Error(
                    400,
                    _("补充信息 %(a)s 的值“%(v)s”不在可选列表中（value not in list）")
                    % {"a": label, "v": wrong[0][:40]},
                )
            out[code] = list(dict.fromkeys(values))
            continue
        if len(values) > 1:
            raise Open311Error(400, _("补充信息 %(a)s 只能有一个值（one value expected）") % {"a": label})
        value = values[0]
        if datatype == "singlevaluelist" and value not in keys:
            raise Open311Error(
                400,
                _("补充信息 %(a)s 的值“%(v)s”不在可选列表中（value not in list）")
                % {"a": label, "v": value[:40]},
            )
        if datatype == "number":
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if math.isnan(number) or math.isinf(number):
                raise Open311Error(400, _("补充信息 %(a)s 应为数字（not a number）") % {"a": label})
            value = int(number) if number.is_integer() and "." not in value else number
        elif datatype == "datetime":
            try:
                value = parse_w3c(value, f"attribute[{code}]").isoformat()
            except Open311Error:
                raise Open311Error(
                    400,
                    _("补充信息 %(a)s 应为日期时间，如 2026-01-05T09:30:00+08:00（not a datetime）")
                    % {"a": label},
                ) from None
        elif datatype in ("string", "text"):
            limit = STRING_MAX if datatype == "string" else TEXT_MAX
            if len(value) > limit:
                raise Open311Error(
                    400, _("补充信息 %(a)s 不能超过 %(n)d 字（too long）") % {"a": label, "n": limit}
                )
            if datatype == "string":
                value = " ".join(value.split())
        out[code] = value
    return out


def _media_url(params) -> str:
    url = (params.get("media_url") or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise Open311Error(400, _("media_url 应为 http(s) 网址（media_url must be an http(s) URL）"))
    return url


_YES = ("true", "1", "yes")
_NO = ("false", "0", "no", "")


def _private(params) -> bool:
    """`private=true`: the requester asks that the request never be published (not in GET
    requests, not in servicerequestupdates); staff still handle it as any other."""
    value = (params.get("private") or "").strip().lower()
    if value not in _YES + _NO:
        raise Open311Error(400, _("private 只能是 true 或 false（private must be true or false）"))
    return value in _YES


def create(params, *, sandbox: bool = False) -> tuple[list[dict], bool]:
    """File one request; returns the response list and whether a new case was created."""
    client = _client(params)
    check_jurisdiction(params)
    service = _service(params)
    lat, lng, address, address_id = _location(params)
    attributes = clean_attributes(service, params)
    private = _private(params)
    description = (params.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(
            400,
            _("description 不能超过 %(n)d 字（description is limited to %(n)d characters）")
            % {"n": DESCRIPTION_MAX},
        )
    key = (params.get("token") or "").strip()
    if key and not _TOKEN.match(key):
        raise Open311Error(400, _("token 应为 8–40 位字母、数字、- 或 _（invalid token）"))
    token = f"{client.pk}-{key}" if key else ""
    media_url = _media_url(params)
    extra = {k: v for k, v in (("address_id", address_id), ("media_url", media_url)) if v}
    for name in ("device_id", "account_id"):  # kept for staff, never published
        if params.get(name):
            extra[name] = params[name].strip()[:100]
    if extra:
        attributes["_open311"] = extra
    if not description:
        description = _("（经 %(app)s 提交，未附文字说明）%(s)s") % {"app": client.name, "s": service.name}
    if not address and address_id:
        address = _("地址编号 %(id)s") % {"id": address_id}
    name = f"{(params.get('last_name') or '').strip()}{(params.get('first_name') or '').strip()}"
    kwargs = {
        "channel": Channel.OPEN311,
        "category": catalogue.category(service),
        "description": description,
        "lat": lat,
        "lng": lng,
        "address": address,
        "street": None if lat is not None else client.street,
        "requester_name": name[:50],
        "requester_phone": (params.get("phone") or "").strip()[:30],
        "requester_email": (params.get("email") or "").strip()[:200],
        "external_id": token,
        "client": client,
        "attributes": attributes,
        "within": client.street.code,
        "publish_optout": private,
    }
    try:
        if sandbox:
            try:
                with transaction.atomic():
                    case, created = services.submit_request(None, **kwargs)
                    raise _Rollback(case)
            except _Rollback as rolled:
                case, created = rolled.case, True
        else:
            case, created = services.submit_request(None, **kwargs)
    except Forbidden as exc:
        raise Open311Error(403, exc.message) from None
    except NotFound as exc:
        raise Open311Error(404, exc.message) from None
    except DomainError as exc:
        raise Open311Error(400, _domain_text(exc)) from None
    number = f"TEST-{case.number}" if sandbox else case.number
    if token:
        return [{"token": token}], created
    notice = service.notice
    if sandbox:
        notice = _("测试环境：校验通过，未创建诉求。") + notice
    return [
        {
            "service_request_id": number,
            "service_notice": notice,
            "account_id": (params.get("account_id") or "").strip()[:100] or None,
        }
    ], created


def _domain_text(exc: DomainError) -> str:
    """The domain message with the field it concerns (the Open311 parameter names)."""
    names = {
        "lat": "lat/long",
        "community": "lat/long",
        "requester_phone": "phone",
        "description": "description",
        "category": "service_code",
    }
    fields = [names.get(f, f) for f in (exc.details or {})]
    return f"{exc.message}（{', '.join(fields)}）" if fields else str(exc.message)
