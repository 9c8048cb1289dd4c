"""GeoReport v2 output: JSON and XML from the same Python values, the specification's error list
and w3c datetimes (what a published case shows is its stored public copy, public.stored_copy).

The XML is the specification's (no namespace, UTF-8 declaration); the JSON follows it by the
Spark convention: a list element is a JSON array, a single result is still an array."""

import datetime as dt
import json
import re
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.utils.dateparse import parse_date, parse_datetime

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MIME = {"json": "application/json", "xml": "text/xml"}

# The element name of one item of each list, as in the specification's XML.
ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_request_updates": "request_update",
}

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TZ = ZoneInfo(settings.TIME_ZONE)


class Open311Error(Exception):
    """An error the specification lists: an HTTP status and a description for the client."""

    def __init__(self, status: int, description):
        super().__init__(str(description))
        self.status = status
        self.description = str(description)


def _xml_value(tag: str, value, out: list) -> None:
    if value is None:
        out.append(f"<{tag}/>")
    elif isinstance(value, bool):
        out.append(f"<{tag}>{'true' if value else 'false'}</{tag}>")
    elif isinstance(value, dict):
        out.append(f"<{tag}>")
        for k, v in value.items():
            _xml_value(k, v, out)
        out.append(f"</{tag}>")
    elif isinstance(value, list | tuple):
        item = ITEM.get(tag, "item")
        out.append(f"<{tag}>")
        for v in value:
            _xml_value(item, v, out)
        out.append(f"</{tag}>")
    else:
        text = value if isinstance(value, str) else str(value)
        out.append(f"<{tag}>{escape(_XML_BAD.sub('', text))}</{tag}>")


def to_xml(root: str, value) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _xml_value(root, value, out)
    return "".join(out)


def respond(fmt: str, root: str, value, status: int = 200) -> HttpResponse:
    """One document in the requested format; `root` names the XML root element."""
    if fmt == "json":
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        body = to_xml(root, value)
    resp = HttpResponse(body.encode(), content_type=FORMATS[fmt], status=status)
    resp["Access-Control-Allow-Origin"] = "*"  # public data; POST needs an api_key, not a cookie
    return resp


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The specification's error list: [{"code": 400, "description": "..."}] / <errors><error>."""
    fmt = fmt if fmt in FORMATS else "xml"
    return respond(fmt, "errors", [{"code": status, "description": description}], status=status)


# --- time -----------------------------------------------------------------------------------------
def w3c(value: dt.datetime | None) -> str | None:
    """2026-01-05T10:00:00+08:00: local time with its offset, as the w3c note requires."""
    if value is None:
        return None
    return value.astimezone(_TZ).isoformat(timespec="seconds")


def w3c_text(value: str | None) -> str | None:
    """w3c from a datetime the database gave as text (see reads._as_text): UTC when it has no offset."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(_TZ).isoformat(timespec="seconds")


def parse_w3c(raw: str, name: str, *, end_of_day: bool = False) -> dt.datetime:
    """A w3c date or datetime; one without an offset is read as local time (Asia/Shanghai). A date
    alone is the day's first moment, or with end_of_day its last (an end_date names a whole day)."""
    from django.utils.translation import gettext as _

    raw = (raw or "").strip()
    value = None
    try:
        # A date alone first: parse_datetime would take it as midnight.
        day = parse_date(raw) if _DATE_ONLY.match(raw) else None
        if day is not None:
            value = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time())
        else:
            value = parse_datetime(raw.replace(" ", "T", 1) if "T" not in raw else raw)
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(
            400,
            _("%(n)s 不是有效的 w3c 时间，请写成 2026-01-05T00:00:00+08:00（%(n)s is not a w3c datetime）")
            % {"n": name},
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=_TZ)
    return value
