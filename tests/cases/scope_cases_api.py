"""Scope cases for every operation of /api/v1/cases/ and for the 12345 import page.

Imported by tests/cases/scope_cases.py; the cases come from tests/cases/factories.py."""

import itertools
from types import SimpleNamespace

from shequ.cases import services
from shequ.core import importing
from shequ.core.testing.scope import cases
from tests.cases.factories import make_case, point_in

__all__: list[str] = []  # registers cases; exports nothing

API = "/api/v1/cases"
COMMUNITY_ROLES = ("community_lead", "community_worker")
_orders = itertools.count(1)

cid = lambda c: {"case_id": c.pk}  # noqa: E731


def _place(world, side):
    lat, lng = point_in(world, side)
    return SimpleNamespace(lat=lat, lng=lng, community=world.community(side))


def _dispatched_to_grid(world, side):
    """A case waiting on the side's grid: on the to-do list of its grid worker and community."""
    case = make_case(world, side, "filed", description=f"{world.community(side).display_name}待办案件")
    return services.transition(
        world.users["street"], case.pk, "dispatch", unit=f"grid:{world.grid(side).code}"
    )


def _hotline_batch(world, side):
    """A previewed 12345 batch of the side's community, uploaded by the street (not by the tester)."""
    data = "工单编号,诉求内容,诉求类别\nGD-SCOPE-1,路灯不亮,路灯\n".encode()
    batch = importing.create_batch(
        world.users["street"], "cases.hotline", world.community(side).code, f"12345工单-{side}.csv", data
    )
    importing.validate_batch(batch, world.users["street"])
    return batch


cases.api_list("GET", f"{API}/cases", make=make_case, marker=lambda c: c.number)
cases.api("GET", f"{API}/cases/{{int:case_id}}", make=make_case, path_params=cid)
cases.api(
    "POST",
    f"{API}/cases",
    make=_place,
    path_params=lambda p: {},
    data=lambda p: {
        "channel": "walk_in",
        "category": "0703",
        "description": "越权登记",
        "lat": p.lat,
        "lng": p.lng,
    },
    expect=201,
)
cases.api(
    "POST",
    f"{API}/cases",
    make=_place,
    path_params=lambda p: {},
    data=lambda p: {
        "channel": "phone",
        "category": "0703",
        "description": "越权登记",
        "community": p.community.code,
    },
    roles=COMMUNITY_ROLES,  # a grid worker's scope holds no whole community
    expect=201,
)
cases.api(
    "POST",
    f"{API}/cases/{{int:case_id}}/actions/{{action}}",
    make=make_case,
    path_params=lambda c: {"case_id": c.pk, "action": "file"},
    data={"note": "越权立案"},
    roles=COMMUNITY_ROLES,  # 立案 is a dispatcher's act
)
cases.api(
    "POST",
    f"{API}/cases/{{int:case_id}}/actions/{{action}}",
    make=lambda w, s: make_case(w, s, "handled"),
    path_params=lambda c: {"case_id": c.pk, "action": "verify"},
    data={"note": "越权核查"},
    roles=("grid_worker",),
)
cases.api(
    "GET",
    f"{API}/cases/{{int:case_id}}/merge-candidates",
    make=make_case,
    path_params=cid,
)
cases.api_list("GET", f"{API}/todo", make=_dispatched_to_grid, marker=lambda c: c.number)
cases.public(
    f"GET {API}/categories",
    "the category tree and its time limits are platform settings, the same in every community",
)
cases.api(
    "GET",
    f"{API}/indicators",
    make=lambda w, s: make_case(w, s, "closed"),
    path_params=lambda c: {},
    query=lambda c: {"scope": c.scope_code, "by": "category"},
    roles=("community_lead",),  # the indicators are the managers'
)
cases.api(
    "POST",
    f"{API}/hotline/orders",
    make=lambda w, s: w.community(s),
    path_params=lambda c: {},
    data=lambda c: {
        "order_no": f"GD-SCOPE-{c.code}-{next(_orders)}",
        "content": "越权推送的工单",
        "category": "噪声扰民",
        "community": c.code,
    },
    roles=("community_lead",),  # importing hotline orders is a community lead's act
    expect=201,
)

# --- the import page ------------------------------------------------------------------------------
cases.listing(
    "cases:hotline-import", make=_hotline_batch, marker=lambda b: b.filename, roles=("community_lead",)
)
