"""/api/v1/duties/requests and /policies: filing with the pre-check, the duplicate 409, the notice
period, the review by votes, close, withdraw, resubmit, the pre-check preview and the settings."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from shequ.duties.models import AdmissionRequest, DutyPolicy, RequestStatus, Vote
from tests.duties import factories as f

pytestmark = pytest.mark.django_db
BASE = "/api/v1/duties"


class Api:
    def __init__(self, world, user):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {world.token(user)}"}

    def get(self, path, params=None):
        return self.client.get(BASE + path, params or {}, headers=self.headers)

    def send(self, method, path, data):
        return getattr(self.client, method)(
            BASE + path, json.dumps(data, default=str), content_type="application/json", headers=self.headers
        )

    def post(self, path, data):
        return self.send("post", path, data)

    def put(self, path, data):
        return self.send("put", path, data)


def payload(world, side="a", **over) -> dict:
    fields = f.request_fields(world, side)
    data = {
        **{k: v for k, v in fields.items() if k not in ("item", "communities")},
        "item": fields["item"].pk,
        "communities": [world.community(side).code],
        "basis": "《湖北省养老服务条例》",
    }
    data.update(over)
    return data


@pytest.fixture
def setup(world):
    f.make_list(world)
    f.make_policy(world)
    return world


def test_file_read_and_list(setup):
    world = setup
    api = Api(world, world.users["department"])
    resp = api.post("/requests", payload(world))
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "review" and body["fast_track"] is True
    assert body["communities"] == [world.a.code] and body["communities_count"] == 1
    assert {f["code"] for f in body["findings"]} >= {"fast_track"}
    assert body["review"]["total"] == 3 and body["review"]["may_vote"] is False
    assert body["review"]["tally_text"] == "同意 0 票，不同意 0 票，修改后同意 0 票"
    listed = api.get("/requests", {"tab": "department"}).json()
    assert [r["number"] for r in listed["items"]] == [body["number"]]
    assert api.get("/requests", {"fast_track": True}).json()["count"] == 1
    assert api.get("/requests", {"status": "approved"}).json()["count"] == 0
    assert api.get("/requests", {"tab": "bogus"}).status_code == 400


def test_duplicate_is_409_then_confirmed(setup):
    world = setup
    api = Api(world, world.users["department"])
    data = payload(world)
    first = api.post("/requests", data).json()
    resp = api.post("/requests", data)
    assert resp.status_code == 409
    err = resp.json()
    assert err["code"] == "duplicate_request" and err["details"]["duplicates"] == [first["number"]]
    assert api.post("/requests", {**data, "confirm_duplicate": True}).status_code == 201


def test_notice_period_and_urgent(setup):
    world = setup
    api = Api(world, world.users["department"])
    soon = timezone.localdate() + dt.timedelta(days=2)
    data = payload(world, start_date=soon, end_date=soon + dt.timedelta(days=10))
    resp = api.post("/requests", data)
    assert resp.status_code == 400 and "start_date" in resp.json()["details"]
    resp = api.post("/requests", {**data, "urgent": True, "urgent_reason": ""})
    assert resp.status_code == 400 and "urgent_reason" in resp.json()["details"]
    resp = api.post("/requests", {**data, "urgent": True, "urgent_reason": "防汛应急排查"})
    assert resp.status_code == 201
    assert any(x["code"] == "urgent" for x in resp.json()["findings"])


def test_precheck_preview_saves_nothing(setup):
    world = setup
    api = Api(world, world.users["department"])
    negative = f.make_list(world).items.get(code="FM-01")
    resp = api.post("/requests/precheck", payload(world, item=negative.pk))
    assert resp.status_code == 200
    reject = [x for x in resp.json() if x["level"] == "reject"]
    assert reject and "FM-01" in reject[0]["item"]
    assert not AdmissionRequest.objects.exists()


def test_only_departments_file(setup):
    world = setup
    for role in ("street", "community_lead", "grid_worker"):
        resp = Api(world, world.users[role]).post("/requests", payload(world))
        assert resp.status_code == 403 and resp.json()["code"] == "permission_denied"
    assert not AdmissionRequest.objects.exists()


def test_review_by_votes(setup):
    world = setup
    req = f.make_request(world, "a")
    chair, m1, m2 = (Api(world, u) for u in f.members(world))
    assert (
        Api(world, world.users["department"])
        .post(f"/requests/{req.pk}/votes", {"choice": "approve"})
        .status_code
        == 403
    )
    assert chair.post(f"/requests/{req.pk}/votes", {"choice": "approve"}).status_code == 201
    resp = m1.post(f"/requests/{req.pk}/votes", {"choice": "reject"})
    assert resp.status_code == 400 and "comment" in resp.json()["details"]
    m1.post(f"/requests/{req.pk}/votes", {"choice": "reject", "comment": "台账太多"})
    body = m2.post(f"/requests/{req.pk}/votes", {"choice": "approve"}).json()
    assert body["status"] == "approved" and body["letter_number"]
    assert body["review"]["tally"] == {Vote.APPROVE: 2, Vote.REJECT: 1, Vote.AMEND: 0}
    assert [v["choice"] for v in body["review"]["votes"]] == ["approve", "reject", "approve"]
    tasks = Api(world, world.users["department"]).get(f"/requests/{req.pk}").json()["tasks"]
    assert [t["community_code"] for t in tasks] == [world.a.code]
    assert tasks[0]["funding_committed"] == "2000.00"
    again = m2.post(f"/requests/{req.pk}/votes", {"choice": "approve"})
    assert again.status_code == 409
    todo = chair.get("/requests", {"tab": "todo"}).json()
    assert todo["count"] == 0


def test_close_withdraw_and_resubmit(setup):
    world = setup
    req = f.make_request(world, "a")
    chair = Api(world, world.users["street"])
    dept = Api(world, world.users["department"])
    chair.post(f"/requests/{req.pk}/votes", {"choice": "approve"})
    assert chair.post(f"/requests/{req.pk}/close", {}).json()["code"] == "not_due"
    AdmissionRequest.objects.filter(pk=req.pk).update(review_deadline=timezone.now() - dt.timedelta(hours=1))
    assert dept.post(f"/requests/{req.pk}/close", {}).status_code == 403
    body = chair.post(f"/requests/{req.pk}/close", {"note": "期满"}).json()
    assert body["status"] == "approved" and body["decided_late"] is True
    body = dept.post(f"/requests/{req.pk}/withdraw", {"reason": "政策调整"}).json()
    assert body["status"] == "withdrawn" and {t["status"] for t in body["tasks"]} == {"withdrawn"}

    returned = f.make_request(world, "a", "returned")
    data = payload(world, expected_version=returned.version)
    data["start_date"], data["end_date"] = returned.start_date, returned.end_date
    resp = dept.put(f"/requests/{returned.pk}", data)
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "review"
    assert dept.put(f"/requests/{returned.pk}", data).status_code == 409  # stale version / not returned


def test_other_department_sees_nothing(setup):
    world = setup
    req = f.make_request(world, "a")
    other = Api(world, f.department_user(world, "b"))
    assert other.get(f"/requests/{req.pk}").status_code == 404
    assert other.get("/requests").json()["count"] == 0
    resp = other.post(f"/requests/{req.pk}/withdraw", {"reason": "越权"})
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    for role in ("community_lead", "community_worker", "grid_worker"):
        api = Api(world, world.users[role])
        assert api.get(f"/requests/{req.pk}").status_code == 404
        assert api.get("/requests").json()["count"] == 0


def test_policies(setup):
    world = setup
    street = Api(world, world.users["street"])
    rows = street.get("/policies").json()
    assert [r["org_code"] for r in rows] == [world.street.code]
    assert rows[0]["configured"] and len(rows[0]["members"]) == 3
    members = [
        {"username": "t_street", "title": "组长", "is_chair": True},
        {"username": "t_member1", "title": "成员"},
    ]
    resp = street.put(
        f"/policies/{world.street.code}",
        {
            "group_name": "纸坊街道准入小组",
            "decision_rule": "chair",
            "notice_days": 20,
            "caps": {"ledgers": 12},
            "members": members,
        },
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["decision_rule"] == "chair" and body["caps"] == {"ledgers": 12} and len(body["members"]) == 2
    assert DutyPolicy.objects.get(org=world.street).notice_days == 20
    two_chairs = [{**m, "is_chair": True} for m in members]
    resp = street.put(f"/policies/{world.street.code}", {"group_name": "x", "members": two_chairs})
    assert resp.status_code == 400
    assert street.put(f"/policies/{world.district.code}", {"group_name": "x"}).status_code == 404
    assert Api(world, world.users["department"]).get("/policies").status_code == 403
    district = Api(world, world.users["district"])
    codes = [r["org_code"] for r in district.get("/policies").json()]
    assert codes == [world.district.code, world.street.code]


def test_returned_request_status_in_list(setup):
    world = setup
    f.make_request(world, "a", "returned")
    api = Api(world, world.users["department"])
    items = api.get("/requests", {"status": RequestStatus.RETURNED}).json()["items"]
    assert len(items) == 1 and items[0]["status_label"] == "退回补正"
