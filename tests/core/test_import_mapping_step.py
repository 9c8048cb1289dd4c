"""The mapping step of the import pages: an office's own ledger is read by the synonyms' guess,
shown column by column for the clerk to confirm or correct, saved under a name for the community,
and the next file with the same headers is taken without questions."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shequ.core.models import Action, ChangeLogEntry, ImportBatch, ImportMapping, ImportStatus
from shequ.people.models import Resident
from tests.people import ledgers


@pytest.fixture(autouse=True)
def jobs_run(monkeypatch):
    """Background checks and commits run as they would without a broker, once the request's
    transaction commits (the test's transaction never does: run them at once)."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())


def upload(client, world, name, data):
    resp = client.post(
        reverse("people:import"),
        {"community": world.a.code, "file": SimpleUploadedFile(name, data)},
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    return ImportBatch.objects.latest("pk")


def office_file(persons=None):
    return ledgers.office_xlsx(ledgers.ledger(persons))


def test_office_ledger_is_mapped_confirmed_saved_and_reused(world):
    user = world.users["community_worker"]
    client = world.client(user)
    name, data = office_file()
    batch = upload(client, world, name, data)
    assert batch.status == ImportStatus.MAPPING
    layout = batch.options["layout"]
    by_label = {c["label"]: c for c in layout["columns"]}
    # The synonyms' guess, for the clerk to check: office names read as the template's fields.
    assert by_label["公民身份号码"]["field"] == "doc_number"
    assert by_label["人口类型"]["field"] == "residence_type"
    assert by_label["序号"]["field"] == ""
    # First values are shown, an ID number masked (the batch's options are not encrypted).
    sample = by_label["公民身份号码"]["samples"][0]
    assert "*" in sample and not re.search(r"\d{10}", sample)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'id="mapping-form"' in page and "人口类型" in page and "不导入" in page
    assert not Resident.objects.exists()  # nothing written before the user confirms

    # The clerk confirms, leaving 备注 out this time, and saves the mapping for the community.
    form = {f"col-{c['index']}": c["field"] for c in layout["columns"]}
    form[f"col-{by_label['备注']['index']}"] = ""
    for fkey, items in layout["values"].items():
        for n, item in enumerate(items):
            form[f"val-{fkey}-{n}"] = item["label"]
    form.update({"save": "1", "save_as": "宁安人口台账"})
    resp = client.post(reverse("core:import-mapping", args=[batch.pk]), form)
    assert resp.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY, batch.message
    assert batch.counts["new"] == 60 and batch.counts["rejected"] == 0
    notes = "\n".join(batch.options["notes"])
    assert "“大专” → 大学专科" in notes and "未导入的列：序号、备注" in notes
    assert re.search(r"第 \d+ 行是合计行", notes) and re.search(r"第 \d+ 行是表尾", notes)
    saved = ImportMapping.objects.get(name="宁安人口台账")
    assert saved.scope_code == world.a.code and saved.mapping["columns"]["备注"] == ""
    resp = client.post(
        reverse("core:import-commit", args=[batch.pk]), {"mode": "valid_only", "create_missing": "1"}
    )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED, (batch.message, batch.counts, batch.errors[:3])
    assert Resident.objects.count() == 60, (batch.counts, batch.errors[:3])

    # Next month: the same headers, the saved mapping, no questions.
    name, data = office_file(ledgers.people(64)[60:])
    again = upload(client, world, "十二月" + name, data)
    assert again.status == ImportStatus.READY, again.message
    assert again.options["mapping_source"] == "saved" and again.options["mapping_name"] == "宁安人口台账"
    assert any("已套用本社区保存的映射“宁安人口台账”" in n for n in again.options["notes"])


def test_a_wrong_mapping_is_refused_with_the_choices_kept(world):
    client = world.client(world.users["community_worker"])
    batch = upload(client, world, *office_file())
    layout = batch.options["layout"]
    form = {f"col-{c['index']}": c["field"] for c in layout["columns"]}
    by_label = {c["label"]: c for c in layout["columns"]}
    form[f"col-{by_label['姓名']['index']}"] = "doc_number"  # two columns as 证件号码
    resp = client.post(reverse("core:import-mapping", args=[batch.pk]), form)
    assert resp.status_code == 400
    assert "对应了不止一列" in resp.content.decode()
    form[f"col-{by_label['姓名']['index']}"] = ""
    form[f"col-{by_label['公民身份号码']['index']}"] = ""
    resp = client.post(reverse("core:import-mapping", args=[batch.pk]), form)
    assert resp.status_code == 400 and "还有必填项没有对应的列" in resp.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.MAPPING and not Resident.objects.exists()
    resp = client.post(reverse("core:import-mapping", args=[batch.pk]), {**form, "save": "1", "save_as": ""})
    assert resp.status_code == 400 and "映射名称" in resp.content.decode()


def test_back_to_the_mapping_step_from_the_preview_and_a_value_left_unread(world):
    client = world.client(world.users["community_worker"])
    batch = upload(client, world, *office_file())
    layout = batch.options["layout"]
    form = {f"col-{c['index']}": c["field"] for c in layout["columns"]}
    # 大专 left untranslated: those rows are refused, naming the column as the ledger does.
    for fkey, items in layout["values"].items():
        for n, item in enumerate(items):
            if item["value"] != "大专":
                form[f"val-{fkey}-{n}"] = item["label"]
    client.post(reverse("core:import-mapping", args=[batch.pk]), form)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY and batch.counts["rejected"] > 0
    messages = [m for e in batch.errors for m in e["messages"]]
    assert all("“文化程度”的值“大专”不在可选项中" in m for m in messages)
    resp = client.post(reverse("core:import-remap", args=[batch.pk]))
    assert resp.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.MAPPING
    # The mapping in force comes back to the page as the starting point.
    items = {i["value"]: i for i in batch.options["layout"]["values"]["education"]}
    assert items["大专"]["label"] == "大学专科"  # the shipped synonym still offers its reading
    assert ChangeLogEntry.objects.filter(action=Action.IMPORT).count() == 0


def test_only_those_who_may_import_there_can_map(world):
    client = world.client(world.users["community_worker"])
    batch = upload(client, world, *office_file())
    other = world.client(world.users["community_worker_b"])  # 郭岭's worker: not theirs to see
    assert other.post(reverse("core:import-mapping", args=[batch.pk]), {}).status_code == 404
    assert other.post(reverse("core:import-remap", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.MAPPING
