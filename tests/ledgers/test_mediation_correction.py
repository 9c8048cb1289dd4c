"""Mediations (parties from the registry or outside it, outcome, follow-up, a case both ways) and
community correction labour (sign-in, grades on the scale, quarterly grades by the rule)."""

import io

import pytest
from django.db import connection
from openpyxl import load_workbook

from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.ledgers import services
from shequ.ledgers.models import Party
from tests.ledgers.factories import charge, make_concluded, make_mediation, make_subject
from tests.people.factories import make_resident


def test_a_mediation_with_an_outsider_reaching_agreement(world):
    actor = charge(world)
    r = make_resident(world, "a")
    med = services.record_mediation(
        actor, community=world.a.code, matter_type="物业纠纷", received_on="2026-05-06", summary="物业费争议",
        parties=[{"side": "applicant", "resident_id": r.doc_number}, {"side": "respondent", "name": "某物业公司经理",
                 "phone": "027-8765432"}],
        mediator_name="调解员王", mediated_on="2026-05-10", agreement_reached="是", agreement_text="物业公司减免三个月物业费",
    )  # fmt: skip
    assert med.agreement_reached is True and med.number.startswith("TJ001")
    parties = list(med.parties.order_by("side"))
    assert parties[0].resident == r and parties[0].name == r.name
    assert parties[1].resident is None and parties[1].name == "某物业公司经理"
    with connection.cursor() as cur:
        cur.execute("SELECT agreement_text FROM ledgers_mediation WHERE id = %s", [med.pk])
        assert "物业费" not in cur.fetchone()[0]
        cur.execute("SELECT name FROM ledgers_party WHERE mediation_id = %s", [med.pk])
        assert all(r.name not in row[0] for row in cur.fetchall())


def test_mediation_rules(world):
    actor = charge(world)
    r = make_resident(world, "a")
    base = {"community": world.a.code, "received_on": "2026-05-06", "summary": "噪音扰民",
            "parties": [{"side": "applicant", "resident_id": r.pk}], "mediator_name": "调解员王"}  # fmt: skip
    with pytest.raises(ValidationFailed, match="纠纷类型"):
        services.record_mediation(actor, matter_type="打架", **base)
    with pytest.raises(ValidationFailed, match="协议书"):
        services.record_mediation(
            actor, matter_type="邻里纠纷", mediated_on="2026-05-07", agreement_reached=True, **base
        )
    with pytest.raises(ValidationFailed, match="早于受理"):
        services.record_mediation(actor, matter_type="邻里纠纷", mediated_on="2026-05-01", agreement_reached=False,
                                  **base)  # fmt: skip
    with pytest.raises(ValidationFailed, match="申请人"):
        services.record_mediation(actor, matter_type="邻里纠纷", **{**base, "parties": [
            {"side": "respondent", "name": "外来人员"}]})  # fmt: skip
    other = make_resident(world, "b")
    world.users["community_lead"].__dict__.pop("_shequ_memberships", None)
    with pytest.raises(NotFound):
        services.record_mediation(world.users["community_lead"], matter_type="邻里纠纷",
                                  **{**base, "parties": [{"side": "applicant", "resident_id": other.pk}]})  # fmt: skip


def test_outcome_and_follow_up_once(world):
    actor = charge(world)
    med = make_mediation(world, "a")
    with pytest.raises(ValidationFailed, match="调解结束后"):
        services.follow_up(actor, med.pk, followup_on="2026-06-01", followup_result="已回访")
    med = services.conclude(actor, med.pk, mediated_on=med.received_on, agreement_reached=False)
    with pytest.raises(Conflict):
        services.conclude(
            actor, med.pk, mediated_on=med.received_on, agreement_reached=True, agreement_text="再次"
        )
    med = services.follow_up(actor, med.pk, followup_on=med.received_on, followup_result="双方已和解")
    with pytest.raises(Conflict):
        services.follow_up(actor, med.pk, followup_on=med.received_on, followup_result="再回访")


def test_a_case_is_mediated_once_and_linked_both_ways(world):
    from tests.cases.factories import make_case

    case = make_case(world, "a")
    med = make_mediation(world, "a", case=case.number)
    assert med.case_id == case.pk and med.case_number == case.number
    assert services.for_case(world.users["community_lead"], case.pk) == [med]
    with pytest.raises(Conflict):
        make_mediation(world, "a", case=case.number)
    with pytest.raises(ValidationFailed, match="不属于本社区"):
        make_mediation(world, "b", case=case.number)


def test_ledger_workbook_masks_parties(world):
    actor = charge(world)
    med = make_concluded(world, "a")
    from shequ.ledgers.models import Mediation

    data, _name = services.ledger_workbook(actor, Mediation.objects.visible_to(actor), title_scope="宁安社区")
    ws = load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][0] == "宁安社区人民调解登记台账"
    assert rows[2][1] == med.number and rows[2][8] == "达成协议"
    names = [p.name for p in Party.objects.filter(mediation=med)]
    assert all(n not in str(rows[2]) for n in names)
    assert rows[-1][0].startswith("合计 1 件")


def test_sign_in_once_a_day(world):
    actor = charge(world)
    s = make_subject(world, "a")
    services.sign_in(actor, s.pk, on=s.start_date, hours="2", task="小区环境整治")
    with pytest.raises(Conflict):
        services.sign_in(actor, s.pk, on=s.start_date, hours="1", task="再签一次")
    with pytest.raises(ValidationFailed, match="矫正期"):
        services.sign_in(actor, s.pk, on="2000-01-01", hours="2", task="早于矫正期")
    with pytest.raises(ValidationFailed):
        services.sign_in(actor, s.pk, on=s.start_date.replace(day=1) if s.start_date.day > 1 else s.start_date,
                         hours="0", task="零小时")  # fmt: skip


def test_grades_on_the_scale_and_the_quarter_rule(world):
    actor = charge(world)
    s = make_subject(world, "a")
    with pytest.raises(ValidationFailed, match="优秀、良好、一般、差"):
        services.grade(actor, s.pk, kind="month", year=2026, period=1, value="合格")
    with pytest.raises(ValidationFailed, match="1 到 12"):
        services.grade(actor, s.pk, kind="month", year=2026, period=13, value="良好")
    with pytest.raises(ValidationFailed, match="尚未评齐"):
        services.grade(actor, s.pk, kind="quarter", year=2026, period=1, value="良好")
    for month, g in ((1, "优秀"), (2, "良好"), (3, "一般")):
        services.grade(actor, s.pk, kind="month", year=2026, period=month, value=g)
    assert services.quarter_grade(["excellent", "good", "fair"]) == "good"
    with pytest.raises(ValidationFailed, match="应为“良好”"):
        services.grade(actor, s.pk, kind="quarter", year=2026, period=1, value="优秀")
    q = services.grade(actor, s.pk, kind="quarter", year=2026, period=1, value="良好")
    assert q.derived
    with pytest.raises(Conflict):
        services.grade(actor, s.pk, kind="quarter", year=2026, period=1, value="良好")
    q2 = services.grade(
        actor, s.pk, kind="quarter", year=2026, period=2, value="一般", reason="4 月起未按时参加"
    )
    assert not q2.derived and q2.reason == "4 月起未按时参加"


@pytest.mark.parametrize("months, expected", [
    (["poor", "poor", "excellent"], "poor"), (["good", "good", "fair"], "good"), (["excellent"] * 3, "excellent"),
])  # fmt: skip
def test_quarter_rule_is_the_middle_grade(months, expected):
    assert services.quarter_grade(months) == expected
