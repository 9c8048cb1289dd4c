"""共驻共建 through the real services: a body with member units and joint meetings, an agreement
signed from the duty template, contributions, the duties done per period, the coverage of units in
the area, and the refusals (a contribution without a unit, an agreement ending before it starts, a
unit joining twice, a contribution outside the agreement's term …), each with its Chinese reason."""

import datetime as dt
from decimal import Decimal

import pytest

from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.teams import services
from shequ.teams.models import Contribution, DutyTemplate
from shequ.teams.services import cobuilding as cob
from tests.people.factories import make_household
from tests.teams.factories import make_activity, staff
from tests.teams.factories_cobuilding import make_agreement, make_body, make_member, make_unit

pytestmark = pytest.mark.django_db


def test_template_ships_the_five_duties():
    got = {t.name: t.frequency for t in DutyTemplate.objects.all()}
    assert got == {"帮助解决一个难题": "yearly", "每季度召开一次联席会议": "quarterly", "组建一支志愿服务队": "once",
                   "为居民办一件实事": "yearly", "结对帮扶一户困难家庭": "yearly"}  # fmt: skip


def test_duty_periods_by_frequency():
    today = dt.date(2026, 8, 15)
    q = cob.duty_periods("quarterly", dt.date(2026, 2, 10), dt.date(2027, 2, 9), 2026, today)
    assert [(p[0], p[1], p[2]) for p in q] == [
        ("第1季度", dt.date(2026, 2, 10), dt.date(2026, 3, 31)),
        ("第2季度", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        ("第3季度", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    ]
    assert [
        p[0] for p in cob.duty_periods("yearly", dt.date(2025, 1, 1), dt.date(2027, 1, 1), 2026, today)
    ] == ["2026年"]
    once = cob.duty_periods("once", dt.date(2025, 6, 1), dt.date(2027, 5, 31), 2026, today)
    assert once == [("协议期内", dt.date(2025, 6, 1), dt.date(2027, 5, 31))]
    assert cob.duty_periods("yearly", dt.date(2027, 1, 1), dt.date(2028, 1, 1), 2026, today) == []


def test_duties_done_against_the_agreement(world):
    lead = staff(world)
    body = make_body(world)
    m = make_member(world, body=body)
    other = make_member(world, body=body)
    a = services.sign_agreement(lead, body.pk, unit=m.unit_id, starts_on="2026-01-01", ends_on="2027-12-31",
                                signed_on="2026-01-01")  # fmt: skip
    duties = {d.name: d for d in a.duties.all()}
    assert len(duties) == 5
    # Two joint meetings in Q1 and Q2; the unit attended only the first; a third unit's attendance counts nothing.
    services.record_meeting(lead, body.pk, held_on="2026-03-20", attendees=[m.unit_id, other.unit_id])
    services.record_meeting(lead, body.pk, held_on="2026-05-20", attendees=[other.unit_id])
    services.record_contribution(lead, unit=m.unit_id, kind="people", people_days="3", given_on="2026-04-10",
                                 duty=duties["为居民办一件实事"].pk, description="为老旧小区修缮路灯")  # fmt: skip
    services.record_contribution(lead, unit=m.unit_id, kind="money", amount="20000.50", given_on="2026-02-01",
                                 agreement=a.pk, description="捐资助学")  # fmt: skip
    status = {d["name"]: d for d in cob.duty_status(a, 2026, today=dt.date(2026, 8, 15))}
    meet = status["每季度召开一次联席会议"]
    assert (meet["due"], meet["done"]) == (3, 1)
    assert [p["state"] for p in meet["periods"]] == ["done", "missed", "open"]
    assert (status["为居民办一件实事"]["done"], status["为居民办一件实事"]["due"]) == (1, 1)
    assert status["组建一支志愿服务队"]["periods"][0]["state"] == "open"
    fig = cob.figures(lead, world.a.code, 2026)
    row = next(r for r in fig["units"] if r["id"] == m.unit_id)
    assert row["money"] == Decimal("20000.50") and row["people_days"] == Decimal("3.0")
    assert row["agreements"][0]["id"] == a.pk and row["due"] >= 3 and row["done"] >= 2
    assert fig["totals"]["agreements"] == 1
    cov = next(c for c in fig["coverage"] if c["code"] == world.a.code)
    assert cov["members"] == 2 and cov["units"] >= 2


def test_refusals_with_reasons(world):
    lead = staff(world)
    body = make_body(world)
    m = make_member(world, body=body)
    with pytest.raises(Conflict, match="无需重复加入"):
        services.add_body_member(lead, body.pk, unit=m.unit_id)
    with pytest.raises(ValidationFailed, match="终止日期应晚于起始日期"):
        services.sign_agreement(lead, body.pk, unit=m.unit_id, starts_on="2026-06-01", ends_on="2026-01-01")
    outsider = make_unit(world)
    with pytest.raises(ValidationFailed, match="还不是"):
        services.sign_agreement(lead, body.pk, unit=outsider.pk, starts_on="2026-01-01", ends_on="2026-12-31")
    a = services.sign_agreement(lead, body.pk, unit=m.unit_id, starts_on="2026-01-01", ends_on="2026-12-31")
    with pytest.raises(Conflict, match="期限重叠"):
        services.sign_agreement(lead, body.pk, unit=m.unit_id, starts_on="2026-06-01", ends_on="2027-05-31")
    with pytest.raises(ValidationFailed, match="驻区单位名下") as exc:
        services.record_contribution(
            lead, kind="money", amount="100", given_on="2026-02-01", description="无主捐款"
        )
    assert exc.value.details == {"unit": [exc.value.message]}
    with pytest.raises(ValidationFailed, match="不在协议期限"):
        services.record_contribution(lead, unit=m.unit_id, agreement=a.pk, kind="money", amount="100",
                                     given_on="2025-12-01", description="协议前的捐款")  # fmt: skip
    with pytest.raises(ValidationFailed, match="资金金额"):
        services.record_contribution(lead, unit=m.unit_id, kind="money", amount="0", given_on="2026-02-01",
                                     description="空")  # fmt: skip
    with pytest.raises(ValidationFailed, match="最多保留 2 位小数"):
        services.record_contribution(lead, unit=m.unit_id, kind="goods", amount="1.234", given_on="2026-02-01",
                                     description="物资")  # fmt: skip
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        services.record_contribution(lead, unit=m.unit_id, kind="facility", facility="职工食堂",
                                     given_on=dt.date.today() + dt.timedelta(days=3), description="开放食堂")  # fmt: skip
    other = make_agreement(world)
    with pytest.raises(ValidationFailed, match="不属于该单位"):
        services.record_contribution(lead, unit=m.unit_id, kind="people", people_days="1", given_on="2026-02-01",
                                     duty=other.duties.first().pk, description="义务")  # fmt: skip
    with pytest.raises(ValidationFailed, match="参会的成员单位"):
        services.record_meeting(lead, body.pk, held_on="2026-02-01", attendees=[])
    with pytest.raises(ValidationFailed, match="成员单位"):
        services.record_meeting(lead, body.pk, held_on="2026-02-01", attendees=[outsider.pk])
    assert Contribution.objects.count() == 0


def test_links_to_an_activity_and_a_household_in_scope(world):
    lead = staff(world)
    m = make_member(world)
    act = make_activity(world)
    hh = make_household(world, "a")
    c = services.record_contribution(lead, unit=m.unit_id, kind="goods", amount="800", given_on="2026-02-01",
                                     activity=act.pk, household=hh.pk, description="慰问品")  # fmt: skip
    assert c.activity_id == act.pk and c.household_id == hh.pk and c.scope_code == world.a.code
    hh_b = make_household(world, "b")
    with pytest.raises(ValidationFailed, match="居民户"):
        services.record_contribution(lead, unit=m.unit_id, kind="goods", amount="800", given_on="2026-02-01",
                                     household=hh_b.pk, description="慰问品")  # fmt: skip


def test_scope_community_b_is_not_found(world):
    lead = staff(world)
    unit_b = make_unit(world, "b")
    with pytest.raises(NotFound):
        services.create_body(lead, world.b.code, name="越权联席会")
    with pytest.raises(NotFound):
        services.record_contribution(lead, unit=unit_b.pk, kind="money", amount="1", given_on="2026-02-01",
                                     description="越权")  # fmt: skip
    b_agreement = make_agreement(world, "b")
    assert all(r["id"] != b_agreement.unit_id for r in cob.figures(lead, "", 2026)["units"])
    with pytest.raises(NotFound):
        cob.figures(lead, world.b.code, 2026)
    street = world.users["street"]
    assert any(r["id"] == b_agreement.unit_id for r in cob.figures(street, world.street.code, 2026)["units"])


def test_demo_street_has_a_body_two_agreements_and_a_year_of_contributions(world):
    import random

    from shequ.teams import demo_cobuilding
    from shequ.teams.models import Agreement, BodyMember, CobuildBody, CobuildMeeting

    for side in "aabbab":
        make_unit(world, side)
    today = dt.date(2026, 11, 20)
    counts = demo_cobuilding.load(random.Random(1), today)
    assert counts["bodies"] == 1 and counts["agreements"] == 2 and counts["meetings"] >= 4
    assert CobuildBody.objects.get().scope_code == world.street.code
    assert BodyMember.objects.count() == counts["members"] < 6
    first = Contribution.objects.order_by("given_on").first().given_on
    assert (today - first).days >= 300 and Contribution.objects.count() == counts["contributions"]
    for a in Agreement.objects.all():  # every contribution of an agreement lies in its term
        assert all(a.starts_on <= c.given_on <= min(a.ends_on, today) for c in a.contributions.all())
        status = cob.duty_status(a, 2026, today=today)
        assert sum(d["done"] for d in status) >= 4
    assert CobuildMeeting.objects.filter(held_on__gt=today).count() == 0
    demo_cobuilding.reset()
    assert not Contribution.objects.exists() and not CobuildBody.objects.exists()
