"""Open311 GeoReport v2 at /open311/v2/ (operator and integrator guide: docs/open311.md).

The same endpoints answer a second time under /open311/v2/sandbox/, the discovery's test
endpoint: reads serve the same public data, a POST is checked in full and stored nowhere.

The discovery names each endpoint without a trailing slash, as the specification's examples do,
and clients append "/services.xml"; one that appends it to a URL ending in a slash sends "//",
which is taken as one slash. Any other path under /open311/v2/ is the specification's 404, in JSON
or XML by the path's extension."""

from django.urls import re_path

from shequ.cases.open311 import views

app_name = "open311"

_FMT = r"\.(?P<fmt>[A-Za-z0-9]{1,10})$"


def _routes(prefix: str, name: str, sandbox: bool) -> list:
    kw = {"sandbox": sandbox}
    prefix = f"{prefix}/+" if prefix else ""
    return [
        re_path(rf"^{prefix}discovery{_FMT}", views.discovery, kw, name=f"{name}discovery"),
        re_path(rf"^{prefix}services{_FMT}", views.service_list, kw, name=f"{name}services"),
        re_path(
            rf"^{prefix}services/(?P<service_code>[^/]{{1,40}}?){_FMT}",
            views.service_definition,
            kw,
            name=f"{name}service-definition",
        ),
        re_path(rf"^{prefix}requests{_FMT}", views.requests, kw, name=f"{name}requests"),
        re_path(
            rf"^{prefix}requests/(?P<request_id>[^/]{{1,64}}?){_FMT}",
            views.request_detail,
            kw,
            name=f"{name}request-detail",
        ),
        re_path(rf"^{prefix}tokens/(?P<token>[^/]{{1,80}}?){_FMT}", views.token, kw, name=f"{name}token"),
        re_path(rf"^{prefix}servicerequestupdates{_FMT}", views.request_updates, kw, name=f"{name}updates"),
    ]


urlpatterns = [
    *_routes("", "", False),
    *_routes("sandbox", "sandbox-", True),
    re_path(r"^(?P<path>.*)$", views.unknown, name="unknown"),
]
