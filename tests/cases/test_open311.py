"""Open311 GeoReport v2: every method in JSON and XML, validated against the JSON Schemas written
from the specification (shequ/cases/open311_schemas/), the specification's errors, the token flow,
the sandbox, the servicerequestupdates extension, what is never published, and interoperability
with the `georeport` client from PyPI against a live server. Also the client-application pages."""

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import requests as http
import xmltodict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from georeport import GeoReport

import shequ.cases
from shequ.cases import services
from shequ.cases.models import Case, CaseEvent, Category, Channel, Open311Client, Status
from shequ.cases.open311 import catalogue
from shequ.core.testing.world import build_world, make_user
from shequ.org.models import Level, OrgUnit
from tests.cases.factories import make_case, point_in

SCHEMAS = Path(shequ.cases.__file__).parent / "open311_schemas"
BASE = "/open311/v2/"
SANDBOX = "/open311/v2/sandbox/"
PHONE = "13812345678"
ID_NUMBER = "420115198805061234"
EMAIL = "wang.nvshi@example.com"
NAME = "王秀兰"


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.json").read_text())


def valid(name: str, doc) -> None:
    jsonschema.validate(doc, schema(name), format_checker=jsonschema.FormatChecker())


@pytest.fixture(autouse=True)
def _fresh_catalogue(settings):
    """The published services and the answers are kept per process; each test starts from its own
    database, and answers are computed afresh unless a test turns the memory on."""
    settings.OPEN311_CACHE_SECONDS = 0
    catalogue.reset()
    yield
    catalogue.reset()


@pytest.fixture
def app(world):
    """A registered application of the world's street and its api_key."""
    client, key = services.register_client(
        world.users["street"], name="市民随手拍", street_code=world.street.code, contact="张工"
    )
    return client, key


def get_json(path, expect=200, **params):
    resp = Client().get(path, params)
    assert resp.status_code == expect, resp.content.decode()[:500]
    assert resp["Content-Type"] == "application/json; charset=utf-8"
    return resp.json()


def get_xml(path, expect=200, **params):
    resp = Client().get(path, params)
    assert resp.status_code == expect, resp.content.decode()[:500]
    assert resp["Content-Type"] == "text/xml; charset=utf-8"
    assert resp.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(resp.content)


def post(fmt="json", sandbox=False, **data):
    return Client(enforce_csrf_checks=True).post(f"{SANDBOX if sandbox else BASE}requests.{fmt}", data)


def assert_error(resp, status: int, *words: str):
    """The specification's error list with the matching HTTP status, in JSON or XML."""
    assert resp.status_code == status, resp.content.decode()[:500]
    if resp["Content-Type"].startswith("application/json"):
        body = resp.json()
        valid("errors", body)
        assert body[0]["code"] == status
        text = body[0]["description"]
    else:
        root = ET.fromstring(resp.content)
        assert root.tag == "errors"
        err = root.find("error")
        assert err.findtext("code") == str(status)
        text = err.findtext("description")
    for w in words:
        assert w in text, text
    return text


def good_post(world, key, **extra):
    lat, lng = point_in(world, "a")
    data = {
        "api_key": key,
        "jurisdiction_id": "shequ",
        "service_code": "0703",
        "lat": lat,
        "long": lng,
        "address_string": "宁安社区3栋门口",
        "description": "楼道堆满纸箱，影响通行",
    }
    data.update(extra)
    return data


# --- discovery, services, service definitions --------------------------------------------------------
@pytest.mark.django_db
def test_discovery_lists_a_production_and_a_test_endpoint(settings):
    doc = get_json(f"{BASE}discovery.json")
    valid("discovery", doc)
    kinds = {e["type"]: e for e in doc["endpoints"]}
    assert set(kinds) == {"production", "test"}
    # Without a trailing slash, as in the specification's examples: clients append "/services.xml".
    assert kinds["production"]["url"] == "http://testserver/open311/v2"
    assert kinds["test"]["url"] == "http://testserver/open311/v2/sandbox"
    assert set(kinds["production"]["formats"]) == {"text/xml", "application/json"}
    assert "/cases/open311-clients/" in doc["key_service"]
    root = get_xml(f"{BASE}discovery.xml")
    assert root.tag == "discovery"
    assert [e.findtext("type") for e in root.find("endpoints").findall("endpoint")] == ["production", "test"]
    assert [f.text for f in root.find("endpoints/endpoint/formats").findall("format")] == [
        "text/xml",
        "application/json",
    ]
    # The test endpoint answers like the production one.
    assert get_json(f"{SANDBOX}discovery.json")["endpoints"][1]["type"] == "test"
    settings.OPEN311_PRODUCTION_URL = "https://api.example.gov.cn/open311/v2/"
    settings.OPEN311_TEST_URL = "https://staging.example.gov.cn/open311/v2/"
    settings.OPEN311_CONTACT = "街道网格中心 027-12345"
    doc = get_json(f"{BASE}discovery.json")
    assert [e["url"] for e in doc["endpoints"]] == [
        "https://api.example.gov.cn/open311/v2",
        "https://staging.example.gov.cn/open311/v2",
    ]
    assert doc["contact"] == settings.OPEN311_CONTACT


