"""The tasks, refusals and certificates API: lists and details in scope, progress and completion
reports, funding, refusals with their rule, certificates only from the list and only for the
community's own residents, and refusals of listed certificates."""

import base64
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from shequ.duties.models import Certificate, CertificateRefusal, Refusal, Task, TaskReport, TaskStatus
from tests.cases.factories import photo_bytes
from tests.duties.factories import make_certificate, make_list, make_refusal, make_task
from tests.people.factories import make_resident

pytestmark = pytest.mark.django_db
API = "/api/v1/duties"


def _api(world, role):
    token = world.token(world.users[role])
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}

    def call(method, path, body=None, **query):
        if method == "get":
            return client.get(f"{API}{path}", query, headers=headers)
        return getattr(client, method)(
            f"{API}{path}", body or {}, content_type="application/json", headers=headers
        )

    return call


def test_task_list_and_detail(world):
    task = make_task(world, "a")
    Task.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    api = _api(world, "community_worker")
    rows = api("get", "/tasks").json()["items"]
    assert [r["id"] for r in rows] == [task.pk]
    assert rows[0]["overdue"] is True and rows[0]["request_number"] == task.request.number
    assert [r["id"] for r in api("get", "/tasks", overdue=True).json()["items"]] == [task.pk]
    assert api("get", "/tasks", status="done").json()["items"] == []
    detail = api("get", f"/tasks/{task.pk}").json()
    assert detail["request_id"] is None  # the request is not visible to the community
    assert detail["burden"]["ledgers"] == 2
    assert detail["commitment"]["amount"] == "2000.00" and detail["reports"] == []
    dept = _api(world, "department")("get", f"/tasks/{task.pk}").json()
    assert dept["request_id"] == task.request_id


def test_unknown_community_filter_is_a_clear_400(world):
    resp = _api(world, "community_worker")("get", "/tasks", community="420115001002")
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_filter"


def test_report_with_photo_then_completion(world):
    task = make_task(world, "a")
    api = _api(world, "community_worker")
    photo = {
        "name": "现场.jpg",
        "content_type": "image/jpeg",
        "data_base64": base64.b64encode(photo_bytes()).decode(),
    }
    resp = api(
        "post",
        f"/tasks/{task.pk}/reports",
        {"progress": 50, "hours": "4", "note": "完成一半", "photos": [photo]},
    )
    assert resp.status_code == 201
    body = resp.json()
    assert body["progress"] == 50 and len(body["reports"]) == 1 and len(body["reports"][0]["files"]) == 1
    resp = api(
        "post",
        f"/tasks/{task.pk}/reports",
        {"progress": 60, "hours": "2", "note": "全部完成", "completes": True},
    )
    assert (
        resp.status_code == 201
        and resp.json()["status"] == TaskStatus.DONE
        and resp.json()["progress"] == 100
    )
    late = api("post", f"/tasks/{task.pk}/reports", {"progress": 100, "note": "再报"})
    assert late.status_code == 409 and late.json()["code"] == "task_closed"


def test_department_cannot_report_but_records_funding(world):
    task = make_task(world, "a")
    dept = _api(world, "department")
    resp = dept("post", f"/tasks/{task.pk}/reports", {"progress": 100, "note": "部门代报", "completes": True})
    assert resp.status_code == 403
    assert not TaskReport.objects.exists()
    resp = dept("post", f"/tasks/{task.pk}/funding", {"amount": "1500"})
    assert resp.status_code == 200 and resp.json()["commitment"]["delivered"] == "1500.00"
    over = dept("post", f"/tasks/{task.pk}/funding", {"amount": "1000"})
    assert over.status_code == 400
    community = _api(world, "community_lead")("post", f"/tasks/{task.pk}/funding", {"amount": "1"})
    assert community.status_code == 403


