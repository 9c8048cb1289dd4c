"""Open311's contract at its edges: paging numbers too large for the database, the discovery's
URLs with a path appended the way the specification's examples do, unknown paths, form bodies that
are not UTF-8, and a date-only range. Each answers in the specification's error format (JSON or XML
by the path's extension) with the right status, never an HTML page or a 500."""

import datetime as dt
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from shequ.cases import services
from shequ.cases.models import Case, CaseEvent
from shequ.cases.open311 import catalogue
from tests.cases.factories import make_case, point_in

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.OPEN311_CACHE_SECONDS = 0
    catalogue.reset()
    yield
    catalogue.reset()


def error_of(resp, status: int) -> str:
    """The specification's error list in the format the path asked for; returns the description."""
    assert resp.status_code == status, resp.content.decode()[:300]
    if resp["Content-Type"].startswith("application/json"):
        body = resp.json()
        assert isinstance(body, list) and body[0]["code"] == status
        return body[0]["description"]
    assert resp["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(resp.content)
    assert root.tag == "errors" and root.find("error/code").text == str(status)
    return root.find("error/description").text


# --- paging ----------------------------------------------------------------------------------------
HUGE = "9223372036854775807"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("endpoint", ["requests", "servicerequestupdates"])
@pytest.mark.parametrize(
    "params",
    [
        {"page": HUGE},
        {"page": HUGE + "0"},
        {"page": "1000001"},
        {"page_size": HUGE},
        {"page": "+2"},
        {"page": "٣"},  # an Arabic-Indic three: int() would take it
        {"page": "2.0"},
        {"page": "9" * 5000},
    ],
)
def test_paging_numbers_out_of_range_are_400_in_open311_format(world, fmt, endpoint, params):
    make_case(world, "a", "filed")
    resp = Client().get(f"{BASE}{endpoint}.{fmt}", params)
    name = next(iter(params))
    assert name in error_of(resp, 400)


def test_the_largest_page_is_an_empty_list(world):
    make_case(world, "a", "filed")
    assert Client().get(f"{BASE}requests.json", {"page": "1000000", "page_size": "1000"}).json() == []
    assert len(Client().get(f"{BASE}requests.json", {"page": " 1 "}).json()) == 1


# --- discovery -------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_urls_take_a_path_appended_as_in_the_specification(world, fmt):
    make_case(world, "a", "filed")
    doc = Client().get(f"{BASE}discovery.json").json()
    for endpoint in doc["endpoints"]:
        url = endpoint["url"]
        assert not url.endswith("/")
        path = urlsplit(url).path
        services_doc = Client().get(f"{path}/services.{fmt}")
        assert services_doc.status_code == 200, (url, services_doc.content[:200])
        assert Client().get(f"{path}/requests.{fmt}").status_code == 200
        assert Client().get(f"{path}/services/0703.{fmt}").status_code == 200
        # A client that keeps a trailing slash and appends "/services.xml" sends "//".
        assert Client().get(f"{path}//services.{fmt}").status_code == 200


# --- unknown paths ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("nothing.json", "json"),
        ("nothing.xml", "xml"),
        ("nothing", "xml"),
        ("", "xml"),
        ("requests/1/2.json", "json"),
        ("sandbox/nothing.json", "json"),
        ("sandbox/requests/1/updates.xml", "xml"),
        ("v3/services.json", "json"),
    ],
)
def test_unknown_paths_answer_404_in_open311_format(path, fmt):
    for method in ("get", "post"):
        resp = getattr(Client(), method)(BASE + path)
        assert resp["Content-Type"].startswith("application/json" if fmt == "json" else "text/xml")
        assert "not found" in error_of(resp, 404)


# --- form bodies -----------------------------------------------------------------------------------
@pytest.fixture
def key(world):
    return services.register_client(world.users["street"], name="随手拍", street_code=world.street.code)[1]


def _body(world, key, description: bytes) -> bytes:
    lat, lng = point_in(world, "a")
    return b"&".join(
        [
            f"api_key={key}".encode(),
            b"service_code=0703",
            f"lat={lat}&long={lng}".encode(),
            b"description=" + description,
        ]
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "description",
    [
        b"%FF%FE%E6%A5%BC",  # percent-encoded bytes that are not UTF-8
        "楼道".encode("gbk"),  # raw bytes in another encoding
        b"%E6%A5",  # a UTF-8 sequence cut short
    ],
)
def test_a_form_body_that_is_not_utf8_is_400_and_writes_nothing(world, key, fmt, description):
    resp = Client().generic(
        "POST",
        f"{BASE}requests.{fmt}",
        _body(world, key, description),
        content_type="application/x-www-form-urlencoded",
    )
    assert "UTF-8" in error_of(resp, 400)
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_multipart_body_that_is_not_utf8_is_400_and_writes_nothing(world, key):
    lat, lng = point_in(world, "a")
    boundary = "XyZ"
    parts = []
    for name, value in (
        ("api_key", key.encode()),
        ("service_code", b"0703"),
        ("lat", str(lat).encode()),
        ("long", str(lng).encode()),
        ("description", b"\xff\xfe broken"),
    ):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    resp = Client().generic(
        "POST", f"{BASE}requests.json", body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert "UTF-8" in error_of(resp, 400)
    assert not Case.objects.exists()


def test_a_utf8_form_body_files_its_text(world, key):
    resp = Client().generic(
        "POST",
        f"{BASE}requests.json",
        _body(world, key, "楼道%20堆放杂物+纸箱".encode()),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    assert resp.status_code == 200, resp.content.decode()
    assert Case.objects.get().description == "楼道 堆放杂物 纸箱"


# --- date-only ranges ------------------------------------------------------------------------------
def test_a_date_only_range_covers_that_whole_day_in_shanghai(world):
    day = timezone.localdate() - dt.timedelta(days=10)
    tz = timezone.get_current_timezone()

    def at(d, h, m):
        return dt.datetime.combine(d, dt.time(h, m), tzinfo=tz)

    inside = {
        make_case(world, "a", "filed", received_at=at(day, h, m)).number
        for h, m in ((0, 0), (9, 30), (23, 59))
    }
    make_case(world, "a", "filed", received_at=at(day - dt.timedelta(days=1), 23, 59))
    make_case(world, "a", "filed", received_at=at(day + dt.timedelta(days=1), 0, 0))
    for fmt in ("json", "xml"):
        resp = Client().get(
            f"{BASE}requests.{fmt}", {"start_date": day.isoformat(), "end_date": day.isoformat()}
        )
        assert resp.status_code == 200
        if fmt == "json":
            got = {r["service_request_id"] for r in resp.json()}
        else:
            got = {r.findtext("service_request_id") for r in ET.fromstring(resp.content).findall("request")}
        assert got == inside, fmt
    # An end date alone also runs to the end of its day.
    only_end = {
        r["service_request_id"] for r in Client().get(f"{BASE}requests.json", {"end_date": day}).json()
    }
    assert inside <= only_end
