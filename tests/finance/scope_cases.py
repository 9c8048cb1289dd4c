"""Scope cases for every page and API route of the finance module. A community's staff (lead and
workers) see and spend their own community's funds; streets and the district keep rules, budgets
and allocations (their acts are refused to a community, tests/finance/test_pages.py and test_api.py
show them working); department staff see only the task money their department owes; grid workers
and residents see no funds."""

from django.utils import timezone

from shequ.core.testing.scope import HIDDEN, SEES, cases
from tests.finance.factories import (
    make_allocation,
    make_budget,
    make_commitment,
    make_rule,
    make_spending,
)

STAFF = ("community_lead", "community_worker")
OTHERS = ("grid_worker",)
API = "/api/v1/finance"


def pk(o):
    return {"pk": o.pk}


def budget(world, side):
    return make_budget(world, side)


def allocation(world, side):
    return make_allocation(world, side)


def spending(world, side):
    return make_spending(world, side)


def funded(world, side):
    return make_allocation(world, side, amount="5000").org


def community(world, side):
    return world.community(side)


def rule(world, side):
    return make_rule(world, communities=[world.community(side).code])


def commitment(world, side):
    return make_commitment(world, side)


def today():
    return timezone.localdate().isoformat()


# --- pages -----------------------------------------------------------------------------------------
cases.listing("finance:overview", make=spending, marker=lambda s: s.community.display_name, roles=STAFF)
cases.page("finance:overview", roles=OTHERS, expect=403)
cases.listing("finance:funds", make=allocation, marker=lambda a: a.org.display_name, roles=STAFF)
cases.page("finance:funds", roles=OTHERS, expect=403)
cases.listing("finance:spending-list", make=spending, marker=lambda s: s.payee, roles=STAFF)
cases.page("finance:spending-list", roles=OTHERS, expect=403)
cases.page("finance:spending-create", roles=STAFF)
cases.page("finance:spending-create", roles=OTHERS, expect=403)
cases.detail("finance:spending-correct", make=spending, kwargs=pk, roles=STAFF)
cases.action("finance:spending-correct", make=spending, kwargs=pk, data={"reason": "金额录错", "amount": "1000"},
             roles=STAFF)  # fmt: skip
cases.listing("finance:budget-list", make=budget, marker=lambda b: b.community.display_name, roles=STAFF)
cases.page("finance:budget-list", roles=OTHERS, expect=403)
cases.detail("finance:budget-detail", make=budget, kwargs=pk, roles=STAFF)
# Budgets are kept by streets and the district: a community reads its own, acts on none.
cases.action(
    "finance:budget-move", make=budget, kwargs=pk, data={"status": "approved"}, roles=STAFF, expect=403
)
cases.action("finance:budget-item", make=budget, kwargs=pk, roles=STAFF, expect=403,
             data={"party": "street", "amount": "500", "note": "维修"})  # fmt: skip
cases.listing("finance:allocation-list", make=allocation, marker=lambda a: a.document_number, roles=STAFF,
              department=HIDDEN)  # fmt: skip
cases.page("finance:allocation-list", roles=OTHERS, expect={"*": 403, "department": 200}, department=SEES)
cases.page("finance:allocation-create", roles=STAFF, expect=403)
cases.action("finance:allocation-reverse", make=allocation, kwargs=pk, data={"reason": "录错"}, roles=STAFF,
             expect=403)  # fmt: skip
cases.page("finance:rule-list", roles=STAFF, expect=403)
cases.page("finance:rule-create", roles=STAFF, expect=403)
# A community reads no rule (it reads what the rules put in its budget): not found, nothing written.
cases.page("finance:rule-apply", make=rule, kwargs=pk, method="POST", roles=STAFF, expect=404)
# Task money: department staff see their own department's tasks (区民政局 a, 区人社局 b).
cases.listing("finance:task-money", make=commitment, marker=lambda c: c.task.title, roles=("department",))
cases.page(
    "finance:task-money", roles=(*STAFF, *OTHERS), expect={"*": 403, "department": 200}, department=SEES
)
cases.detail("finance:task-pay", make=commitment, kwargs=pk, roles=("department",))
cases.action("finance:task-pay", make=commitment, kwargs=pk, roles=("department",),
             data=lambda c: {"amount": "100", "arrived_on": today(), "document_number": f"拨{c.pk}"})  # fmt: skip
