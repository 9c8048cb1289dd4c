"""Appraisal: the rules a cycle is opened with (refusals with their reasons), the organisation's
scores, the residents' ratings through the survey engine, closing (missing scores named), the
computation of totals, ranks, grades with quotas and advice, appraisal_ok, who sees what, and the
API."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from shequ.core import surveys
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import Survey
from shequ.core.roles import Role
from shequ.core.testing.world import make_user
from shequ.workforce.models import AppraisalCycle, AppraisalResult, CycleStatus
from shequ.workforce.services import appraisal as service
from tests.workforce.factories import make_worker

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YEAR = TODAY.year


def team(world, side="a", n=6):
    return [
        make_worker(world, side, name=f"{'甲乙'[side == 'b']}员{k}", hired=dt.date(2010 + k, 3, 1))
        for k in range(n)
    ]


def open_cycle(world, side="a", *, who="street", year=YEAR, **kw):
    kw.setdefault("survey_opens", TODAY - dt.timedelta(days=1))
    kw.setdefault("survey_closes", TODAY + dt.timedelta(days=10))
    return service.create_cycle(world.users[who], world.community(side).code, year=year, **kw)


def uniform(value) -> dict:
    return {d: value for d in ("de", "neng", "qin", "ji", "lian", "xue")}


def score(world, cycle, worker, street=None, lead=None):
    if street is not None:
        service.enter_scores(
            world.users["street"], cycle.pk, worker.pk, scores=uniform(street), scorer="street"
        )
    if lead is not None:
        service.enter_scores(world.users["community_lead"], cycle.pk, worker.pk, scores=uniform(lead))


def the_survey(cycle, side_code) -> Survey:
    return Survey.objects.get(purpose="workforce.appraisal", owner_id=str(cycle.pk), scope_code=side_code)


def rate(survey, code, ratings: dict):
    """One resident's response: ratings by worker (a worker left out is not rated)."""
    by_ref = {q.ref: q.pk for q in survey.questions.all()}
    answers = {str(by_ref[f"worker:{w.pk}"]): r for w, r in ratings.items()}
    return surveys.submit_response(survey, answers, code=code)


# --- rules -----------------------------------------------------------------------------------------------
def test_weights_must_add_up_to_100_and_the_sum_is_said(world):
    team(world, n=2)
    with pytest.raises(ValidationFailed) as exc:
        open_cycle(world, weights={"de": 20, "neng": 15, "qin": 15, "ji": 25, "lian": 10, "xue": 10})
    assert "合计应为 100，现为 95" in exc.value.message and exc.value.details["weights"]
    with pytest.raises(ValidationFailed, match="缺少“学”的权重"):
        open_cycle(world, weights={"德": 20, "能": 20, "勤": 20, "绩": 30, "廉": 10})
    cycle = open_cycle(world, weights={"德": 10, "能": 20, "勤": 20, "绩": 30, "廉": 10, "学": 10})
    assert cycle.weights == {"de": 10, "neng": 20, "qin": 20, "ji": 30, "lian": 10, "xue": 10}


@pytest.mark.parametrize(
    ("grades", "message"),
    [
        (
            [{"name": "优秀", "min": 90}, {"name": "合格", "min": 95}, {"name": "不合格", "min": 0}],
            "从高到低",
        ),
        (
            [{"name": "优秀", "min": 90, "passing": True}, {"name": "其他", "min": 10}],
            "最低等次（其他）的分数线应为 0",
        ),
        ([{"name": "甲", "min": 80}, {"name": "甲", "min": 0}], "重复"),
        ([{"name": "优秀", "min": 80}, {"name": "不合格", "min": 0}], "至少要有一个等次算作合格"),
        (
            [{"name": "优秀", "min": 80, "quota": 0, "passing": True}, {"name": "一般", "min": 0}],
            "名额比例应大于 0",
        ),
    ],
)
def test_bad_grades_are_refused(world, grades, message):
    team(world, n=1)
    with pytest.raises(ValidationFailed, match=message):
        open_cycle(world, grades=grades)


