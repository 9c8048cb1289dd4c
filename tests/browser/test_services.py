"""The community services module in a real browser (system Chromium, Playwright) against
live_server: a community worker finds a resident by name in the picker, records a service for
them, and the resident's page shows it; a street manager looks at the counts and exports the
year's employment services ledger. Screenshots land in test-artifacts/screenshots/services-*.png."""

import io
import re
from pathlib import Path

from django.utils import timezone
from python_calamine import CalamineWorkbook

from shequ.people.models import Resident, ResidentTag, TagDefinition
from shequ.services import services
from shequ.services.models import ServiceRecord
from tests.people.factories import make_resident
from tests.services.factories import make_outlet, make_record, make_service, make_street_service

from .conftest import PHONE, shoot, sign_in

PICKER = "#id_resident-picker"


def _choose_resident(t, name: str):
    t.page.wait_for_selector(f"{PICKER} #id_resident-q")
    t.page.fill("#id_resident-q", name)
    opt = t.page.locator(f"{PICKER} [data-picker-option]").filter(
        has_text=re.compile(rf"^\s*{re.escape(name)}\s")
    )
    opt.first.wait_for()
    handle = opt.first.element_handle()
    handle.click()
    handle.wait_for_element_state("hidden")
    t.page.wait_for_selector(f"{PICKER} [data-picker-chosen]")


def test_worker_records_a_service_and_the_resident_page_shows_it(world, new_tab):
    users, secrets = world.users, {}
    r = make_resident(world, "a")
    Resident.objects.filter(pk=r.pk).update(name="王桂兰")
    ResidentTag.objects.create(resident=r, tag_key=TagDefinition.objects.get(code="living_alone").key)
    other = make_resident(world, "a")
    Resident.objects.filter(pk=other.pk).update(name="王桂芳")
    bath = make_service(world, "a", name="助浴服务", category="养老", mode="低偿", price="20", price_unit="次",
                        hours="每周二、四 9:00-11:30")  # fmt: skip
    make_street_service(world, name="法律援助咨询")
    centre = services.add_centre(
        users["community_lead"], world.a.code, name="宁安社区服务站", hours="工作日 8:30-17:30"
    )
    services.add_window(users["community_lead"], centre.pk, number=1, name="综合服务", matters=[bath.pk])
    make_outlet(world, "a", name="宁安老年食堂")

    t = new_tab()
    sign_in(t, users["community_worker"], secrets)
    t.goto("/services/records/new/")
    _choose_resident(t, "王桂兰")
    assert "王桂兰" in t.page.inner_text(f"{PICKER} [data-picker-chosen]")
    t.page.select_option("#id_service", str(bath.pk))
    t.page.fill("#id_note", "上门助浴一次，老人状态良好")
    t.page.fill("#id_follow_up_due", timezone.localdate().isoformat())
    shoot(t, "services-record-form")
    with t.page.expect_navigation():
        t.page.locator("form button[type=submit]").last.click()
    t.settle()
    rec = ServiceRecord.objects.get()
    assert t.path() == f"/services/records/{rec.pk}/" and rec.resident_id == r.pk
    assert "独居老人" in t.page.inner_text("main")  # the tag the resident held that day
    shoot(t, "services-record-detail")
    t.goto(f"/people/residents/{r.pk}/")
    panel = t.page.inner_text("#services")
    assert "助浴服务" in panel and "待回访" in panel
    shoot(t, "services-resident-page")
    for path, name in (("/services/", "services-catalogue"), (f"/services/catalogue/{bath.pk}/", "services-service-detail"),
                       ("/services/centres/", "services-centres"), (f"/services/centres/{centre.pk}/", "services-centre-detail"),
                       ("/services/outlets/", "services-outlets"), ("/services/records/", "services-records")):  # fmt: skip
        t.goto(path)
        shoot(t, name)
    for path, name in (("/services/catalogue/new/", "services-service-form"), (f"/services/centres/{centre.pk}/windows/new/",
                       "services-window-form"), ("/services/outlets/new/", "services-outlet-form")):  # fmt: skip
        t.goto(path)
        shoot(t, name)
    t.assert_clean("the worker's services pages")

    phone = new_tab(PHONE)
    sign_in(phone, users["community_worker"], {})
    phone.goto("/services/records/new/")
    _choose_resident(phone, "王桂芳")
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the record form scrolls sideways on a phone ({width}px)"
    shoot(phone, "services-record-form-phone")
    phone.assert_clean("the record form on a phone")


def test_street_exports_the_employment_ledger(world, new_tab):
    users, secrets = world.users, {}
    job_a = make_service(world, "a", category="就业", name="就业援助")
    job_b = make_service(world, "b", category="就业", name="就业援助")
    for kind in ("咨询", "咨询", "培训", "推荐/介绍", "安置/就业"):
        make_record(world, "a", service=job_a, employment_kind=kind, days_ago=0)
    make_record(world, "b", service=job_b, employment_kind="安置/就业", days_ago=0)
    make_record(world, "a", days_ago=0)
    year = timezone.localdate().year

    t = new_tab()
    sign_in(t, users["street"], secrets)
    t.goto("/services/report/")
    t.charts_drawn(at_least=4)
    assert t.page.locator("#opt-tag-empty").is_visible()  # nobody tagged: said, not an empty chart
    assert t.page.inner_text("#sum-total").strip() == "7"
    shoot(t, "services-report")
    t.goto(f"/services/employment/?year={year}")
    assert t.page.inner_text("#ledger-period").strip() == f"{year}年"
    total = t.page.inner_text("#ledger-total").split()
    assert total[1:] == ["2", "1", "1", "2", "6"]
    shoot(t, "services-employment-ledger")
    with t.page.expect_download() as dl:
        t.page.locator("#ledger-export").click()
    sheet = (
        CalamineWorkbook.from_filelike(io.BytesIO(Path(dl.value.path()).read_bytes()))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert sheet[0][0] == f"纸坊街道{year}年就业服务台账"
    assert sheet[1][0] == "填报单位：纸坊街道"
    rows = {row[0]: row for row in sheet[3:] if row and row[0]}
    assert rows["宁安社区"][1:6] == [2, 1, 1, 1, 5] and rows["合计"][1:6] == [2, 1, 1, 2, 6]
    t.assert_clean("the street's employment ledger")
