"""The cascade picker (core.picker) with the house cascade of org: levels narrow 社区 → 楼栋 → 单元 →
房屋, typing searches, results are capped, and nothing outside the user's scope is listed,
accepted or named."""

import re

import pytest
from django.urls import reverse

from shequ.core.picker import CascadeWidget
from shequ.org.models import Building, BuildingUnit, House
from shequ.org.pickers import natural

URL = reverse("core:picker", args=["house"])


def _house(grid, compound, building, unit, number, floor=None):
    b, _ = Building.objects.get_or_create(grid=grid, compound=compound, number=building)
    u, _ = BuildingUnit.objects.get_or_create(building=b, number=unit)
    return House.objects.create(unit=u, number=number, floor=floor)


def _get(client, **params):
    return client.get(URL, {"field": "house", "id": "id_house", **params})


def _json(client, **params):
    resp = _get(client, format="json", **params)
    assert resp.status_code == 200, resp.content
    return resp.json()


@pytest.fixture
def houses(world):
    a1 = _house(world.grid_a, "宁安小区", "3栋", "1单元", "301", 3)
    a2 = _house(world.grid_a, "宁安小区", "3栋", "1单元", "1201", 12)
    a3 = _house(world.grid_a, "宁安小区", "10栋", "2单元", "101", 1)
    b1 = _house(world.grid_b, "郭岭小区", "3栋", "1单元", "301", 3)
    return {"a1": a1, "a2": a2, "a3": a3, "b1": b1}


def test_natural_order_reads_numbers():
    assert sorted(["10栋", "2栋", "1栋"], key=natural) == ["1栋", "2栋", "10栋"]
    assert sorted(["1201", "301", "A座"], key=natural) == ["301", "1201", "A座"]


def test_levels_narrow_to_a_house_for_a_community_worker(world, houses):
    c = world.client(world.users["community_worker"])
    first = _json(c)
    # One community in scope: chosen at once; the buildings are listed in number order.
    assert [s["label"] for s in first["path"]] == ["宁安社区"] and first["level"] == "building"
    assert [o["label"] for o in first["options"]] == ["宁安小区3栋", "宁安小区10栋"]
    b3 = first["options"][0]["value"]
    # A building with one unit: the unit is chosen at once; the houses follow, by floor.
    second = _json(c, path=f"{world.a.code},{b3}")
    assert second["level"] == "house" and [s["label"] for s in second["path"]][-1] == "1单元"
    assert [o["label"] for o in second["options"]] == ["301", "1201"]
    unit = second["path"][-1]["value"]
    chosen = _json(c, path=f"{world.a.code},{b3},{unit},{houses['a2'].pk}")
    assert chosen["chosen"] == {"value": str(houses["a2"].pk), "label": houses["a2"].address}
    # Typing narrows a level; a whole address is found from any level.
    assert [o["label"] for o in _json(c, path=world.a.code, q="10")["options"]] == ["宁安小区10栋"]
    found = _json(c, q="3栋1单元12")
    assert [m["label"] for m in found["matches"]] == [houses["a2"].address]
    # The HTML form of the same state: buttons that load the next level into the picker.
    html = _get(c, path=world.a.code).content.decode()
    assert 'name="house"' in html and 'id="id_house-q"' in html and "宁安小区10栋" in html
    assert re.search(r'hx-get="[^"]*path=420115001001%2C\d+"', html)


def test_a_street_user_picks_among_communities(world, houses):
    c = world.client(world.users["street"])
    first = _json(c)
    assert first["level"] == "community" and first["path"] == []
    assert [o["label"] for o in first["options"]] == ["宁安社区", "郭岭社区"]
    assert [o["label"] for o in _json(c, q="郭岭")["options"]] == ["郭岭社区"]
    # `within` narrows to one community (a move-in stays in the resident's community).
    narrowed = _json(c, within=world.b.code)  # one building with one unit there: down to its houses
    assert [s["label"] for s in narrowed["path"]] == ["郭岭社区", "郭岭小区3栋", "1单元"]
    assert [o["label"] for o in narrowed["options"]] == ["301"]
    assert [m["label"] for m in _json(c, within=world.b.code, q="301")["matches"]] == [houses["b1"].address]


def test_nothing_outside_the_scope_is_listed_accepted_or_named(world, houses):
    c = world.client(world.users["community_worker"])
    b_house = houses["b1"]
    b_building, b_unit = b_house.unit.building, b_house.unit
    assert b_house.address not in _get(c, q="301").content.decode()
    assert _get(c, path=world.b.code).status_code == 404
    assert _get(c, path=f"{world.a.code},{b_building.pk}").status_code == 404
    a_building = houses["a1"].unit.building
    assert _get(c, path=f"{world.a.code},{a_building.pk},{b_unit.pk}").status_code == 404
    a_unit = houses["a1"].unit
    assert _get(c, path=f"{world.a.code},{a_building.pk},{a_unit.pk},{b_house.pk}").status_code == 404
    # A value outside the scope (a stale or forged form) starts the picker afresh without its address.
    fresh = _get(c, value=b_house.pk).content.decode()
    assert b_house.address not in fresh and 'value=""' in fresh
    # The grid worker of grid a sees grid a's houses only.
    g = world.client(world.users["grid_worker"])
    assert [s["label"] for s in _json(g)["path"]] == ["宁安社区"]
    # Signed out: the sign-in page, no data.
    from django.test import Client

    assert Client().get(URL).status_code == 302


def test_results_are_capped(world):
    for n in range(45):
        _house(world.grid_a, "宁安小区", f"{n + 1}栋", "1单元", "101")
    c = world.client(world.users["community_worker"])
    first = _json(c)
    assert len(first["options"]) == 40 and first["more"] is True
    assert first["options"][-1]["label"] == "宁安小区40栋"
    assert "只列出了一部分" in _get(c).content.decode()


def test_echoed_names_are_checked_and_the_widget_points_at_the_lookup(world, houses):
    c = world.client(world.users["community_worker"])
    html = c.get(URL, {"field": '"><b id=x>', "id": "id_house"}).content.decode()
    assert "<b id=x>" not in html and 'name="value"' in html
    assert _get(c, path="1,2,3,4,5,6,7").status_code == 404
    assert c.get(reverse("core:picker", args=["nothing"])).status_code == 404
    widget = CascadeWidget("house", within=world.a.code)
    out = widget.render("house", houses["a1"].pk, attrs={"id": "id_house"})
    assert 'name="house"' in out and f'value="{houses["a1"].pk}"' in out and 'hx-trigger="load"' in out
    assert f"{URL}?field=house&amp;id=id_house&amp;within={world.a.code}&amp;value={houses['a1'].pk}" in out
