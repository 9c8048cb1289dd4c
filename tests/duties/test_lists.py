"""Duty-list pages: public reading (drafts never public), management rights, versions superseding
one another, and the xlsx import (all rows or none, Chinese row errors) and its round trip."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shequ.duties import importer, services
from shequ.duties.models import DutyItem, DutyList, Kind, ListStatus
from tests.duties.factories import make_list

pytestmark = pytest.mark.django_db
HEADERS = [
    "事项编号",
    "类别",
    "事项名称",
    "法律政策依据",
    "责任部门",
    "须随事拨付经费",
    "经费标准（元/社区/年）",
]


def workbook(rows, headers=HEADERS) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("事项清单")
    ws.write_row(0, 0, headers)
    for n, r in enumerate(rows, start=1):
        ws.write_row(n, 0, r)
    wb.close()
    return buf.getvalue()


def upload(data: bytes, name="清单.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def draft(world, **kw):
    """A new draft version of the district's list (items copied from the published one)."""
    make_list(world)
    return services.create_list(
        world.users["district"],
        org=world.district,
        title=kw.get("title", "江夏区社区工作事项清单（修订）"),
        effective_from=kw.get("effective_from", timezone.localdate() + dt.timedelta(days=10)),
    )


# --- public pages ------------------------------------------------------------------------------------
def test_public_lists_need_no_login_and_group_the_four_kinds(world):
    dl = make_list(world)
    resp = Client().get(reverse("duties:public-lists"))
    assert resp.status_code == 200
    body = resp.content.decode()
    for label in ("依法履行职责事项", "协助政府工作事项", "负面清单事项", "证明事项"):
        assert label in body
    assert dl.title in body
    assert "户籍所在地或居住地公安派出所" in body  # where to go instead of a negative item
    assert "2000" in body and "须随事拨付" in body  # funding required and its standard


def test_public_lists_for_a_community_show_the_lists_that_govern_it(world):
    make_list(world)
    resp = Client().get(reverse("duties:public-lists"), {"org": world.a.code})
    assert resp.status_code == 200
    assert "江夏区社区工作事项清单" in resp.content.decode()
    assert Client().get(reverse("duties:public-lists"), {"org": "999999"}).status_code == 404


def test_drafts_are_never_public(world):
    d = draft(world, title="尚未发布的草稿清单")
    item = d.items.first()
    anon = Client()
    assert anon.get(reverse("duties:public-list-detail", args=[d.pk])).status_code == 404
    assert anon.get(reverse("duties:item-detail", args=[item.pk])).status_code == 404
    assert anon.get(reverse("duties:list-export", args=[d.pk])).status_code == 404
    assert "尚未发布的草稿清单" not in anon.get(reverse("duties:public-lists")).content.decode()
    # not to a community either; the district manager sees the draft's item and export
    lead = world.client(world.users["community_lead"])
    assert lead.get(reverse("duties:item-detail", args=[item.pk])).status_code == 404
    manager = world.client(world.users["district"])
    assert manager.get(reverse("duties:item-detail", args=[item.pk])).status_code == 200
    assert manager.get(reverse("duties:list-export", args=[d.pk])).status_code == 200


def test_published_version_and_item_are_public(world):
    dl = make_list(world)
    item = dl.items.get(code="FM-02")
    resp = Client().get(reverse("duties:public-list-detail", args=[dl.pk]))
    assert resp.status_code == 200
    assert dl.effective_from.isoformat() in resp.content.decode()
    resp = Client().get(reverse("duties:item-detail", args=[item.pk]))
    assert resp.status_code == 200
    assert "户籍所在地或居住地公安派出所" in resp.content.decode()


# --- management rights ----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["community_lead", "community_worker", "grid_worker", "department"])
def test_management_pages_are_403_for_others(world, role):
    dl = make_list(world)
    c = world.client(world.users[role])
    assert c.get(reverse("duties:list-index")).status_code == 403
    assert c.get(reverse("duties:list-create")).status_code == 403
    status = c.get(reverse("duties:list-detail", args=[dl.pk])).status_code
    assert status in (403, 404)


def test_manager_sees_versions_and_counts(world):
    make_list(world)
    c = world.client(world.users["district"])
    resp = c.get(reverse("duties:list-index"))
    assert resp.status_code == 200
    assert "江夏区社区工作事项清单" in resp.content.decode()
    resp = c.get(reverse("duties:list-index"), {"export": "xlsx"})
    assert resp.status_code == 200


