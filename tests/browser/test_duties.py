"""The duties module in a real browser (system Chromium, Playwright) against live_server: the issue's
acceptance scenario. The district's lists are public; a department files a request that hits the
negative list (rejected, citing the item), then a funded one, which the street's review group
approves two votes to one; the tasks appear in both target communities and their burden ledger
grows; a community lead refuses a task that never passed admission; a certificate is issued and a
refusal for an unlisted certificate printed. Screenshots land in test-artifacts/screenshots/duties-*.png.

Every page visited must come without console errors (CSP violations included), uncaught script
errors or failed requests; see conftest.Tab."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.duties import burden as ledger
from shequ.duties.models import (
    AdmissionRequest,
    Certificate,
    CertificateRefusal,
    Refusal,
    RequestStatus,
    Task,
)
from tests.duties import factories as f
from tests.people.factories import make_resident

from .conftest import DESKTOP, PHONE, shoot, sign_in


def fill_request(t, *, title, description, item_code, communities, funding="0", basis=""):
    """Fill the request form as a department clerk would."""
    form = t.page.locator("#request-form")
    form.locator("[name=title]").fill(title)
    form.locator("[name=description]").fill(description)
    form.locator("[name=basis]").fill(basis)
    options = form.locator("select[name=item] option")
    value = next(
        options.nth(i).get_attribute("value")
        for i in range(options.count())
        if options.nth(i).inner_text().startswith(item_code)
    )
    form.locator("select[name=item]").select_option(value)
    for code in communities:
        form.locator(f"input[name=communities][value='{code}']").check()
    start = timezone.localdate() + dt.timedelta(days=80)
    form.locator("[name=start_date]").fill(start.isoformat())
    form.locator("[name=end_date]").fill((start + dt.timedelta(days=60)).isoformat())
    form.locator("[name=ledgers]").fill("2")
    form.locator("[name=stamps]").fill("1")
    form.locator("[name=signboards]").fill("1")
    form.locator("[name=inspections]").fill("4")
    form.locator("[name=hours_per_month]").fill("6")
    form.locator("[name=funding_per_community]").fill(funding)
    form.locator("[name=funding_source]").fill("区级养老服务专项资金")
    form.locator("[name=personnel]").fill("区民政局派评估员 2 名")
    with t.page.expect_navigation():
        form.locator("button[type=submit]").click()
    t.settle()


def vote(t, pk, choice_label, comment=""):
    t.goto(reverse("duties:request-detail", args=[pk]))
    box = t.page.locator("#vote")
    box.locator("label").get_by_text(choice_label, exact=True).click()
    if comment:
        box.locator("[name=comment]").fill(comment)
    with t.page.expect_navigation():
        box.locator("button[type=submit]").click()
    t.settle()
    t.assert_clean(f"vote {choice_label}")


def kpi(t, label: str) -> int:
    """The number on the burden ledger's card named `label`."""
    card = t.page.locator("#kpi-cards .card").filter(has_text=label).first
    return int(re.sub(r"[^\d]", "", card.locator(".fs-4").inner_text()))


