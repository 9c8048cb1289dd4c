"""The survey engine: creating, codes (kept as digests, each usable once), answering once per
resident or household (also when two submissions arrive at once), results per question and the
response rate, the residents' phone page and the public API."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from shequ.core import surveys
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import ChangeLogEntry, SurveyCode, SurveyResponse
from shequ.core.roles import Role
from shequ.core.testing.concurrency import needs_pg, race
from shequ.core.testing.world import make_user

pytestmark = pytest.mark.django_db
ALREADY = "您已提交过本次问卷，每位居民只能填写一次"


def make_survey(world, side="a", *, verify="either", per="resident", who=None, **kw):
    today = timezone.localdate()
    unit = world.community(side)
    user = world.users[who or ("community_lead" if side == "a" else "street")]
    questions = kw.pop(
        "questions",
        [
            {"kind": "rating", "text": "您对社区服务的总体评价"},
            {
                "kind": "choice",
                "text": "您最常去的地方",
                "options": ["党群服务中心", "卫生服务站", "文体活动室"],
            },
            {"kind": "text", "text": "意见建议", "required": False},
        ],
    )
    return surveys.create_survey(
        user, unit.code, title=kw.pop("title", f"{unit.name}满意度调查"), opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=7), verify=verify, per=per, questions=questions, **kw,
    )  # fmt: skip


def answers(survey, rating=5, option=0, text=""):
    q = list(survey.questions.all())
    out = {str(q[0].pk): rating, str(q[1].pk): option}
    if text:
        out[str(q[2].pk)] = text
    return out


def resident(world, name, side="a", phone=""):
    u = make_user(name, Role.RESIDENT, world.community(side))
    if phone:
        u.phone = phone
        u.save()
    return u


# --- creating ------------------------------------------------------------------------------------
def test_create_with_questions_in_order(world):
    s = make_survey(world)
    assert [q.position for q in s.questions.all()] == [1, 2, 3]
    assert s.scope_code == world.a.code and len(s.token) >= 16
    assert ChangeLogEntry.objects.filter(object_id=str(s.pk), action="create").exists()


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([{"kind": "choice", "text": "只有一个选项", "options": ["是"]}], "2 到 20 个选项"),
        ([{"kind": "choice", "text": "重复", "options": ["是", "是"]}], "不能重复"),
        ([{"kind": "essay", "text": "题型不对"}], "题型应为"),
        ([{"kind": "rating", "text": ""}], "请填写题目"),
    ],
)
def test_bad_questions_are_refused(world, questions, message):
    with pytest.raises(ValidationFailed) as exc:
        make_survey(world, questions=questions)
    assert message in exc.value.message


def test_closing_before_opening_is_refused(world):
    today = timezone.localdate()
    with pytest.raises(ValidationFailed, match="截止日期不能早于开始日期"):
        surveys.create_survey(world.users["community_lead"], world.a.code, title="x", opens_on=today,
                              closes_on=today - dt.timedelta(days=1))  # fmt: skip


def test_outside_ones_scope_and_without_the_right(world):
    with pytest.raises(NotFound):
        make_survey(world, "b", who="community_lead")  # the lead of a, for community b
    with pytest.raises(Forbidden):
        make_survey(world, who="community_worker")  # reads results, does not run surveys


def test_questions_are_fixed_once_someone_answered(world):
    s = make_survey(world, verify="login")
    surveys.add_question(world.users["community_lead"], s.pk, kind="rating", text="环境卫生", required=False)
    surveys.submit_response(s, answers(s), user=resident(world, "r1"))
    with pytest.raises(Conflict, match="已有居民作答"):
        surveys.add_question(world.users["community_lead"], s.pk, kind="rating", text="治安")


# --- codes ---------------------------------------------------------------------------------------
def test_codes_are_kept_only_as_digests_and_usable_once(world):
    s = make_survey(world, verify="code")
    batch, codes = surveys.issue_codes(world.users["community_lead"], s.pk, 5)
    assert batch == 1 and len(set(codes)) == 5 and all(len(c) == 9 and c[4] == "-" for c in codes)
    stored = list(SurveyCode.objects.filter(survey=s).values_list("digest", flat=True))
    assert not any(surveys.normalize_code(c) in d for c in codes for d in stored)
    surveys.submit_response(s, answers(s), code=codes[0].lower().replace("-", " "))  # as typed on a phone
    with pytest.raises(Conflict) as exc:
        surveys.submit_response(s, answers(s), code=codes[0])
    assert exc.value.message == "该填写码已使用过，每个填写码只能使用一次。"
    with pytest.raises(ValidationFailed, match="填写码不正确"):
        surveys.submit_response(s, answers(s), code="ABCD-EFGH")
    assert surveys.issue_codes(world.users["community_lead"], s.pk, 3)[0] == 2
    assert [(b["batch"], b["count"], b["used"]) for b in surveys.code_batches(s)] == [(1, 5, 1), (2, 3, 0)]


def test_a_code_of_another_survey_does_not_open_this_one(world):
    s1, s2 = make_survey(world, verify="code"), make_survey(world, verify="code", title="另一份问卷")
    _b, codes = surveys.issue_codes(world.users["community_lead"], s1.pk, 1)
    with pytest.raises(ValidationFailed, match="填写码不正确"):
        surveys.submit_response(s2, answers(s2), code=codes[0])


def test_guessing_codes_is_stopped(world):
    s = make_survey(world, verify="code")
    for k in range(surveys.CODE_FAILURES_PER_HOUR):
        with pytest.raises(ValidationFailed):
            surveys.check_code(s, f"WRONG{k:03d}", ip="203.0.113.9")
    with pytest.raises(Conflict) as exc:
        surveys.check_code(s, "WRONGXXX", ip="203.0.113.9")
    assert exc.value.status == 429
    with pytest.raises(ValidationFailed):  # another address is not held back
        surveys.check_code(s, "WRONGYYY", ip="198.51.100.1")


def test_codes_only_for_a_survey_that_takes_them(world):
    s = make_survey(world, verify="login")
    with pytest.raises(Conflict, match="不使用填写码"):
        surveys.issue_codes(world.users["community_lead"], s.pk, 5)


# --- once per resident or household ----------------------------------------------------------------
def test_a_resident_answers_once(world):
    s = make_survey(world, verify="login")
    r = resident(world, "sunli")
    surveys.submit_response(s, answers(s), user=r)
    with pytest.raises(Conflict) as exc:
        surveys.submit_response(s, answers(s, rating=1), user=r)
    assert exc.value.message == ALREADY + "。" and exc.value.code == "already_answered"
    assert SurveyResponse.objects.filter(survey=s).count() == 1


def test_the_respondent_is_not_stored_as_a_name_or_an_account(world):
    s = make_survey(world, verify="login")
    r = resident(world, "zhoumin")
    resp = surveys.submit_response(s, answers(s), user=r)
    # A keyed digest: 64 hex digits, not the account's id or name.
    assert re.fullmatch(r"[0-9a-f]{64}", resp.respondent) and resp.respondent not in (
        str(r.pk),
        f"user:{r.pk}",
    )
    entry = ChangeLogEntry.objects.get(object_id=str(resp.pk), content_type__model="surveyresponse")
    assert entry.user is None and entry.username == ""


def test_residents_of_another_community_and_staff_need_a_code(world):
    s = make_survey(world, verify="login")
    with pytest.raises(ValidationFailed, match="只接受本社区登记的居民"):
        surveys.submit_response(s, answers(s), user=resident(world, "r_b", side="b"))
    with pytest.raises(ValidationFailed, match="只接受本社区登记的居民"):
        surveys.submit_response(s, answers(s), user=world.users["community_worker"])


def test_one_response_per_household(world):
    from shequ.people.models import Resident
    from tests.people.factories import make_household, new_doc_number

    hh = make_household(world, "a")
    spouse = Resident.objects.create(community=world.a, house=hh.house, household=hh, name="户内成员",
                                     doc_number=new_doc_number(), phone="13712340001")  # fmt: skip
    s = make_survey(world, verify="login", per="household")
    surveys.submit_response(s, answers(s), user=resident(world, "hh_head", phone=hh.head.phone))
    with pytest.raises(Conflict) as exc:
        surveys.submit_response(s, answers(s), user=resident(world, "hh_member", phone=spouse.phone))
    assert exc.value.message == "您家已提交过本次问卷，每户只能填写一次。"
    stranger = resident(world, "no_household", phone="13900001111")
    with pytest.raises(ValidationFailed, match="没有找到您所在的户"):
        surveys.submit_response(s, answers(s), user=stranger)


def test_answers_are_checked_against_the_questions(world):
    s = make_survey(world, verify="login")
    q = list(s.questions.all())
    r = resident(world, "checker")
    with pytest.raises(ValidationFailed) as exc:
        surveys.submit_response(s, {str(q[1].pk): 0}, user=r)
    assert exc.value.details == {f"q{q[0].pk}": ["第 1 题为必答题。"]}
    with pytest.raises(ValidationFailed, match="不在可选范围内"):
        surveys.submit_response(s, {str(q[0].pk): 6, str(q[1].pk): 0}, user=r)
    with pytest.raises(ValidationFailed, match="不在可选范围内"):
        surveys.submit_response(s, {str(q[0].pk): 3, str(q[1].pk): 3}, user=r)
    with pytest.raises(ValidationFailed, match="不在本问卷中"):
        surveys.submit_response(s, {**answers(s), "999999": 1}, user=r)
    assert not SurveyResponse.objects.filter(survey=s).exists()


def test_no_answer_before_opening_or_after_closing(world):
    s = make_survey(world, verify="login")
    r = resident(world, "late")
    later = timezone.now() + dt.timedelta(days=30)
    with pytest.raises(Conflict, match="截止"):
        surveys.submit_response(s, answers(s), user=r, now=later)
    with pytest.raises(Conflict, match="起开始填写"):
        surveys.submit_response(s, answers(s), user=r, now=timezone.now() - dt.timedelta(days=5))
    surveys.close_survey(world.users["community_lead"], s.pk)
    with pytest.raises(Conflict, match="截止"):
        surveys.submit_response(s, answers(s), user=r)


# --- results ---------------------------------------------------------------------------------------
def test_results_per_question_and_the_response_rate(world):
    s = make_survey(world, verify="code")
    _b, codes = surveys.issue_codes(world.users["community_lead"], s.pk, 8)
    for code, rating, option, text in (
        (codes[0], 5, 0, "路灯坏了"),
        (codes[1], 4, 0, ""),
        (codes[2], 4, 2, "谢谢"),
    ):
        surveys.submit_response(s, answers(s, rating, option, text), code=code)
    data = surveys.results(s)
    assert (data["responses"], data["eligible"], data["rate"]) == (3, 8, 37.5)  # 3 of 8 codes
    assert data["basis"] == "按已发放的填写码"
    rating, choice, text = data["questions"]
    assert rating["answered"] == 3 and str(rating["average"]) == "4.33"
    assert [n for _l, n, _p in rating["counts"]] == [1, 2, 0, 0, 0]  # 5 … 1
    assert [(label, n) for label, n, _p in choice["counts"]] == [
        ("党群服务中心", 2),
        ("卫生服务站", 0),
        ("文体活动室", 1),
    ]
    assert str(choice["counts"][0][2]) == "66.7"
    assert text["answered"] == 2 and set(text["texts"]) == {"路灯坏了", "谢谢"}


def test_the_rate_over_the_registry_or_a_number_set(world):
    from tests.people.factories import make_resident

    for _k in range(4):
        make_resident(world, "a", birth_date=dt.date(1980, 1, 1))
    make_resident(world, "a", birth_date=timezone.localdate() - dt.timedelta(days=365 * 10))  # a child
    s = make_survey(world, verify="login")
    surveys.submit_response(s, answers(s), user=resident(world, "rate1"))
    assert surveys.response_rate(s)["eligible"] == 4 and surveys.response_rate(s)["rate"] == 25
    fixed = make_survey(world, verify="login", eligible=200, title="设定分母")
    assert surveys.response_rate(fixed)["eligible"] == 200


# --- two at once (PostgreSQL) ------------------------------------------------------------------------
@needs_pg
@pytest.mark.django_db(transaction=True)
def test_two_submissions_by_one_resident_at_once_keep_one():
    from shequ.core.testing.world import build_world

    world = build_world()
    s = make_survey(world, verify="login")
    r = resident(world, "twice")
    results, errors = race([lambda: surveys.submit_response(s, answers(s), user=r)] * 2)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict) and errors[0].message == ALREADY + "。"
    assert SurveyResponse.objects.filter(survey=s).count() == 1


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_two_submissions_with_one_code_at_once_keep_one():
    from shequ.core.testing.world import build_world

    world = build_world()
    s = make_survey(world, verify="code")
    _b, (code,) = surveys.issue_codes(world.users["community_lead"], s.pk, 1)
    results, errors = race([lambda: surveys.submit_response(s, answers(s), code=code)] * 2)
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Conflict)
    assert SurveyResponse.objects.filter(survey=s).count() == 1
    assert SurveyCode.objects.get(survey=s).used_at is not None
    assert connection.vendor == "postgresql"


# --- the phone page --------------------------------------------------------------------------------
def _page(survey):
    return f"/s/{survey.token}/"


def _post_answers(client, survey, **kw):
    q = list(survey.questions.all())
    data = {"step": "answer", f"q{q[0].pk}": kw.get("rating", "5"), f"q{q[1].pk}": kw.get("option", "1")}
    return client.post(_page(survey), data)


def test_phone_page_with_a_code(world):
    s = make_survey(world, verify="code")
    _b, codes = surveys.issue_codes(world.users["community_lead"], s.pk, 2)
    phone = Client()
    page = phone.get(_page(s))
    assert page.status_code == 200 and "请输入社区发放的填写码" in page.content.decode()
    wrong = phone.post(_page(s), {"step": "code", "code": "ZZZZ-ZZZZ"})
    assert wrong.status_code == 400 and "填写码不正确" in wrong.content.decode()
    assert phone.post(_page(s), {"step": "code", "code": codes[0]}).status_code == 302
    form = phone.get(_page(s)).content.decode()
    assert "您对社区服务的总体评价" in form and "非常满意" in form
    missing = phone.post(_page(s), {"step": "answer"})
    assert missing.status_code == 400 and "必答题" in missing.content.decode()
    sent = _post_answers(phone, s)
    assert sent.status_code == 302 and sent["Location"].endswith("?sent=1")
    mine = phone.get(sent["Location"]).content.decode()
    assert "提交成功" in mine and "您的答卷" in mine and "5 · 非常满意" in mine and "卫生服务站" in mine
    again = _post_answers(phone, s, rating="1")
    assert again.status_code == 409 and ALREADY in again.content.decode()
    other_phone = Client()
    used = other_phone.post(_page(s), {"step": "code", "code": codes[0]})
    assert used.status_code == 409 and "该填写码已使用过" in used.content.decode()
    assert SurveyResponse.objects.filter(survey=s).count() == 1


def test_phone_page_for_a_signed_in_resident_shows_only_their_own(world):
    s = make_survey(world, verify="login")
    first, second = resident(world, "phone1"), resident(world, "phone2")
    c1, c2 = world.client(first), world.client(second)
    assert 'name="step" value="answer"' in c1.get(_page(s)).content.decode()
    assert _post_answers(c1, s, rating="2").status_code == 302
    assert _post_answers(c2, s, rating="5").status_code == 302
    mine = c1.get(_page(s)).content.decode()
    assert "2 · 不满意" in mine and "5 · 非常满意" not in mine
    again = _post_answers(c1, s, rating="4")
    assert again.status_code == 409 and ALREADY in again.content.decode()
    # A resident of another community is not taken as one of this survey's residents.
    outsider = world.client(resident(world, "phone_b", side="b")).get(_page(s)).content.decode()
    assert "不是本社区登记的居民" in outsider and 'value="answer"' not in outsider


def test_phone_page_of_a_closed_survey(world):
    s = make_survey(world, verify="either")
    surveys.close_survey(world.users["community_lead"], s.pk)
    page = Client().get(_page(s)).content.decode()
    assert "已截止" in page and 'value="code"' not in page and 'value="answer"' not in page


def test_unknown_token_is_404():
    assert Client().get("/s/nothing-here/").status_code == 404


# --- staff pages -----------------------------------------------------------------------------------
def test_staff_create_add_issue_close(world):
    lead = world.client(world.users["community_lead"])
    today = timezone.localdate()
    resp = lead.post("/surveys/new/", {"org": world.a.code, "title": "楼道环境意见征集", "opens_on": today,
                                       "closes_on": today + dt.timedelta(days=3), "verify": "code", "per": "household"})  # fmt: skip
    assert resp.status_code == 302
    s = surveys.Survey.objects.get(title="楼道环境意见征集")
    assert lead.post(f"/surveys/{s.pk}/questions/new/", {"kind": "choice", "text": "是否同意加装监控",
                                                          "options": "同意\n不同意", "required": "on"}).status_code == 302  # fmt: skip
    sheet = lead.post(f"/surveys/{s.pk}/codes/", {"count": "4"})
    body = sheet.content.decode()
    assert sheet.status_code == 200 and body.count('class="sq-slip"') == 4 and "data:image/svg+xml" in body
    detail = lead.get(f"/surveys/{s.pk}/").content.decode()
    assert "是否同意加装监控" in detail and "第 1 批" in detail
    assert lead.post(f"/surveys/{s.pk}/close/", {}).status_code == 302
    s.refresh_from_db()
    assert s.closed_at is not None


def test_a_modules_survey_is_read_with_its_permission(world):
    """A survey owned by a purpose whose view permission community workers lack: they do not see
    it, while they see the community's own surveys."""
    surveys.register_purpose("tests.sensitive", label="测试用途", view_perm="workforce.view_sensitive",
                             manage_perm="workforce.manage_worker")  # fmt: skip
    try:
        owned = make_survey(world, purpose="tests.sensitive", owner_id="1", title="敏感问卷")
        plain = make_survey(world, title="普通问卷")
        worker = world.users["community_worker"]
        seen = set(surveys.Survey.objects.visible_to(worker).values_list("title", flat=True))
        assert "普通问卷" in seen and "敏感问卷" not in seen
        assert world.client(worker).get(f"/surveys/{owned.pk}/").status_code == 404
        assert world.client(world.users["community_lead"]).get(f"/surveys/{owned.pk}/").status_code == 200
        with pytest.raises(Conflict, match="测试用途"):
            surveys.add_question(world.users["community_lead"], owned.pk, kind="rating", text="x")
        assert plain.pk
    finally:
        surveys._purposes.pop("tests.sensitive", None)


