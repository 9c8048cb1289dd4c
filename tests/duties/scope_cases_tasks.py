"""Scope cases of the task, refusal and certificate pages and API."""

from shequ.core.testing.scope import HIDDEN, SEES, cases
from tests.duties.factories import (
    make_certificate,
    make_certificate_refusal,
    make_list,
    make_refusal,
    make_task,
)
from tests.people.factories import make_resident

COMMUNITY = ("community_lead", "community_worker")
LEAD = ("community_lead",)
# The world's department (区民政局) files side a's requests; side b's come from 区人社局.
DEPARTMENT = ("department",)
pk = lambda o: {"pk": o.pk}  # noqa: E731
no_kwargs = lambda o: {}  # noqa: E731
title = lambda o: o.title  # noqa: E731
number = lambda o: o.number  # noqa: E731


def community(world, side):
    make_list(world)
    return world.community(side)


def resident(world, side):
    """A resident of the side's community, carrying the id of the certificate type in force."""
    r = make_resident(world, side)
    r.certificate_item = make_list(world).items.get(code="ZM-01").pk
    return r


def report(t):
    return {"progress": 40, "hours": "2", "note": "已入户评估 12 户", "expected_version": t.version}


# --- tasks --------------------------------------------------------------------------------------
cases.listing("duties:task-list", make=make_task, marker=title, roles=COMMUNITY + DEPARTMENT)
cases.listing("duties:task-list", make=make_task, marker=title, query={"status": "active"}, roles=COMMUNITY, department=SEES)  # fmt: skip
cases.detail("duties:task-detail", make=make_task, kwargs=pk, roles=COMMUNITY + DEPARTMENT)
cases.action("duties:task-report", make=make_task, kwargs=pk, data=report, roles=COMMUNITY)
cases.action("duties:task-funding", make=make_task, kwargs=pk, data={"amount": "500"}, roles=DEPARTMENT)

# --- refusals of unadmitted tasks ------------------------------------------------------------------
# Department staff read the refusals of their own department's demands; this one is another's.
cases.listing("duties:refusal-list", make=make_refusal, marker=title, roles=COMMUNITY, department=HIDDEN)
cases.detail("duties:refusal-detail", make=make_refusal, kwargs=pk, roles=COMMUNITY)
cases.action(
    "duties:refusal-create",
    make=community,
    kwargs=no_kwargs,
    data=lambda c: {
        "community": c.pk,
        "department": "区城管局",
        "title": "协助清理占道经营",
        "received_on": "2026-11-20",
        "channel": "微信群",
    },
    roles=LEAD,
)

# --- certificates ----------------------------------------------------------------------------------
cases.listing("duties:certificate-list", make=make_certificate, marker=number, roles=COMMUNITY)
cases.listing(
    "duties:certificate-list",
    make=make_certificate,
    marker=number,
    query=lambda c: {"q": c.requester_name},
    roles=COMMUNITY,
)
cases.listing(
    "duties:certificate-list",
    make=make_certificate_refusal,
    marker=lambda r: r.requester_name,
    query={"tab": "refused"},
    roles=COMMUNITY,
)
cases.listing(
    "duties:certificate-residents",
    make=make_resident,
    marker=lambda r: r.name,
    query={"q": "居民"},
    roles=COMMUNITY,
)
cases.detail("duties:certificate-detail", make=make_certificate, kwargs=pk, roles=COMMUNITY)
cases.detail("duties:certificate-refusal-detail", make=make_certificate_refusal, kwargs=pk, roles=COMMUNITY)
cases.action(
    "duties:certificate-create",
    make=resident,
    kwargs=no_kwargs,
    data=lambda r: {
        "community": r.community_id,
        "item": r.certificate_item,
        "resident": r.pk,
        "purpose": "办理居住证",
        "content": f"兹证明{r.name}现居住于本社区。",
    },
    roles=COMMUNITY,
)
cases.action(
    "duties:certificate-refuse",
    make=community,
    kwargs=no_kwargs,
    data=lambda c: {
        "community": c.pk,
        "requested": "无犯罪记录证明",
        "requester_name": "王某",
        "purpose": "入职",
    },
    roles=COMMUNITY,
)

# --- API ----------------------------------------------------------------------------------------
API = "/api/v1/duties"
task_id = lambda t: {"task_id": t.pk}  # noqa: E731
cases.api_list("GET", f"{API}/tasks", make=make_task, marker=title, roles=COMMUNITY + DEPARTMENT)
cases.api(
    "GET", f"{API}/tasks/{{int:task_id}}", make=make_task, path_params=task_id, roles=COMMUNITY + DEPARTMENT
)
cases.api(
    "POST",
    f"{API}/tasks/{{int:task_id}}/reports",
    make=make_task,
    path_params=task_id,
    data=report,
    expect=201,
    roles=COMMUNITY,
)
cases.api(
    "POST",
    f"{API}/tasks/{{int:task_id}}/funding",
    make=make_task,
    path_params=task_id,
    data={"amount": "500"},
    roles=DEPARTMENT,
)
cases.api_list("GET", f"{API}/refusals", make=make_refusal, marker=title, roles=COMMUNITY)
cases.api(
    "GET",
    f"{API}/refusals/{{int:refusal_id}}",
    make=make_refusal,
    path_params=lambda r: {"refusal_id": r.pk},
    roles=COMMUNITY,
)
cases.api(
    "POST",
    f"{API}/refusals",
    make=community,
    path_params=no_kwargs,
    data=lambda c: {"community": c.code, "department": "区城管局", "title": "协助清理占道经营"},
    expect=201,
    roles=LEAD,
)
cases.api_list("GET", f"{API}/certificates", make=make_certificate, marker=number, roles=COMMUNITY)
cases.api(
    "GET",
    f"{API}/certificates/{{int:certificate_id}}",
    make=make_certificate,
    path_params=lambda c: {"certificate_id": c.pk},
    roles=COMMUNITY,
)
cases.api(
    "POST",
    f"{API}/certificates",
    make=resident,
    path_params=no_kwargs,
    data=lambda r: {
        "community": r.community.code,
        "item": r.certificate_item,
        "resident": r.pk,
        "purpose": "办理居住证",
        "content": f"兹证明{r.name}现居住于本社区。",
    },
    expect=201,
    roles=COMMUNITY,
)
cases.api_list(
    "GET",
    f"{API}/certificate-refusals",
    make=make_certificate_refusal,
    marker=lambda r: r.requester_name,
    roles=COMMUNITY,
)
cases.api(
    "GET",
    f"{API}/certificate-refusals/{{int:refusal_id}}",
    make=make_certificate_refusal,
    path_params=lambda r: {"refusal_id": r.pk},
    roles=COMMUNITY,
)
cases.api(
    "POST",
    f"{API}/certificate-refusals",
    make=community,
    path_params=no_kwargs,
    data=lambda c: {"community": c.code, "requested": "无犯罪记录证明", "requester_name": "王某"},
    expect=201,
    roles=COMMUNITY,
)
