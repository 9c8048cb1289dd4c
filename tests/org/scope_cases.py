"""Scope cases for every page and API route of the org module. Department staff see the org
structure (divisions, grids, buildings and house numbers, who is responsible, resident
organisations), as the API lets them; they change none of it, and residents see none of it."""

import itertools

from shequ.core.testing.scope import SEES, cases
from shequ.core.testing.world import square
from shequ.org.models import Assignment, Building, BuildingUnit, Grid, Post, ResidentOrganization

_seq = itertools.count(100)
COMMUNITY_ROLES = ("community_lead", "community_worker")


def make_grid(world, side):
    n = next(_seq)
    c = world.community(side)
    return Grid.objects.create(
        community=c,
        code=f"{c.code}{n:03d}",
        name=f"{'甲乙'[side == 'b']}测试网格{n}",
        boundary=square(114.2 + n * 0.01, 30.2),
        center_lat=30.201,
        center_lng=114.2 + n * 0.01,
    )


def make_building(world, side):
    n = next(_seq)
    return Building.objects.create(
        grid=world.grid(side), compound=f"{'甲乙'[side == 'b']}园{n}", number=f"{n}栋"
    )


def make_unit(world, side):
    return BuildingUnit.objects.create(building=make_building(world, side), number="1单元")


def make_assignment(world, side):
    n = next(_seq)
    return Assignment.objects.create(
        grid=world.grid(side),
        post=Post.FULL_TIME,
        person_name=f"{'甲乙'[side == 'b']}员{n}",
        phone=f"1380000{n:04d}",
    )


def make_org(world, side):
    n = next(_seq)
    return ResidentOrganization.objects.create(
        community=world.community(side),
        grid=world.grid(side),
        name=f"{'甲乙'[side == 'b']}单位{n}",
        org_type="enterprise",
        contact_phone=f"1390000{n:04d}",
    )


def community(world, side):
    return world.community(side)


# --- pages -------------------------------------------------------------------------------------
cases.listing(
    "org:tree",
    make=make_grid,
    marker=lambda g: g.name,
    query=lambda g: {"q": "测试网格"},
    roles=COMMUNITY_ROLES,
    department=SEES,
)
cases.listing(
    "org:tree",
    make=lambda w, s: w.grid(s),
    marker=lambda g: g.name,
    query=lambda g: {"q": "第一网格"},
    department=SEES,
)
cases.detail(
    "org:tree-children",
    make=community,
    kwargs=lambda c: {"code": c.code},
    roles=COMMUNITY_ROLES,
    department=SEES,
)
cases.detail(
    "org:unit-detail",
    make=community,
    kwargs=lambda c: {"code": c.code},
    roles=COMMUNITY_ROLES,
    department=SEES,
)
cases.detail("org:grid-create", make=community, kwargs=lambda c: {"code": c.code}, roles=COMMUNITY_ROLES)
cases.action(
    "org:grid-create",
    make=community,
    kwargs=lambda c: {"code": c.code},
    data={"name": "越权网格", "grid_type": "area"},
    roles=COMMUNITY_ROLES,
)
cases.detail(
    "org:residentorg-create", make=community, kwargs=lambda c: {"code": c.code}, roles=COMMUNITY_ROLES
)
cases.action(
    "org:residentorg-create",
    make=community,
    kwargs=lambda c: {"code": c.code},
    data={"name": "越权单位", "org_type": "enterprise"},
    roles=COMMUNITY_ROLES,
)
cases.listing(
    "org:grid-list", make=make_grid, marker=lambda g: g.code, roles=COMMUNITY_ROLES, department=SEES
)
cases.listing("org:grid-list", make=lambda w, s: w.grid(s), marker=lambda g: g.code, department=SEES)
cases.listing(
    "org:grid-geojson", make=make_grid, marker=lambda g: g.code, roles=COMMUNITY_ROLES, department=SEES
)
cases.listing("org:grid-geojson", make=lambda w, s: w.grid(s), marker=lambda g: g.code, department=SEES)
cases.detail(
    "org:grid-detail", make=make_grid, kwargs=lambda g: {"pk": g.pk}, roles=COMMUNITY_ROLES, department=SEES
)
cases.detail("org:grid-detail", make=lambda w, s: w.grid(s), kwargs=lambda g: {"pk": g.pk}, department=SEES)