cases.page("finance:close-year", roles=STAFF, expect=403)

# --- API -------------------------------------------------------------------------------------------
cases.public(f"GET {API}/kinds", "the fund kinds: reference data, no community's")
cases.public(f"GET {API}/rules", "district and street rules; a community is refused (403, test_api)")
cases.public(f"POST {API}/rules", "a district's or street's act; refused to a community (test_api)")
cases.public(f"POST {API}/rules/{{int:rule_id}}/apply", "a district's or street's act (test_api)")
cases.public(f"POST {API}/years/close", "a district's or street's act; refused to a community (test_api)")
cases.public(f"GET {API}/task-money", "a department sees only its own department's rows (test_api)")
cases.api_list("GET", f"{API}/budgets", make=budget, marker=lambda b: b.community.code, roles=STAFF)
cases.api("GET", f"{API}/budgets/{{int:budget_id}}", make=budget, path_params=lambda b: {"budget_id": b.pk},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/budgets/{{int:budget_id}}/status", make=budget, path_params=lambda b: {"budget_id": b.pk},
          data={"status": "approved"}, roles=STAFF, expect=403)  # fmt: skip
cases.api("POST", f"{API}/budgets/{{int:budget_id}}/items", make=budget, path_params=lambda b: {"budget_id": b.pk},
          data={"party": "street", "amount": "500", "note": "维修"}, roles=STAFF, expect=403)  # fmt: skip
cases.api_list("GET", f"{API}/allocations", make=allocation, marker=lambda a: a.document_number, roles=STAFF)
cases.api("POST", f"{API}/allocations", make=community, path_params=lambda c: {}, roles=STAFF, expect=403,
          data=lambda c: {"org": c.code, "party": "city", "fund_kind": "office", "year": timezone.localdate().year,
                          "amount": "100", "arrived_on": today()})  # fmt: skip
cases.api("POST", f"{API}/allocations/{{int:allocation_id}}/reverse", make=allocation,
          path_params=lambda a: {"allocation_id": a.pk}, data={"reason": "录错"}, roles=STAFF, expect=403)  # fmt: skip
cases.api("POST", f"{API}/task-money/{{int:commitment_id}}/arrivals", make=commitment,
          path_params=lambda c: {"commitment_id": c.pk}, data={"amount": "100"}, roles=("department",),
          expect=201)  # fmt: skip
cases.api_list("GET", f"{API}/spending", make=spending, marker=lambda s: s.payee, roles=STAFF)
cases.api("POST", f"{API}/spending", make=funded, path_params=lambda c: {}, roles=STAFF, expect=201,
          data=lambda c: {"community": c.code, "fund_kind": "office", "year": timezone.localdate().year,
                          "category": "activities", "payee": "文体用品店", "spent_on": today(), "amount": "80"})  # fmt: skip
cases.api("PATCH", f"{API}/spending/{{int:spending_id}}", make=spending, path_params=lambda s: {"spending_id": s.pk},
          data={"amount": "100"}, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/spending/{{int:spending_id}}/correct", make=spending,
          path_params=lambda s: {"spending_id": s.pk}, data={"reason": "录错", "amount": "50"}, roles=STAFF,
          expect=201)  # fmt: skip
cases.api("GET", f"{API}/report", make=community, path_params=lambda c: {}, query=lambda c: {"scope": c.code},
          roles=STAFF)  # fmt: skip

# --- 以奖代补 and 人随事动 ------------------------------------------------------------------------------
# Schemes and rounds are the district's (or a street's) for every community below: both communities
# of the world read the same rounds, so a round is no community's own. What is a community's own is
# its application: those are kept apart (listing, API list, review and award acts).
from tests.finance.factories import (  # noqa: E402
    make_application,
    make_approved,
    make_people_task,
    make_provision,
    make_round,
)


def application(world, side):
    return make_application(world, side)


def approved(world, side):
    return make_approved(world, side)


def round_and_community(world, side):
    return make_round(world), world.community(side)


def round_(world, side):
    return make_round(world)


def people_task(world, side):
    return make_people_task(world, side)


def provision(world, side):
    return make_provision(world, side)


