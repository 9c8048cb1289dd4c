"""Scope cases of the Party-member service and awards pages and API routes (imported by
tests/teams/scope_cases.py). Community a's members, pledges, chain and rounds are seen by a's lead
and worker; b's are 404 to them; grid workers, departments and residents are refused."""

from shequ.core.testing.scope import cases
from tests.teams import party_factories as pf

STAFF = ("community_lead", "community_worker")


def community(world, side):
    return world.community(side)


def member(world, side):
    return pf.reporting(world, side)


def party_resident(world, side):
    return pf.party_resident(world, side)


def pledge(world, side):
    return pf.pledge(world, side)


def org(world, side):
    return pf.top_org(world, side)


def member_and_building(world, side):
    m = pf.reporting(world, side)
    m.building_pk = pf.building(world, side).pk
    return m


def member_and_household(world, side):
    m = pf.reporting(world, side)
    m.household_pk = pf.household(world, side).pk
    return m


def member_and_node(world, side):
    m = pf.reporting(world, side)
    m.node_pk = pf.top_org(world, side).pk
    return m


def duty(world, side):
    return pf.duty(world, side)


def award_round(world, side):
    return pf.volunteer_round(world, side)


def nomination(world, side):
    return pf.nomination(world, side)


def pk(o):
    return {"pk": o.pk}


# --- pages ------------------------------------------------------------------------------------------
cases.page("teams:party-report", roles=STAFF)
cases.listing("teams:party-member-list", make=member, marker=lambda m: m.name, roles=STAFF)
cases.page("teams:party-report-in", roles=STAFF)
cases.action("teams:party-enrol", make=party_resident, kwargs=lambda r: {}, data=lambda r: {"community": r.community.code},
             roles=STAFF)  # fmt: skip
cases.detail("teams:party-member-detail", make=member, kwargs=pk, roles=STAFF)
cases.detail("teams:party-pledge-add", make=member, kwargs=pk, roles=STAFF)
cases.action("teams:party-pledge-add", make=member, kwargs=pk, data={"content": "每月服务一次", "due_on": "2099-01-01"},
             roles=STAFF)  # fmt: skip
cases.detail("teams:party-member-node", make=member_and_node, kwargs=pk, roles=STAFF)
cases.action("teams:party-member-node", make=member_and_node, kwargs=pk, data=lambda m: {"node": str(m.node_pk)},
             roles=STAFF)  # fmt: skip
cases.detail("teams:party-building-add", make=member_and_building, kwargs=pk, roles=STAFF)
cases.action("teams:party-building-add", make=member_and_building, kwargs=pk,
             data=lambda m: {"building": str(m.building_pk)}, roles=STAFF)  # fmt: skip
cases.detail("teams:party-household-add", make=member_and_household, kwargs=pk, roles=STAFF)
cases.action("teams:party-household-add", make=member_and_household, kwargs=pk,
             data=lambda m: {"household": str(m.household_pk)}, roles=STAFF)  # fmt: skip
cases.listing("teams:party-pledge-list", make=pledge, marker=lambda p: p.content, roles=STAFF)
cases.detail("teams:party-pledge-close", make=pledge, kwargs=pk, roles=STAFF)
cases.action("teams:party-pledge-close", make=pledge, kwargs=pk, data={"status": "kept", "outcome": "已完成"},
             roles=STAFF)  # fmt: skip
cases.listing("teams:party-chain", make=org, marker=lambda o: o.name, roles=STAFF,
              query=lambda o: {"community": o.community_id})  # fmt: skip
cases.page("teams:party-org-create", roles=STAFF)
cases.detail("teams:party-instructor", make=org, kwargs=pk, roles=STAFF)
cases.action(
    "teams:party-instructor", make=org, kwargs=pk, data={"name": "陈指导", "unit": "区委组织部"}, roles=STAFF
)
cases.listing("teams:party-responsibility", make=duty, marker=lambda d: d.member.name, roles=STAFF)
cases.listing("teams:award-round-list", make=award_round, marker=lambda r: r.title, roles=STAFF)
cases.page("teams:award-round-create", roles=STAFF)
cases.detail("teams:award-round-detail", make=award_round, kwargs=pk, roles=STAFF)
cases.detail("teams:award-nominate", make=award_round, kwargs=pk, roles=STAFF)
cases.action("teams:award-nominate", make=award_round, kwargs=pk,
             data=lambda r: {"nominee": str(r.volunteer_pk), "reason": "热心服务"}, roles=STAFF)  # fmt: skip