def located_building(world, side):
    """A building with a position inside its grid (the world's grids lie side by side)."""
    n = next(_seq)
    grid = world.grid(side)
    return Building.objects.create(
        grid=grid,
        compound=f"{'甲乙'[side == 'b']}巷{n}",
        number=f"{n}栋",
        lat=grid.center_lat,
        lng=grid.center_lng,
    )


# The map base layer: one box over both communities, close enough for compounds and buildings.
BOTH = {"bbox": "114.30,30.34,114.34,30.36", "zoom": "17"}
cases.listing("org:basemap", make=located_building, marker=lambda b: b.compound, query=BOTH, department=SEES)
cases.listing(
    "org:basemap", make=lambda w, s: w.grid(s), marker=lambda g: g.name, query=BOTH, department=SEES
)
cases.detail(
    "org:grid-edit", make=lambda w, s: w.grid(s), kwargs=lambda g: {"pk": g.pk}, roles=COMMUNITY_ROLES
)
cases.action(
    "org:grid-edit",
    make=lambda w, s: w.grid(s),
    kwargs=lambda g: {"pk": g.pk},
    data={"name": "改名", "grid_type": "area"},
    expect={"grid_worker": 403},  # org.manage_grid is not a grid worker's
)
cases.action(
    "org:grid-boundary",
    make=lambda w, s: w.grid(s),
    kwargs=lambda g: {"pk": g.pk},
    data={"geometry": square(114.5, 30.5)},
    content_type="application/json",
    expect={"*": 200, "grid_worker": 403},  # the map's JSON answer; not a grid worker's act
)
cases.detail("org:building-create", make=lambda w, s: w.grid(s), kwargs=lambda g: {"pk": g.pk})
cases.action(
    "org:building-create",
    make=lambda w, s: w.grid(s),
    kwargs=lambda g: {"pk": g.pk},
    data={"compound": "越权", "number": "1栋"},
)
cases.detail(
    "org:assignment-create", make=lambda w, s: w.grid(s), kwargs=lambda g: {"pk": g.pk}, roles=COMMUNITY_ROLES
)
cases.action(
    "org:assignment-create",
    make=lambda w, s: w.grid(s),
    kwargs=lambda g: {"pk": g.pk},
    data={"post": "part_time", "person_name": "越权", "phone": "13800001111", "start_date": "2026-01-01"},
    expect={"grid_worker": 403},  # org.manage_assignment is not a grid worker's
)
cases.listing("org:building-list", make=make_building, marker=lambda b: b.address, department=SEES)
cases.detail("org:building-detail", make=make_building, kwargs=lambda b: {"pk": b.pk}, department=SEES)
cases.detail("org:unit-create", make=make_building, kwargs=lambda b: {"pk": b.pk})
cases.action("org:unit-create", make=make_building, kwargs=lambda b: {"pk": b.pk}, data={"number": "9单元"})
cases.detail("org:house-create", make=make_building, kwargs=lambda b: {"pk": b.pk})
cases.action(
    "org:house-create",
    make=lambda w, s: make_unit(w, s).building,
    kwargs=lambda b: {"pk": b.pk},
    data=lambda b: {"unit": b.units.first().pk, "number": "101"},
)
cases.listing("org:assignment-list", make=make_assignment, marker=lambda a: a.person_name, department=SEES)
cases.action(
    "org:assignment-end", make=make_assignment, kwargs=lambda a: {"pk": a.pk}, expect={"grid_worker": 403}
)
cases.listing("org:residentorg-list", make=make_org, marker=lambda o: o.name, department=SEES)
cases.detail("org:residentorg-detail", make=make_org, kwargs=lambda o: {"pk": o.pk}, department=SEES)
cases.detail("org:residentorg-edit", make=make_org, kwargs=lambda o: {"pk": o.pk})
cases.action(
    "org:residentorg-edit",
    make=make_org,
    kwargs=lambda o: {"pk": o.pk},
    data={"name": "改名单位", "org_type": "school"},
    expect={"grid_worker": 403},  # editing a resident organisation is the community's
)

