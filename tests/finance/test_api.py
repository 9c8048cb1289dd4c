"""/api/v1/finance/: the district's acts, a community's spending, refusals with their statuses, and
what each role may read."""

import io
import json
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from shequ.finance.models import Allocation, Budget, SharingRule
from tests.finance.factories import YEAR, make_allocation, make_commitment, make_spending

API = "/api/v1/finance"


def call(world, who, method, path, data=None, **query):
    token = world.token(world.users[who])
    c = Client()
    headers = {"Authorization": f"Bearer {token}"}
    if method == "get":
        return c.get(API + path, query, headers=headers)
    return getattr(c, method)(
        API + path, json.dumps(data or {}), content_type="application/json", headers=headers
    )


def test_district_sets_a_rule_applies_it_and_publishes(world):
    rule = {"org": world.district.code, "year": YEAR, "fund_kind": "人员报酬", "name": "报酬配套", "base": "community",
            "base_amount": "40000", "mode": "match", "parties": [{"party": "市", "ratio": "1"}, {"party": "区", "ratio": "2.5"}]}  # fmt: skip
    r = call(world, "district", "post", "/rules", rule)
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    bad = call(world, "district", "post", "/rules", {**rule, "parties": [{"party": "市", "ratio": "0"}]})
    assert bad.status_code == 400 and "正数" in bad.json()["message"]
    assert (
        call(world, "community_lead", "post", "/rules", rule).status_code == 404
    )  # the district is not its scope
    assert call(world, "community_lead", "get", "/rules").status_code == 403
    assert call(world, "district", "get", "/rules").json()["count"] == 1
    r = call(world, "district", "post", f"/rules/{rid}/apply")
    assert r.json()["written"] == 2
    b = Budget.objects.get(community=world.a)
    body = call(world, "community_lead", "get", f"/budgets/{b.pk}").json()
    assert sorted(Decimal(x["amount"]) for x in body["lines"]) == [Decimal("40000"), Decimal("100000")]
    assert (
        call(world, "district", "post", f"/budgets/{b.pk}/status", {"status": "published"}).status_code == 409
    )
    assert (
        call(world, "district", "post", f"/budgets/{b.pk}/status", {"status": "approved"}).status_code == 200
    )
    stale = call(world, "district", "post", f"/budgets/{b.pk}/status", {"status": "published", "version": 1})
    assert stale.status_code == 409
    report = call(world, "street", "get", "/report", scope=world.street.code, year=YEAR).json()
    assert Decimal(report["totals"]["due"]) == Decimal("280000")
    assert call(world, "grid_worker", "get", "/report").status_code == 403
    assert SharingRule.objects.count() == 1


def test_allocation_refusals_and_spending_within_the_balance(world):
    data = {"org": world.a.code, "party": "city", "fund_kind": "office", "year": YEAR, "amount": "500",
            "arrived_on": timezone.localdate().isoformat(), "document_number": "武财〔2026〕8号"}  # fmt: skip
    r = call(world, "district", "post", "/allocations", data)
    assert r.status_code == 400 and "超过应拨未到" in r.json()["message"]  # nothing is due yet
    r = call(world, "district", "post", "/allocations", {**data, "note": "年中追加"})
    assert r.status_code == 201
    dup = call(world, "district", "post", "/allocations", {**data, "note": "重复"})
    assert dup.status_code == 409 and dup.json()["code"] == "duplicate_document"
    sp = {"community": world.a.code, "fund_kind": "office", "year": YEAR, "category": "relief", "payee": "困难家庭",
          "spent_on": timezone.localdate().isoformat(), "amount": "500.01"}  # fmt: skip
    over = call(world, "community_lead", "post", "/spending", sp)
    assert over.status_code == 400 and "余额" in over.json()["message"]
    ok = call(world, "community_lead", "post", "/spending", {**sp, "amount": "500"})
    assert ok.status_code == 201
    assert call(world, "community_worker_b", "post", "/spending", {**sp, "amount": "1"}).status_code == 404


