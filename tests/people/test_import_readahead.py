"""The residents import with its rows read ahead in a second process (core.readahead) gives what
it gives in one process: the same rows written, the same messages with the same row numbers, and
nothing written when the file breaks off half-way."""

import io
import re
import zipfile

import pytest

from shequ.core import importing
from shequ.core.errors import ValidationFailed
from shequ.core.models import ImportBatch, ImportStatus
from shequ.org.models import House
from shequ.people.importer import ResidentImporter
from shequ.people.models import Household, Resident, ResidentTag
from tests.people.conftest import id_number, person, workbook

KIND = "people.residents"


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 4 rows, so that a short file is several chunks: a duplicate or a head of
    household in a later chunk than its first row, a file that breaks off after rows were written."""
    monkeypatch.setattr(ResidentImporter, "chunk_rows", 4)


def _rows():
    doc = id_number(seq="321")
    return [
        person(1),
        person(2, 与户主关系="配偶", 房号="101"),
        person(3, 证件号码=doc, 人群标签="独居老人"),
        person(4, 联系电话="12345"),
        person(5, 楼栋="7栋", 房号="701", 与户主关系="子"),
        person(6, 人群标签="没有这个标签"),
        person(7, 证件号码=doc),  # the same person as row 4, in another chunk
        person(8, 性别="男", 证件号码=id_number(seq="322")),
        person(9, 楼栋="7栋", 房号="701"),  # the head of a household created a chunk before
        person(10, 民族="火星族"),
        person(11, 出生日期="2024/13/40"),
    ]


def _written() -> dict:
    residents = list(
        Resident.objects.order_by("name").values_list(
            "name", "house__number", "household__house__number", "relationship", "gender", "birth_date"
        )
    )
    heads = sorted(Household.objects.filter(head__isnull=False).values_list("house__number", "head__name"))
    tags = sorted(ResidentTag.objects.values_list("resident__name", "tag_key"))
    phones = sorted(r.phone for r in Resident.objects.all())
    return {"residents": residents, "heads": heads, "tags": tags, "phones": phones}


def _import(world, user, data, settings, rows_ahead):
    settings.IMPORT_READ_AHEAD_ROWS = rows_ahead
    batch = importing.create_batch(user, KIND, world.a.code, "居民.xlsx", data, {})
    importing.validate_batch(batch, user)
    batch.refresh_from_db()
    preview = (batch.status, batch.total_rows, batch.counts, batch.errors, batch.options["notes"])
    result = importing.commit_batch(batch, user)
    batch.refresh_from_db()
    return preview, (result, batch.counts, batch.errors), _written()


def test_read_ahead_gives_what_one_process_gives(world, house_a, settings, small_chunks, monkeypatch):
    from django.db import transaction

    from shequ.core import readahead

    forked = []
    read_in_child = readahead.Ahead._from_child

    def spy(self):
        forked.append(self)
        return (yield from read_in_child(self))

    monkeypatch.setattr(readahead.Ahead, "_from_child", spy)
    user = world.users["community_lead"]
    data = workbook(_rows())
    with transaction.atomic():
        in_place = _import(world, user, data, settings, 0)
        transaction.set_rollback(True)
    assert Resident.objects.count() == 0 and not forked
    ahead = _import(world, user, data, settings, 1)
    assert len(forked) == 2  # the preview and the commit each read the file in a second process
    assert ahead == in_place
    preview, (result, counts, errors), written = ahead
    assert preview[0] == ImportStatus.READY and result["created"] == 5
    msgs = {e["row"]: " ".join(e["messages"]) for e in errors}
    assert "与第 4 行重复" in msgs[8]
    assert "联系电话" in msgs[5] and "没有这个标签" in msgs[7] and "性别" in msgs[9]
    assert "火星族" in msgs[11] and "出生日期" in msgs[12]
    assert ("701", "测试9号") in written["heads"]  # the 户主 of a household made a chunk before


def test_a_file_broken_half_way_writes_nothing(world, house_a, settings, small_chunks):
    settings.IMPORT_READ_AHEAD_ROWS = 1
    user = world.users["community_lead"]
    good = workbook([person(n) for n in range(1, 15)])
    # A cell on line 12 points at a text the file does not hold: found only when that row is read,
    # after the first chunks were written inside the import's transaction.
    src = zipfile.ZipFile(io.BytesIO(good))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(
                    rb'(<row r="12".*?<c r="A12"[^>]*t="s"[^>]*><v>)\d+', rb"\g<1>999999", body, flags=re.S
                )
            out.writestr(item, body)
    houses = House.objects.count()
    batch = importing.create_batch(user, KIND, world.a.code, "居民.xlsx", buf.getvalue(), {})
    with pytest.raises(ValidationFailed) as exc:
        importing.commit_batch(batch, user)
    assert exc.value.code == "corrupt_file" and "工作表“居民信息”无法读取" in exc.value.message
    assert Resident.objects.count() == 0 and Household.objects.count() == 0
    assert House.objects.count() == houses
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.FAILED


def test_too_many_rows_found_by_the_reader_writes_nothing(world, house_a, settings, small_chunks):
    settings.IMPORT_READ_AHEAD_ROWS, settings.IMPORT_MAX_ROWS = 1, 9
    user = world.users["community_lead"]
    batch = importing.create_batch(
        user, KIND, world.a.code, "居民.xlsx", workbook([person(n) for n in range(1, 13)]), {}
    )
    with pytest.raises(ValidationFailed) as exc:
        importing.commit_batch(batch, user)
    assert exc.value.code == "too_many_rows" and "12" in exc.value.message
    assert Resident.objects.count() == 0 and Household.objects.count() == 0
