"""Appraisal in a real browser (system Chromium, Playwright) against live_server: a community lead
opens a cycle (weights that do not add up to 100 are refused with their sum), enters the
organisation's scores on one sheet, prints one-time codes; two residents answer the phone form (one
with a code, one signed in), each refused when trying a second time; the lead closes the cycle and
reads the grades (the quota moving one worker down); a worker signs in and reads their own result.
Screenshots land in test-artifacts/screenshots/appraisal-*.png (the phone pages at a phone's size)."""

import datetime as dt

from shequ.core.models import Survey
from shequ.workforce.models import AppraisalCycle, AppraisalResult, CycleStatus
from tests.workforce.factories import make_worker

from .conftest import PHONE, Tab, shoot, sign_in

SCORES = (95, 92, 80, 65, 50)  # the organisation's score of each worker, the same in every dimension


def test_lead_runs_a_cycle_residents_answer_on_phones_worker_reads_their_result(world, new_tab):
    users, secrets = world.users, {}
    workers = [make_worker(world, "a", name=n, hired=dt.date(2012 + k, 3, 1))
               for k, n in enumerate(("周红", "吴磊", "郑洁", "冯涛", "陈静"))]  # fmt: skip

    lead = new_tab()
    sign_in(lead, users["community_lead"], secrets)
    lead.goto("/workforce/appraisals/new/")
    form = "#appraisal-form"
    lead.page.locator(f"{form} [name=scorers]").select_option("lead")
    lead.page.locator(f"{form} [name=w_xue]").fill("5")  # 20+15+15+30+10+5 = 95
    with lead.page.expect_navigation() as nav:
        lead.page.locator(f"{form} button[type=submit]").click()
    assert nav.value.status == 400
    lead.settle()
    assert "六项权重合计应为 100，现为 95" in lead.page.inner_text("main")
    lead.page.locator(f"{form} [name=w_xue]").fill("10")
    shoot(lead, "appraisal-new")
    with lead.page.expect_navigation():
        lead.page.locator(f"{form} button[type=submit]").click()
    lead.settle()
    cycle = AppraisalCycle.objects.get(org=world.a)
    assert lead.path() == f"/workforce/appraisals/{cycle.pk}/"
    assert "还有 5 人的组织考评分未录入" in lead.page.inner_text("#missing-scores")

    # The organisation's scores, all on one sheet.
    with lead.page.expect_navigation():
        lead.page.locator("#score-sheet-lead").click()
    lead.settle()
    for w, value in zip(workers, SCORES, strict=True):
        row = cycle.results.get(worker=w)
        for d in ("de", "neng", "qin", "ji", "lian", "xue"):
            lead.page.locator(f"[name=s-{row.pk}-{d}]").fill(str(value))
    shoot(lead, "appraisal-scores")
    with lead.page.expect_navigation():
        lead.page.locator("#score-form button[type=submit]").click()
    lead.settle()
    assert lead.page.locator("#missing-scores").count() == 0
    assert "已保存 5 人的社区负责人评分" in lead.page.inner_text("main")
    shoot(lead, "appraisal-cycle-open")

    # Codes for the residents, printed as slips.
    with lead.page.expect_navigation():
        lead.page.get_by_role("link", name="发放填写码").click()
    lead.settle()
    lead.page.locator("#codes-form [name=count]").fill("4")
    with lead.page.expect_navigation():
        lead.page.locator("#codes-form button[type=submit]").click()
    lead.settle()
    codes = [c.strip() for c in lead.page.locator("#code-sheet .sq-code").all_inner_texts()]
    assert len(codes) == 4 and len(set(codes)) == 4
    shoot(lead, "appraisal-code-sheet")
    survey = Survey.objects.get(purpose="workforce.appraisal", owner_id=str(cycle.pk))
    link = f"/s/{survey.token}/"

    # A resident with a code, on a phone.
    first = new_tab(PHONE)
    first.goto(link)
    shoot(first, "appraisal-phone-code")
    first.page.locator("#code-form [name=code]").fill(codes[0].lower())
    with first.page.expect_navigation():
        first.page.locator("#code-form button[type=submit]").click()
    first.settle()
    ratings = dict(zip(workers, (5, 5, 4, 3, 2), strict=True))
    _rate(first, survey, ratings)
    shoot(first, "appraisal-phone-form")
    with first.page.expect_navigation():
        first.page.locator("#survey-form button[type=submit]").click()
    first.settle()
    assert "提交成功" in first.page.inner_text("#survey-thanks")
    assert "5 · 非常满意" in first.page.inner_text("#survey-mine")
    shoot(first, "appraisal-phone-done")
    # The same code on another phone: refused.
    again = new_tab(PHONE)
    again.goto(link)
    again.page.locator("#code-form [name=code]").fill(codes[0])
    with again.page.expect_navigation() as nav:
        again.page.locator("#code-form button[type=submit]").click()
    assert nav.value.status == 409
    again.settle()
    assert "该填写码已使用过" in again.page.inner_text("#code-form")
    shoot(again, "appraisal-phone-code-used")

    # A resident signed in: the form opened twice, sent from the first; the second is refused.
    second = new_tab(PHONE)
    sign_in(second, users["resident"], secrets)
    second.goto(link)
    twin = Tab(second.context, second.base_url)  # the same resident's second tab
    twin.goto(link)
    _rate(second, survey, {w: 5 for w in workers[:2]} | {workers[2]: 4})
    with second.page.expect_navigation():
        second.page.locator("#survey-form button[type=submit]").click()
    second.settle()
    assert "您的答卷" in second.page.inner_text("#survey-mine")
    twin.page.locator(f"label[for=id_q{_question(survey, workers[0])}_4]").click()
    with twin.page.expect_navigation() as nav:
        twin.page.locator("#survey-form button[type=submit]").click()
    assert nav.value.status == 409
    twin.settle()
    assert "您已提交过本次问卷，每位居民只能填写一次" in twin.page.inner_text("#survey-refused")
    shoot(twin, "appraisal-phone-refused")
    assert survey.responses.count() == 2

    # The survey's results per question, as the lead reads them.
    lead.goto(f"/surveys/{survey.pk}/")
    assert "50.0%" in lead.page.inner_text("#response-rate")
    assert "平均 5.00 / 5" in lead.page.inner_text("#survey-results")
    shoot(lead, "appraisal-survey-results")

    # The lead links a worker's account, closes the cycle and reads the grades.
    lead.goto(f"/workforce/workers/{workers[2].pk}/account/")
    lead.submit("#main-form", {"username": users["community_worker"].username})
    lead.goto(f"/workforce/appraisals/{cycle.pk}/")
    assert "2 / 4" in lead.page.inner_text("#cycle-surveys")  # responses over the codes issued
    with lead.page.expect_navigation():
        lead.page.locator("#close-cycle").click()
    lead.settle()
    with lead.page.expect_navigation():
        lead.page.locator("#main-form button[type=submit]").click()
    lead.settle()
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED
    grades = {r.worker.name: (r.grade, r.demoted) for r in AppraisalResult.objects.filter(cycle=cycle)}
    # 周红 and 吴磊 both reach 优秀 (96.5, 94.4); one place (⌊5 × 20%⌋): 吴磊 falls to 称职.
    assert grades == {"周红": ("优秀", False), "吴磊": ("称职", True), "郑洁": ("称职", False),
                      "冯涛": ("基本称职", False), "陈静": ("不称职", False)}  # fmt: skip
    table = lead.page.inner_text("#appraisal-results")
    assert "超出“优秀”名额" in table and "不称职" in table
    shoot(lead, "appraisal-cycle-closed")
    lead.goto(f"/workforce/workers/{workers[0].pk}/awards/new/")
    lead.submit(
        "#main-form", {"title": "十佳社区干部", "awarded_on": "2025-12-28", "body": "中共江夏区委组织部"}
    )
    assert lead.path() == f"/workforce/workers/{workers[0].pk}/"
    assert "历年考核" in lead.page.inner_text("#worker-appraisal")
    assert "十佳社区干部" in lead.page.inner_text("#worker-appraisal")
    shoot(lead, "appraisal-worker-page")
    lead.goto("/workforce/recognition/")
    assert "十佳社区干部" in lead.page.inner_text("#awards")
    shoot(lead, "appraisal-recognition")
    lead.assert_clean("the lead's appraisal")

    # The worker reads their own result (and only theirs).
    worker = new_tab()
    sign_in(worker, users["community_worker"], secrets)
    worker.goto("/workforce/appraisals/mine/")
    assert worker.page.inner_text("#my-latest-grade").strip() == "称职"
    body = worker.page.inner_text("main")
    assert "郑洁" in body and "周红" not in body
    shoot(worker, "appraisal-mine")
    worker.goto(f"/workforce/appraisals/{cycle.pk}/", status=404)
    worker.assert_clean("the worker's own results")
    for t in (first, again, second, twin):
        t.assert_clean("the residents' phones")


def _question(survey, worker) -> int:
    return survey.questions.get(ref=f"worker:{worker.pk}").pk


def _rate(tab, survey, ratings: dict) -> None:
    """Tap each worker's rating (5 is the first button, 1 the last)."""
    for w, r in ratings.items():
        tab.page.locator(f"label[for=id_q{_question(survey, w)}_{5 - r}]").click()