def test_closed_year_answers_409_with_the_reason(world):
    s = make_spending(world, amount="100", year=YEAR - 1)
    r = call(world, "district", "post", "/years/close", {"org": world.district.code, "year": YEAR - 1})
    assert r.status_code == 201
    assert (
        call(
            world, "community_lead", "post", "/years/close", {"org": world.district.code, "year": YEAR - 2}
        ).status_code
        == 404
    )
    edit = call(world, "community_lead", "patch", f"/spending/{s.pk}", {"amount": "90"})
    assert edit.status_code == 409 and edit.json()["code"] == "year_closed"
    fix = call(
        world,
        "community_lead",
        "post",
        f"/spending/{s.pk}/correct",
        {"reason": "发票金额有误", "amount": "90"},
    )
    assert fix.status_code == 201 and fix.json()["reversal"]["amount"] == "-100.00"


def test_department_reads_only_its_task_money(world):
    c = make_commitment(world, "a")
    make_allocation(world, "a")
    r = call(world, "department", "post", f"/task-money/{c.pk}/arrivals", {"amount": "2000"})
    assert r.status_code == 201
    listed = call(world, "department", "get", "/allocations").json()["items"]
    assert [x["commitment_id"] for x in listed] == [c.pk]
    rows = call(world, "department", "get", "/task-money").json()
    assert rows[0]["department"] == "区民政局" and rows[0]["missing"] == "0.00"
    assert call(world, "department", "get", "/budgets").status_code == 403
    assert call(world, "community_lead", "get", "/task-money").status_code == 403
    assert Allocation.objects.filter(commitment_id=c.pk).count() == 1


def test_award_round_through_the_api(world):
    bases = call(world, "community_lead", "get", "/award-bases").json()
    assert {"teams.activities", "facilities.built", "finance.manual"} <= {b["key"] for b in bases}
    scheme = {"org": world.district.code, "name": "活动奖补", "rewards": "队伍活动开展好的社区", "basis": "finance.manual",
              "grades": [{"grade": "一等", "min": "30", "amount": "20000"}, {"grade": "二等", "min": "20", "amount": "12000"}]}  # fmt: skip
    assert call(world, "community_lead", "post", "/award-schemes", scheme).status_code == 404
    r = call(world, "district", "post", "/award-schemes", scheme)
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    assert Decimal(r.json()["grades"][0]["amount"]) == Decimal("20000")
    assert call(world, "district", "post", "/award-schemes", scheme).status_code == 409
    bad = call(
        world,
        "district",
        "post",
        "/award-schemes",
        {**scheme, "name": "x", "grades": [{"grade": "一", "min": "1", "amount": "0"}]},
    )
    assert bad.status_code == 422  # the schema refuses an amount that is not positive
    r = call(world, "district", "post", "/award-rounds", {"scheme_id": sid, "year": YEAR})
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert (
        call(world, "district", "post", "/award-rounds", {"scheme_id": sid, "year": YEAR}).status_code == 409
    )
    assert call(world, "community_lead", "get", f"/award-rounds/{rid}").status_code == 200
    assert call(world, "department", "get", f"/award-rounds/{rid}").status_code == 403
    assert (
        call(world, "district", "post", f"/award-rounds/{rid}/eligibility").status_code == 409
    )  # a manual score
    r = call(
        world,
        "community_lead",
        "post",
        f"/award-rounds/{rid}/applications",
        {"community": world.a.code, "claim": "全年 32 场活动"},
    )
    assert r.status_code == 201, r.content
    aid = r.json()["id"]
    assert call(world, "community_lead", "post", f"/award-rounds/{rid}/applications",
                {"community": world.b.code, "claim": "x"}).status_code == 404  # fmt: skip
    assert (
        call(
            world,
            "community_lead",
            "post",
            f"/award-applications/{aid}/review",
            {"decision": "approve", "score": "32"},
        ).status_code
        == 403
    )
    assert (
        call(world, "district", "post", f"/award-applications/{aid}/award", {}).status_code == 409
    )  # not yet approved
    r = call(
        world, "district", "post", f"/award-applications/{aid}/review", {"decision": "approve", "score": "32"}
    )
    assert r.status_code == 200 and r.json()["grade"] == "一等"
    assert (
        call(world, "district", "post", f"/award-applications/{aid}/award", {"amount": "1"}).status_code
        == 400
    )
    r = call(world, "district", "post", f"/award-applications/{aid}/award", {"document_number": "奖〔1〕号"})
    assert (
        r.status_code == 201 and Decimal(r.json()["amount"]) == Decimal("20000") and r.json()["allocation_id"]
    )
    assert call(world, "district", "post", f"/award-applications/{aid}/award", {}).status_code == 409
    assert call(world, "community_lead", "get", f"/award-rounds/{rid}/applications").json()["count"] == 1
    assert call(world, "community_worker_b", "get", f"/award-rounds/{rid}/applications").json()["count"] == 0
    report = call(world, "district", "get", "/report", scope=world.district.code, year=YEAR).json()
    assert report["awards"][0]["awarded"] == 1 and Decimal(report["awards"][0]["amount"]) == Decimal("20000")
    assert call(world, "district", "post", f"/award-rounds/{rid}/close").json()["status"] == "closed"
    assert call(world, "district", "post", f"/award-rounds/{rid}/close").status_code == 409


