"""Scope cases for every operation of /api/v1/people/ and the import endpoints of /api/v1/core/.

Imported by tests/people/scope_cases.py. The objects are built here (not with the page cases'
factories) so that the API cases do not move when the pages' fixtures do."""

import datetime as dt
import itertools
from types import SimpleNamespace

from django.utils import timezone

from shequ.core import importing
from shequ.core.testing.scope import cases
from shequ.org.models import Building, BuildingUnit, House, OrgUnit
from shequ.people.models import Household, Resident, ResidentTag, TagDefinition, Transfer
from tests.people.conftest import id_number, person, workbook

__all__: list[str] = []  # registers cases; exports nothing

_seq = itertools.count(600)
COMMUNITY_ROLES = ("community_lead", "community_worker")
API = "/api/v1/people"
CORE = "/api/v1/core"


def _side(side) -> str:
    return "甲乙"[side == "b"]


def _house(world, side) -> House:
    n = next(_seq)
    b = Building.objects.create(grid=world.grid(side), compound=f"{_side(side)}接口苑{n}", number=f"{n}栋")
    u = BuildingUnit.objects.create(building=b, number="1单元")
    return House.objects.create(unit=u, number=f"{n}02", owner_name=f"{_side(side)}房主{n}")


def _doc() -> str:
    n = next(_seq)
    return id_number(birth="19460203", seq=f"{n % 1000:03d}")


def _resident(world, side, **extra) -> Resident:
    n = next(_seq)
    return Resident.objects.create(
        community=world.community(side),
        house=_house(world, side),
        name=f"{_side(side)}接口居民{n}",
        doc_number=_doc(),
        phone=f"1375555{n:04d}",
        **extra,
    )


def _tagged(world, side) -> Resident:
    """A 独居老人 (visit every 7 days), overdue since two days ago."""
    r = _resident(world, side)
    ResidentTag.objects.create(resident=r, tag_key=TagDefinition.objects.get(code="living_alone").key)
    Resident.objects.filter(pk=r.pk).update(
        visit_interval_days=7, next_visit_due=timezone.localdate() - dt.timedelta(days=2)
    )
    r.refresh_from_db()
    return r


def _household(world, side) -> Household:
    n = next(_seq)
    r = _resident(world, side, relationship="02")
    hh = Household.objects.create(
        community=world.community(side), house=r.house, head=r, number=f"{_side(side)}户{n}"
    )
    Resident.objects.filter(pk=r.pk).update(household=hh)
    return hh


def _third(world) -> OrgUnit:
    unit, _ = OrgUnit.objects.get_or_create(
        code="420115001003",
        defaults={
            "name": "第三社区居委会",
            "level": "community",
            "kind": "residents",
            "parent": world.street,
        },
    )
    return unit


def _outgoing(world, side) -> Transfer:
    """A pending request for a person of this side to move to a third community."""
    r = _resident(world, side)
    other = _third(world)
    return Transfer.objects.create(
        resident=r,
        from_code=r.scope_code,
        to_community=other,
        to_code=other.code,
        reason=f"{_side(side)}迁移事由{r.pk}",
    )


def _incoming(world, side):
    """A person registered on the other side, whom this side's community asks to receive."""
    other = "b" if side == "a" else "a"
    return SimpleNamespace(community=world.community(side), resident=_resident(world, other))


def _batch(world, side, *, commit=False):
    user = world.users["sysadmin"]
    n = next(_seq)
    rows = [person(n, 小区=f"{_side(side)}接口导入苑{n}"), person(n + 1, 联系电话="12345")]
    batch = importing.create_batch(
        user,
        "people.residents",
        world.community(side).code,
        f"{_side(side)}接口批次{n}.xlsx",
        workbook(rows),
    )
    importing.validate_batch(batch, user)
    batch.refresh_from_db()
    if commit:
        importing.commit_batch(batch, user)
        batch.refresh_from_db()
    return batch


rid = lambda r: {"resident_id": r.pk}  # noqa: E731