def test_one_annual_appraisal_a_year_per_worker(world):
    team(world, n=2)
    open_cycle(world)
    with pytest.raises(Conflict, match="已有"):
        open_cycle(world)
    with pytest.raises(Conflict, match="一人一年只参加一次年度考核"):
        service.create_cycle(world.users["street"], world.street.code, year=YEAR, org_share=100)
    assert open_cycle(world, kind="term", org_share=100).kind == "term"  # the end of term is another one


def test_a_cycle_opens_a_survey_per_community_with_a_question_per_worker(world):
    a, b = team(world, "a", 3), team(world, "b", 2)
    office = make_worker(world, "a")
    from shequ.workforce.models import Worker

    Worker.objects.filter(pk=office.pk).update(
        org=world.street, scope_code=world.street.code
    )  # street office
    cycle = service.create_cycle(world.users["street"], world.street.code, year=YEAR, survey_opens=TODAY,
                                 survey_closes=TODAY + dt.timedelta(days=7))  # fmt: skip
    assert cycle.results.count() == 6
    sa, sb = the_survey(cycle, world.a.code), the_survey(cycle, world.b.code)
    assert sorted(q.ref for q in sa.questions.all() if q.ref) == sorted(f"worker:{w.pk}" for w in a)
    assert sorted(q.ref for q in sb.questions.all() if q.ref) == sorted(f"worker:{w.pk}" for w in b)
    assert not Survey.objects.filter(owner_id=str(cycle.pk), scope_code=world.street.code).exists()
    # The street office's own worker is scored by the street alone.
    street_row = cycle.results.get(worker=office)
    assert service.needed_for(cycle, street_row) == ("street",)


def test_no_survey_without_residents_share(world):
    team(world, n=2)
    cycle = open_cycle(world, org_share=100)
    assert not service.cycle_surveys(cycle).exists() and cycle.survey_opens is None


def test_residents_share_needs_survey_dates(world):
    team(world, n=1)
    with pytest.raises(ValidationFailed, match="群众评的开始和截止日期"):
        open_cycle(world, survey_opens=None, survey_closes=None)


# --- scores --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [105, -1, "abc", "80.25"])
def test_a_score_outside_0_to_100_is_refused(world, bad):
    w = team(world, n=1)[0]
    cycle = open_cycle(world)
    with pytest.raises(ValidationFailed) as exc:
        service.enter_scores(
            world.users["street"], cycle.pk, w.pk, scores={**uniform(80), "ji": bad}, scorer="street"
        )
    assert "“绩”的得分" in exc.value.message
    assert not cycle.results.get(worker=w).street_score


def test_scores_are_weighted_and_can_be_corrected_until_closing(world):
    w = team(world, n=1)[0]
    cycle = open_cycle(world)
    s = service.enter_scores(world.users["street"], cycle.pk, w.pk, scorer="street",
                             scores={"德": 90, "能": 80, "勤": 70, "绩": 85.5, "廉": 100, "学": 60})  # fmt: skip
    # 90×20 + 80×15 + 70×15 + 85.5×30 + 100×10 + 60×10 = 8215 → 82.15
    assert s.total == Decimal("82.15") and cycle.results.get(worker=w).street_score == Decimal("82.15")
    service.enter_scores(world.users["street"], cycle.pk, w.pk, scores=uniform(70), scorer="street")
    assert cycle.results.get(worker=w).street_score == Decimal("70.00")


def test_who_scores_as_whom(world):
    w = team(world, n=1)[0]
    cycle = open_cycle(world)
    assert (
        service.enter_scores(world.users["community_lead"], cycle.pk, w.pk, scores=uniform(80)).scorer
        == "lead"
    )
    with pytest.raises(Forbidden, match="不能以“街道”的身份评分"):
        service.enter_scores(
            world.users["community_lead"], cycle.pk, w.pk, scores=uniform(80), scorer="street"
        )
    with pytest.raises(NotFound):  # the roster's readers do not read appraisals
        service.enter_scores(world.users["community_worker"], cycle.pk, w.pk, scores=uniform(80))
    street_only = open_cycle(world, kind="term", scorers="street", org_share=100)
    with pytest.raises(ValidationFailed, match="不是本次考核的评分方"):
        service.enter_scores(world.users["community_lead"], street_only.pk, w.pk, scores=uniform(80))