@pytest.mark.django_db
def test_services_are_the_public_active_minor_categories():
    body = get_json(f"{BASE}services.json", jurisdiction_id="shequ")
    valid("services", body)
    expected = Category.objects.filter(parent__isnull=False, public=True, active=True)
    assert sorted(s["service_code"] for s in body) == sorted(expected.values_list("code", flat=True))
    assert all(isinstance(s["service_code"], str) for s in body)
    by_code = {s["service_code"]: s for s in body}
    assert "0109" not in by_code  # a staff-only class (found on patrol) is not offered
    lift = Category.objects.get(code="0708")
    assert by_code["0708"]["metadata"] is True
    assert by_code["0708"]["group"] == lift.parent.name
    assert by_code["0708"]["type"] == "realtime"
    assert by_code["0703"]["metadata"] is False
    root = get_xml(f"{BASE}services.xml")
    assert root.tag == "services"
    codes = [s.findtext("service_code") for s in root.findall("service")]
    assert codes == [s["service_code"] for s in body]
    assert root.find("service/metadata").text in ("true", "false")


@pytest.mark.django_db
def test_an_inactive_category_leaves_the_list(world):
    Category.objects.filter(code="0703").update(active=False)
    catalogue.reset()
    assert "0703" not in {s["service_code"] for s in get_json(f"{BASE}services.json")}
    assert_error(Client().get(f"{BASE}services/0703.json"), 404, "0703")


