"""/api/v1/people/ and the import endpoints of /api/v1/core/, through the test client with bearer
tokens: masking, search, registration, events, tag visibility, visits, imports, OpenAPI."""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shequ.core.models import ChangeLogEntry, ImportBatch, ImportStatus
from shequ.people import services
from shequ.people.models import Resident, ResidentTag
from tests.people.conftest import id_number, person, workbook

pytestmark = pytest.mark.django_db
API = "/api/v1/people"


def api(world, role="community_worker") -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.token(world.users[role])}")


def post(client, url, data, **kw):
    return client.post(url, json.dumps(data), content_type="application/json", **kw)


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def register(client, world, *, name="王秀英", doc=None, phone="13971230001", house=None, **extra):
    doc = doc or id_number(birth="19520314", seq="122")
    body = {"community_code": world.a.code, "name": name, "doc_number": doc, "phone": phone, **extra}
    if house is not None:
        body["house_id"] = house.pk
    return post(client, f"{API}/residents", body)


# --- masking and reveal -------------------------------------------------------------------------
def test_document_number_and_phone_are_masked_everywhere(world, house_a):
    c = api(world)
    doc = id_number(birth="19520314", seq="122")
    r = register(c, world, doc=doc, house=house_a)
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    hh = post(c, f"{API}/households", {"house_id": house_a.pk, "head_id": rid})
    assert hh.status_code == 201, hh.content
    post(c, f"{API}/residents/{rid}/tags", {"code": "living_alone"})
    bodies = [r.content]
    for url in [
        f"{API}/residents",
        f"{API}/residents/{rid}",
        f"{API}/residents/{rid}/visits",
        f"{API}/visits/due",
        f"{API}/households",
        f"{API}/households/{hh.json()['id']}",
        f"{API}/houses",
        f"{API}/houses/{house_a.pk}",
        f"{API}/transfers",
    ]:
        resp = c.get(url)
        assert resp.status_code == 200, (url, resp.content)
        bodies.append(resp.content)
    for body in bodies:
        text = body.decode()
        assert doc not in text and "13971230001" not in text
    one = c.get(f"{API}/residents/{rid}").json()
    assert one["doc_number_masked"] == doc[:6] + "********" + doc[-4:]
    assert one["phone_masked"] == "139****0001"
    assert one["gender"] == "female" and one["birth_date"] == "1952-03-14"  # derived from the number
    assert one["household"]["head_name"] == "王秀英" and one["house_address"] == house_a.address

    # The full value: the core reveal endpoint, with a reason, leaving a log entry.
    before = ChangeLogEntry.objects.filter(action="reveal").count()
    resp = post(
        c,
        "/api/v1/core/reveal",
        {"model": "people.resident", "id": rid, "field": "doc_number", "reason": "入户核实"},
    )
    assert resp.status_code == 200 and resp.json()["value"] == doc
    resp = post(
        c,
        "/api/v1/core/reveal",
        {"model": "people.resident", "id": rid, "field": "phone", "reason": "电话回访"},
    )
    assert resp.json()["value"] == "13971230001"
    assert ChangeLogEntry.objects.filter(action="reveal").count() == before + 2
    resp = post(c, "/api/v1/core/reveal", {"model": "people.resident", "id": rid, "field": "doc_number"})
    assert resp.status_code == 422  # no reason, no value
    resp = post(
        api(world, "community_worker_b"),
        "/api/v1/core/reveal",
        {"model": "people.resident", "id": rid, "field": "doc_number", "reason": "越权"},
    )
    assert resp.status_code == 404


# --- search -------------------------------------------------------------------------------------
def test_search_by_name_fragment_full_document_number_or_phone(world, house_a):
    c = api(world)
    doc1, doc2 = id_number(birth="19600101", seq="011"), id_number(birth="19700202", seq="022")
    assert register(c, world, name="李建华", doc=doc1, phone="13900000011").status_code == 201
    assert register(c, world, name="陈桂兰", doc=doc2, phone="13900000022").status_code == 201

    def names(**q):
        resp = c.get(f"{API}/residents", q)
        assert resp.status_code == 200, resp.content
        return [x["name"] for x in resp.json()["items"]]

    assert names() == ["李建华", "陈桂兰"]
    assert names(q="建华") == ["李建华"]
    assert names(q=doc2) == ["陈桂兰"]
    assert names(q=doc2.lower()) == ["陈桂兰"]  # a lower-case x check character still matches
    assert names(q="13900000011") == ["李建华"]
    assert names(q=doc2[:10]) == []  # only a full number finds anyone
    assert names(age_min=60) == ["李建华"]
    assert names(age_max=59) == ["陈桂兰"]
    assert c.get(f"{API}/residents", {"status": "nonsense"}).status_code == 400
    assert c.get(f"{API}/residents", {"limit": 1}).json()["count"] == 2


