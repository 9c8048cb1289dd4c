"""The page where administrators extend the import synonyms: what they add is read by the next
import, what clashes is refused with a message that says why, only they may use it, and every
add and delete is in the change log."""

import pytest
from django.urls import reverse

from shequ.core import importing
from shequ.core.mapping import add_synonym, synonyms_for
from shequ.core.models import Action, ChangeLogEntry, ImportStatus, ImportSynonym
from shequ.org.models import Building, BuildingUnit, House
from shequ.people.choices import Education
from shequ.people.importer import ResidentImporter
from shequ.people.models import Resident
from tests.people.conftest import HEADERS, person, workbook

KIND = ResidentImporter.kind
PAGE = reverse("core:import-synonyms")
ADD = reverse("core:import-synonym-add")


def _house(world):
    b = Building.objects.create(grid=world.grid_a, compound="宁安小区", number="1栋")
    u = BuildingUnit.objects.create(building=b, number="1单元")
    return House.objects.create(unit=u, number="101")


def _ledger() -> bytes:
    """A clerk's ledger: 姓名 is headed 户内成员 and education is written 大专文化, neither of
    which the template or the shipped synonyms know."""
    headers = ["户内成员" if h == "姓名" else h for h in HEADERS]
    row = person(1, 文化程度="大专文化")
    row["户内成员"] = row.pop("姓名")
    return workbook([row], headers=headers)


def _import(world):
    user = world.users["community_worker"]
    batch = importing.create_batch(user, KIND, world.a.code, "台账.xlsx", _ledger(), {"auto": True})
    importing.validate_batch(batch, user)
    batch.refresh_from_db()
    return batch


def _add(client, **data):
    return client.post(ADD, {"kind": KIND, "target": "", **data})


