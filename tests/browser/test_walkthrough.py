"""Walk-throughs in a real browser (system Chromium, Playwright) against live_server.

Every page visited must come without console errors (CSP violations included), uncaught script
errors or failed requests; see conftest.Tab."""

import time

import pyotp
import pytest
from django.urls import reverse

from shequ.core.testing.world import PASSWORD
from shequ.org import demo
from shequ.org.models import Grid

from .conftest import DESKTOP, PHONE

TOTP_FORM = "form:has(input[name=code])"


def unit_url(code: str) -> str:
    return reverse("org:unit-detail", args=[code])


def grid_url(grid) -> str:
    return reverse("org:grid-detail", args=[grid.pk])


def wrong_code(secret: str) -> str:
    """Six digits that the server cannot accept now (it allows one step of drift either side)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    near = {totp.at(now + k * totp.interval) for k in range(-2, 3)}
    return next(c for c in ("000000", "123456", "654321", "111111", "999999") if c not in near)


def expand(t, code: str):
    """Click the caret of the tree node for `code` (htmx loads its children)."""
    t.page.locator(f"#tree-body li:has(> a[href='{unit_url(code)}']) > button[hx-get]").click()
    t.settle()


def polygons(t, map_selector: str):
    return t.page.locator(f"{map_selector} path.leaflet-interactive")


@pytest.mark.browser
def test_community_worker_walks_tree_to_own_grid_map_and_cannot_reach_neighbours(world, tab):
    t = tab
    t.goto("/")  # not signed in: the login page
    assert t.path() == "/login/?next=/"
    t.assert_clean("login page")
    response = t.login(world.users["community_worker"].username, PASSWORD)
    assert response.status == 200
    assert t.path() == "/", "a community worker needs no second factor"
    assert "我的管辖范围" in t.page.inner_text("main h1")
    assert polygons(t, "[data-map=overview]").count() == 1  # their one grid, not the neighbour's
    assert "郭岭" not in t.page.inner_text("body")
    t.assert_clean("home")

    # The org tree: the worker's community is the root and opens by itself, showing its grid.
    group = t.page.locator("#sq-nav details:has(a[href='/org/'])")
    assert group.get_attribute("open") is None, "on the home page the modules' groups are folded"
    group.locator("summary").click()
    t.page.locator("#sq-nav a[href='/org/']").click()
    t.settle()
    assert t.path() == "/org/"
    tree = t.page.locator("#tree-body")
    tree.locator("a", has_text="宁安第一网格").wait_for()
    assert tree.locator("a", has_text="宁安社区").count() == 1
    assert "郭岭" not in tree.inner_text()
    t.assert_clean("org tree")

    # The search box: out of scope finds nothing, in scope finds the grid, clearing brings the tree back.
    box = t.page.locator("input[name=q]")
    box.fill("郭岭")
    tree.get_by_text("没有找到").wait_for()
    assert "郭岭第一网格" not in tree.inner_text()
    box.fill("第一网格")
    tree.locator("a", has_text="宁安第一网格").wait_for()
    assert tree.locator("a").count() == 1
    box.fill("")
    tree.locator("> ul > li > a", has_text="宁安社区").wait_for()
    tree.locator("a", has_text="宁安第一网格").wait_for()
    assert t.page.locator("nav.sq-navbar").count() == 1, "the cleared search must not nest a whole page"
    t.assert_clean("org tree search")

    # The grid page: Leaflet draws the boundary polygon.
    with t.page.expect_navigation():
        tree.locator("a", has_text="宁安第一网格").click()
    t.settle()
    assert t.path() == grid_url(world.grid_a)
    assert "宁安第一网格" in t.page.inner_text("main h1")
    grid_map = t.page.locator("#grid-map")
    assert "leaflet-container" in grid_map.get_attribute("class")
    own = t.page.locator("#grid-map path.leaflet-interactive[stroke='#0d6efd']")
    assert own.count() == 1
    box_ = own.bounding_box()
    assert box_ and box_["width"] > 50 and box_["height"] > 50, (
        f"the polygon should be drawn at a readable size: {box_}"
    )
    t.assert_clean("grid page")

    # The neighbouring community's grid, by URL: the 404 page, its name nowhere.
    for path in (grid_url(world.grid_b), unit_url(world.b.code)):
        t.goto(path, status=404)
        assert t.page.locator("#error-message").is_visible()
        assert "郭岭" not in t.page.content()
        assert "郭岭" not in t.page.title()
    t.assert_clean("404 pages")


@pytest.mark.browser
def test_administrator_enrols_totp_and_lands_on_dashboard(world, tab):
    t = tab
    admin = world.users["sysadmin"]
    t.login(admin.username, PASSWORD)
    assert t.path() == "/login/totp/", "an administrator must pass the second factor"
    assert t.page.locator(".card-body svg").count() == 1, "the enrolment QR code"
    secret = t.page.inner_text("#totp-secret").strip()
    assert len(secret) >= 16
    t.assert_clean("TOTP enrolment")

    # Pages stay closed until the code is given.
    t.goto("/")
    assert t.path() == "/login/totp/"

    # A wrong code: an error, still on the TOTP step, still enrolling with the same secret.
    response = t.pass_totp(secret, code=wrong_code(secret))
    assert response.status == 400
    assert t.path() == "/login/totp/"
    assert "动态口令不正确" in t.page.inner_text(f"{TOTP_FORM} .invalid-feedback")
    assert t.page.inner_text("#totp-secret").strip() == secret
    t.goto(reverse("org:tree"))
    assert t.path() == "/login/totp/"
    admin.refresh_from_db()
    assert admin.totp_confirmed_at is None
    t.assert_clean("wrong TOTP code")

    # The right code: the home dashboard, with both communities' grids on the map.
    response = t.pass_totp(secret)
    assert response.status == 200
    assert t.path() == "/"
    assert "我的管辖范围" in t.page.inner_text("main h1")
    assert t.page.locator("[data-count]").count() >= 3
    assert polygons(t, "[data-map=overview]").count() == 2
    admin.refresh_from_db()
    assert admin.totp_confirmed_at is not None
    t.assert_clean("home after TOTP")

    # The org tree opens level by level: district (by itself) → street → community → grid.
    t.goto(reverse("org:tree"))
    tree = t.page.locator("#tree-body")
    tree.locator("a", has_text="纸坊街道").wait_for()
    assert tree.locator("a", has_text="宁安社区").count() == 0
    expand(t, world.street.code)
    tree.locator("a", has_text="宁安社区").wait_for()
    tree.locator("a", has_text="郭岭社区").wait_for()
    assert tree.locator("a", has_text="宁安第一网格").count() == 0
    expand(t, world.a.code)
    tree.locator("a", has_text="宁安第一网格").wait_for()
    assert tree.locator("a", has_text="郭岭第一网格").count() == 0, "only the expanded community opens"
    t.assert_clean("org tree")


def _wait_for_polygons(t, map_selector: str, n: int):
    t.page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel + ' path.leaflet-interactive').length >= n",
        arg=[map_selector, n],
    )


@pytest.mark.browser
def test_screenshots(demo_data, new_tab):
    """Screenshots of the main pages with the demo data, desktop and phone, into test-artifacts/."""
    first_grid = Grid.objects.get(code="420115001001001")
    ningan = "420115001001"

    t = new_tab(DESKTOP)
    t.login("street", demo.DEMO_PASSWORD)
    assert t.path() == "/login/totp/"
    t.pass_totp(demo.DEMO_TOTP["street"])
    assert t.path() == "/"
    _wait_for_polygons(t, "[data-map=overview]", 24)
    t.screenshot("desktop-home")
    t.assert_clean("home")

    t.goto(reverse("org:tree"))
    t.page.locator("#tree-body a", has_text="宁安社区").first.wait_for()
    expand(t, ningan)
    t.page.locator("#tree-body a", has_text="宁安社区第一网格").wait_for()
    t.screenshot("desktop-org-tree")
    t.assert_clean("org tree")

    t.goto(unit_url(ningan))
    _wait_for_polygons(t, "#community-map", 6)
    assert t.page.locator("#community-map .grid-label:not(.grid-label-hidden)").count() == 6, (
        "labels fit at this size"
    )
    t.screenshot("desktop-community-map")
    t.assert_clean("community page")

    t.goto(grid_url(first_grid))
    _wait_for_polygons(t, "#grid-map", 1)
    t.screenshot("desktop-grid")
    t.assert_clean("grid page")

    phone = new_tab(PHONE)
    phone.login("worker_ningan", demo.DEMO_PASSWORD)
    assert phone.path() == "/"
    _wait_for_polygons(phone, "[data-map=overview]", 6)
    phone.screenshot("phone-home")
    phone.assert_clean("home (phone)")
    phone.goto(grid_url(first_grid))
    _wait_for_polygons(phone, "#grid-map", 1)
    phone.screenshot("phone-grid")
    phone.assert_clean("grid page (phone)")
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the grid page scrolls sideways on a phone ({width}px)"
