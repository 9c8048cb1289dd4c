"""Scope cases for every operation of /api/v1/people/ and the import endpoints of /api/v1/core/.

Imported by tests/people/scope_cases.py; the objects come from tests/people/factories.py."""

from types import SimpleNamespace

from shequ.core.testing.scope import cases
from tests.people.factories import (
    LEDGER_MAPPING,
    make_batch,
    make_committed_batch,
    make_house,
    make_household,
    make_mapping_batch,
    make_resident,
    make_saved_mapping,
    make_tagged_resident,
    make_transfer,
    new_doc_number,
)

__all__: list[str] = []  # registers cases; exports nothing

COMMUNITY_ROLES = ("community_lead", "community_worker")
API = "/api/v1/people"
CORE = "/api/v1/core"


def _incoming(world, side):
    """A person registered on the other side, whom this side's community asks to receive."""
    other = "b" if side == "a" else "a"
    return SimpleNamespace(community=world.community(side), resident=make_resident(world, other))


rid = lambda r: {"resident_id": r.pk}  # noqa: E731

# --- residents ---------------------------------------------------------------------------------
cases.api_list("GET", f"{API}/residents", make=make_resident, marker=lambda r: r.name)
cases.api("GET", f"{API}/residents/{{int:resident_id}}", make=make_resident, path_params=rid)
cases.api(
    "POST",
    f"{API}/residents",
    make=lambda w, s: w.community(s),
    path_params=lambda c: {},
    data=lambda c: {"community_code": c.code, "name": "越权登记", "doc_number": new_doc_number()},
    roles=COMMUNITY_ROLES,  # a grid worker's scope holds no whole community (403 in the service)
    expect=201,
)
cases.api(
    "PATCH",
    f"{API}/residents/{{int:resident_id}}",
    make=make_resident,
    path_params=rid,
    data={"work_unit": "越权单位"},
)
cases.api(
    "POST",
    f"{API}/residents/{{int:resident_id}}/events",
    make=make_resident,
    path_params=rid,
    data={"kind": "lost_contact", "note": "越权变动"},
)
cases.api(
    "POST",
    f"{API}/residents/{{int:resident_id}}/tags",
    make=make_resident,
    path_params=rid,
    data={"code": "living_alone"},
)
cases.api(
    "DELETE",
    f"{API}/residents/{{int:resident_id}}/tags/{{code}}",
    make=make_tagged_resident,
    path_params=lambda r: {"resident_id": r.pk, "code": "living_alone"},
    expect=204,
)
cases.api("GET", f"{API}/residents/{{int:resident_id}}/visits", make=make_resident, path_params=rid)
cases.api(
    "POST",
    f"{API}/residents/{{int:resident_id}}/visits",
    make=make_resident,
    path_params=rid,
    data={"method": "home", "findings": "越权走访"},
    expect=201,
)
cases.api_list("GET", f"{API}/visits/due", make=make_tagged_resident, marker=lambda r: r.name)

# --- households and houses ---------------------------------------------------------------------
cases.api_list("GET", f"{API}/households", make=make_household, marker=lambda h: h.number)
cases.api(
    "GET",
    f"{API}/households/{{int:household_id}}",
    make=make_household,
    path_params=lambda h: {"household_id": h.pk},
)
cases.api(
    "POST",
    f"{API}/households",
    make=make_house,
    path_params=lambda h: {},
    data=lambda h: {"house_id": h.pk, "number": "越权户"},
    expect=201,
)
cases.api_list("GET", f"{API}/houses", make=make_house, marker=lambda h: h.address)
cases.api("GET", f"{API}/houses/{{int:house_id}}", make=make_house, path_params=lambda h: {"house_id": h.pk})
cases.api(
    "PATCH",
    f"{API}/houses/{{int:house_id}}",
    make=make_house,
    path_params=lambda h: {"house_id": h.pk},
    data={"use": "rented"},
)

