"""Odd and hostile input gets a clear answer (never a 500) and changes nothing."""

import io
import json

import pytest
from django.test import Client
from stdnum.cn import uscc

from shequ.core.models import ChangeLogEntry
from shequ.core.testing.world import square
from shequ.org import services
from shequ.org.models import Assignment, Grid, Post


@pytest.fixture
def worker_client(world):
    return world.client(world.users["community_worker"])


@pytest.fixture
def api(world):
    token = world.token(world.users["community_worker"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/org/grids/?sort=--code",
        "/org/grids/?sort=;drop",
        "/org/grids/?page=abc",
        "/org/grids/?community=abc",
        "/org/buildings/?grid=99999",
        "/org/grids/?page=99999999999999999999",
        "/org/assignments/?current=maybe",
    ],
)
def test_odd_list_parameters_still_render(worker_client, url):
    assert worker_client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/org/?q=%00", "/org/units/%00/"])
def test_nul_characters_are_refused_with_a_message(worker_client, url):
    r = worker_client.get(url)
    assert r.status_code == 400 and "NUL" in r.content.decode()


@pytest.mark.django_db
def test_api_bad_input(world, api):
    r = api.get("/api/v1/org/grids", {"offset": "99999999999999999999"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    r = api.get("/api/v1/org/grids", {"limit": 100000})
    assert r.status_code == 422
    r = api.post(
        "/api/v1/org/buildings",
        json.dumps({"grid_id": world.grid_a.pk, "number": "a\x00b"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_characters"
    r = api.post("/api/v1/org/buildings", "[", content_type="application/json")
    assert r.status_code == 400 and "JSON" in r.json()["message"]
    r = api.get("/api/v1/org/grids/abc")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = api.post(
        "/api/v1/org/buildings",
        json.dumps({"grid_id": world.grid_a.pk, "number": "1栋", "lat": 999}),
        content_type="application/json",
    )
    assert r.status_code == 422
    r = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "x", "password": "y", "label": "L" * 500}),
        content_type="application/json",
    )
    assert r.status_code == 422


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[]", "null", "123", '"x"'])
def test_boundary_json_that_is_not_an_object(world, worker_client, body):
    r = worker_client.post(f"/org/grids/{world.grid_a.pk}/boundary/", body, content_type="application/json")
    assert r.status_code == 400 and "JSON" in r.json()["message"]


@pytest.mark.django_db
def test_boundary_upload_without_a_file(world, worker_client):
    r = worker_client.post(f"/org/grids/{world.grid_a.pk}/boundary/", {})
    assert r.status_code == 400 and "这个字段是必填项" in r.content.decode()


@pytest.mark.django_db
def test_no_overlap_hints_without_the_permission(world):
    """A grid worker may not edit boundaries; the refusal must not describe sibling grids."""
    sibling = Grid.objects.create(
        community=world.a, code=world.a.code + "002", name="隐藏的第二网格", boundary=square(114.30, 30.35)
    )
    c = world.client(world.users["grid_worker"])
    r = c.post(
        f"/org/grids/{world.grid_a.pk}/boundary/",
        json.dumps({"geometry": sibling.boundary}),
        content_type="application/json",
    )
    assert r.status_code == 403 and "隐藏的第二网格" not in r.content.decode()
    assert r.json()["code"] == "permission_denied"


@pytest.mark.django_db
def test_no_uniqueness_hint_outside_scope(world):
    code = "91420115MA4K0000A" + uscc.calc_check_digit("91420115MA4K0000A")
    o = services.create_resident_org(
        world.users["community_worker_b"], world.b, name="乙单位", org_type="other", uscc=code
    )
    token = world.token(world.users["department"])
    r = Client(HTTP_AUTHORIZATION=f"Bearer {token}").patch(
        "/api/v1/org/resident-orgs/999999", json.dumps({"uscc": o.uscc}), content_type="application/json"
    )
    assert r.status_code == 404 and "已登记" not in r.content.decode()


@pytest.mark.django_db
def test_same_appointment_twice_and_ending_twice(world):
    worker = world.users["community_worker"]
    a = services.assign(worker, world.grid_a.pk, post=Post.PART_TIME, person_name="张三", phone="13800000001")
    with pytest.raises(services.ValidationFailed) as exc:
        services.assign(worker, world.grid_a.pk, post=Post.PART_TIME, person_name="张三", phone="13800000001")
    assert "无需重复" in exc.value.message
    services.end_assignment(worker, a.pk)
    before = ChangeLogEntry.objects.count()
    with pytest.raises(services.ValidationFailed) as exc:
        services.end_assignment(worker, a.pk)
    assert "已于" in exc.value.message and ChangeLogEntry.objects.count() == before
    assert Assignment.objects.filter(person_name="张三").count() == 1


@pytest.mark.django_db
def test_get_on_a_post_only_address_explains_itself(worker_client):
    r = worker_client.get("/logout/")
    assert r.status_code == 405 and "表单提交" in r.content.decode()


# --- the API contract: ids in range, JSON bodies that are JSON objects, size limit ------------------
TOO_BIG = str(2**63)  # one past the largest database key


@pytest.fixture
def admin_api(world):
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.token(world.users['district'])}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/people/houses?grid={TOO_BIG}",
        f"/api/v1/people/houses?building={TOO_BIG}",
        f"/api/v1/people/houses?unit={TOO_BIG}",
        f"/api/v1/people/residents?grid={TOO_BIG}",
        f"/api/v1/people/residents?building={TOO_BIG}",
        f"/api/v1/people/households?house={TOO_BIG}",
        f"/api/v1/people/visits/due?grid={TOO_BIG}",
        "/api/v1/people/houses?grid=-1",
        f"/api/v1/org/grids/{TOO_BIG}",
        f"/api/v1/org/grids?limit={TOO_BIG}",
    ],
)
def test_out_of_range_ids_are_422_with_the_error_body(admin_api, url):
    r = admin_api.get(url)
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "invalid_request" and r.json()["message"] == "请求参数有误。"