def test_closing_with_missing_scores_says_whose(world):
    w1, w2, w3 = team(world, n=3)
    cycle = open_cycle(world)
    score(world, cycle, w1, street=80, lead=80)
    score(world, cycle, w2, street=80)
    with pytest.raises(Conflict) as exc:
        service.close_cycle(world.users["community_lead"], cycle.pk)
    assert (
        exc.value.message
        == f"以下人员的组织考评分尚未录入，不能结束考核：{w2.name}（社区负责人）、{w3.name}（街道、社区负责人）。"
    )
    assert [m["name"] for m in exc.value.details["missing"]] == [w2.name, w3.name]
    assert AppraisalCycle.objects.get(pk=cycle.pk).status == CycleStatus.OPEN


# --- the computation ----------------------------------------------------------------------------------
def test_results_grades_quota_and_advice(world):
    w1, w2, w3, w4, w5, w6 = team(world, n=6)
    lead = world.users["community_lead"]
    # Last year, without 群众评: w5 failed, everyone else passed.
    before = open_cycle(world, year=YEAR - 1, org_share=100, scorers="street")
    for w in (w1, w2, w3, w4, w6):
        score(world, before, w, street=85)
    score(world, before, w5, street=55)
    service.close_cycle(world.users["street"], before.pk)
    cycle = open_cycle(world)
    for w, street, lead_score in (
        (w1, 95, 97),
        (w2, 94, 94),
        (w3, 80, 80),
        (w4, 65, 65),
        (w5, 50, 50),
        (w6, 96, 92),
    ):
        score(world, cycle, w, street=street, lead=lead_score)
    survey = the_survey(cycle, world.a.code)
    _b, codes = surveys.issue_codes(lead, survey.pk, 3)
    rate(survey, codes[0], {w1: 5, w2: 5, w3: 4, w4: 3, w5: 1, w6: 5})
    rate(survey, codes[1], {w1: 5, w2: 4, w3: 4, w4: 3, w5: 2})
    service.close_cycle(lead, cycle.pk)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED and cycle.closed_at is not None
    survey.refresh_from_db()
    assert survey.closed_at is not None  # no answer after closing
    r = {x.worker_id: x for x in AppraisalResult.objects.filter(cycle=cycle)}
    # organisation = (street + lead) / 2; residents = average × 20; total = 70% + 30%.
    assert (r[w1.pk].org_score, r[w1.pk].resident_score, r[w1.pk].total) == (
        Decimal("96.00"),
        Decimal("100.00"),
        Decimal("97.20"),
    )
    assert (r[w2.pk].resident_count, r[w2.pk].resident_average, r[w2.pk].total) == (
        2,
        Decimal("4.50"),
        Decimal("92.80"),
    )
    assert r[w6.pk].resident_count == 1 and r[w6.pk].total == Decimal("95.80")
    assert [r[w.pk].total for w in (w3, w4, w5)] == [Decimal("80.00"), Decimal("63.50"), Decimal("44.00")]
    # 优秀 holds ⌊6 × 20%⌋ = 1: w6 and w2 reach 90 but rank below w1 and fall to 称职.
    assert [(r[w.pk].rank, r[w.pk].grade, r[w.pk].demoted) for w in (w1, w6, w2, w3, w4, w5)] == [
        (1, "优秀", False), (2, "称职", True), (3, "称职", True), (4, "称职", False), (5, "基本称职", False),
        (6, "不称职", False)]  # fmt: skip
    assert "超出“优秀”名额" in r[w6.pk].note
    assert r[w1.pk].coefficient == Decimal("1.20") and r[w1.pk].step_eligible and r[w1.pk].renew_advised
    assert not r[w4.pk].passed and r[w4.pk].renew_advised and not r[w4.pk].step_eligible
    assert r[w5.pk].exit_advised and "连续两次考核为不称职" in r[w5.pk].note and not r[w5.pk].renew_advised
    assert not r[w4.pk].exit_advised
    # The pay scheme's rule: the last two annual grades passing.
    assert service.appraisal_ok(w1.pk, 2) and service.appraisal_ok(w6.pk, 2)
    assert not service.appraisal_ok(w4.pk, 2) and service.appraisal_ok(w4.pk, 0)
    assert not service.appraisal_ok(w1.pk, 3)  # only two on record
    with pytest.raises(Conflict, match="已于"):
        service.close_cycle(lead, cycle.pk)
    with pytest.raises(Conflict, match="已结束"):
        score(world, cycle, w1, street=10)


