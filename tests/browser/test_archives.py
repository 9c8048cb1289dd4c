"""The archives in a real browser (system Chromium, Playwright) against live_server: the archive
worker confirms the year's proposed items and sees their 档号; a resident's request to see a
mediation record is approved, lent and returned; a disposal round with a residents' representative's
view ends in the permanent register. Screenshots land in test-artifacts/screenshots/archives-*.png."""

from shequ.archives.models import Item, Proposal, RegisterEntry, UseLog, UseRequest
from tests.archives.factories import YEAR, charge, keeper, make_disposal, make_item, make_proposal

from .conftest import shoot, sign_in


def test_worker_confirms_proposed_items_and_sees_their_reference(world, new_tab):
    charge(world)
    first, second = make_proposal(world, "a"), make_proposal(world, "a")
    t = new_tab()
    sign_in(t, keeper(world, "a"), {})
    t.goto(f"/archives/proposals/?fonds={first.fonds.number}&year={YEAR}")
    with t.page.expect_navigation():
        t.page.locator("#confirm-selected").click()
    t.settle()
    refs = [r.strip() for r in t.page.locator("#proposal-table a.reference").all_inner_texts()]
    expected = [Proposal.objects.get(pk=p.pk).item.reference for p in (first, second)]
    assert sorted(refs) == sorted(expected)
    assert expected[0].endswith(f"WS·{YEAR}-Y-ZZ-0001") and expected[1].endswith("-0002")
    shoot(t, "archives-proposals-confirmed")
    with t.page.expect_navigation():
        t.page.locator("#proposal-table a.reference").first.click()
    t.settle()
    assert t.page.inner_text("#item-reference").strip() in expected
    shoot(t, "archives-item")
    assert not t.take_problems()


def test_mediation_record_request_approved_lent_and_returned(world, new_tab):
    item = make_item(world, "a", openness="restricted", title="宁安社区人民调解协议书（邻里漏水纠纷）")
    t = new_tab()
    sign_in(t, keeper(world, "a"), {})
    t.goto(f"/archives/requests/new/?item={item.pk}")
    form = t.page.locator("main form")
    form.locator("[name=requester]").fill("陈建国")
    form.locator("[name=purpose]").select_option("mediation")
    form.locator("[name=purpose_note]").fill("法院诉前调解需调解协议原件")
    form.locator("[name=mode]").select_option("lend")
    with t.page.expect_navigation():
        form.locator("button[type=submit]").click()
    t.settle()
    req = UseRequest.objects.get()
    with t.page.expect_navigation():
        t.page.goto(t.url(req.get_absolute_url()))
    t.settle()
    for act in ("approve", "lend", "return"):
        with t.page.expect_navigation():
            t.page.locator(f"#act-{act} button").click()
        t.settle()
    assert t.page.inner_text("#request-status").strip() == "已归还"
    assert list(UseLog.objects.filter(item=item).order_by("pk").values_list("action", flat=True)) == [
        "lend",
        "return",
    ]
    shoot(t, "archives-request-returned")
    assert not t.take_problems()


def test_disposal_round_with_residents_representative_ends_in_register(world, new_tab):
    r = make_disposal(world, "a")
    t = new_tab()
    sign_in(t, keeper(world, "a"), {})
    t.goto(r.get_absolute_url())
    for name, kind in (("李档案", "archive"), ("王主任", "community"), ("居民代表 刘桂兰", "resident")):
        form = t.page.locator("#opinion-form")
        form.locator("[name=member]").fill(name)
        form.locator("[name=kind]").select_option(kind)
        with t.page.expect_navigation():
            form.locator("#add-opinion").click()
        t.settle()
    assert "居民代表 刘桂兰（居民代表）" in t.page.inner_text("#opinions")
    with t.page.expect_navigation():
        t.page.locator("#decide").click()
    t.settle()
    assert t.page.inner_text("#round-status").strip() == "已处置"
    entry = RegisterEntry.objects.get()
    assert "居民代表 刘桂兰" in entry.group and Item.objects.get(pk=entry.item_id).status == "destroyed"
    t.goto("/archives/register/")
    assert entry.reference in t.page.inner_text("#register-table")
    shoot(t, "archives-register")
    assert not t.take_problems()


def test_overdue_loan_flagged_training_shown_and_pdf_text_found(world, new_tab):
    """The lending list flags an overdue loan; the report shows the archivists' training (or none
    recorded); a PDF's text layer is found by the catalogue's keyword search."""
    import datetime as dt

    from django.utils import timezone

    from shequ.archives import services
    from shequ.workforce import services as wf
    from shequ.workforce.models import Worker
    from tests.archives.test_loans_staff_fulltext import _pdf
    from tests.workforce.factories import make_worker

    street = charge(world)
    k = keeper(world, "a")
    item = make_item(world, "a", title="调解协议书（电子版）", carrier="electronic",
                     files=[("协议.pdf", _pdf(["人民调解协议书", "楼上卫生间渗水赔偿二千元"]))])  # fmt: skip
    req = services.create_request(k, fonds=item.fonds, requester="周强", purpose="neighbour", items=[item.pk],
                                  mode="lend")  # fmt: skip
    services.move_request(k, req.pk, "approve")
    services.move_request(k, req.pk, "lend", due_on=timezone.localdate() + dt.timedelta(days=2))
    UseRequest.objects.filter(pk=req.pk).update(due_on=timezone.localdate() - dt.timedelta(days=4))
    w = make_worker(world, "a", name="宁档案")
    Worker.objects.filter(pk=w.pk).update(user=k)
    tr = wf.create_training(street, world.community("a").code, title="社区档案管理实务", organiser="其他",
                            kind="岗中培训", start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 2), days=2)  # fmt: skip
    wf.sign_in(street, tr.pk, w.pk, passed=True)
    t = new_tab()
    sign_in(t, k, {})
    t.goto("/archives/requests/")
    assert "已逾期未还" in t.page.inner_text("#overdue-alert")
    assert t.page.locator("#request-table tr[data-overdue]").count() == 1
    shoot(t, "archives-requests-overdue")
    t.goto("/archives/report/")
    staff = t.page.inner_text("#staff")
    assert "社区档案管理实务" in staff and "未记录培训" in staff
    shoot(t, "archives-report-staff")
    t.goto("/archives/?q=渗水赔偿")
    assert item.reference in t.page.inner_text("main")
    shoot(t, "archives-fulltext")
    assert not t.take_problems()