@pytest.mark.django_db
def test_service_definition_with_attributes():
    body = get_json(f"{BASE}services/0708.json")
    valid("service_definition", body)
    assert body["service_code"] == "0708"
    trapped = body["attributes"][0]
    assert trapped["code"] == "trapped" and trapped["required"] is True and trapped["order"] == 1
    assert trapped["datatype"] == "singlevaluelist" and trapped["variable"] is True
    assert {v["key"] for v in trapped["values"]} == {"yes", "no"}
    root = get_xml(f"{BASE}services/0708.xml")
    assert root.tag == "service_definition"
    attrs = root.find("attributes").findall("attribute")
    assert [a.findtext("code") for a in attrs] == ["trapped", "building"]
    values = attrs[0].find("values").findall("value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
        ("yes", "有人被困"),
        ("no", "无人被困"),
    ]
    plain = get_json(f"{BASE}services/0703.json")
    valid("service_definition", plain)
    assert plain["attributes"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition_errors(fmt):
    assert_error(Client().get(f"{BASE}services/9999.{fmt}"), 404, "service_code")
    assert_error(Client().get(f"{BASE}services/0109.{fmt}"), 404)  # not published
    assert_error(
        Client().get(f"{BASE}services/0708.{fmt}", {"jurisdiction_id": "x.gov"}), 404, "jurisdiction_id"
    )
    assert_error(Client().get(f"{BASE}services.{fmt}", {"jurisdiction_id": "x.gov"}), 404, "jurisdiction_id")


@pytest.mark.django_db
def test_unknown_format_and_method():
    resp = Client().get(f"{BASE}services.csv")
    assert_error(resp, 404, "csv")
    resp = Client().delete(f"{BASE}requests.json")
    assert_error(resp, 405)
    assert "POST" in resp["Allow"]
    assert_error(Client().post(f"{BASE}services.json"), 405)


# --- POST requests -----------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_files_a_case_at_the_point(world, app, fmt, django_capture_on_commit_callbacks):
    client, key = app
    data = good_post(
        world,
        key,
        email=EMAIL,
        phone=PHONE,
        first_name="秀兰",
        last_name="王",
        device_id="dev-1",
        account_id="acc-77",
        media_url="https://img.example.com/1.jpg",
    )
    with django_capture_on_commit_callbacks(execute=True):
        resp = post(fmt, **data)
    assert resp.status_code == 200, resp.content.decode()
    if fmt == "json":
        body = resp.json()
        valid("service_request_created", body)
        number = body[0]["service_request_id"]
        assert body[0]["account_id"] == "acc-77"
        assert "工作日" in body[0]["service_notice"]
    else:
        req = ET.fromstring(resp.content).find("request")
        number = req.findtext("service_request_id")
        assert req.findtext("account_id") == "acc-77"
    case = Case.objects.get(number=number)
    assert isinstance(number, str)
    assert case.channel == Channel.OPEN311 and case.client_id == client.pk
    assert case.grid_id == world.grid_a.pk and case.community_id == world.a.pk
    assert case.requester_name == NAME and case.requester_phone == PHONE and case.requester_email == EMAIL
    assert case.attributes["_open311"] == {
        "media_url": "https://img.example.com/1.jpg",
        "device_id": "dev-1",
        "account_id": "acc-77",
    }
    assert case.events.get().action == "receive"
    assert case.events.get().actor_label == client.name


@pytest.mark.django_db
def test_post_with_only_an_address_goes_to_the_applications_street(world, app):
    _client, key = app
    data = good_post(world, key, address_id="A-1001")
    del data["lat"], data["long"], data["address_string"]
    resp = post(**data)
    assert resp.status_code == 200, resp.content.decode()
    case = Case.objects.get(number=resp.json()[0]["service_request_id"])
    assert case.street_id == world.street.pk and case.community_id is None and case.grid_id is None
    assert case.scope_code == world.street.code
    assert case.attributes["_open311"]["address_id"] == "A-1001"
    services.transition(world.users["street"], case.pk, "file")
    published = get_json(f"{BASE}requests/{case.number}.json")[0]
    # An address known only by the application's id is exact: the street's name stands for it.
    assert published["address_id"] is None and published["lat"] is None
    assert published["address"] == world.street.display_name and "A-1001" not in published["address"]


@pytest.mark.django_db
def test_post_attributes_are_checked_and_stored(world, app):
    _client, key = app
    resp = post(
        **good_post(
            world, key, service_code="0708", **{"attribute[trapped]": "yes", "attribute[building]": "3栋"}
        )
    )
    assert resp.status_code == 200, resp.content.decode()
    case = Case.objects.get(number=resp.json()[0]["service_request_id"])
    assert case.attributes == {"trapped": "yes", "building": "3栋"}
    resp = post(
        **good_post(
            world,
            key,
            service_code="0803",
            **{"attribute[hour]": "23", "attribute[since]": "2026-01-05T22:00:00+08:00"},
        )
    )
    assert resp.status_code == 200, resp.content.decode()
    case = Case.objects.get(number=resp.json()[0]["service_request_id"])
    assert case.attributes == {"hour": 23, "since": "2026-01-05T22:00:00+08:00"}


@pytest.mark.django_db
def test_multivaluelist_attribute(world, app):
    _client, key = app
    Category.objects.filter(code="0703").update(
        attributes=[
            {
                "code": "kinds",
                "datatype": "multivaluelist",
                "required": True,
                "description": "杂物种类",
                "order": 1,
                "values": [{"key": "box", "name": "纸箱"}, {"key": "bike", "name": "自行车"}],
            }
        ]
    )
    catalogue.reset()
    definition = get_json(f"{BASE}services/0703.json")
    valid("service_definition", definition)
    assert definition["attributes"][0]["datatype"] == "multivaluelist"
    resp = Client().post(
        f"{BASE}requests.json", {**good_post(world, key), "attribute[kinds][]": ["box", "bike"]}
    )
    assert resp.status_code == 200, resp.content.decode()
    assert Case.objects.get(number=resp.json()[0]["service_request_id"]).attributes == {
        "kinds": ["box", "bike"]
    }
    resp = Client().post(
        f"{BASE}requests.json", {**good_post(world, key), "attribute[kinds][]": ["box", "car"]}
    )
    assert_error(resp, 400, "杂物种类", "car")


def _errors(world, key):
    """(what is wrong, form data, status, words the description names)."""
    lat, lng = point_in(world, "a")
    no_location = good_post(world, key)
    del no_location["lat"], no_location["long"], no_location["address_string"]
    lat_only = good_post(world, key)
    del lat_only["long"]
    lift = good_post(world, key, service_code="0708")
    noise = good_post(world, key, service_code="0803")
    return [
        ("no api_key", {k: v for k, v in good_post(world, key).items() if k != "api_key"}, 403, ["api_key"]),
        ("unknown api_key", good_post(world, "not-a-key"), 403, ["api_key"]),
        (
            "wrong jurisdiction",
            good_post(world, key, jurisdiction_id="other.gov.cn"),
            404,
            ["jurisdiction_id"],
        ),
        ("no service_code", good_post(world, key, service_code=""), 400, ["service_code"]),
        ("unknown service_code", good_post(world, key, service_code="9999"), 404, ["service_code", "9999"]),
        ("staff-only service_code", good_post(world, key, service_code="0109"), 404, ["service_code"]),
        ("no location", no_location, 400, ["lat", "address_string", "address_id"]),
        ("lat without long", lat_only, 400, ["lat", "long"]),
        ("lat not a number", good_post(world, key, lat="north"), 400, ["lat"]),
        ("required attribute missing", lift, 400, ["是否有人被困", "attribute[trapped]"]),
        ("value not in list", {**lift, "attribute[trapped]": "maybe"}, 400, ["attribute[trapped]", "maybe"]),
        ("number not a number", {**noise, "attribute[hour]": "late"}, 400, ["attribute[hour]", "数字"]),
        ("datetime not a datetime", {**noise, "attribute[since]": "yesterday"}, 400, ["attribute[since]"]),
        (
            "description too long",
            good_post(world, key, description="长" * 4001),
            400,
            ["description", "4000"],
        ),
        ("bad phone", good_post(world, key, phone="12"), 400, ["phone"]),
        ("bad media_url", good_post(world, key, media_url="javascript:alert(1)"), 400, ["media_url"]),
        ("bad token", good_post(world, key, token="a b"), 400, ["token"]),
        ("point outside every grid", good_post(world, key, lat=lat + 1, long=lng), 400, ["lat"]),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_errors_follow_the_specification_and_create_nothing(world, app, fmt):
    _client, key = app
    for what, data, status, words in _errors(world, key):
        before = Case.objects.count()
        resp = post(fmt, **data)
        try:
            assert_error(resp, status, *words)
        except AssertionError as exc:
            raise AssertionError(f"{what}: {exc}") from None
        assert Case.objects.count() == before, what


@pytest.mark.django_db
def test_description_of_exactly_4000_characters_is_accepted(world, app):
    _client, key = app
    resp = post(**good_post(world, key, description="长" * 4000))
    assert resp.status_code == 200
    assert len(Case.objects.get(number=resp.json()[0]["service_request_id"]).description) == 4000


@pytest.mark.django_db
def test_an_inactive_application_is_refused(world, app):
    client, key = app
    Open311Client.objects.filter(pk=client.pk).update(active=False)
    assert_error(post(**good_post(world, key)), 403, "api_key")


@pytest.mark.django_db
def test_a_deactivated_application_is_refused_at_once(world, app):
    """The key, once checked, is kept a few seconds per process; deactivating forgets it here."""
    client, key = app
    assert post(**good_post(world, key)).status_code == 200
    assert post(**good_post(world, key)).status_code == 200  # the kept application
    services.set_client_active(world.users["street"], client.pk, False)
    assert_error(post(**good_post(world, key)), 403, "api_key")
    services.set_client_active(world.users["street"], client.pk, True)
    assert post(**good_post(world, key)).status_code == 200


@pytest.mark.django_db
def test_an_applications_point_must_lie_in_its_street(world, app):
    """A point in a grid of another street is refused: an application files for its street only."""
    other_street = OrgUnit.objects.create(
        code="420115002", name="郑店街道", level=Level.STREET, parent=world.district
    )
    _client, key = services.register_client(
        world.users["district"], name="邻街应用", street_code=other_street.code
    )
    assert_error(post(**good_post(world, key)), 400)
    assert not Case.objects.exists()


# --- tokens ------------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_token_flow_is_retry_safe(world, app, fmt):
    client, key = app
    resp = post(fmt, **good_post(world, key, token="order-000123"))
    assert resp.status_code == 200, resp.content.decode()
    if fmt == "json":
        valid("service_request_created", resp.json())
        token = resp.json()[0]["token"]
    else:
        request = ET.fromstring(resp.content).find("request")
        assert request.find("service_request_id") is None
        token = request.findtext("token")
    assert token == f"{client.pk}-order-000123"
    again = post(fmt, **good_post(world, key, token="order-000123", description="重发"))
    assert again.status_code == 200
    assert Case.objects.count() == 1
    case = Case.objects.get()
    found = get_json(f"{BASE}tokens/{token}.json")
    valid("tokens", found)
    assert found == [{"service_request_id": case.number, "token": token}]
    root = get_xml(f"{BASE}tokens/{token}.xml")
    assert root.find("request/service_request_id").text == case.number
    assert_error(Client().get(f"{BASE}tokens/{client.pk}-unknown-token.{fmt}"), 404, "token")
    assert_error(Client().get(f"{BASE}tokens/nonsense.{fmt}"), 404)


@pytest.mark.django_db
def test_two_applications_may_use_the_same_token(world, app):
    _client, key = app
    _other, other_key = services.register_client(
        world.users["street"], name="另一应用", street_code=world.street.code
    )
    first = post(**good_post(world, key, token="same-key-1")).json()[0]["token"]
    second = post(**good_post(world, other_key, token="same-key-1")).json()[0]["token"]
    assert first != second
    assert Case.objects.count() == 2


# --- the sandbox (the discovery's test endpoint) ---------------------------------------------------
@pytest.mark.django_db
def test_sandbox_checks_everything_and_stores_nothing(world, app, django_capture_on_commit_callbacks):
    _client, key = app
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        resp = post(sandbox=True, **good_post(world, key, phone=PHONE))
    assert resp.status_code == 200, resp.content.decode()
    body = resp.json()
    valid("service_request_created", body)
    assert body[0]["service_request_id"].startswith("TEST-")
    assert "测试环境" in body[0]["service_notice"]
    assert callbacks == []  # nobody is notified
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    assert_error(post(sandbox=True, **good_post(world, key, service_code="9999")), 404)
    assert_error(post(sandbox=True, **good_post(world, "bad")), 403)
    token = post(sandbox=True, **good_post(world, key, token="sandbox-1")).json()[0]["token"]
    assert_error(Client().get(f"{SANDBOX}tokens/{token}.json"), 404)
    assert not Case.objects.exists()


# --- GET requests ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_requests_list_fields_and_formats(world):
    dispatched = make_case(world, "a", "dispatched")
    closed = make_case(world, "b", "closed")
    body = get_json(f"{BASE}requests.json", jurisdiction_id="shequ")
    valid("service_requests", body)
    by_id = {r["service_request_id"]: r for r in body}
    assert set(by_id) == {dispatched.number, closed.number}
    r = by_id[dispatched.number]
    assert r["status"] == "open" and r["status_notes"] == "已派遣"
    assert r["service_code"] == "0703" and r["service_name"] == dispatched.category.name
    assert r["agency_responsible"] == dispatched.handler_name
    assert r["expected_datetime"] == timezone.localtime(dispatched.deadline).isoformat(timespec="seconds")
    assert r["lat"] == round(dispatched.lat, 3) and r["long"] == round(dispatched.lng, 3)
    assert by_id[closed.number]["status"] == "closed"
    assert by_id[closed.number]["updated_datetime"] == timezone.localtime(closed.closed_at).isoformat(
        timespec="seconds"
    )
    root = get_xml(f"{BASE}requests.xml")
    assert root.tag == "service_requests"
    assert {x.findtext("service_request_id") for x in root.findall("request")} == set(by_id)
    assert_error(Client().get(f"{BASE}requests.json", {"jurisdiction_id": "other"}), 404, "jurisdiction_id")


@pytest.mark.django_db
def test_a_single_request_is_a_list_of_one(world):
    case = make_case(world, "a", "filed")
    body = get_json(f"{BASE}requests/{case.number}.json")
    valid("service_requests", body)
    assert isinstance(body, list) and len(body) == 1
    assert body[0]["service_request_id"] == case.number
    root = get_xml(f"{BASE}requests/{case.number}.xml")
    assert len(root.findall("request")) == 1
    assert_error(Client().get(f"{BASE}requests/20990101000000.json"), 404, "20990101000000")
    assert_error(Client().get(f"{BASE}requests/20990101000000.xml"), 404)
    # One id in the list filter is still a list.
    assert len(get_json(f"{BASE}requests.json", service_request_id=case.number)) == 1


@pytest.mark.django_db
def test_identifiers_are_strings_everywhere(world):
    make_case(world, "a", "dispatched")
    for doc in (
        get_json(f"{BASE}requests.json"),
        get_json(f"{BASE}services.json"),
        get_json(f"{BASE}servicerequestupdates.json"),
    ):
        for item in doc:
            for k in ("service_request_id", "service_code", "update_id", "address_id"):
                if item.get(k) is not None:
                    assert isinstance(item[k], str), (k, item[k])


@pytest.mark.django_db
def test_status_filter_and_mapping(world):
    cases = {
        s: make_case(world, "a", s)
        for s in ("filed", "processing", "parked", "handled", "closed", "evaluated")
    }
    opened = {r["service_request_id"] for r in get_json(f"{BASE}requests.json", status="open")}
    closed = {r["service_request_id"] for r in get_json(f"{BASE}requests.json", status="closed")}
    both = {r["service_request_id"] for r in get_json(f"{BASE}requests.json", status="open,closed")}
    assert opened == {cases[s].number for s in ("filed", "processing", "parked", "handled")}
    assert closed == {cases[s].number for s in ("closed", "evaluated")}
    assert both == opened | closed
    assert_error(Client().get(f"{BASE}requests.json", {"status": "pending"}), 400, "status")


@pytest.mark.django_db
def test_merged_and_rejected_cases_are_never_published(world):
    """Neither was accepted as a case of its own: the parent stands for a merged request, and a
    request refused filing was never taken up."""
    parent = make_case(world, "a", "filed")
    child = make_case(world, "a", "received", description="楼道杂物又堆起来了")
    services.transition(world.users["street"], child.pk, "merge", parent=parent.pk)
    rejected = make_case(world, "a", "rejected")
    listed = {r["service_request_id"] for r in get_json(f"{BASE}requests.json")}
    assert listed == {parent.number}
    asked = get_json(f"{BASE}requests.json", service_request_id=f"{child.number},{rejected.number}")
    assert asked == []
    for case in (child, rejected):
        assert_error(Client().get(f"{BASE}requests/{case.number}.json"), 404)


@pytest.mark.django_db
def test_service_request_id_overrides_the_other_filters(world):
    old = make_case(world, "a", "closed", received_at=timezone.now() - dt.timedelta(days=200))
    other = make_case(world, "a", "filed", category="0803")
    body = get_json(
        f"{BASE}requests.json",
        service_request_id=f"{old.number},{other.number}",
        service_code="0703",
        status="open",
        start_date="2020-01-01T00:00:00Z",
        end_date="2020-01-02T00:00:00Z",
    )
    assert {r["service_request_id"] for r in body} == {old.number, other.number}


@pytest.mark.django_db
def test_service_code_filter(world):
    a = make_case(world, "a", "filed", category="0703")
    b = make_case(world, "a", "filed", category="0803")
    make_case(world, "a", "filed", category="0104")
    assert [r["service_request_id"] for r in get_json(f"{BASE}requests.json", service_code="0703")] == [
        a.number
    ]
    both = {r["service_request_id"] for r in get_json(f"{BASE}requests.json", service_code="0703,0803")}
    assert both == {a.number, b.number}
    assert get_json(f"{BASE}requests.json", service_code="9999") == []


@pytest.mark.django_db
def test_staff_only_categories_are_never_published(world):
    hidden = make_case(world, "a", "received", category="0109")
    assert get_json(f"{BASE}requests.json") == []
    assert_error(Client().get(f"{BASE}requests/{hidden.number}.json"), 404)
    assert get_json(f"{BASE}requests.json", service_request_id=hidden.number) == []
    assert get_json(f"{BASE}servicerequestupdates.json") == []


@pytest.mark.django_db
def test_the_90_day_window(world):
    now = timezone.now()
    recent = make_case(world, "a", "filed", received_at=now - dt.timedelta(days=10))
    old = make_case(world, "a", "filed", received_at=now - dt.timedelta(days=120))
    default = {r["service_request_id"] for r in get_json(f"{BASE}requests.json")}
    assert default == {recent.number}
    start = (now - dt.timedelta(days=150)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - dt.timedelta(days=100)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ranged = {
        r["service_request_id"] for r in get_json(f"{BASE}requests.json", start_date=start, end_date=end)
    }
    assert ranged == {old.number}
    # Only a start: 90 days from it; only an end: 90 days up to it.
    assert {r["service_request_id"] for r in get_json(f"{BASE}requests.json", start_date=start)} == {
        old.number
    }
    late_end = (now - dt.timedelta(days=5)).isoformat()
    assert {r["service_request_id"] for r in get_json(f"{BASE}requests.json", end_date=late_end)} == {
        recent.number
    }
    # A date without a time is a local midnight.
    day = timezone.localdate(now - dt.timedelta(days=121)).isoformat()
    assert old.number in {r["service_request_id"] for r in get_json(f"{BASE}requests.json", start_date=day)}
    too_long = {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-04-02T00:00:00+08:00"}
    assert_error(Client().get(f"{BASE}requests.json", too_long), 400, "90")
    assert_error(Client().get(f"{BASE}requests.xml", too_long), 400, "90")
    backwards = {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}
    assert_error(Client().get(f"{BASE}requests.json", backwards), 400, "end_date")
    assert_error(Client().get(f"{BASE}requests.json", {"start_date": "last week"}), 400, "start_date")


def _many(world, n: int) -> list[str]:
    """n published cases, copied row by row from one filed through the intake service."""
    base = make_case(world, "a", "filed")
    now = timezone.now()
    rows = []
    for i in range(n - 1):
        c = Case.objects.get(pk=base.pk)
        c.pk = None
        c.number = f"2099{i:010d}"
        c.tracking_token = f"tok{i:010d}"
        c.received_at = now - dt.timedelta(minutes=i + 1)
        rows.append(c)
    Case.objects.bulk_create(rows)
    return [base.number] + [r.number for r in rows]


@pytest.mark.django_db
def test_default_cap_and_pagination(world):
    numbers = _many(world, 1005)
    body = get_json(f"{BASE}requests.json")
    assert len(body) == 1000
    assert [r["service_request_id"] for r in body] == numbers[:1000]  # newest first
    pages = [
        [r["service_request_id"] for r in get_json(f"{BASE}requests.json", page=p, page_size=400)]
        for p in (1, 2, 3)
    ]
    assert [len(p) for p in pages] == [400, 400, 205]
    assert sum(pages, []) == numbers
    assert len(get_json(f"{BASE}requests.json", page=2)) == 5
    assert get_json(f"{BASE}requests.json", page=9, page_size=1000) == []
    for bad in ({"page_size": "0"}, {"page_size": "1001"}, {"page": "zero"}, {"page": "-1"}):
        assert_error(Client().get(f"{BASE}requests.json", bad), 400)
    root = get_xml(f"{BASE}requests.xml", page_size=3)
    assert len(root.findall("request")) == 3


@pytest.mark.django_db
def test_the_list_is_one_query(world, django_assert_max_num_queries):
    _many(world, 120)
    catalogue.services()  # cached per process (refreshed every few seconds)
    with django_assert_max_num_queries(1):
        resp = Client().get(
            f"{BASE}requests.json", {"page_size": 100, "service_code": "0703", "status": "open"}
        )
    assert len(resp.json()) == 100


@pytest.mark.django_db
def test_answers_are_kept_a_few_seconds_and_forgotten_on_a_write(world, settings, django_assert_num_queries):
    settings.OPEN311_CACHE_SECONDS = 60
    first = make_case(world, "a", "filed")
    assert len(get_json(f"{BASE}requests.json")) == 1
    with django_assert_num_queries(0):
        again = Client().get(f"{BASE}requests.json")
    assert len(again.json()) == 1 and again["Access-Control-Allow-Origin"] == "*"
    # Another query is answered afresh.
    assert get_json(f"{BASE}requests.json", status="closed") == []
    # A write in this process (a timeline entry) forgets the kept answers.
    second = make_case(world, "a", "filed")
    assert {r["service_request_id"] for r in get_json(f"{BASE}requests.json")} == {
        first.number,
        second.number,
    }
    services.transition(world.users["street"], first.pk, "dispatch", unit=f"community:{world.a.code}")
    assert get_json(f"{BASE}requests.json", status="open")[1]["status_notes"] == Status.DISPATCHED.label
    # Errors are never kept.
    assert_error(Client().get(f"{BASE}requests.json", {"status": "x"}), 400)
    assert_error(Client().get(f"{BASE}requests.json", {"status": "x"}), 400)


# --- never personal data ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_no_requester_data_in_any_get(world, app):
    _client, key = app
    text = f"我是{NAME}，电话 {PHONE}，身份证 {ID_NUMBER}，邮箱 {EMAIL}，座机 027-87654321，楼道堆放杂物"
    resp = post(
        **good_post(
            world,
            key,
            description=text,
            first_name="秀兰",
            last_name="王",
            phone=PHONE,
            email=EMAIL,
            account_id="acct-secret-1",
            device_id="device-secret-1",
            address_string=f"宁安社区3栋 {PHONE}",
        )
    )
    number = resp.json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    services.transition(world.users["street"], case.pk, "file", note=f"已电话联系{NAME}（{PHONE}），予以立案")
    made = make_case(world, "a", "dispatched", description=f"联系人王女士 {PHONE}，楼道堆放杂物")
    services.transition(world.users["street"], made.pk, "accept", note=f"已联系 {PHONE}")
    bodies = []
    for fmt in ("json", "xml"):
        for path, params in (
            (f"requests.{fmt}", {}),
            (f"requests.{fmt}", {"service_request_id": f"{number},{made.number}"}),
            (f"requests/{number}.{fmt}", {}),
            (f"requests/{made.number}.{fmt}", {}),
            (f"servicerequestupdates.{fmt}", {}),
            (f"services.{fmt}", {}),
        ):
            resp = Client().get(BASE + path, params)
            assert resp.status_code == 200, path
            bodies.append(resp.content.decode())
    everything = "\n".join(bodies)
    for secret in (
        NAME,
        PHONE,
        ID_NUMBER,
        EMAIL,
        "87654321",
        "acct-secret-1",
        "device-secret-1",
        "王女士",
        "13812345678",
    ):
        assert secret not in everything, secret
    assert "***" in everything
    assert "楼道堆放杂物" in everything  # the text itself is published


# --- servicerequestupdates ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_request_updates_for_polling_clients(world):
    case = make_case(world, "a", "closed")
    services.transition(
        world.users["street"],
        case.pk,
        "callback",
        valid=True,
        contacted=True,
        solved=True,
        satisfaction="satisfied",
    )
    other = make_case(world, "b", "dispatched")
    services.transition(world.users["street"], other.pk, "supervise", note="督办：尽快处理")
    body = get_json(f"{BASE}servicerequestupdates.json")
    valid("service_request_updates", body)
    mine = [u for u in body if u["service_request_id"] == case.number]
    assert [u["description"].split("：")[0] for u in mine][:3] == ["受理", "立案", "派遣"]
    assert mine[-2]["status"] == "closed" and mine[0]["status"] == "open"
    assert not any("督办" in u["description"] for u in body)  # not a public entry
    assert [int(u["update_id"]) for u in body] == sorted(int(u["update_id"]) for u in body)
    only = get_json(f"{BASE}servicerequestupdates.json", service_request_id=other.number)
    assert {u["service_request_id"] for u in only} == {other.number}
    later = get_json(
        f"{BASE}servicerequestupdates.json",
        start_date=(timezone.now() + dt.timedelta(minutes=1)).isoformat(),
    )
    assert later == []
    paged = get_json(f"{BASE}servicerequestupdates.json", page=2, page_size=2)
    assert [u["update_id"] for u in paged] == [u["update_id"] for u in body[2:4]]
    root = get_xml(f"{BASE}servicerequestupdates.xml")
    assert root.tag == "service_request_updates"
    assert len(root.findall("request_update")) == len(body)
    assert_error(
        Client().get(
            f"{BASE}servicerequestupdates.json", {"start_date": "2025-01-01", "end_date": "2025-06-01"}
        ),
        400,
    )


# --- interoperability: the georeport client against a live server ------------------------------------
@pytest.fixture
def live_world(transactional_db, live_server):
    catalogue.reset()
    return build_world(), live_server.url + BASE


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client(live_world, fmt):
    world, root = live_world
    _client, key = services.register_client(
        world.users["street"], name="随手拍", street_code=world.street.code
    )
    lat, lng = point_in(world, "a")
    # POST form-encoded with requests, as a client application does.
    resp = http.post(
        f"{root}requests.{fmt}",
        data={
            "api_key": key,
            "jurisdiction_id": "shequ",
            "service_code": "0708",
            "lat": lat,
            "long": lng,
            "description": f"3栋电梯困人，联系电话 {PHONE}",
            "attribute[trapped]": "yes",
            "first_name": "秀兰",
            "last_name": "王",
            "phone": PHONE,
        },
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == (
        "application/json; charset=utf-8" if fmt == "json" else "text/xml; charset=utf-8"
    )
    if fmt == "json":
        valid("service_request_created", resp.json())
        number = resp.json()[0]["service_request_id"]
    else:
        number = xmltodict.parse(resp.content)["service_requests"]["request"]["service_request_id"]
    # Published once staff accept it (立案).
    services.transition(world.users["street"], Case.objects.get(number=number).pk, "file")
    make_case(world, "b", "closed")

    gr = GeoReport(root, jurisdiction="shequ", api_key=key, output_format=fmt)
    service_list = gr.get_service_list()
    if fmt == "json":
        valid("services", service_list)
    codes = [s["service_code"] for s in service_list]
    assert "0708" in codes and "0109" not in codes
    definition = gr.get_service_definition("0708")
    if fmt == "json":
        valid("service_definition", definition)
        assert definition["attributes"][0]["code"] == "trapped"
    else:
        assert definition["attributes"]["attribute"][0]["code"] == "trapped"
    found = gr.get_service_requests()
    if fmt == "json":
        valid("service_requests", found)
    assert len(found) == 2
    assert number in {r["service_request_id"] for r in found}
    assert {r["status"] for r in found} == {"open", "closed"}
    closed = gr.get_service_requests(status="closed")
    # xmltodict gives a dict for a single element; the document itself holds a list of one.
    closed = closed if isinstance(closed, list) else [closed]
    assert [r["status"] for r in closed] == ["closed"]
    single = gr.get_service_request(number)
    assert single["service_request_id"] == number and single["status"] == "open"
    assert single["service_code"] == "0708"
    assert PHONE not in json.dumps(found, ensure_ascii=False) + json.dumps(single, ensure_ascii=False)
    with pytest.raises(http.HTTPError) as err:
        gr.get_service_request("20990101000000")
    assert err.value.response.status_code == 404
    updates = http.get(f"{root}servicerequestupdates.{fmt}", timeout=10)
    assert updates.status_code == 200
    if fmt == "json":
        valid("service_request_updates", updates.json())
    else:
        assert "request_update" in xmltodict.parse(updates.content)["service_request_updates"]


def test_discovery_over_http(live_world):
    _world, root = live_world
    doc = http.get(f"{root}discovery.json", timeout=10).json()
    valid("discovery", doc)
    test_url = next(e["url"] for e in doc["endpoints"] if e["type"] == "test")
    # Appended as the specification's examples do; a client that keeps a trailing slash sends "//".
    services_doc = http.get(f"{test_url}/services.json", timeout=10)
    assert http.get(f"{test_url}//services.json", timeout=10).status_code == 200
    assert services_doc.status_code == 200
    valid("services", services_doc.json())


# --- the schemas themselves ---------------------------------------------------------------------------
def test_every_schema_is_a_valid_schema():
    names = sorted(p.stem for p in SCHEMAS.glob("*.json"))
    assert names == [
        "discovery",
        "errors",
        "service_definition",
        "service_request_created",
        "service_request_updates",
        "service_requests",
        "services",
        "tokens",
    ]
    for name in names:
        jsonschema.Draft202012Validator.check_schema(schema(name))
    with pytest.raises(jsonschema.ValidationError):
        valid("service_requests", [{"service_request_id": 638344, "status": "open"}])  # a number id
    with pytest.raises(jsonschema.ValidationError):
        valid("service_request_created", [{"service_request_id": "1", "token": "2"}])  # both


# --- the client-application pages ---------------------------------------------------------------------
@pytest.mark.django_db
def test_client_pages_register_and_show_the_key_once(world):
    street = world.client(world.users["street"])
    resp = street.get(reverse("cases:client-list"))
    assert resp.status_code == 200
    assert "还没有登记的应用" in resp.content.decode()
    form = street.get(reverse("cases:client-create"))
    assert form.status_code == 200
    assert world.street.code in form.content.decode()
    resp = street.post(
        reverse("cases:client-create"),
        {"name": "市民随手拍", "street": world.street.code, "contact": "张工 027-1"},
    )
    assert resp.status_code == 200
    assert "no-store" in resp["Cache-Control"] or "no-cache" in resp["Cache-Control"]
    key = re.search(r'id="api-key" type="text" value="([^"]+)"', resp.content.decode()).group(1)
    assert "只显示这一次" in resp.content.decode()
    client = Open311Client.objects.get(name="市民随手拍")
    assert services.client_for_key(key) == client
    assert client.key_hash != key
    listing = street.get(reverse("cases:client-list")).content.decode()
    assert "市民随手拍" in listing and key not in listing
    # The key files a request.
    assert post(**good_post(world, key)).status_code == 200
    assert '<td class="text-end">1</td>' in street.get(reverse("cases:client-list")).content.decode()
    # A missing name is said next to the field.
    bad = street.post(reverse("cases:client-create"), {"name": "", "street": world.street.code})
    assert bad.status_code == 400
    assert Open311Client.objects.count() == 1


@pytest.mark.django_db
def test_client_pages_are_for_street_and_district_managers(world):
    for role in ("community_lead", "community_worker", "grid_worker", "department", "resident"):
        c = world.client(world.users[role])
        assert c.get(reverse("cases:client-list")).status_code == 403, role
        assert c.get(reverse("cases:client-create")).status_code == 403, role
        assert (
            c.post(reverse("cases:client-create"), {"name": "x", "street": world.street.code}).status_code
            == 403
        )
    assert not Open311Client.objects.exists()
    assert Client().get(reverse("cases:client-list")).status_code == 302


@pytest.mark.django_db
def test_street_managers_see_only_their_streets_applications(world):
    other = OrgUnit.objects.create(
        code="420115002", name="郑店街道", level=Level.STREET, parent=world.district
    )
    other_manager = make_user("t_street_2", "street", other)
    services.register_client(world.users["street"], name="纸坊应用", street_code=world.street.code)
    services.register_client(other_manager, name="郑店应用", street_code=other.code)
    mine = world.client(world.users["street"]).get(reverse("cases:client-list")).content.decode()
    assert "纸坊应用" in mine and "郑店应用" not in mine
    district = world.client(world.users["district"]).get(reverse("cases:client-list")).content.decode()
    assert "纸坊应用" in district and "郑店应用" in district
    # Another street is not offered, and posting it anyway changes nothing.
    form = world.client(world.users["street"]).get(reverse("cases:client-create")).content.decode()
    assert other.code not in form
    resp = world.client(world.users["street"]).post(
        reverse("cases:client-create"), {"name": "越权", "street": other.code}
    )
    assert resp.status_code == 400
    assert not Open311Client.objects.filter(name="越权").exists()


@pytest.mark.django_db
def test_a_stopped_application_is_refused_and_can_be_resumed(world, app):
    client, key = app
    lead = world.client(world.users["community_lead"])
    assert lead.post(reverse("cases:client-toggle", args=[client.pk]), {"active": "0"}).status_code == 404
    manager = world.client(world.users["street"])
    resp = manager.post(reverse("cases:client-toggle", args=[client.pk]), {"active": "0"})
    assert resp.status_code == 302
    client.refresh_from_db()
    assert client.active is False
    assert_error(post(**good_post(world, key)), 403)
    manager.post(reverse("cases:client-toggle", args=[client.pk]), {"active": "1"})
    assert post(**good_post(world, key)).status_code == 200


@pytest.mark.django_db
def test_the_compiled_list_query_answers_as_the_orm(world):
    """The list's SQL is compiled once per shape and reused with each request's values: the rows
    are those of the queryset it was compiled from, whatever the shape."""
    from shequ.cases.open311 import reads

    now = timezone.now()
    cases = [make_case(world, "a", "filed", received_at=now - dt.timedelta(days=d)) for d in (1, 2, 40)]
    closed = make_case(world, "b", "closed", category="0702", received_at=now - dt.timedelta(days=3))
    make_case(world, "a", "received")  # never published
    services = catalogue.by_id()
    ids = list(services)
    c0703 = catalogue.services()["0703"].id
    shapes = [
        (ids, [], now - dt.timedelta(days=30), now, "", 0, 100),
        (ids, [], now - dt.timedelta(days=90), now, "open", 0, 100),
        (ids, [], now - dt.timedelta(days=90), now, "closed", 0, 100),
        ([c0703], [], now - dt.timedelta(days=90), now, "", 1, 1),
        (ids, [cases[0].number, closed.number, "nope"], None, None, "", 0, 1000),
    ]
    reads._compiled.clear()
    for category_ids, numbers, start, end, status, offset, size in shapes:
        orm = list(reads._listing(category_ids, numbers, start, end, status, offset, size))
        for _ in range(2):  # compiled, then reused
            assert reads._rows(category_ids, numbers, start, end, status, offset, size) == orm
        assert orm or status == "open"
    assert {r["number"] for r in reads._rows(ids, [], now - dt.timedelta(days=90), now, "", 0, 100)} == {
        *(c.number for c in cases),
        closed.number,
    }
    assert all(v is not None for v in reads._compiled.values())
    assert reads._rows([], [], now - dt.timedelta(days=9), now, "", 0, 10) == []


@pytest.mark.django_db
def test_an_intake_moves_the_shared_generation_once_when_it_commits(
    world, django_capture_on_commit_callbacks
):
    """Other processes forget their kept answers when a write commits, once per transaction (a case
    and its timeline entry); before the commit they could not read it anyway."""
    from django.core.cache import cache

    from shequ.cases.open311.cache import GENERATION_KEY

    cache.set(GENERATION_KEY, 7, None)
    with django_capture_on_commit_callbacks(execute=False) as hooks:
        make_case(world, "a", "received")
        assert cache.get(GENERATION_KEY) == 7
    for hook in hooks:
        hook()
    assert cache.get(GENERATION_KEY) == 8