def test_synonyms_added_on_the_page_are_read_by_the_next_import(world):
    _house(world)
    before = _import(world)
    assert before.status == ImportStatus.FAILED and "姓名" in before.message  # 户内成员 is unknown

    admin = world.client(world.users["sysadmin"])
    page = admin.get(PAGE, {"kind": KIND})
    assert page.status_code == 200
    body = page.content.decode()
    assert "居民信息" in body and "12345工单" in body  # the registered kinds
    assert "大专 → 大学专科" in body  # a shipped value synonym, read-only
    assert "人员姓名" in body and "内置" in body  # a shipped header synonym

    resp = _add(admin, field="name", what="header", source="户内成员")
    assert resp.status_code == 302 and resp["Location"].endswith("#field-name")
    resp = _add(admin, field="education", what="value", source="大专文化", target="大学专科")
    assert resp.status_code == 302

    page = admin.get(resp["Location"]).content.decode()
    assert "已添加：“文化程度”的取值“大专文化”读作“大学专科”。" in page
    # The form is ready for the next value of the same field.
    assert '<option value="education" selected>文化程度</option>' in page
    assert '<option value="value" selected>取值</option>' in page and '<option value="大学专科">' in page
    assert page.count('class="sq-admin-synonym"') == 2
    assert str(world.users["sysadmin"]) in page  # who added them
    logged = ChangeLogEntry.objects.filter(action=Action.CREATE, note__contains="居民信息")
    assert sorted(e.note for e in logged) == [
        "居民信息 · 姓名：列名“户内成员”",
        "居民信息 · 文化程度：取值“大专文化”读作“大学专科”",
    ]

    batch = _import(world)
    assert batch.status == ImportStatus.READY, batch.message
    assert batch.counts["new"] == 1 and not batch.counts.get("rejected")
    importing.commit_batch(batch, world.users["community_worker"])
    resident = Resident.objects.get(community=world.a)
    assert resident.name == "测试1号" and resident.education == Education.COLLEGE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"field": "education", "what": "value", "source": "大专文化", "target": "汉族"},
            "“汉族”不是“文化程度”的选项，请从列表中选择：研究生、大学本科",
        ),
        (
            {"field": "education", "what": "value", "source": "大专文化"},
            "请选择这个写法对应“文化程度”的哪个选项。",
        ),
        (
            {"field": "work_unit", "what": "value", "source": "个体", "target": "大学专科"},
            "“工作单位”不是选项字段，只能添加列名；取值同义词只用于带下拉选项的字段。",
        ),
        (
            {"field": "remarks", "what": "header", "source": "联系电话"},
            "“联系电话”已是“联系电话”的列名。这是内置的列名，一个列名只能对应一个字段，请换一个写法。",
        ),
        (
            {"field": "remarks", "what": "header", "source": "人员姓名"},  # a shipped one
            "“人员姓名”已是“姓名”的列名。这是内置的列名",
        ),
        (
            {"field": "remarks", "what": "header", "source": "户内 成员"},  # an administrator's
            "“户内 成员”已是“姓名”的列名。如要改为“备注”，请先在“姓名”下删除这条同义词。",
        ),
        (
            {"field": "name", "what": "header", "source": "户内成员"},
            "“户内成员”已是“姓名”的列名，无需重复添加。",
        ),
        (
            {"field": "education", "what": "value", "source": "大专文化", "target": "大学专科"},
            "“大专文化”已添加过，读作“大学专科”。",
        ),
        (
            {"field": "education", "what": "value", "source": "大专文化", "target": "普通高中"},
            "“大专文化”已设为读作“大学专科”；如要改为“普通高中”，请先删除那条同义词。",
        ),
        (
            {"field": "education", "what": "value", "source": "大专", "target": "大学专科"},
            "“大专”已是内置同义词，读作“大学专科”，无需添加。",
        ),
        (
            {"field": "education", "what": "value", "source": "大学 专科", "target": "大学专科"},
            "“大学 专科”本身就是“文化程度”的选项，导入时直接识别，无需添加同义词。",
        ),
        (
            {"field": "name", "what": "header", "source": "序号"},
            "“序号”这样的序号列导入时总是略过，不能作为“姓名”的列名。",
        ),
    ],
)
def test_refusals_say_why(world, data, message):
    actor = world.users["district"]
    add_synonym(actor, KIND, "name", "header", "户内成员")
    add_synonym(actor, KIND, "education", "value", "大专文化", "大学专科")
    rows, logged = ImportSynonym.objects.count(), ChangeLogEntry.objects.count()
    resp = _add(world.client(actor), **data)
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert ImportSynonym.objects.count() == rows and ChangeLogEntry.objects.count() == logged


def test_a_shipped_value_can_be_read_otherwise(world):
    """A value the shipped synonyms read one way (高职 → 大学专科) is read as the administrator
    says; the page strikes the shipped reading through."""
    admin = world.client(world.users["sysadmin"])
    resp = _add(admin, field="education", what="value", source="高职", target="中等职业教育")
    assert resp.status_code == 302
    assert synonyms_for(ResidentImporter).values["education"]["高职"] == "中等职业教育"
    page = admin.get(PAGE).content.decode()
    assert 'text-decoration-line-through" title="已改为读作“中等职业教育”">高职 → 大学专科' in page


def test_only_administrators(world):
    synonym = add_synonym(world.users["sysadmin"], KIND, "name", "header", "户内成员")
    worker = world.client(world.users["community_worker"])
    resp = worker.get(PAGE)
    assert (
        resp.status_code == 403 and "只有系统管理员和区级管理员可以维护导入同义词。" in resp.content.decode()
    )
    assert _add(worker, field="name", what="header", source="家庭成员").status_code == 403
    delete = reverse("core:import-synonym-delete", args=[synonym.pk])
    assert worker.post(delete, {"kind": KIND}).status_code == 403
    assert list(ImportSynonym.objects.values_list("source", flat=True)) == ["户内成员"]
    # The import list offers the page to those who may use it, and to no one else.
    assert "import-synonyms-link" not in worker.get(reverse("core:import-list")).content.decode()
    admin = world.client(world.users["district"])
    assert reverse("core:import-synonyms") in admin.get(reverse("core:import-list")).content.decode()
    from django.test import Client

    anonymous = Client().get(PAGE)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("core:login"))


