"""/api/v1/cases/ through the test client with bearer tokens: staff entry with photos, the list and
its filters, the case with its timeline and actions, the workflow actions and their conflicts,
merge candidates, the to-do list, categories, indicators, masking, OpenAPI."""

import base64
import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from shequ.cases import services
from shequ.cases.models import Case, CaseEvent, Channel
from shequ.core.models import Attachment
from tests.cases.factories import make_case, photo_bytes, point_in

pytestmark = pytest.mark.django_db
API = "/api/v1/cases"


def api(world, role="community_worker") -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.token(world.users[role])}")


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def act(client, case, action, **data):
    return post(client, f"{API}/cases/{case.pk if hasattr(case, 'pk') else case}/actions/{action}", data)


def photo(**kw) -> dict:
    return {
        "name": "现场.jpg",
        "content_type": "image/jpeg",
        "data_base64": base64.b64encode(photo_bytes(**kw)).decode(),
    }


def numbers(resp) -> list[str]:
    assert resp.status_code == 200, resp.content
    return [c["number"] for c in resp.json()["items"]]


# --- staff entry ----------------------------------------------------------------------------------
def test_walk_in_with_photo_and_point(world):
    c = api(world, "grid_worker")
    lat, lng = point_in(world, "a")
    resp = post(
        c,
        f"{API}/cases",
        {
            "channel": "patrol",
            "category": "0102",
            "description": "网格内发现暴露垃圾\n位于3栋北侧",
            "lat": lat,
            "lng": lng,
            "requester_name": "巡查",
            "requester_phone": "13712345678",
            "photos": [photo(exif_gps=True)],
        },
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (
        body["status"] == "received" and body["channel"] == "patrol" and body["title"] == "网格内发现暴露垃圾"
    )
    assert body["scope_code"] == world.grid_a.code and body["community_name"] == world.a.display_name
    assert body["requester_phone_masked"] == "137****5678" and "13712345678" not in resp.content.decode()
    receive = body["timeline"][0]
    assert receive["action"] == "receive" and receive["label"] == "受理" and len(receive["photos"]) == 1
    stored = Attachment.objects.get(pk=receive["photos"][0]["id"])
    assert b"TestPhone" not in bytes(stored.data)  # EXIF (device, position) stripped before storage
    assert c.get(receive["photos"][0]["url"]).status_code in (200, 302)


def test_phone_entry_by_community_and_anonymous(world):
    c = api(world)
    resp = post(
        c,
        f"{API}/cases",
        {
            "channel": "phone",
            "category": "0701",
            "description": "邻居装修噪音",
            "community": world.a.code,
            "anonymous": True,
            "requester_phone": "13712345678",
        },
    )
    assert resp.status_code == 201, resp.content
    case = Case.objects.get(pk=resp.json()["id"])
    assert case.anonymous and case.requester_phone == "" and case.community == world.a and case.grid is None


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"channel": "web", "category": "0703", "description": "x"}, 400, "invalid"),
        ({"channel": "walk_in", "category": "9999", "description": "x"}, 400, "invalid"),
        (
            {
                "channel": "walk_in",
                "category": "0703",
                "description": "x",
                "photos": [{"name": "a.jpg", "content_type": "image/jpeg", "data_base64": "@@@"}],
            },
            400,
            "bad_photo",
        ),
        (
            {
                "channel": "walk_in",
                "category": "0703",
                "description": "x",
                "photos": [
                    {
                        "name": "a.txt",
                        "content_type": "text/plain",
                        "data_base64": base64.b64encode(b"hello").decode(),
                    }
                ],
            },
            400,
            None,
        ),
        (
            {"channel": "walk_in", "category": "0703", "description": "x", "requester_phone": "123"},
            400,
            "invalid",
        ),
        (
            {"channel": "walk_in", "category": "0703", "description": "x", "lat": 10.0, "lng": 10.0},
            400,
            "invalid",
        ),
        ({"channel": "walk_in", "category": "0703"}, 422, "invalid_request"),
    ],
)
def test_bad_entries_are_refused_with_a_reason(world, body, status, code):
    resp = post(api(world), f"{API}/cases", body)
    assert resp.status_code == status, resp.content
    assert resp.json()["message"]
    if code:
        assert resp.json()["code"] == code
    assert not Case.objects.exists()


def test_entry_needs_the_right(world):
    body = {"channel": "walk_in", "category": "0703", "description": "x", "community": world.a.code}
    assert post(api(world, "department"), f"{API}/cases", body).status_code == 403
    assert post(api(world, "resident"), f"{API}/cases", body).status_code == 403
    assert post(Client(), f"{API}/cases", body).status_code == 401
    assert post(api(world), f"{API}/cases", {**body, "community": world.b.code}).status_code == 404
    assert not Case.objects.exists()