# --- tags, structure, transfers ----------------------------------------------------------------
cases.public(
    f"GET {API}/tags",
    "tag definitions are platform settings, the same in every community; which a role sees is "
    "tested in tests/people/test_api.py",
)
cases.api(
    "GET",
    f"{API}/structure",
    make=lambda w, s: w.community(s),
    path_params=lambda c: {},
    query=lambda c: {"code": c.code},
    roles=COMMUNITY_ROLES,
)
cases.api(
    "GET",
    f"{API}/structure",
    make=lambda w, s: w.grid(s),
    path_params=lambda g: {},
    query=lambda g: {"code": g.code},
)
cases.api_list("GET", f"{API}/transfers", make=make_transfer, marker=lambda t: t.reason)
cases.api(
    "POST",
    f"{API}/transfers",
    make=_incoming,
    path_params=lambda x: {},
    data=lambda x: {
        "doc_number": x.resident.doc_number,
        "to_community_code": x.community.code,
        "reason": "越权迁入",
    },
    roles=COMMUNITY_ROLES,  # filing is the receiving community's act (403 for a grid worker)
    expect=201,
)
cases.api(
    "POST",
    f"{API}/transfers/{{int:transfer_id}}/decision",
    make=make_transfer,
    path_params=lambda t: {"transfer_id": t.pk},
    data={"accept": False, "note": "越权处理"},
)

# --- imports (core engine, residents workbook) -------------------------------------------------
cases.public(f"GET {CORE}/imports/template/{{kind}}", "a blank workbook, no data")
cases.public(
    f"POST {CORE}/imports",
    "multipart upload (the harness sends JSON); another community's scope_code is a 404 with no "
    "batch created: tests/people/test_api.py::test_upload_outside_scope_is_not_found",
)
# A batch hangs under its community: a grid worker's scope holds none.
cases.api_list("GET", f"{CORE}/imports", make=make_batch, marker=lambda b: b.filename, roles=COMMUNITY_ROLES)
cases.api(
    "GET",
    f"{CORE}/imports/{{int:batch_id}}",
    make=make_batch,
    path_params=lambda b: {"batch_id": b.pk},
    roles=COMMUNITY_ROLES,
)
cases.api(
    "GET",
    f"{CORE}/imports/{{int:batch_id}}/errors",
    make=make_batch,
    path_params=lambda b: {"batch_id": b.pk},
    roles=COMMUNITY_ROLES,
)
cases.api(
    "POST",
    f"{CORE}/imports/{{int:batch_id}}/commit",
    make=make_batch,
    path_params=lambda b: {"batch_id": b.pk},
    data={"valid_only": True},
    roles=COMMUNITY_ROLES,
    expect=202,
)
# The mapping step: confirming (and saving) a mapping, going back to it.
cases.api(
    "POST",
    f"{CORE}/imports/{{int:batch_id}}/mapping",
    make=make_mapping_batch,
    path_params=lambda b: {"batch_id": b.pk},
    data={**LEDGER_MAPPING, "save_as": "范围测试映射"},
    roles=COMMUNITY_ROLES,
    expect=202,
)
cases.api(
    "POST",
    f"{CORE}/imports/{{int:batch_id}}/remap",
    make=make_batch,
    path_params=lambda b: {"batch_id": b.pk},
    roles=COMMUNITY_ROLES,
    expect=202,
)
# A community's saved mappings: listed for its grid worker too (their batches use them), deleted by
# those who may import over the whole community (tests/core/test_import_api_mapping.py).
cases.api_list("GET", f"{CORE}/imports/mappings", make=make_saved_mapping, marker=lambda m: m.name)
cases.api(
    "DELETE",
    f"{CORE}/imports/mappings/{{int:mapping_id}}",
    make=make_saved_mapping,
    path_params=lambda m: {"mapping_id": m.pk},
    roles=COMMUNITY_ROLES,
    expect=204,
)
cases.api(
    "POST",
    f"{CORE}/imports/{{int:batch_id}}/undo",
    make=make_committed_batch,
    path_params=lambda b: {"batch_id": b.pk},
    roles=("community_lead",),
)