def test_delete_is_logged_and_the_import_no_longer_reads_it(world):
    _house(world)
    actor = world.users["district"]
    synonym = add_synonym(actor, KIND, "name", "header", "户内成员")
    assert _import(world).status == ImportStatus.READY
    client = world.client(actor)
    resp = client.post(reverse("core:import-synonym-delete", args=[synonym.pk]), {"kind": KIND})
    assert resp.status_code == 302
    assert not ImportSynonym.objects.exists()
    entry = ChangeLogEntry.objects.get(action=Action.DELETE)
    assert entry.user == actor and entry.note == "居民信息 · 姓名：列名“户内成员”"
    assert entry.before["source"] == "户内成员" and entry.object_id == str(synonym.pk)
    assert "已删除同义词“户内成员”。" in client.get(resp["Location"]).content.decode()
    assert _import(world).status == ImportStatus.FAILED
    # A second click on the same button finds it gone: said so, nothing else logged.
    again = client.post(reverse("core:import-synonym-delete", args=[synonym.pk]), {"kind": KIND})
    assert again.status_code == 302
    assert "该同义词已不存在，可能已被删除。" in client.get(again["Location"]).content.decode()
    assert ChangeLogEntry.objects.filter(action=Action.DELETE).count() == 1


def test_target_labels_follow_the_field(world):
    """Choosing a field (or the kind of synonym) reloads the target select with its labels."""
    admin = world.client(world.users["sysadmin"])
    headers = {"HX-Request": "true", "HX-Target": "synonym-target"}
    resp = admin.get(PAGE, {"kind": KIND, "field": "education", "what": "value"}, headers=headers)
    html = resp.content.decode()
    assert resp.status_code == 200 and html.startswith('<div id="synonym-target">')
    assert '<option value="大学专科">' in html and "disabled" not in html
    html = admin.get(PAGE, {"kind": KIND, "field": "name", "what": "value"}, headers=headers).content.decode()
    assert "disabled" in html and "该字段不是选项字段，只能添加列名。" in html
    # The full page: the fields by their Chinese headers; a kind without choice fields offers
    # header synonyms only.
    page = admin.get(PAGE, {"kind": "cases.hotline"}).content.decode()
    assert '<option value="order_no">工单编号</option>' in page
    assert '<option value="header">列名</option>' in page and '<option value="value">' not in page
    assert admin.get(PAGE, {"kind": "no.such"}).status_code == 404


def test_duty_list_synonyms_are_kept_on_the_same_page_and_read(world):
    """The duty lists are read by the same engine without batches: their synonyms are on the page
    too, and what an administrator adds is read by the next duty-list file."""
    from shequ.duties.importer import read_items
    from tests.duties.test_lists import GOOD, workbook

    admin = world.client(world.users["sysadmin"])
    body = admin.get(PAGE, {"kind": "duties.items"}).content.decode()
    assert "事项清单" in body and "负面 → 负面清单事项" in body
    rows = [[*GOOD[0][:1], "法定职责", *GOOD[0][2:]]]
    assert "“法定职责”不在可选项中" in read_items("清单.xlsx", workbook(rows)).preview[0]["errors"][0]
    resp = _add(
        admin, kind="duties.items", field="kind", what="value", source="法定职责", target="依法履行职责事项"
    )
    assert resp.status_code == 302
    items = read_items("清单.xlsx", workbook(rows))
    assert items.rows[0]["kind"] == "statutory" and not items.preview[0]["errors"]
    assert any("“法定职责” → 依法履行职责事项：1 行" in n for n in items.notes)