# --- the list -------------------------------------------------------------------------------------
def test_list_filters(world):
    street = world.users["street"]
    received = make_case(world, "a", "received", description="甲：楼道堆放杂物")
    dispatched = make_case(world, "a", "dispatched", category="0803", description="乙：夜间噪音")
    processing = make_case(world, "a", "processing", channel=Channel.PHONE, description="丙：路灯不亮")
    services.transition(street, processing.pk, "supervise", note="尽快办理")
    c = api(world, "community_lead")
    url = f"{API}/cases"
    assert set(numbers(c.get(url))) == {received.number, dispatched.number, processing.number}
    assert numbers(c.get(url, {"status": "dispatched"})) == [dispatched.number]
    assert numbers(c.get(url, {"category": "0803"})) == [dispatched.number]
    assert set(numbers(c.get(url, {"category": "08"}))) == {dispatched.number}  # a 大类 covers its 小类
    assert numbers(c.get(url, {"channel": "phone"})) == [processing.number]
    assert numbers(c.get(url, {"supervised": True})) == [processing.number]
    assert numbers(c.get(url, {"q": "夜间"})) == [dispatched.number]
    assert numbers(c.get(url, {"q": received.number[:14]})) == [received.number]
    assert numbers(c.get(url, {"community": world.a.code, "status": "received"})) == [received.number]
    today = timezone.localdate()
    assert (
        len(numbers(c.get(url, {"received_from": today.isoformat(), "received_to": today.isoformat()}))) == 3
    )
    assert numbers(c.get(url, {"received_to": (today - dt.timedelta(days=1)).isoformat()})) == []
    # The clock: overdue and warning, as the case page shows them.
    now = timezone.now()
    Case.objects.filter(pk=dispatched.pk).update(deadline=now - dt.timedelta(hours=1))
    Case.objects.filter(pk=processing.pk).update(
        warn_at=now - dt.timedelta(hours=1), deadline=now + dt.timedelta(hours=1)
    )
    assert numbers(c.get(url, {"clock": "overdue"})) == [dispatched.number]
    warning = c.get(url, {"clock": "warning"})
    assert numbers(warning) == [processing.number] and warning.json()["items"][0]["clock"] == "warning"
    # Paging.
    page = c.get(url, {"limit": 2, "offset": 0}).json()
    assert page["count"] == 3 and len(page["items"]) == 2


@pytest.mark.parametrize(
    "query", [{"category": "XX"}, {"community": "420115001002999"}, {"clock": "late"}, {"status": "lost"}]
)
def test_bad_filters_are_a_clear_400(world, query):
    resp = api(world).get(f"{API}/cases", query)
    assert resp.status_code in (400, 422), resp.content
    assert resp.json()["code"] in ("invalid_filter", "invalid_request")


def test_list_is_masked_and_scoped(world):
    mine, theirs = make_case(world, "a"), make_case(world, "b")
    resp = api(world).get(f"{API}/cases")
    text = resp.content.decode()
    assert mine.number in text and theirs.number not in text
    assert "13812345678" not in text and "138****5678" in text


# --- one case and its actions ---------------------------------------------------------------------
def test_the_whole_workflow_through_the_api(world):
    lead, worker, street = api(world, "community_lead"), api(world, "community_worker"), api(world, "street")
    case = make_case(world, "a", "received")
    detail = lead.get(f"{API}/cases/{case.pk}").json()
    assert {a["action"] for a in detail["actions"]} >= {"file", "reject", "merge"}
    r = act(lead, case, "file", expected_version=detail["version"])
    assert r.status_code == 200 and r.json()["status"] == "filed", r.content
    units = {u["key"] for u in r.json()["units"]}
    assert f"community:{world.a.code}" in units and f"grid:{world.grid_a.code}" in units
    assert r.json()["default_unit"]
    r = act(lead, case, "dispatch", unit=f"community:{world.a.code}")
    assert r.json()["status"] == "dispatched" and r.json()["deadline"] and r.json()["handler_name"]
    r = act(worker, case, "return", note="应由物业公司处理")
    assert r.json()["status"] == "returned" and r.json()["return_count"] == 1
    act(lead, case, "dispatch", unit=f"grid:{world.grid_a.code}")
    grid = api(world, "grid_worker")
    assert act(grid, case, "accept").json()["status"] == "processing"
    r = act(grid, case, "progress", note="已联系物业清理", photos=[photo()])
    assert r.status_code == 200 and r.json()["timeline"][-1]["photos"]
    assert (
        act(grid, case, "request_extension", note="需协调清运车辆", days=2).json()["extension_state"]
        == "pending"
    )
    assert act(lead, case, "grant_extension").json()["extension_state"] == "granted"
    assert act(grid, case, "feedback", note="已清理完毕").json()["status"] == "handled"
    r = act(lead, case, "rework", note="现场仍有杂物")
    assert r.json()["status"] == "processing" and r.json()["rework_count"] == 1
    act(grid, case, "feedback", note="已全部清运")
    act(lead, case, "verify")
    r = act(street, case, "close")
    assert r.json()["status"] == "closed" and r.json()["closed_on_time"] is True
    r = act(lead, case, "callback", valid=True, contacted=True, solved=True, satisfaction="basic")
    assert r.json()["status"] == "called_back" and r.json()["satisfaction"] == "basic"
    r = act(lead, case, "evaluate", rating=4, comment="处理及时")
    assert (
        r.json()["status"] == "evaluated"
        and r.json()["rating"] == 4
        and r.json()["rating_comment"] == "处理及时"
    )
    labels = [e["label"] for e in r.json()["timeline"]]
    assert labels[:4] == ["受理", "立案", "派遣", "退单"] and labels[-1] == "评价"
    assert r.json()["actions"] == []