# --- API ---------------------------------------------------------------------------------------
API = "/api/v1/org"
cases.api_list("GET", f"{API}/units", make=community, marker=lambda c: c.code, roles=COMMUNITY_ROLES)
cases.api(
    "GET",
    f"{API}/units/{{code}}",
    make=community,
    path_params=lambda c: {"code": c.code},
    roles=COMMUNITY_ROLES,
)
cases.api(
    "GET",
    f"{API}/units/{{code}}/coverage",
    make=community,
    path_params=lambda c: {"code": c.code},
    roles=COMMUNITY_ROLES,
)
cases.api_list("GET", f"{API}/grids", make=make_grid, marker=lambda g: g.code, roles=COMMUNITY_ROLES)
cases.api_list("GET", f"{API}/grids", make=lambda w, s: w.grid(s), marker=lambda g: g.code)
cases.api(
    "GET",
    f"{API}/grids/locate",
    make=lambda w, s: w.grid(s),
    path_params=lambda g: {},
    query=lambda g: {
        "lng": g.boundary["coordinates"][0][0][0] + 0.001,
        "lat": g.boundary["coordinates"][0][0][1] + 0.001,
    },
)
cases.api(
    "GET",
    f"{API}/grids/{{int:grid_id}}",
    make=lambda w, s: w.grid(s),
    path_params=lambda g: {"grid_id": g.pk},
)
cases.api(
    "POST",
    f"{API}/grids",
    make=community,
    path_params=lambda c: {},
    data=lambda c: {"community_code": c.code, "name": "越权网格"},
    roles=COMMUNITY_ROLES,
    expect=201,
)
cases.api(
    "PATCH",
    f"{API}/grids/{{int:grid_id}}",
    make=lambda w, s: w.grid(s),
    path_params=lambda g: {"grid_id": g.pk},
    data={"name": "改名"},
    roles=COMMUNITY_ROLES,
)
cases.api(
    "PUT",
    f"{API}/grids/{{int:grid_id}}/boundary",
    make=lambda w, s: w.grid(s),
    path_params=lambda g: {"grid_id": g.pk},
    data={"geometry": square(114.6, 30.6)},
    roles=COMMUNITY_ROLES,
)
cases.api_list("GET", f"{API}/buildings", make=make_building, marker=lambda b: b.address)
cases.api(
    "GET",
    f"{API}/buildings/{{int:building_id}}",
    make=make_building,
    path_params=lambda b: {"building_id": b.pk},
)
cases.api(
    "POST",
    f"{API}/buildings",
    make=lambda w, s: w.grid(s),
    path_params=lambda g: {},
    data=lambda g: {"grid_id": g.pk, "number": "88栋", "compound": "越权园"},
    expect=201,
)
cases.api(
    "GET",
    f"{API}/buildings/{{int:building_id}}/units",
    make=make_building,
    path_params=lambda b: {"building_id": b.pk},
)
cases.api(
    "POST",
    f"{API}/buildings/{{int:building_id}}/units",
    make=make_building,
    path_params=lambda b: {"building_id": b.pk},
    data={"number": "5单元"},
    expect=201,
)
cases.api(
    "GET",
    f"{API}/building-units/{{int:unit_id}}/houses",
    make=make_unit,
    path_params=lambda u: {"unit_id": u.pk},
)
cases.api(
    "POST",
    f"{API}/building-units/{{int:unit_id}}/houses",
    make=make_unit,
    path_params=lambda u: {"unit_id": u.pk},
    data={"number": "302"},
    expect=201,
)
cases.api_list("GET", f"{API}/assignments", make=make_assignment, marker=lambda a: a.person_name)
cases.api(
    "GET",
    f"{API}/assignments/{{int:assignment_id}}",
    make=make_assignment,
    path_params=lambda a: {"assignment_id": a.pk},
)
cases.api(
    "POST",
    f"{API}/assignments",
    make=lambda w, s: w.grid(s),
    path_params=lambda g: {},
    data=lambda g: {"grid_id": g.pk, "post": "part_time", "person_name": "越权", "phone": "13800001111"},
    roles=COMMUNITY_ROLES,
    expect=201,
)
cases.api(
    "POST",
    f"{API}/assignments/{{int:assignment_id}}/end",
    make=make_assignment,
    path_params=lambda a: {"assignment_id": a.pk},
    data={},
    roles=COMMUNITY_ROLES,
)
cases.api_list("GET", f"{API}/resident-orgs", make=make_org, marker=lambda o: o.name)
cases.api("GET", f"{API}/resident-orgs/{{int:org_id}}", make=make_org, path_params=lambda o: {"org_id": o.pk})
cases.api(
    "POST",
    f"{API}/resident-orgs",
    make=community,
    path_params=lambda c: {},
    data=lambda c: {"community_code": c.code, "name": "越权单位", "org_type": "other"},
    roles=COMMUNITY_ROLES,
    expect=201,
)
cases.api(
    "PATCH",
    f"{API}/resident-orgs/{{int:org_id}}",
    make=make_org,
    path_params=lambda o: {"org_id": o.pk},
    data={"address": "新地址"},
)