def _integer_params(doc):
    from tests.core.test_api_contract import operations, resolve

    for path, method, op in operations(doc):
        if method != "get":
            continue
        params = op.get("parameters", [])
        for p in params:
            schema = resolve(doc, p["schema"])
            types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
            if "integer" in types and p["name"] not in ("limit", "offset"):
                yield path, params, p["name"]


@pytest.mark.django_db
def test_every_integer_parameter_of_every_module_is_range_checked(world, admin_api):
    """Not only the filters the issue named: every integer a GET takes, in every module."""
    from tests.core.test_api_contract import doc as _doc

    doc = _doc.__wrapped__()
    seen = 0
    for path, params, name in _integer_params(doc):
        values = {p["name"]: "1" for p in params if p["in"] == "path"}
        values[name] = TOO_BIG
        url = path
        for key, value in values.items():
            url = url.replace("{" + key + "}", value)
        query = {name: TOO_BIG} if f"{{{name}}}" not in path else {}
        r = admin_api.get(url, query)
        assert r.status_code == 422, f"{url} {query}: {r.status_code} {r.content[:200]}"
        seen += 1
    assert seen > 30


@pytest.mark.django_db
def test_out_of_range_id_in_a_body_is_422(world, admin_api):
    r = admin_api.post(
        "/api/v1/org/buildings",
        json.dumps({"grid_id": 2**63, "number": "1栋"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["details"]["errors"][0]["loc"][-1] == "grid_id"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_that_is_not_json_is_415(world, admin_api, content_type):
    body = json.dumps({"grid_id": world.grid_a.pk, "number": "1栋"})
    r = admin_api.post("/api/v1/org/buildings", body, content_type=content_type)
    assert r.status_code == 415, r.content
    assert r.json()["code"] == "unsupported_media_type" and "application/json" in r.json()["message"]
    assert not Grid.objects.get(pk=world.grid_a.pk).buildings.exists()
    ok = admin_api.post("/api/v1/org/buildings", body, content_type="application/json; charset=utf-8")
    assert ok.status_code == 201
    # the token is checked before the body
    assert Client().post("/api/v1/org/buildings", body, content_type=content_type).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[]", "null", "123", '"x"', "[1, 2]", "true"])
def test_json_that_is_not_an_object_is_refused_and_changes_nothing(world, admin_api, body):
    before = Grid.objects.get(pk=world.grid_a.pk).version
    r = admin_api.patch(f"/api/v1/org/grids/{world.grid_a.pk}", body, content_type="application/json")
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "invalid_request" and "JSON 对象" in r.json()["message"]
    assert Grid.objects.get(pk=world.grid_a.pk).version == before


@pytest.mark.django_db
def test_null_is_an_absent_optional_body_but_a_list_is_not(world, admin_api):
    """Publishing takes an optional body: JSON null means none was sent (the route then answers
    as for any list id it cannot see); a list is still not an object."""
    url = f"/api/v1/duties/lists/{2**40}/publish"
    r = admin_api.post(url, "null", content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = admin_api.post(url, "[]", content_type="application/json")
    assert r.status_code == 422 and "JSON 对象" in r.json()["message"]


@pytest.mark.django_db
def test_a_body_over_the_size_limit_is_413(world, admin_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"grid_id": world.grid_a.pk, "number": "1栋", "compound": "x" * 2048})
    for r in (
        admin_api.post("/api/v1/org/buildings", body, content_type="application/json"),
        admin_api.patch(f"/api/v1/org/grids/{world.grid_a.pk}", body, content_type="application/json"),
        # multipart: the form fields count, the file does not
        admin_api.post(
            "/api/v1/core/imports",
            {"kind": "x" * 2048, "scope_code": world.a.code, "file": io.BytesIO(b"PK")},
        ),
    ):
        assert r.status_code == 413, (r.status_code, r.content)
        assert r.json()["code"] == "payload_too_large" and "上限" in r.json()["message"]
    assert not Grid.objects.get(pk=world.grid_a.pk).buildings.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/duties/burden/departments?day=0001-01-01",
        "/api/v1/duties/burden?day=9999-12-31",
        "/api/v1/duties/items?code=420115001001&day=0001-01-01",
        "/api/v1/cases/indicators?start=0001-01-01",
        "/api/v1/cases/cases?received_to=9999-12-31",
    ],
)
def test_a_date_outside_the_platforms_range_is_400_not_a_date_overflow(admin_api, url):
    """Found by schemathesis: day=0001-01-01 reached the burden ledger's date arithmetic (a 500)."""
    r = admin_api.get(url)
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "date_out_of_range" and "1900-01-01" in r.json()["message"]


@pytest.mark.django_db
def test_a_date_in_a_body_is_checked_too_and_the_range_ends_are_accepted(world, admin_api):
    body = {"community": world.a.code, "department": "区民政局", "title": "台账", "start_date": "9999-12-31"}
    r = admin_api.post("/api/v1/duties/burden/entries", json.dumps(body), content_type="application/json")
    assert r.status_code == 400 and r.json()["details"] == {"start_date": [r.json()["message"]]}
    for day in ("1900-01-01", "2999-12-31"):
        assert admin_api.get(f"/api/v1/duties/burden/departments?day={day}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/cases?received_from=0",
        "/api/v1/duties/burden?day=20260311",
        "/api/v1/duties/items?code=420115001001&day=1.5",
    ],
)
def test_a_number_is_not_a_date(admin_api, url):
    """Not read as a Unix timestamp (20260311 would silently be a day in 1970)."""
    r = admin_api.get(url)
    assert r.status_code == 422, r.content
    assert "ISO 8601" in r.json()["details"]["errors"][0]["msg"]
    assert admin_api.get(url.rsplit("=", 1)[0] + "=2026-03-11").status_code == 200
