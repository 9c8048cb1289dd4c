"""The synthetic-resident generator (shequ.people.synth) and the demo loader built on it."""

import collections
import datetime as dt
import io
import random

import pytest

from shequ.core import importing
from shequ.core.validators import MOBILE_RE, id_check_char, parse_id_number
from shequ.org.models import Building, BuildingUnit, House
from shequ.people import demo as people_demo
from shequ.people import services, synth
from shequ.people.importer import ResidentImporter
from shequ.people.models import Household, PopulationEvent, Resident, ResidentTag, Visit
from shequ.people.tags import DISABILITY_CATEGORIES, DISABILITY_GRADES

TODAY = dt.date(2026, 3, 2)
CODE = "420115001001"


@pytest.fixture(scope="module")
def plan():
    houses = synth.invented_houses(5000)
    return synth.plan_community(20260302, CODE, houses, 5000, today=TODAY)


@pytest.fixture(scope="module")
def active(plan):
    return [r for r in plan.rows if r.status == "active"]


def test_id_numbers_pass_the_validator_and_agree_with_the_person(plan):
    cards = [r for r in plan.rows if r.doc_type == "id_card"]
    assert len(cards) > 4900
    for r in cards:
        info = parse_id_number(r.doc_number, today=TODAY)
        assert info.gender == r.gender and info.birth_date == r.birth_date, r
        assert not info.warnings, (r.doc_number, info.warnings)  # region code in force in the birth year
        assert r.doc_number[14] == CODE[-1]  # the community's digit in the sequence
    numbers = [r.doc_number for r in plan.rows]
    assert len(numbers) == len(set(numbers))
    local = sum(r.doc_number.startswith("4201") for r in cards) / len(cards)
    assert 0.65 < local < 0.85


def test_other_documents_are_plausible(plan):
    foreign = [r for r in plan.rows if r.residence_type == "foreign"]
    assert foreign and all(r.doc_type in ("passport", "foreign_pr") for r in foreign)
    for r in foreign:
        if r.doc_type == "foreign_pr":
            assert len(r.doc_number) == 18 and r.doc_number[0] == "9"
            assert id_check_char(r.doc_number[:17]) == r.doc_number[17]
        else:
            assert 8 <= len(r.doc_number) <= 9


def test_same_seed_same_people_and_communities_never_share_a_number():
    houses = synth.invented_houses(400)
    a = synth.generate_community(7, "420115001002", houses, 400, today=TODAY)
    b = synth.generate_community(7, "420115001002", houses, 400, today=TODAY)
    c = synth.generate_community(7, "420115001005", houses, 400, today=TODAY)
    assert [r.doc_number for r in a] == [r.doc_number for r in b]
    assert not {r.doc_number for r in a} & {r.doc_number for r in c}


def test_age_structure_has_an_ageing_tail(active):
    ages = [r.age(TODAY) for r in active]
    n = len(ages)
    assert 4900 <= n <= 5010
    assert 0.18 <= sum(a >= 60 for a in ages) / n <= 0.30
    assert 0.02 <= sum(a >= 80 for a in ages) / n <= 0.06
    assert 0.08 <= sum(a < 15 for a in ages) / n <= 0.20


def test_households_have_one_head_and_consistent_ages(active):
    households = collections.defaultdict(list)
    for r in active:
        households[r.household_key].append(r)
    sizes = [len(m) for m in households.values()]
    assert max(sizes) <= 6 and 2.3 <= sum(sizes) / len(sizes) <= 2.9
    assert sum(s <= 2 for s in sizes) / len(sizes) > 0.4
    for members in households.values():
        heads = [r for r in members if r.relationship == "02"]
        assert len(heads) == 1
        head_age = heads[0].age(TODAY)
        assert len({r.address for r in members}) == 1
        for r in members:
            age = r.age(TODAY)
            if r.relationship == "10":
                assert abs(age - head_age) <= 12 and r.gender != heads[0].gender
                assert r.marital_status == heads[0].marital_status == "20"
            elif r.relationship in ("20", "30"):
                assert head_age - age >= 16
            elif r.relationship == "40":
                assert head_age - age >= 36
            elif r.relationship == "50":
                assert age - head_age >= 16


def test_rates_look_like_a_community(active):
    n = len(active)
    share = collections.Counter(r.residence_type for r in active)
    assert 0.62 < share["registered"] / n < 0.78
    assert 0.04 < share["separated"] / n < 0.12
    assert 0.08 < share["non_registered"] / n < 0.17
    assert 0.05 < share["floating"] / n < 0.14
    assert 0 < share["foreign"] / n < 0.015
    adults = [r for r in active if r.age(TODAY) >= 18]
    party = sum(r.political_status in ("01", "02") for r in adults) / len(adults)
    assert 0.05 < party < 0.11
    assert sum(bool(r.phone) for r in adults) / len(adults) > 0.85
    assert all(MOBILE_RE.match(r.phone) for r in active if r.phone)
    assert sum(r.ethnicity == "01" for r in active) / n > 0.95
    for r in active:
        age = r.age(TODAY)
        if age < 6:
            assert r.employment == "preschool" and r.education == "00"
        elif age < 16:
            assert r.employment == "student"
        elif age >= 65 and r.residence_type == "registered":
            assert r.employment in ("retired", "none", "other")


