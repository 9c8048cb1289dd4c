"""The import synonyms page in a real browser: choosing a field and 取值 offers that field's labels,
an added synonym appears in its field's table, and it can be deleted. Screenshots land in
test-artifacts/screenshots/import-synonyms-*.png."""

import pytest
from django.urls import reverse

from shequ.core.models import ImportSynonym

from .conftest import DESKTOP, PHONE, shoot, sign_in

pytestmark = pytest.mark.browser


def test_administrator_adds_a_value_synonym_then_deletes_it(world, new_tab):
    secrets = {}
    t = new_tab(DESKTOP)
    sign_in(t, world.users["district"], secrets)
    t.goto(reverse("core:import-synonyms"))
    target = t.page.locator("#id_target")
    assert target.is_disabled()  # the first field, 姓名, has no labels to choose from

    t.page.select_option("#id_field", "education")
    t.page.select_option("#id_what", "value")
    t.page.locator("#id_target:enabled option[value='大学专科']").wait_for(state="attached")
    t.page.fill("#id_source", "大专文化")
    t.page.select_option("#id_target", "大学专科")
    with t.page.expect_navigation():
        t.page.locator("#synonym-form button[type=submit]").click()
    t.settle()
    assert "已添加：“文化程度”的取值“大专文化”读作“大学专科”。" in t.page.inner_text("main")
    row = t.page.locator("#field-education tr.sq-admin-synonym")
    assert "大专文化 → 大学专科" in row.inner_text()
    assert ImportSynonym.objects.get().target == "大学专科"
    shoot(t, "import-synonyms-desktop")
    t.assert_clean("adding a value synonym")

    phone = new_tab(PHONE)
    sign_in(phone, world.users["sysadmin"], secrets)  # another account: a TOTP code serves once
    phone.goto(reverse("core:import-synonyms"))
    shoot(phone, "import-synonyms-phone")
    phone.assert_clean("the page on a phone")

    t.page.once("dialog", lambda d: d.accept())  # 删除同义词“大专文化”？
    with t.page.expect_navigation():
        row.locator("button[type=submit]").click()
    t.settle()
    assert "已删除同义词“大专文化”。" in t.page.inner_text("main")
    assert t.page.locator("tr.sq-admin-synonym").count() == 0
    assert not ImportSynonym.objects.exists()
    t.assert_clean("deleting it")