# --- registration -------------------------------------------------------------------------------
def test_register_then_duplicate_is_409_with_a_chinese_message(world, house_a):
    c = api(world)
    doc = id_number(birth="19800515", seq="031")
    assert register(c, world, doc=doc, house=house_a).status_code == 201
    again = register(c, world, name="另一人", doc=doc)
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "duplicate_resident"
    assert "不能重复登记" in body["message"] and "宁安" in body["message"]
    assert Resident.objects.count() == 1
    wrong = register(c, world, doc=doc[:-1] + ("0" if doc[-1] != "0" else "1"))
    assert wrong.status_code == 400 and "校验" in wrong.json()["message"]
    # Another community's code: not found, not "forbidden".
    body = {"community_code": world.b.code, "name": "乙", "doc_number": id_number(seq="032")}
    assert post(c, f"{API}/residents", body).status_code == 404


def test_edit_with_version_and_event_fields_refused(world, house_a):
    c = api(world)
    r = register(c, world, house=house_a).json()
    resp = patch(c, f"{API}/residents/{r['id']}", {"work_unit": "江夏区医院", "version": r["version"]})
    assert resp.status_code == 200 and resp.json()["version"] == r["version"] + 1
    stale = patch(c, f"{API}/residents/{r['id']}", {"work_unit": "别处", "version": r["version"]})
    assert stale.status_code == 409
    moved = patch(c, f"{API}/residents/{r['id']}", {"status": "moved_out"})
    assert moved.status_code == 400 and moved.json()["code"] == "use_event"


