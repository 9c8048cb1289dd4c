"""The mapping of a clerk's own ledger through the API, as the command line has it: an office
ledger stops at the mapping step with its layout, a confirmed mapping is saved for the community
and applied to the next file with the same headers, a mapping can come with the upload as JSON or
by name, `auto=true` asks nobody, and saved mappings stay within the community that may import
there."""

import io
import json

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shequ.core.models import ChangeLogEntry, ImportBatch, ImportMapping
from shequ.people.models import Resident
from tests.people.conftest import id_number

pytestmark = pytest.mark.django_db
IMPORTS = "/api/v1/core/imports"
MAPPINGS = f"{IMPORTS}/mappings"

# A residents' ledger as an office keeps it: its own names for some columns (人口类型, 学历, 楼号),
# a visiting column no workbook reads, a title above the header and a 合计 row below the people.
HEADERS = ["序号", "姓名", "公民身份号码", "人口类型", "学历", "楼号", "单元", "房号", "联系电话", "走访情况"]
CONFIRMED = {
    "columns": {
        "序号": "",
        "姓名": "name",
        "公民身份号码": "doc_number",
        "人口类型": "residence_type",
        "学历": "education",
        "楼号": "building",
        "单元": "unit",
        "房号": "house",
        "联系电话": "phone",
        "走访情况": "",
    },
    "values": {"residence_type": {"本地常住": "户籍在住"}},
}


def ledger_row(n: int, residence: str, education: str) -> dict:
    return {
        "序号": n,
        "姓名": f"台账{n}号",
        "公民身份号码": id_number(birth=f"19{60 + n:02d}0{1 + n % 9}15", seq=f"{n:03d}"),
        "人口类型": residence,
        "学历": education,
        "楼号": "2栋",
        "单元": "1单元",
        "房号": f"{200 + n}",
        "联系电话": f"1390000{n:04d}",
        "走访情况": "已走访",
    }


