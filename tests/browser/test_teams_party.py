"""The Party-member service and awards in a real browser: a community lead records a Party member
who reports to the community, adds a pledge and closes it (refused first without an outcome, then
with one); then nominates a volunteer in an award round, reviews the nomination and publishes the
result, which the public list shows. Screenshots land in test-artifacts/screenshots/party-*.png."""

import datetime as dt

from django.utils import timezone

from shequ.teams.models import NominationResult, PartyMember, Pledge, PledgeStatus
from tests.teams import party_factories as pf
from tests.teams.factories import staff

from .conftest import shoot, sign_in


def test_report_in_pledge_and_award_round(world, new_tab):
    secrets = {}
    top = pf.top_org(world)
    desk = new_tab()
    sign_in(desk, world.users["community_lead"], secrets)

    desk.goto("/teams/party/members/report-in/")
    form = desk.page.locator("#main-form")
    form.locator("[name=name]").fill("周志明")
    form.locator("[name=phone]").fill("13588006666")
    form.locator("[name=work_unit]").fill("江夏区人民医院")
    form.locator("[name=unit_contact]").fill("党办")
    form.locator("[name=node]").select_option(str(top.pk))
    shoot(desk, "party-report-in")
    with desk.page.expect_navigation():
        form.locator("button[type=submit]").click()
    desk.settle()
    m = PartyMember.objects.get(name="周志明")
    assert desk.path() == f"/teams/party/members/{m.pk}/" and m.node == top
    assert "13588006666" not in desk.page.content()  # masked

    with desk.page.expect_navigation():
        desk.page.locator("#pledge-add").click()
    desk.settle()
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    desk.page.locator("[name=content]").fill("每月为楼栋独居老人代购一次生活用品")
    desk.page.locator("[name=due_on]").fill(due)
    with desk.page.expect_navigation():
        desk.page.locator("#main-form button[type=submit]").click()
    desk.settle()
    assert "每月为楼栋独居老人代购" in desk.page.inner_text("#pledges")
    shoot(desk, "party-member-detail")

    with desk.page.expect_navigation():
        desk.page.locator("#pledges a", has_text="履诺").click()
    desk.settle()
    desk.page.locator("#main-form button[type=submit]").click()  # no outcome: refused in place
    desk.page.wait_for_selector("text=办结承诺须填写履诺情况")
    assert Pledge.objects.get(member=m).status == PledgeStatus.OPEN
    assert [p for p in desk.take_problems() if "400 for xhr POST" not in p] == []  # the refusal itself
    shoot(desk, "party-pledge-close-refused")
    desk.page.locator("[name=outcome]").fill("已为 3 户独居老人代购 4 次")
    with desk.page.expect_navigation():
        desk.page.locator("#main-form button[type=submit]").click()
    desk.settle()
    assert Pledge.objects.get(member=m).status == PledgeStatus.KEPT
    assert "已履诺" in desk.page.inner_text("#pledges")

    desk.goto("/teams/party/chain/")
    assert top.name in desk.page.inner_text("#party-tree")
    shoot(desk, "party-chain")
    desk.goto("/teams/party/")
    desk.charts_drawn(4)
    shoot(desk, "party-report")
    desk.assert_clean("the Party-member pages")

    r = pf.volunteer_round(world)
    desk.goto(f"/teams/awards/{r.pk}/")
    with desk.page.expect_navigation():
        desk.page.locator("#nominate").click()
    desk.settle()
    desk.page.locator("[name=nominee]").select_option(str(r.volunteer_pk))
    desk.page.locator("[name=reason]").fill("常年参加环境整治志愿服务")
    with desk.page.expect_navigation():
        desk.page.locator("#main-form button[type=submit]").click()
    desk.settle()
    n = r.nominations.get()
    assert n.nominee_name in desk.page.inner_text("#nominations")
    with desk.page.expect_navigation():
        desk.page.locator("#move-reviewing").click()
    desk.settle()
    row = desk.page.locator(f"#nomination-{n.pk}")
    row.locator("[name=note]").fill("事迹突出")
    with desk.page.expect_navigation():
        row.locator("button[value=awarded]").click()
    desk.settle()
    n.refresh_from_db()
    assert n.result == NominationResult.AWARDED
    with desk.page.expect_navigation():
        desk.page.locator("#move-published").click()
    desk.settle()
    assert "已公布" in desk.page.inner_text("#round-status")
    shoot(desk, "party-award-round")
    desk.assert_clean("the award round")

    public = new_tab()
    public.goto(f"/teams/awards/c/{world.a.code}/")
    body = public.page.inner_text("main")
    assert n.public_name in body and n.nominee_name not in body
    shoot(public, "party-award-public")
    public.assert_clean("the public list")
    assert staff(world)  # the lead acted throughout
