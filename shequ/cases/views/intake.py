"""Resident, patrol and staff intake pages; the public status page (being built)."""

from django.http import HttpResponse
from django.urls import path


def _todo(request, *args, **kwargs):  # replaced by the real pages
    return HttpResponse(status=501)


urlpatterns = [
    path("_intake/report/", _todo, name="report"),
    path("_intake/track/", _todo, name="track"),
    path("_intake/lookup/", _todo, name="lookup"),
    path("_intake/mine/", _todo, name="mine"),
    path("_intake/patrol/", _todo, name="patrol"),
    path("_intake/case-create/", _todo, name="case-create"),
    path("_intake/locate/", _todo, name="locate"),
]