cases.action(
    "teams:award-round-status", make=award_round, kwargs=pk, data={"status": "reviewing"}, roles=STAFF
)
cases.action("teams:award-review", make=nomination, kwargs=pk, data={"result": "awarded"}, roles=STAFF)
cases.public(
    "teams:award-public", "published winners of a community: households masked, persons only as agreed"
)

# --- API --------------------------------------------------------------------------------------------
API = "/api/v1/teams"
cases.api_list("GET", f"{API}/party/orgs", make=org, marker=lambda o: o.name, roles=STAFF)
cases.api("POST", f"{API}/party/orgs", make=community, path_params=lambda u: {}, expect=201, roles=STAFF,
          data=lambda u: {"community": u.code, "level": "community", "name": f"中共{pf.mark('a')}委员会"})  # fmt: skip
cases.api("POST", f"{API}/party/orgs/{{int:org_id}}/instructor", make=org, path_params=lambda o: {"org_id": o.pk},
          data={"name": "陈指导"}, roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/party/members", make=member, marker=lambda m: m.name, roles=STAFF)
cases.api("GET", f"{API}/party/members/{{int:member_id}}", make=member, path_params=lambda m: {"member_id": m.pk},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/party/members/report-in", make=community, path_params=lambda u: {}, expect=201, roles=STAFF,
          data=lambda u: {"community": u.code, "name": pf.mark("a"), "phone": "13588001234", "work_unit": "区医院"})  # fmt: skip
cases.api("POST", f"{API}/party/members/enrol", make=party_resident, path_params=lambda r: {}, expect=201, roles=STAFF,
          data=lambda r: {"resident": r.pk})  # fmt: skip
cases.api("POST", f"{API}/party/members/{{int:member_id}}/pledges", make=member, path_params=lambda m: {"member_id": m.pk},
          data={"content": "每月服务一次", "due_on": "2099-01-01"}, expect=201, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/party/members/{{int:member_id}}/buildings", make=member_and_building,
          path_params=lambda m: {"member_id": m.pk}, data=lambda m: {"building": m.building_pk}, expect=201, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/party/members/{{int:member_id}}/households", make=member_and_household,
          path_params=lambda m: {"member_id": m.pk}, data=lambda m: {"household": m.household_pk}, expect=201, roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/party/pledges", make=pledge, marker=lambda p: p.content, roles=STAFF)
cases.api("POST", f"{API}/party/pledges/{{int:pledge_id}}/close", make=pledge, path_params=lambda p: {"pledge_id": p.pk},
          data={"status": "kept", "outcome": "已完成"}, roles=STAFF)  # fmt: skip
cases.api("GET", f"{API}/party/figures", make=community, path_params=lambda u: {}, query=lambda u: {"scope": u.code},
          roles=STAFF)  # fmt: skip
cases.public(f"GET {API}/awards/kinds", "the award kinds: reference data, no records of anyone")
cases.api_list("GET", f"{API}/awards/rounds", make=award_round, marker=lambda r: r.title, roles=STAFF)
cases.api("GET", f"{API}/awards/rounds/{{int:round_id}}", make=award_round, path_params=lambda r: {"round_id": r.pk},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/awards/rounds", make=community, path_params=lambda u: {}, expect=201, roles=STAFF,
          data=lambda u: {"org": u.code, "kind": "文明户", "year": 2026, "opens_on": "2026-01-01", "closes_on": "2026-12-31"})  # fmt: skip
cases.api("POST", f"{API}/awards/rounds/{{int:round_id}}/status", make=award_round, path_params=lambda r: {"round_id": r.pk},
          data={"status": "reviewing"}, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/awards/rounds/{{int:round_id}}/nominations", make=award_round,
          path_params=lambda r: {"round_id": r.pk}, data=lambda r: {"nominee": r.volunteer_pk, "reason": "热心服务"},
          expect=201, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/awards/nominations/{{int:nomination_id}}/review", make=nomination,
          path_params=lambda n: {"nomination_id": n.pk}, data={"result": "awarded"}, roles=STAFF)  # fmt: skip
cases.public(
    f"GET {API}/awards/public/{{code}}", "published winners: households masked, persons only as agreed"
)
