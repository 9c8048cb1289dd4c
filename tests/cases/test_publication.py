"""What the public sees of cases. One rule decides whether a case is published (Case.objects.public():
accepted by staff, of a category that publishes its cases, not withheld by the requester, touching
no tagged resident) and one function what it shows (public.public_copy: names, ID, phone and house
numbers cut, the address to the building or street, the point to about 100 m). Each test asks every
public answer at once: Open311 list, id list, single id and updates in JSON and XML, the public case
page, the look-up by number without the phone digits, and the case map."""

import datetime as dt
import json
import re
import uuid
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shequ.cases import public, services
from shequ.cases.models import Case, Category, Status, default_publishable
from shequ.cases.open311 import cache as open311_cache
from shequ.cases.open311 import catalogue
from shequ.people.models import ResidentTag, TagDefinition
from tests.cases.factories import make_case, point_in
from tests.people.factories import make_resident

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
MARKER = "健身器材螺丝松动"


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.OPEN311_CACHE_SECONDS = 0
    settings.CASE_LOOKUP_PER_HOUR = 1000
    catalogue.reset()
    # Only this test's keys: a shared Redis holds other test workers' keys (their throttles).
    keys = [open311_cache.GENERATION_KEY, *(public._key("lookup", ip) for ip in ("127.0.0.1", ""))]
    cache.delete_many(keys)
    yield
    catalogue.reset()
    cache.delete_many(keys)


def answers(number: str) -> dict:
    """Every public answer that could show the case, by what was asked."""
    c = Client()
    out = {}
    for fmt in ("json", "xml"):
        out[f"list.{fmt}"] = c.get(f"{BASE}requests.{fmt}")
        out[f"ids.{fmt}"] = c.get(f"{BASE}requests.{fmt}", {"service_request_id": number})
        out[f"one.{fmt}"] = c.get(f"{BASE}requests/{number}.{fmt}")
        out[f"updates.{fmt}"] = c.get(f"{BASE}servicerequestupdates.{fmt}")
    out["page"] = c.get(reverse("cases:public-case", args=[number]))
    out["lookup"] = c.post(reverse("cases:lookup"), {"number": number, "last4": ""})
    out["map"] = c.get(reverse("cases:map-data"))
    return out


def assert_absent(case) -> None:
    for what, resp in answers(case.number).items():
        body = resp.content.decode()
        if what in ("one.json", "one.xml", "page", "lookup"):  # lists may hold other cases
            assert MARKER not in body, what
        if what == "lookup":  # the form keeps the number typed; it finds nothing
            assert resp.status_code == 400, what
            assert "未找到已公开的该编号诉求" in body
        elif what.startswith("one.") or what == "page":  # not found, as an unknown number
            assert resp.status_code == 404, what
            assert case.description not in body and case.category.name not in body, what
        elif what == "map":
            assert resp.status_code == 302  # the case map is for signed-in staff
        else:
            assert resp.status_code == 200, what
            assert case.number not in body, what


def assert_published(case) -> None:
    got = answers(case.number)
    for what, resp in got.items():
        if what in ("lookup", "map"):
            continue
        assert resp.status_code == 200, what
        assert case.number in resp.content.decode(), what
    assert MARKER in got["page"].content.decode()
    assert got["lookup"].status_code == 302
    assert got["lookup"].url == reverse("cases:public-case", args=[case.number])


def filed(world, side="a", category="0703", **kw) -> Case:
    return make_case(world, side, "filed", category=category, description=f"小区{MARKER}", **kw)


# --- the rule ------------------------------------------------------------------------------------
def test_seeded_categories_about_a_persons_circumstances_do_not_publish():
    private = set(Category.objects.filter(publishable=False).values_list("name", flat=True))
    assert {"社会救助", "养老服务", "邻里纠纷", "治安隐患"} <= private
    assert Category.objects.get(code="0703").publishable is True
    assert Category.objects.filter(parent__isnull=False, publishable=True).count() > 40
    assert not default_publishable("社区矫正对象帮扶") and not default_publishable("刑满释放人员安置帮教")
    assert default_publishable("公共设施维修")


def test_a_request_is_published_only_once_staff_accept_it(world):
    case = make_case(world, "a", "received", description=f"小区{MARKER}")
    assert_absent(case)
    services.transition(world.users["street"], case.pk, "file")
    assert_published(case)
    assert set(Case.objects.public().values_list("pk", flat=True)) == {case.pk}


@pytest.mark.parametrize("code", ["0701", "0705", "0706", "0801"])
def test_cases_of_a_private_category_are_never_published(world, code):
    case = filed(world, category=code)
    assert case.status == Status.FILED
    assert_absent(case)