def test_tags_follow_their_rules(active):
    n = len(active)
    by_code = collections.defaultdict(list)
    for r in active:
        for t in r.current_tags(TODAY):
            by_code[t.code].append((r, t))
    members = collections.Counter(r.household_key for r in active)
    for r, _t in by_code["living_alone"]:
        assert members[r.household_key] == 1 and r.age(TODAY) >= 70
    for r, _t in by_code["empty_nest"]:
        assert r.age(TODAY) >= 60
    assert 0.04 < len(by_code["disabled"]) / n < 0.08
    for _r, t in by_code["disabled"]:
        assert t.detail["category"] in DISABILITY_CATEGORIES and t.detail["grade"] in DISABILITY_GRADES
    for code in ("dibao", "low_income"):
        assert 0.008 < len(by_code[code]) / n < 0.035, code
    assert 0.008 < len(by_code["veteran"]) / n < 0.025
    for code in ("correction", "released", "mental", "drug", "key_youth", "tekun"):
        assert len(by_code[code]) / n < 0.006, code
    for r, t in by_code["unemployed"]:
        assert r.employment == "unemployed" and t.start_date <= TODAY


def test_visit_history_keeps_the_policy(active):
    tagged = [r for r in active if synth.visit_policy(r, synth.DEFAULT_INTERVALS, TODAY)[0]]
    overdue = 0
    rng = random.Random(1)
    for r in tagged[:400]:
        visits, interval, last, due = synth.visit_history(rng, r, today=TODAY)
        _i, start = synth.visit_policy(r, synth.DEFAULT_INTERVALS, TODAY)
        assert interval == min(
            synth.DEFAULT_INTERVALS[t.code]
            for t in r.current_tags(TODAY)
            if t.code in synth.DEFAULT_INTERVALS
        )
        assert all(v.date <= TODAY for v in visits)
        assert last == (visits[-1].date if visits else None)
        assert due == (last or start) + dt.timedelta(days=interval)
        overdue += due < TODAY
    assert overdue  # the visits-due list is never empty


def _read(data: bytes):
    mapping, body = importing.read_rows(data, ResidentImporter)
    cols = ResidentImporter.column_map()
    return [(line, importing.parse_row(cols, mapping, raw)) for line, raw in body]


def test_both_writers_write_the_same_cells(active, db):  # the importer reads its synonyms
    rows = synth.workbook_rows(active[:300], seed=3, today=TODAY)
    assert len(rows[0]) == len(ResidentImporter.columns)
    a, b = io.BytesIO(), io.BytesIO()
    synth.write_workbook(a, rows, engine="xlsxwriter")
    synth.write_workbook(b, rows, engine="fast")
    read_a, read_b = _read(a.getvalue()), _read(b.getvalue())
    assert read_a == read_b
    assert all(not errors for _line, (_values, errors) in read_a)
    dates = collections.Counter(type(r[4]).__name__ for r in rows if r[4] is not None)
    assert dates["str"] and dates["date"]  # typed and real Excel dates both occur


def test_bad_rows_are_exactly_the_rejected_lines(world):
    houses = synth.invented_houses(250)
    rows = synth.generate_community(11, world.a.code, houses, 250, today=TODAY)
    buf = io.BytesIO()
    bad = synth.write_workbook(buf, rows, bad_rows=25, seed=5, today=TODAY)
    assert len(bad) == 25
    user = world.users["community_lead"]
    batch = importing.create_batch(user, "people.residents", world.a.code, "居民.xlsx", buf.getvalue())
    importing.validate_batch(batch, user)
    batch.refresh_from_db()
    assert batch.status == "ready", batch.message
    rejected = sorted(e["row"] for e in batch.errors if e["messages"])
    assert rejected == bad
    assert batch.counts["new"] == batch.total_rows - 25


@pytest.fixture
def demo_houses(world):
    units = []
    for b in range(1, 4):
        building = Building.objects.create(grid=world.grid_a, compound="宁安小区", number=f"{b}栋", floors=6)
        units += [BuildingUnit.objects.create(building=building, number=f"{u}单元") for u in (1, 2)]
    House.objects.bulk_create(
        [
            House(
                unit=u, number=f"{f}0{k}", floor=f, address=f"{u.address}{f}0{k}室", scope_code=u.scope_code
            )
            for u in units
            for f in range(1, 7)
            for k in (1, 2)
        ]
    )
    return world


def test_demo_load_fills_the_registry(demo_houses):
    world = demo_houses
    code = world.a.code
    result = people_demo.load(seed=3, echo=lambda *a: None, codes=[code], targets={code: 150})
    assert result[code]["active"] >= 150
    assert people_demo.is_loaded([code])
    residents = Resident.objects.filter(community=world.a)
    assert residents.filter(status="active").count() == result[code]["active"]
    for hh in Household.objects.filter(community=world.a):
        assert hh.head_id and hh.head.household_id == hh.pk and hh.scope_code == hh.house.scope_code
    assert ResidentTag.objects.filter(resident__community=world.a).exists()
    assert (
        PopulationEvent.objects.filter(resident__community=world.a, kind="register").count()
        == residents.count()
    )
    visits = Visit.objects.filter(resident__community=world.a)
    assert visits.exists() and set(visits.values_list("visitor", flat=True)) == {
        world.users["grid_worker"].pk
    }
    for r in residents.filter(visit_interval_days__isnull=False):
        before = (r.visit_interval_days, r.next_visit_due)
        services.refresh_visit_policy(r)
        assert (r.visit_interval_days, r.next_visit_due) == before
    occupied = House.objects.filter(households__isnull=False)
    assert not occupied.filter(owner_name="").exists() and not occupied.filter(use="vacant").exists()
    assert people_demo.load(seed=3, echo=lambda *a: None, codes=[code]) == {}  # once only
    people_demo.reset([code])
    assert not Resident.objects.filter(community=world.a).exists()
    assert not Household.objects.filter(community=world.a).exists()
