"""The task, refusal and certificate pages: lists (overdue first, department and street views,
export), the task page with its reports and funding, refusals and certificates with their printed
letters, and the rule that a department has no path to put a task on a community without admission."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shequ.core.models import Attachment
from shequ.core.testing.scope import api_operations, page_url_names
from shequ.duties.models import (
    Certificate,
    CertificateRefusal,
    FundingCommitment,
    Refusal,
    Task,
    TaskReport,
    TaskStatus,
)
from tests.cases.factories import photo_bytes
from tests.duties.factories import (
    make_certificate,
    make_certificate_refusal,
    make_list,
    make_refusal,
    make_request,
    make_task,
)
from tests.people.factories import make_resident

pytestmark = pytest.mark.django_db


def _overdue(task, days=3):
    Task.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - dt.timedelta(days=days))
    task.refresh_from_db()
    return task


# --- the task list ----------------------------------------------------------------------------------
def test_community_task_list_flags_overdue_first(world):
    later = make_task(world, "a")
    late = _overdue(make_task(world, "a"))
    body = world.client(world.users["community_worker"]).get(reverse("duties:task-list")).content.decode()
    assert later.title in body and late.title in body
    assert body.index(late.title) < body.index(later.title)  # overdue sorted first
    row = body[body.index(late.title) : body.index(later.title)]
    assert "超期" in row and "text-danger" in row
    assert 'role="progressbar"' in body
    assert "宁安社区</td>" not in body  # one community: no community column


def test_street_list_has_community_column_filters_and_export(world):
    a, b = make_task(world, "a"), make_task(world, "b")
    _overdue(b)
    client = world.client(world.users["street"])
    body = client.get(reverse("duties:task-list")).content.decode()
    assert a.title in body and b.title in body and "郭岭社区" in body
    only_b = client.get(reverse("duties:task-list"), {"community": world.b.pk}).content.decode()
    assert b.title in only_b and a.title not in only_b
    late = client.get(reverse("duties:task-list"), {"overdue": "on"}).content.decode()
    assert b.title in late and a.title not in late
    dept = client.get(reverse("duties:task-list"), {"department": "区人社局"}).content.decode()
    assert b.title in dept and a.title not in dept
    export = client.get(reverse("duties:task-list"), {"export": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["下派部门", "任务名称", "社区"]
    assert {r[1] for r in rows[1:3]} == {a.title, b.title}


def test_department_sees_only_its_own_tasks(world):
    mine, other = make_task(world, "a"), make_task(world, "b")  # 区民政局 / 区人社局
    body = world.client(world.users["department"]).get(reverse("duties:task-list")).content.decode()
    assert mine.title in body and other.title not in body


def test_grid_worker_and_resident_have_no_task_list(world):
    for role in ("grid_worker", "resident"):
        assert world.client(world.users[role]).get(reverse("duties:task-list")).status_code == 403


# --- the task page ----------------------------------------------------------------------------------
def test_task_page_shows_request_burden_funding_and_report_form(world):
    task = make_task(world, "a")
    url = reverse("duties:task-detail", args=[task.pk])
    body = world.client(world.users["community_worker"]).get(url).content.decode()
    assert task.request.number in body
    assert reverse("duties:request-detail", args=[task.request_id]) not in body  # not visible to them
    assert 'id="report-form"' in body and 'id="funding-form"' not in body
    assert "2000.00" in body  # committed funding
    assert "台账" in body
    dept = world.client(world.users["department"]).get(url).content.decode()
    assert reverse("duties:request-detail", args=[task.request_id]) in dept
    assert 'id="funding-form"' in dept and 'id="report-form"' not in dept


def test_progress_report_then_completion_report_completes_the_task(world):
    task = make_task(world, "a")
    client = world.client(world.users["community_worker"])
    url = reverse("duties:task-report", args=[task.pk])
    resp = client.post(
        url,
        {
            "progress": 40,
            "hours": "3.5",
            "note": "已入户评估 12 户",
            "expected_version": task.version,
            "files": [SimpleUploadedFile("evidence.jpg", photo_bytes(), "image/jpeg")],
        },
    )
    assert resp.status_code == 302
    task.refresh_from_db()
    assert (task.progress, task.status, str(task.hours_spent)) == (40, TaskStatus.ACTIVE, "3.5")
    report = TaskReport.objects.get(task=task)
    assert Attachment.objects.filter(owner_id=str(report.pk)).count() == 1
    resp = client.post(
        url, {"progress": 90, "hours": "2", "note": "全部评估完成并录入系统", "completes": "on"}
    )
    assert resp.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.progress == 100 and task.completed_at
    page = client.get(reverse("duties:task-detail", args=[task.pk])).content.decode()
    assert "完成报告" in page and "已入户评估 12 户" in page and "sq-thumb" in page
    assert 'id="report-form"' not in page  # nothing more to report
    again = client.post(url, {"progress": 100, "hours": "1", "note": "补充材料"})
    assert again.status_code == 409  # the task is done: the service refuses


def test_report_with_a_stale_version_is_refused_on_the_page(world):
    task = make_task(world, "a")
    resp = world.client(world.users["community_worker"]).post(
        reverse("duties:task-report", args=[task.pk]),
        {"progress": 10, "hours": "1", "note": "开始入户", "expected_version": task.version - 1},
    )
    assert resp.status_code == 409
    assert 'id="task-error"' in resp.content.decode()
    assert not TaskReport.objects.exists()


def test_department_cannot_report_progress(world):
    task = make_task(world, "a")
    client = world.client(world.users["department"])
    resp = client.post(
        reverse("duties:task-report", args=[task.pk]),
        {"progress": 100, "hours": "0", "note": "部门代报完成", "completes": "on"},
    )
    assert resp.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.ACTIVE and not TaskReport.objects.exists()


def test_department_records_funding_and_community_cannot(world):
    task = make_task(world, "a")
    url = reverse("duties:task-funding", args=[task.pk])
    assert world.client(world.users["community_lead"]).post(url, {"amount": "500"}).status_code == 403
    assert world.client(world.users["department"]).post(url, {"amount": "500"}).status_code == 302
    assert FundingCommitment.objects.get(task=task).delivered == 500
    too_much = world.client(world.users["department"]).post(url, {"amount": "5000"})
    assert too_much.status_code == 400 and "累计不超过承诺金额" in too_much.content.decode()


# --- refusals ---------------------------------------------------------------------------------------
def test_community_lead_refuses_an_unadmitted_task_and_prints_the_letter(world):
    make_list(world)
    client = world.client(world.users["community_lead"])
    assert client.get(reverse("duties:refusal-create")).status_code == 200
    resp = client.post(
        reverse("duties:refusal-create"),
        {
            "community": world.a.pk,
            "department": "区商务局",
            "title": "协助招商引资项目对接",
            "description": "要求社区每月报送招商线索",
            "received_on": "2026-11-18",
            "channel": "微信群",
        },
    )
    refusal = Refusal.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("duties:refusal-detail", args=[refusal.pk])
    letter = client.get(resp["Location"]).content.decode()
    assert "社区拒收未经准入事项告知书" in letter
    assert refusal.number in letter and "区商务局：" in letter
    assert "江夏区纸坊街道宁安社区居民委员会" in letter
    assert "负面清单" in letter and "招商引资" in letter  # the negative item is cited
    assert "@media print" in letter and "2026年11月18日" in letter


def test_refusal_without_a_negative_item_cites_the_admission_rule(world):
    refusal = make_refusal(world, "a")
    letter = world.client(world.users["community_worker"]).get(refusal.get_absolute_url()).content.decode()
    assert "未经社区工作准入审核" in letter and "社区有权拒绝承接" in letter


def test_community_worker_cannot_refuse(world):
    resp = world.client(world.users["community_worker"]).get(reverse("duties:refusal-create"))
    assert resp.status_code == 403


def test_refusal_lists_for_street_and_department(world):
    a, b = make_refusal(world, "a"), make_refusal(world, "b")
    street = world.client(world.users["street"]).get(reverse("duties:refusal-list")).content.decode()
    assert a.number in street and b.number in street
    named = make_refusal(world, "a")
    Refusal.objects.filter(pk=named.pk).update(department="区民政局")
    dept = world.client(world.users["department"]).get(reverse("duties:refusal-list")).content.decode()
    assert named.number in dept and a.number not in dept


# --- certificates -----------------------------------------------------------------------------------
def _cert_form(world, resident, item_code="ZM-01", **over):
    item = make_list(world).items.get(code=item_code)
    data = {
        "community": world.a.pk,
        "item": item.pk,
        "resident": resident.pk,
        "purpose": "办理居住证",
        "content": f"兹证明{resident.name}自2020年起居住于本社区。",
    }
    data.update(over)
    return data


def test_certificate_is_issued_and_printed(world):
    make_list(world)
    resident = make_resident(world, "a")
    client = world.client(world.users["community_worker"])
    form = client.get(reverse("duties:certificate-create")).content.decode()
    assert "居住情况证明" in form and "兹证明……" in form
    assert "无犯罪记录证明" not in form  # only the certificate types of the list are offered
    resp = client.post(reverse("duties:certificate-create"), _cert_form(world, resident))
    cert = Certificate.objects.get()
    assert resp.status_code == 302
    page = client.get(cert.get_absolute_url()).content.decode()
    assert cert.number in page and resident.name in page and "办理居住证" in page
    assert "江夏区纸坊街道宁安社区居民委员会" in page and "（盖章）" in page
    assert "@media print" in page and "特此证明" in page
    assert resident.doc_number not in page


def test_certificate_only_from_the_list(world):
    resident = make_resident(world, "a")
    client = world.client(world.users["community_worker"])
    for code in ("FM-02", "XZ-01"):  # a negative item and an assist item are not certificate types
        resp = client.post(reverse("duties:certificate-create"), _cert_form(world, resident, code))
        assert resp.status_code == 400
    assert not Certificate.objects.exists()


def test_resident_of_another_community_is_refused(world):
    stranger = make_resident(world, "b")
    client = world.client(world.users["community_worker"])
    resp = client.post(reverse("duties:certificate-create"), _cert_form(world, stranger))
    assert resp.status_code == 400
    assert not Certificate.objects.exists()


def test_resident_search_is_by_name_within_the_community_and_masked(world):
    mine, theirs = make_resident(world, "a"), make_resident(world, "b")
    client = world.client(world.users["community_worker"])
    body = client.get(reverse("duties:certificate-residents"), {"q": "居民"}).content.decode()
    assert mine.name in body and theirs.name not in body
    assert mine.doc_number not in body and mine.doc_number[-4:] in body and "****" in body
    empty = client.get(reverse("duties:certificate-residents"), {"q": "查无此人"}).content.decode()
    assert "没有该姓名的居民" in empty


def test_certificate_refusal_prints_the_rule_and_where_to_go(world):
    make_list(world)
    client = world.client(world.users["community_worker"])
    resp = client.post(
        reverse("duties:certificate-refuse"),
        {"community": world.a.pk, "requested": "无犯罪记录证明", "requester_name": "王某", "purpose": "入职"},
    )
    refusal = CertificateRefusal.objects.get()
    assert resp.status_code == 302
    letter = client.get(refusal.get_absolute_url()).content.decode()
    assert "不予出具证明告知书" in letter and refusal.number in letter and "王某：" in letter
    assert "民发〔2020〕94号" in letter  # the rule
    assert "户籍所在地或居住地公安派出所" in letter  # where to go instead
    assert "江夏区纸坊街道宁安社区居民委员会" in letter and "@media print" in letter


def test_a_listed_certificate_typed_into_the_refusal_form_is_sent_to_issuing(world):
    item = make_list(world).items.get(code="ZM-01")
    client = world.client(world.users["community_worker"])
    data = {"community": world.a.pk, "requested": "居住情况证明", "requester_name": "王某"}
    resp = client.post(reverse("duties:certificate-refuse"), data)
    body = resp.content.decode()
    assert resp.status_code == 409
    assert "请直接出具证明" in body
    assert f"{reverse('duties:certificate-create')}?item={item.pk}" in body
    htmx = client.post(reverse("duties:certificate-refuse"), data, headers={"HX-Request": "true"})
    assert htmx["HX-Retarget"] == "#refuse-form-wrap" and 'id="listed-hint"' in htmx.content.decode()
    assert not CertificateRefusal.objects.exists()


def test_certificate_list_searches_and_shows_refusals(world):
    cert, refusal = make_certificate(world, "a"), make_certificate_refusal(world, "a")
    client = world.client(world.users["community_worker"])
    found = client.get(reverse("duties:certificate-list"), {"q": cert.requester_name}).content.decode()
    assert cert.number in found
    assert cert.number not in client.get(reverse("duties:certificate-list"), {"q": "无此人"}).content.decode()
    refused = client.get(reverse("duties:certificate-list"), {"tab": "refused"}).content.decode()
    assert refusal.number in refused and "户籍所在地或居住地公安派出所" in refused


def test_department_sees_no_certificates(world):
    make_certificate(world, "a")
    assert world.client(world.users["department"]).get(reverse("duties:certificate-list")).status_code == 403


# --- no path to a task without admission ------------------------------------------------------------
PAYLOAD = {
    "title": "要求社区开展养老机构安全排查",
    "description": "请各社区本周内完成辖区养老机构安全排查并报送台账",
    "department": "区民政局",
    "community": "420115001001",
    "communities": ["420115001001"],
    "start_date": "2026-12-01",
    "end_date": "2026-12-31",
    "deadline": "2026-12-31",
    "frequency": "once",
    "kind": "assist",
    "progress": 100,
    "hours": "1",
    "note": "部门代为完成",
    "completes": True,
    "amount": "100",
    "choice": "approve",
    "status": "approved",
    "confirm_duplicate": True,
    "urgent": True,
    "urgent_reason": "上级紧急交办",
    "reason": "上级要求",
    "requested": "养老机构安全排查证明",
    "requester_name": "区民政局",
    "purpose": "排查",
    "content": "兹证明已完成排查。",
    "received_on": "2026-11-20",
    "channel": "文件",
    "comment": "同意",
    "ledgers": 3,
    "hours_per_month": "8",
    "funding_per_community": "0",
}


def _fill(pattern: str, ids) -> list[str]:
    """Every way of filling a route's parameters with the ids at hand."""
    names = re.findall(r"<(?:\w+:)?(\w+)>|\{(?:\w+:)?(\w+)\}", pattern)
    if not names:
        return [pattern]
    out = []
    for i in ids:
        path = re.sub(r"<(?:\w+:)?\w+>|\{(?:\w+:)?\w+\}", str(i), pattern)
        out.append(path)
    return out


