"""The registration form takes its house from the house picker: the page no longer carries every
address of the community, and an administrator of several communities registers into any of them
(the community follows the house picked)."""

from django.urls import reverse

from shequ.org.models import Building, BuildingUnit, House
from shequ.people.models import Resident
from tests.people.conftest import id_number

URL = reverse("people:resident-create")


def _many_houses(grid, n):
    b = Building.objects.create(grid=grid, compound="宁安小区", number="9栋")
    u = BuildingUnit.objects.create(building=b, number="1单元")
    House.objects.bulk_create(
        [
            House(unit=u, number=str(100 + i), scope_code=grid.code, address=f"宁安小区9栋1单元{100 + i}室")
            for i in range(n)
        ]
    )
    return list(House.objects.filter(unit=u).order_by("pk"))


def _post(client, house, doc):
    return client.post(
        URL,
        {
            "kind": "register",
            "house": house.pk,
            "name": "新登记",
            "doc_type": "id_card",
            "doc_number": doc,
            "residence_type": "registered",
        },
    )


def test_the_form_carries_no_list_of_houses(world):
    houses = _many_houses(world.grid_a, 600)
    page = world.client(world.users["community_worker"]).get(URL)
    body = page.content.decode()
    assert page.status_code == 200
    assert not any(h.address in body for h in houses[:50]), "addresses are looked up, not listed"
    assert len(page.content) < 40_000, f"{len(page.content)} bytes"
    assert "data-picker" in body and 'name="house"' in body
    # Opened from a house page, the house comes chosen.
    chosen = world.client(world.users["community_worker"]).get(URL, {"house": houses[3].pk}).content.decode()
    assert f'value="{houses[3].pk}"' in chosen


def test_a_street_administrator_registers_into_any_of_its_communities(world):
    b_house = _many_houses(world.grid_b, 1)[0]
    client = world.client(world.users["street"])
    resp = _post(client, b_house, id_number(birth="19800202", seq="611"))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    r = Resident.objects.get(name="新登记")
    assert r.house_id == b_house.pk and r.community_id == world.b.pk


def test_a_house_outside_the_scope_is_refused(world):
    b_house = _many_houses(world.grid_b, 1)[0]
    resp = _post(
        world.client(world.users["community_worker"]), b_house, id_number(birth="19800202", seq="612")
    )
    assert resp.status_code in (400, 404)
    assert not Resident.objects.exists()


def test_the_move_in_form_picks_a_house_of_the_residents_community(world):
    from tests.people.factories import make_resident

    houses = _many_houses(world.grid_a, 300)
    r = make_resident(world, "a")
    page = world.client(world.users["street"]).get(reverse("people:resident-event", args=[r.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert not any(h.address in body for h in houses[:50])
    assert f"within={world.a.code}" in body, "the picker stays in the resident's community"
