"""The residents workbook: file checks, row rules, preview, commit, undo, concurrency."""

import pytest

from shequ.core import changelog, importing
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import ChangeLogEntry, ImportBatch, ImportStatus
from shequ.org.models import House
from shequ.people.models import Resident, ResidentTag
from tests.people.conftest import HEADERS, id_number, person, workbook

KIND = "people.residents"


def _wrong_check(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def _batch(world, user, rows, **options):
    data = workbook(rows) if isinstance(rows, list) else rows
    return importing.create_batch(user, KIND, world.a.code, "居民.xlsx", data, options)


def _preview(world, user, rows, **options):
    batch = _batch(world, user, rows, **options)
    importing.validate_batch(batch, user)
    batch.refresh_from_db()
    return batch


def test_preview_counts_and_reasons_then_commit_valid_rows(world, house_a):
    user = world.users["community_worker"]
    rows = [
        person(1),
        person(2),
        person(3, 证件号码=_wrong_check(id_number(seq="009"))),
        person(4, 性别="男"),
    ]
    batch = _preview(world, user, rows)
    assert batch.status == ImportStatus.READY, batch.message
    assert batch.counts["new"] == 2 and batch.counts["rejected"] == 2
    msgs = {e["row"]: " ".join(e["messages"]) for e in batch.errors if e["messages"]}
    assert "校验位" in msgs[4] and "性别" in msgs[5]
    assert Resident.objects.count() == 0  # the preview writes nothing
    result = importing.commit_batch(batch, user)
    assert result["created"] == 2
    assert Resident.objects.filter(community=world.a).count() == 2
    # One change-log entry for the batch, none per resident; each resident's history shows it.
    assert not ChangeLogEntry.objects.filter(batch=batch.batch_label, action="create").exists()
    for res in Resident.objects.filter(community=world.a):
        (entry,) = changelog.history(res)
        assert entry.action == "import" and entry.batch == batch.batch_label and entry.user == user


def test_import_nothing_when_any_row_is_bad(world, house_a):
    user = world.users["community_worker"]
    batch = _preview(world, user, [person(1), person(2, 联系电话="12345")])
    with pytest.raises(ValidationFailed):
        importing.commit_batch(batch, user, valid_only=False)
    assert Resident.objects.count() == 0


def test_update_by_document_number_and_undo(world, house_a):
    user = world.users["community_lead"]
    batch = _preview(world, user, [person(1), person(2)])
    importing.commit_batch(batch, user)
    r1 = Resident.objects.get(name="测试1号")
    second = _preview(world, user, [person(1, 工作单位="江夏区医院", 人群标签="独居老人"), person(2)])
    assert second.counts == {"new": 0, "updated": 1, "unchanged": 1, "rejected": 0, "conflict": 0}
    importing.commit_batch(second, user)
    r1.refresh_from_db()
    assert r1.work_unit == "江夏区医院" and r1.version == 2
    assert ResidentTag.objects.filter(resident=r1).count() == 1
    assert r1.next_visit_due is not None
    importing.undo_batch(second, user)
    r1.refresh_from_db()
    assert r1.work_unit == "" and ResidentTag.objects.filter(resident=r1).count() == 0
    importing.undo_batch(batch, user)
    assert Resident.objects.count() == 0


def test_same_person_in_another_community_is_a_conflict(world, house_a):
    from shequ.people import services

    doc = id_number(seq="123")
    Resident.objects.create(community=world.b, name="郭某", doc_number=doc)
    user = world.users["community_worker"]
    batch = _preview(world, user, [person(1, 证件号码=doc)])
    assert batch.counts["conflict"] == 1
    assert batch.errors[0]["action"] == "transfer"
    # Registered where the uploader has no scope: they learn that, not which community.
    assert "其他社区" in batch.errors[0]["messages"][0] and "郭岭" not in batch.errors[0]["messages"][0]
    importing.commit_batch(batch, user)
    assert Resident.objects.count() == 1
    t = services.request_transfer(
        user, doc_number=doc, to_community_code=world.a.code, to_house_id=house_a.pk
    )
    assert t.from_code == world.b.code
    # The receiving side cannot confirm its own request; the leaving side (here the street) does.
    with pytest.raises((Forbidden, NotFound)):
        services.decide_transfer(user, t.pk, accept=True)
    services.decide_transfer(world.users["community_worker_b"], t.pk, accept=True)
    moved = Resident.objects.get()
    assert moved.community == world.a and moved.house == house_a and moved.scope_code == house_a.scope_code
    assert list(moved.events.values_list("kind", flat=True)) == ["move_in", "move_out"] or set(
        moved.events.values_list("kind", flat=True)
    ) == {"move_in", "move_out"}


def test_missing_address_created_on_confirmation(world, house_a):
    user = world.users["community_worker"]
    batch = _preview(world, user, [person(1, 楼栋="9栋", 房号="902")])
    assert batch.counts["new"] == 1 and batch.options["missing_addresses"] == 1
    importing.commit_batch(batch, user)
    assert House.objects.filter(number="902").exists()
    with pytest.raises(Forbidden):  # undo is for the community's lead and above
        importing.undo_batch(batch, user)
    importing.undo_batch(batch, world.users["community_lead"])
    assert not House.objects.filter(number="902").exists()


@pytest.mark.parametrize(
    "data,code",
    [
        (b"", "empty_file"),
        (b"name,id\n1,2\n", "wrong_file_type"),
        (b"PK\x03\x04garbage", "corrupt_file"),
    ],
)
def test_bad_files_are_refused_with_a_reason(world, data, code):
    user = world.users["community_worker"]
    with pytest.raises(ValidationFailed) as exc:
        batch = importing.create_batch(user, KIND, world.a.code, "x.xlsx", data)
        importing.run_rows(batch, user)
    assert exc.value.code == code
    assert Resident.objects.count() == 0


def test_missing_headers_and_empty_sheet(world):
    user = world.users["community_worker"]
    batch = _preview(world, user, workbook([person(1)], headers=["姓名", "电话"]))
    # In the page the user is asked which column is which; the required fields left are named.
    assert batch.status == ImportStatus.MAPPING
    assert {"doc_number", "residence_type"} <= set(batch.options["layout"]["missing"])
    # Where nobody can be asked (command line, API with auto), it fails and names them.
    batch = importing.create_batch(
        user, KIND, world.a.code, "x.xlsx", workbook([person(1)], headers=["姓名", "电话"]), {"auto": True}
    )
    importing.validate_batch(batch, user)
    batch.refresh_from_db()
    assert (
        batch.status == ImportStatus.FAILED and "证件号码" in batch.message and "姓名、电话" in batch.message
    )
    batch = _preview(world, user, workbook([]))
    assert batch.status == ImportStatus.FAILED and "没有数据行" in batch.message


def test_dates_in_every_accepted_form():
    import datetime as dt

    from shequ.core.importing import parse_date

    d = dt.date(2024, 1, 2)
    for raw in ("2024-01-02", "2024/1/2", "20240102", 20240102, 45293, 45293.0, "2024年1月2日", d):
        assert parse_date(raw) == d


def test_template_has_dropdowns_and_instructions():
    import io

    from python_calamine import CalamineWorkbook

    from shequ.people.importer import ResidentImporter

    data = importing.template_bytes(ResidentImporter)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert "填写说明" in wb.sheet_names
    rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
    assert rows[0] == HEADERS
    assert b"dataValidation" in __import__("zipfile").ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml"
    )


