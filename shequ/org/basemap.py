"""The ground of a map when no tile server is configured: the platform's own data, drawn by the
pages' maps (shequ.js) so that a grid worker can still find a place and put a point on it.

What a box of the map shows depends on the zoom, as on a tiled map: street (街道) names when the
whole street is in view, community names, grid outlines, compound and road names (小区, 纸坊大街:
the `compound` of the buildings) and, close up, the buildings themselves with their numbers.
Everything starts from visible_to(user); the public request form is not served from here (it shows
grid outlines and names only)."""

from django.db.models import Avg, Count, Max, Min

from shequ.org.models import Building, Grid, OrgUnit

GRID_CAP = 2000
BUILDING_CAP = 3000
LABEL_CAP = 1000
# Zoom levels (Leaflet's, 0–19) from which, or up to which, each kind of feature is drawn.
STREETS_UP_TO = 14
COMMUNITIES = (12, 14)  # closer in, the grid and compound names say where one is
COMPOUNDS_FROM = 15
BUILDINGS_FROM = 16
BUILDING_NAMES_FROM = 17


def parse_box(raw: str | None):
    """'west,south,east,north' (Leaflet's toBBoxString) → a tuple, or None if absent or malformed."""
    try:
        west, south, east, north = (float(x) for x in (raw or "").split(","))
    except ValueError:
        return None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return west, south, east, north


def parse_zoom(raw: str | None, default: int = 14) -> int:
    try:
        return max(0, min(22, int(raw)))
    except (TypeError, ValueError):
        return default


def _point(lat, lng, kind, name="") -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
        "properties": {"kind": kind, "name": name},
    }


def _inside(box, lat, lng) -> bool:
    return box is None or (box[0] <= lng <= box[2] and box[1] <= lat <= box[3])


def features(user, box=None, zoom: int = 14) -> dict:
    """A GeoJSON FeatureCollection of the base layer in `box` at `zoom`, within the user's scope.
    Each feature's `properties.kind` is grid, street, community, compound or building."""
    feats: list[dict] = []
    grids = Grid.objects.visible_to(user).filter(bbox_min_lng__isnull=False)
    in_box = grids
    if box:
        west, south, east, north = box
        in_box = grids.filter(
            bbox_max_lng__gte=west, bbox_min_lng__lte=east, bbox_max_lat__gte=south, bbox_min_lat__lte=north
        )
    for g in in_box.only("code", "name", "boundary", "center_lat", "center_lng").order_by("code")[:GRID_CAP]:
        center = [round(g.center_lat, 6), round(g.center_lng, 6)] if g.center_lat is not None else None
        feats.append(
            {
                "type": "Feature",
                "geometry": g.boundary,
                "properties": {"kind": "grid", "name": g.name, "center": center},
            }
        )

    # Community and street names in the middle of their grids (all of them, not only those in view).
    spans = list(
        grids.values("community_id")
        .annotate(w=Min("bbox_min_lng"), s=Min("bbox_min_lat"), e=Max("bbox_max_lng"), n=Max("bbox_max_lat"))
        .order_by("community_id")[:LABEL_CAP]
    )
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[r["community_id"] for r in spans])}
    streets: dict[str, list] = {}
    for r in spans:
        c = units.get(r["community_id"])
        if c is None:
            continue
        lat, lng = (r["s"] + r["n"]) / 2, (r["w"] + r["e"]) / 2
        if COMMUNITIES[0] <= zoom <= COMMUNITIES[1] and _inside(box, lat, lng):
            feats.append(_point(lat, lng, "community", c.display_name))
        s = streets.setdefault(c.code[:9], [r["w"], r["s"], r["e"], r["n"]])
        s[:] = [min(s[0], r["w"]), min(s[1], r["s"]), max(s[2], r["e"]), max(s[3], r["n"])]
    if zoom <= STREETS_UP_TO:
        names = dict(OrgUnit.objects.filter(code__in=list(streets)).values_list("code", "name"))
        for code, (w, s, e, n) in streets.items():
            lat, lng = (s + n) / 2, (w + e) / 2
            if code in names and _inside(box, lat, lng):
                feats.append(_point(lat, lng, "street", OrgUnit(name=names[code]).display_name))

    if zoom >= COMPOUNDS_FROM:
        located = Building.objects.visible_to(user).filter(lat__isnull=False, lng__isnull=False)
        if box:
            located = located.filter(lng__gte=box[0], lng__lte=box[2], lat__gte=box[1], lat__lte=box[3])
        # A compound (or a road the buildings are numbered along) named once, in the middle of its buildings.
        for r in (
            located.exclude(compound="")
            .values("compound", "grid__community_id")
            .annotate(lat=Avg("lat"), lng=Avg("lng"), n=Count("id"))
            .order_by("-n")[:LABEL_CAP]
        ):
            feats.append(_point(r["lat"], r["lng"], "compound", r["compound"]))
        if zoom >= BUILDINGS_FROM:
            named = zoom >= BUILDING_NAMES_FROM
            for lat, lng, number in located.order_by("scope_code", "id").values_list("lat", "lng", "number")[
                :BUILDING_CAP
            ]:
                feats.append(_point(lat, lng, "building", number if named else ""))
    return {"type": "FeatureCollection", "features": feats}