# --- residents ---------------------------------------------------------------------------------
cases.api_list("GET", f"{API}/residents", make=_resident, marker=lambda r: r.name)
cases.api("GET", f"{API}/residents/{{int:resident_id}}", make=_resident, path_params=rid)
cases.api(
    "POST",
    f"{API}/residents",
    make=lambda w, s: w.community(s),
    path_params=lambda c: {},
    data=lambda c: {"community_code": c.code, "name": "越权登记", "doc_number": _doc()},
    roles=COMMUNITY_ROLES,  # a grid worker's scope holds no whole community (403 in the service)
    expect=201,
)
cases.api(
    "PATCH",
    f"{API}/residents/{{int:resident_id}}",
    make=_resident,
    path_params=rid,
    data={"work_unit": "越权单位"},
)
cases.api(
    "POST",
    f"{API}/residents/{{int:resident_id}}/events",
    make=_resident,
    path_params=rid,
    data={"kind": "lost_contact", "note": "越权变动"},
)
cases.api(
    "POST",
    f"{API}/residents/{{int:resident_id}}/tags",
    make=_resident,
    path_params=rid,
    data={"code": "living_alone"},
)
cases.api(
    "DELETE",
    f"{API}/residents/{{int:resident_id}}/tags/{{code}}",
    make=_tagged,
    path_params=lambda r: {"resident_id": r.pk, "code": "living_alone"},
    expect=204,
)
cases.api("GET", f"{API}/residents/{{int:resident_id}}/visits", make=_resident, path_params=rid)
cases.api(
    "POST",
    f"{API}/residents/{{int:resident_id}}/visits",
    make=_resident,
    path_params=rid,
    data={"method": "home", "findings": "越权走访"},
    expect=201,
)
cases.api_list("GET", f"{API}/visits/due", make=_tagged, marker=lambda r: r.name)

# --- households and houses ---------------------------------------------------------------------
cases.api_list("GET", f"{API}/households", make=_household, marker=lambda h: h.number)
cases.api(
    "GET",
    f"{API}/households/{{int:household_id}}",
    make=_household,
    path_params=lambda h: {"household_id": h.pk},
)
cases.api(
    "POST",
    f"{API}/households",
    make=_house,
    path_params=lambda h: {},
    data=lambda h: {"house_id": h.pk, "number": "越权户"},
    expect=201,
)
cases.api_list("GET", f"{API}/houses", make=_house, marker=lambda h: h.address)
cases.api("GET", f"{API}/houses/{{int:house_id}}", make=_house, path_params=lambda h: {"house_id": h.pk})
cases.api(
    "PATCH",
    f"{API}/houses/{{int:house_id}}",
    make=_house,
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
cases.api_list("GET", f"{API}/transfers", make=_outgoing, marker=lambda t: t.reason)
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
    make=_outgoing,
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
cases.api_list("GET", f"{CORE}/imports", make=_batch, marker=lambda b: b.filename, roles=COMMUNITY_ROLES)
cases.api(
    "GET",
    f"{CORE}/imports/{{int:batch_id}}",
    make=_batch,
    path_params=lambda b: {"batch_id": b.pk},
    roles=COMMUNITY_ROLES,
)
cases.api(
    "GET",
    f"{CORE}/imports/{{int:batch_id}}/errors",
    make=_batch,
    path_params=lambda b: {"batch_id": b.pk},
    roles=COMMUNITY_ROLES,
)
cases.api(
    "POST",
    f"{CORE}/imports/{{int:batch_id}}/commit",
    make=_batch,
    path_params=lambda b: {"batch_id": b.pk},
    data={"valid_only": True},
    roles=COMMUNITY_ROLES,
    expect=202,
)
cases.api(
    "POST",
    f"{CORE}/imports/{{int:batch_id}}/undo",
    make=lambda w, s: _batch(w, s, commit=True),
    path_params=lambda b: {"batch_id": b.pk},
    roles=("community_lead",),
)
