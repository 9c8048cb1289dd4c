"""The public reads of GeoReport v2: service requests, tokens and request updates.

What is published, and what never is:
- only published cases (Case.objects.public(): accepted by staff, of a category that publishes
  its cases, not withheld by the requester, touching no tagged resident) of published services
  (public, active minor categories); any other case is not found, by list, id or update;
- no requester data: name, phone, e-mail, account, device and address_id never leave; the text is
  the public copy stored with the case when it was written (Case.public_*, public.stored_copy):
  names, ID, phone and house numbers cut, the address only to the building or street, the point
  rounded to about 100 m; no requester column is even read;
- one query per list (the queryset of `_listing`, compiled once per shape: `_rows`), only the
  columns needed, no model instances.
"""

import datetime as dt
import re

from django.db import connection
from django.db.models import TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases.models import DONE_STATUSES, Case, CaseEvent, Status, public_q
from shequ.cases.open311 import catalogue
from shequ.cases.open311.formats import Open311Error, parse_w3c, w3c_text
from shequ.cases.public import place_name, public_text
from shequ.cases.workflow import label_of

WINDOW = dt.timedelta(days=90)
MAX_RESULTS = 1000
CLOSED = (*DONE_STATUSES, Status.REJECTED, Status.MERGED)
PAGE_MAX = 1_000_000  # with page_size 1000, offsets stay far inside every database's integers
_ID = re.compile(r"^[0-9A-Za-z_-]{1,40}$")
_DIGITS = re.compile(r"^[0-9]{1,9}$")

_FIELDS = (
    "number",
    "status",
    "category_id",
    "handler_name",
    # The public copy, stored when the case was written (public.stored_copy): no row's text is
    # cleaned here.
    "public_description",
    "public_address",
    "public_lat",
    "public_lng",
    "community__name",
    "street__name",
)


def _as_text(column: str) -> Cast:
    """A datetime column read as text. Django's PostgreSQL loader turns each timestamptz into a
    datetime in pure Python (tens of microseconds a value, the bulk of a 100-row answer);
    datetime.fromisoformat on the text is C and a hundred times faster."""
    return Cast(column, TextField())


_EXTRA = {
    "requested": _as_text("received_at"),
    "updated": _as_text("updated_at"),
    "closed": _as_text("closed_at"),
    "expected": _as_text("deadline"),
    # What an application sent beside the text, read from the JSON in SQL (no per-row decoding).
    "media_url": KT("attributes___open311__media_url"),
}


def open_or_closed(status: str) -> str:
    return "closed" if status in CLOSED else "open"


def _row(r: dict, services: dict, labels: dict, places: dict) -> dict:
    """One request as the specification lists its fields (identifiers as strings)."""
    svc = services.get(r["category_id"])
    status = r["status"]
    closed = status in CLOSED
    address = r["public_address"]
    if not address:  # nothing left of the address (or none given): the place's name stands for it
        key = (r["community__name"], r["street__name"])
        address = places.get(key)
        if address is None:
            address = places[key] = place_name(*key)
    return {
        "service_request_id": r["number"],
        "status": "closed" if closed else "open",
        "status_notes": labels.get(status, status),
        "service_name": svc.name if svc else None,
        "service_code": svc.code if svc else None,
        "description": r["public_description"],
        "agency_responsible": r["handler_name"] or None,
        "service_notice": svc.notice if svc else None,
        "requested_datetime": w3c_text(r["requested"]),
        "updated_datetime": w3c_text((r["closed"] if closed and r["closed"] else None) or r["updated"]),
        "expected_datetime": w3c_text(r["expected"]),
        "address": address or None,
        "address_id": None,
        "zipcode": None,
        "lat": r["public_lat"],
        "long": r["public_lng"],
        "media_url": r["media_url"] or None,
    }


def _ids(raw: str, name: str) -> list[str]:
    values = [v.strip() for v in (raw or "").split(",") if v.strip()]
    if len(values) > MAX_RESULTS:
        raise Open311Error(
            400, _("%(n)s 一次最多 %(m)d 个（at most %(m)d values）") % {"n": name, "m": MAX_RESULTS}
        )
    bad = [v for v in values if not _ID.match(v)]
    if bad:
        raise Open311Error(400, _("%(n)s 含无效的值：%(v)s（invalid value）") % {"n": name, "v": bad[0][:40]})
    return values


