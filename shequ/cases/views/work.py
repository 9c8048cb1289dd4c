"""The handler's to-do list, case list, case page with its timeline and actions, map, categories (being built)."""

from django.http import HttpResponse
from django.urls import path


def _todo(request, *args, **kwargs):  # replaced by the real pages
    return HttpResponse(status=501)


urlpatterns = [
    path("_work/todo/", _todo, name="todo"),
    path("_work/case-list/", _todo, name="case-list"),
    path("_work/case-detail/", _todo, name="case-detail"),
    path("_work/case-act/", _todo, name="case-act"),
    path("_work/map/", _todo, name="map"),
    path("_work/map-data/", _todo, name="map-data"),
    path("_work/category-list/", _todo, name="category-list"),
    path("_work/category-edit/", _todo, name="category-edit"),
    path("_work/score-settings/", _todo, name="score-settings"),
]