# --- API ------------------------------------------------------------------------------------------------
def test_public_api_answers_once_with_a_code(world):
    s = make_survey(world, verify="code")
    _b, (code,) = surveys.issue_codes(world.users["community_lead"], s.pk, 1)
    c = Client()
    got = c.get(f"/api/v1/core/surveys/public/{s.token}").json()
    assert got["open"] is True and [q["kind"] for q in got["questions"]] == ["rating", "choice", "text"]
    q = got["questions"]
    body = {
        "code": code,
        "answers": [{"question_id": q[0]["id"], "rating": 4}, {"question_id": q[1]["id"], "option": 2}],
    }
    sent = c.post(
        f"/api/v1/core/surveys/public/{s.token}/responses", json.dumps(body), content_type="application/json"
    )
    assert sent.status_code == 201, sent.content
    again = c.post(
        f"/api/v1/core/surveys/public/{s.token}/responses", json.dumps(body), content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "code_used"
    token = world.token(world.users["community_lead"])
    res = c.get(f"/api/v1/core/surveys/{s.pk}/results", headers={"Authorization": f"Bearer {token}"}).json()
    assert res["responses"] == 1 and res["questions"][0]["average"] == "4.00"


def test_public_api_does_not_take_a_session_as_a_resident(world):
    s = make_survey(world, verify="login")
    browser = world.client(resident(world, "cookie_only"))
    q = list(s.questions.all())
    body = {"answers": [{"question_id": q[0].pk, "rating": 4}, {"question_id": q[1].pk, "option": 0}]}
    r = browser.post(
        f"/api/v1/core/surveys/public/{s.token}/responses", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["code"] == "residents_only"
    token = world.token(resident(world, "with_token"))
    ok = Client().post(f"/api/v1/core/surveys/public/{s.token}/responses", json.dumps(body),
                       content_type="application/json", headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert ok.status_code == 201