def test_an_administrator_switches_a_categorys_publication(world):
    case = filed(world)
    assert_published(case)
    cat = Category.objects.get(code="0703")
    admin = world.client(world.users["street"])
    url = reverse("cases:category-edit", args=[cat.pk])
    page = admin.get(url).content.decode()
    box = re.search(r'<input[^>]*name="publishable"[^>]*>', page).group(0)
    assert "checked" in box
    data = {
        "name": cat.name,
        "default_unit_kind": cat.default_unit_kind,
        "default_department": cat.default_department,
        "limit_value": cat.limit_value,
        "limit_unit": cat.limit_unit,
        "filing_condition": cat.filing_condition,
        "closure_condition": cat.closure_condition,
        "merge_radius_m": cat.merge_radius_m,
        "merge_days": cat.merge_days,
        "public": "on",
        "active": "on",
        "version": cat.version,
    }
    assert admin.post(url, data).status_code == 302  # publishable left unticked
    assert Category.objects.get(pk=cat.pk).publishable is False
    assert_absent(case)
    listing = admin.get(reverse("cases:category-list")).content.decode()
    assert "bi-eye-slash" in listing
    assert admin.post(url, {**data, "publishable": "on", "version": cat.version + 1}).status_code == 302
    assert_published(case)


# --- the requester's wish ------------------------------------------------------------------------
def test_the_requester_may_withhold_from_the_public_form(world):
    lat, lng = point_in(world, "a")
    data = {
        "category": "0703",
        "description": f"小区{MARKER}",
        "lat": lat,
        "lng": lng,
        "address": "宁安小区3栋",
        "community": "",
        "requester_name": "李先生",
        "requester_phone": "13912345678",
        "requester_email": "",
        "channel": "",
    }
    form = Client().get(reverse("cases:report")).content.decode()
    assert 'name="publish_optout"' in form and "不公开此诉求" in form
    for optout in (True, False):
        extra = {"publish_optout": "on"} if optout else {}
        resp = Client().post(reverse("cases:report"), {**data, **extra, "form_token": uuid.uuid4().hex})
        assert resp.status_code == 302
    withheld, shown = Case.objects.get(publish_optout=True), Case.objects.get(publish_optout=False)
    for case in (withheld, shown):
        services.transition(world.users["street"], case.pk, "file")
    assert_absent(withheld)
    assert_published(shown)


def test_staff_record_the_requesters_wish(world):
    client = world.client(world.users["community_worker"])
    page = client.get(reverse("cases:case-create")).content.decode()
    assert 'name="publish_optout"' in page and "诉求人要求不公开" in page
    data = {
        "channel": "phone",
        "requester_name": "赵阿姨",
        "requester_phone": "027-87654321",
        "requester_email": "",
        "category": "0703",
        "description": f"来电反映：{MARKER}",
        "community": world.a.code,
        "lat": "",
        "lng": "",
        "address": "宁安小区广场",
        "form_token": uuid.uuid4().hex,
        "publish_optout": "on",
    }
    assert client.post(reverse("cases:case-create"), data).status_code == 302
    case = Case.objects.get()
    assert case.publish_optout is True
    services.transition(world.users["street"], case.pk, "file")
    assert_absent(case)


def test_an_open311_application_sends_the_requesters_wish(world):
    _client, key = services.register_client(
        world.users["street"], name="随手拍", street_code=world.street.code
    )
    lat, lng = point_in(world, "a")
    form = {
        "api_key": key,
        "service_code": "0703",
        "lat": lat,
        "long": lng,
        "description": f"小区{MARKER}",
    }
    bad = Client().post(f"{BASE}requests.json", {**form, "private": "perhaps"})
    assert bad.status_code == 400 and "private" in bad.json()[0]["description"]
    assert not Case.objects.exists()
    numbers = {}
    for private in ("true", "false"):
        resp = Client().post(f"{BASE}requests.json", {**form, "private": private})
        assert resp.status_code == 200, resp.content.decode()
        numbers[private] = resp.json()[0]["service_request_id"]
    withheld = Case.objects.get(number=numbers["true"])
    shown = Case.objects.get(number=numbers["false"])
    assert withheld.publish_optout is True and shown.publish_optout is False
    for case in (withheld, shown):
        services.transition(world.users["street"], case.pk, "file")
    assert_absent(withheld)
    assert_published(shown)


# --- tagged residents ----------------------------------------------------------------------------
def _tag(resident, code="living_alone", **kw):
    return ResidentTag.objects.create(
        resident=resident, tag_key=TagDefinition.objects.get(code=code).key, **kw
    )


