"""Scope cases of the intake pages. The public pages (the resident's form, its receipt, the status
page and its evaluation, the look-up, the place preview) show one case only to the holder of its
tracking link, or no case at all; the staff forms offer only the user's own communities and grids;
a resident's list holds only their own requests."""

from shequ.cases import services
from shequ.cases.models import Channel
from shequ.core.models import User
from shequ.core.roles import Role
from shequ.core.testing.scope import cases
from shequ.core.testing.world import make_user
from tests.cases.factories import point_in


def own_request(world, side):
    """A request filed by a resident of the side's community, through the public form's service."""
    if side == "a":
        resident = world.users["resident"]
    else:
        resident = User.objects.filter(username="t_resident_b").first() or make_user(
            "t_resident_b", Role.RESIDENT, world.b
        )
    lat, lng = point_in(world, side)
    case, _created = services.submit_request(
        resident,
        channel=Channel.WEB,
        category="0703",
        description=f"{world.community(side).display_name}健身器材损坏",
        lat=lat,
        lng=lng,
    )
    return case


def community(world, side):
    return world.community(side)


cases.public("cases:report", "the public form: public categories, the served area's grid outlines")
cases.public("cases:report-done", "the receipt of one case, opened by its tracking link (the key)")
cases.public("cases:track", "the status page of one case, opened by its tracking link (the key)")
cases.public("cases:track-evaluate", "the requester's evaluation through the tracking link")
cases.public(
    "cases:lookup",
    "number + phone digits lead to that case's status page only; the number alone to a published case",
)
cases.public(
    "cases:public-case",
    "the public copy of a published case only (Case.objects.public(); test_publication.py)",
)
cases.public("cases:locate", "names the grid, community and street of a point; no case data")
cases.listing("cases:mine", make=own_request, marker=lambda c: c.number, roles=("resident",))
# The staff forms offer the user's communities (select) and grids (map outlines): b's code never.
cases.listing("cases:case-create", make=community, marker=lambda c: c.code)
cases.listing("cases:patrol", make=community, marker=lambda c: c.code)
