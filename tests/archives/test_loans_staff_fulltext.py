"""Lending reminders (once per loan and state, to the approver and the archive staff), overdue loans
flagged on the lending pages, the archivists' training in the staff report, and full-text search
over the text layer of filed PDFs."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.archives import checks, services
from shequ.archives.models import UseRequest
from shequ.archives.views import search
from shequ.core.models import Membership
from tests.archives.factories import charge, keeper, make_item, make_request


def _lent(world, side="a", due_in=5):
    req = make_request(world, side)
    k = keeper(world, side)
    services.move_request(world.users["community_lead"] if side == "a" else k, req.pk, "approve")
    services.move_request(k, req.pk, "lend", due_on=timezone.localdate() + dt.timedelta(days=due_in))
    return UseRequest.objects.get(pk=req.pk)


@pytest.fixture
def outbox(django_capture_on_commit_callbacks):
    from shequ.core.models import Notification

    def run(**kw):
        with django_capture_on_commit_callbacks(execute=True):
            return services.remind_loans(**kw)

    run.rows = lambda template: list(Notification.objects.filter(template=template))
    return run


def test_due_soon_and_overdue_reminded_once_each(world, outbox, settings):
    settings.ARCHIVE_LOAN_REMIND_DAYS = 3
    today = timezone.localdate()
    far = _lent(world, "a", due_in=10)
    soon = _lent(world, "a", due_in=2)
    assert outbox(today=today) == {"due": 1, "overdue": 0}
    due_rows = outbox.rows("archives.loan_due")
    approver, staff = soon.decided_by, set(services.archive_staff(soon.scope_code))
    told = {n.user_id for n in due_rows}
    assert approver.pk in told and {u.pk for u in staff} <= told
    assert all(soon.number in n.body and "还有 2 天" in n.body for n in due_rows)
    # a rerun sends nothing again
    assert outbox(today=today) == {"due": 0, "overdue": 0}
    assert len(outbox.rows("archives.loan_due")) == len(due_rows)
    # days later: the first loan is overdue (told once), the second now due soon
    later = today + dt.timedelta(days=8)
    assert outbox(today=later) == {"due": 1, "overdue": 1}
    over = outbox.rows("archives.loan_overdue")
    assert over and all(soon.number in n.body and "已逾期 6 天" in n.body for n in over)
    assert outbox(today=later + dt.timedelta(days=1)) == {"due": 0, "overdue": 0}
    far.refresh_from_db()
    soon.refresh_from_db()
    assert far.due_reminded_at and not far.overdue_reminded_at
    assert soon.due_reminded_at and soon.overdue_reminded_at


def test_overdue_without_earlier_notice_gets_one_overdue_only_and_returned_loans_none(world, outbox):
    late = _lent(world, "a", due_in=1)
    back = _lent(world, "b", due_in=1)
    services.move_request(keeper(world, "b"), back.pk, "return")
    assert outbox(today=timezone.localdate() + dt.timedelta(days=5)) == {"due": 0, "overdue": 1}
    late.refresh_from_db()
    assert late.due_reminded_at and late.overdue_reminded_at
    assert not outbox.rows("archives.loan_due")


def test_reminder_task_is_on_the_beat_schedule_and_runs(world, outbox, settings):
    from shequ.archives import tasks

    assert settings.CELERY_BEAT_SCHEDULE["archive-loans"]["task"] == "shequ.archives.tasks.remind_loans"
    _lent(world, "a", due_in=1)
    assert tasks.remind_loans.delay().get() == {"due": 1, "overdue": 0}


def test_overdue_loans_flagged_on_the_lending_pages(world, client):
    req = _lent(world, "a", due_in=3)
    UseRequest.objects.filter(pk=req.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    client.force_login(keeper(world, "a"))
    page = client.get(reverse("archives:request-list")).content.decode()
    assert 'id="overdue-alert"' in page and 'data-overdue="1"' in page
    only = client.get(reverse("archives:request-list"), {"status": "overdue"}).content.decode()
    assert req.number in only
    detail = client.get(reverse("archives:request-detail", args=[req.pk])).content.decode()
    assert 'id="overdue-badge"' in detail


def test_staff_report_shows_archivists_training_or_none_recorded(world, client):
    from shequ.archives.reports import report
    from shequ.workforce import services as wf
    from shequ.workforce.models import Worker
    from tests.workforce.factories import make_worker

    street = charge(world)
    trained = keeper(world, "a")
    w = make_worker(world, "a", name="宁档案")
    Worker.objects.filter(pk=w.pk).update(user=trained)
    t = wf.create_training(street, world.community("a").code, title="社区档案管理实务", organiser="其他",
                           kind="岗中培训", start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 2), days=2)  # fmt: skip
    wf.sign_in(street, t.pk, w.pk, passed=True)
    rep = report(street, None)
    rows = {r["name"]: r for r in rep["staff"]}
    mine = rows[str(trained)]
    assert [x.title for x in mine["training"]] == ["社区档案管理实务"] and mine["training"][0].passed is True
    other = rows[str(keeper(world, "b"))]
    assert other["training"] is None
    client.force_login(trained)  # a community's archivist: the community lead beside them has no record
    page = client.get(reverse("archives:report")).content.decode()
    assert "社区档案管理实务" in page and "未记录培训" in page
    from django.test import Client

    api = Client(HTTP_AUTHORIZATION="Bearer " + world.token(trained)).get("/api/v1/archives/report").json()
    assert any(s["training"] and s["training"][0]["title"] == "社区档案管理实务" for s in api["staff"])
    assert any(s["training"] is None for s in api["staff"])


def _pdf(lines) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 14)
    for i, line in enumerate(lines):
        c.drawString(72, 760 - 22 * i, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_text_layer_is_extracted_and_searchable(world, client):
    data = _pdf(["人民调解协议书", "甲方 陈建国 乙方 周强", "楼上卫生间渗水赔偿二千元"])
    assert "渗水赔偿" in checks.pdf_text(data)
    item = make_item(world, "a", title="调解协议书", carrier="electronic", files=[("协议.pdf", data)])
    f = item.files.get()
    assert f.format == "pdf" and "卫生间渗水" in f.text and f.check_ok
    other = make_item(
        world, "a", title="另一份协议", carrier="electronic", files=[("b.pdf", _pdf(["停车位纠纷"]))]
    )
    k = keeper(world, "a")
    assert list(search(k, {"q": "渗水赔偿"})) == [item]
    assert list(search(k, {"q": "停车位"})) == [other]
    client.force_login(k)
    page = client.get(reverse("archives:item-list"), {"q": "渗水赔偿"}).content.decode()
    assert item.reference in page and other.reference not in page
    # a file added later is searchable too
    services.attach_file(k, other.pk, "补充.pdf", _pdf(["补充说明 物业费减免"]))
    assert list(search(k, {"q": "物业费减免"})) == [other]


def test_scan_without_text_layer_is_found_by_its_description_only(world):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buf, format="PDF")  # an image-only PDF, as a scanner makes
    assert checks.pdf_text(buf.getvalue()) == ""
    item = make_item(
        world, "a", title="扫描件 邻里纠纷登记", carrier="electronic", files=[("scan.pdf", buf.getvalue())]
    )
    assert item.files.get().text == ""
    assert list(search(keeper(world, "a"), {"q": "邻里纠纷登记"})) == [item]
    assert checks.pdf_text(b"%PDF-1.4 broken") == ""


def test_archivist_without_membership_duty_is_not_listed(world):
    from shequ.archives.reports import archive_staff_rows

    Membership.objects.filter(user=keeper(world, "b")).update(duties=[])
    rows = archive_staff_rows([world.community("a").code, world.community("b").code])
    assert str(keeper(world, "b")) not in {r["name"] for r in rows}