# --- population events --------------------------------------------------------------------------
def test_population_event_changes_status_and_appears_in_the_history(world, house_a):
    c = api(world)
    r = register(c, world, house=house_a).json()
    resp = post(c, f"{API}/residents/{r['id']}/events", {"kind": "move_out", "note": "随子女迁往上海"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "moved_out" and resp.json()["status_label"] == "已迁出"
    detail = c.get(f"{API}/residents/{r['id']}").json()
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds[0] == "move_out" and "register" in kinds
    assert detail["events"][0]["note"] == "随子女迁往上海"
    assert c.get(f"{API}/residents", {"status": "moved_out"}).json()["count"] == 1
    twice = post(c, f"{API}/residents/{r['id']}/events", {"kind": "move_out"})
    assert twice.status_code == 409 and "已迁出" in twice.json()["message"]
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    resp = post(c, f"{API}/residents/{r['id']}/events", {"kind": "lost_contact", "date": future})
    assert resp.status_code == 400


# --- tags ---------------------------------------------------------------------------------------
def test_highly_sensitive_tag_hidden_from_a_community_worker(world, house_a):
    lead, worker = api(world, "community_lead"), api(world, "community_worker")
    r = register(lead, world, house=house_a).json()
    resp = post(lead, f"{API}/residents/{r['id']}/tags", {"code": "correction", "note": "2025 年入矫"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["name"] == "社区矫正对象"
    resp = post(
        lead, f"{API}/residents/{r['id']}/tags", {"code": "disabled", "detail": {"category": "肢体残疾"}}
    )
    assert resp.json()["detail_text"] == "类别：肢体残疾"

    seen = lead.get(f"{API}/residents/{r['id']}").json()
    assert "社区矫正对象" in seen["tags"]
    assert {t["code"] for t in seen["tag_details"]} >= {"correction", "disabled", "age60"}
    assert any(t["code"] == "correction" for t in lead.get(f"{API}/tags").json())
    assert lead.get(f"{API}/residents", {"tag": "correction"}).json()["count"] == 1

    for resp in [
        worker.get(f"{API}/residents/{r['id']}"),
        worker.get(f"{API}/residents"),
        worker.get(f"{API}/tags"),
        worker.get(f"{API}/structure"),
    ]:
        assert resp.status_code == 200
        assert "社区矫正对象" not in resp.content.decode() and "correction" not in resp.content.decode()
    mine = worker.get(f"{API}/residents/{r['id']}").json()
    assert "残疾人" in mine["tags"]  # a sensitive (not highly sensitive) tag: community workers see it
    assert worker.get(f"{API}/residents", {"tag": "correction"}).status_code == 400
    assert post(worker, f"{API}/residents/{r['id']}/tags", {"code": "correction"}).status_code == 404
    assert worker.delete(f"{API}/residents/{r['id']}/tags/correction").status_code == 404
    assert lead.delete(f"{API}/residents/{r['id']}/tags/correction").status_code == 204
    assert "社区矫正对象" not in lead.get(f"{API}/residents/{r['id']}").json()["tags"]


# --- visits -------------------------------------------------------------------------------------
def test_visit_moves_next_visit_due_and_due_list_is_most_overdue_first(world, house_a):
    c = api(world)
    today = timezone.localdate()
    a = register(c, world, name="独居甲", doc=id_number(birth="19400101", seq="041"), house=house_a).json()
    b = register(c, world, name="独居乙", doc=id_number(birth="19410101", seq="042"), house=house_a).json()
    start_a = (today - dt.timedelta(days=30)).isoformat()
    start_b = (today - dt.timedelta(days=10)).isoformat()
    post(c, f"{API}/residents/{a['id']}/tags", {"code": "living_alone", "start_date": start_a})
    post(c, f"{API}/residents/{b['id']}/tags", {"code": "living_alone", "start_date": start_b})
    # A never-visited resident is due from when the duty began: the tags recorded back then.
    for rid, days in ((a["id"], 30), (b["id"], 10)):
        ResidentTag.objects.filter(resident_id=rid).update(
            created_at=timezone.now() - dt.timedelta(days=days)
        )
    services.refresh_visit_policies([a["id"], b["id"]])
    due = c.get(f"{API}/visits/due").json()["items"]
    assert [x["name"] for x in due] == ["独居甲", "独居乙"]
    assert (
        due[0]["overdue_days"] == 23
        and due[0]["next_visit_due"] == (today - dt.timedelta(days=23)).isoformat()
    )

    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    resp = post(
        c,
        f"{API}/residents/{a['id']}/visits",
        {
            "method": "home",
            "findings": "身体尚可，独自居住",
            "photos": [{"name": "门口.png", "content_type": "image/png", "data_base64": png}],
        },
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["photo_count"] == 1 and resp.json()["method_label"] == "入户"
    detail = c.get(f"{API}/residents/{a['id']}").json()
    assert detail["next_visit_due"] == (today + dt.timedelta(days=7)).isoformat()
    assert detail["last_visit_on"] == today.isoformat()
    assert detail["visits"][0]["findings"] == "身体尚可，独自居住"
    assert c.get(f"{API}/residents/{a['id']}/visits").json()["count"] == 1
    due = c.get(f"{API}/visits/due", {"overdue": True}).json()["items"]
    assert [x["name"] for x in due] == ["独居乙"]

    bad = post(
        c,
        f"{API}/residents/{a['id']}/visits",
        {"photos": [{"name": "x.png", "content_type": "image/png", "data_base64": "不是base64"}]},
    )
    assert bad.status_code == 400 and bad.json()["code"] == "bad_photo"
    bad = post(c, f"{API}/residents/{a['id']}/visits", {"follow_up": True})
    assert bad.status_code == 400 and "跟进事项" in bad.json()["message"]


# --- houses, households, structure, transfers -----------------------------------------------------
def test_house_use_keeps_the_owner_unless_given(world, house_a):
    c = api(world)
    house_a.owner_name = "张产权"
    house_a.save()
    resp = patch(c, f"{API}/houses/{house_a.pk}", {"use": "rented"})
    assert resp.status_code == 200 and resp.json()["use"] == "rented"
    assert resp.json()["owner_name"] == "张产权"
    resp = patch(c, f"{API}/houses/{house_a.pk}", {"use": "nonsense"})
    assert resp.status_code == 400


def test_structure_of_a_node_outside_the_scope_is_404(world, house_a):
    c = api(world)
    register(c, world, house=house_a)
    resp = c.get(f"{API}/structure", {"code": world.a.code})
    assert resp.status_code == 200 and resp.json()["total"] == 1
    assert c.get(f"{API}/structure", {"code": world.b.code}).status_code == 404
    assert c.get(f"{API}/structure", {"code": world.street.code}).status_code == 404
    assert api(world, "department").get(f"{API}/structure").status_code == 403


def test_transfer_requested_by_the_receiving_side_decided_by_the_leaving_side(world, house_a):
    doc = id_number(birth="19550505", seq="051")
    b = api(world, "community_worker_b")
    r = post(b, f"{API}/residents", {"community_code": world.b.code, "name": "郭老汉", "doc_number": doc})
    assert r.status_code == 201
    a = api(world)
    resp = post(
        a,
        f"{API}/transfers",
        {
            "doc_number": doc,
            "to_community_code": world.a.code,
            "to_house_id": house_a.pk,
            "reason": "投靠女儿",
        },
    )
    assert resp.status_code == 201, resp.content
    t = resp.json()
    assert t["resident_name"] == "郭*汉" and doc not in resp.content.decode()  # not yet theirs to see
    assert t["can_decide"] is False and t["from_community"] == "郭岭社区"
    assert post(a, f"{API}/transfers/{t['id']}/decision", {"accept": True}).status_code == 403
    listed = b.get(f"{API}/transfers", {"direction": "out"}).json()["items"]
    assert [x["id"] for x in listed] == [t["id"]] and listed[0]["can_decide"] is True
    assert listed[0]["resident_name"] == "郭老汉"
    resp = post(b, f"{API}/transfers/{t['id']}/decision", {"accept": True, "note": "同意"})
    assert resp.status_code == 200 and resp.json()["status"] == "accepted"
    moved = a.get(f"{API}/residents/{r.json()['id']}").json()
    assert moved["community_code"] == world.a.code and moved["house_id"] == house_a.pk
    assert b.get(f"{API}/residents/{r.json()['id']}").status_code == 404


# --- imports ------------------------------------------------------------------------------------
def _upload(client, world, data, name="居民.xlsx", **fields):
    return client.post(
        "/api/v1/core/imports",
        {
            "kind": "people.residents",
            "scope_code": world.a.code,
            "file": SimpleUploadedFile(name, data),
            **fields,
        },
    )


def _cells(content: bytes) -> str:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return "\n".join(str(v) for row in wb.get_sheet_by_index(0).to_python() for v in row)


def test_import_end_to_end(world, house_a, django_capture_on_commit_callbacks):
    worker = api(world)
    tpl = worker.get("/api/v1/core/imports/template/people.residents")
    assert tpl.status_code == 200 and "证件号码" in _cells(tpl.content)
    assert worker.get("/api/v1/core/imports/template/nonsense").status_code == 400

    rows = [person(1), person(2, 联系电话="12345")]
    with django_capture_on_commit_callbacks(execute=True):
        resp = _upload(worker, world, workbook(rows))
    assert resp.status_code == 202, resp.content
    batch_id = resp.json()["id"]
    status = worker.get(f"/api/v1/core/imports/{batch_id}").json()
    assert status["status"] == "ready" and status["progress"] == 100
    assert status["counts"]["new"] == 1 and status["counts"]["rejected"] == 1
    assert status["errors"][0]["row"] == 3 and "联系电话" in status["errors"][0]["messages"][0]
    assert status["total_rows"] == 2 and status["title"] == "居民信息"
    assert Resident.objects.count() == 0
    assert [b["id"] for b in worker.get("/api/v1/core/imports").json()["items"]] == [batch_id]

    report = worker.get(f"/api/v1/core/imports/{batch_id}/errors")
    assert report.status_code == 200
    assert "attachment" in report["Content-Disposition"]
    cells = _cells(report.content)
    assert "联系电话" in cells and "格式不正确" in cells and "测试2号" in cells and "测试1号" not in cells

    with django_capture_on_commit_callbacks(execute=True):
        resp = post(worker, f"/api/v1/core/imports/{batch_id}/commit", {"valid_only": True})
    assert resp.status_code == 202, resp.content
    status = worker.get(f"/api/v1/core/imports/{batch_id}").json()
    assert status["status"] == "committed"
    assert Resident.objects.filter(community=world.a).count() == 1

    again = post(worker, f"/api/v1/core/imports/{batch_id}/commit", {"valid_only": True})
    assert again.status_code == 409 and "请勿重复" in again.json()["message"]
    assert Resident.objects.count() == 1

    assert post(worker, f"/api/v1/core/imports/{batch_id}/undo", {}).status_code == 403
    resp = post(api(world, "community_lead"), f"/api/v1/core/imports/{batch_id}/undo", {})
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "undone" and resp.json()["result"]["deleted"] == 1
    assert Resident.objects.count() == 0
    assert post(api(world, "community_lead"), f"/api/v1/core/imports/{batch_id}/undo", {}).status_code == 409


def test_double_click_on_commit_queues_one_job(world, house_a, django_capture_on_commit_callbacks):
    worker = api(world)
    with django_capture_on_commit_callbacks(execute=True):
        batch_id = _upload(worker, world, workbook([person(1)])).json()["id"]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = post(worker, f"/api/v1/core/imports/{batch_id}/commit", {})
        second = post(worker, f"/api/v1/core/imports/{batch_id}/commit", {})
    assert first.status_code == 202 and first.json()["status"] == "committing"
    assert second.status_code == 409 and second.json()["code"] == "already_committed"
    assert len(queued) == 1
    queued[0]()
    assert ImportBatch.objects.get(pk=batch_id).status == ImportStatus.COMMITTED


@pytest.mark.parametrize(("auto", "status"), [("false", "mapping"), ("true", "failed")])
def test_commit_refused_unless_ready(world, django_capture_on_commit_callbacks, auto, status):
    """A file without the required columns waits for them to be named (the mapping step), or fails
    where nobody is asked (auto); neither can be committed."""
    worker = api(world)
    with django_capture_on_commit_callbacks(execute=True):
        resp = _upload(worker, world, workbook([person(1)], headers=["姓名", "电话"]), auto=auto)
    batch_id = resp.json()["id"]
    assert worker.get(f"/api/v1/core/imports/{batch_id}").json()["status"] == status
    resp = post(worker, f"/api/v1/core/imports/{batch_id}/commit", {})
    assert resp.status_code == 409 and resp.json()["code"] == "not_ready"
    assert "待确认" in resp.json()["message"]


def test_wrong_file_type_is_400_and_creates_no_batch(world):
    resp = _upload(api(world), world, b"%PDF-1.7\n1 0 obj\n", name="居民.pdf")
    assert resp.status_code == 400
    assert (
        resp.json()["code"] == "wrong_file_type" and "不是 Excel、WPS 或 CSV 表格" in resp.json()["message"]
    )
    assert ImportBatch.objects.count() == 0


def test_upload_outside_scope_is_not_found(world):
    resp = _upload(api(world), world, workbook([person(1)]), scope_code=world.b.code)
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    resp = _upload(api(world, "department"), world, workbook([person(1)]))
    assert resp.status_code == 404
    assert ImportBatch.objects.count() == 0


def test_batches_only_for_those_who_may_import_there(world, django_capture_on_commit_callbacks):
    """Department staff's scope covers the district, but a batch's rows are residents' data."""
    with django_capture_on_commit_callbacks(execute=True):
        batch_id = _upload(api(world), world, workbook([person(1)])).json()["id"]
    dept = api(world, "department")
    assert dept.get("/api/v1/core/imports").json()["count"] == 0
    assert dept.get(f"/api/v1/core/imports/{batch_id}").status_code == 404
    assert dept.get(f"/api/v1/core/imports/{batch_id}/errors").status_code == 404
    street = api(world, "street")
    assert street.get(f"/api/v1/core/imports/{batch_id}").status_code == 200


# --- the OpenAPI document -----------------------------------------------------------------------
def test_openapi_lists_every_new_path():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    expected = {
        f"{API}/residents": {"get", "post"},
        f"{API}/residents/{{resident_id}}": {"get", "patch"},
        f"{API}/residents/{{resident_id}}/events": {"post"},
        f"{API}/residents/{{resident_id}}/tags": {"post"},
        f"{API}/residents/{{resident_id}}/tags/{{code}}": {"delete"},
        f"{API}/residents/{{resident_id}}/visits": {"get", "post"},
        f"{API}/visits/due": {"get"},
        f"{API}/households": {"get", "post"},
        f"{API}/households/{{household_id}}": {"get"},
        f"{API}/houses": {"get"},
        f"{API}/houses/{{house_id}}": {"get", "patch"},
        f"{API}/tags": {"get"},
        f"{API}/structure": {"get"},
        f"{API}/transfers": {"get", "post"},
        f"{API}/transfers/{{transfer_id}}/decision": {"post"},
        "/api/v1/core/imports": {"get", "post"},
        "/api/v1/core/imports/template/{kind}": {"get"},
        "/api/v1/core/imports/{batch_id}": {"get"},
        "/api/v1/core/imports/{batch_id}/errors": {"get"},
        "/api/v1/core/imports/{batch_id}/commit": {"post"},
        "/api/v1/core/imports/{batch_id}/mapping": {"post"},
        "/api/v1/core/imports/{batch_id}/remap": {"post"},
        "/api/v1/core/imports/{batch_id}/undo": {"post"},
        "/api/v1/core/imports/mappings": {"get"},
        "/api/v1/core/imports/mappings/{mapping_id}": {"delete"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    upload = paths["/api/v1/core/imports"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
