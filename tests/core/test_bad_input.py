"""Odd and hostile input gets a clear answer (never a 500) and changes nothing."""

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
