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


# --- the base layer of maps without tiles ------------------------------------------------------------
def _located_buildings(world):
    from shequ.org.models import Building

    for side in "ab":
        g = world.grid(side)
        compound = "纸坊大街" if side == "a" else "郭岭小区"
        for i in range(3):
            Building.objects.create(
                grid=g,
                compound=compound,
                number=f"{i + 1}栋",
                lat=g.center_lat + i * 0.0002,
                lng=g.center_lng,
            )


def wait_for_base(t, map_selector: str) -> list[str]:
    """Wait until the map's vector base is drawn; its label texts by kind ("compound: 纸坊大街")."""
    t.page.wait_for_selector(f"{map_selector}[data-basemap-drawn]", state="attached")
    return t.page.evaluate(
        """sel => Array.from(document.querySelectorAll(sel + ' .sq-base-label')).map(
             e => e.className.match(/sq-base-(street|community|compound|grid|building)/)[1] + ': ' + e.textContent)""",
        map_selector,
    )


@pytest.mark.browser
def test_maps_without_tiles_draw_the_platforms_own_data(world, new_tab, settings):
    from shequ.cases.models import Case
    from tests.cases.factories import make_case

    from .conftest import shoot

    settings.MAP_TILE_URL = ""
    _located_buildings(world)
    case = make_case(world, "a")
    assert Case.objects.filter(pk=case.pk, lat__isnull=False).exists()

    # A community worker's case map: the grid, its compound and buildings under the case points.
    staff = new_tab(DESKTOP)
    sign_in(staff, world.users["community_worker"], {})
    staff.goto(reverse("cases:map"))
    staff.page.wait_for_selector("#case-map path.sq-case-point")
    labels = wait_for_base(staff, "#case-map")
    assert "compound: 纸坊大街" in labels, labels
    assert not any("郭岭" in x for x in labels), f"another community's data on the map: {labels}"
    assert staff.page.locator("#case-map .leaflet-sq-base-pane canvas").count() == 1
    shoot(staff, "maps-case-map-no-tiles-desktop")
    staff.assert_clean("case map")

    # The case page: close in, the buildings are named.
    staff.goto(reverse("cases:case-detail", args=[case.pk]))
    labels = wait_for_base(staff, "[data-map='case-point']")
    assert {"building: 1栋", "building: 2栋"} <= set(labels), labels
    staff.assert_clean("case page")

    # The grid worker's patrol form on a phone: the base shows where the buildings are; a tap on the
    # map still places the point (the base never takes the click).
    worker = new_tab(PHONE)
    sign_in(worker, world.users["grid_worker"], {})
    worker.goto(reverse("cases:patrol"))
    labels = wait_for_base(worker, "#intake-map")
    assert "compound: 纸坊大街" in labels, labels
    click_inside_grid(worker, world.grid_a.code)
    worker.page.wait_for_function(
        "() => document.getElementById('map-status').classList.contains('text-success')"
    )
    assert worker.page.locator("#intake-map .leaflet-marker-icon").count() == 1
    worker.assert_clean("patrol form")

    # The public form: grid outlines and names only, nothing from the base layer endpoint.
    asked: list[str] = []
    public = new_tab(PHONE)
    public.page.on("request", lambda r: asked.append(r.url))
    public.goto(reverse("cases:report"))
    public.page.wait_for_function(
        "() => document.querySelectorAll('#intake-map path.leaflet-interactive').length"
    )
    public.page.locator("#intake-map").scroll_into_view_if_needed()
    assert public.page.locator("#intake-map[data-basemap]").count() == 0
    assert not [u for u in asked if reverse("org:basemap") in u]
    names = public.page.locator("#intake-map .grid-label").all_inner_texts()
    assert sorted(n.strip() for n in names) == ["宁安社区", "郭岭社区"], names
    assert "纸坊大街" not in public.page.inner_text("#intake-map")
    public.screenshot("maps-report-no-tiles-phone", full_page=False)
    public.assert_clean("report form")
