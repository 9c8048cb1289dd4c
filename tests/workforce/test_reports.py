"""Structure, staffing and turnover from the records: a hand-built roster with history, every
dimension adding up to the total, dates reproducing the past, rounding half up, scope."""

import datetime as dt
from decimal import Decimal

import pytest

from shequ.core.errors import NotFound
from shequ.workforce import reports, services
from tests.workforce.factories import make_worker

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def roster(world):
    """Five workers in a, two in b, with offices, a transfer and exits over the years."""
    street = world.users["street"]
    w = {}
    w["secretary"] = make_worker(world, "a", birth=D(1975, 3, 1), hired=D(2008, 1, 1), source="选举产生")
    w["director"] = make_worker(
        world, "a", birth=D(1985, 6, 1), hired=D(2012, 9, 1), female=True, education="研究生"
    )
    w["young"] = make_worker(world, "a", birth=D(2000, 1, 1), hired=D(2022, 7, 1), education="大专",
                             political_status="共青团员")  # fmt: skip
    w["left"] = make_worker(world, "a", birth=D(1995, 1, 1), hired=D(2020, 3, 1), source="街道下派")
    w["mover"] = make_worker(world, "b", birth=D(1990, 1, 1), hired=D(2016, 3, 1))
    w["b_only"] = make_worker(
        world, "b", birth=D(1968, 1, 1), hired=D(2000, 1, 1), female=True, education="中专"
    )
    w["part"] = make_worker(world, "a", hired=D(2019, 1, 1), full_time=False)
    services.assign_office(street, w["secretary"].pk, body="party", title="书记", start=D(2021, 1, 1))
    services.assign_office(street, w["secretary"].pk, body="committee", title="主任", start=D(2021, 1, 1))
    services.assign_office(street, w["director"].pk, body="committee", title="副主任", start=D(2021, 1, 1))
    services.assign_office(street, w["director"].pk, body="party", title="委员", start=D(2021, 1, 1))
    services.assign_office(street, w["young"].pk, body="specialist", title="网格员", start=D(2023, 1, 1))
    services.record_exit(street, w["left"].pk, on=D(2024, 6, 30), reason="跳槽", interview="工资低，去了企业")
    services.transfer_worker(street, w["mover"].pk, to_org=world.a.code, on=D(2025, 3, 1))
    return w


def test_structure_adds_up_and_counts_roles(world, roster):
    data = reports.structure(world.users["street"], world.street.code, D(2026, 1, 1))
    assert (
        data["total"] == 5
    )  # secretary, director, young, mover (now a), b_only; not the part-timer, not "left"
    for d in data["dimensions"]:
        assert sum(g["count"] for g in d["groups"]) == 5, d["key"]
    dims = {d["key"]: {g["key"]: g for g in d["groups"]} for d in data["dimensions"]}
    assert dims["gender"]["female"]["count"] == 2 and dims["gender"]["female"]["percent"] == Decimal("40.0")
    ages = dims["age"]
    assert ages["30岁以下"]["count"] == 1 and ages["55岁以上"]["count"] == 1  # born 2000; born 1968 (57)
    assert (
        ages["46–54岁"]["count"] == 1 and ages["36–45岁"]["count"] == 2
    )  # 1975 (50); 1985 (40) and 1990 (36)
    assert dims["years"]["10年以上"]["count"] == 3  # 2008, 2012, 2000
    assert dims["source"]["elected"]["count"] == 1 and dims["education"]["postgraduate"]["count"] == 1
    roles = {r["key"]: r["count"] for r in data["roles"]}
    assert roles == {"committee": 2, "head": 1, "one_shoulder": 1, "cross": 2, "certified": 0}


def test_the_past_is_reproduced(world, roster):
    street = world.users["street"]
    before = reports.structure(street, world.a.code, D(2024, 1, 1))
    # In a on 2024-01-01: secretary, director, young, left (not yet gone); mover was in b then.
    assert before["total"] == 4
    assert reports.structure(street, world.b.code, D(2024, 1, 1))["total"] == 2
    now = reports.structure(street, world.a.code, D(2026, 1, 1))
    assert now["total"] == 4  # left has gone, mover has come
    assert reports.structure(street, world.a.code, D(2010, 1, 1))["total"] == 1  # only the secretary
    # Offices count from their start: in 2020 nobody held one.
    assert {r["key"]: r["count"] for r in before["roles"]}["committee"] == 2
    old = reports.structure(street, world.a.code, D(2020, 6, 1))
    assert all(r["count"] == 0 for r in old["roles"])


def test_percent_rounds_half_up():
    assert reports.percent(1, 8) == Decimal("12.5")
    assert reports.percent(1, 16) == Decimal("6.3")  # 6.25 → 6.3, not banker's 6.2
    assert reports.percent(41, 161) == Decimal("25.5")
    assert reports.percent(0, 0) is None


def test_staffing_rounds_up_and_sums_communities(world, roster):
    street = world.users["street"]
    services.set_population(street, world.a.code, year=2025, residents=8920, source="统计局")
    s = reports.staffing(street, world.street.code, 2025)
    # Only a has a figure: the street's is a's, with one community missing.
    assert (s["residents"], s["communities_missing"]) == (8920, 1)
    assert s["required"] == 17  # 18 × 8,920 / 10,000 = 16.056 → 17
    assert s["actual"] == 5 and s["gap"] == 12
    rows = {r["code"]: r for r in s["communities"]}
    assert rows[world.a.code]["required"] == 17 and rows[world.a.code]["actual"] == 4
    assert rows[world.b.code]["residents"] is None and rows[world.b.code]["actual"] == 1
    services.set_population(street, world.street.code, year=2025, residents=89200, source="七普")
    s = reports.staffing(street, world.street.code, 2025)
    assert (s["residents"], s["required"], s["communities_missing"]) == (
        89200,
        161,
        0,
    )  # the report's city: 161
    services.set_ratio(world.users["district"], "420115", per_10k="20")
    assert reports.staffing(street, world.street.code, 2025)["required"] == 179  # 178.4 → 179


def test_turnover(world, roster):
    street = world.users["street"]
    t = reports.turnover(street, world.street.code, D(2024, 1, 1), D(2024, 12, 31))
    assert t["exits"] == 1 and t["headcount_start"] == 6 and t["headcount_end"] == 5
    assert t["average_headcount"] == Decimal("5.5") and t["rate"] == Decimal("18.2")
    assert {r["key"]: r["count"] for r in t["by_reason"]}["job_change"] == 1
    assert {r["key"]: r["count"] for r in t["by_source"]}["seconded"] == 1
    cohorts = reports.turnover(street, world.street.code, D(2020, 1, 1), D(2026, 1, 1))["cohorts"]
    assert {c["year"]: (c["recruits"], c["left"]) for c in cohorts} == {2020: (1, 1), 2022: (1, 0)}


def test_scope(world, roster):
    lead = world.users["community_lead"]
    assert reports.structure(lead, None, D(2026, 1, 1))["total"] == 4  # a's, by default
    with pytest.raises(NotFound):
        reports.structure(lead, world.b.code, D(2026, 1, 1))
    from shequ.core.errors import Forbidden

    with pytest.raises(Forbidden):
        reports.structure(world.users["department"], None, D(2026, 1, 1))
