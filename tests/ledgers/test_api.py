"""/api/v1/ledgers: the documented statuses — 201 on a write, 409 on a month (day, period) already
recorded, 400 with the reason on bad input, 404 for another community's record, 403 without the duty."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from shequ.ledgers.models import Mediation, ReliefPayment
from tests.ledgers.factories import charge, make_relief_case, make_subject, this_month
from tests.people.factories import make_resident

API = "/api/v1/ledgers"


def _client(world, role="community_lead"):
    charge(world)
    token = world.token(world.users[role])
    c = Client(headers={"Authorization": f"Bearer {token}"})
    c.post_json = lambda path, data: c.post(path, json.dumps(data), content_type="application/json")
    return c


def test_duplicate_month_is_409_with_the_reason(world):
    case = make_relief_case(world, "a")
    c = _client(world)
    month = this_month().strftime("%Y-%m")
    first = c.post_json(f"{API}/relief/cases/{case.pk}/payments", {"month": month})
    assert first.status_code == 201 and first.json()["amount"] == "823.45"
    again = c.post_json(f"{API}/relief/cases/{case.pk}/payments", {"month": month, "amount": "10"})
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "duplicate_month" and "不能重复登记" in body["message"]
    assert ReliefPayment.objects.filter(case=case).count() == 1
    earlier = (this_month() - dt.timedelta(days=1)).strftime("%Y-%m")
    bad = c.post_json(f"{API}/relief/cases/{case.pk}/payments", {"month": earlier, "status": "暂停发放"})
    assert bad.status_code == 400 and "原因" in bad.json()["message"]


def test_relief_case_of_another_community_is_not_found(world):
    c = _client(world)
    other = make_resident(world, "b")
    resp = c.post_json(f"{API}/relief/cases", {"resident": str(other.pk), "category": "城乡低保",
                                               "start_date": "2026-01-01", "monthly_amount": "700"})  # fmt: skip
    assert resp.status_code == 404
    mine = make_resident(world, "a")
    resp = c.post_json(f"{API}/relief/cases", {"resident": mine.doc_number, "category": "特困供养",
                                               "start_date": "2026-01-01", "monthly_amount": "1200",
                                               "care_mode": "分散供养"})  # fmt: skip
    assert resp.status_code == 201
    body = resp.json()
    assert "*" in body["head_name"] and "*" in body["head_id_number"] and body["care_mode"] == "dispersed"
    dup = c.post_json(f"{API}/relief/cases", {"resident": mine.doc_number, "category": "tekun",
                                              "start_date": "2026-02-01", "monthly_amount": "1200",
                                              "care_mode": "集中供养"})  # fmt: skip
    assert dup.status_code == 409


def test_generation_and_ledger(world):
    make_relief_case(world, "a")
    make_relief_case(world, "b")
    c = _client(world, "community_lead")
    month = this_month().strftime("%Y-%m")
    out = c.post_json(f"{API}/relief/generate", {"month": month}).json()
    assert out == {"month": month, "created": 1, "existing": 0}  # only a: the lead's community
    assert c.post_json(f"{API}/relief/generate", {"month": month}).json()["created"] == 0
    ledger = c.get(f"{API}/relief/ledger", {"month": month}).json()
    assert [r["code"] for r in ledger["rows"]] == [world.a.code]
    assert ledger["rows"][0]["paid"] == "823.45"
    street = _client(world, "street")
    assert street.post_json(f"{API}/relief/generate", {"month": month}).json()["created"] == 1
    assert c.get(f"{API}/relief/ledger", {"month": month, "scope": world.b.code}).status_code == 403


def test_mediation_from_a_case_and_its_conflicts(world):
    from tests.cases.factories import make_case

    case = make_case(world, "a")
    a, b = make_resident(world, "a"), make_resident(world, "a")
    c = _client(world, "community_worker")
    today = timezone.localdate().isoformat()
    body = {"community": world.a.code, "matter_type": "邻里纠纷", "received_on": today, "summary": "噪音扰民",
            "parties": [{"side": "applicant", "resident_id": str(a.pk)}, {"side": "respondent", "name": "外来人员 张某"}],
            "mediator_name": "调解员徐静", "case": case.number}  # fmt: skip
    resp = c.post_json(f"{API}/mediation", body)
    assert resp.status_code == 201, resp.content
    med = resp.json()
    assert med["case_id"] == case.pk and med["agreement_reached"] is None
    assert c.post_json(f"{API}/mediation", body).status_code == 409  # the case is mediated already
    assert c.get(f"{API}/mediation", {"case_id": case.pk}).json()["items"][0]["number"] == med["number"]
    done = c.post_json(f"{API}/mediation/{med['id']}/conclude", {"mediated_on": today, "agreement_reached": True,
                                                                 "agreement_text": "楼上住户夜间十点后不再跳绳"})  # fmt: skip
    assert done.status_code == 200 and done.json()["outcome"] == "达成协议"
    again = c.post_json(
        f"{API}/mediation/{med['id']}/conclude", {"mediated_on": today, "agreement_reached": False}
    )
    assert again.status_code == 409
    assert c.post_json(f"{API}/mediation/{med['id']}/followup",
                       {"followup_on": today, "followup_result": "已履行"}).status_code == 200  # fmt: skip
    assert c.post_json(f"{API}/mediation/{med['id']}/followup",
                       {"followup_on": today, "followup_result": "再回访"}).status_code == 409  # fmt: skip
    other = {**body, "community": world.b.code, "case": ""}
    assert c.post_json(f"{API}/mediation", other).status_code == 404
    assert Mediation.objects.count() == 1
    del b


@pytest.mark.parametrize("grade, status", [("良好", 201), ("合格", 400), ("A", 400)])
def test_grades_outside_the_scale_are_refused(world, grade, status):
    s = make_subject(world, "a")
    c = _client(world)
    resp = c.post_json(
        f"{API}/correction/{s.pk}/grades", {"kind": "month", "year": 2026, "period": 5, "grade": grade}
    )
    assert resp.status_code == status
    if status == 400:
        assert "优秀、良好、一般、差" in resp.json()["message"]


def test_sign_in_twice_is_409_and_enrol_elsewhere_404(world):
    s = make_subject(world, "a")
    c = _client(world)
    today = timezone.localdate().isoformat()
    assert (
        c.post_json(
            f"{API}/correction/{s.pk}/sessions", {"on": today, "hours": "2", "task": "保洁"}
        ).status_code
        == 201
    )
    assert (
        c.post_json(
            f"{API}/correction/{s.pk}/sessions", {"on": today, "hours": "1", "task": "保洁"}
        ).status_code
        == 409
    )
    other = make_resident(world, "b")
    assert (
        c.post_json(f"{API}/correction", {"resident": str(other.pk), "start_date": today}).status_code == 404
    )
