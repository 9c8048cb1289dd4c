"""The API: a resident's sign-up (twice refused, 409), check-in by the entrance's code (twice
refused), hours refused for a volunteer who did not attend, a rating, the figures, and the public
listing that carries no names; a volunteer's own record."""

import json

import pytest
from django.test import Client

from shequ.core.models import ApiToken
from shequ.teams import services
from tests.teams.factories import make_activity, make_volunteer, resident_user, staff, started

pytestmark = pytest.mark.django_db
API = "/api/v1/teams"


def call(user, method, path, data=None, **query):
    headers = {"Authorization": f"Bearer {ApiToken.issue(user, 1)[1]}"}
    c = Client()
    if method == "get":
        return c.get(API + path, query, headers=headers)
    return c.post(API + path, json.dumps(data or {}), content_type="application/json", headers=headers)


def test_sign_up_check_in_hours_rating_and_figures(world):
    a = make_activity(world, capacity=1)
    v, u = make_volunteer(world)
    other, _r = resident_user(world)
    resp = call(u, "post", f"/activities/{a.pk}/signups")
    assert resp.status_code == 201 and resp.json()["status"] == "confirmed"
    again = call(u, "post", f"/activities/{a.pk}/signups")
    assert again.status_code == 409 and "无需重复报名" in again.json()["message"]
    waiting = call(other, "post", f"/activities/{a.pk}/signups").json()
    assert waiting["status"] == "waiting" and waiting["position"] == 1
    started(a)
    token = services.door_token(a)
    assert call(u, "post", "/check-in", {"token": token}).status_code == 201
    twice = call(u, "post", "/check-in", {"token": token})
    assert twice.status_code == 409 and "只能签到一次" in twice.json()["message"]
    full = call(other, "post", "/check-in", {"token": token})
    assert full.status_code == 409 and "人数已满" in full.json()["message"]
    absent, _u2 = make_volunteer(world)
    refused = call(staff(world), "post", f"/activities/{a.pk}/hours", {"volunteer": absent.pk, "hours": "2"})
    assert refused.status_code == 409 and refused.json()["code"] == "not_attended"
    ok = call(staff(world), "post", f"/activities/{a.pk}/hours", {"volunteer": v.pk, "hours": "2"})
    assert ok.status_code == 201 and ok.json()["hours"] == "2.0"
    assert call(u, "post", f"/activities/{a.pk}/rating", {"score": 5}).status_code == 201
    assert call(u, "post", f"/activities/{a.pk}/rating", {"score": 9}).status_code == 422
    me = call(u, "get", "/me").json()
    assert me["total_hours"] == "2.0" and me["service"][0]["activity_id"] == a.pk
    fig = call(staff(world), "get", "/figures", scope=world.a.code).json()
    assert fig["activities"] == 1 and fig["person_times"] == 1 and float(fig["volunteer_hours"]) == 2
    assert call(u, "get", "/figures").status_code == 403  # residents read no figures


def test_public_listing_has_no_names(world):
    a = make_activity(world, title="公开的读书会")
    u, r = resident_user(world)
    services.sign_up(u, a.pk)
    resp = Client().get(f"{API}/public/{world.a.code}/activities")
    assert resp.status_code == 200
    item = resp.json()["items"][0]
    assert (
        item["title"] == "公开的读书会"
        and item["confirmed"] == 1
        and r.name not in json.dumps(item, ensure_ascii=False)
    )
    assert Client().get(f"{API}/public/999999999999/activities").status_code == 404
    page = Client().get(f"/teams/c/{world.a.code}/")
    assert (
        page.status_code == 200
        and "公开的读书会" in page.content.decode()
        and r.name not in page.content.decode()
    )