def test_undo_refused_after_later_edit(world, house_a):
    from shequ.people import services

    user = world.users["community_lead"]
    batch = _preview(world, user, [person(1)])
    importing.commit_batch(batch, user)
    r = Resident.objects.get()
    services.update_resident(user, r.pk, {"work_unit": "新单位"})
    with pytest.raises(Conflict):
        importing.undo_batch(batch, user)
    assert Resident.objects.count() == 1
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.COMMITTED


def test_error_report_masks_numbers_and_keeps_line_numbers(world, house_a):
    import io

    from python_calamine import CalamineWorkbook

    user = world.users["community_worker"]
    doc = id_number(seq="077")
    bad = _wrong_check(doc)
    batch = _preview(
        world, user, [person(1), person(2, 证件号码=bad, 联系电话="13912345678", 工作单位="x" * 101)]
    )
    report = importing.error_report(batch, user)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(report)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "原行号" and rows[0][-1] == "错误原因"
    assert [r[0] for r in rows[1:] if r[0] != ""][:1] == [3]
    dump = repr(rows)
    assert bad not in dump and "13912345678" not in dump and bad[:6] in dump
    assert ChangeLogEntry.objects.filter(action="export", note__contains=batch.batch_label).exists()


def test_a_commit_whose_process_dies_writes_nothing_and_is_given_back_to_confirm_again(
    world, house_a, monkeypatch, settings
):
    """The process dies after writing rows inside the commit's transaction (SystemExit is not caught,
    like a kill): nothing stays written, the batch is left "导入中"; the recovery sweep gives it
    back once it is older than IMPORT_STALE_SECONDS, and the second commit writes each row once."""
    import datetime as dt

    from django.utils import timezone

    user = world.users["community_worker"]
    batch = _preview(world, user, [person(1), person(2)])
    real = importing.run_rows

    def dies_after_writing(*args, **kwargs):
        real(*args, **kwargs)
        assert Resident.objects.count() == 2  # written, inside the transaction
        raise SystemExit("killed")

    monkeypatch.setattr(importing, "run_rows", dies_after_writing)
    with pytest.raises(SystemExit):
        importing.commit_batch(batch, user)
    monkeypatch.setattr(importing, "run_rows", real)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTING and Resident.objects.count() == 0

    assert importing.recover_interrupted() == 0  # too recent: it may still be running elsewhere
    later = timezone.now() + dt.timedelta(seconds=settings.IMPORT_STALE_SECONDS + 1)
    assert importing.recover_interrupted(now=later) == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY and "中断" in batch.message
    assert importing.commit_batch(batch, user)["created"] == 2
    assert Resident.objects.filter(community=world.a).count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
