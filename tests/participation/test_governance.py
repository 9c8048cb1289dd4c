"""Charters, representatives, groups, property contracts, elections and the election hook into the
workforce roster: every rule the services keep, each refused with its Chinese reason."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.org.models import Assignment, Post
from shequ.participation import governance, services
from shequ.participation.models import Candidate, CharterVersion, Election, VersionStatus, Voter
from tests.participation.factories import held_meeting, staff
from tests.participation.gov_factories import (
    adults,
    building_lead,
    company,
    contract,
    counted_election,
    election,
    election_with_candidates,
    group,
    lead,
    make_charter,
    published_version,
    representative,
)
from tests.people.factories import make_household, make_resident

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
D = dt.timedelta


# --- charters --------------------------------------------------------------------------------------
def test_a_version_goes_from_draft_through_the_vote_to_publication(world):
    c = make_charter(world)
    actor = staff(world, "a")
    v = services.draft_version(actor, c.pk, text="一、爱护环境。", in_force_from=TODAY())
    assert v.number == 1 and v.status == VersionStatus.DRAFT
    with pytest.raises(Conflict, match="提交会议讨论"):
        services.vote_version(actor, v.pk, votes_for=1, votes_against=0, votes_abstain=0)
    m, _i = held_meeting(world, "a", present=3, expected=4)
    services.discuss_version(actor, v.pk, meeting=m.pk)
    with pytest.raises(ValidationFailed, match="超过签到出席的 3 人"):
        services.vote_version(actor, v.pk, votes_for=3, votes_against=1, votes_abstain=0)
    v = services.vote_version(actor, v.pk, votes_for=2, votes_against=1, votes_abstain=0)
    assert v.status == VersionStatus.ADOPTED and v.present == 3  # 2 of 3: more than half
    assert services.in_force(world.a, "covenant") is None
    services.publish_version(actor, v.pk)
    assert services.in_force(world.a, "covenant").pk == v.pk
    assert services.in_force(world.a, "covenant", TODAY() - D(days=1)) is None


def test_a_vote_without_a_majority_or_a_quorum_is_not_adopted(world):
    c = make_charter(world)
    actor = staff(world, "a")
    v = services.draft_version(actor, c.pk, text="草案", in_force_from=TODAY())
    m, _i = held_meeting(world, "a", present=3, expected=4)
    services.discuss_version(actor, v.pk, meeting=m.pk)
    v = services.vote_version(actor, v.pk, votes_for=1, votes_against=1, votes_abstain=1)
    assert v.status == VersionStatus.REJECTED
    with pytest.raises(Conflict, match="尚未表决通过"):
        services.publish_version(actor, v.pk)
    thin, _i = held_meeting(world, "a", present=1, expected=4)
    v2 = services.draft_version(actor, c.pk, text="再议", in_force_from=TODAY())
    services.discuss_version(actor, v2.pk, meeting=thin.pk)
    with pytest.raises(Conflict, match="未达到民情恳谈会的法定人数"):
        services.vote_version(actor, v2.pk, votes_for=1, votes_against=0, votes_abstain=0)


def test_a_new_version_supersedes_an_open_ended_one_and_in_force_follows_the_dates(world):
    v1 = published_version(world, start=TODAY() - D(days=400))
    v2 = published_version(world, start=TODAY() - D(days=10), charter=v1.charter)
    v1.refresh_from_db()
    assert v1.in_force_until == TODAY() - D(days=11)
    assert services.in_force(world.a, "covenant").pk == v2.pk
    assert services.in_force(world.a, "covenant", TODAY() - D(days=100)).pk == v1.pk
    assert services.in_force(world.a, "covenant", TODAY() - D(days=500)) is None


def test_an_overlapping_period_is_refused_with_the_overlap_dates(world):
    v1 = published_version(world, start=dt.date(2024, 1, 1), until=dt.date(2025, 12, 31))
    with pytest.raises(ValidationFailed) as exc:
        services.draft_version(staff(world, "a"), v1.charter_id, text="新版", in_force_from=dt.date(2025, 7, 1),
                               in_force_until=dt.date(2026, 6, 30))  # fmt: skip
    assert "2025-07-01 至 2025-12-31" in exc.value.message and "第1版" in exc.value.message
    assert exc.value.code == "overlap"
    # An earlier start than the open-ended version's own: the two would overlap from its start on.
    v3 = published_version(world, start=TODAY())
    with pytest.raises(ValidationFailed, match=f"{TODAY().isoformat()} 至 长期"):
        services.draft_version(staff(world, "a"), v3.charter_id, text="x", in_force_from=TODAY() - D(days=5))
    assert CharterVersion.objects.filter(charter=v3.charter).count() == 1


def test_charter_acts_are_the_community_staffs(world):
    with pytest.raises((Forbidden, NotFound)):
        services.create_charter(world.users["grid_worker"], world.a.code, kind="covenant", title="x")
    c = make_charter(world, title="居民公约")
    with pytest.raises(Conflict, match="已有“居民公约”"):
        make_charter(world, title="居民公约")
    m_b, _i = held_meeting(world, "b")
    v = services.draft_version(staff(world, "a"), c.pk, text="x", in_force_from=TODAY())
    with pytest.raises(ValidationFailed, match="本社区的会议"):
        services.discuss_version(staff(world, "a"), v.pk, meeting=m_b.pk)


# --- representatives and coverage ------------------------------------------------------------------
def test_representatives_are_residents_of_the_community_once_per_term(world):
    outsider = make_resident(world, "b")
    with pytest.raises(ValidationFailed, match="不是宁安社区的在册居民"):
        services.add_representative(staff(world, "a"), world.a.code, kind="building_lead", resident=outsider.pk,
                                    chosen_by="推选", term_start=TODAY(), buildings=[outsider.house.unit.building_id])  # fmt: skip
    rep = building_lead(world)
    with pytest.raises(Conflict, match="不能重复登记"):
        services.add_representative(staff(world, "a"), world.a.code, kind="building_lead", resident=rep.resident_id,
                                    chosen_by="任命", term_start=TODAY(), buildings=[rep.buildings.get().pk])  # fmt: skip
    other = make_resident(world, "a")
    with pytest.raises(Conflict, match="已有楼栋长"):
        services.add_representative(staff(world, "a"), world.a.code, kind="building_lead", resident=other.pk,
                                    chosen_by="任命", term_start=TODAY(), buildings=[rep.buildings.get().pk])  # fmt: skip
    hh_b = make_household(world, "b")
    with pytest.raises(ValidationFailed, match="所选住户须在"):
        services.add_representative(staff(world, "a"), world.a.code, kind="representative", resident=other.pk,
                                    chosen_by="推选", term_start=TODAY(), households=[hh_b.pk])  # fmt: skip


def test_coverage_counts_buildings_led_and_households_represented(world):
    building_lead(world)
    representative(world, households=2)
    make_household(world, "a")  # not represented
    data = governance.representative_coverage(world.users["street"])
    row = next(r for r in data["communities"] if r["code"] == world.a.code)
    assert row["buildings_led"] == 1 and row["households_represented"] == 2 and row["households"] == 3
    assert row["household_share"] == pytest.approx(66.7)
    assert row["building_share"] == round(100 / row["buildings"], 1)
    rep = building_lead(world)
    services.end_representative(staff(world, "a"), rep.pk, on=TODAY() - D(days=1))
    again = governance.representative_coverage(world.users["street"], world.a.code)
    assert again["communities"][0]["buildings_led"] == 1


# --- groups ----------------------------------------------------------------------------------------
def test_a_courtyard_group_is_formed_by_a_recorded_vote(world):
    g = group(world)
    assert (g.vote_present, g.vote_for) == (20, 15)
    r = make_resident(world, "a")
    base = {
        "kind": "楼院自治管理小组",
        "name": "三号院小组",
        "term_start": TODAY(),
        "buildings": [r.house.unit.building_id],
    }
    with pytest.raises(ValidationFailed, match="须经居民表决成立"):
        services.create_group(staff(world, "a"), world.a.code, **base)
    with pytest.raises(ValidationFailed, match="超过参加表决的 10 人"):
        services.create_group(staff(world, "a"), world.a.code, **base,
                              vote={"on": TODAY(), "present": 10, "for": 9, "against": 2, "abstain": 0})  # fmt: skip
    with pytest.raises(Conflict, match="未超过参加表决的 10 人的半数"):
        services.create_group(staff(world, "a"), world.a.code, **base,
                              vote={"on": TODAY(), "present": 10, "for": 5, "against": 5, "abstain": 0})  # fmt: skip


def test_members_once_and_from_the_community(world):
    g = group(world)
    r = make_resident(world, "a")
    services.add_group_member(staff(world, "a"), g.pk, resident=r.pk, role="组长")
    with pytest.raises(Conflict, match="已是“"):
        services.add_group_member(staff(world, "a"), g.pk, resident=r.pk)
    with pytest.raises(ValidationFailed, match="在册居民"):
        services.add_group_member(staff(world, "a"), g.pk, resident=make_resident(world, "b").pk)
    by_name = services.add_group_member(staff(world, "a"), g.pk, resident=make_resident(world, "a").name)
    assert by_name.role == "成员"
    cov = governance.group_coverage(world.users["community_worker"])
    assert cov["communities"][0]["buildings_covered"] == 1


def test_property_contracts_do_not_overlap_and_four_in_one_shows_what_is_missing(world):
    k = contract(world)
    with pytest.raises(Conflict, match="合同期不能重叠"):
        services.add_property_contract(staff(world, "a"), world.a.code, company=company(world).pk, compound=k.compound,
                                       start=TODAY(), end=TODAY() + D(days=30))  # fmt: skip
    with pytest.raises(ValidationFailed, match="不在宁安社区"):
        services.add_property_contract(staff(world, "a"), world.a.code, company=k.company_id, compound="不存在小区",
                                       start=TODAY(), end=TODAY())  # fmt: skip
    services.create_group(staff(world, "a"), world.a.code, kind="owners_committee", name="业委会", compound=k.compound,
                          term_start=TODAY())  # fmt: skip
    rows = {r["compound"]: r for r in governance.four_in_one(world.a)}
    assert rows[k.compound]["company"] == k.company.name and rows[k.compound]["owners"] == "业委会"
    assert rows[k.compound]["missing"] == ["党组织", "居委会"]


def test_network_posts_extend_grid_assignments(world):
    from shequ.org import services as org_services

    r = make_resident(world, "a")
    actor = world.users["community_lead"]
    org_services.assign(
        actor, world.grid_a.pk, post=Post.PARTY_GROUP_LEAD, person_name="党小组长", phone="13900001111"
    )
    org_services.assign(actor, world.grid_a.pk, post=Post.PARTY_HOUSEHOLD, person_name=r.name, phone="13900001112",
                        house_pk=r.house_id)  # fmt: skip
    with pytest.raises(ValidationFailed, match="须指定房屋"):
        org_services.assign(
            actor, world.grid_a.pk, post=Post.CIVIL_HOUSEHOLD, person_name="x", phone="13900001113"
        )
    net = governance.network_coverage(world.users["street"])
    row = next(x for x in net["communities"] if x["code"] == world.a.code)
    assert (row["grids_party_lead"], row["party_lead_share"], row["party_households"]) == (1, 100.0, 1)
    assert Assignment.objects.filter(post=Post.PARTY_HOUSEHOLD, house=r.house).exists()


# --- elections -------------------------------------------------------------------------------------
def test_registered_voters_follow_the_rule(world):
    adults(world, "a", 3)
    make_resident(world, "a", birth_date=TODAY() - D(days=365 * 10))  # a child
    make_resident(world, "a", birth_date=dt.date(1980, 1, 1), residence_type="floating")
    make_resident(world, "a", birth_date=dt.date(1980, 1, 1), residence_type="separated")
    lead_a = lead(world, "a")
    by_rule = {}
    for term, rule in ((1, "registered"), (2, "living"), (3, "either")):
        e = services.create_election(lead_a, world.a.code, term=term, method="直选", voter_rule=rule,
                                     held_on=TODAY() - D(days=10 - term))  # fmt: skip
        by_rule[rule] = e.registered_voters
    assert by_rule == {"registered": 4, "living": 4, "either": 5}
    e = services.register_voters(lead_a, e.pk)
    assert e.voters_snapshot and Voter.objects.filter(election=e).count() == 5
    with pytest.raises(Conflict, match="已登记"):
        services.register_voters(lead_a, e.pk)
    with pytest.raises(Conflict, match="第3届选举已登记"):
        services.create_election(
            lead_a, world.a.code, term=3, method="海选", voter_rule="either", held_on=TODAY()
        )
    with pytest.raises(Forbidden):
        services.create_election(world.users["community_worker"], world.a.code, term=9, method="直选",
                                 voter_rule="either", held_on=TODAY())  # fmt: skip


def test_the_count_is_refused_above_the_voters_or_above_the_ballots(world):
    e = election_with_candidates(world)
    cands = list(e.candidates.select_related("resident"))
    actor = lead(world, "a")
    over = e.registered_voters + 1
    with pytest.raises(ValidationFailed, match=f"投票人数 {over} 超过登记选民 {e.registered_voters} 人"):
        services.count_ballots(actor, e.pk, ballots_cast=over, votes={c.pk: 1 for c in cands})
    votes = {c.pk: 2 for c in cands}
    votes[cands[0].pk] = 6
    with pytest.raises(ValidationFailed, match=f"{cands[0].resident.name}得票 6，超过投票人数 5"):
        services.count_ballots(actor, e.pk, ballots_cast=5, votes=votes)
    assert Candidate.objects.filter(election=e, votes__isnull=False).count() == 0  # nothing half-written
    with pytest.raises(Conflict, match="已是本次选举的候选人"):
        services.add_candidate(actor, e.pk, resident=cands[0].resident_id)
    services.count_ballots(actor, e.pk, ballots_cast=5, votes={c.pk: 4 for c in cands})
    e.refresh_from_db()
    assert e.turnout == round(500 / e.registered_voters, 1)


def test_a_future_election_is_not_counted(world):
    e = election(world, held_on=TODAY() + D(days=3))
    with pytest.raises(Conflict, match="未到"):
        services.count_ballots(lead(world, "a"), e.pk, ballots_cast=1, votes={})


def test_declared_members_flow_into_the_workforce_roster(world):
    from shequ.workforce.models import Body, Office, Worker

    e = counted_election(world)
    cands = list(e.candidates.all())
    actor = lead(world, "a")
    with pytest.raises(ValidationFailed, match="有且只有一名主任"):
        services.declare_elected(actor, e.pk, offices={cands[0].pk: "委员"})
    e, notes = services.declare_elected(
        actor, e.pk, offices={cands[0].pk: "主任", cands[1].pk: "副主任", cands[2].pk: "委员"}
    )
    assert e.status == "declared" and notes and "3 人已任职" in notes[0]
    offices = Office.objects.filter(worker__org=world.a, body=Body.COMMITTEE, end__isnull=True)
    assert sorted(offices.values_list("title", flat=True)) == ["deputy_director", "director", "member"]
    director = Worker.objects.get(offices__title="director")
    assert director.resident_id == cands[0].resident_id and director.source == "elected"
    assert offices.first().term == e.term_label
    assert Election.objects.get(pk=e.pk).candidates.filter(elected=True).count() == 3


def test_without_a_receiver_the_declaration_stands_alone(world, monkeypatch):
    from shequ.core import registry

    monkeypatch.setattr(registry, "_election_receivers", [])
    e = counted_election(world)
    e, notes = services.declare_elected(lead(world, "a"), e.pk, offices={e.candidates.first().pk: "director"})
    assert notes == [] and e.status == "declared"