def test_conflicts_are_409_with_the_reason_and_change_nothing(world):
    case = make_case(world, "a", "dispatched")
    lead, worker = api(world, "community_lead"), api(world, "community_worker")
    version = lead.get(f"{API}/cases/{case.pk}").json()["version"]
    assert act(lead, case, "accept", expected_version=version).status_code == 200
    second = act(worker, case, "accept", expected_version=version)
    assert second.status_code == 409
    assert second.json()["code"] == "bad_transition" and "签收" in second.json()["message"]
    stale = act(worker, case, "progress", note="x", expected_version=version)
    assert stale.status_code == 409 and stale.json()["code"] == "stale" and "刷新" in stale.json()["message"]
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    assert not CaseEvent.objects.filter(case=case, action="progress").exists()


@pytest.mark.parametrize(
    ("role", "action", "data", "status", "code"),
    [
        ("community_lead", "fly", {}, 400, "unknown_action"),
        ("community_lead", "return", {}, 400, "invalid"),  # a return needs its reason
        ("grid_worker", "accept", {}, 403, "permission_denied"),  # not the handling unit
        ("department", "accept", {}, 404, "not_found"),  # not dispatched to the department: unseen
        ("community_lead", "park", {"note": "资金未到位", "review_on": "2000-01-01"}, 400, "invalid"),
        ("community_lead", "request_extension", {"note": "x", "days": 99}, 422, "invalid_request"),
    ],
)
def test_refused_actions(world, role, action, data, status, code):
    case = make_case(world, "a", "dispatched")
    before = Case.objects.get(pk=case.pk).version
    resp = act(api(world, role), case, action, **data)
    assert resp.status_code == status, resp.content
    assert resp.json()["code"] == code and resp.json()["message"]
    assert Case.objects.get(pk=case.pk).version == before


def test_merge_and_candidates_stay_in_scope(world):
    lat, lng = point_in(world, "a")
    parent = make_case(world, "a", "filed", description="3栋门口污水横流，气味难闻")
    dup = make_case(world, "a", "received", description="3栋门口污水横流，气味难闻！")
    make_case(world, "b", "filed", description="3栋门口污水横流，气味难闻。")  # same street, other community
    lead = api(world, "community_lead")
    found = lead.get(f"{API}/cases/{dup.pk}/merge-candidates")
    assert found.status_code == 200
    assert [c["case"]["number"] for c in found.json()] == [parent.number]
    assert found.json()[0]["distance_m"] is not None and found.json()[0]["similarity"] >= 0.8
    # The street sees both communities' candidates.
    assert len(api(world, "street").get(f"{API}/cases/{dup.pk}/merge-candidates").json()) == 2
    r = act(lead, dup, "merge", parent=parent.pk)
    assert (
        r.status_code == 200 and r.json()["status"] == "merged" and r.json()["parent_number"] == parent.number
    )
    assert lat and lng


def test_requester_sees_their_own_request_and_only_its_public_timeline(world):
    resident = world.users["resident"]
    lat, lng = point_in(world, "a")
    case, _ = services.submit_request(
        resident,
        channel=Channel.WEB,
        category="0703",
        description="楼道堆物",
        lat=lat,
        lng=lng,
        requester_phone="13600001111",
    )
    street = world.users["street"]
    services.transition(street, case.pk, "file")
    services.transition(street, case.pk, "dispatch", unit=f"community:{world.a.code}")
    services.transition(street, case.pk, "supervise", note="内部督办意见")
    other = make_case(world, "a")
    c = api(world, "resident")
    mine = c.get(f"{API}/cases/{case.pk}")
    assert mine.status_code == 200
    actions = [e["action"] for e in mine.json()["timeline"]]
    assert actions == ["receive", "file", "dispatch"] and mine.json()["actions"] == []
    assert c.get(f"{API}/cases/{other.pk}").status_code == 404
    assert numbers(c.get(f"{API}/cases")) == [case.number]


