"""The staff's scanner at the door: a resident's pass (入场码) read by a staff phone, scans made while
the phone was offline and sent later, each answered on its own; and the refusals with reasons."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.teams import services
from shequ.teams.models import CheckIn, CheckInMethod, Signup
from tests.teams.factories import make_activity, resident_user, staff, started

pytestmark = pytest.mark.django_db


def _signed_up(world, a, side="a"):
    u, r = resident_user(world, side)
    return services.sign_up(u, a.pk), r


def test_pass_checks_in_once_and_a_second_read_finds_the_check_in(world):
    a = make_activity(world, capacity=5)
    s, r = _signed_up(world, a)
    started(a)
    code = services.pass_code(s)
    assert code.startswith(f"{a.pk}.{s.pk}:")
    c, new = services.check_in_by_pass(staff(world), a.pk, code)
    assert new and c.resident_id == r.pk and c.method == CheckInMethod.PASS
    again, new = services.check_in_by_pass(staff(world), a.pk, code)
    assert not new and again.pk == c.pk
    assert CheckIn.objects.filter(activity=a).count() == 1


def test_forged_other_activity_waiting_and_cancelled_passes_are_refused(world):
    a = make_activity(world, capacity=1)
    other = started(make_activity(world))
    first, _r = _signed_up(world, a)
    waiting, _r2 = _signed_up(world, a)
    started(a)
    assert waiting.status == "waiting"
    lead = staff(world)
    with pytest.raises(ValidationFailed, match="不是本平台的活动入场码"):
        services.check_in_by_pass(lead, a.pk, services.pass_code(first)[:-2] + "xx")
    with pytest.raises(ValidationFailed, match="不是本平台的活动入场码"):
        services.check_in_by_pass(lead, a.pk, "随便写的")
    with pytest.raises(Conflict, match="其他活动的入场码"):
        services.check_in_by_pass(lead, other.pk, services.pass_code(first))
    with pytest.raises(Conflict, match="候补名单"):
        services.check_in_by_pass(lead, a.pk, services.pass_code(waiting))
    code = services.pass_code(first)
    Signup.objects.filter(pk=first.pk).update(status="cancelled")  # withdrawn before it began
    with pytest.raises(Conflict, match="已取消"):
        services.check_in_by_pass(lead, a.pk, code)
    assert not CheckIn.objects.exists()


def test_offline_scan_keeps_its_own_time_within_the_activity(world):
    a = make_activity(world)
    s, _r = _signed_up(world, a)
    s2, _r2 = _signed_up(world, a)
    started(a, minutes=90)  # began 90 minutes ago, ends in 30
    at = timezone.now() - dt.timedelta(minutes=60)
    c, _new = services.check_in_by_pass(staff(world), a.pk, services.pass_code(s), at=at.isoformat())
    c.refresh_from_db()
    assert abs((c.at - at).total_seconds()) < 1
    future = services.check_in_by_pass  # a scanner clock ahead of the server is taken as now
    c2, _n = future(staff(world), a.pk, services.pass_code(s2), at=timezone.now() + dt.timedelta(hours=3))
    assert c2.at <= timezone.now()


def test_sync_answers_each_scan_and_refuses_a_stale_or_badly_timed_one(world):
    a = make_activity(world)
    s1, r1 = _signed_up(world, a)
    s2, _r2 = _signed_up(world, a)
    s3, _r3 = _signed_up(world, a)
    started(a, minutes=20)
    stale = (timezone.now() - dt.timedelta(hours=30)).isoformat()
    out = services.sync_scans(staff(world), a.pk, [
        {"id": "1", "code": services.pass_code(s1), "at": (timezone.now() - dt.timedelta(minutes=5)).isoformat()},
        {"id": "2", "code": "伪造"},
        {"id": "3", "code": services.pass_code(s1)},
        {"id": "4", "code": services.pass_code(s2), "at": stale},
        {"id": "5", "code": services.pass_code(s3), "at": "昨天"},
    ])  # fmt: skip
    by = {row["id"]: row for row in out}
    assert by["1"]["status"] == "in" and by["1"]["name"] == r1.name
    assert by["2"]["status"] == "refused" and "入场码" in by["2"]["message"]
    assert by["3"]["status"] == "again" and "无需重复扫码" in by["3"]["message"]
    assert by["4"]["status"] == "refused" and "24 小时" in by["4"]["message"]
    assert by["5"]["status"] == "refused" and "时间格式" in by["5"]["message"]
    assert list(CheckIn.objects.filter(activity=a).values_list("key", flat=True)) == [s1.key]
    with pytest.raises(ValidationFailed, match="最多上传"):
        services.sync_scans(staff(world), a.pk, [{"id": str(i), "code": "x"} for i in range(201)])


def test_scanner_is_for_the_activitys_staff_only(world):
    a = make_activity(world)
    s, _r = _signed_up(world, a)
    started(a)
    with pytest.raises(NotFound):
        services.check_in_by_pass(staff(world, "b"), a.pk, services.pass_code(s))
    with pytest.raises(NotFound):
        services.sync_scans(staff(world, "b"), a.pk, [])
    assert not CheckIn.objects.exists()


def test_scanner_page_carries_the_roster_and_the_sync_route_answers_json(world, client):
    a = make_activity(world)
    s, r = _signed_up(world, a)
    started(a)
    client.force_login(staff(world))
    page = client.get(reverse("teams:scanner", args=[a.pk]))
    assert page.status_code == 200
    roster = json.loads(
        page.content.decode().split('id="scanner-roster" type="application/json">')[1].split("</script>")[0]
    )
    assert roster == {"activity": a.pk, "signups": {str(s.pk): {"name": r.name, "in": False}}}
    url = reverse("teams:scans", args=[a.pk])
    bad = client.post(url, data="不是 JSON", content_type="application/json")
    assert bad.status_code == 400 and "格式不对" in bad.json()["message"]
    ok = client.post(
        url, data={"scans": [{"id": "x1", "code": services.pass_code(s)}]}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert ok.json() == {
        "results": [{"id": "x1", "name": r.name, "message": "", "status": "in"}],
        "checked_in": 1,
    }


def test_resident_sees_the_pass_on_the_activity_page_until_checked_in(world, client):
    a = make_activity(world)
    u, _r = resident_user(world)
    s = services.sign_up(u, a.pk)
    client.force_login(u)
    html = client.get(reverse("teams:public-activity", args=[a.pk])).content.decode()
    assert 'id="my-pass"' in html and services.pass_code(s) in html
    started(a)
    services.check_in_by_pass(staff(world), a.pk, services.pass_code(s))
    html = client.get(reverse("teams:public-activity", args=[a.pk])).content.decode()
    assert 'id="my-pass"' not in html and "您已签到" in html


def test_api_gives_the_pass_on_sign_up_and_takes_a_scanners_queue(world):
    from tests.teams.test_api import call

    a = make_activity(world)
    u, r = resident_user(world)
    signed = call(u, "post", f"/activities/{a.pk}/signups")
    assert signed.status_code == 201 and signed.json()["pass_code"].startswith(f"{a.pk}.")
    started(a)
    at = (timezone.now() - dt.timedelta(minutes=10)).isoformat()
    scans = [{"id": "a", "code": signed.json()["pass_code"], "at": at}, {"id": "b", "code": "x"}]
    resp = call(staff(world), "post", f"/activities/{a.pk}/scans", {"scans": scans})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert [(x["id"], x["status"]) for x in body["results"]] == [("a", "in"), ("b", "refused")]
    assert body["checked_in"] == 1 and body["results"][0]["name"] == r.name
    assert call(staff(world, "b"), "post", f"/activities/{a.pk}/scans", {"scans": scans}).status_code == 404
    too_many = [{"id": str(i), "code": "x"} for i in range(201)]
    assert call(staff(world), "post", f"/activities/{a.pk}/scans", {"scans": too_many}).status_code == 422
