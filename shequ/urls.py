"""URL root: kernel pages, every module's urls.py at /<label>/, the API at /api/v1/."""

from importlib import import_module

from django.urls import include, path, re_path

from shequ.core import views as core_views
from shequ.core.api import build_api
from shequ.core.registry import shequ_apps

api = build_api()

urlpatterns = [
    path("", include("shequ.core.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("robots.txt", core_views.robots, name="robots"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    # "/+": a client that appends "/services.xml" to an endpoint ending in a slash sends "//".
    re_path(r"^open311/v2/+", include("shequ.cases.open311")),
]

for _app in shequ_apps():
    if _app.label == "core":
        continue
    try:
        import_module(f"{_app.name}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_app.name}.urls":
            raise
        continue
    urlpatterns.append(path(f"{_app.label}/", include(f"{_app.name}.urls")))

handler400 = "shequ.core.views.error_400"
handler404 = "shequ.core.views.error_404"
handler403 = "shequ.core.views.error_403"
handler500 = "shequ.core.views.error_500"