def bounded_int(raw, name: str, default: int, low: int, high: int) -> int:
    """An integer parameter within [low, high] written in ASCII digits; anything else (a word, a
    sign, a number too large for the database) is the specification's 400."""
    if raw in (None, ""):
        return default
    raw = str(raw).strip()
    value = int(raw) if _DIGITS.match(raw) else None
    if value is None or not low <= value <= high:
        limit = f"{low}–{high}"
        raise Open311Error(
            400, _("%(n)s 应为 %(l)s 的整数（%(n)s must be an integer %(l)s）") % {"n": name, "l": limit}
        )
    return value


def window(params) -> tuple[dt.datetime, dt.datetime]:
    """The start_date / end_date range: the last 90 days by default, never longer than 90 days."""
    start_raw, end_raw = params.get("start_date"), params.get("end_date")
    start = parse_w3c(start_raw, "start_date") if start_raw else None
    # A date without a time ends at the end of that day: start_date=end_date=2026-01-05 is the day.
    end = parse_w3c(end_raw, "end_date", end_of_day=True) if end_raw else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise Open311Error(400, _("end_date 早于 start_date（end_date is before start_date）"))
    if end - start > WINDOW:
        raise Open311Error(
            400,
            _(
                "查询时间跨度不能超过 90 天，请缩小 start_date 与 end_date 的范围（the range may not span more than 90 days）"
            ),
        )
    return start, end


def page_bounds(params) -> tuple[int, int]:
    """The page / page_size extension: at most 1000 per page, page 1 by default."""
    size = bounded_int(params.get("page_size"), "page_size", MAX_RESULTS, 1, MAX_RESULTS)
    page = bounded_int(params.get("page"), "page", 1, 1, PAGE_MAX)
    return (page - 1) * size, size


def _listing(category_ids, numbers, start, end, status: str, offset: int, size: int):
    """The list's query, the one definition of it: published cases (models.public_q) of these
    services, by number or in the window, open or closed, newest first, the public columns of one
    page. The page is chosen on the case table alone (the cheap tests before the rule's
    resident-tag subqueries); the columns, joins and JSON of only its rows are read after."""
    qs = Case.objects.filter(category_id__in=category_ids)
    if numbers:
        qs = qs.filter(number__in=numbers)
    if start is not None:
        qs = qs.filter(received_at__gte=start, received_at__lte=end)
    if status == "open":
        qs = qs.exclude(status__in=CLOSED)
    elif status == "closed":
        qs = qs.filter(status__in=CLOSED)
    page = qs.public().order_by("-received_at", "-id").values("pk")[offset : offset + size]
    return Case.objects.filter(pk__in=page).order_by("-received_at", "-id").values(*_FIELDS, **_EXTRA)


# The list's SQL, compiled once per shape (how many services and numbers, window or not, open or
# closed) and day (the rule's resident-tag test compares with today): building and compiling the
# queryset cost more than running it. The values a request brings are put where the compiled
# parameters hold a sentinel (the page's LIMIT and OFFSET, which Django writes into the SQL, become
# parameters); a shape whose sentinels cannot all be found is left to the ORM on every request.
_compiled: dict[tuple, tuple | None] = {}
_COMPILED_MAX = 256
_START = dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
_END = dt.datetime(1901, 2, 3, 4, 5, 7, tzinfo=dt.UTC)
_OFFSET, _SIZE = 987_654_301, 123_457
_PAGE = f"LIMIT {_SIZE} OFFSET {_OFFSET}"


def _compile(n_categories: int, n_numbers: int, windowed: bool, status: str) -> tuple | None:
    categories = [-900_000_001 - i for i in range(n_categories)]
    numbers = [f"~open311-sentinel-{i}~" for i in range(n_numbers)]
    start, end = (_START, _END) if windowed else (None, None)
    query = _listing(categories, numbers, start, end, status, _OFFSET, _SIZE).query
    sql, params = query.sql_with_params()
    if sql.count(_PAGE) != 1:
        return None
    at = sql.index(_PAGE)
    page_at = sql[:at].count("%s")
    sql = sql.replace(_PAGE, "LIMIT %s OFFSET %s")
    params = [*params[:page_at], _SIZE, _OFFSET, *params[page_at:]]
    adapt = connection.ops.adapt_datetimefield_value
    wanted = {
        **{v: ("c", i) for i, v in enumerate(categories)},
        **{v: ("n", i) for i, v in enumerate(numbers)},
        _SIZE: ("z", 0),
        _OFFSET: ("o", 0),
    }
    if windowed:
        wanted.update({adapt(_START): ("s", 0), adapt(_END): ("e", 0)})
    slots = []
    for position, value in enumerate(params):
        try:
            slot = wanted.get(value)
        except TypeError:  # an unhashable parameter: not one of ours
            slot = None
        if slot is not None:
            slots.append((position, *slot))
    if len(slots) != len(wanted) or len({s[1:] for s in slots}) != len(wanted):
        return None
    names = [*query.extra_select, *query.values_select, *query.annotation_select]
    return sql, params, slots, names


