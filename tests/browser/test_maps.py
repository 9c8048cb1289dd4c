"""The maps in a real browser (system Chromium, Playwright) against live_server.

User text reaches a map as text: markup filed through the public request form (the case's title)
and markup in a grid's name must not become elements on any page with a map, staff or public.

Every page visited must come without console errors (CSP violations included), uncaught script
errors or failed requests; see conftest.Tab."""

import pytest
from django.urls import reverse

from shequ.cases.models import Case
from shequ.core.testing.world import square
from shequ.org.models import Grid

from .conftest import DESKTOP, PHONE, sign_in
from .test_cases import CATEGORY, click_inside_grid

# A title and a grid name that would add elements with these ids if they reached innerHTML.
CASE_MARKUP = '<b id="xss-case">路灯</b><img id="xss-case-img" src="data:,">'
GRID_MARKUP = '<i id="xss-grid">网格</i>'
INJECTED_IDS = ["xss-case", "xss-case-img", "xss-grid"]


def injected(t) -> list[str]:
    return t.page.evaluate("ids => ids.filter(id => document.getElementById(id))", INJECTED_IDS)


def map_text(t, selector: str) -> str:
    """The text of a map's tooltips or popups, hidden ones too (a label that does not fit its grid
    is hidden, not removed)."""
    return t.page.evaluate(
        "sel => Array.from(document.querySelectorAll(sel)).map(e => e.textContent).join('\\n')", selector
    )


def assert_text_not_markup(t, selector: str, markup: str, where: str):
    assert not injected(t), f"{where}: user text became elements {injected(t)}"
    shown = map_text(t, selector)
    assert markup in shown, f"{where}: the map should show the text as typed, got {shown!r}"
    t.assert_clean(where)


@pytest.mark.browser
def test_markup_in_a_public_request_and_a_grid_name_stays_text_on_every_map(world, new_tab):
    # A grid of community a whose name is markup (a staff user typed it; it is still user text).
    Grid.objects.create(
        community=world.a, code=f"{world.a.code}002", name=GRID_MARKUP, boundary=square(114.3125, 30.35)
    )

    # The public form: the grid names are on its map; the markup goes in as the first line.
    resident = new_tab(PHONE)
    resident.goto(reverse("cases:report"))
    resident.page.wait_for_function(
        "() => document.querySelectorAll('#intake-map path.leaflet-interactive').length"
    )
    resident.page.hover(
        f"#intake-map path.leaflet-interactive >> nth={_feature_index(resident, 'intake-grids')}"
    )
    assert_text_not_markup(resident, "#intake-map .leaflet-tooltip", GRID_MARKUP, "report form")
    form = resident.page.locator("#report-form")
    form.locator("select[name=category]").select_option(CATEGORY)
    form.locator("textarea[name=description]").fill(
        CASE_MARKUP + "\n宁安小区3栋门口路灯坏了一个多星期，请尽快修复。"
    )
    click_inside_grid(resident, world.grid_a.code)
    resident.page.wait_for_function(
        "() => document.getElementById('map-status').classList.contains('text-success')"
    )
    form.locator("input[name=requester_name]").fill("李女士")
    form.locator("input[name=requester_phone]").fill("13907151234")
    with resident.page.expect_navigation():
        form.locator("button[type=submit]").click()
    resident.settle()
    case = Case.objects.get()
    assert case.title.startswith(CASE_MARKUP), case.title
    assert not injected(resident)
    resident.assert_clean("receipt")

    staff = new_tab(DESKTOP)
    sign_in(staff, world.users["street"], {})

    # The case page: the point's tooltip carries the title.
    staff.goto(reverse("cases:case-detail", args=[case.pk]))
    staff.page.hover("[data-map='case-point'] path.leaflet-interactive")
    staff.page.wait_for_selector("[data-map='case-point'] .leaflet-tooltip")
    assert_text_not_markup(staff, "[data-map='case-point'] .leaflet-tooltip", CASE_MARKUP, "case page")

    # The case map: the point's popup carries the title; the grid outlines their names.
    staff.goto(reverse("cases:map"))
    staff.page.wait_for_selector("#case-map path.sq-case-point")
    staff.page.click("#case-map path.sq-case-point")
    staff.page.wait_for_selector("#case-map .leaflet-popup-content")
    assert_text_not_markup(staff, "#case-map .leaflet-popup-content", CASE_MARKUP, "case map")
    assert not injected(staff)

    # The grid maps: the home page's card, the community page and a grid's page label the grids.
    for path in (
        reverse("core:home"),
        reverse("org:unit-detail", args=[world.a.code]),
        reverse("org:grid-detail", args=[world.grid_a.pk]),
    ):
        staff.goto(path)
        staff.page.wait_for_selector(".leaflet-container .leaflet-tooltip", state="attached")
        assert_text_not_markup(staff, ".leaflet-container .leaflet-tooltip", GRID_MARKUP, path)

    # The staff intake form's map picker: a grid's tooltip shows while the pointer is over it.
    staff.goto(reverse("cases:case-create"))
    staff.page.wait_for_function(
        "() => document.querySelectorAll('#intake-map path.leaflet-interactive').length"
    )
    staff.page.hover(f"#intake-map path.leaflet-interactive >> nth={_feature_index(staff, 'intake-grids')}")
    staff.page.wait_for_selector("#intake-map .leaflet-tooltip")
    assert_text_not_markup(staff, "#intake-map .leaflet-tooltip", GRID_MARKUP, "staff intake form")


def _feature_index(t, data_id: str) -> int:
    """The index of the markup-named grid among a map's drawn outlines (drawn in data order)."""
    i = t.page.evaluate(
        "([id, name]) => JSON.parse(document.getElementById(id).textContent).features"
        ".findIndex(f => (f.properties.name || '').includes(name))",
        [data_id, GRID_MARKUP],
    )
    assert i >= 0, f"the markup-named grid should be among the outlines of {data_id}"
    return i
