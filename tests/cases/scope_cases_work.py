"""Scope cases of the staff case pages: to-do tabs, list and export, case page, actions, map."""

from shequ.core.testing.scope import cases
from tests.cases.factories import make_case

pk = lambda c: {"pk": c.pk}  # noqa: E731
COMMUNITY = ("community_lead", "community_worker")  # the dispatchers and the community as handler


def received(world, side):
    return make_case(world, side, "received")


def dispatched(world, side):
    return make_case(world, side, "dispatched")


def handled(world, side):
    return make_case(world, side, "handled")


number = lambda c: c.number  # noqa: E731

# --- the to-do list: each tab ----------------------------------------------------------------------
cases.listing("cases:todo", make=handled, marker=number, query={"tab": "verify"})
cases.listing("cases:todo", make=received, marker=number, query={"tab": "dispatch"}, roles=COMMUNITY)
cases.listing("cases:todo", make=dispatched, marker=number, query={"tab": "handle"}, roles=COMMUNITY)
cases.listing(
    "cases:todo",
    make=dispatched,
    marker=number,
    query=lambda c: {"tab": "handle", "q": c.number[:8]},
    roles=COMMUNITY,
)

# --- the case list and its export ---------------------------------------------------------------
cases.listing("cases:case-list", make=received, marker=number)
cases.listing("cases:case-list", make=dispatched, marker=number, query=lambda c: {"q": c.number})
cases.listing("cases:case-list", make=dispatched, marker=number, query={"status": "dispatched"})

# --- the case page and its actions --------------------------------------------------------------
cases.detail("cases:case-detail", make=received, kwargs=pk)
cases.detail("cases:case-detail", make=handled, kwargs=pk)
cases.action(
    "cases:case-act",
    make=received,
    kwargs=lambda c: {"pk": c.pk, "action": "file"},
    data=lambda c: {"file-expected_version": c.version},
)
cases.action(
    "cases:case-act",
    make=dispatched,
    kwargs=lambda c: {"pk": c.pk, "action": "accept"},
    data=lambda c: {"accept-expected_version": c.version, "accept-note": "越权签收"},
)
cases.action(
    "cases:case-act",
    make=handled,
    kwargs=lambda c: {"pk": c.pk, "action": "verify"},
    data=lambda c: {"verify-expected_version": c.version},
)

# --- the map ------------------------------------------------------------------------------------
cases.listing("cases:map-data", make=dispatched, marker=number)
cases.public("cases:map", "the map page itself; its points come from cases:map-data")

# --- settings (no scoped data: one category tree and one score setting for the platform) -------
cases.public("cases:category-list", "the platform's category tree; no scoped data")
cases.public("cases:category-edit", "edits a platform-wide category; no scoped data")
cases.public("cases:score-settings", "the platform-wide score weights; no scoped data")
