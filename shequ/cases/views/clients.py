"""Open311 client applications (being built)."""

from django.http import HttpResponse
from django.urls import path


def _todo(request, *args, **kwargs):  # replaced by the real pages
    return HttpResponse(status=501)


urlpatterns = [
    path("_clients/client-list/", _todo, name="client-list"),
    path("_clients/client-create/", _todo, name="client-create"),
]
