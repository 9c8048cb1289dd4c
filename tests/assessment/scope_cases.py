"""Scope cases for every page and API route of the assessment module. Schemes and rounds are the
district's (or a street's) for every community below: both communities of the world read the same
rounds, so a round is no community's own. What is a community's own is its entry in a round (its
scores, the figures behind them, its self-assessment and objections) and its titles: those are kept
apart. A community's staff act on their own entry (self-assessment, objections, applications); the
district's acts (compute, score, publish, handle, accept, grant) are refused to them."""

from shequ.assessment.services import descriptors
from shequ.core.testing.scope import cases
from tests.assessment import factories as f

STAFF = ("community_lead", "community_worker")
OTHERS = ("grid_worker",)
API = "/api/v1/assessment"


def pk(o):
    return {"pk": o.pk}


def entry(world, side):
    return f.entry(world, side)


def computed(world, side):
    return f.computed_entry(world, side)


def scheme(world, side):
    return f.make_scheme(world)


def round_(world, side):
    return f.make_round(world)


def creation_and_community(world, side):
    return f.creation_round(world), world.community(side)


def profiled(world, side):
    descriptors.set_profile(world.users["district"], community=world.community(side).code, kind="rural")
    return world.community(side)


def self_data(e):
    return {f"self:{s.item_id}": "10" for s in e.scores.filter(item__rule="manual")}


# --- pages -----------------------------------------------------------------------------------------
cases.page("assessment:round-list", roles=STAFF)
cases.page("assessment:round-list", roles=OTHERS, expect=403)
cases.page("assessment:scheme-list", roles=STAFF)
cases.page("assessment:scheme-list", roles=OTHERS, expect=403)
cases.page("assessment:scheme-detail", make=scheme, kwargs=pk, roles=STAFF)
cases.page("assessment:scheme-build", roles=(*STAFF, *OTHERS), expect=403)
cases.page("assessment:round-create", make=scheme, kwargs=pk, method="POST", data={"period": f.PERIOD}, roles=STAFF,
           expect=403)  # fmt: skip
cases.listing("assessment:round-detail", make=entry, kwargs=lambda e: {"pk": e.round_id},
              marker=lambda e: e.unit.code, roles=STAFF)  # fmt: skip
cases.page("assessment:round-compute", make=round_, kwargs=pk, method="POST", roles=STAFF, expect=403)
cases.page("assessment:round-publish", make=round_, kwargs=pk, method="POST", roles=STAFF, expect=403)
cases.page("assessment:round-apply", make=creation_and_community, kwargs=lambda o: {"pk": o[0].pk}, method="POST",
           data=lambda o: {"community": o[1].code, "claim": "创建工作扎实推进"}, roles=STAFF, expect=302)  # fmt: skip
cases.detail("assessment:entry-detail", make=entry, kwargs=pk, roles=STAFF)
cases.action("assessment:self-assess", make=computed, kwargs=pk, data=self_data, roles=STAFF)
cases.action(
    "assessment:objection-file", make=entry, kwargs=pk, data={"reason": "参与人数统计有遗漏"}, roles=STAFF
)
cases.action("assessment:entry-accept", make=f.application, kwargs=pk, data={"note": "现场查看"}, roles=STAFF,
             expect=403)  # fmt: skip
cases.action(
    "assessment:entry-decide", make=f.inspected, kwargs=pk, data={"grant": "1"}, roles=STAFF, expect=403
)
cases.action("assessment:score-item", make=f.manual_score, kwargs=pk, data={"points": "30"}, roles=STAFF,
             expect=403)  # fmt: skip
cases.action("assessment:objection-handle", make=f.objection_of, kwargs=pk,
             data={"decision": "rejected", "reply": "统计无误"}, roles=STAFF, expect=403)  # fmt: skip
cases.listing("assessment:mine", make=entry, marker=lambda e: f"<td>{e.unit.display_name}</td>", roles=STAFF)
cases.page("assessment:mine", roles=OTHERS, expect=403)
cases.listing("assessment:title-list", make=f.titled, marker=lambda t: t.community.display_name,
              roles=STAFF)  # fmt: skip
cases.page("assessment:title-list", roles=OTHERS, expect=403)
cases.listing(
    "assessment:profiles", make=profiled, marker=lambda c: f"<td>{c.display_name}</td>", roles=STAFF
)
cases.page("assessment:profiles", roles=OTHERS, expect=403)
cases.page("assessment:profile-set", method="POST", data={"community": "420115001001", "kind": "rural"}, roles=STAFF,
           expect=403)  # fmt: skip

# --- API -------------------------------------------------------------------------------------------
cases.public(f"GET {API}/schemes", "a district's or street's schemes, read by every community below")
cases.public(f"GET {API}/schemes/{{int:scheme_id}}", "a scheme is every community's below its org")
cases.public(f"POST {API}/schemes", "a district's or street's act; refused to a community (test_api)")
cases.public(f"POST {API}/schemes/{{int:scheme_id}}/rounds", "a district's or street's act (test_api)")
cases.public(f"GET {API}/rounds", "a district's or street's rounds, read by every community below")
cases.public(f"GET {API}/rounds/{{int:round_id}}", "a round is every community's below its org")
cases.public(f"POST {API}/rounds/{{int:round_id}}/compute", "a district's or street's act (test_api)")
cases.public(f"POST {API}/rounds/{{int:round_id}}/publish", "a district's or street's act (test_api)")
cases.public(f"GET {API}/rounds/{{int:round_id}}/entries",
             "a shared round; lists only the entries visible to the user (test_api)")  # fmt: skip
cases.public(f"POST {API}/rounds/{{int:round_id}}/applications",
             "a shared round; the community applying is checked against the user's scope (test_api)")  # fmt: skip
cases.api(
    "GET",
    f"{API}/entries/{{int:entry_id}}",
    make=entry,
    path_params=lambda e: {"entry_id": e.pk},
    roles=STAFF,
)
cases.api("POST", f"{API}/entries/{{int:entry_id}}/self", make=computed, path_params=lambda e: {"entry_id": e.pk},
          data=lambda e: {"scores": {str(s.item_id): "10" for s in e.scores.filter(item__rule="manual")}},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/scores/{{int:score_id}}", make=f.manual_score, path_params=lambda s: {"score_id": s.pk},
          data={"points": "30"}, roles=STAFF, expect=403)  # fmt: skip
cases.api_list("GET", f"{API}/objections", make=f.objection_of, marker=lambda o: o.reason, roles=STAFF)
cases.api("POST", f"{API}/entries/{{int:entry_id}}/objections", make=entry, path_params=lambda e: {"entry_id": e.pk},
          data={"reason": "参与人数统计有遗漏"}, roles=STAFF, expect=201)  # fmt: skip
cases.api("POST", f"{API}/objections/{{int:objection_id}}/handle", make=f.objection_of,
          path_params=lambda o: {"objection_id": o.pk}, data={"decision": "rejected", "reply": "统计无误"}, roles=STAFF,
          expect=403)  # fmt: skip
cases.api("POST", f"{API}/entries/{{int:entry_id}}/accept", make=f.application,
          path_params=lambda e: {"entry_id": e.pk}, data={"note": "现场查看"}, roles=STAFF, expect=403)  # fmt: skip
cases.api("POST", f"{API}/entries/{{int:entry_id}}/decide", make=f.inspected,
          path_params=lambda e: {"entry_id": e.pk}, data={"grant": True}, roles=STAFF, expect=403)  # fmt: skip
cases.api_list("GET", f"{API}/titles", make=f.titled, marker=lambda t: t.community.code, roles=STAFF)
