"""12345 work-order import (being built)."""

from django.http import HttpResponse
from django.urls import path


def _todo(request, *args, **kwargs):  # replaced by the real pages
    return HttpResponse(status=501)


urlpatterns = [
    path("_hotline/hotline-import/", _todo, name="hotline-import"),
]
