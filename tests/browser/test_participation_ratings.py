"""居民评议 in a real browser: the community lead opens a rating round; a resident rates the
committee (and the property company) on a phone after checking their name and phone digits; a
member of the same household is refused a second response; the lead closes the round and reads the
totals with the response rate and the follow-up issue a low score opened; the public page then
shows the totals. Also the hearing and consultation pages. Screenshots land in
test-artifacts/screenshots/participation-rating-*.png."""

import datetime as dt

from django.utils import timezone

from shequ.participation.models import Issue, RatingRound
from shequ.participation.services import ratings as rating_services
from tests.participation.factories import residents
from tests.participation.rating_factories import make_consultation, make_hearing, property_company
from tests.people.factories import make_household

from .conftest import PHONE, shoot, sign_in


def _rate(phone, survey, low_dimension: str):
    """Tap a rating for every question: 2 on `low_dimension`, 4 elsewhere (the company left out)."""
    for q in survey.questions.filter(kind="rating"):
        if not q.required:
            continue
        value = "2" if q.text.endswith(low_dimension) else "4"
        phone.page.locator(f"input[name=q{q.pk}][value='{value}'] + label").click()


def test_a_household_rates_once_and_the_lead_closes_the_round(world, new_tab):
    users, secrets = world.users, {}
    property_company(world, "a", name="武汉宁安物业服务有限公司")
    hh = make_household(world, "a")
    member = residents(world, "a", 1, household=hh)[0]

    # The lead opens a round for the community.
    lead = new_tab()
    sign_in(lead, users["community_lead"], secrets)
    lead.goto("/participation/ratings/")
    lead.page.locator("#new-round").click()
    lead.settle()
    form = lead.page.locator("#main-form")
    form.locator("[name=title]").fill("2026 年度居民评议")
    form.locator("[name=dimensions]").fill("服务态度、办事效率、环境卫生")
    shoot(lead, "participation-rating-create")
    with lead.page.expect_navigation():
        form.locator("button[type=submit]").click()
    lead.settle()
    rnd = RatingRound.objects.get(title="2026 年度居民评议")
    assert lead.path() == f"/participation/ratings/{rnd.pk}/"
    shoot(lead, "participation-rating-open")
    link = lead.page.locator("#phone-link").get_attribute("href")
    survey = rating_services.survey_of(rnd)
    assert link.endswith(f"/s/{survey.token}/")

    # A resident, no account: name and the phone's last four digits, then the ratings.
    phone = new_tab(PHONE)
    phone.goto(f"/s/{survey.token}/")
    shoot(phone, "participation-rating-phone-verify")
    phone.submit("#name-form", {"name": hh.head.name, "last4": hh.head.phone[-4:]})
    assert "身份已核对" in phone.page.inner_text("main")
    _rate(phone, survey, "办事效率")
    shoot(phone, "participation-rating-phone-form")
    with phone.page.expect_navigation():
        phone.page.locator("#survey-form button[type=submit]").click()
    phone.settle()
    assert phone.page.locator("#survey-thanks").is_visible()
    shoot(phone, "participation-rating-phone-sent")
    phone.assert_clean("the resident's rating")

    # Another member of the same household, on their own phone: refused.
    other = new_tab(PHONE)
    other.goto(f"/s/{survey.token}/")
    other.submit("#name-form", {"name": member.name, "last4": member.phone[-4:]})
    _rate(other, survey, "服务态度")
    with other.page.expect_navigation():
        other.page.locator("#survey-form button[type=submit]").click()
    other.settle()
    assert other.page.inner_text("#survey-refused").strip() == "您家已提交过本次问卷，每户只能填写一次。"
    shoot(other, "participation-rating-phone-refused")
    assert [p for p in other.take_problems() if "409" not in p] == []

    # The public page shows no totals while the round is open.
    public = new_tab(PHONE)
    public.goto(f"/participation/c/{world.a.code}/ratings/")
    assert public.page.locator(".rating-results").count() == 0
    shoot(public, "participation-rating-public-open")

    # The lead closes the round and reads the totals and the follow-up issue.
    lead.goto(f"/participation/ratings/{rnd.pk}/")
    lead.page.locator("#close-round").click()
    lead.settle()
    shoot(lead, "participation-rating-close")
    with lead.page.expect_navigation():
        lead.page.locator("#main-form button[type=submit]").click()
    lead.settle()
    assert "已结束" in lead.page.inner_text("#round-state")
    assert "1 户" in lead.page.inner_text("#response-rate")
    committee_row = lead.page.locator("tr[data-target=committee]")
    assert (
        "宁安社区居委会" in committee_row.inner_text() and "%" in committee_row.locator(".rate").inner_text()
    )
    issue = Issue.objects.get(source="rating")
    assert "办事效率 2.00" in issue.text
    follow = lead.page.locator("#follow-ups a")
    assert follow.count() == 1 and follow.inner_text().strip() == issue.title
    shoot(lead, "participation-rating-closed")
    follow.click()
    lead.settle()
    assert lead.path() == f"/participation/issues/{issue.pk}/" and "居民评议" in lead.page.inner_text("main")
    shoot(lead, "participation-rating-follow-up-issue")
    lead.assert_clean("the lead's round")

    public.goto(f"/participation/c/{world.a.code}/ratings/")
    assert public.page.locator(".rating-results").count() == 1
    assert hh.head.name not in public.page.inner_text("body")
    shoot(public, "participation-rating-public-closed")

    # The report: the rating part and the participation rate.
    lead.goto("/participation/report/")
    assert lead.page.locator("#participation-rate").inner_text().strip() != ""
    shoot(lead, "participation-rating-report")


