"""Counts and coverage figures for a scope, used by the home dashboard and the community page."""

from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.org.models import (
    Assignment,
    Building,
    Grid,
    Level,
    OrgUnit,
    Post,
    ResidentOrganization,
    short_name,
)


def resolve_node(code: str):
    if len(code) == 15:
        return Grid.objects.filter(code=code).first()
    return OrgUnit.objects.filter(code=code).first()


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def coverage(user, within: str | None = None) -> dict:
    """Per community and in total: grids, grids with a full-time grid worker, buildings, buildings
    with a 楼栋长, and the two shares. Five grouped queries, whatever the scope's size."""
    today = timezone.localdate()
    grids = Grid.objects.visible_to(user).within(within)
    buildings = Building.objects.visible_to(user).within(within)
    current = Assignment.objects.visible_to(user).within(within).current(today)

    def by_community(qs):
        # order_by() drops Meta.ordering joins; ids are unique, so no DISTINCT (it forces a sort).
        rows = qs.order_by().annotate(c=Substr("scope_code", 1, 12)).values("c").annotate(n=Count("id"))
        return {r["c"]: r["n"] for r in rows}

    g_total = by_community(grids)
    b_total = by_community(buildings)
    g_cov = {
        r["c"]: r["n"]
        for r in current.filter(post=Post.FULL_TIME)
        .order_by()
        .annotate(c=Substr("scope_code", 1, 12))
        .values("c")
        .annotate(n=Count("grid", distinct=True))
    }
    b_cov = {
        r["c"]: r["n"]
        for r in current.filter(post=Post.BUILDING_LEAD)
        .order_by()
        .annotate(c=Substr("scope_code", 1, 12))
        .values("c")
        .annotate(n=Count("building", distinct=True))
    }
    codes = sorted(set(g_total) | set(b_total))
    names = {c: short_name(n) for c, n in OrgUnit.objects.filter(code__in=codes).values_list("code", "name")}
    per = []
    totals = defaultdict(int)
    for c in codes:
        row = {
            "code": c,
            "name": names.get(c, c),
            "grids": g_total.get(c, 0),
            "grids_covered": g_cov.get(c, 0),
            "buildings": b_total.get(c, 0),
            "buildings_covered": b_cov.get(c, 0),
        }
        row["grid_coverage"] = _ratio(row["grids_covered"], row["grids"])
        row["building_coverage"] = _ratio(row["buildings_covered"], row["buildings"])
        for k in ("grids", "grids_covered", "buildings", "buildings_covered"):
            totals[k] += row[k]
        per.append(row)
    totals = dict(totals)
    totals["grid_coverage"] = _ratio(totals.get("grids_covered", 0), totals.get("grids", 0))
    totals["building_coverage"] = _ratio(totals.get("buildings_covered", 0), totals.get("buildings", 0))
    return {"communities": per, "totals": totals}


def level_counts(user, within: str | None = None) -> list[dict]:
    """How many divisions of each level, grids, buildings and resident organisations in scope."""
    units = OrgUnit.objects.visible_to(user).within(within)
    by_level = dict(units.values_list("level").annotate(n=Count("id")))
    out = [
        {"label": str(label), "n": by_level[value], "icon": icon}
        for value, length, label, icon in [
            (Level.STREET, 9, _("街道"), "signpost-2"),
            (Level.COMMUNITY, 12, _("社区/村"), "houses"),
        ]
        # Only levels below the node looked at; a community worker has no streets to count.
        if by_level.get(value) and length > len(within or "")
    ]
    out.append(
        {"label": _("网格"), "n": Grid.objects.visible_to(user).within(within).count(), "icon": "grid-3x3"}
    )
    out.append(
        {
            "label": _("楼栋"),
            "n": Building.objects.visible_to(user).within(within).count(),
            "icon": "buildings",
        }
    )
    out.append(
        {
            "label": _("驻区单位"),
            "n": ResidentOrganization.objects.visible_to(user).within(within).count(),
            "icon": "briefcase",
        }
    )
    return out


def grid_features(user, within: str | None = None, limit: int = 2000) -> dict:
    """A GeoJSON FeatureCollection of the grids in scope, for the maps."""
    feats = []
    qs = Grid.objects.visible_to(user).within(within).filter(boundary__isnull=False)
    for g in qs.only("id", "code", "name", "grid_type", "boundary")[:limit]:
        feats.append(
            {
                "type": "Feature",
                "geometry": g.boundary,
                "properties": {
                    "id": g.pk,
                    "code": g.code,
                    "name": g.name,
                    "type": g.get_grid_type_display(),
                    "url": f"/org/grids/{g.pk}/",
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def _has_staff_scope(user) -> bool:
    return scope.scope_codes(user) != []  # None (everything) or some roots; residents have []


def counts_card(request, focus_code):
    if not _has_staff_scope(request.user):
        return None
    return {
        "template": "org/_counts_card.html",
        "context": {"counts": level_counts(request.user, focus_code)},
    }


def map_card(request, focus_code):
    if not _has_staff_scope(request.user):
        return None
    return {
        "template": "org/_map_card.html",
        "width": "col-lg-7",
        "context": {"features": grid_features(request.user, focus_code)},
    }


def coverage_card(request, focus_code):
    if not _has_staff_scope(request.user):
        return None
    return {
        "template": "org/_coverage_card.html",
        "width": "col-lg-5",
        "context": {"coverage": coverage(request.user, focus_code)},
    }
