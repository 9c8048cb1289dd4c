"""The base layer of maps without tiles (org.basemap): the platform's own grids, buildings and
names, by box and zoom, within the user's scope."""

from django.test import Client
from django.urls import reverse

from shequ.org.models import Building

URL = reverse("org:basemap")
BOTH = "114.30,30.34,114.34,30.36"  # the world's two grids lie side by side in this box


def _get(client, **params):
    resp = client.get(URL, params)
    assert resp.status_code == 200
    return resp.json()["features"]


def _kinds(feats) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in feats:
        out.setdefault(f["properties"]["kind"], []).append(f["properties"]["name"])
    return {k: sorted(v) for k, v in out.items()}


def _buildings(world):
    for side in "ab":
        g = world.grid(side)
        for i, number in enumerate(("3栋", "10栋")):
            Building.objects.create(
                grid=g,
                compound="纸坊大街" if side == "a" else "郭岭小区",
                number=number,
                lat=g.center_lat + i * 0.0003,
                lng=g.center_lng,
            )
    Building.objects.create(grid=world.grid_a, compound="宁安小区", number="1栋")  # no position: not drawn


def test_what_is_drawn_follows_the_zoom(world):
    _buildings(world)
    c = world.client(world.users["street"])
    far = _kinds(_get(c, bbox=BOTH, zoom=13))
    assert far == {
        "grid": ["宁安第一网格", "郭岭第一网格"],
        "community": ["宁安社区", "郭岭社区"],
        "street": ["纸坊街道"],
    }
    mid = _kinds(_get(c, bbox=BOTH, zoom=16))
    assert mid["compound"] == ["纸坊大街", "郭岭小区"] and "street" not in mid and "community" not in mid
    assert mid["building"] == ["", "", "", ""], "points only: the numbers come closer in"
    near = _kinds(_get(c, bbox=BOTH, zoom=18))
    assert near["building"] == ["10栋", "10栋", "3栋", "3栋"]
    grid = next(f for f in _get(c, bbox=BOTH, zoom=18) if f["properties"]["kind"] == "grid")
    assert grid["geometry"]["type"] == "Polygon" and len(grid["properties"]["center"]) == 2


def test_the_box_limits_what_is_sent(world):
    _buildings(world)
    c = world.client(world.users["street"])
    only_a = "114.305,30.345,114.315,30.355"
    feats = _kinds(_get(c, bbox=only_a, zoom=17))
    assert feats["grid"] == ["宁安第一网格"] and feats["compound"] == ["纸坊大街"]
    assert "郭岭社区" not in str(feats)
    assert _get(c, bbox="not,a,box", zoom=17), "a malformed box means the whole scope"


def test_only_the_users_scope(world):
    _buildings(world)
    client = world.client(world.users["community_worker"])
    worker = _kinds(_get(client, bbox=BOTH, zoom=17))
    assert worker["grid"] == ["宁安第一网格"] and "community" not in worker, "close in: no community name"
    assert "郭岭小区" not in worker["compound"] and len(worker["building"]) == 2
    assert _kinds(_get(client, bbox=BOTH, zoom=14))["community"] == ["宁安社区"]
    # A resident reads no grid: refused, as on every page that lists grids (not an empty map).
    assert world.client(world.users["resident"]).get(URL, {"bbox": BOTH, "zoom": 17}).status_code == 403
    assert Client().get(URL).status_code == 302
