"""The indicator dashboard and its export (being built)."""

from django.http import HttpResponse
from django.urls import path


def _todo(request, *args, **kwargs):  # replaced by the real pages
    return HttpResponse(status=501)


urlpatterns = [
    path("_indicators/indicators/", _todo, name="indicators"),
]
