"""URLs of the cases benchmark's server: the product's, plus one trivial JSON view that the Open311
throughput is compared with (bench only; never part of the product)."""

from django.http import JsonResponse
from django.urls import path

from shequ.urls import urlpatterns as product_urls


def trivial(request):
    """The cheapest Django JSON answer: the same middleware, no database."""
    return JsonResponse({"ok": True, "service": "bench"})


urlpatterns = [path("bench/trivial.json", trivial), *product_urls]