def test_create_item_edit_delete_and_publish_through_pages(world):
    make_list(world)
    c = world.client(world.users["district"])
    day = timezone.localdate() + dt.timedelta(days=5)
    resp = c.post(
        reverse("duties:list-create"),
        {
            "org": world.district.pk,
            "title": "第二版清单",
            "effective_from": day.isoformat(),
            "copy_current": "on",
        },
    )
    assert resp.status_code == 302
    d = DutyList.objects.get(title="第二版清单")
    assert d.status == ListStatus.DRAFT and d.items.count() == 5
    resp = c.post(
        reverse("duties:item-create", args=[d.pk]),
        {
            "code": "XZ-02",
            "kind": "assist",
            "title": "协助开展人口普查",
            "set_by": "district",
            "frequency": "yearly",
            "hours_per_month": "4",
            "position": "2",
        },
    )
    assert resp.status_code == 302, resp.content.decode()
    item = d.items.get(code="XZ-02")
    resp = c.post(
        reverse("duties:item-edit", args=[item.pk]),
        {
            "code": "XZ-02",
            "kind": "assist",
            "title": "协助开展经济普查",
            "set_by": "district",
            "frequency": "yearly",
            "hours_per_month": "4",
            "position": "2",
        },
    )
    assert resp.status_code == 302
    item.refresh_from_db()
    assert item.title == "协助开展经济普查"
    # a duplicate code is refused next to the field
    resp = c.post(
        reverse("duties:item-create", args=[d.pk]),
        {"code": "XZ-02", "kind": "assist", "title": "重复", "set_by": "district", "frequency": "once",
         "hours_per_month": "0", "position": "0"},
    )  # fmt: skip
    assert resp.status_code == 400 and "已有编号" in resp.content.decode()
    assert c.post(reverse("duties:item-delete", args=[item.pk])).status_code == 302
    assert not DutyItem.objects.filter(pk=item.pk).exists()
    assert c.get(reverse("duties:list-publish", args=[d.pk])).status_code == 200
    resp = c.post(reverse("duties:list-publish", args=[d.pk]), {"expected_version": d.version})
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.status == ListStatus.PUBLISHED


def test_blank_new_version_when_copy_is_unticked(world):
    make_list(world)
    c = world.client(world.users["district"])
    day = timezone.localdate() + dt.timedelta(days=5)
    c.post(
        reverse("duties:list-create"), {"org": world.district.pk, "title": "空白版", "effective_from": day}
    )
    assert DutyList.objects.get(title="空白版").items.count() == 0


def test_published_versions_are_read_only(world):
    dl = make_list(world)
    item = dl.items.first()
    c = world.client(world.users["district"])
    resp = c.post(reverse("duties:item-delete", args=[item.pk]))
    assert resp.status_code == 409
    assert DutyItem.objects.filter(pk=item.pk).exists()
    assert c.get(reverse("duties:list-import", args=[dl.pk])).status_code == 409
    resp = c.get(reverse("duties:list-detail", args=[dl.pk]))
    assert resp.status_code == 200
    assert reverse("duties:item-edit", args=[item.pk]) not in resp.content.decode()


def test_publishing_supersedes_the_previous_version(world):
    first = make_list(world)
    day = timezone.localdate() + dt.timedelta(days=10)
    d = draft(world, effective_from=day)
    services.publish_list(world.users["district"], d.pk)
    first.refresh_from_db()
    assert first.effective_to == day - dt.timedelta(days=1)
    assert first.status == ListStatus.SUPERSEDED
    # still in force today (the new one starts in ten days), and both versions are public
    body = Client().get(reverse("duties:public-lists")).content.decode()
    assert f"list-{first.pk}" in body and f"list-{d.pk}" not in body
    resp = Client().get(reverse("duties:public-list-detail", args=[first.pk]))
    assert resp.status_code == 200 and (day - dt.timedelta(days=1)).isoformat() in resp.content.decode()


# --- import ------------------------------------------------------------------------------------------
GOOD = [
    ["YF-01", "依法履行职责事项", "调解民间纠纷", "居委会组织法", "区司法局", "否", ""],
    ["XZ-01", "协助政府工作事项", "协助开展老年人能力评估", "养老服务条例", "区民政局", "是", 2000],
    ["FM-01", "负面清单", "招商引资", "负面清单", "区商务局", "", ""],
    ["ZM-01", "证明事项", "居住情况证明", "民发〔2020〕94号", "", "否", ""],
]


