"""The API: a resident's proposal and support (twice refused), the staff's meeting, attendance and
vote (refused above those present and without quorum, with the numbers), follow-up with a photo,
the overdue resolutions and the report; supporters' names only for the community's staff."""

import base64
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from shequ.participation.models import Issue, Resolution
from tests.participation.factories import adopted_resolution, last4, make_issue, residents

pytestmark = pytest.mark.django_db
API = "/api/v1/participation"


def call(world, role, method, path, data=None, **query):
    headers = {"Authorization": f"Bearer {world.token(world.users[role])}"}
    c = Client()
    if method == "get":
        return c.get(API + path, query, headers=headers)
    return getattr(c, method)(
        API + path, json.dumps(data or {}), content_type="application/json", headers=headers
    )


def test_proposal_and_support_once(world):
    a, b = residents(world, "a", 2)
    resp = call(world, "resident", "post", "/proposals", {
        "community": world.a.code, "category": "停车管理", "title": "规范小区停车", "text": "消防通道常被占用。"})  # fmt: skip
    assert (
        resp.status_code == 201 and resp.json()["support_count"] == 1 and resp.json()["status"] == "proposed"
    )
    pk = resp.json()["id"]
    assert call(world, "resident", "post", f"/issues/{pk}/support").status_code == 409
    ok = call(world, "resident", "post", f"/issues/{pk}/support", {"name": a.name, "last4": last4(a)})
    assert ok.status_code == 201 and ok.json()["support_count"] == 2
    again = call(world, "resident", "post", f"/issues/{pk}/support", {"name": a.name, "last4": last4(a)})
    assert again.status_code == 409 and "只能附议一次" in again.json()["message"]
    assert call(world, "resident", "post", "/issues/999999/support", {"name": b.name}).status_code == 404
    detail = call(world, "community_worker", "get", f"/issues/{pk}").json()
    assert {s["name"] for s in detail["supporters"]} == {a.name, str(world.users["resident"])}
    assert call(world, "street", "get", f"/issues/{pk}").json()["supporters"] is None
    assert call(world, "grid_worker", "get", "/issues").status_code == 403


def test_meeting_attendance_and_vote(world):
    issue = make_issue(world, status="ready")
    m = call(world, "community_worker", "post", "/meetings", {
        "community": world.a.code, "kind": "民情恳谈会", "starts_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "place": "社区议事厅", "convener": "王书记", "expected": 5, "issues": [issue.pk]})  # fmt: skip
    assert (
        m.status_code == 201
        and m.json()["agenda"][0]["issue"] == issue.pk
        and m.json()["quorum"] == "出席人数超过应到居民的半数"
    )
    mid = m.json()["id"]
    att = call(world, "community_worker", "post", f"/meetings/{mid}/attendance", {"names": ["甲", "乙"]})
    assert att.json()["present"] == 2
    twice = call(world, "community_worker", "post", f"/meetings/{mid}/attendance", {"names": ["甲"]})
    assert twice.status_code == 409 and "只能签到一次" in twice.json()["message"]
    vote = {"issue": issue.pk, "text": "划定停车位", "votes_for": 2, "votes_against": 0, "votes_abstain": 0,
            "owner_unit": "物业公司", "deadline": (timezone.localdate() + dt.timedelta(days=20)).isoformat()}  # fmt: skip
    no_quorum = call(world, "community_worker", "post", f"/meetings/{mid}/resolutions", vote)
    assert no_quorum.status_code == 409 and no_quorum.json()["code"] == "no_quorum"
    assert no_quorum.json()["details"] == {"present": 2, "expected": 5}
    call(world, "community_worker", "post", f"/meetings/{mid}/attendance", {"names": ["丙"]})
    above = call(
        world, "community_worker", "post", f"/meetings/{mid}/resolutions", {**vote, "votes_against": 2}
    )
    assert above.status_code == 400 and above.json()["code"] == "votes_above_present"
    done = call(world, "community_worker", "post", f"/meetings/{mid}/resolutions", vote)
    assert done.status_code == 201 and done.json()["adopted"] and done.json()["present"] == 3
    assert Issue.objects.get(pk=issue.pk).status == "resolved"
    assert call(world, "street", "post", f"/meetings/{mid}/attendance", {"names": ["丁"]}).status_code == 403


def test_follow_up_with_a_photo_overdue_and_report(world):
    r = adopted_resolution(world)
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="PNG")
    photo = {
        "name": "现场.png",
        "content_type": "image/png",
        "data_base64": base64.b64encode(out.getvalue()).decode(),
    }
    resp = call(world, "community_worker", "post", f"/resolutions/{r.pk}/follow-ups",
                {"on": timezone.localdate().isoformat(), "text": "已划线", "photos": [photo]})  # fmt: skip
    assert resp.status_code == 201
    assert Issue.objects.get(pk=r.issue_id).status == "implementing"
    Resolution.objects.filter(pk=r.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    overdue = call(world, "street", "get", "/resolutions", state="overdue").json()
    assert [x["id"] for x in overdue["items"]] == [r.pk] and overdue["items"][0]["overdue"]
    assert call(world, "street", "get", "/resolutions", state="done").json()["items"] == []
    report = call(world, "street", "get", "/report", scope=world.a.code).json()
    assert (
        report["overdue"] == 1 and report["issues_resolved"] == 1 and report["median_days_to_resolution"] == 0
    )
    assert report["kinds"][0]["name"] == "民情恳谈会" and report["kinds"][0]["attendance"] == 3
    assert call(world, "department", "get", "/report").status_code == 403