def test_a_case_about_a_tagged_resident_is_not_published(world):
    resident = make_resident(world, "a")
    case = filed(world)
    Case.objects.filter(pk=case.pk).update(resident=resident)
    assert_published(case)  # a resident without a recorded tag
    tag = _tag(resident)  # 独居老人
    assert_absent(case)
    ResidentTag.objects.filter(pk=tag.pk).update(end_date=timezone.localdate())  # the tag has ended
    assert_published(case)
    _tag(resident, "correction")  # 社区矫正对象 (highly sensitive)
    assert_absent(case)


def test_a_case_filed_by_a_tagged_resident_is_not_published(world):
    """The requester is found in the registry by phone (keyed, never decrypted in a query)."""
    resident = make_resident(world, "a")
    case = filed(world, requester_phone=resident.phone)
    other = filed(world, requester_phone="13700001111")
    assert case.requester_phone_key and case.requester_phone_key != other.requester_phone_key
    assert_published(case)
    _tag(resident, "dibao")  # 低保 (sensitive)
    assert_absent(case)
    assert_published(other)
    # A registered resident without a phone does not match requesters without one.
    blank = make_resident(world, "a")
    type(blank).objects.filter(pk=blank.pk).update(phone="", phone_index="")
    _tag(blank, "disabled")
    anonymous = make_case(world, "a", "filed", anonymous=True, description=f"小区{MARKER}")
    assert anonymous.requester_phone_key == ""
    assert_published(anonymous)


# --- the public copy -----------------------------------------------------------------------------
NAME = "王秀兰"
PHONE = "13812345678"
ID_NUMBER = "420115198805061234"


def _detailed(world):
    text = (
        f"我是{NAME}，住宁安小区3栋2单元501，电话{PHONE}，身份证{ID_NUMBER}。"
        f"楼下502室的李阿姨说{MARKER}，2-1-301也反映过。"
    )
    case = make_case(
        world, "a", "filed", description=text, requester_name=NAME, requester_phone=PHONE, address=""
    )
    # A point outside the test world's grids: written directly, then the copy recomputed as the
    # services do for every write that changes it.
    Case.objects.filter(pk=case.pk).update(address="宁安小区3栋2单元501室", lat=30.351234, lng=114.301987)
    assert services.refresh_public_copies(Case.objects.filter(pk=case.pk)) == 1
    return Case.objects.get(pk=case.pk)


SECRETS = (
    NAME,
    "秀兰",
    PHONE,
    ID_NUMBER,
    "2单元",
    "3栋2",
    "502室",
    "李阿姨",
    "2-1-301",
    "30.351234",
    "114.301987",
)


def test_the_public_copy_cuts_names_numbers_and_house_numbers(world):
    case = _detailed(world)
    got = answers(case.number)
    for what in ("list.json", "ids.json", "one.json", "list.xml", "one.xml", "updates.json", "page"):
        body = got[what].content.decode()
        assert got[what].status_code == 200, what
        for secret in SECRETS:
            assert secret not in body, (what, secret)
        assert MARKER in body or what.startswith("updates"), what
    row = json.loads(got["one.json"].content)[0]
    assert row["description"].startswith("我是***，住宁安小区3栋***，电话***，身份证***。")
    assert row["address"] == "宁安小区3栋"
    assert (row["lat"], row["long"]) == (30.351, 114.302)
    request = ET.fromstring(got["one.xml"].content).find("request")
    assert request.findtext("address") == "宁安小区3栋" and request.findtext("lat") == "30.351"
    page = got["page"].content.decode()
    assert "宁安小区3栋" in page and "楼下***的***说" in page
    # The requester's own status page (its link is the key) still shows their own words.
    own = Client().get(reverse("cases:track", args=[case.tracking_token])).content.decode()
    assert f"身份证{ID_NUMBER}" in own and "3栋2单元501" in own


def test_public_copy_examples():
    names = ["王秀兰"]
    assert public.public_text("3栋2单元501漏水", names) == "3栋***漏水"
    assert public.public_text("A座1203室的张先生", names) == "A座***的***"
    assert public.public_text("秀兰说3号楼2单元门口有垃圾", names) == "***说3号楼***门口有垃圾"
    assert public.public_text("距3栋100米处，物业师傅已到场", names) == "距3栋100米处，物业师傅已到场"
    assert public.public_text("2026-01-05 下午", names) == "2026-01-05 下午"
    assert public.coarse_address("宁安小区3栋2单元501室") == "宁安小区3栋"
    assert public.coarse_address("宁安社区 2单元501") == "宁安社区"
    assert public.coarse_address("光谷大道12号") == "光谷大道12号"
    assert public.coarse_address("宁安社区 13812345678") == "宁安社区 ***"
    copy = public.public_copy(description="", address="", lat=30.35149, lng=None, place="宁安社区")
    assert copy == {"description": "", "address": "宁安社区", "lat": 30.351, "lng": None}


