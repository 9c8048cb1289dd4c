"""Intake pages: the resident's form (web and phone) and its receipt, the status page and its
evaluation, the look-up, a resident's own requests, the patrol report, the staff entry and the
map's place preview; every kind of bad input is refused with a Chinese message, keeps what the
user typed and writes nothing."""

import io
import re
import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from shequ.cases import public, services
from shequ.cases.models import Case, CaseEvent, Channel, Status
from shequ.core.attachments import PHOTO_MAX_BYTES
from shequ.core.models import Attachment
from shequ.core.roles import Role
from shequ.core.testing.world import make_user
from tests.cases.factories import make_case, photo_bytes, point_in

pytestmark = pytest.mark.django_db

REPORT = "/cases/report/"
PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Forget this address's counts (only those: a shared Redis holds other test workers' keys)."""
    keys = [public._key(kind, ip) for kind in ("report", "lookup") for ip in ("127.0.0.1", "")]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def rows() -> tuple[int, int, int]:
    return Case.objects.count(), CaseEvent.objects.count(), Attachment.objects.count()


def photo(name="scene.jpg", data=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data if data is not None else photo_bytes(), content_type=content_type)


def report_data(world, side="a", **over) -> dict:
    lat, lng = point_in(world, side)
    data = {
        "category": "0703",
        "description": "宁安小区3栋楼道堆满了纸箱和旧家具，影响通行",
        "lat": f"{lat}",
        "lng": f"{lng}",
        "address": "宁安小区3栋2单元",
        "community": "",
        "requester_name": "李先生",
        "requester_phone": "13912345678",
        "requester_email": "",
        "form_token": uuid.uuid4().hex,
        "channel": "",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def post_report(client, data, **kw):
    return client.post(REPORT, data, **kw)


# --- the resident's form -------------------------------------------------------------------------
def test_form_offers_public_minor_classes_with_limits_and_a_map(world):
    resp = Client().get(REPORT)
    assert resp.status_code == 200
    body = resp.content.decode()
    assert '<optgroup label="社区服务">' in body
    assert "公共设施维修" in body or "0703" in body
    assert "时限" in body
    assert 'value="0109"' not in body  # a staff-only class (焚烧垃圾树叶) is not offered to residents
    assert 'accept="image/*"' in body and "multiple" in body
    assert 'id="intake-grids"' in body and world.grid_a.code in body  # grid outlines to aim at
    assert "data-map-picker" in body and reverse("cases:locate") in body
    assert "使用我的位置" in body
    assert re.search(r'name="form_token" value="[0-9a-f]{32}"', body)
    assert "<script>" not in body  # CSP: no inline script


def test_anonymous_visitor_files_a_request_with_photo_and_point(world):
    before = rows()
    data = report_data(world, photos=[photo(data=photo_bytes(exif_gps=True))])
    resp = post_report(Client(), data)
    assert resp.status_code == 302
    case = Case.objects.get()
    assert resp.url == reverse("cases:report-done", args=[case.tracking_token])
    assert case.channel == Channel.WEB
    assert case.external_id == data["form_token"]
    assert case.grid == world.grid_a and case.community == world.a
    assert case.requester_phone == "13912345678" and case.requester_user is None
    assert rows() == (before[0] + 1, before[1] + 1, before[2] + 1)
    stored = Attachment.objects.get()
    with Image.open(io.BytesIO(bytes(stored.data))) as img:
        assert not img.getexif(), "EXIF (position, device) must be stripped before storage"
    # The receipt: number, status link and a QR code of it.
    done = Client().get(resp.url)
    body = done.content.decode()
    assert case.number in body
    assert reverse("cases:track", args=[case.tracking_token]) in body
    assert 'src="data:image/svg+xml' in body


def test_signed_in_resident_gets_the_request_tied_to_the_account(world):
    client = world.client(world.users["resident"])
    resp = post_report(client, report_data(world, requester_phone="", requester_name=""))
    assert resp.status_code == 302, resp.content.decode()
    case = Case.objects.get()
    assert case.requester_user == world.users["resident"]
    mine = client.get(reverse("cases:mine")).content.decode()
    assert case.number in mine
    assert reverse("cases:track", args=[case.tracking_token]) in mine


def test_phone_channel_from_user_agent_or_the_page_script(world):
    post_report(Client(HTTP_USER_AGENT=PHONE_UA), report_data(world))
    post_report(Client(), report_data(world, channel="mobile", description="另一件：路灯不亮"))
    post_report(Client(), report_data(world, description="第三件：井盖松动"))
    channels = dict(Case.objects.values_list("description", "channel"))
    assert channels["宁安小区3栋楼道堆满了纸箱和旧家具，影响通行"] == Channel.MOBILE
    assert channels["另一件：路灯不亮"] == Channel.MOBILE
    assert channels["第三件：井盖松动"] == Channel.WEB


def test_double_submit_creates_one_case(world):
    data = report_data(world)
    client = Client()
    first = post_report(client, data)
    before = rows()
    second = post_report(client, data)  # a double click, or the browser resending after a refresh
    assert rows() == before
    assert second.status_code == 302 and second.url == first.url
    # The same token with other content is no resubmission: refused, nothing written.
    other = post_report(Client(), {**data, "description": "别的内容"})
    assert other.status_code == 409
    assert "已经提交过" in other.content.decode()
    assert rows() == before


def test_form_without_its_one_time_token_is_refused(world):
    before = rows()
    resp = post_report(Client(), report_data(world, form_token="x"))
    assert resp.status_code == 400
    assert "表单已失效" in resp.content.decode()
    assert rows() == before


def test_anonymous_submissions_are_throttled_per_address(world, settings):
    settings.CASE_REPORT_PER_HOUR = 2
    client = Client()
    for n in range(2):
        assert post_report(client, report_data(world, description=f"第{n}件")).status_code == 302
    before = rows()
    resp = post_report(client, report_data(world, description="第三件要被挡住"))
    assert resp.status_code == 429
    body = resp.content.decode()
    assert "一小时内最多提交 2 件" in body
    assert "第三件要被挡住" in body  # the input is kept
    assert rows() == before
    # Another address is not affected; a signed-in resident is not throttled.
    assert post_report(Client(REMOTE_ADDR="10.1.2.3"), report_data(world, description="x")).status_code == 302
    resident = world.client(world.users["resident"])
    assert post_report(resident, report_data(world, description="y")).status_code == 302


def test_anonymous_request_keeps_no_contact(world):
    resp = post_report(
        Client(), report_data(world, anonymous="on", requester_phone="123", requester_email="bad")
    )
    assert resp.status_code == 302
    case = Case.objects.get()
    assert case.anonymous and not case.requester_phone and not case.requester_name
    body = Client().get(resp.url).content.decode()
    assert "匿名" in body and "保存上面的链接" in body


def test_community_is_the_fallback_when_no_point_is_picked(world):
    resp = post_report(Client(), report_data(world, lat="", lng="", community=world.b.code))
    assert resp.status_code == 302
    case = Case.objects.get()
    assert case.community == world.b and case.grid is None and case.lat is None


def _oversize() -> bytes:
    return photo_bytes() + b"\0" * (PHOTO_MAX_BYTES + 1)


BAD = [
    pytest.param(
        {"photos": [photo("note.jpg", b"just some text, not an image")]}, "不是图片文件", id="txt-as-jpg"
    ),
    pytest.param({"photos": [photo("big.jpg", _oversize())]}, "超过 8 MB", id="oversize-photo"),
    pytest.param({"photos": [photo(f"p{i}.jpg") for i in range(10)]}, "最多上传 9 张", id="ten-photos"),
    pytest.param({"description": ""}, "请描述诉求内容", id="empty-description"),
    pytest.param({"description": "   "}, "请描述诉求内容", id="blank-description"),
    pytest.param({"description": "长" * 4001}, "不能超过 4000 字", id="description-over-4000"),
    pytest.param({"requester_phone": "1381234"}, "联系电话格式不正确", id="bad-phone"),
    pytest.param({"requester_phone": "", "requester_email": ""}, "请留下联系电话或电子邮箱", id="no-contact"),
    pytest.param({"requester_email": "not-an-email"}, "电子邮箱格式不正确", id="bad-email"),
    pytest.param(
        {"lat": "30.0", "lng": "114.0"}, "不在本平台服务的网格范围内", id="point-outside-no-community"
    ),
    pytest.param({"lat": "", "lng": ""}, "请在地图上选点，或选择诉求所在的社区", id="no-point-no-community"),
    pytest.param({"lat": "30.35", "lng": ""}, "位置坐标不完整", id="half-a-point"),
    pytest.param({"lat": "abc", "lng": "114.3"}, "位置坐标格式不正确", id="bad-coordinate"),
    pytest.param({"category": ""}, "请选择诉求类别", id="no-category"),
    pytest.param({"category": "0109"}, "选择一个有效的选项", id="staff-only-category"),
    pytest.param({"community": "999999999999"}, "选择一个有效的选项", id="unknown-community"),
]


@pytest.mark.parametrize(("over", "message"), BAD)
def test_bad_input_is_refused_keeps_the_input_and_writes_nothing(world, over, message):
    before = rows()
    data = report_data(world, description=over.pop("description", "楼下路灯坏了三天，晚上很黑"), **over)
    resp = post_report(Client(), data)
    assert resp.status_code == 400
    body = resp.content.decode()
    assert message in body, body[body.find("alert") : body.find("alert") + 400]
    assert rows() == before
    # What the user typed comes back (the description, the address, the point).
    if data["description"].strip() and len(data["description"]) <= 4000:
        assert data["description"] in body
    assert 'value="宁安小区3栋2单元"' in body
    if data.get("lat") and data["lat"] != "abc":
        assert f'value="{data["lat"]}"' in body
    if "photos" in over:
        assert "请重新选择" in body  # browsers drop chosen files: the page says so


# --- the place preview ---------------------------------------------------------------------------
def test_locate_answers_grid_community_and_street(world):
    lat, lng = point_in(world, "b")
    resp = Client().get(reverse("cases:locate"), {"lat": lat, "lng": lng})
    assert resp.status_code == 200
    assert resp.json() == {
        "found": True,
        "grid": world.grid_b.name,
        "community": world.b.display_name,
        "community_code": world.b.code,
        "street": world.street.display_name,
    }
    outside = Client().get(reverse("cases:locate"), {"lat": 30.0, "lng": 114.0}).json()
    assert outside["found"] is False and "不在本平台服务的网格范围内" in outside["message"]
    bad = Client().get(reverse("cases:locate"), {"lat": "x", "lng": "114"})
    assert bad.status_code == 400 and "格式不正确" in bad.json()["message"]


# --- the status page -----------------------------------------------------------------------------
def _track(case):
    return Client().get(reverse("cases:track", args=[case.tracking_token]))


def test_status_page_shows_public_timeline_and_masks_contact(world):
    case = make_case(world, "a", "processing")
    other = make_case(world, "a", "received", description="别人家的诉求，内容保密")
    services.transition(world.users["street"], case.pk, "supervise", note="内部督办意见")
    resp = _track(case)
    assert resp.status_code == 200
    body = resp.content.decode()
    assert case.number in body and "处置中" in body
    assert "受理" in body and "立案" in body and "派遣" in body and "签收" in body
    assert world.a.display_name in body  # the unit it was dispatched to
    assert 'id="case-deadline"' in body
    assert "138****5678" in body and "13812345678" not in body
    assert "王*士" in body
    assert "内部督办意见" not in body and "督办" not in body  # not a public step
    assert other.number not in body and "别人家的诉求" not in body
    assert "评价办理结果" not in body  # not closed yet


def test_status_page_shows_handler_notes_only_for_outcome_steps(world):
    case = make_case(world, "a", "processing")
    actor = world.users["street"]
    services.transition(actor, case.pk, "progress", note="已联系物业张经理 139xxxx")
    services.transition(actor, case.pk, "feedback", note="杂物已全部清运")
    body = _track(case).content.decode()
    assert "杂物已全部清运" in body
    assert "已联系物业张经理" not in body
    rejected = make_case(world, "a", "rejected")
    assert "不属于受理范围" in _track(rejected).content.decode()


def test_status_page_of_a_merged_request_shows_the_parent_outcome(world):
    parent = make_case(world, "a", "filed", description="3栋门口垃圾桶满溢，最先反映的甲")
    child = make_case(world, "a", "filed", description="3栋门口垃圾桶满溢，重复反映")
    actor = world.users["street"]
    services.transition(actor, child.pk, "merge", parent=parent.pk)
    for action, data in (
        ("dispatch", {"unit": f"community:{world.a.code}"}),
        ("accept", {}),
        ("feedback", {"note": "垃圾桶已清运并增加清运频次"}),
        ("verify", {}),
        ("close", {}),
    ):
        services.transition(actor, parent.pk, action, **data)
    body = _track(child).content.decode()
    assert "已合并" in body and 'id="merged-outcome"' in body
    assert "已结案" in body and "垃圾桶已清运并增加清运频次" in body
    assert parent.number not in body
    assert "最先反映的甲" not in body  # another person's request


def test_requester_evaluates_a_closed_case_once(world):
    case = make_case(world, "a", "closed")
    url = reverse("cases:track-evaluate", args=[case.tracking_token])
    body = _track(case).content.decode()
    assert "评价办理结果" in body and url in body
    before = CaseEvent.objects.filter(case=case).count()
    bad = Client().post(url, {"rating": "0"})
    assert bad.status_code == 400 and "1–5 星" in bad.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == before
    ok = Client().post(url, {"rating": "4", "comment": "处理很及时"})
    assert ok.status_code == 302 and ok.url == reverse("cases:track", args=[case.tracking_token])
    case.refresh_from_db()
    assert case.status == Status.EVALUATED and case.rating == 4 and case.rating_comment == "处理很及时"
    again = Client().post(url, {"rating": "1"})
    assert again.status_code == 409 and "不能评价" in again.content.decode()
    case.refresh_from_db()
    assert case.rating == 4
    assert "处理很及时" in _track(case).content.decode()


def test_open_case_cannot_be_evaluated(world):
    case = make_case(world, "a", "dispatched")
    resp = Client().post(reverse("cases:track-evaluate", args=[case.tracking_token]), {"rating": "5"})
    assert resp.status_code == 409
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.rating is None


def test_unknown_tracking_link_is_404(world):
    assert Client().get(reverse("cases:track", args=["no-such-token-123"])).status_code == 404
    assert (
        Client().post(reverse("cases:track-evaluate", args=["no-such-token-123"]), {"rating": 5}).status_code
        == 404
    )
    assert Client().get(reverse("cases:report-done", args=["no-such-token-123"])).status_code == 404


# --- look-up -------------------------------------------------------------------------------------
def test_lookup_by_number_and_phone_digits(world):
    case = make_case(world, "a", "filed")
    url = reverse("cases:lookup")
    assert Client().get(url).status_code == 200
    ok = Client().post(url, {"number": case.number, "last4": "5678"})
    assert ok.status_code == 302 and ok.url == reverse("cases:track", args=[case.tracking_token])
    wrong_digits = Client().post(url, {"number": case.number, "last4": "0000"})
    unknown = Client().post(url, {"number": "20990101000000", "last4": "5678"})
    anonymous = make_case(world, "a", "received", anonymous=True)
    no_phone = Client().post(url, {"number": anonymous.number, "last4": "5678"})
    messages = set()
    for resp in (wrong_digits, unknown, no_phone):
        assert resp.status_code == 400
        text = re.search(r'id="lookup-error">([^<]+)<', resp.content.decode()).group(1)
        messages.add(text)
        assert case.tracking_token not in resp.content.decode()
    assert len(messages) == 1 and "受理编号或手机号后四位不正确" in messages.pop()


def test_lookup_is_throttled(world, settings):
    settings.CASE_LOOKUP_PER_HOUR = 3
    case = make_case(world, "a", "filed")
    client = Client()
    url = reverse("cases:lookup")
    for _n in range(3):
        assert client.post(url, {"number": case.number, "last4": "0000"}).status_code == 400
    blocked = client.post(url, {"number": case.number, "last4": "5678"})
    assert blocked.status_code == 429 and "查询次数过多" in blocked.content.decode()


# --- a resident's own requests -------------------------------------------------------------------
def test_my_requests_lists_only_my_own(world):
    mine_case = make_case(world, "a", "filed")
    Case.objects.filter(pk=mine_case.pk).update(requester_user=world.users["resident"])
    other = make_case(world, "a", "filed", description="同社区别人的诉求")
    body = world.client(world.users["resident"]).get(reverse("cases:mine")).content.decode()
    assert mine_case.number in body and other.number not in body
    assert Client().get(reverse("cases:mine")).status_code == 302  # sign in first


# --- patrol --------------------------------------------------------------------------------------
def _patrol_data(world, side="a", **over):
    lat, lng = point_in(world, side)
    data = {
        "category": "0109",  # 焚烧垃圾树叶: staff may file classes residents cannot
        "description": "绿化带内有人焚烧落叶",
        "lat": f"{lat}",
        "lng": f"{lng}",
        "address": "",
        "form_token": uuid.uuid4().hex,
    }
    data.update(over)
    return data


def test_grid_worker_reports_from_patrol(world):
    client = world.client(world.users["grid_worker"])
    page = client.get(reverse("cases:patrol"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'capture="environment"' in body and 'data-auto-locate="1"' in body
    assert world.grid_a.code in body and world.grid_b.code not in body
    resp = client.post(reverse("cases:patrol"), _patrol_data(world, photos=[photo()]))
    case = Case.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("cases:case-detail", args=[case.pk])
    assert case.channel == Channel.PATROL and case.grid == world.grid_a
    assert case.created_by == world.users["grid_worker"] and Attachment.objects.count() == 1


def test_patrol_outside_the_workers_grid_is_refused(world):
    client = world.client(world.users["grid_worker"])
    before = rows()
    resp = client.post(reverse("cases:patrol"), _patrol_data(world, "b"))
    assert resp.status_code == 403
    assert "权限" in resp.content.decode()
    outside = client.post(reverse("cases:patrol"), _patrol_data(world, lat="30.0", lng="114.0"))
    assert outside.status_code == 400 and "不在本平台服务的网格范围内" in outside.content.decode()
    assert rows() == before


def test_patrol_is_for_staff(world):
    assert world.client(world.users["resident"]).get(reverse("cases:patrol")).status_code == 403
    assert Client().get(reverse("cases:patrol")).status_code == 302


# --- staff entry ---------------------------------------------------------------------------------
def _entry_data(world, **over):
    data = {
        "channel": Channel.PHONE,
        "requester_name": "赵阿姨",
        "requester_phone": "027-87654321",
        "requester_email": "",
        "category": "0703",
        "description": "来电反映：小区健身器材损坏",
        "community": world.a.code,
        "lat": "",
        "lng": "",
        "address": "宁安小区广场",
        "form_token": uuid.uuid4().hex,
    }
    data.update(over)
    return data


def test_staff_registers_a_phone_call(world):
    client = world.client(world.users["community_worker"])
    page = client.get(reverse("cases:case-create")).content.decode()
    assert f'value="{world.a.code}"' in page and world.b.code not in page
    resp = client.post(reverse("cases:case-create"), _entry_data(world))
    case = Case.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("cases:case-detail", args=[case.pk])
    assert case.channel == Channel.PHONE and case.community == world.a
    assert case.requester_phone == "027-87654321" and case.requester_user is None
    walk_in = client.post(
        reverse("cases:case-create"), _entry_data(world, channel=Channel.WALK_IN, anonymous="on")
    )
    assert walk_in.status_code == 302
    assert Case.objects.filter(channel=Channel.WALK_IN, anonymous=True, requester_phone="").count() == 1


def test_staff_entry_outside_scope_is_refused(world):
    client = world.client(world.users["community_worker"])
    before = rows()
    other_community = client.post(reverse("cases:case-create"), _entry_data(world, community=world.b.code))
    assert other_community.status_code == 400 and "选择一个有效的选项" in other_community.content.decode()
    lat, lng = point_in(world, "b")
    other_point = client.post(
        reverse("cases:case-create"), _entry_data(world, community="", lat=f"{lat}", lng=f"{lng}")
    )
    assert other_point.status_code == 403
    bad_phone = client.post(reverse("cases:case-create"), _entry_data(world, requester_phone="12"))
    assert bad_phone.status_code == 400 and "联系电话格式不正确" in bad_phone.content.decode()
    assert "来电反映：小区健身器材损坏" in bad_phone.content.decode()
    assert rows() == before
    assert world.client(world.users["resident"]).get(reverse("cases:case-create")).status_code == 403


def test_staff_entry_double_submit_creates_one_case(world):
    client = world.client(world.users["community_lead"])
    data = _entry_data(world)
    first = client.post(reverse("cases:case-create"), data)
    second = client.post(reverse("cases:case-create"), data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Case.objects.count() == 1


def test_resident_of_another_community_sees_none_of_mine(world):
    other = make_user("t_resident_b2", Role.RESIDENT, world.b)
    client = world.client(world.users["resident"])
    post_report(client, report_data(world, description="我自己的诉求"))
    body = world.client(other).get(reverse("cases:mine")).content.decode()
    assert "我自己的诉求" not in body and "还没有提交过诉求" in body