def test_a_worker_no_resident_rated_is_scored_on_the_organisation_alone(world):
    w1, w2 = team(world, n=2)
    cycle = open_cycle(world, scorers="either")
    score(world, cycle, w1, street=80)
    score(world, cycle, w2, lead=70)
    service.close_cycle(world.users["street"], cycle.pk)
    r = AppraisalResult.objects.get(cycle=cycle, worker=w1)
    assert r.resident_score is None and r.total == Decimal("80.00") and "无居民评价" in r.note


def test_ties_are_broken_by_organisation_then_residents_then_service():
    rows = [
        {
            "id": 1,
            "total": Decimal(92),
            "org": Decimal(90),
            "resident": Decimal(96),
            "hired_on": dt.date(2015, 1, 1),
        },
        {
            "id": 2,
            "total": Decimal(92),
            "org": Decimal(92),
            "resident": Decimal(88),
            "hired_on": dt.date(2018, 1, 1),
        },
        {
            "id": 3,
            "total": Decimal(92),
            "org": Decimal(90),
            "resident": Decimal(96),
            "hired_on": dt.date(2012, 1, 1),
        },
        {
            "id": 4,
            "total": Decimal(92),
            "org": Decimal(90),
            "resident": None,
            "hired_on": dt.date(2010, 1, 1),
        },
        {
            "id": 5,
            "total": Decimal(50),
            "org": Decimal(50),
            "resident": None,
            "hired_on": dt.date(2010, 1, 1),
        },
    ]
    grades = [{"name": "优秀", "min": 90, "quota": 20}, {"name": "称职", "min": 70, "quota": None},
              {"name": "不称职", "min": 0, "quota": None}]  # fmt: skip
    service.assign_grades(rows, grades)
    assert [(r["id"], r["rank"], r["grade"], r["demoted"]) for r in rows] == [
        (2, 1, 0, False), (3, 2, 1, True), (1, 3, 1, True), (4, 4, 1, True), (5, 5, 2, False)]  # fmt: skip


def test_quotas_cascade_from_the_top():
    rows = [{"id": k, "total": Decimal(95 - k), "org": Decimal(95 - k), "resident": None, "hired_on": dt.date(2010, 1, 1)}
            for k in range(10)]  # fmt: skip
    grades = [{"name": "优秀", "min": 90, "quota": 20}, {"name": "良好", "min": 80, "quota": 30},
              {"name": "合格", "min": 0, "quota": None}]  # fmt: skip
    service.assign_grades(rows, grades)
    # 6 reach 90: 2 stay 优秀, 4 fall to 良好, which holds 3: the lowest of them falls again.
    assert [r["grade"] for r in rows] == [0, 0, 1, 1, 1, 2, 2, 2, 2, 2]


# --- the residents' form ------------------------------------------------------------------------------
def test_a_resident_fills_the_form_once(world):
    w1, w2 = team(world, n=2)
    cycle = open_cycle(world)
    survey = the_survey(cycle, world.a.code)
    resident = make_user("r_apprasial", Role.RESIDENT, world.a)
    by_ref = {q.ref: q.pk for q in survey.questions.all()}
    surveys.submit_response(survey, {str(by_ref[f"worker:{w1.pk}"]): 5}, user=resident)
    with pytest.raises(Conflict) as exc:
        surveys.submit_response(survey, {str(by_ref[f"worker:{w2.pk}"]): 4}, user=resident)
    assert exc.value.message == "您已提交过本次问卷，每位居民只能填写一次。"


# --- who sees what ---------------------------------------------------------------------------------------
def _closed_cycle(world):
    w1, w2 = team(world, n=2)
    cycle = open_cycle(world, org_share=100, scorers="lead")
    score(world, cycle, w1, lead=91)
    score(world, cycle, w2, lead=75)
    service.close_cycle(world.users["community_lead"], cycle.pk)
    return cycle, w1, w2