@pytest.mark.browser
def test_admission_from_negative_list_to_tasks_burden_refusal_and_certificates(world, new_tab):
    users, secrets = world.users, {}
    f.make_list(world)
    f.make_policy(world)
    chair, member1, member2 = f.members(world)

    # --- the lists are public ----------------------------------------------------------------------
    public = new_tab(PHONE)
    public.goto(reverse("duties:public-lists"))
    body = public.page.inner_text("main")
    for text in ("依法履行职责事项", "协助政府工作事项", "负面清单", "证明事项", "招商引资", "居住情况证明"):
        assert text in body, text
    shoot(public, "duties-lists-public-phone")
    public.assert_clean("public lists")

    # --- the community's ledger before ---------------------------------------------------------
    lead = new_tab(DESKTOP)
    sign_in(lead, users["community_lead"], secrets)
    lead.goto(reverse("duties:burden"))
    ledgers_before = kpi(lead, "台账")
    lead.assert_clean("burden before")

    # --- a request on the negative list is rejected, citing the item ------------------------------
    dept = new_tab(DESKTOP)
    sign_in(dept, users["department"], secrets)
    dept.goto(reverse("duties:request-create"))
    fill_request(
        dept,
        title="养老产业招商引资摸底",
        description="请社区摸排可招商的养老服务场地",
        item_code="FM-01",
        communities=[world.a.code],
        basis="区养老产业发展规划",
    )
    rejected = AdmissionRequest.objects.get(title="养老产业招商引资摸底")
    assert rejected.status == RequestStatus.REJECTED
    assert dept.page.inner_text("#request-status") == "不予准入"
    findings = dept.page.inner_text("#findings")
    assert "负面清单" in findings and "FM-01" in findings and "招商引资" in findings
    shoot(dept, "duties-request-rejected")
    dept.assert_clean("rejected request")

    # --- a funded request goes to review ------------------------------------------------------------
    dept.goto(reverse("duties:request-create"))
    fill_request(
        dept,
        title="高龄老人能力评估入户",
        description="对 80 周岁以上老年人开展能力评估，录入养老服务信息平台",
        item_code="XZ-01",
        communities=[world.a.code, world.b.code],
        funding="2000",
    )
    req = AdmissionRequest.objects.get(title="高龄老人能力评估入户")
    assert req.status == RequestStatus.REVIEW and req.fast_track
    assert "快速通道" in dept.page.inner_text("#findings")
    dept.assert_clean("request in review")

    # --- the review group: two for, one against ------------------------------------------------------
    reviewers = {}
    for user in (chair, member1, member2):
        reviewers[user] = new_tab(DESKTOP)
        sign_in(reviewers[user], user, secrets)
    t = reviewers[chair]
    t.goto(reverse("duties:request-list") + "?tab=mine")
    assert req.number in t.page.inner_text("main"), "the chair's to-review list shows the request"
    vote(t, req.pk, "同意")
    vote(reviewers[member1], req.pk, "不同意", "社区人手不足，应由部门自行完成")
    t.goto(reverse("duties:request-detail", args=[req.pk]))
    assert "已提出意见 2/3" in t.page.inner_text("#review")
    shoot(t, "duties-request-under-review")
    vote(reviewers[member2], req.pk, "修改后同意", "评估表合并为一张")
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED
    page = reviewers[member2]
    assert page.page.inner_text("#request-status") == "准予准入"
    assert "同意 1 票，不同意 1 票，修改后同意 1 票" in req.decision_note
    page.goto(reverse("duties:request-letter", args=[req.pk]))
    letter = page.page.inner_text("body")
    assert req.letter_number in letter and "准予准入" in letter and "评估表合并为一张" in letter
    page.page.emulate_media(media="print")
    shoot(page, "duties-decision-letter-print")
    page.page.emulate_media(media="screen")
    page.assert_clean("decision letter")

    # --- tasks in both communities; the ledger has grown ------------------------------------------------
    assert sorted(Task.objects.filter(request=req).values_list("community__code", flat=True)) == [
        world.a.code,
        world.b.code,
    ]
    lead.goto(reverse("duties:task-list"))
    assert "高龄老人能力评估入户" in lead.page.inner_text("main")
    shoot(lead, "duties-tasks-community")
    lead.goto(reverse("duties:burden"))
    lead.charts_drawn()
    assert kpi(lead, "台账") == ledgers_before + 2
    expected = ledger.totals(users["community_lead"], world.a.code, timezone.localdate())
    assert kpi(lead, "台账") == expected["ledgers"]
    shoot(lead, "duties-burden-community")
    lead.assert_clean("burden after")

    # --- a task that never passed admission is refused, citing the rule ----------------------------
    lead.goto(reverse("duties:refusal-create"))
    form = lead.page.locator("form:has([name=department])")
    form.locator("[name=department]").fill("区城管局")
    form.locator("[name=title]").fill("沿街门店招牌执法检查")
    form.locator("[name=description]").fill("要求社区每周对沿街门店开展执法检查并上报照片")
    form.locator("[name=channel]").fill("微信工作群")
    with lead.page.expect_navigation():
        form.locator("button[type=submit]").click()
    lead.settle()
    refusal = Refusal.objects.get(title="沿街门店招牌执法检查")
    notice = lead.page.inner_text("main")
    assert refusal.number in notice and "准入" in notice
    lead.assert_clean("refusal notice")
    street = reviewers[chair]  # the street manager chairs the review group (signed in above)
    assert chair == users["street"]
    street.goto(reverse("duties:refusal-list"))
    assert "沿街门店招牌执法检查" in street.page.inner_text("main"), "the street sees the refusal"
    street.goto(reverse("duties:burden"))
    street.charts_drawn()
    shoot(street, "duties-burden-street")
    street.assert_clean("street burden")

    # --- a certificate from the list, and a printed refusal of one that is not ----------------------
    resident = make_resident(world, "a")
    type(resident).objects.filter(pk=resident.pk).update(name="张桂英")
    worker = new_tab(DESKTOP)
    sign_in(worker, users["community_worker"], secrets)
    worker.goto(reverse("duties:certificate-create"))
    form = worker.page.locator("form:has([name=purpose])")
    form.locator("select[name=item]").select_option(str(f.make_list(world).items.get(code="ZM-01").pk))
    worker.page.locator("#resident-search").fill("张桂")
    worker.settle()
    form.locator("select[name=resident]").select_option(str(resident.pk))
    form.locator("[name=purpose]").fill("办理子女入学")
    form.locator("[name=content]").fill("兹证明张桂英在本社区实际居住。\n特此证明。")
    with worker.page.expect_navigation():
        form.locator("button[type=submit]").click()
    worker.settle()
    cert = Certificate.objects.get(resident=resident)
    printed = worker.page.inner_text("main")
    assert cert.number in printed and "宁安社区居民委员会" in printed and "张桂英" in printed
    worker.page.emulate_media(media="print")
    shoot(worker, "duties-certificate-print")
    worker.page.emulate_media(media="screen")

    worker.goto(reverse("duties:certificate-refuse"))
    form = worker.page.locator("form:has([name=requested])")
    form.locator("[name=requested]").fill("无犯罪记录证明")
    form.locator("[name=requester_name]").fill("刘洋")
    form.locator("[name=purpose]").fill("入职审查")
    with worker.page.expect_navigation():
        form.locator("button[type=submit]").click()
    worker.settle()
    refused = CertificateRefusal.objects.get(requester_name="刘洋")
    text = worker.page.inner_text("main")
    assert refused.number in text and "民发〔2020〕94号" in text and "公安派出所" in text
    worker.page.emulate_media(media="print")
    shoot(worker, "duties-certificate-refusal-print")
    worker.assert_clean("certificates")