cases.listing("finance:award-list", make=application, marker=lambda a: a.claim, roles=STAFF)
cases.page("finance:award-list", roles=OTHERS, expect=403)
cases.listing("finance:round-detail", make=application, kwargs=lambda a: {"pk": a.round_id}, marker=lambda a: a.claim,
              roles=STAFF)  # fmt: skip
cases.page("finance:scheme-create", roles=STAFF, expect=403)
cases.page("finance:round-create", roles=STAFF, expect=403)
cases.page("finance:round-apply", make=round_and_community, kwargs=lambda o: {"pk": o[0].pk}, roles=STAFF)
cases.page("finance:round-apply", make=round_and_community, kwargs=lambda o: {"pk": o[0].pk}, roles=STAFF,
           method="POST", data=lambda o: {"community": o[1].code, "claim": "活动场次多"}, expect=302)  # fmt: skip
cases.page("finance:round-eligible", make=round_, kwargs=pk, method="POST", roles=STAFF, expect=403)
cases.page("finance:round-close", make=round_, kwargs=pk, method="POST", roles=STAFF, expect=403)
cases.action("finance:application-review", make=application, kwargs=pk, roles=STAFF, expect=403,
             data={"decision": "approve", "score": "30"})  # fmt: skip
cases.action("finance:application-award", make=approved, kwargs=pk, roles=STAFF, expect=403,
             data=lambda a: {"amount": "20000", "arrived_on": today()})  # fmt: skip
cases.detail("finance:provision-create", make=people_task, kwargs=pk, roles=("department",))
cases.action("finance:provision-create", make=people_task, kwargs=pk, roles=("department",),
             data={"people": "1", "provided_on": today()})  # fmt: skip

cases.public(f"GET {API}/award-bases", "the bases a scheme may rest on: reference data, no community's")
cases.public(f"GET {API}/award-schemes", "a district's or street's schemes, read by every community below")
cases.public(f"POST {API}/award-schemes", "a district's or street's act; refused to a community (test_api)")
cases.public(f"GET {API}/award-rounds", "a district's or street's rounds, read by every community below")
cases.public(f"POST {API}/award-rounds", "a district's or street's act; refused to a community (test_api)")
cases.public(
    f"GET {API}/award-rounds/{{int:round_id}}", "a round is every community's below its org (test_api)"
)
cases.public(
    f"POST {API}/award-rounds/{{int:round_id}}/eligibility", "a district's or street's act (test_api)"
)
cases.public(f"POST {API}/award-rounds/{{int:round_id}}/close", "a district's or street's act (test_api)")
cases.public(f"GET {API}/award-rounds/{{int:round_id}}/applications",
             "a shared round; lists only the applications visible to the user (test_api)")  # fmt: skip
cases.public(f"POST {API}/award-rounds/{{int:round_id}}/applications",
             "a shared round; the community applied for is checked against the user's scope (test_api)")  # fmt: skip
cases.api_list("GET", f"{API}/award-applications", make=application, marker=lambda a: a.claim, roles=STAFF)
cases.api("POST", f"{API}/award-applications/{{int:application_id}}/review", make=application,
          path_params=lambda a: {"application_id": a.pk}, data={"decision": "approve", "score": "30"}, roles=STAFF,
          expect=403)  # fmt: skip
cases.api("POST", f"{API}/award-applications/{{int:application_id}}/award", make=approved,
          path_params=lambda a: {"application_id": a.pk}, data={}, roles=STAFF, expect=403)  # fmt: skip
cases.public(f"GET {API}/personnel", "a department sees only its own department's rows (test_api)")
cases.api_list("GET", f"{API}/personnel/provisions", make=provision, marker=lambda p: p.names, roles=STAFF)
cases.api("POST", f"{API}/personnel/{{int:task_id}}/provisions", make=people_task,
          path_params=lambda t: {"task_id": t.pk}, data={"people": 1}, roles=("department",), expect=201)  # fmt: skip
# Receipts: a JSON body carries no file, so one's own spending answers 400 (choose a file); the upload
# itself is in test_api.
cases.api("POST", f"{API}/spending/{{int:spending_id}}/receipts", make=spending,
          path_params=lambda s: {"spending_id": s.pk}, roles=STAFF, expect=400)  # fmt: skip
cases.api("GET", f"{API}/spending/{{int:spending_id}}/receipts", make=spending,
          path_params=lambda s: {"spending_id": s.pk}, roles=STAFF)  # fmt: skip
