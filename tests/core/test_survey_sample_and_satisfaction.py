"""A survey's sample drawn from the resident registry (distinct people, one one-time code each) and
居民满意度, the indicator fed by the closed surveys marked for it."""

import datetime as dt
from decimal import Decimal

import pytest

from shequ.core import indicators, surveys
from shequ.core.errors import Conflict, ValidationFailed
from shequ.core.models import SurveyCode
from tests.core.test_surveys import answers, make_survey
from tests.people.factories import make_resident

pytestmark = pytest.mark.django_db


def test_a_sample_is_distinct_people_each_with_one_code(world):
    people = [make_resident(world, "a", birth_date=dt.date(1970, 1, 1)) for _ in range(6)]
    make_resident(
        world, "a", birth_date=dt.date.today() - dt.timedelta(days=365 * 10)
    )  # a child: never drawn
    make_resident(world, "b", birth_date=dt.date(1970, 1, 1))  # another community: never drawn
    s = make_survey(world, verify="code")
    batch, drawn = surveys.draw_sample(world.users["community_lead"], s.pk, 4)
    assert batch == 1 and len(drawn) == 4
    assert len({d["code"] for d in drawn}) == 4 and len({d["label"] for d in drawn}) == 4
    surnames = {p.name[:1] for p in people}
    assert all(d["label"].endswith("*") and d["label"].split()[-1][0] in surnames for d in drawn)
    assert SurveyCode.objects.filter(survey=s, batch=1).count() == 4
    # Each drawn code opens the survey once.
    surveys.submit_response(s, answers(s), code=drawn[0]["code"])
    with pytest.raises(Conflict):
        surveys.submit_response(s, answers(s), code=drawn[0]["code"])
    # More than the register holds, or nothing, is refused with the reason.
    with pytest.raises(ValidationFailed, match="超过了范围内登记的居民数 6"):
        surveys.draw_sample(world.users["community_lead"], s.pk, 7)
    with pytest.raises(ValidationFailed, match="样本量"):
        surveys.draw_sample(world.users["community_lead"], s.pk, 0)
    login_only = make_survey(world, verify="login")
    with pytest.raises(Conflict):
        surveys.draw_sample(world.users["community_lead"], login_only.pk, 1)


def test_a_sample_of_households_draws_each_household_once(world):
    from tests.people.factories import make_household

    for _ in range(3):
        make_household(world, "a")
    s = make_survey(world, verify="code", per="household")
    _batch, drawn = surveys.draw_sample(world.users["community_lead"], s.pk, 3)
    assert len({d["label"] for d in drawn}) == 3


def test_satisfaction_from_the_closed_surveys_marked_for_it(world):
    lead, street = world.users["community_lead"], world.users["street"]
    s = make_survey(world, verify="code")
    other = make_survey(world, verify="code", title="不计入的问卷")
    _b, codes = surveys.issue_codes(lead, s.pk, 3)
    for code, rating in zip(codes, (5, 4, 3), strict=True):
        surveys.submit_response(s, answers(s, rating=rating), code=code)
    _b, codes2 = surveys.issue_codes(lead, other.pk, 1)
    surveys.submit_response(other, answers(other, rating=1), code=codes2[0])
    surveys.close_survey(lead, other.pk)  # closed, but not marked: does not count
    surveys.set_feeds(lead, s.pk, "core.satisfaction")
    year = s.closes_on.year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    codes_ = [world.a.code, world.b.code, world.street.code]
    open_ = indicators.evaluate(street, "core.satisfaction", world.a.code, start, end)
    assert open_["value"] is None  # still open: not counted yet
    surveys.close_survey(lead, s.pk)
    many = indicators.evaluate_many(street, "core.satisfaction", codes_, start, end)
    for c in codes_:
        assert indicators.evaluate(street, "core.satisfaction", c, start, end) == many[c]
    a = many[world.a.code]
    assert (a["numerator"], a["denominator"], a["value"]) == (12, 15, Decimal("80.0"))  # mean 4 × 20
    assert many[world.street.code]["value"] == Decimal("80.0") and many[world.b.code]["value"] is None
    with pytest.raises(ValidationFailed, match="只能计入"):
        surveys.set_feeds(lead, other.pk, "cases.filed")
    no_rating = make_survey(world, questions=[{"kind": "text", "text": "意见"}])
    with pytest.raises(ValidationFailed, match="没有评分题"):
        surveys.set_feeds(lead, no_rating.pk, "core.satisfaction")
