"""GeoReport v2 endpoints. Each view answers in the format its URL ends with (.json or .xml),
errors as the specification's error list with the matching HTTP status.

These views touch neither the session nor the user: the API serves public data and
authenticates a POST by its api_key alone (no cookie, so no CSRF token either)."""

from functools import wraps
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from shequ.cases.models import Category
from shequ.cases.open311 import cache, catalogue, reads, writes
from shequ.cases.open311.formats import FORMATS, MIME, Open311Error, error, respond, w3c

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def endpoint(*methods):
    """Check the format and method, turn Open311Error into the error list."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, fmt="xml", sandbox=False, **kwargs):
            fmt = fmt.lower()
            if fmt not in FORMATS:
                return error(
                    "xml",
                    404,
                    _("不支持的格式“%(f)s”，请用 .xml 或 .json（format not supported）") % {"f": fmt[:10]},
                )
            if request.method not in methods:
                resp = error(
                    fmt, 405, _("此地址不接受 %(m)s 请求（method not allowed）") % {"m": request.method}
                )
                resp["Allow"] = ", ".join(methods)
                return resp
            generation = cache.generation() if request.method == "GET" else 0
            kept = cache.lookup(request, fmt, generation)
            if kept is not None:
                return kept
            try:
                resp = view(request, *args, fmt=fmt, sandbox=sandbox, **kwargs)
            except Open311Error as exc:
                return error(fmt, exc.status, exc.description)
            cache.keep(request, fmt, resp, generation)
            return resp

        return csrf_exempt(wrapper)

    return decorate


def _root(request, sandbox: bool) -> str:
    """The endpoint's URL without a trailing slash: clients append "/services.xml"."""
    path = reverse("open311:sandbox-services" if sandbox else "open311:services", kwargs={"fmt": "xml"})
    return request.build_absolute_uri(path.rsplit("/", 1)[0])


@csrf_exempt
def unknown(request, path):
    """Any other path under /open311/v2/: the specification's 404, in the format its extension
    names (XML when it names none)."""
    last = path.rsplit("/", 1)[-1]
    fmt = last.rsplit(".", 1)[-1].lower() if "." in last else ""
    return error(
        fmt if fmt in FORMATS else "xml",
        404,
        _("未找到该接口地址“%(p)s”，请查看 discovery 中的接口列表（not found）") % {"p": path[:80]},
    )


def _check_utf8(request) -> None:
    """A form body must be UTF-8: Django would read broken bytes as U+FFFD and file garbage."""
    bad = False
    if request.content_type == "application/x-www-form-urlencoded":
        # Decoded whole: "&" and "=" are ASCII and never inside a multi-byte character, so the
        # body is UTF-8 exactly when each of its names and values is.
        try:
            unquote_to_bytes(request.body.decode("utf-8").replace("+", " ")).decode("utf-8")
        except UnicodeDecodeError:
            bad = True
    elif request.content_type == "multipart/form-data":
        # The parser has replaced what it could not decode; a genuine U+FFFD is not a thing to file.
        bad = any(
            "\ufffd" in key or any("\ufffd" in v for v in values) for key, values in request.POST.lists()
        )
    if bad:
        raise Open311Error(400, _("请求内容不是有效的 UTF-8 编码（the request body must be UTF-8）"))


@endpoint("GET", "HEAD")
def discovery(request, fmt, sandbox):
    """Where the production and the test endpoint are, who to contact, how to get a key."""
    changeset = w3c(Category.objects.aggregate(at=Max("updated_at"))["at"])
    production = settings.OPEN311_PRODUCTION_URL.rstrip("/") or _root(request, False)
    test = settings.OPEN311_TEST_URL.rstrip("/") or _root(request, True)
    formats = [MIME["xml"], MIME["json"]]
    doc = {
        "changeset": changeset,
        "contact": settings.OPEN311_CONTACT or _("请联系本街道办事处的平台管理员"),
        "key_service": _("由街道或区的平台管理员在“Open311 接入应用”页面登记应用后发放 api_key：%(u)s")
        % {"u": request.build_absolute_uri(reverse("cases:client-list"))},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": production,
                "changeset": changeset,
                "type": "production",
                "formats": formats,
            },
            {
                "specification": SPECIFICATION,
                "url": test,
                "changeset": changeset,
                "type": "test",
                "formats": formats,
            },
        ],
    }
    return respond(fmt, "discovery", doc)


@endpoint("GET", "HEAD")
def service_list(request, fmt, sandbox):
    """One service per published minor category."""
    writes.check_jurisdiction(request.GET)
    out = [
        {
            "service_code": s.code,
            "service_name": s.name,
            "description": s.filing_condition or s.name,
            "metadata": bool(s.attributes),
            "type": "realtime",
            "keywords": ", ".join(dict.fromkeys([s.name, s.group])),
            "group": s.group,
        }
        for s in catalogue.services().values()
    ]
    return respond(fmt, "services", out)


@endpoint("GET", "HEAD")
def service_definition(request, fmt, sandbox, service_code):
    """A service's attributes (the extra questions a request of this kind answers)."""
    writes.check_jurisdiction(request.GET)
    service = catalogue.services().get(service_code)
    if service is None:
        raise Open311Error(
            404, _("未找到 service_code“%(c)s”（service_code not found）") % {"c": service_code[:40]}
        )
    return respond(
        fmt,
        "service_definition",
        {"service_code": service.code, "attributes": catalogue.attribute_definitions(service)},
    )


@endpoint("GET", "HEAD", "POST")
def requests(request, fmt, sandbox):
    """GET: the public list of requests; POST: file one (form-encoded, with an api_key)."""
    if request.method == "POST":
        _check_utf8(request)
        body, _created = writes.create(request.POST, sandbox=sandbox)
        return respond(fmt, "service_requests", body)
    writes.check_jurisdiction(request.GET)
    return respond(fmt, "service_requests", reads.service_requests(request.GET))


@endpoint("GET", "HEAD")
def request_detail(request, fmt, sandbox, request_id):
    writes.check_jurisdiction(request.GET)
    return respond(fmt, "service_requests", reads.service_request(request_id))


@endpoint("GET", "HEAD")
def token(request, fmt, sandbox, token):
    writes.check_jurisdiction(request.GET)
    if sandbox:
        raise Open311Error(404, _("测试环境不保存诉求，token 无法查询（the test endpoint stores nothing）"))
    return respond(fmt, "service_requests", reads.token(token))


@endpoint("GET", "HEAD")
def request_updates(request, fmt, sandbox):
    """The servicerequestupdates extension for clients that poll."""
    writes.check_jurisdiction(request.GET)
    return respond(fmt, "service_request_updates", reads.updates(request.GET))
