"""The admission request form's community picker in a real browser: a whole street ticks and locks
its communities, and past a dozen communities the streets fold and a search box finds one by name.
A screenshot lands in test-artifacts/screenshots/duties-request-picker.png."""

import pytest
from django.urls import reverse

from shequ.duties.models import AdmissionRequest
from tests.duties import factories as f

from .conftest import DESKTOP, shoot, sign_in

pytestmark = pytest.mark.browser


def test_department_picks_a_whole_street_and_searches_communities(world, new_tab):
    f.make_list(world)
    f.make_policy(world)
    t = new_tab(DESKTOP)
    sign_in(t, world.users["department"], {})
    t.goto(reverse("duties:request-create"))
    picker = t.page.locator("#communities")
    box_a = picker.locator(f"input[name=communities][value='{world.a.code}']")
    box_b = picker.locator(f"input[name=communities][value='{world.b.code}']")

    # The whole street ticks and locks its communities; unticking gives back what was there.
    box_a.check()
    picker.locator("input[name=areas][value='street:420115001']").check()
    assert box_a.is_checked() and box_b.is_checked() and box_b.is_disabled()
    picker.locator("input[name=areas][value='street:420115001']").uncheck()
    assert box_a.is_checked() and not box_b.is_checked() and box_b.is_enabled()
    t.assert_clean("request form picker")
    shoot(t, "duties-request-picker")


def test_department_searches_a_long_list_of_communities(world, new_tab):
    """Past a dozen communities the streets fold and a search box finds one by name."""
    from shequ.org.models import OrgUnit

    f.make_list(world)
    f.make_policy(world)
    for n in range(3, 16):
        OrgUnit.objects.create(
            code=f"420115001{n:03d}",
            name=f"测试{n}社区居委会",
            level="community",
            kind="residents",
            parent=world.street,
        )
    t = new_tab(DESKTOP)
    sign_in(t, world.users["department"], {})
    t.goto(reverse("duties:request-create"))
    picker = t.page.locator("#communities")
    box_a = picker.locator(f"input[name=communities][value='{world.a.code}']")
    assert not box_a.is_visible(), "a street of 15 communities starts folded"
    search = picker.locator("[data-community-search]")
    search.fill("宁安")
    box_a.wait_for(state="visible")
    assert not picker.locator("input[name=communities][value='420115001003']").is_visible()
    box_a.check()
    search.fill("")
    assert picker.locator("input[name=communities][value='420115001003']").is_visible()
    t.assert_clean("request form search")
    assert not AdmissionRequest.objects.exists()
