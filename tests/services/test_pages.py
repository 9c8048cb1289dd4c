"""The services pages: the record form (one record however often it is sent), the resident's page
with its services panel, refusals shown next to their field, the report and the ledger export."""

import datetime as dt
import io
import json
import uuid

from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shequ.people.models import ResidentTag, TagDefinition
from shequ.services.models import Service, ServiceRecord
from tests.people.factories import make_resident
from tests.services.factories import make_record, make_service


def test_record_form_sent_twice_makes_one_record_and_the_resident_page_shows_it(world):
    svc, r = make_service(world, "a", name="助浴服务"), make_resident(world, "a")
    c = world.client(world.users["community_worker"])
    page = c.get(reverse("services:record-create"), {"resident": r.pk})
    assert page.status_code == 200 and "service-resident" in page.content.decode()
    token = uuid.uuid4().hex
    data = {"form_token": token, "resident": str(r.pk), "service": str(svc.pk), "served_on": timezone.localdate().isoformat(),
            "outcome": "done", "note": "上门助浴一次"}  # fmt: skip
    first = c.post(reverse("services:record-create"), data)
    second = c.post(reverse("services:record-create"), data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert ServiceRecord.objects.count() == 1
    resident_page = c.get(reverse("people:resident-detail", args=[r.pk])).content.decode()
    assert 'id="services"' in resident_page and "助浴服务" in resident_page
    # A grid worker reads the registry, not the service records: no panel.
    grid_page = world.client(world.users["grid_worker"]).get(reverse("people:resident-detail", args=[r.pk]))
    assert grid_page.status_code == 200 and "助浴服务" not in grid_page.content.decode()


def test_record_form_refuses_a_follow_up_before_the_service(world):
    svc, r = make_service(world, "a"), make_resident(world, "a")
    c = world.client(world.users["community_worker"])
    today = timezone.localdate()
    resp = c.post(reverse("services:record-create"), {
        "form_token": uuid.uuid4().hex, "resident": str(r.pk), "service": str(svc.pk), "served_on": today.isoformat(),
        "outcome": "done", "follow_up_due": (today - dt.timedelta(days=2)).isoformat(),
    })  # fmt: skip
    assert resp.status_code == 400 and "不能早于服务日期" in resp.content.decode()
    assert not ServiceRecord.objects.exists()
    stale = c.post(reverse("services:record-create"), {"form_token": "x", "resident": str(r.pk), "service": str(svc.pk),
                                                       "served_on": today.isoformat(), "outcome": "done"})  # fmt: skip
    assert stale.status_code == 400 and "表单已失效" in stale.content.decode()


def test_service_form_refuses_a_price_on_a_free_service(world):
    c = world.client(world.users["community_worker"])
    cat = str(
        __import__("shequ.services.models", fromlist=["ServiceCategory"])
        .ServiceCategory.objects.get(code="elder")
        .pk
    )
    resp = c.post(reverse("services:service-create"), {"org": world.a.code, "name": "免费助餐", "category": cat,
                                                       "mode": "free", "price": "8", "provider_kind": "community"})  # fmt: skip
    assert resp.status_code == 400 and "无偿服务不收费" in resp.content.decode()
    assert not Service.objects.exists()


def test_report_page_and_exports(world):
    alone = make_resident(world, "a")
    ResidentTag.objects.create(resident=alone, tag_key=TagDefinition.objects.get(code="living_alone").key)
    job = make_service(world, "a", category="就业", name="就业援助")
    make_record(world, "a", resident=alone, days_ago=0)
    make_record(world, "a", service=job, employment_kind="安置/就业", days_ago=0)
    c = world.client(world.users["street"])
    page = c.get(reverse("services:report"))
    body = page.content.decode()
    assert (
        page.status_code == 200
        and "opt-tag" in body
        and json.dumps("独居老人")[1:-1] in body
        and "data-chart" in body
    )
    export = c.get(reverse("services:report"), {"scope": world.street.code, "export": "xlsx"})
    cells = [
        row
        for row in CalamineWorkbook.from_filelike(io.BytesIO(export.content))
        .get_sheet_by_index(0)
        .to_python()
    ]
    assert ["人群标签", "独居老人", 1] in [row[:3] for row in cells]
    ledger = c.get(reverse("services:employment-ledger"), {"year": timezone.localdate().year})
    assert ledger.status_code == 200 and 'id="ledger-total"' in ledger.content.decode()
    xlsx = c.get(reverse("services:employment-ledger"), {"year": timezone.localdate().year, "export": "xlsx"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][0].endswith("就业服务台账") and next(r for r in sheet if r[0] == "合计")[4:] == [1, 1]
    assert c.post(reverse("services:employment-ledger"), {"reason": "x"}).status_code == 403


def test_follow_up_on_the_record_page(world):
    rec = make_record(world, "a", days_ago=3, follow_up_due=timezone.localdate())
    c = world.client(world.users["community_worker"])
    page = c.get(rec.get_absolute_url()).content.decode()
    assert "登记回访" in page
    bad = c.post(reverse("services:record-follow-up", args=[rec.pk]),
                 {"done_on": (timezone.localdate() - dt.timedelta(days=10)).isoformat(), "note": "早"})  # fmt: skip
    assert bad.status_code == 400 and "不能早于服务日期" in bad.content.decode()
    ok = c.post(reverse("services:record-follow-up", args=[rec.pk]),
                {"done_on": timezone.localdate().isoformat(), "note": "情况良好"})  # fmt: skip
    assert ok.status_code == 302
    rec.refresh_from_db()
    assert rec.follow_up_done_on == timezone.localdate()


def test_home_card_lists_follow_ups_due(world):
    make_record(world, "a", follow_up_due=timezone.localdate())
    body = world.client(world.users["community_worker"]).get(reverse("core:home")).content.decode()
    assert 'id="services-card"' in body and 'id="services-due"' in body