def test_hearing_and_consultation_pages(world, new_tab):
    users, secrets = world.users, {}
    today = timezone.localdate()
    h = make_hearing(world, notice_on=today - dt.timedelta(days=2), planned_on=today + dt.timedelta(days=5))
    c = make_consultation(world)
    lead = new_tab()
    sign_in(lead, users["community_lead"], secrets)
    lead.goto("/participation/hearings/")
    shoot(lead, "participation-hearing-list")
    lead.goto(f"/participation/hearings/{h.pk}/speakers/")
    lead.submit("#main-form", {"name": "业主代表王建国"})
    lead.goto(f"/participation/hearings/{h.pk}/hold/")
    lead.page.locator("#main-form button[type=submit]").click()
    lead.page.get_by_text("起方可举行").first.wait_for()  # the form comes back with the reason
    assert "举行不满公告期，请改期" in lead.page.inner_text("main")
    shoot(lead, "participation-hearing-refused")
    lead.goto(f"/participation/hearings/{h.pk}/")
    assert "业主代表王建国" in lead.page.inner_text("#speakers")
    shoot(lead, "participation-hearing-detail")
    assert [p for p in lead.take_problems() if "409" not in p] == []

    person = residents(world, "a", 1)[0]
    phone = new_tab(PHONE)
    from shequ.participation.services import hearings as hs

    phone.goto(f"/s/{hs.survey_for(c).token}/")
    phone.submit("#name-form", {"name": person.name, "last4": person.phone[-4:]})
    phone.page.locator("#survey-form textarea").fill("希望保留部分车位。")
    shoot(phone, "participation-consultation-phone")
    with phone.page.expect_navigation():
        phone.page.locator("#survey-form button[type=submit]").click()
    phone.settle()
    assert phone.page.locator("#survey-thanks").is_visible()
    lead.goto(f"/participation/consultations/{c.pk}/")
    assert "希望保留部分车位。" in lead.page.inner_text("#views") and person.name not in lead.page.inner_text(
        "main"
    )
    shoot(lead, "participation-consultation-detail")
    lead.goto("/participation/consultations/")
    shoot(lead, "participation-consultation-list")
    lead.assert_clean("hearing and consultation pages")