# --- to-do list -----------------------------------------------------------------------------------
def test_todo_puts_supervised_first_then_the_nearest_deadline(world):
    street = world.users["street"]
    unit = f"community:{world.a.code}"
    early, late, flagged = (make_case(world, "a", "filed", description=f"待办{n}") for n in range(3))
    for c in (early, late, flagged):
        services.transition(street, c.pk, "dispatch", unit=unit)
    now = timezone.now()
    Case.objects.filter(pk=early.pk).update(deadline=now + dt.timedelta(hours=2))
    Case.objects.filter(pk=late.pk).update(deadline=now + dt.timedelta(days=3))
    Case.objects.filter(pk=flagged.pk).update(deadline=now + dt.timedelta(days=9))
    services.transition(street, flagged.pk, "supervise", note="加快")
    make_case(world, "a", "handled")  # waiting on verification, not on the handler
    make_case(world, "a", "received")
    lead = api(world, "community_lead")
    assert numbers(lead.get(f"{API}/todo")) == [flagged.number, early.number, late.number]
    assert numbers(lead.get(f"{API}/todo", {"q": "待办1"})) == [late.number]
    # The grid worker's unit is the grid; the department sees only its own department's.
    assert numbers(api(world, "grid_worker").get(f"{API}/todo")) == []
    services.transition(street, late.pk, "reassign", unit="department:区民政局", note="属民政职责")
    assert numbers(api(world, "department").get(f"{API}/todo")) == [late.number]
    assert numbers(lead.get(f"{API}/todo")) == [flagged.number, early.number]


# --- categories and indicators --------------------------------------------------------------------
def test_categories_tree_with_limits(world):
    tree = api(world, "resident").get(f"{API}/categories").json()
    majors = {m["code"]: m for m in tree}
    assert majors["01"]["name"] == "市容环境" and majors["01"]["source"] == "CJ/T 214"
    noise = next(c for c in majors["08"]["children"] if c["code"] == "0803")
    assert noise["name"] == "噪音" and noise["limit_value"] >= 1 and noise["limit_label"]
    from shequ.cases.models import Category

    Category.objects.filter(code="0803").update(active=False)
    codes = {c["code"] for m in api(world).get(f"{API}/categories").json() for c in m["children"]}
    assert "0803" not in codes
    every = api(world).get(f"{API}/categories", {"include_inactive": True}).json()
    assert "0803" in {c["code"] for m in every for c in m["children"]}


def test_indicators(world):
    closed = make_case(world, "a", "called_back")
    make_case(world, "a", "dispatched")
    make_case(world, "b", "closed")
    lead = api(world, "community_lead")
    today = timezone.localdate().isoformat()
    resp = lead.get(f"{API}/indicators", {"start": today, "end": today})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    figures = body["figures"]
    assert figures["filed"] == 2 and figures["closed"] == 1  # b's case is not the lead's
    assert figures["callbacks"] == 1 and figures["satisfaction_rate"] == 1.0
    assert any("结案率" in f[0] for f in body["formulas"])
    by = lead.get(f"{API}/indicators", {"start": today, "end": today, "by": "category"}).json()
    assert [r["key"] for r in by["breakdown"]] == [closed.category.code]
    street = api(world, "street").get(f"{API}/indicators", {"scope": world.b.code}).json()
    assert street["figures"]["filed"] == 1 and street["scope"] == world.b.code
    assert lead.get(f"{API}/indicators", {"scope": world.b.code}).status_code == 404
    assert lead.get(f"{API}/indicators", {"start": today, "end": "2000-01-01"}).status_code == 400
    assert lead.get(f"{API}/indicators", {"by": "weather"}).status_code == 400
    assert api(world, "grid_worker").get(f"{API}/indicators").status_code == 403


def test_openapi_lists_every_cases_path():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    expected = {
        f"{API}/cases": {"get", "post"},
        f"{API}/cases/{{case_id}}": {"get"},
        f"{API}/cases/{{case_id}}/actions/{{action}}": {"post"},
        f"{API}/cases/{{case_id}}/merge-candidates": {"get"},
        f"{API}/todo": {"get"},
        f"{API}/categories": {"get"},
        f"{API}/indicators": {"get"},
        f"{API}/hotline/orders": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