def test_a_worker_sees_their_own_results_and_nobody_elses(world):
    cycle, w1, w2 = _closed_cycle(world)
    me = world.users["community_worker"]
    from shequ.workforce.models import Worker

    Worker.objects.filter(pk=w2.pk).update(user=me)
    page = world.client(me).get("/workforce/appraisals/mine/")
    body = page.content.decode()
    assert page.status_code == 200 and cycle.title in body and "称职" in body and "75.00" in body
    assert "91.00" not in body
    assert list(AppraisalResult.objects.visible_to(me).values_list("worker_id", flat=True)) == [w2.pk]
    # The cycle's pages and the colleague's record stay closed to a community worker.
    c = world.client(me)
    assert c.get("/workforce/appraisals/").status_code == 403
    assert c.get(f"/workforce/appraisals/{cycle.pk}/").status_code == 404
    own = c.get(f"/workforce/workers/{w2.pk}/").content.decode()
    other = c.get(f"/workforce/workers/{w1.pk}/").content.decode()
    assert "历年考核" in own and "75.00" in own
    assert "历年考核" not in other and "91.00" not in other and "表彰与成长" in other
    token = world.token(me)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert [x["worker_id"] for x in api.get("/api/v1/workforce/appraisal/mine").json()] == [w2.pk]
    assert api.get(f"/api/v1/workforce/appraisal/cycles/{cycle.pk}/results").status_code == 404


def test_results_never_reach_departments_grid_workers_or_residents(world):
    cycle, w1, _w2 = _closed_cycle(world)
    for role in ("department", "grid_worker", "resident", "community_worker_b"):
        c = world.client(world.users[role])
        assert c.get(f"/workforce/appraisals/{cycle.pk}/").status_code in (403, 404), role
        assert c.get("/workforce/appraisals/mine/").status_code == 403, role
        assert not AppraisalResult.objects.visible_to(world.users[role]).exists(), role
    lead = world.client(world.users["community_lead"]).get(f"/workforce/workers/{w1.pk}/").content.decode()
    assert "历年考核" in lead and "91.00" in lead


def test_a_lead_scores_their_own_community_in_the_streets_cycle(world):
    a, b = team(world, "a", 2), team(world, "b", 2)
    cycle = service.create_cycle(world.users["street"], world.street.code, year=YEAR, org_share=100)
    lead = world.users["community_lead"]
    assert AppraisalCycle.objects.visible_to(lead).filter(pk=cycle.pk).exists()
    seen = set(
        AppraisalResult.objects.visible_to(lead).filter(cycle=cycle).values_list("worker_id", flat=True)
    )
    assert seen == {w.pk for w in a}
    service.enter_scores(lead, cycle.pk, a[0].pk, scores=uniform(88))
    with pytest.raises(NotFound):
        service.enter_scores(lead, cycle.pk, b[0].pk, scores=uniform(88))
    page = world.client(lead).get(f"/workforce/appraisals/{cycle.pk}/").content.decode()
    assert a[0].name in page and b[0].name not in page


