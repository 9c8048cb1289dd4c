"""Figures of self-government for a scope, per community: how many buildings have a 楼栋长 and
households a 居民代表, how many buildings a self-governing group covers, the grid's extended
network (党小组长, 片长, 党员户, 文明户), the last election's turnout, and the 四位一体 of each 小区.
Counts only: they are read in the user's participation scope and name nobody."""

from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.scope import prefix_q, subtree_q
from shequ.org.models import Assignment, Building, Grid, OrgUnit, Post, short_name
from shequ.participation.models import (
    VIEW,
    Election,
    Group,
    GroupKind,
    PropertyContract,
    Representative,
    RepresentativeKind,
    current_q,
)


def _roots(user, within):
    roots = scope.scope_codes(user, scope.roles_with(VIEW)) if user is not None else None
    q = prefix_q("scope_code", roots)
    if within:
        q &= subtree_q("scope_code", within)
    return q


def _per_community(qs, count="id", distinct=False) -> dict:
    rows = (
        qs.order_by()
        .annotate(c=Substr("scope_code", 1, 12))
        .values("c")
        .annotate(n=Count(count, distinct=distinct))
    )
    return {r["c"]: r["n"] for r in rows}


def _ratio(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _names(codes) -> dict:
    return {c: short_name(n) for c, n in OrgUnit.objects.filter(code__in=codes).values_list("code", "name")}


def _table(columns: dict, shares: dict) -> dict:
    """{"communities": [...], "totals": {...}} from per-community counts and the shares to compute."""
    codes = sorted({c for counts in columns.values() for c in counts})
    names = _names(codes)
    rows, totals = [], defaultdict(int)
    for c in codes:
        row = {"code": c, "name": names.get(c, c)}
        for key, counts in columns.items():
            row[key] = counts.get(c, 0)
            totals[key] += row[key]
        rows.append(row)
    totals = dict(totals)
    for key, (part, whole) in shares.items():
        for row in [*rows, totals]:
            row[key] = _ratio(row.get(part, 0), row.get(whole, 0))
    return {"communities": rows, "totals": totals}


def representative_coverage(user, within: str | None = None, on=None) -> dict:
    """Buildings with a 楼栋长 and households with a 居民代表 (current terms), per community."""
    from shequ.people.models import Household

    on = on or timezone.localdate()
    q = _roots(user, within)
    reps = Representative.objects.filter(q).filter(current_q(on))
    leads = reps.filter(kind=RepresentativeKind.BUILDING_LEAD)
    delegates = reps.filter(kind=RepresentativeKind.REPRESENTATIVE)
    return _table(
        {
            "buildings": _per_community(Building.objects.filter(q)),
            "buildings_led": _per_community(leads, "buildings", True),
            "households": _per_community(Household.objects.filter(q)),
            "households_represented": _per_community(delegates, "households", True),
            "representatives": _per_community(delegates),
            "building_leads": _per_community(leads),
        },
        {
            "building_share": ("buildings_led", "buildings"),
            "household_share": ("households_represented", "households"),
        },
    )


def group_coverage(user, within: str | None = None, on=None) -> dict:
    """Groups in their term and the buildings they cover, per community (any kind counted once)."""
    on = on or timezone.localdate()
    q = _roots(user, within)
    groups = Group.objects.filter(q).filter(current_q(on))
    data = _table(
        {
            "buildings": _per_community(Building.objects.filter(q)),
            "buildings_covered": _per_community(groups, "buildings", True),
            "groups": _per_community(groups),
        },
        {"building_share": ("buildings_covered", "buildings")},
    )
    kinds = dict(groups.order_by().values_list("kind").annotate(n=Count("id")))
    data["kinds"] = [{"kind": k, "label": str(lab), "n": kinds.get(k, 0)} for k, lab in GroupKind.choices]
    return data


def network_coverage(user, within: str | None = None, on=None) -> dict:
    """The grid's extended network: grids with a 党小组长 and a 片长, and the 党员户 and 文明户."""
    on = on or timezone.localdate()
    q = _roots(user, within)
    current = Assignment.objects.filter(q).current(on)

    def grids_with(post):
        return _per_community(current.filter(post=post), "grid", True)

    def count(post):
        return _per_community(current.filter(post=post))

    return _table(
        {
            "grids": _per_community(Grid.objects.filter(q)),
            "grids_party_lead": grids_with(Post.PARTY_GROUP_LEAD),
            "grids_area_lead": grids_with(Post.AREA_LEAD),
            "party_households": count(Post.PARTY_HOUSEHOLD),
            "civil_households": count(Post.CIVIL_HOUSEHOLD),
        },
        {"party_lead_share": ("grids_party_lead", "grids"), "area_lead_share": ("grids_area_lead", "grids")},
    )


def election_turnout(user, within: str | None = None) -> dict:
    """Each community's latest counted election: term, date, method, voters, ballots, turnout."""
    q = _roots(user, within)
    latest = {}
    for e in (
        Election.objects.filter(q)
        .exclude(ballots_cast=None)
        .select_related("community")
        .order_by("scope_code", "-held_on")
    ):
        latest.setdefault(e.scope_code, e)
    rows = [
        {"code": c, "name": e.community.display_name, "term": e.term, "held_on": e.held_on,
         "method": e.get_method_display(), "registered_voters": e.registered_voters,
         "ballots_cast": e.ballots_cast, "turnout": e.turnout}
        for c, e in sorted(latest.items())
    ]  # fmt: skip
    voters = sum(r["registered_voters"] for r in rows)
    ballots = sum(r["ballots_cast"] for r in rows)
    return {"communities": rows, "totals": {"registered_voters": voters, "ballots_cast": ballots,
                                            "turnout": _ratio(ballots, voters)}}  # fmt: skip


def four_in_one(community: OrgUnit, on=None) -> list[dict]:
    """四位一体 per 小区: the Party organisation, the residents' committee, the 业委会 and the
    property company, side by side, and what is missing."""
    on = on or timezone.localdate()
    code = community.code
    compounds = sorted(
        set(
            Building.objects.filter(subtree_q("scope_code", code))
            .exclude(compound="")
            .values_list("compound", flat=True)
        )
    )
    groups = list(
        Group.objects.filter(community=community).filter(current_q(on)).prefetch_related("buildings")
    )
    contracts = list(
        PropertyContract.objects.filter(community=community, start__lte=on, end__gte=on).select_related(
            "company"
        )
    )
    party_grids = set(
        Assignment.objects.filter(subtree_q("scope_code", code), post=Post.PARTY_GROUP_LEAD)
        .current(on)
        .values_list("grid_id", flat=True)
    )
    grids_of = defaultdict(set)
    for compound, grid in Building.objects.filter(subtree_q("scope_code", code)).values_list(
        "compound", "grid_id"
    ):
        grids_of[compound].add(grid)
    election = Election.objects.filter(community=community, status="declared").order_by("-held_on").first()
    committee = (
        _("%(t)s（%(d)s 选举）") % {"t": election.term_label, "d": election.held_on.year} if election else ""
    )
    out = []
    for compound in compounds:
        party = [g.name for g in groups if g.kind == GroupKind.PARTY_BRANCH and g.compound == compound]
        if not party and grids_of[compound] & party_grids:
            party = [_("网格党小组")]
        owners = [g.name for g in groups if g.kind == GroupKind.OWNERS_COMMITTEE and g.compound == compound]
        if not owners:
            owners = [g.name for g in groups if g.kind == GroupKind.PROPERTY_GROUP and g.compound == compound]
        company = [c.company.name for c in contracts if c.compound == compound]
        row = {
            "compound": compound,
            "party": "、".join(party),
            "committee": committee,
            "owners": "、".join(owners),
            "company": "、".join(company),
            "contract_end": min((c.end for c in contracts if c.compound == compound), default=None),
        }
        labels = {
            "party": _("党组织"),
            "committee": _("居委会"),
            "owners": _("业委会"),
            "company": _("物业服务企业"),
        }
        row["missing"] = [str(lab) for key, lab in labels.items() if not row[key]]
        out.append(row)
    return out