def test_personnel_through_the_api(world):
    from tests.finance.factories import make_people_task

    t = make_people_task(world, people=2)
    r = call(world, "department", "post", f"/personnel/{t.pk}/provisions", {"people": 3})
    assert r.status_code == 400 and "超过" in r.json()["message"]
    r = call(
        world, "department", "post", f"/personnel/{t.pk}/provisions", {"people": 2, "names": "评估员 2 名"}
    )
    assert r.status_code == 201, r.content
    rows = call(world, "department", "get", "/personnel", year=t.start_date.year).json()
    assert rows[0]["promised"] == 2 and rows[0]["provided"] == 2
    assert call(world, "community_lead", "get", "/personnel").status_code == 403
    assert call(
        world, "community_lead", "post", f"/personnel/{t.pk}/provisions", {"people": 1}
    ).status_code in (403, 404)
    assert call(world, "community_lead", "get", "/personnel/provisions").json()["count"] == 1


def test_receipt_upload_is_multipart_and_checked_by_content(world):
    from tests.finance.factories import png

    s = make_spending(world)
    token = world.token(world.users["community_lead"])
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{API}/spending/{s.pk}/receipts"
    pdf = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    pdf.name = "电子发票.pdf"
    r = Client().post(url, {"files": [png("小票.jpg"), pdf]}, headers=headers)
    assert r.status_code == 201, r.content
    assert [x["content_type"] for x in r.json()] == ["image/png", "application/pdf"]
    fake = io.BytesIO(b"MZ\x90\x00 not a receipt")
    fake.name = "发票.pdf"
    r = Client().post(url, {"files": [fake]}, headers=headers)
    assert r.status_code == 400 and "不是图片或 PDF" in r.json()["message"]
    r = Client().post(url, {}, headers=headers)
    assert r.status_code == 400 and "请选择" in r.json()["message"]
    listed = Client().get(url, headers=headers).json()
    assert len(listed) == 3  # the photo the spending was recorded with, and the two uploaded
    other = make_spending(world, "b")
    r = Client().post(f"{API}/spending/{other.pk}/receipts", {"files": [png()]}, headers=headers)
    assert r.status_code == 404
    worker_b = {"Authorization": f"Bearer {world.token(world.users['grid_worker'])}"}
    assert Client().post(url, {"files": [png()]}, headers=worker_b).status_code in (403, 404)
