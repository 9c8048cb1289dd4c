"""Self-government in a real browser (system Chromium, Playwright) against live_server: the
community lead drafts a new version of the 居民公约, puts it before a meeting, records the vote
that adopts it and publishes it; a resident on a phone reads the version in force and its history
on the public page, without an account. Then an election is counted: an over-count is refused with
the numbers, the right count stands, the elected take their offices and reach the workforce roster.
Screenshots land in test-artifacts/screenshots/selfgov-*.png."""

import datetime as dt

from django.utils import timezone

from shequ.participation.models import CharterVersion, Election, VersionStatus
from shequ.workforce.models import Office
from tests.participation.factories import held_meeting
from tests.participation.gov_factories import (
    building_lead,
    contract,
    election_with_candidates,
    group,
    published_version,
    representative,
)

from .conftest import PHONE, shoot, sign_in


def test_the_lead_adopts_a_new_charter_version_and_a_resident_reads_it(world, new_tab):
    v1 = published_version(world, start=timezone.localdate() - dt.timedelta(days=400))
    meeting, _issue = held_meeting(world, "a", present=3, expected=4, kind="居民代表大会")
    lead = new_tab()
    sign_in(lead, world.users["community_lead"], {})
    lead.goto("/participation/charters/")
    shoot(lead, "selfgov-charter-list")
    lead.page.get_by_role("link", name=v1.charter.title).click()
    lead.settle()
    assert "第1版" in lead.page.inner_text("#current-text") or "一、爱护公共环境" in lead.page.inner_text(
        "#current-text"
    )
    lead.page.locator("#draft").click()
    lead.settle()
    new_text = "一、爱护公共环境。\n二、邻里互助。\n三、电动车不进楼道充电。"
    form = lead.page.locator("#main-form")
    form.locator("[name=text]").fill(new_text)
    form.locator("[name=note]").fill("增加电动车充电条款")
    form.locator("[name=in_force_from]").fill(timezone.localdate().isoformat())
    shoot(lead, "selfgov-version-draft")
    with lead.page.expect_navigation():
        form.locator("button[type=submit]").click()
    lead.settle()
    v2 = CharterVersion.objects.get(charter=v1.charter, number=2)
    lead.page.locator("#version-2").get_by_role("link", name="提交会议讨论").click()
    lead.settle()
    lead.page.locator("#main-form [name=meeting]").select_option(str(meeting.pk))
    with lead.page.expect_navigation():
        lead.page.locator("#main-form button[type=submit]").click()
    lead.settle()
    lead.page.locator("#vote-2").click()
    lead.settle()
    assert "签到出席 3 人" in lead.page.inner_text("#form-intro")
    # More votes than people signed in: refused with the numbers, nothing recorded.
    form = lead.page.locator("#main-form")
    for name, value in {"votes_for": "3", "votes_against": "1", "votes_abstain": "0"}.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()  # htmx posts it: the form comes back with the reason
    lead.page.get_by_text("超过签到出席的 3 人").first.wait_for()
    shoot(lead, "selfgov-version-vote-refused")
    assert [p for p in lead.take_problems() if "400 for xhr POST" not in p] == []
    lead.submit("#main-form", {"votes_for": "3", "votes_against": "0", "votes_abstain": "0"})
    v2.refresh_from_db()
    assert v2.status == VersionStatus.ADOPTED and v2.present == 3
    lead.page.locator("#publish-2").click()
    lead.settle()
    lead.page.locator("#main-form [name=confirm]").check()
    with lead.page.expect_navigation():
        lead.page.locator("#main-form button[type=submit]").click()
    lead.settle()
    assert "电动车不进楼道充电" in lead.page.inner_text("#current-text")
    shoot(lead, "selfgov-charter-detail")
    lead.assert_clean("the lead's charter pages")
    v1.refresh_from_db()
    assert v1.in_force_until == timezone.localdate() - dt.timedelta(days=1)

    phone = new_tab(PHONE)
    phone.goto(f"/participation/c/{world.a.code}/charters/")
    section = phone.page.locator(f"#charter-{v1.charter_id}")
    assert "现行第2版" in section.inner_text() and "电动车不进楼道充电" in section.inner_text()
    section.locator("summary", has_text="历次版本").click()
    assert "第1版" in section.inner_text()
    shoot(phone, "selfgov-public-charters")
    phone.assert_clean("the public charters page")


def test_an_election_is_counted_after_a_refused_over_count(world, new_tab):
    e = election_with_candidates(world, "a", n=3)
    building_lead(world)
    representative(world)
    group(world)
    contract(world)
    lead = new_tab()
    sign_in(lead, world.users["community_lead"], {})
    lead.goto(f"/participation/elections/{e.pk}/")
    shoot(lead, "selfgov-election-planned")
    lead.page.locator("#count").click()
    lead.settle()
    cands = list(e.candidates.all())
    over = e.registered_voters + 5
    fields = {"ballots_cast": str(over), **{f"votes_{c.pk}": "2" for c in cands}}
    form = lead.page.locator("#main-form")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()  # htmx: the form comes back with the numbers
    lead.page.get_by_text(f"投票人数 {over} 超过登记选民 {e.registered_voters} 人").first.wait_for()
    shoot(lead, "selfgov-election-overcount")
    assert [p for p in lead.take_problems() if "400 for xhr POST" not in p] == []
    e.refresh_from_db()
    assert e.ballots_cast is None
    lead.submit("#main-form", {"ballots_cast": "5", **{f"votes_{c.pk}": "4" for c in cands}})
    assert lead.path() == f"/participation/elections/{e.pk}/"
    assert "%" in lead.page.inner_text("#turnout")
    lead.page.locator("#declare").click()
    lead.settle()
    form = lead.page.locator("#main-form")
    for c, office in zip(cands, ("director", "deputy_director", "member"), strict=True):
        form.locator(f"[name=office_{c.pk}]").select_option(office)
    with lead.page.expect_navigation():
        form.locator("button[type=submit]").click()
    lead.settle()
    assert "社区工作者名册" in lead.page.inner_text("body")
    shoot(lead, "selfgov-election-declared")
    assert Election.objects.get(pk=e.pk).status == "declared"
    assert Office.objects.filter(worker__org=world.a, body="committee", end__isnull=True).count() == 3
    for path, name in (
        ("/participation/elections/", "selfgov-election-list"),
        ("/participation/self-government/", "selfgov-overview"),
        ("/participation/representatives/", "selfgov-representatives"),
        ("/participation/groups/", "selfgov-groups"),
        (f"/participation/four-in-one/?community={world.a.code}", "selfgov-four-in-one"),
        ("/participation/report/", "selfgov-report"),
    ):
        lead.goto(path)
        shoot(lead, name)
    lead.goto("/participation/groups/")
    lead.page.get_by_role("link", name="楼院小组").first.click()
    lead.settle()
    shoot(lead, "selfgov-group-detail")
    lead.assert_clean("the lead's self-government pages")