def office_ledger(rows: list[dict], headers=HEADERS) -> bytes:
    """A title merged over the header, the header in row 2, the people, then a 合计 row."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("人口台账")
    ws.merge_range(0, 0, 0, len(headers) - 1, "宁安社区人口台账", None)
    ws.write_row(1, 0, headers)
    for r, row in enumerate(rows, start=2):
        for c, h in enumerate(headers):
            v = row.get(h)
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif v is not None:
                ws.write_number(r, c, v)
    ws.write_row(len(rows) + 2, 0, ["合计", f"{len(rows)}人"])
    wb.close()
    return buf.getvalue()


FIRST = [
    ledger_row(1, "户在人在", "高中"),
    ledger_row(2, "本地常住", "本科"),
    ledger_row(3, "户籍在住", "初中"),
]
SECOND = [ledger_row(4, "本地常住", "高中"), ledger_row(5, "户在人在", "初中")]


def api(world, role="community_worker") -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.token(world.users[role])}")


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def upload(client, code, data, name="人口台账.xlsx", **fields):
    return client.post(
        IMPORTS,
        {"kind": "people.residents", "scope_code": code, "file": SimpleUploadedFile(name, data), **fields},
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a request and the background work it queues (validation, commit), as a worker would."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


def detail(client, batch_id) -> dict:
    resp = client.get(f"{IMPORTS}/{batch_id}")
    assert resp.status_code == 200, resp.content
    return resp.json()


def mapping_step(world, run, client=None, rows=FIRST) -> dict:
    """Upload the office ledger to community a; it waits at the mapping step."""
    client = client or api(world)
    resp = run(upload, client, world.a.code, office_ledger(rows))
    assert resp.status_code == 202, resp.content
    batch = detail(client, resp.json()["id"])
    assert batch["status"] == "mapping", batch["message"]
    return batch


# --- the mapping step, a saved mapping, the next file -------------------------------------------
def test_office_ledger_is_mapped_saved_and_the_next_file_goes_straight_to_preview(world, run):
    worker = api(world)
    batch = mapping_step(world, run, worker)
    assert batch["status_label"] == "待核对列"
    layout = batch["layout"]
    assert layout["sheet"] == "人口台账" and layout["header_lines"] == [2]
    columns = {c["label"]: c for c in layout["columns"]}
    assert list(columns) == HEADERS
    assert columns["人口类型"]["field"] == "residence_type"
    assert columns["学历"]["field"] == "education"
    assert columns["楼号"]["field"] == "building"
    assert columns["走访情况"]["field"] == ""
    # First values are shown masked where they are ID numbers or phones.
    ids = columns["公民身份号码"]["samples"]
    assert len(ids) == 3 and all("*" in s for s in ids)
    assert FIRST[0]["公民身份号码"] not in json.dumps(batch)
    assert all("*" in s for s in columns["联系电话"]["samples"])
    assert columns["姓名"]["samples"] == ["台账1号", "台账2号", "台账3号"]
    # Values not in the lists, with the synonyms' reading ("" where nothing reads them).
    readings = {v["value"]: v["label"] for v in layout["values"]["residence_type"]}
    assert readings == {"户在人在": "户籍在住", "本地常住": ""}
    assert {v["value"]: v["label"] for v in layout["values"]["education"]} == {
        "高中": "普通高中",
        "本科": "大学本科",
    }
    assert layout["missing"] == []
    assert layout["skipped"] == 1 and layout["sheets"] == [{"name": "人口台账", "rows": 3, "same": True}]
    fields = {f["key"]: f for f in layout["fields"]}
    assert fields["residence_type"]["required"] and "户籍在住" in fields["residence_type"]["choices"]
    assert fields["name"]["choices"] == [] and fields["address"]["header"] == "现住址"
    assert batch["translated"] == [] and batch["skipped_rows"] == []  # nothing planned yet
    assert Resident.objects.count() == 0

    resp = run(post, worker, f"{IMPORTS}/{batch['id']}/mapping", {**CONFIRMED, "save_as": "宁安人口台账"})
    assert resp.status_code == 202, resp.content
    assert resp.json()["status"] == "pending"
    ready = detail(worker, batch["id"])
    assert ready["status"] == "ready", ready["message"]
    assert ready["layout"] is None
    assert ready["counts"]["new"] == 3 and ready["counts"]["rejected"] == 0
    assert ready["mapping_source"] == "confirmed" and ready["mapping_name"] == "宁安人口台账"
    assert ready["mapping"]["columns"] == CONFIRMED["columns"]
    assert ready["mapping"]["values"] == CONFIRMED["values"]
    assert ready["mapping"]["hidden_rows"] == "import"
    assert {(t["column"], t["field"], t["from"], t["to"], t["rows"]) for t in ready["translated"]} == {
        ("人口类型", "residence_type", "户在人在", "户籍在住", 1),
        ("人口类型", "residence_type", "本地常住", "户籍在住", 1),
        ("学历", "education", "高中", "普通高中", 1),
        ("学历", "education", "本科", "大学本科", 1),
    }
    assert [(s["row"], "合计" in s["reason"]) for s in ready["skipped_rows"]] == [(6, True)]
    assert ready["hidden_rows"] == []
    assert ready["sheets"] == [{"name": "人口台账", "rows": 3, "same": True}]
    saved = ImportMapping.objects.get()
    assert (saved.name, saved.scope_code, saved.kind) == ("宁安人口台账", world.a.code, "people.residents")
    assert ChangeLogEntry.objects.filter(object_id=str(saved.pk), action="create").exists()

    resp = run(post, worker, f"{IMPORTS}/{batch['id']}/commit", {"valid_only": True})
    assert resp.status_code == 202, resp.content
    assert detail(worker, batch["id"])["status"] == "committed"
    people = {r.name: r for r in Resident.objects.filter(community=world.a)}
    assert set(people) == {"台账1号", "台账2号", "台账3号"}
    assert people["台账1号"].get_education_display() == "普通高中"
    assert people["台账1号"].get_residence_type_display() == "户籍在住"
    assert people["台账2号"].get_residence_type_display() == "户籍在住"

    # The next month's file with the same headers: no questions, the saved mapping applies.
    resp = run(upload, worker, world.a.code, office_ledger(SECOND), name="人口台账12月.xlsx")
    assert resp.status_code == 202, resp.content
    nxt = detail(worker, resp.json()["id"])
    assert nxt["status"] == "ready", nxt["message"]
    assert nxt["mapping_source"] == "saved" and nxt["mapping_name"] == "宁安人口台账"
    assert nxt["counts"]["new"] == 2 and nxt["counts"]["rejected"] == 0
    assert ("本地常住", "户籍在住") in {(t["from"], t["to"]) for t in nxt["translated"]}
    assert any("宁安人口台账" in n for n in nxt["notes"])
    assert ImportMapping.objects.get().used_at is not None


def test_saved_mappings_are_listed_for_the_community_and_deleted_with_a_log_row(world, run):
    worker = api(world)
    batch = mapping_step(world, run, worker)
    run(post, worker, f"{IMPORTS}/{batch['id']}/mapping", {**CONFIRMED, "save_as": "宁安人口台账"})
    listed = worker.get(MAPPINGS, {"kind": "people.residents", "scope_code": world.a.code})
    assert listed.status_code == 200, listed.content
    assert listed.json()["count"] == 1
    item = listed.json()["items"][0]
    assert item["name"] == "宁安人口台账" and item["kind"] == "people.residents"
    assert item["scope_code"] == world.a.code and item["headers"] == HEADERS
    assert item["mapping"]["columns"] == CONFIRMED["columns"]
    assert item["mapping"]["values"] == CONFIRMED["values"]
    assert item["created_by"] == "t_worker_a" and item["used_at"] and item["updated_at"]
    # The grid worker of a's grid uses the community's mappings (their batches apply them).
    grid = api(world, "grid_worker")
    assert [m["name"] for m in grid.get(MAPPINGS).json()["items"]] == ["宁安人口台账"]
    assert grid.get(MAPPINGS, {"scope_code": world.grid_a.code}).json()["count"] == 1
    # ... but deleting one is for those who may import over the whole community.
    assert grid.delete(f"{MAPPINGS}/{item['id']}").status_code == 403
    assert (
        worker.get(MAPPINGS, {"kind": "cases.hotline"}).status_code == 403
    )  # a worker imports no 12345 orders
    assert worker.get(MAPPINGS, {"kind": "nonsense"}).status_code == 400

    resp = worker.delete(f"{MAPPINGS}/{item['id']}")
    assert resp.status_code == 204, resp.content
    assert not ImportMapping.objects.exists()
    entry = ChangeLogEntry.objects.get(object_id=str(item["id"]), action="delete")
    assert entry.username == "t_worker_a" and "宁安人口台账" in entry.note
    assert entry.before["name"] == "宁安人口台账"
    assert worker.delete(f"{MAPPINGS}/{item['id']}").status_code == 404
    assert worker.get(MAPPINGS).json()["count"] == 0


def test_remap_goes_back_to_the_mapping_step_or_applies_a_saved_mapping(world, run):
    worker = api(world)
    batch = mapping_step(world, run, worker)
    bid = batch["id"]
    run(post, worker, f"{IMPORTS}/{bid}/mapping", {**CONFIRMED, "save_as": "宁安人口台账"})
    assert detail(worker, bid)["status"] == "ready"

    resp = run(post, worker, f"{IMPORTS}/{bid}/remap", {})
    assert resp.status_code == 202, resp.content
    back = detail(worker, bid)
    assert back["status"] == "mapping" and back["layout"]["columns"]
    assert back["mapping"] is None and back["mapping_name"] == ""

    resp = run(post, worker, f"{IMPORTS}/{bid}/remap", {"apply": "宁安人口台账"})
    assert resp.status_code == 202, resp.content
    applied = detail(worker, bid)
    assert applied["status"] == "ready", applied["message"]
    assert applied["mapping_source"] == "saved" and applied["mapping_name"] == "宁安人口台账"
    assert applied["counts"]["new"] == 3

    resp = post(worker, f"{IMPORTS}/{bid}/remap", {"apply": "没有这个映射"})
    assert resp.status_code == 400 and resp.json()["code"] == "unknown_mapping"
    assert "没有这个映射" in resp.json()["message"]
    assert detail(worker, bid)["status"] == "ready"  # nothing moved


def test_a_mapping_saved_from_the_preview_keeps_the_files_headers(world, run):
    """Saving from a batch that is already previewed (no mapping step on it) still records the
    headers, so that the next file with them is recognised."""
    worker = api(world)
    resp = run(upload, worker, world.a.code, office_ledger(FIRST), auto="true")
    bid = resp.json()["id"]
    assert detail(worker, bid)["status"] == "ready"
    resp = run(post, worker, f"{IMPORTS}/{bid}/mapping", {**CONFIRMED, "save_as": "预览时保存"})
    assert resp.status_code == 202, resp.content
    assert ImportMapping.objects.get().signature == "|".join(HEADERS)
    resp = run(upload, worker, world.a.code, office_ledger(SECOND))
    assert detail(worker, resp.json()["id"])["mapping_name"] == "预览时保存"


# --- a mapping with the upload: JSON, a name, or none asked for (auto) --------------------------
def test_mapping_json_with_the_upload_is_applied_without_the_mapping_step(world, run):
    worker = api(world)
    resp = run(upload, worker, world.a.code, office_ledger(FIRST), mapping=json.dumps(CONFIRMED))
    assert resp.status_code == 202, resp.content
    batch = detail(worker, resp.json()["id"])
    assert batch["status"] == "ready", batch["message"]
    assert batch["mapping_source"] == "file" and batch["mapping"]["values"] == CONFIRMED["values"]
    assert batch["counts"]["new"] == 3 and batch["counts"]["rejected"] == 0
    assert not ImportMapping.objects.exists()  # a mapping sent along is not saved

    # A mapping that leaves a required field without a column still asks.
    partial = {"columns": {"房号": "", "单元": ""}}
    resp = run(upload, worker, world.a.code, office_ledger(FIRST), mapping=json.dumps(partial))
    batch = detail(worker, resp.json()["id"])
    assert batch["status"] == "mapping" and batch["layout"]["missing"] == ["house"]


def test_mapping_by_name_with_the_upload(world, run):
    worker = api(world)
    batch = mapping_step(world, run, worker)
    run(post, worker, f"{IMPORTS}/{batch['id']}/mapping", {**CONFIRMED, "save_as": "宁安人口台账"})
    # Headers written differently (the next clerk's spacing): by name, the mapping applies anyway.
    spaced = [h if h != "序号" else "序 号" for h in HEADERS]
    rows = [{("序 号" if k == "序号" else k): v for k, v in r.items()} for r in SECOND]
    resp = run(upload, worker, world.a.code, office_ledger(rows, spaced), mapping_name="宁安人口台账")
    assert resp.status_code == 202, resp.content
    nxt = detail(worker, resp.json()["id"])
    assert nxt["status"] == "ready", nxt["message"]
    assert nxt["mapping_source"] == "saved" and nxt["counts"]["new"] == 2


def test_auto_asks_nobody_and_fails_naming_the_missing_columns(world, run):
    worker = api(world)
    # With every required column found, auto goes straight to the preview on the synonyms' guess;
    # a value no synonym reads is a refused row, not a question.
    resp = run(upload, worker, world.a.code, office_ledger(FIRST), auto="true")
    batch = detail(worker, resp.json()["id"])
    assert batch["status"] == "ready" and batch["mapping_source"] == "guess"
    assert batch["counts"]["new"] == 2 and batch["counts"]["rejected"] == 1
    refused = [e for e in batch["errors"] if e["outcome"] == "rejected"]
    assert refused[0]["row"] == 4 and "本地常住" in refused[0]["messages"][0]

    lacking = [h for h in HEADERS if h not in ("人口类型", "房号")]
    resp = run(upload, worker, world.a.code, office_ledger(FIRST, lacking), auto="true")
    assert resp.status_code == 202, resp.content
    failed = detail(worker, resp.json()["id"])
    assert failed["status"] == "failed" and failed["layout"] is None
    assert "缺少必填列" in failed["message"]
    assert "居住类型" in failed["message"] and "房号" in failed["message"]
    assert "走访情况" in failed["message"]  # the file's own columns, to map them by
    # Without auto the same file waits for someone to say which columns they are.
    resp = run(upload, worker, world.a.code, office_ledger(FIRST, lacking))
    waiting = detail(worker, resp.json()["id"])
    assert waiting["status"] == "mapping"
    assert set(waiting["layout"]["missing"]) == {"residence_type", "house"}


# --- other communities --------------------------------------------------------------------------
def test_another_communitys_user_cannot_read_or_use_the_mapping(world, run):
    worker = api(world)
    batch = mapping_step(world, run, worker)
    run(post, worker, f"{IMPORTS}/{batch['id']}/mapping", {**CONFIRMED, "save_as": "宁安人口台账"})
    saved = ImportMapping.objects.get()

    other = api(world, "community_worker_b")
    assert other.get(MAPPINGS).json()["count"] == 0
    resp = other.get(MAPPINGS, {"scope_code": world.a.code})
    assert resp.status_code == 404 and "宁安人口台账" not in resp.content.decode()
    before = ChangeLogEntry.objects.count()
    assert other.delete(f"{MAPPINGS}/{saved.pk}").status_code == 404
    assert ImportMapping.objects.filter(pk=saved.pk).exists()
    assert ChangeLogEntry.objects.count() == before
    # Not by name, and not by the same headers: b's file asks b's own clerk.
    resp = upload(other, world.b.code, office_ledger(SECOND), mapping_name="宁安人口台账")
    assert resp.status_code == 400 and resp.json()["code"] == "unknown_mapping"
    resp = run(upload, other, world.b.code, office_ledger(SECOND))
    b_batch = detail(other, resp.json()["id"])
    assert b_batch["status"] == "mapping" and b_batch["mapping_name"] == ""
    # Nor a's batch: confirming or reopening it is "not found".
    assert post(other, f"{IMPORTS}/{batch['id']}/mapping", CONFIRMED).status_code == 404
    assert post(other, f"{IMPORTS}/{batch['id']}/remap", {}).status_code == 404
    # Department staff import nothing: refused, not an empty list.
    assert api(world, "department").get(MAPPINGS).status_code == 403


# --- refusals -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"columns": {**CONFIRMED["columns"], "走访情况": "visited"}}, "字段“visited”不存在"),
        ({"columns": {**CONFIRMED["columns"], "走访情况": "name"}}, "“姓名”对应了不止一列"),
        ({"columns": {**CONFIRMED["columns"], "房号": ""}}, "还有必填项没有对应的列：房号"),
        ({"values": {"education": {"高中": "高级中学"}}}, "“文化程度”没有可选项“高级中学”"),
        ({"values": {"name": {"小王": "王"}}}, "“name”不是有可选项的字段"),
    ],
)
def test_bad_mapping_bodies_are_refused_with_what_is_wrong(world, run, change, phrase):
    worker = api(world)
    batch = mapping_step(world, run, worker)
    resp = post(worker, f"{IMPORTS}/{batch['id']}/mapping", {**CONFIRMED, **change, "save_as": "坏映射"})
    assert resp.status_code == 400, resp.content
    assert resp.json()["code"] == "bad_mapping"
    assert phrase in resp.json()["message"]
    assert detail(worker, batch["id"])["status"] == "mapping"
    assert not ImportMapping.objects.exists()


def test_mapping_body_of_the_wrong_shape_is_422(world, run):
    worker = api(world)
    batch = mapping_step(world, run, worker)
    url = f"{IMPORTS}/{batch['id']}/mapping"
    assert post(worker, url, {**CONFIRMED, "hidden_rows": "sometimes"}).status_code == 422
    assert post(worker, url, {"values": {}}).status_code == 422  # no columns
    assert post(worker, url, {"columns": {"姓名": 1}}).status_code == 422


def test_mapping_refused_once_the_batch_is_committed(world, run):
    worker = api(world)
    batch = mapping_step(world, run, worker)
    bid = batch["id"]
    run(post, worker, f"{IMPORTS}/{bid}/mapping", CONFIRMED)
    run(post, worker, f"{IMPORTS}/{bid}/commit", {})
    assert detail(worker, bid)["status"] == "committed"
    resp = post(worker, f"{IMPORTS}/{bid}/mapping", {**CONFIRMED, "save_as": "太晚了"})
    assert resp.status_code == 409 and resp.json()["code"] == "not_mappable"
    assert not ImportMapping.objects.exists()  # the refused act saved nothing either
    assert post(worker, f"{IMPORTS}/{bid}/remap", {}).status_code == 409
    # A batch at the mapping step cannot be committed.
    waiting = mapping_step(world, run, worker, rows=SECOND)
    resp = post(worker, f"{IMPORTS}/{waiting['id']}/commit", {})
    assert resp.status_code == 409 and "待确认" in resp.json()["message"]


@pytest.mark.parametrize(
    ("fields", "phrase"),
    [
        ({"mapping": "{columns: 人口类型}"}, "不是有效的 JSON"),
        ({"mapping": '["人口类型", "residence_type"]'}, "须为 JSON 对象"),
        ({"mapping": '{"columns": ["人口类型"]}'}, "映射格式不正确"),
        ({"mapping": '{"columns": {"人口类型": "people_type"}}'}, "“people_type”不存在"),
        ({"mapping": '{"columns": {}, "hidden_rows": "no"}'}, "hidden_rows 只能是"),
        ({"mapping_name": "没有这个映射"}, "本社区没有名为“没有这个映射”的已保存映射"),
        ({"mapping": json.dumps(CONFIRMED), "mapping_name": "宁安人口台账"}, "只能提供一个"),
    ],
)
def test_bad_mapping_on_upload_is_400_and_creates_no_batch(world, fields, phrase):
    resp = upload(api(world), world.a.code, office_ledger(FIRST), **fields)
    assert resp.status_code == 400, resp.content
    assert phrase in resp.json()["message"]
    assert ImportBatch.objects.count() == 0
