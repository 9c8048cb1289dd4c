"""/api/v1/workforce/ pay routes with bearer tokens: the computed figures, the refusals with their
reasons and statuses, who may read pay, and the OpenAPI document's statuses."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from shequ.core.testing.world import make_user
from shequ.workforce.models import GradeScheme
from tests.workforce.factories import make_worker
from tests.workforce.pay_factories import EXAMPLE, NINE, paid_worker, pay_world

pytestmark = pytest.mark.django_db
API = "/api/v1/workforce"


def api(world, user) -> Client:
    user = world.users[user] if isinstance(user, str) else user
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.token(user)}")


def send(client, method, url, data):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def test_scheme_table_placement_and_pay_through_the_api(world):
    street = api(world, "street")
    r = send(street, "post", f"{API}/grade-schemes", {"org": world.street.code, "template": "三级九档"})
    assert r.status_code == 201 and r.json()["name"] == "纸坊街道三级九档" and r.json()["step_label"] == "档"
    scheme = r.json()["id"]
    rates = [{"grade": g, "step": s, "monthly": str(v)} for (g, s), v in NINE.items()]
    r = send(
        street,
        "put",
        f"{API}/grade-schemes/{scheme}/tables/2025",
        {"rates": rates[:-1], "source": "街道文件"},
    )
    assert r.status_code == 400 and "尚缺" in r.json()["message"]
    r = send(
        street, "put", f"{API}/grade-schemes/{scheme}/tables/2025", {"rates": rates, "source": "街道文件"}
    )
    assert r.status_code == 200 and len(r.json()["rates"]) == 9
    w = make_worker(world, "a")
    r = send(street, "post", f"{API}/workers/{w.pk}/grade", {"grade": "特级", "step": 1, "on": "2025-01-01"})
    assert r.status_code == 400 and r.json()["message"].startswith("“特级”不是“纸坊街道三级九档”中的等级")
    r = send(street, "post", f"{API}/workers/{w.pk}/grade", {"grade": "初级", "step": 1, "on": "2023-01-01"})
    assert r.status_code == 201 and r.json()["label"] == "初级1档"
    r = send(street, "post", f"{API}/pay-records", {"worker_id": w.pk, "year": 2024, **EXAMPLE})
    assert r.status_code == 400 and "尚未录入 2024 年的等级工资标准" in r.json()["message"]
    r = send(street, "post", f"{API}/pay-records", {"worker_id": w.pk, "year": 2025, **EXAMPLE})
    assert r.status_code == 201
    body = r.json()
    assert (body["base"], body["total_cost"], body["gross"], body["take_home"]) == (
        "18000.00", "35293.00", "24767.00", "19566.00")  # fmt: skip
    r = send(street, "post", f"{API}/pay-records", {"worker_id": w.pk, "year": 2025, **EXAMPLE, "bonus": "1300",
                                                    "version": 1})  # fmt: skip
    assert r.status_code == 200 and r.json()["gross"] == "24867.00" and r.json()["version"] == 2
    r = send(street, "post", f"{API}/pay-records", {"worker_id": w.pk, "year": 2025, **EXAMPLE, "version": 1})
    assert r.status_code == 409
    r = send(street, "post", f"{API}/pay-records", {"worker_id": w.pk, "year": 2025, "base": "99999"})
    assert r.status_code == 400 and "由系统计算" in r.json()["message"] and "base" in r.json()["details"]
    advice = api(world, "street").get(f"{API}/workers/{w.pk}/step-advice").json()
    # Three years in the step by now: the years are met, the appraisal is not known yet.
    assert (advice["status"], advice["status_label"], advice["appraisal"]) == (
        "pending_appraisal",
        "待考核结果",
        None,
    )
    assert advice["next_label"] == "初级2档" and len(advice["appraisal_years"]) == 3


def test_average_wage_report_contracts_and_insurance(world):
    pay_world(world)  # the street's wage through the service; the district's through the API
    paid_worker(world, "a", name="甲", amounts={k: "0" for k in EXAMPLE})
    district = api(world, "district")
    r = send(district, "put", f"{API}/average-wage", {"scope": world.district.code, "year": 2026, "amount": "29000",
                                                       "source": "区统计局", "floor_percent": "100"})  # fmt: skip
    assert r.status_code == 200 and r.json()["floor"] == "29000.00"
    r = send(district, "put", f"{API}/average-wage", {"scope": world.district.code, "year": 2026, "amount": "29000",
                                                       "source": "区统计局", "floor_percent": "300"})  # fmt: skip
    assert r.status_code == 400 and "floor_percent" in r.json()["details"]
    r = send(api(world, "street"), "put", f"{API}/average-wage",
             {"scope": world.district.code, "year": 2026, "amount": "29000", "source": "区统计局"})  # fmt: skip
    assert r.status_code == 404  # the district is above the street's scope
    report = api(world, "street").get(f"{API}/pay", {"scope": world.street.code, "year": 2025}).json()
    assert report["wage"]["floor"] == "23772.80" and report["share"] == "0.0"
    assert [b["name"] for b in report["below_floor"]] == ["甲"] and report["below_floor"][0][
        "ratio"
    ] == "64.4"
    assert api(world, "street").get(f"{API}/pay", {"scope": "abc"}).status_code == 400
    w = make_worker(world, "a", name="签合同")
    street = api(world, "street")
    end = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    r = send(street, "post", f"{API}/workers/{w.pk}/contracts", {"employer": "纸坊街道办事处", "start": "2024-01-01",
                                                                  "end": end})  # fmt: skip
    assert r.status_code == 201 and r.json()["days_left"] == 10
    first = r.json()["id"]
    r = send(street, "post", f"{API}/workers/{w.pk}/contracts", {"employer": "别处", "start": "2024-06-01"})
    assert r.status_code == 409 and r.json()["code"] == "overlap"
    due = street.get(f"{API}/contracts", {"due_within": 60}).json()
    assert [c["worker_name"] for c in due["items"]] == ["签合同"]
    renew_from = (dt.date.today() + dt.timedelta(days=11)).isoformat()
    r = send(street, "post", f"{API}/workers/{w.pk}/contracts", {"employer": "纸坊街道办事处", "start": renew_from,
                                                                  "renews": first})  # fmt: skip
    assert r.status_code == 201 and r.json()["open_ended"] and r.json()["renews"] == first
    assert street.get(f"{API}/contracts", {"due_within": 60}).json()["count"] == 0
    r = send(
        street, "put", f"{API}/workers/{w.pk}/insurance", {"year": 2026, "kinds": ["养老保险", "medical"]}
    )
    assert r.status_code == 200 and r.json()["labels"] == ["医疗保险", "养老保险"]
    rates = street.get(f"{API}/insurance", {"scope": world.street.code, "year": 2026}).json()
    assert next(k for k in rates["kinds"] if k["key"] == "pension")["count"] == 1


def test_who_reads_pay_through_the_api(world):
    pay_world(world)
    record = paid_worker(world, "a", name="本人")
    own = make_user("t_own", "community_worker", world.a)
    record.worker.user = own
    record.worker.save(update_fields=["user"])
    mine = api(world, own).get(f"{API}/pay-records").json()
    assert [r["worker_name"] for r in mine["items"]] == ["本人"] and mine["items"][0][
        "take_home"
    ] == "19566.00"
    assert api(world, own).get(f"{API}/workers/{record.worker_id}/step-advice").status_code == 200
    colleague = api(world, "community_worker")
    assert colleague.get(f"{API}/pay-records").status_code == 403
    assert colleague.get(f"{API}/workers/{record.worker_id}/step-advice").status_code == 403
    assert colleague.get(f"{API}/pay", {"scope": world.a.code}).status_code == 403
    for role in ("department", "grid_worker", "resident"):
        assert api(world, role).get(f"{API}/pay-records").status_code == 403, role
        assert api(world, role).get(f"{API}/contracts").status_code == 403, role
    assert api(world, "community_lead").get(f"{API}/pay-records").json()["count"] == 1
    r = send(api(world, own), "post", f"{API}/pay-records", {"worker_id": record.worker_id, "year": 2025})
    assert r.status_code == 403  # the worker reads their pay; they do not set it


def test_grade_schemes_list_templates_and_the_schemes_that_apply(world):
    pay_world(world)
    lead = api(world, "community_lead").get(f"{API}/grade-schemes", {"scope": world.a.code}).json()
    names = [s["name"] for s in lead]
    assert names[:2] == ["三岗十八级", "三级九档"] and "纸坊街道三级九档" in names
    own = next(s for s in lead if s["name"] == "纸坊街道三级九档")
    assert own["years"] == [2025] and own["scope"] == world.street.code and not own["template"]
    assert api(world, "department").get(f"{API}/grade-schemes").status_code == 403
    assert GradeScheme.objects.filter(org__isnull=True).count() == 2


def test_openapi_documents_every_status(world):
    doc = Client().get("/api/v1/openapi.json").json()
    names = set(doc["components"]["schemas"])
    assert {"PayRecordOut", "PayReportOut", "PayContractOut", "PayInsuranceRatesOut"} <= names
    post = doc["paths"][f"{API}/pay-records"]["post"]["responses"]
    assert {"200", "201", "400", "403", "404", "409", "422"} <= set(post)
    pay = doc["paths"][f"{API}/pay"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404"} <= set(pay)
    assert (
        Decimal(doc["components"]["schemas"]["PayRecordIn"]["properties"]["bonus"]["anyOf"][1]["maximum"])
        < 10**7
    )