def test_import_good_file_replaces_the_draft(world):
    d = draft(world)
    c = world.client(world.users["district"])
    url = reverse("duties:list-import", args=[d.pk])
    resp = c.post(url, {"step": "upload", "file": upload(workbook(GOOD))})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "import-confirm" in body and "无误 4 行" in body
    assert d.items.count() == 5  # nothing written by the preview
    resp = c.post(url, {"step": "confirm"})
    assert resp.status_code == 302
    codes = sorted(d.items.values_list("code", flat=True))
    assert codes == ["FM-01", "XZ-01", "YF-01", "ZM-01"]
    xz = d.items.get(code="XZ-01")
    assert xz.funding_required and xz.funding_standard == Decimal("2000.00")
    assert d.items.get(code="FM-01").kind == Kind.NEGATIVE


def test_import_bad_file_writes_nothing_and_names_each_error(world):
    d = draft(world)
    before = sorted(d.items.values_list("code", "title"))
    bad = [
        ["A-1", "杂项", "未知类别", "", "", "否", ""],
        ["A-2", "协助政府工作事项", "是否写错", "", "", "也许", ""],
        ["A-3", "协助政府工作事项", "金额写错", "", "", "是", "两千"],
        ["A-2", "证明事项", "编号重复", "", "", "否", ""],
        ["A-5", "协助政府工作事项", "缺标准", "", "", "是", ""],
    ]
    c = world.client(world.users["district"])
    url = reverse("duties:list-import", args=[d.pk])
    resp = c.post(url, {"step": "upload", "file": upload(workbook(GOOD + bad))})
    body = resp.content.decode()
    assert "import-blocked" in body and "import-confirm" not in body
    assert "不在可选项中" in body  # kind
    assert "应填写“是”或“否”" in body  # yes/no
    assert "应为数字" in body  # decimal
    assert "与第 7 行重复" in body  # duplicate code in the file
    assert "请填写“经费标准" in body
    # confirming anyway writes nothing
    resp = c.post(url, {"step": "confirm"})
    assert resp.status_code == 400
    assert sorted(d.items.values_list("code", "title")) == before


def test_import_refuses_what_is_not_a_workbook(world):
    d = draft(world)
    c = world.client(world.users["district"])
    url = reverse("duties:list-import", args=[d.pk])
    resp = c.post(url, {"step": "upload", "file": upload(b"hello", "a.xlsx")})
    assert resp.status_code == 400 and "不是 Excel" in resp.content.decode()
    resp = c.post(url, {"step": "upload", "file": upload(workbook(GOOD, headers=["甲", "乙"]))})
    assert resp.status_code == 400 and "没有找到表头" in resp.content.decode()


def test_export_import_round_trip(world):
    dl = make_list(world)
    exported = Client().get(reverse("duties:list-export", args=[dl.pk]))
    assert exported.status_code == 200
    data = b"".join(exported.streaming_content) if exported.streaming else exported.content
    d = services.create_list(
        world.users["district"],
        org=world.district,
        title="导入的版本",
        effective_from=timezone.localdate() + dt.timedelta(days=3),
    )
    services.replace_items(world.users["district"], d, [])
    c = world.client(world.users["district"])
    url = reverse("duties:list-import", args=[d.pk])
    resp = c.post(url, {"step": "upload", "file": upload(data)})
    assert "import-confirm" in resp.content.decode()
    assert c.post(url, {"step": "confirm"}).status_code == 302

    def rows(lst):
        fields = [f for f in importer.FIELDS]
        return sorted(tuple(getattr(it, f) for f in fields) for it in lst.items.all())

    assert rows(d) == rows(dl)


def test_reader_accepts_short_kind_names_and_yes_no_forms():
    data = workbook(
        [["A", "协助", "甲", "", "", "需要", "1,200.50"], ["B", "负面", "乙", "", "", "×", ""]],
    )
    result = importer.read_items("x.xlsx", data)
    assert result.step is None and not importer.has_errors(result.preview)
    rows = result.rows
    assert rows[0]["kind"] == Kind.ASSIST and rows[0]["funding_required"] is True
    assert rows[0]["funding_standard"] == Decimal("1200.50")
    assert rows[1]["kind"] == Kind.NEGATIVE and rows[1]["funding_required"] is False
