"""The public copy of a case is stored with it (Case.public_*) when it is written: intake from every
channel, the synthetic and demo loads, a resident renamed, and the migration for the cases that
existed before. Public reads select it and never read the requester's columns."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shequ.cases import public, services, synth
from shequ.cases.models import Case, Channel
from shequ.cases.open311 import catalogue
from shequ.people.services import update_resident
from tests.cases.factories import make_case, point_in
from tests.people.factories import make_resident

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
NAME = "王秀兰"
PHONE = "13812345678"
ID_NUMBER = "420115198805061234"
TEXT = f"我是{NAME}，住宁安小区3栋2单元501，电话{PHONE}，身份证{ID_NUMBER}，楼道灯坏了。"
SECRETS = (NAME, "秀兰", PHONE, ID_NUMBER, "2单元", "501")


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.OPEN311_CACHE_SECONDS = 0
    catalogue.reset()
    yield
    catalogue.reset()


def stored(case) -> dict:
    case = Case.objects.get(pk=case.pk)
    return {k: getattr(case, k) for k in services.COPY_FIELDS}


def assert_clean(copy: dict) -> None:
    text = f"{copy['public_description']} {copy['public_address']}"
    for secret in SECRETS:
        assert secret not in text, secret


def test_intake_stores_the_copy_with_the_case(world):
    case = make_case(
        world, "a", "filed", description=TEXT, requester_name=NAME, address="宁安小区3栋2单元501室"
    )
    copy = stored(case)
    assert_clean(copy)
    assert copy["public_description"].startswith("我是***，住宁安小区3栋***，电话***，身份证***")
    assert copy["public_address"] == "宁安小区3栋"
    assert copy["public_lat"] == round(case.lat, 3) and copy["public_lng"] == round(case.lng, 3)
    assert copy == public.copy_of(case)
    # The requester's own words stay on the case for staff and the requester.
    assert case.description == TEXT and case.address == "宁安小区3栋2单元501室"


def test_each_channel_stores_the_copy(world):
    """Staff entry, the public form's path (no account) and the hotline all pass the one door."""
    lat, lng = point_in(world, "a")
    web, _ = services.submit_request(
        None, channel=Channel.WEB, category="0703", description=TEXT, requester_name=NAME, lat=lat, lng=lng
    )
    assert_clean(stored(web))
    assert stored(web)["public_address"] == ""  # no address given: readers show the place
    from shequ.cases import hotline

    case, _created, _warnings = hotline.receive_order(
        world.users["street"],
        order_no="GD-COPY-1",
        content=TEXT,
        category="0703",
        requester_name=NAME,
        phone=PHONE,
        address="宁安小区3栋2单元501室",
        community=world.a.code,
    )
    assert_clean(stored(case))
    assert stored(case)["public_address"] == "宁安小区3栋"


def test_an_address_id_alone_is_not_published(world):
    client, key = services.register_client(
        world.users["street"], name="随手拍", street_code=world.street.code
    )
    resp = Client().post(
        f"{BASE}requests.json",
        {"api_key": key, "service_code": "0703", "address_id": "A-1001", "description": "路灯不亮"},
    )
    assert resp.status_code == 200, resp.content.decode()
    case = Case.objects.get(number=resp.json()[0]["service_request_id"])
    assert case.address.endswith("A-1001")
    assert stored(case)["public_address"] == "" and stored(case)["public_lat"] is None


def test_a_resident_renamed_is_cut_from_the_copies_about_them(world):
    resident = make_resident(world, "a")
    case = make_case(world, "a", "filed", description="赵大明家门口的井盖松动", resident=resident)
    assert stored(case)["public_description"] == "赵大明家门口的井盖松动"
    update_resident(world.users["sysadmin"], resident.pk, {"name": "赵大明"})
    assert stored(case)["public_description"] == "***家门口的井盖松动"


def test_refresh_writes_only_stale_copies_in_batches(world):
    cases = [make_case(world, "a", "filed", description=TEXT, requester_name=NAME) for _ in range(3)]
    good = stored(cases[0])
    Case.objects.filter(pk__in=[c.pk for c in cases[1:]]).update(public_description=TEXT)
    assert services.refresh_public_copies(batch=2) == 2
    assert [stored(c) for c in cases] == [good] * 3
    assert services.refresh_public_copies(batch=2) == 0


def test_the_migration_fills_the_copies_of_existing_cases(world, monkeypatch):
    migration = importlib.import_module("shequ.cases.migrations.0007_public_copy")
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches
    resident = make_resident(world, "b")
    cases = [
        make_case(
            world, "a", "filed", description=TEXT, requester_name=NAME, address="宁安小区3栋2单元501室"
        ),
        make_case(world, "b", "received", description=f"{resident.name}反映：路灯不亮", resident=resident),
        make_case(world, "a", "closed", anonymous=True, description="井盖缺失"),
    ]
    expected = [stored(c) for c in cases]
    Case.objects.update(public_description="", public_address="", public_lat=None, public_lng=None)
    migration.fill(django_apps, SimpleNamespace(connection=connection))
    assert [stored(c) for c in cases] == expected
    assert expected[1]["public_description"] == "***反映：路灯不亮"
    assert_clean(expected[0])


def test_synthetic_cases_carry_their_copy(world):
    synth.generate(40, streets=[world.street.code], seed=7, months=1, points_per_grid=5)
    for case in Case.objects.select_related("resident"):
        assert stored(case) == public.copy_of(case), case.number


def test_the_open311_list_reads_no_requester_column(world):
    make_case(world, "a", "filed", description=TEXT, requester_name=NAME)
    catalogue.services()
    with CaptureQueriesContext(connection) as ctx:
        body = Client().get(f"{BASE}requests.json").json()
    assert len(body) == 1 and body[0]["description"].startswith("我是***")
    sql = " ".join(q["sql"] for q in ctx.captured_queries if "cases_case" in q["sql"])
    assert '."public_description"' in sql
    for column in ("requester_name", "description", "address", "lat", "lng", "requester_email"):
        assert f'."{column}"' not in sql, column
