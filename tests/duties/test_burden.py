"""The burden ledger: totals on a hand-built ledger, caps and breaches, the trend, the league table
of departments, the baseline comparison, the page, its export and the API."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shequ.duties import burden, services
from shequ.duties.models import BurdenEntry, Kind
from tests.duties.factories import make_refusal, make_task

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _today():
    """Today as of each test, not as of the import: a run that crosses midnight stays right."""
    global TODAY
    TODAY = timezone.localdate()


def entry(world, side, *, department="区应急管理局", start=-10, end=None, kind=Kind.ASSIST, **metrics):
    return services.register_entry(
        world.users["street"],
        community=world.community(side),
        department=department,
        kind=kind,
        title=f"{department}台账",
        start_date=TODAY + dt.timedelta(days=start),
        end_date=None if end is None else TODAY + dt.timedelta(days=end),
        **metrics,
    )


@pytest.fixture
def ledger_world(world):
    """a: 3 ledgers + 2 stamps (active), 5 ledgers (ended yesterday), 9 ledgers (starts in 5 days);
    b: 7 ledgers, 12 inspections, 1 signboard (active)."""
    entry(world, "a", ledgers=3, stamps=2, hours_per_month=Decimal("4.5"))
    entry(world, "a", department="区卫健局", start=-30, end=-1, ledgers=5)
    entry(world, "a", department="区卫健局", start=5, ledgers=9)
    entry(world, "b", department="区城管局", kind=Kind.STATUTORY, ledgers=7, inspections=12, signboards=1)
    return world


def test_totals_count_only_entries_active_on_the_day(ledger_world):
    w = ledger_world
    t = burden.totals(w.users["street"], w.street.code, TODAY)
    assert (t["ledgers"], t["stamps"], t["signboards"], t["inspections"]) == (10, 2, 1, 12)
    assert t["entries"] == 2 and t["tasks"] == 0
    assert t["hours_per_month"] == Decimal("4.5")
    a = burden.totals(w.users["street"], w.a.code, TODAY)
    assert a["ledgers"] == 3 and a["entries"] == 2 - 1
    # Yesterday the ended entry was still in force; in a week the future one is.
    assert burden.totals(w.users["street"], w.a.code, TODAY - dt.timedelta(days=1))["ledgers"] == 8
    assert burden.totals(w.users["street"], w.a.code, TODAY + dt.timedelta(days=7))["ledgers"] == 12


def test_a_community_sees_only_its_own_load(ledger_world):
    w = ledger_world
    lead = w.users["community_lead"]
    data = burden.ledger(lead, None, TODAY)
    assert data["node"].code == w.a.code
    assert data["totals"]["ledgers"] == 3
    assert [r["department"] for r in data["departments"]] == ["区应急管理局"]
    with pytest.raises(burden.NotFound):
        burden.ledger(lead, w.b.code, TODAY)


def test_breakdown_by_department_and_kind(ledger_world):
    w = ledger_world
    deps = {r["department"]: r for r in burden.by_department(w.users["district"], w.district.code, TODAY)}
    assert set(deps) == {"区应急管理局", "区城管局"}
    assert deps["区城管局"]["inspections"] == 12
    kinds = {r["kind"]: r for r in burden.by_kind(w.users["district"], w.district.code, TODAY)}
    assert kinds[Kind.STATUTORY]["ledgers"] == 7 and kinds[Kind.ASSIST]["ledgers"] == 3


def test_default_caps_and_a_policy_cap_breached(ledger_world):
    w = ledger_world
    street = w.users["street"]
    # Default caps: 12 inspections a year is at the cap, not over it.
    assert burden.ledger(street, w.street.code, TODAY)["breaches"] == []
    services.save_policy(street, w.street, caps={"ledgers": 5, "inspections": 10})
    data = burden.ledger(street, w.street.code, TODAY)
    found = [(b["code"], b["metric"], b["value"], b["cap"]) for b in data["breaches"]]
    assert found == [(w.b.code, "inspections", 12, 10), (w.b.code, "ledgers", 7, 5)]
    rows = {r["code"]: r for r in data["communities"]}
    assert rows[w.a.code]["over"] == {} and set(rows[w.b.code]["over"]) == {"ledgers", "inspections"}


def test_a_street_policy_is_nearer_than_the_district_one(ledger_world):
    w = ledger_world
    services.save_policy(w.users["district"], w.district, caps={"ledgers": 2})
    assert {b["code"] for b in burden.ledger(w.users["district"], w.district.code, TODAY)["breaches"]} == {
        w.a.code,
        w.b.code,
    }
    services.save_policy(w.users["street"], w.street, caps={"ledgers": 6})
    assert {b["code"] for b in burden.ledger(w.users["district"], w.district.code, TODAY)["breaches"]} == {
        w.b.code
    }


def test_trend_is_the_load_at_each_month_end(world):
    entry(world, "a", start=-100, ledgers=4)
    entry(world, "a", start=0, ledgers=1)
    points = burden.trend(world.users["street"], world.street.code, TODAY)
    assert len(points) == 12 and points[-1]["day"] == TODAY
    assert all(p["day"].month != (p["day"] + dt.timedelta(days=1)).month for p in points[:-1])
    assert points[-1]["ledgers"] == 5
    assert points[-2]["ledgers"] == 4  # last month's end: the older entry only
    assert points[0]["ledgers"] == 0 and points[0]["entries"] == 0


def test_baseline_reduction(ledger_world):
    w = ledger_world
    street = w.users["street"]
    base = {b["metric"]: b for b in burden.ledger(street, w.street.code, TODAY)["baseline"]}
    assert base["ledgers"]["baseline"] == 200
    assert base["ledgers"]["average"] == Decimal("5.0")  # (3 + 7) / 2 communities
    assert base["ledgers"]["reduction"] == Decimal("97.5")
    assert base["signboards"]["average"] == Decimal("0.5")
    one = {b["metric"]: b for b in burden.ledger(street, w.a.code, TODAY)["baseline"]}
    assert one["ledgers"]["reduction"] == Decimal("98.5")
    services.save_policy(street, w.street, baseline={"ledgers": 10})
    base = {b["metric"]: b for b in burden.ledger(street, w.street.code, TODAY)["baseline"]}
    # The policy's own baselines (the delegated matters' row comes from the assessment's list).
    assert [m for m in base if m != "delegated_matters"] == ["ledgers"]
    assert base["ledgers"]["reduction"] == Decimal("50.0")


def test_league_table_orders_departments_and_counts_funding(world):
    task = make_task(world, "a")  # 区民政局, 2000 yuan committed, nothing delivered yet
    day = task.start_date
    services.record_funding(world.users["department"], task.pk, Decimal("500"))  # an arrival, recorded once
    services.register_entry(
        world.users["street"],
        community=world.b,
        department="区城管局",
        kind=Kind.ASSIST,
        title="市容巡查台账",
        start_date=day,
        ledgers=1,
        hours_per_month=Decimal("20"),
    )
    make_refusal(world, "a")  # names 区城管局
    rows = burden.league(world.users["district"], world.district.code, day)
    assert [r["department"] for r in rows] == ["区民政局", "区城管局"]
    first, second = rows
    assert (first["tasks"], first["communities"], first["unfunded"]) == (1, 1, 0)
    assert (first["committed"], first["delivered"], first["delivery_rate"]) == (
        Decimal("2000"),
        Decimal("500"),
        Decimal("0.25"),
    )
    assert second["tasks"] == 0 and second["hours"] == Decimal("20")
    refusals_day = timezone.localdate()
    by_name = {
        r["department"]: r for r in burden.league(world.users["district"], world.district.code, refusals_day)
    }
    assert by_name["区城管局"]["refusals"] == 1


def test_a_department_sees_other_departments_funding_as_unknown(world):
    task = make_task(world, "a")
    services.register_entry(
        world.users["street"], community=world.a, department="区城管局", kind=Kind.ASSIST,
        title="巡查", start_date=task.start_date, ledgers=1,
    )  # fmt: skip
    rows = {
        r["department"]: r
        for r in burden.league(world.users["department"], world.district.code, task.start_date)
    }
    assert rows["区民政局"]["committed"] == Decimal("2000")
    assert rows["区城管局"]["committed"] is None and rows["区城管局"]["refusals"] is None


def test_ended_tasks_leave_the_ledger(world):
    task = make_task(world, "a")
    day = task.start_date
    assert burden.totals(world.users["street"], world.a.code, day)["tasks"] == 1
    BurdenEntry.objects.filter(task=task).update(end_date=day - dt.timedelta(days=1))
    assert burden.totals(world.users["street"], world.a.code, day)["tasks"] == 0


# --- page, export, API -----------------------------------------------------------------------------
def test_page_for_a_street_highlights_breaches(ledger_world):
    w = ledger_world
    services.save_policy(w.users["street"], w.street, caps={"ledgers": 5})
    resp = w.client(w.users["street"]).get(reverse("duties:burden"), {"code": w.street.code})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "table-danger" in body and "郭岭社区居委会" in body and "区城管局" in body
    assert 'data-option="opt-burden-trend"' in body


def test_export_has_the_league_first(ledger_world):
    w = ledger_world
    resp = w.client(w.users["street"]).get(
        reverse("duties:burden"), {"code": w.street.code, "export": "xlsx"}
    )
    assert resp.status_code == 200
    wb = CalamineWorkbook.from_filelike(io.BytesIO(resp.content))
    rows = wb.get_sheet_by_index(0).to_python()
    assert rows[0][1] == "部门" and {r[1] for r in rows[1:3]} == {"区应急管理局", "区城管局"}
    assert "超限" in wb.sheet_names


def test_page_refuses_grid_workers_and_strangers(ledger_world):
    w = ledger_world
    assert w.client(w.users["grid_worker"]).get(reverse("duties:burden")).status_code == 403
    lead = w.client(w.users["community_lead"])
    assert lead.get(reverse("duties:burden"), {"code": w.b.code}).status_code == 404


def test_entry_create_page(world):
    lead = world.client(world.users["community_lead"])
    assert lead.get(reverse("duties:burden-entry-create")).status_code == 200
    data = {
        "community": world.a.code,
        "department": "区民政局",
        "kind": "assist",
        "title": "社区挂牌：老年人协会",
        "start_date": TODAY.isoformat(),
        "signboards": 1,
    }
    resp = lead.post(reverse("duties:burden-entry-create"), data)
    assert resp.status_code == 302
    e = BurdenEntry.objects.get(title="社区挂牌：老年人协会")
    assert e.signboards == 1 and e.source == "standing" and e.scope_code == world.a.code
    worker = world.client(world.users["community_worker"])
    assert worker.post(reverse("duties:burden-entry-create"), data).status_code == 403
    bad = lead.post(reverse("duties:burden-entry-create"), {**data, "end_date": "2000-01-01"})
    assert bad.status_code == 400 and "结束日期不能早于开始日期" in bad.content.decode()


def test_api(ledger_world):
    from django.test import Client

    w = ledger_world
    headers = {"Authorization": f"Bearer {w.token(w.users['street'])}"}
    c = Client()
    resp = c.get("/api/v1/duties/burden", {"code": w.street.code}, headers=headers)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["totals"]["ledgers"] == 10 and len(body["trend"]) == 12 and len(body["communities"]) == 2
    league = c.get("/api/v1/duties/burden/departments", {"code": w.street.code}, headers=headers).json()
    assert {r["department"] for r in league} == {"区应急管理局", "区城管局"}
    assert c.get("/api/v1/duties/burden", {"code": "420116"}, headers=headers).status_code == 404
    lead = {"Authorization": f"Bearer {w.token(w.users['community_lead'])}"}
    payload = {
        "community": w.a.code,
        "department": "区民政局",
        "title": "盖章：居住证明",
        "start_date": TODAY.isoformat(),
        "stamps": 1,
    }
    resp = c.post("/api/v1/duties/burden/entries", payload, content_type="application/json", headers=lead)
    assert resp.status_code == 201, resp.content
    assert resp.json()["burden"]["stamps"] == 1
