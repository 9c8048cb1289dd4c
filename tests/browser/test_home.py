"""Home pages and menus by role in a real browser: a grid worker's phone menu opens on 巡查上报,
待办案件, 待走访; a resident's phone home shows their requests and the public services.
Screenshots land in test-artifacts/screenshots/home-*.png."""

import pytest
from django.urls import reverse

from .conftest import PHONE, shoot, sign_in

pytestmark = pytest.mark.browser


def test_grid_worker_phone_menu_and_home_lead_with_the_days_work(world, new_tab):
    t = new_tab(PHONE)
    sign_in(t, world.users["grid_worker"], {})
    tiles = t.page.locator("#home-lead a")
    assert [s.strip() for s in tiles.all_inner_texts()] == ["巡查上报", "待办案件", "待走访"]
    first = tiles.first.bounding_box()
    assert first and first["y"] + first["height"] <= PHONE["height"], "the tiles are above the fold"
    shoot(t, "home-grid-worker-phone")

    t.page.locator("button.navbar-toggler").click()
    t.page.locator("#sq-nav.show").wait_for()
    links = t.page.locator("#sq-nav-list a.nav-link")
    assert [s.strip() for s in links.all_inner_texts()[:4]] == ["巡查上报", "待办案件", "待走访", "首页"]
    assert links.nth(0).is_visible()
    t.screenshot("home-grid-worker-menu-phone", full_page=False)
    with t.page.expect_navigation():
        links.nth(0).click()
    t.settle()
    assert t.path() == reverse("cases:patrol")
    t.assert_clean("grid worker menu")


def test_resident_phone_home_has_their_requests_and_no_scope(world, new_tab):
    t = new_tab(PHONE)
    sign_in(t, world.users["resident"], {})
    main = t.page.inner_text("main")
    assert "我的管辖范围" not in main and "组织授权" not in main
    assert t.page.locator("#scope-switcher").count() == 0
    assert t.page.locator("#mine-card").is_visible() and t.page.locator("#services-card").is_visible()
    shoot(t, "home-resident-phone")
    t.assert_clean("resident home")
