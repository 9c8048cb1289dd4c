"""/api/v1/workforce/ through the test client with bearer tokens: labels accepted as values,
masking, the reports' shapes, and errors in the platform's model."""

import datetime as dt
import json

import pytest
from django.test import Client

from tests.workforce.factories import id_number, make_worker

pytestmark = pytest.mark.django_db
API = "/api/v1/workforce"


def api(world, role="street") -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.token(world.users[role])}")


def send(client, method, url, data):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def test_create_with_labels_and_read_back_masked(world):
    c = api(world)
    number = id_number(dt.date(1992, 2, 2), female=True)
    r = send(c, "post", f"{API}/workers", {"name": "周敏", "org": world.a.code, "id_number": number,
             "education": "本科", "source": "聘用", "source_detail": "大学生社区工作者",
             "hired_on": "2019-07-01", "political_status": "中共党员", "status": "在岗"})  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["gender"], body["gender_label"], body["birth_date"]) == ("female", "女", "1992-02-02")
    assert body["education"] == "bachelor" and body["org_name"] == world.a.display_name
    assert number not in r.content.decode() and body["id_number_masked"].startswith("420115")
    listed = c.get(f"{API}/workers", {"q": "周"}).json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "周敏"
    # A second full-time post for the same person: 409 with the reason.
    r = send(c, "post", f"{API}/workers", {"name": "周敏", "org": world.b.code, "id_number": number,
             "education": "本科", "source": "聘用", "hired_on": "2020-01-01"})  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "duplicate"
    r = send(c, "post", f"{API}/workers", {"name": "某", "org": world.a.code, "gender": "男", "birth_date": "1990-01-01",
             "education": "博士", "source": "聘用", "hired_on": "2020-01-01"})  # fmt: skip
    assert r.status_code == 400 and "education" in r.json()["details"]
    r = send(c, "post", f"{API}/workers", {"name": "某", "org": world.a.code, "gender": "男", "birth_date": "1990-01-01",
             "education": "本科", "source": "聘用", "hired_on": "2020-01-01", "status": "left"})  # fmt: skip
    assert r.status_code == 400 and "status" in r.json()["details"]


def test_population_staffing_structure_turnover(world):
    c = api(world)
    for _i in range(3):
        make_worker(world, "a", hired=dt.date(2020, 1, 1))
    r = send(
        c,
        "put",
        f"{API}/population",
        {"scope": world.a.code, "year": 2025, "residents": 2500, "source": "统计局"},
    )
    assert r.status_code == 200 and r.json()["residents"] == 2500
    s = c.get(f"{API}/staffing", {"scope": world.a.code, "year": 2025}).json()
    assert (s["residents"], float(s["ratio"]), s["required"], s["actual"], s["gap"]) == (2500, 18.0, 5, 3, 2)
    st = c.get(f"{API}/structure", {"scope": world.street.code, "date": "2026-01-01"}).json()
    assert st["total"] == 3 and {d["key"] for d in st["dimensions"]} >= {
        "gender",
        "age",
        "education",
        "source",
    }
    gender = next(d for d in st["dimensions"] if d["key"] == "gender")
    assert sum(g["count"] for g in gender["groups"]) == 3
    t = c.get(
        f"{API}/turnover", {"scope": world.street.code, "from": "2024-01-01", "to": "2024-12-31"}
    ).json()
    assert t["from"] == "2024-01-01" and t["to"] == "2024-12-31" and t["exits"] == 0
    assert (
        c.get(
            f"{API}/turnover", {"scope": world.street.code, "from": "2025-01-01", "to": "2024-01-01"}
        ).status_code
        == 400
    )
    assert c.get(f"{API}/structure", {"scope": "abc"}).status_code == 400
    assert api(world, "department").get(f"{API}/structure").status_code == 403
    r = send(api(world, "district"), "put", f"{API}/ratio", {"district": "420115", "per_10k": "20"})
    assert r.status_code == 200 and float(r.json()["per_10k"]) == 20.0
    s = c.get(f"{API}/staffing", {"scope": world.a.code, "year": 2025}).json()
    assert s["required"] == 5  # 20 × 2,500 / 10,000 = 5
    assert (
        send(
            api(world, "community_lead"), "put", f"{API}/ratio", {"district": "420115", "per_10k": "20"}
        ).status_code
        == 404
    )
    assert (
        send(api(world, "street"), "put", f"{API}/ratio", {"district": "420115", "per_10k": "20"}).status_code
        == 404
    )
    assert (
        send(
            api(world, "district"), "put", f"{API}/ratio", {"district": "420115", "per_10k": "0"}
        ).status_code
        == 422
    )


def test_openapi_names(world):
    doc = Client().get("/api/v1/openapi.json").json()
    names = set(doc["components"]["schemas"])
    assert {"WorkerOut", "WorkforceStructureOut", "StaffingOut", "TurnoverOut"} <= names
    assert "from" in doc["components"]["schemas"]["TurnoverOut"]["properties"]