def test_refusal_api(world):
    make_list(world)
    lead = _api(world, "community_lead")
    resp = lead(
        "post",
        "/refusals",
        {"community": world.a.code, "department": "区商务局", "title": "招商引资任务分解", "channel": "文件"},
    )
    assert resp.status_code == 201
    body = resp.json()
    assert body["negative_item"].startswith("《江夏区社区工作事项清单》") and body["redirect"] == "区商务局"
    assert lead("get", f"/refusals/{body['id']}").json()["number"] == body["number"]
    worker = _api(world, "community_worker")(
        "post", "/refusals", {"community": world.a.code, "department": "x", "title": "y"}
    )
    assert worker.status_code == 404  # no refusal right there: not found
    other = lead("post", "/refusals", {"community": world.b.code, "department": "x", "title": "y"})
    assert other.status_code == 404
    assert Refusal.objects.count() == 1


def test_street_sees_refusals_and_department_those_naming_it(world):
    a, b = make_refusal(world, "a"), make_refusal(world, "b")
    street = {r["id"] for r in _api(world, "street")("get", "/refusals").json()["items"]}
    assert street == {a.pk, b.pk}
    assert _api(world, "department")("get", "/refusals").json()["items"] == []


def test_certificate_api_only_from_the_list_and_own_residents(world):
    items = make_list(world).items
    mine, theirs = make_resident(world, "a"), make_resident(world, "b")
    api = _api(world, "community_worker")
    body = {"community": world.a.code, "purpose": "入学", "content": "兹证明该居民居住于本社区。"}
    ok = api("post", "/certificates", {**body, "item": items.get(code="ZM-01").pk, "resident": mine.pk})
    assert ok.status_code == 201
    out = ok.json()
    assert out["requester_name"] == mine.name
    assert out["requester_doc_masked"] != mine.doc_number and out["requester_doc_masked"].endswith(
        mine.doc_number[-4:]
    )
    unlisted = api("post", "/certificates", {**body, "item": items.get(code="FM-02").pk, "resident": mine.pk})
    assert unlisted.status_code == 400 and "item" in unlisted.json()["details"]
    stranger = api(
        "post", "/certificates", {**body, "item": items.get(code="ZM-01").pk, "resident": theirs.pk}
    )
    assert stranger.status_code == 400 and "resident" in stranger.json()["details"]
    assert Certificate.objects.count() == 1
    found = api("get", "/certificates", q=mine.name).json()["items"]
    assert [c["id"] for c in found] == [out["id"]]
    assert api("get", f"/certificates/{out['id']}").json()["number"] == out["number"]


def test_department_sees_no_certificates(world):
    cert = make_certificate(world, "a")
    api = _api(world, "department")
    assert api("get", "/certificates").json()["items"] == []
    assert api("get", f"/certificates/{cert.pk}").status_code == 404


def test_certificate_refusal_api(world):
    make_list(world)
    api = _api(world, "community_worker")
    resp = api(
        "post",
        "/certificate-refusals",
        {
            "community": world.a.code,
            "requested": "开具无犯罪记录证明",
            "requester_name": "李某",
            "purpose": "出国",
        },
    )
    assert resp.status_code == 201
    body = resp.json()
    assert body["redirect"] == "户籍所在地或居住地公安派出所" and "民发〔2020〕94号" in body["rule"]
    assert api("get", f"/certificate-refusals/{body['id']}").json()["requester_name"] == "李某"
    assert [r["id"] for r in api("get", "/certificate-refusals").json()["items"]] == [body["id"]]
    listed = api(
        "post",
        "/certificate-refusals",
        {"community": world.a.code, "requested": "居住情况证明", "requester_name": "李某"},
    )
    assert listed.status_code == 409 and listed.json()["code"] == "listed_certificate"
    assert CertificateRefusal.objects.count() == 1


def test_no_api_operation_creates_a_task(world):
    """The API offers no way to create a task: only an approved admission request makes one."""
    from shequ.core.testing.scope import api_operations

    ops = {o for o in api_operations() if "/api/v1/duties/tasks" in o}
    assert ops == {
        "GET /api/v1/duties/tasks",
        "GET /api/v1/duties/tasks/{int:task_id}",
        "POST /api/v1/duties/tasks/{int:task_id}/reports",
        "POST /api/v1/duties/tasks/{int:task_id}/funding",
    }