def test_a_department_has_no_path_to_create_a_community_task_without_admission(world):
    pending = make_request(world, "a", state="review")
    task = make_task(world, "a")
    ids = sorted({pending.pk, task.pk, task.request_id, world.a.pk, 1})
    user = world.users["department"]
    before = Task.objects.count()
    session = world.client(user)
    session.raise_request_exception = False
    form = {k: (v[0] if isinstance(v, list) else v) for k, v in PAYLOAD.items()}
    form["community"] = world.a.pk
    tried = 0
    for name in sorted(n for n in page_url_names() if n.startswith("duties:")):
        route = _route_of(name)
        for path in _fill(route, ids):
            for method in ("post", "put"):
                getattr(session, method)(path, form if method == "post" else json.dumps(PAYLOAD))
                tried += 1
    token = world.token(user)
    api = Client(raise_request_exception=False)
    headers = {"Authorization": f"Bearer {token}"}
    for op in sorted(o for o in api_operations() if o.split(" ", 1)[1].startswith("/api/v1/duties")):
        method, route = op.split(" ", 1)
        if method not in ("POST", "PUT", "PATCH"):
            continue
        for path in _fill(route, ids):
            getattr(api, method.lower())(
                path, json.dumps(PAYLOAD), content_type="application/json", headers=headers
            )
            tried += 1
    assert tried > 20
    assert Task.objects.count() == before


def _route_of(name: str) -> str:
    """The path of a named duties page, with its parameters left as <…> placeholders."""
    from django.urls import get_resolver

    ns, short = name.split(":", 1)
    resolver = get_resolver().namespace_dict[ns][1]
    prefix = get_resolver().namespace_dict[ns][0]
    possibilities = resolver.reverse_dict.getlist(short)
    pattern = possibilities[0][0][0][0]  # e.g. "tasks/%(pk)s/report/"
    return "/" + prefix + re.sub(r"%\((\w+)\)s", r"<\1>", pattern)
