"""Scope cases of the burden ledger and the appraisal of departments.

The burden figures of community a must never carry community b's load. An appraisal round hangs at
a street or district above both communities, so b's round lives in another district, outside the
scope of every user of the world."""

import datetime as dt
import itertools

from django.utils import timezone

from shequ.core.testing.scope import SEES, cases
from shequ.duties import services
from shequ.duties.models import Kind
from shequ.org.models import Level, OrgUnit

_seq = itertools.count(1)
pk = lambda o: {"pk": o.pk}  # noqa: E731
COMMUNITY = ("community_lead", "community_worker")
ROUND_READERS = ("district", "street", "department", "community_lead")
ORGANISERS = ("district", "street")


def entry(world, side):
    """A standing load in community `side`, from a department named after the side."""
    return services.register_entry(
        world.users["street"],
        community=world.community(side),
        department=f"区{'甲乙'[side == 'b']}部门{next(_seq)}",
        kind=Kind.ASSIST,
        title=f"消防检查台账{next(_seq)}",
        start_date=timezone.localdate() - dt.timedelta(days=5),
        ledgers=2,
        inspections=3,
    )


department = lambda e: e.department  # noqa: E731


def organiser(world, side):
    """Side a: the world's street; side b: a district outside the world."""
    if side == "a":
        return world.street
    return OrgUnit.objects.get_or_create(code="420116", defaults={"name": "黄陂区", "level": Level.DISTRICT})[
        0
    ]


def appraisal_round(world, side):
    today = timezone.localdate()
    return services.open_round(
        world.users["sysadmin"],
        org=organiser(world, side),
        title=f"{'甲乙'[side == 'b']}评议{next(_seq)}",
        period="2026年",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=20),
        departments=["区民政局", "区人社局"],
    )


title = lambda r: r.title  # noqa: E731


def entry_data(community):
    return {
        "community": community.code,
        "department": "区消防救援大队",
        "kind": "assist",
        "title": "消防安全检查台账",
        "start_date": timezone.localdate().isoformat(),
        "ledgers": 1,
    }


def round_data(org):
    today = timezone.localdate()
    return {
        "org": org.code,
        "title": "越权发起的评议",
        "period": "2026年",
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=10)).isoformat(),
        "departments": ["区民政局"],
    }


def round_form(org):
    """The page's form names departments in free text (the choices are those on record)."""
    data = round_data(org)
    data["other_departments"] = "、".join(data.pop("departments"))
    return data


def scores(rnd):
    return {"department": rnd.departments[0], "cooperation": 4, "funding": 3, "burden": 2, "service": 5}


# --- the ledger ----------------------------------------------------------------------------------
# Department staff read the burden ledger of their district (it counts loads, no personal data).
cases.listing("duties:burden", make=entry, marker=department, roles=COMMUNITY, department=SEES)
cases.listing(
    "duties:burden",
    make=entry,
    marker=department,
    query=lambda e: {"code": e.scope_code, "day": timezone.localdate().isoformat()},
    roles=COMMUNITY,
    department=SEES,
)
cases.action(
    "duties:burden-entry-create",
    make=lambda world, side: world.community(side),
    kwargs=None,
    data=entry_data,
    roles=COMMUNITY,
    expect={"community_worker": 403},  # duties.register_entry is the managers'
)
cases.api_list("GET", "/api/v1/duties/burden", make=entry, marker=department, roles=COMMUNITY)
cases.api_list("GET", "/api/v1/duties/burden/departments", make=entry, marker=department, roles=COMMUNITY)
cases.api(
    "POST",
    "/api/v1/duties/burden/entries",
    make=lambda world, side: world.community(side),
    path_params=None,
    data=entry_data,
    expect=201,
    roles=("community_lead",),
)

# --- appraisals ----------------------------------------------------------------------------------
cases.listing("duties:appraisal-list", make=appraisal_round, marker=title, roles=ROUND_READERS)
cases.action("duties:appraisal-create", make=organiser, kwargs=None, data=round_form, roles=ORGANISERS)
cases.detail("duties:appraisal-detail", make=appraisal_round, kwargs=pk, roles=ROUND_READERS)
cases.listing("duties:appraisal-mine", make=appraisal_round, marker=title, roles=("community_lead",))
cases.detail("duties:appraisal-fill", make=appraisal_round, kwargs=pk, roles=("community_lead",))
cases.action("duties:appraisal-fill", make=appraisal_round, kwargs=pk, data=scores, roles=("community_lead",))
cases.api_list("GET", "/api/v1/duties/appraisals", make=appraisal_round, marker=title, roles=ROUND_READERS)
cases.api(
    "POST",
    "/api/v1/duties/appraisals",
    make=organiser,
    path_params=None,
    data=round_data,
    expect=201,
    roles=ORGANISERS,
)
cases.api(
    "GET",
    "/api/v1/duties/appraisals/{int:round_id}",
    make=appraisal_round,
    path_params=lambda r: {"round_id": r.pk},
    roles=ROUND_READERS,
)
cases.api(
    "POST",
    "/api/v1/duties/appraisals/{int:round_id}/forms",
    make=appraisal_round,
    path_params=lambda r: {"round_id": r.pk},
    data=lambda r: {**scores(r), "community": "420115001001"},
    expect=201,
    roles=("community_lead",),
)
