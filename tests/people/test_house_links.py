"""A house page is reached from the house list (each row links to its house, not to its building)
and from its building's page (each room number links to its house)."""

import re

from django.urls import reverse

from tests.people.factories import make_house


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_house_list_rows_link_to_the_house_page(world):
    house = make_house(world, "a")
    page = world.client(world.users["community_worker"]).get(reverse("people:house-list")).content.decode()
    assert house.address in page
    links = _links(page)
    assert reverse("people:house-detail", args=[house.pk]) in links
    assert reverse("org:building-detail", args=[house.unit.building_id]) not in links


def test_building_page_links_each_room_to_its_house_page(world):
    house = make_house(world, "a")
    client = world.client(world.users["community_worker"])
    page = client.get(reverse("org:building-detail", args=[house.unit.building_id])).content.decode()
    target = reverse("people:house-detail", args=[house.pk])
    assert target in _links(page)
    assert re.search(rf'<a [^>]*href="{re.escape(target)}"[^>]*>\s*{re.escape(house.number)}\s*</a>', page)
    assert client.get(target).status_code == 200


def test_house_get_absolute_url_is_the_house_page(world):
    house = make_house(world, "a")
    assert house.get_absolute_url() == reverse("people:house-detail", args=[house.pk])
