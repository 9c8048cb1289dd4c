"""/api/v1/duties/ lists and items: anonymous reads of published data, drafts for their managers
only, and the draft → items → publish cycle with its errors."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from shequ.duties import services
from shequ.duties.models import DutyList, ListStatus
from tests.duties.factories import make_list

pytestmark = pytest.mark.django_db
API = "/api/v1/duties"


def call(world, role, method, path, body=None, **query):
    headers = {"Authorization": f"Bearer {world.token(world.users[role])}"} if role else {}
    c = Client()
    if method == "get":
        return c.get(API + path, query, headers=headers)
    return getattr(c, method)(
        API + path, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def test_anonymous_reads_published_lists_and_items_in_force(world):
    dl = make_list(world)
    resp = call(world, None, "get", "/lists")
    assert resp.status_code == 200
    row = resp.json()["items"][0]
    assert row["id"] == dl.pk and row["in_force"] is True
    assert row["item_counts"] == {"statutory": 1, "assist": 1, "negative": 2, "certificate": 1}
    resp = call(world, None, "get", f"/lists/{dl.pk}")
    assert resp.status_code == 200
    assert {i["code"] for i in resp.json()["items"]} == {"YF-01", "XZ-01", "FM-01", "FM-02", "ZM-01"}
    resp = call(world, None, "get", "/items", code=world.a.code, kind="negative")
    assert resp.status_code == 200
    assert {i["code"] for i in resp.json()["items"]} == {"FM-01", "FM-02"}
    assert call(world, None, "get", "/lists", code=world.a.code).json()["count"] == 1
    assert call(world, None, "get", "/lists", code="110101").json()["count"] == 0


def test_drafts_only_for_their_managers(world):
    make_list(world)
    d = services.create_list(
        world.users["district"],
        org=world.district,
        title="草稿版本",
        effective_from=timezone.localdate() + dt.timedelta(days=9),
    )
    assert call(world, None, "get", f"/lists/{d.pk}").status_code == 404
    assert call(world, "community_lead", "get", f"/lists/{d.pk}").status_code == 404
    assert call(world, "department", "get", f"/lists/{d.pk}").status_code == 404
    assert call(world, "district", "get", f"/lists/{d.pk}").status_code == 200
    titles = [r["title"] for r in call(world, None, "get", "/lists").json()["items"]]
    assert "草稿版本" not in titles
    titles = [r["title"] for r in call(world, "district", "get", "/lists").json()["items"]]
    assert "草稿版本" in titles


def test_create_add_change_delete_publish(world):
    first = make_list(world)
    day = timezone.localdate() + dt.timedelta(days=20)
    resp = call(
        world,
        "district",
        "post",
        "/lists",
        {"org": world.district.code, "title": "第二版", "effective_from": day.isoformat()},
    )
    assert resp.status_code == 201, resp.content
    list_id = resp.json()["id"]
    assert resp.json()["status"] == "draft" and len(resp.json()["items"]) == 5  # copied
    item = {"code": "XZ-09", "kind": "assist", "title": "协助开展人口抽样调查", "frequency": "yearly",
            "funding_required": True, "funding_standard": "1500.00"}  # fmt: skip
    resp = call(world, "district", "post", f"/lists/{list_id}/items", item)
    assert resp.status_code == 201, resp.content
    item_id = resp.json()["id"]
    resp = call(world, "district", "put", f"/items/{item_id}", {**item, "title": "协助开展经济普查"})
    assert resp.status_code == 200 and resp.json()["title"] == "协助开展经济普查"
    # funding required without its standard is refused in Chinese
    resp = call(world, "district", "put", f"/items/{item_id}", {**item, "funding_standard": None})
    assert resp.status_code == 400 and "经费标准" in resp.json()["message"]
    assert call(world, "district", "delete", f"/items/{item_id}").status_code == 204
    resp = call(world, "district", "post", f"/lists/{list_id}/publish", {"expected_version": 999})
    assert resp.status_code == 409
    resp = call(world, "district", "post", f"/lists/{list_id}/publish", {})
    assert resp.status_code == 200 and resp.json()["status"] == "published"
    first.refresh_from_db()
    assert first.status == ListStatus.SUPERSEDED and first.effective_to == day - dt.timedelta(days=1)
    # a published version is read-only
    some = DutyList.objects.get(pk=list_id).items.first()
    resp = call(world, "district", "delete", f"/items/{some.pk}")
    assert resp.status_code == 409 and resp.json()["code"] == "list_published"


def test_writes_need_the_permission(world):
    dl = make_list(world)
    body = {"org": world.district.code, "title": "越权", "effective_from": "2030-01-01"}
    assert call(world, "department", "post", "/lists", body).status_code == 403
    assert call(world, "community_lead", "post", "/lists", body).status_code == 404
    assert call(world, None, "post", "/lists", body).status_code == 401
    item = dl.items.first()
    assert call(world, "community_lead", "delete", f"/items/{item.pk}").status_code == 404
    resp = call(world, "district", "post", "/lists", {**body, "org": world.a.code})
    assert resp.status_code == 400 and "区或街道" in resp.json()["message"]