def _rows(category_ids: list, numbers: list, start, end, status: str, offset: int, size: int) -> list[dict]:
    """The rows of _listing for these values, through its SQL compiled for this shape."""
    if not category_ids:
        return []
    windowed = start is not None
    key = (connection.vendor, timezone.localdate(), len(category_ids), len(numbers), windowed, status)
    if key not in _compiled:
        if len(_compiled) >= _COMPILED_MAX:
            _compiled.clear()
        _compiled[key] = _compile(len(category_ids), len(numbers), windowed, status)
    compiled = _compiled[key]
    if compiled is None:
        return list(_listing(category_ids, numbers, start, end, status, offset, size))
    sql, template, slots, names = compiled
    params = list(template)
    adapt = connection.ops.adapt_datetimefield_value
    given = {"c": category_ids, "n": numbers, "z": [size], "o": [offset]}
    if windowed:
        given.update(s=[adapt(start)], e=[adapt(end)])
    for position, kind, i in slots:
        params[position] = given[kind][i]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def service_requests(params) -> list[dict]:
    """GET requests: by service_request_id (overriding the rest), or by service_code, the date
    window on requested_datetime and status; newest first."""
    services = catalogue.by_id()
    labels = catalogue.status_labels()
    ids = _ids(params.get("service_request_id"), "service_request_id")
    start = end = None
    status = ""
    if ids:
        categories = list(services)
        offset, size = 0, MAX_RESULTS
    else:
        codes = _ids(params.get("service_code"), "service_code")
        if codes:
            known = catalogue.services()
            categories = list(dict.fromkeys(known[c].id for c in codes if c in known))
        else:
            categories = list(services)
        start, end = window(params)
        wanted = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
        if wanted - {"open", "closed"}:
            raise Open311Error(400, _("status 只能是 open 或 closed（status must be open or closed）"))
        status = next(iter(wanted)) if len(wanted) == 1 else ""
        offset, size = page_bounds(params)
    rows = _rows(categories, ids, start, end, status, offset, size)
    places: dict = {}
    return [_row(r, services, labels, places) for r in rows]


def service_request(request_id: str) -> list[dict]:
    """GET requests/{id}: a list of one; an unknown or unpublished id is not found alike."""
    found = service_requests({"service_request_id": request_id}) if _ID.match(request_id or "") else []
    if not found:
        raise Open311Error(
            404, _("未找到编号为 %(id)s 的诉求（service_request_id not found）") % {"id": request_id[:40]}
        )
    return found


def token(value: str) -> list[dict]:
    """GET tokens/{token}: the service_request_id a token (an application's idempotency key) became."""
    row = None
    if _TOKEN_ISSUED.match(value or ""):
        row = (
            Case.objects.filter(channel="open311", external_id=value, category_id__in=list(catalogue.by_id()))
            .values("number")
            .first()
        )
    if row is None:
        raise Open311Error(404, _("未找到该 token（token not found）"))
    return [{"service_request_id": row["number"], "token": value}]


# A token as issued: "<application number>-<the application's own key>".
_TOKEN_ISSUED = re.compile(r"^\d{1,10}-[A-Za-z0-9_-]{8,40}$")


def updates(params) -> list[dict]:
    """The servicerequestupdates extension: public timeline entries of published requests in the
    date window (oldest first, so a polling client pages forward from its last update)."""
    services = catalogue.by_id()
    start, end = window(params)
    offset, size = page_bounds(params)
    qs = CaseEvent.objects.filter(
        public_q("case__"), public=True, at__gte=start, at__lte=end, case__category_id__in=list(services)
    )
    ids = _ids(params.get("service_request_id"), "service_request_id")
    if ids:
        qs = qs.filter(case__number__in=ids)
    rows = qs.order_by("at", "id").values(
        "id",
        "action",
        "to_status",
        "note",
        "case__number",
        "case__status",
        "case__requester_name",
        "case__resident__name",
        at_text=_as_text("at"),
    )[offset : offset + size]
    out = []
    for r in rows:
        status = r["to_status"] or r["case__status"]
        note = public_text(r["note"], (r["case__requester_name"], r["case__resident__name"]))
        label = str(label_of(r["action"]))
        out.append(
            {
                "update_id": str(r["id"]),
                "service_request_id": r["case__number"],
                "status": open_or_closed(status),
                "updated_datetime": w3c_text(r["at_text"]),
                "description": f"{label}：{note}" if note else label,
                "media_url": None,
            }
        )
    return out
