"""Scope cases of the staff case pages: to-do tabs, list and export, case page, actions, map."""

from shequ.cases.models import Category
from shequ.core.testing.scope import HIDDEN, SEES, cases
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
# Department staff use the to-do list, the case list and the map for the cases dispatched to their
# department: community a's cases are not among them.
DEPT = {"department": HIDDEN}

# --- the to-do list: each tab ----------------------------------------------------------------------
cases.listing("cases:todo", make=handled, marker=number, query={"tab": "verify"}, **DEPT)
cases.listing("cases:todo", make=received, marker=number, query={"tab": "dispatch"}, roles=COMMUNITY, **DEPT)
cases.listing("cases:todo", make=dispatched, marker=number, query={"tab": "handle"}, roles=COMMUNITY, **DEPT)
cases.listing(
    "cases:todo",
    make=dispatched,
    marker=number,
    query=lambda c: {"tab": "handle", "q": c.number[:8]},
    roles=COMMUNITY,
    **DEPT,
)

# --- the case list and its export ---------------------------------------------------------------
cases.listing("cases:case-list", make=received, marker=number, **DEPT)
cases.listing("cases:case-list", make=dispatched, marker=number, query=lambda c: {"q": c.number}, **DEPT)
cases.listing("cases:case-list", make=dispatched, marker=number, query={"status": "dispatched"}, **DEPT)

# --- the case page and its actions --------------------------------------------------------------
cases.detail("cases:case-detail", make=received, kwargs=pk)
cases.detail("cases:case-detail", make=handled, kwargs=pk)
cases.action(
    "cases:case-act",
    make=received,
    kwargs=lambda c: {"pk": c.pk, "action": "file"},
    data=lambda c: {"file-expected_version": c.version},
    expect={"grid_worker": 403},  # filing is a dispatcher's act
)
cases.action(
    "cases:case-act",
    make=dispatched,
    kwargs=lambda c: {"pk": c.pk, "action": "accept"},
    data=lambda c: {"accept-expected_version": c.version, "accept-note": "越权签收"},
    expect={"grid_worker": 403},  # dispatched to the community: the grid worker is not its handler
)
cases.action(
    "cases:case-act",
    make=handled,
    kwargs=lambda c: {"pk": c.pk, "action": "verify"},
    data=lambda c: {"verify-expected_version": c.version},
)

# --- the map ------------------------------------------------------------------------------------
cases.listing("cases:map-data", make=dispatched, marker=number, **DEPT)
cases.page("cases:map", department=SEES)  # the map itself; its points come from cases:map-data

# --- settings (no scoped data: one category tree and one score setting for the platform) -------
# The platform's category tree and score weights: no scoped data, but only managers use them.
MANAGER = ("street",)
cases.page("cases:category-list", roles=MANAGER)
cases.page("cases:category-edit", make=lambda w, s: Category.objects.filter(parent__isnull=False).first(), kwargs=pk, roles=MANAGER)  # fmt: skip
cases.page("cases:score-settings", roles=MANAGER)