# --- pages ------------------------------------------------------------------------------------------------
def test_create_score_sheet_and_close_pages(world):
    workers = team(world, n=3)
    lead = world.client(world.users["community_lead"])
    data = {"org": world.a.code, "year": YEAR, "kind": "annual", "org_share": 60, "scorers": "lead", "street_share": 50,
            "survey_opens": TODAY, "survey_closes": TODAY + dt.timedelta(days=5), "verify": "code",
            "w_de": 20, "w_neng": 20, "w_qin": 20, "w_ji": 20, "w_lian": 10, "w_xue": 5}  # fmt: skip
    for i, (name, low, quota, k) in enumerate((("优秀", 90, 20, "1.2"), ("称职", 70, "", "1"), ("基本称职", 60, "", "0.8"),
                                                ("不称职", 0, "", "0")), start=1):  # fmt: skip
        data.update({f"g{i}_name": name, f"g{i}_min": low, f"g{i}_quota": quota, f"g{i}_coefficient": k})
    refused = lead.post("/workforce/appraisals/new/", data)
    assert refused.status_code == 400 and "现为 95" in refused.content.decode()
    data["w_xue"] = 10
    made = lead.post("/workforce/appraisals/new/", data)
    assert made.status_code == 302
    cycle = AppraisalCycle.objects.get(org=world.a, year=YEAR)
    detail = lead.get(made["Location"]).content.decode()
    assert (
        "组织考 60% + 群众评 40%" in detail
        and "发放填写码" in detail
        and "还有 3 人的组织考评分未录入" in detail
    )
    sheet = f"/workforce/appraisals/{cycle.pk}/scores/"
    assert lead.get(sheet).status_code == 200
    post = {"as": "lead"}
    for k, w in enumerate(workers):
        r = cycle.results.get(worker=w)
        for d in ("de", "neng", "qin", "ji", "lian", "xue"):
            post[f"s-{r.pk}-{d}"] = str(90 - k * 10)
    post[f"s-{cycle.results.get(worker=workers[2]).pk}-ji"] = "120"
    bad = lead.post(sheet, post)
    assert bad.status_code == 400 and "应在 0 到 100 之间" in bad.content.decode()
    assert not cycle.results.filter(lead_score__isnull=False).exists()  # all or nothing
    post[f"s-{cycle.results.get(worker=workers[2]).pk}-ji"] = "70"
    assert lead.post(sheet, post).status_code == 302
    assert lead.post(f"/workforce/appraisals/{cycle.pk}/close/", {}).status_code == 302
    page = lead.get(f"/workforce/appraisals/{cycle.pk}/").content.decode()
    assert "已结束" in page and "优秀" in page and "名次" in page


# --- API ---------------------------------------------------------------------------------------------------
def _api(world, who):
    return Client(headers={"Authorization": f"Bearer {world.token(world.users[who])}"})


def _post(c, path, body):
    return c.post(path, json.dumps(body), content_type="application/json")


def test_api_cycle_scores_close_results(world):
    w1, w2 = team(world, n=2)
    c = _api(world, "street")
    base = "/api/v1/workforce/appraisal/cycles"
    bad = _post(c, base, {"org": world.a.code, "year": YEAR, "org_share": 100,
                          "weights": {"de": 30, "neng": 15, "qin": 15, "ji": 30, "lian": 10, "xue": 10}})  # fmt: skip
    assert bad.status_code == 400 and "现为 110" in bad.json()["message"]
    made = _post(c, base, {"org": world.a.code, "year": YEAR, "org_share": 100, "scorers": "street"})
    assert made.status_code == 201, made.content
    cid = made.json()["id"]
    assert made.json()["participants"] == 2 and made.json()["grades"][0]["name"] == "优秀"
    out = _post(c, f"{base}/{cid}/scores", {"worker_id": w1.pk, **uniform("100.5")})
    assert out.status_code == 400 and "0 到 100" in out.json()["message"]
    early = _post(c, f"{base}/{cid}/close", {})
    assert early.status_code == 409 and early.json()["code"] == "scores_missing"
    for w, v in ((w1, "88"), (w2, 72)):
        assert _post(c, f"{base}/{cid}/scores", {"worker_id": w.pk, **uniform(v)}).status_code == 200
    closed = _post(c, f"{base}/{cid}/close", {})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    rows = c.get(f"{base}/{cid}/results").json()
    assert [(x["name"], x["total"], x["grade"]) for x in rows] == [
        (w1.name, "88.00", "称职"),
        (w2.name, "72.00", "称职"),
    ]
    assert c.get(base).json()["items"][0]["id"] == cid
    assert _api(world, "community_worker").get(base).status_code == 403


def test_a_worker_who_left_unscored_is_not_appraised(world):
    from shequ.workforce import services as roster

    stay, leave = team(world, n=2)
    cycle = open_cycle(world, org_share=100, scorers="street")
    score(world, cycle, stay, street=82)
    roster.record_exit(world.users["street"], leave.pk, on=TODAY, reason="辞职")
    assert [r.worker_id for r, _who in service.missing_scores(cycle)] == []
    service.close_cycle(world.users["street"], cycle.pk)
    assert list(cycle.results.values_list("worker_id", "grade")) == [(stay.pk, "称职")]
