"""The change log reads as people speak: each object by its name (never "AppraisalForm object (2)"),
each changed field by its label (never completed_at、hours_spent), and the internal request id kept
out of the table (in each row's tooltip, the filter and the export)."""

import io
import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from python_calamine import CalamineWorkbook

from shequ.core import changelog
from shequ.core.models import Action, ChangeLogEntry
from shequ.duties import services as duties
from shequ.duties.models import AppraisalForm, Task
from tests.cases.factories import make_case
from tests.duties import factories as f
from tests.people.factories import make_resident

pytestmark = pytest.mark.django_db

DEFAULT_REPR = re.compile(r"object \(")
CJK = re.compile(r"[\u4e00-\u9fff]")


def shequ_models():
    return [m for m in apps.get_models() if m.__module__.startswith("shequ.")]


def test_every_model_names_itself():
    plain = [m._meta.label for m in shequ_models() if m.__str__ is models.Model.__str__]
    assert plain == [], f"models without __str__ (the change log would say 'X object (1)'): {plain}"


@pytest.fixture
def everything(world):
    """At least one row of most models, made through the services."""
    make_case(world, "a", "evaluated")
    make_resident(world, "a")
    task = f.make_task(world)
    community = f.community_actor(world, "a")
    duties.report_progress(community, task.pk, progress=40, hours=3, note="已入户 20 户")
    duties.record_funding(world.users["department"], task.pk, 1000)
    f.make_refusal(world)
    f.make_certificate(world)
    f.make_entry(world)
    f.make_appraisal(world)
    return world


def test_no_row_of_any_model_reads_as_object_n(everything):
    seen = 0
    for model in shequ_models():
        for obj in model._default_manager.all()[:5]:
            assert not DEFAULT_REPR.search(str(obj)), f"{model._meta.label}: {obj}"
            seen += 1
    assert seen > 50
    logged = ChangeLogEntry.objects.filter(object_repr__contains="object (")
    assert list(logged.values_list("object_repr", flat=True)) == []


def test_every_field_has_a_label():
    unlabelled = []
    for model in shequ_models():
        for field in model._meta.get_fields():
            if field.auto_created and field.concrete:  # the primary key
                continue
            label = changelog.field_label(model, field.name)
            if not CJK.search(label):
                unlabelled.append(f"{model._meta.label}.{field.name} → {label}")
    assert unlabelled == []


def test_change_log_page_shows_names_and_labels_not_codes(everything):
    world = everything
    task = Task.objects.get()
    form = AppraisalForm.objects.get()
    street = world.client(world.users["street"])
    body = street.get("/changelog/").content.decode()
    table = body[body.index('id="list-table"') :]
    assert "AppraisalForm object" not in table and str(form) in table
    assert "completed_at" not in table and "hours_spent" not in table
    assert "累计用时（小时）" in table and "进度（%）" in table
    # The request id: not a column, but each row's tooltip (to trace it) and the export.
    entry = ChangeLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Task)).latest("id")
    assert "<th" in table and "请求编号</a>" not in table and ">请求编号<" not in table
    assert f'title="请求编号 {entry.request_id}"' in table
    assert f">{entry.request_id}<" not in table
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(street.get("/changelog/", {"export": "xlsx"}).content))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert "请求编号" in rows[0] and any(entry.request_id in map(str, r) for r in rows[1:])
    assert task.title in body


def test_rows_written_before_a_model_had_a_name_show_its_name(everything):
    world = everything
    form = AppraisalForm.objects.get()
    ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(AppraisalForm), object_id=str(form.pk)
    ).update(object_repr=f"AppraisalForm object ({form.pk})")
    body = world.client(world.users["street"]).get("/changelog/").content.decode()
    table = body[body.index('id="list-table"') :]
    assert "AppraisalForm object" not in table and str(form) in table


def test_history_tab_shows_field_labels(world):
    from shequ.org import services as org
    from shequ.org.models import Grid

    lead = world.users["community_lead"]
    org.update_grid(lead, world.grid_a.pk, name="宁安一格")
    ct = ContentType.objects.get_for_model(Grid).pk
    body = world.client(lead).get(f"/history/{ct}/{world.grid_a.pk}/").content.decode()
    assert "网格名称" in body and "<code>name</code>" not in body


def test_field_label_order():
    from shequ.duties.models import DutyList, DutyPolicy

    assert changelog.field_label(Task, "completed_at") == "完成时间"  # its verbose name
    assert changelog.field_label(DutyList, "published_by") == "发布人"  # the kernel's label
    assert changelog.field_label(Task, "request") == "准入申请"  # the related model
    assert changelog.field_label(DutyPolicy, "members") == "审核小组成员"  # a reverse relation
    assert changelog.field_label(Task, "no_such_field") == "no_such_field"
    assert changelog.field_labels(Task, ["progress", "hours_spent", "progress"]) == [
        "进度（%）",
        "累计用时（小时）",
    ]
    assert Action.UPDATE  # the module's names stay importable
