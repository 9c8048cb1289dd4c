"""Scope case of the indicator dashboard and its export: a community lead of a sees a's filed
case counted and b's never (the page and the workbook state "立案 N 件")."""

from shequ.core.testing.scope import HIDDEN, cases
from tests.cases.factories import make_case


def make_filed(world, side):
    return make_case(world, side, "closed")


# b's case would turn "立案 1 件" into "立案 2 件"; only the community lead (and managers above)
# hold cases.view_indicators.
cases.listing(
    "cases:indicators",
    make=make_filed,
    marker=lambda c: "立案 1 件" if c.scope_code.startswith("420115001001") else "立案 2 件",
    roles=("community_lead",),
    department=HIDDEN,  # department staff read the figures of the cases dispatched to them
)
