"""Grid boundaries: parse and check GeoJSON polygons, measure them, find the grid of a point."""

import json
import math

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import Point, mapping, shape
from shapely.prepared import prep
from shapely.validation import explain_validity

from shequ.core.errors import ValidationFailed

# Overlap with a sibling grid is tolerated up to this share of the smaller polygon (digitising slack).
OVERLAP_TOLERANCE = 0.01
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)  # lng/lat box; catches swapped coordinates


class BoundaryError(ValidationFailed):
    code = "invalid_boundary"


def _local_metres(geom):
    """Project lng/lat to metres around the polygon's centre (good to well under 1% at grid size)."""
    lat0 = geom.centroid.y
    scale = np.array([111_320.0 * math.cos(math.radians(lat0)), 110_540.0])
    return shapely.transform(geom, lambda coords: coords * scale)


def area_m2(geom) -> float:
    return _local_metres(geom).area


def parse_polygon(data):
    """Accept a GeoJSON Polygon geometry, or a Feature / one-feature FeatureCollection holding one."""
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise BoundaryError(_("文件不是有效的 GeoJSON（JSON 格式错误）。")) from None
    if not isinstance(data, dict):
        raise BoundaryError(_("GeoJSON 内容应为一个对象。"))
    if data.get("type") == "FeatureCollection":
        feats = data.get("features") or []
        if len(feats) != 1:
            raise BoundaryError(
                _("文件含 %(n)d 个要素；为单个网格导入边界时应只含 1 个面。") % {"n": len(feats)}
            )
        data = feats[0]
    if data.get("type") == "Feature":
        data = data.get("geometry") or {}
    gtype = data.get("type")
    if gtype != "Polygon":
        raise BoundaryError(
            _("网格边界必须是面（Polygon），而文件中是 %(t)s。") % {"t": gtype or _("未知类型")}
        )
    try:
        geom = shape(data)
    except Exception:
        raise BoundaryError(_("面的坐标不完整：每个环至少 4 个点，且首尾相同。")) from None
    if geom.is_empty:
        raise BoundaryError(_("面是空的。"))
    minx, miny, maxx, maxy = geom.bounds
    bx0, by0, bx1, by1 = CHINA_BOUNDS
    if not (bx0 <= minx and maxx <= bx1 and by0 <= miny and maxy <= by1):
        raise BoundaryError(_("坐标不在中国范围内：请确认按“经度, 纬度”（WGS84）的顺序填写。"))
    if not geom.is_valid:
        reason = explain_validity(geom)
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            raise BoundaryError(_("边界自相交（%(r)s），请修改后重试。") % {"r": reason})
        raise BoundaryError(_("边界不是有效的面：%(r)s。") % {"r": reason})
    if area_m2(geom) < 1.0:
        raise BoundaryError(_("面积过小（小于 1 平方米），请检查坐标。"))
    return geom


def check_overlaps(geom, siblings) -> None:
    """Reject a boundary that overlaps another grid of the same community beyond the tolerance.
    `siblings` yields (name, geojson)."""
    for name, other_json in siblings:
        if not other_json:
            continue
        other = shape(other_json)
        if not geom.intersects(other):
            continue
        inter = area_m2(geom.intersection(other))
        smaller = min(area_m2(geom), area_m2(other))
        if smaller and inter / smaller > OVERLAP_TOLERANCE:
            raise BoundaryError(
                _(
                    "与本社区网格“%(name)s”重叠约 %(area)s 平方米（占较小者的 %(share)s），超过允许的 %(limit)s；请调整边界。"
                )
                % {
                    "name": name,
                    "area": f"{inter:,.0f}",
                    "share": f"{inter / smaller:.0%}",
                    "limit": f"{OVERLAP_TOLERANCE:.0%}",
                }
            )


def to_geojson(geom) -> dict:
    """GeoJSON geometry with plain lists (as it will read back from the database)."""
    return json.loads(json.dumps(mapping(geom)))


_PREPARED: dict = {}  # (grid id, updated_at) → prepared polygon; parsed once per process
_PREPARED_MAX = 5000


def _prepared(g):
    key = (g.pk, getattr(g, "updated_at", None))
    poly = _PREPARED.get(key) if key[0] is not None and key[1] is not None else None
    if poly is None:
        poly = prep(shape(g.boundary))
        if key[0] is not None and key[1] is not None:
            if len(_PREPARED) >= _PREPARED_MAX:
                _PREPARED.clear()
            _PREPARED[key] = poly
    return poly


def locate(grids, lng: float, lat: float):
    """Return the first grid whose boundary contains the point; `grids` yields objects with .boundary."""
    p = Point(lng, lat)
    for g in grids:
        if g.boundary and _prepared(g).covers(p):
            return g
    return None
