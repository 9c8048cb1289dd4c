"""Houses in a real browser (system Chromium, Playwright) against live_server, with the demo data:
the house picker of the registration form (社区 → 楼栋 → 单元 → 房屋, by typing) on a desktop
for a street administrator and on a phone for a grid worker, and a house page reached from the
house list. Screenshots land in test-artifacts/screenshots/houses-*.png.

Every page visited must come without console errors (CSP violations included), uncaught script
errors or failed requests; see conftest.Tab."""

import re

import pytest
from django.db.models import Count
from django.urls import reverse

from shequ.org import demo as org_demo
from shequ.org.models import BuildingUnit, House
from shequ.people.models import Resident
from tests.people.conftest import id_number

from .conftest import DESKTOP, PHONE, shoot

GUOLING = "420115001002"  # 郭岭社区: not the street administrator's first community
FIRST_GRID = "420115001001001"  # 宁安社区第一网格, grid_ningan's grid
PICKER = "#id_house-picker"


def option(t, text: str):
    """The picker's option that reads `text` (a community's also shows its street, after a space)."""
    return t.page.locator(f"{PICKER} [data-picker-option]").filter(
        has_text=re.compile(rf"^\s*{re.escape(text)}(\s|$)")
    )


def typed_into_picker(t, text: str):
    """Type into the search box and wait until the options listed are the search's answer."""
    t.page.fill("#id_house-q", text)
    t.page.wait_for_function(
        """([sel, text]) => {
          const opts = Array.from(document.querySelectorAll(sel + ' [data-picker-option]'));
          return opts.length > 0 && opts.every(o => o.textContent.includes(text));
        }""",
        arg=[PICKER, text],
    )


def choose(t, text: str, typed: str | None = None):
    """Pick an option (after typing, if given); the picker is replaced by the next level's."""
    if typed is not None:
        typed_into_picker(t, typed)
    opt = option(t, text)
    opt.first.wait_for()
    handle = opt.first.element_handle()
    handle.click()
    handle.wait_for_element_state("hidden")  # swapped out with the whole picker
    t.page.wait_for_selector(f"{PICKER}:not(.htmx-request) #id_house-q, {PICKER} [data-picker-chosen]")


def path_labels(t) -> list[str]:
    return [s.strip() for s in t.page.locator(f"{PICKER} .sq-picker-path button").all_inner_texts()]


def no_sideways_scroll(t, where: str):
    width = t.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where} scrolls sideways on a phone ({width}px)"


def _house_in(code: str) -> House:
    """A house of `code` in a unit with several houses and a building with several units."""
    unit = (
        BuildingUnit.objects.filter(scope_code__startswith=code)
        .annotate(n=Count("houses"))
        .filter(n__gt=2)
        .select_related("building")
        .order_by("pk")
    )
    unit = next(u for u in unit if u.building.units.count() > 1)
    return unit.houses.order_by("pk")[1]


@pytest.mark.browser
def test_house_picker_on_desktop_and_phone(demo_data, new_tab):
    house = _house_in(GUOLING)
    building, unit = house.unit.building, house.unit

    t = new_tab(DESKTOP)
    t.login("street", org_demo.DEMO_PASSWORD)
    t.pass_totp(org_demo.DEMO_TOTP["street"])
    t.goto(reverse("people:resident-create"))
    t.page.wait_for_selector("#id_house-q")
    assert t.page.locator("select[name=house]").count() == 0, "no drop-down of every house"
    names = [s.strip() for s in t.page.locator(f"{PICKER} [data-picker-option]").all_inner_texts()]
    assert [n.split()[0] for n in names] == ["宁安社区", "郭岭社区", "幸福社区", "文苑社区"]
    shoot(t, "houses-picker-communities-desktop")
    choose(t, "郭岭社区")
    assert path_labels(t) == ["郭岭社区"]
    choose(t, building.address, typed=building.number)
    shoot(t, "houses-picker-units-desktop")
    choose(t, unit.number)
    assert path_labels(t) == ["郭岭社区", building.address, unit.number]
    choose(t, house.number, typed=house.number)
    assert t.page.inner_text(f"{PICKER} [data-picker-chosen]").strip() == house.address
    assert t.page.input_value("input[name=house]") == str(house.pk)
    shoot(t, "houses-picker-chosen-desktop")
    t.assert_clean("registration form (desktop)")

    form = t.page.locator("#main-form")
    form.locator("input[name=name]").fill("郭新民")
    form.locator("input[name=doc_number]").fill(id_number(birth="19790309", seq="731"))
    with t.page.expect_navigation():
        form.locator("button[type=submit]").click()
    t.settle()
    r = Resident.objects.get(name="郭新民")
    assert r.house_id == house.pk and r.community.code == GUOLING, "the community follows the house"
    assert t.path() == reverse("people:resident-detail", args=[r.pk])
    t.assert_clean("resident registered")

    # A grid worker on a phone: one community (chosen at once), a whole address typed, Enter.
    target = House.objects.filter(scope_code=FIRST_GRID).select_related("unit__building").order_by("pk")[5]
    p = new_tab(PHONE)
    p.login("grid_ningan", org_demo.DEMO_PASSWORD)
    p.goto(reverse("people:resident-create"))
    p.page.wait_for_selector("#id_house-q")
    assert path_labels(p) == ["宁安社区"]
    shoot(p, "houses-picker-buildings-phone")
    no_sideways_scroll(p, "the registration form")
    typed_into_picker(p, target.address.removesuffix("室"))
    assert p.page.locator(f"{PICKER} [data-picker-option]").all_inner_texts() == [target.address]
    shoot(p, "houses-picker-search-phone")
    p.page.press("#id_house-q", "Enter")  # chooses the one match; the form is not sent
    p.page.wait_for_selector(f"{PICKER} [data-picker-chosen]")
    assert p.path() == reverse("people:resident-create")
    assert p.page.inner_text(f"{PICKER} [data-picker-chosen]").strip() == target.address
    shoot(p, "houses-picker-chosen-phone")
    no_sideways_scroll(p, "the registration form with a house chosen")
    # 更换 goes back to the houses of the same unit.
    p.page.click(f"{PICKER} button:has-text('更换')")
    option(p, target.number).first.wait_for()
    assert path_labels(p)[-1] == target.unit.number
    p.assert_clean("registration form (phone)")


@pytest.mark.browser
def test_house_page_reached_from_the_house_list(demo_data, new_tab):
    t = new_tab(DESKTOP)
    t.login("worker_ningan", org_demo.DEMO_PASSWORD)
    t.goto(reverse("people:house-list"))
    first = t.page.locator("#list-table tbody tr a").first
    address = first.inner_text().strip()
    with t.page.expect_navigation():
        first.click()
    t.settle()
    house = House.objects.get(address=address, scope_code__startswith="420115001001")
    assert t.path() == reverse("people:house-detail", args=[house.pk])
    assert address in t.page.inner_text("main h1")
    shoot(t, "houses-house-page-from-list-desktop")
    t.assert_clean("house page")
    # Its building's page links each room back to the house pages.
    t.goto(reverse("org:building-detail", args=[house.unit.building_id]))
    room = t.page.locator(f"main a[href='{reverse('people:house-detail', args=[house.pk])}']")
    assert room.inner_text().strip() == house.number
    t.assert_clean("building page")
