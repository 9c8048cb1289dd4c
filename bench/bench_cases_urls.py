"""URLs of the cases benchmarks' server: the product's, plus two bench-only views that Open311 is
compared with (never part of the product): a trivial JSON answer, and the floor of Open311's GET."""

import datetime as dt

from django.http import JsonResponse
from django.urls import path
from django.utils.dateparse import parse_datetime

from shequ.cases.models import ACCEPTED_STATUSES, DONE_STATUSES, Case, Category, Status
from shequ.urls import urlpatterns as product_urls

CLOSED = (*DONE_STATUSES, Status.REJECTED, Status.MERGED)
_codes: dict[str, int] = {}


def trivial(request):
    """The cheapest Django JSON answer: the same middleware, no database."""
    return JsonResponse({"ok": True, "service": "bench"})


def _published_codes() -> dict[str, int]:
    if not _codes:
        rows = Category.objects.filter(parent__isnull=False, public=True, active=True, publishable=True)
        _codes.update(rows.values_list("code", "pk"))
    return _codes


def open311_floor(request):
    """The plainest Django JSON view of the rows Open311's GET requests.json lists for the same
    query string: the same window on received_at, service codes, open/closed, page and page size,
    accepted cases of publishable services (without the resident-tag test, which synthetic data
    never meets), newest first; one `.values()` query of the raw columns and the service's code,
    name and closing condition (a join), JsonResponse with DjangoJSONEncoder. Nothing cleaned,
    coarsened or formatted: what any JSON list of these rows costs on this server."""
    q = request.GET
    end = parse_datetime(q["end_date"]) if q.get("end_date") else dt.datetime.now(dt.UTC)
    start = parse_datetime(q["start_date"]) if q.get("start_date") else end - dt.timedelta(days=90)
    known = _published_codes()
    codes = [c for c in q.get("service_code", "").split(",") if c]
    ids = [known[c] for c in codes if c in known] if codes else list(known.values())
    qs = Case.objects.filter(
        received_at__gte=start, received_at__lte=end, category_id__in=ids, status__in=ACCEPTED_STATUSES
    )
    if q.get("status") == "open":
        qs = qs.exclude(status__in=CLOSED)
    elif q.get("status") == "closed":
        qs = qs.filter(status__in=CLOSED)
    size = int(q.get("page_size") or 1000)
    offset = (int(q.get("page") or 1) - 1) * size
    rows = qs.order_by("-received_at", "-id").values(
        "number",
        "status",
        "category__code",
        "category__name",
        "category__closure_condition",
        "handler_name",
        "description",
        "address",
        "lat",
        "lng",
        "received_at",
        "updated_at",
        "deadline",
    )[offset : offset + size]
    return JsonResponse(list(rows), safe=False, json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("bench/trivial.json", trivial),
    path("bench/open311-floor.json", open311_floor),
    *product_urls,
]