def test_a_merged_requester_reads_the_parents_notes_cleaned(world):
    street = world.users["street"]
    parent = make_case(world, "a", "filed", requester_name="赵建国")
    child = make_case(world, "a", "received")
    services.transition(street, child.pk, "merge", parent=parent.pk)
    services.transition(street, parent.pk, "dispatch", unit=f"community:{world.a.code}")
    services.transition(street, parent.pk, "accept")
    services.transition(street, parent.pk, "feedback", note=f"已联系赵建国（{PHONE}），3栋2单元501门前已清理")
    page = Client().get(reverse("cases:track", args=[child.tracking_token])).content.decode()
    assert "门前已清理" in page
    for secret in ("赵建国", PHONE, "2单元501"):
        assert secret not in page, secret


# --- the requester's own pages -------------------------------------------------------------------
def test_the_status_page_says_whether_the_case_is_published(world):
    case = make_case(world, "a", "received")
    track = reverse("cases:track", args=[case.tracking_token])

    def state():
        page = Client().get(track).content.decode()
        return page.split('id="case-publication" data-state="')[1].split('"')[0]

    assert state() == "pending"
    services.transition(world.users["street"], case.pk, "file")
    assert state() == "public"
    assert reverse("cases:public-case", args=[case.number]) in Client().get(track).content.decode()
    Case.objects.filter(pk=case.pk).update(publish_optout=True)
    assert state() == "private"
    assert state() == "private" and "按您的要求" in Client().get(track).content.decode()


def test_lookup_without_phone_digits_finds_only_published_cases(world):
    shown = filed(world)
    hidden = filed(world, category="0706")
    url = reverse("cases:lookup")
    form = Client().get(url).content.decode()
    assert 'name="last4"' in form and "不填时只能查看已公开诉求" in form
    ok = Client().post(url, {"number": shown.number})
    assert ok.status_code == 302 and ok.url == reverse("cases:public-case", args=[shown.number])
    for number in (hidden.number, "20990101000000", "abc"):
        resp = Client().post(url, {"number": number, "last4": ""})
        assert resp.status_code == 400 and hidden.tracking_token not in resp.content.decode()
    # With the phone digits the requester still reaches their own status page.
    own = Client().post(url, {"number": hidden.number, "last4": "5678"})
    assert own.status_code == 302 and own.url == reverse("cases:track", args=[hidden.tracking_token])


# --- Open311's memory ----------------------------------------------------------------------------
def _another_process_commits():
    """What a write committed by another process does to this one: the shared generation moves."""
    key = open311_cache.GENERATION_KEY
    cache.set(key, (cache.get(key) or 0) + 1, None)


def test_open311_forgets_kept_answers_when_publication_changes(world, settings, django_assert_num_queries):
    settings.OPEN311_CACHE_SECONDS = 600
    resident = make_resident(world, "a")
    case = filed(world, requester_phone=resident.phone)
    other = filed(world)

    def listed():
        return {r["service_request_id"] for r in Client().get(f"{BASE}requests.json").json()}

    assert listed() == {case.number, other.number}
    with django_assert_num_queries(0):
        assert listed() == {case.number, other.number}  # kept
    _tag(resident, "disabled")  # the requester turns out to be a tagged resident
    assert listed() == {other.number}
    # Another process (or a write that sends no signal) moves the shared generation: what this
    # process kept is not served again.
    Case.objects.filter(pk=other.pk).update(publish_optout=True)
    assert listed() == {other.number}  # no signal: kept until the generation moves (or time passes)
    _another_process_commits()
    assert listed() == set()
    # A category edit forgets too.
    Case.objects.filter(pk=other.pk).update(publish_optout=False)
    _another_process_commits()
    assert listed() == {other.number}
    services.save_category(world.users["street"], other.category_id, publishable=False)
    assert listed() == set()


def test_no_unpublished_case_in_a_week_of_lists(world):
    """A mixed set: only the accepted cases of publishable categories without a wish or a tag."""
    now = timezone.now()
    expected = {filed(world, received_at=now - dt.timedelta(days=d)).number for d in (1, 3)}
    make_case(world, "a", "received")
    make_case(world, "a", "rejected")
    filed(world, category="0705")
    Case.objects.filter(pk=filed(world).pk).update(publish_optout=True)
    listed = {r["service_request_id"] for r in Client().get(f"{BASE}requests.json").json()}
    assert listed == expected
    assert set(Case.objects.public().values_list("number", flat=True)) == expected
