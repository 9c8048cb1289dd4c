"""Grades and pay, contracts and insurance: the acts, the figures they compute and the input each
refuses with a reason, leaving nothing half-written."""

import datetime as dt
from decimal import Decimal

import pytest

from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import ChangeLogEntry, Notification
from shequ.workforce import services
from shequ.workforce.models import Contract, GradePlacement, GradeScheme, Insurance, PayRecord
from tests.workforce.factories import make_worker
from tests.workforce.pay_factories import EXAMPLE, NINE, paid_worker, pay_world, street_scheme, table, wage

pytestmark = pytest.mark.django_db
D = dt.date


def test_templates_are_shipped_as_data(world):
    shipped = {s.name: s for s in GradeScheme.objects.filter(org__isnull=True)}
    assert set(shipped) == {"三岗十八级", "三级九档"}
    posts = {g.name: (g.min_step, g.max_step) for g in shipped["三岗十八级"].grades.all()}
    assert posts == {"正职": (7, 18), "副职": (4, 15), "其他": (1, 12)}
    nine = shipped["三级九档"]
    assert sum(len(g.steps()) for g in nine.grades.all()) == 9 and nine.step_label == "档"


def test_a_street_adopts_a_template_with_its_rule(world):
    s = street_scheme(world, template="三岗十八级", years_per_step=2, appraisal_count=2, appraisal_min="称职")
    assert (s.name, s.scope_code, s.step_label, s.years_per_step) == (
        "纸坊街道三岗十八级",
        world.street.code,
        "级",
        2,
    )
    assert [g.name for g in s.grades.order_by("order")] == ["正职", "副职", "其他"]
    assert ChangeLogEntry.objects.filter(object_id=str(s.pk), action="create").exists()
    with pytest.raises(Conflict):
        street_scheme(world, template="三岗十八级")  # the same name twice
    with pytest.raises(ValidationFailed) as e:
        street_scheme(world, template="五级十五档", name="另一个")
    assert "模板应为" in e.value.message
    own = services.create_scheme(world.users["district"], world.district.code, name="江夏区两级六档",
                                 grades=[{"name": "一级", "min_step": 1, "max_step": 3},
                                         {"name": "二级", "min_step": 1, "max_step": 3}])  # fmt: skip
    assert own.grades.count() == 2 and own.template is None
    with pytest.raises(NotFound):  # a community lead's scope does not hold the street
        services.create_scheme(world.users["community_lead"], world.street.code, template="三级九档")


def test_a_table_is_entered_whole_and_checked(world):
    s = street_scheme(world)
    partial = {k: v for k, v in NINE.items() if k != ("高级", 3)}
    with pytest.raises(ValidationFailed) as e:
        table(world, s, 2025, rates=partial)
    assert "尚缺：高级3档" in e.value.message
    with pytest.raises(ValidationFailed) as e:
        table(world, s, 2025, rates={**NINE, ("特级", 1): 3000})
    assert "“特级”不是“纸坊街道三级九档”中的等级" in e.value.message
    with pytest.raises(ValidationFailed) as e:
        table(world, s, 2025, rates={**NINE, ("高级", 4): 3000})
    assert "高级的档应在 1 至 3 之间" in e.value.message
    t = table(world, s, 2025)
    assert t.rates.count() == 9 and not PayRecord.objects.exists()
    with pytest.raises(NotFound):  # a community reads its street's scheme; writing it is outside its scope
        services.set_pay_table(world.users["community_lead"], s.pk, year=2025, rates=NINE)
    with pytest.raises(NotFound):  # departments do not read the roster's records
        services.set_pay_table(world.users["department"], s.pk, year=2025, rates=NINE)


def test_the_three_figures_are_computed_from_the_components(world):
    pay_world(world, 2025)
    r = paid_worker(world, "a", year=2025, grade="初级", step=1)
    assert (r.base, r.base_months) == (Decimal("18000.00"), 12)  # 1,500 a month × 12, never typed
    assert (r.gross, r.total_cost, r.take_home) == (
        Decimal("24767.00"),
        Decimal("35293.00"),
        Decimal("19566.00"),
    )
    entry = ChangeLogEntry.objects.get(object_id=str(r.pk), action="create", object_repr__endswith=" 2025",
                                       content_type__model="payrecord")  # fmt: skip
    assert (entry.after["应发工资"], entry.after["实发"]) == ("24767.00", "19566.00")
    # A correction replaces the year's record (one a year) and keeps the base computed.
    again, created = services.set_pay_record(
        world.users["street"], r.worker_id, year=2025, **{**EXAMPLE, "bonus": "2200"}
    )
    assert not created and again.pk == r.pk and again.gross == Decimal("25767.00") and again.version == 2
    with pytest.raises(ValidationFailed) as e:
        services.set_pay_record(world.users["street"], r.worker_id, year=2025, base="30000", **EXAMPLE)
    assert "不能直接填写" in e.value.message


def test_a_grade_outside_the_scheme_is_refused_with_the_reason(world):
    street_scheme(world)
    w = make_worker(world, "a")
    with pytest.raises(ValidationFailed) as e:
        services.place_grade(world.users["street"], w.pk, grade="正职", step=7, on=D(2025, 1, 1))
    assert e.value.message == "“正职”不是“纸坊街道三级九档”中的等级，应为：高级、中级、初级。"
    assert "grade" in e.value.details
    with pytest.raises(ValidationFailed) as e:
        services.place_grade(world.users["street"], w.pk, grade="中级", step=4, on=D(2025, 1, 1))
    assert e.value.message == "中级的档应在 1 至 3 之间。"
    with pytest.raises(ValidationFailed):
        services.place_grade(
            world.users["street"], w.pk, grade="中级", step=2, on=D(2017, 1, 1)
        )  # before the hire
    assert not GradePlacement.objects.exists()
    p = services.place_grade(world.users["community_lead"], w.pk, grade="中级", step=2, on=D(2025, 1, 1))
    assert p.label == "中级2档" and p.scheme.scope_code == world.street.code
    with pytest.raises(Conflict):
        services.place_grade(world.users["street"], w.pk, grade="中级", step=3, on=D(2025, 1, 1))


def test_without_a_scheme_placing_is_refused(world):
    w = make_worker(world, "a")
    with pytest.raises(ValidationFailed) as e:
        services.place_grade(world.users["street"], w.pk, grade="初级", step=1, on=D(2025, 1, 1))
    assert "尚未建立等级体系" in e.value.message


def test_a_pay_record_for_a_year_without_its_table_is_refused(world):
    s = street_scheme(world)
    table(world, s, 2025)
    w = make_worker(world, "a")
    with pytest.raises(ValidationFailed) as e:
        services.set_pay_record(world.users["street"], w.pk, year=2025, **EXAMPLE)
    assert "尚未定级" in e.value.message
    services.place_grade(world.users["street"], w.pk, grade="初级", step=1, on=D(2023, 1, 1))
    with pytest.raises(ValidationFailed) as e:
        services.set_pay_record(world.users["street"], w.pk, year=2024, **EXAMPLE)
    assert (
        e.value.message
        == "“纸坊街道三级九档”尚未录入 2024 年的等级工资标准，不能登记该年度薪酬；请先录入该年度的工资表。"
    )
    assert "year" in e.value.details and not PayRecord.objects.exists()
    with pytest.raises(ValidationFailed) as e:
        services.set_pay_record(world.users["street"], w.pk, year=2025, **{**EXAMPLE, "bonus": "-1"})
    assert "bonus" in e.value.details
    with pytest.raises(ValidationFailed) as e:
        services.set_pay_record(
            world.users["street"], w.pk, year=2025, **{**EXAMPLE, "personal_insurance": "90000"}
        )
    assert "不能超过应发工资" in e.value.message


def test_the_base_follows_the_months_and_the_steps(world):
    s = pay_world(world, 2025)
    street = world.users["street"]
    w = make_worker(world, "a", hired=D(2025, 3, 10))  # in post on the 1st from April: nine months
    services.place_grade(street, w.pk, grade="初级", step=1, on=D(2025, 3, 10))
    r, _c = services.set_pay_record(street, w.pk, year=2025, **EXAMPLE)
    assert (r.base_months, r.base) == (9, Decimal("13500.00"))
    # A step from 1 July: recorded after the pay, the record is recomputed (logged).
    services.place_grade(street, w.pk, grade="初级", step=2, on=D(2025, 7, 1))
    r.refresh_from_db()
    assert (r.base, r.step) == (Decimal(3 * 1500 + 6 * 1600), 2)
    assert (
        ChangeLogEntry.objects.filter(content_type__model="payrecord", note="按等级档次重算基本工资").count()
        == 1
    )
    # The year's table corrected: the record follows.
    table(world, s, 2025, raise_by=100)
    r.refresh_from_db()
    assert r.base == Decimal(3 * 1600 + 6 * 1700)
    # The grade held on a past day is the latest placement on or before it.
    assert services.pay.placement_on(w.pk, D(2025, 6, 30)).step == 1
    assert services.pay.placement_on(w.pk, D(2025, 7, 1)).step == 2
    # An exit in September: October to December are not paid a base.
    services.record_exit(street, w.pk, on=D(2025, 9, 15), reason="辞职")
    r, _c = services.set_pay_record(street, w.pk, year=2025, **EXAMPLE)
    assert (r.base_months, r.base) == (6, Decimal(3 * 1600 + 3 * 1700))


def test_step_due_takes_the_years_from_the_data_and_asks_for_the_appraisal(world):
    s = street_scheme(world, years_per_step=3, appraisal_count=2)
    w = make_worker(world, "a", hired=D(2015, 1, 1))
    assert services.step_due(w, D(2025, 1, 1)).status == "not_placed"
    services.place_grade(world.users["street"], w.pk, grade="中级", step=1, on=D(2021, 7, 1))
    early = services.step_due(w, D(2023, 1, 1))
    assert (early.status, early.due_on, early.next_label) == ("not_yet", D(2024, 7, 1), "中级2档")
    pending = services.step_due(w, D(2025, 1, 1))
    assert pending.status == "pending_appraisal" and pending.status_label == "待考核结果"
    assert (
        pending.appraisal is None
        and pending.appraisal_years == (2023, 2024)
        and "待考核结果" in pending.message
    )
    asked = []

    def ok(worker_id, years):
        asked.append((worker_id, years))
        return True

    assert services.step_due(w, D(2025, 1, 1), appraisal_ok=ok).status == "due"
    assert asked == [(w.pk, (2023, 2024))]
    held = services.step_due(w, D(2025, 1, 1), appraisal_ok=lambda wid, years: False)
    assert held.status == "appraisal_failed" and "未达考核要求" in held.message
    # No appraisal requirement in the data: the years alone decide.
    GradeScheme.objects.filter(pk=s.pk).update(appraisal_count=0)
    assert services.step_due(w, D(2025, 1, 1)).status == "due"
    services.place_grade(world.users["street"], w.pk, grade="中级", step=3, on=D(2025, 2, 1))
    assert services.step_due(w, D(2030, 1, 1)).status == "top"


def test_overlapping_contracts_are_refused_and_renewals_linked(world):
    street = world.users["street"]
    w = make_worker(world, "a", hired=D(2018, 3, 1))
    first = services.add_contract(
        street, w.pk, employer="纸坊街道办事处", start=D(2019, 1, 1), end=D(2021, 12, 31)
    )
    with pytest.raises(Conflict) as e:
        services.add_contract(
            street, w.pk, employer="某人力资源公司", start=D(2021, 6, 1), end=D(2023, 5, 31)
        )
    assert e.value.code == "overlap" and "期间重叠" in e.value.message
    with pytest.raises(ValidationFailed) as e:
        services.add_contract(
            street,
            w.pk,
            employer="纸坊街道办事处",
            start=D(2021, 12, 31),
            end=D(2024, 12, 31),
            renews=first.pk,
        )
    assert "之后开始" in e.value.message
    with pytest.raises(ValidationFailed):
        services.add_contract(street, w.pk, employer="纸坊街道办事处", start=D(2022, 1, 1), end=D(2021, 1, 1))
    second = services.add_contract(street, w.pk, employer="纸坊街道办事处", start=D(2022, 1, 1), end=D(2024, 12, 31),
                                   renews=first.pk)  # fmt: skip
    assert second.renews == first and first.renewal == second
    with pytest.raises(Conflict):  # a contract is renewed once
        services.add_contract(street, w.pk, employer="纸坊街道办事处", start=D(2025, 1, 1), renews=first.pk)
    other = make_worker(world, "a")
    theirs = services.add_contract(
        street, other.pk, employer="纸坊街道办事处", start=D(2019, 1, 1), end=D(2020, 12, 31)
    )
    with pytest.raises(ValidationFailed):  # a renewal of someone else's contract
        services.add_contract(street, w.pk, employer="纸坊街道办事处", start=D(2025, 1, 1), renews=theirs.pk)
    endless = services.add_contract(
        street, w.pk, employer="纸坊街道办事处", start=D(2025, 1, 1), renews=second.pk
    )
    assert endless.open_ended
    with pytest.raises(Conflict):  # nothing after an open-ended contract
        services.add_contract(
            street, w.pk, employer="纸坊街道办事处", start=D(2026, 1, 1), end=D(2026, 12, 31)
        )
    assert Contract.objects.filter(worker=w).count() == 3


def test_contracts_due_and_the_reminder_once(world, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_CHANNELS = "console"
    street = world.users["street"]
    today = D(2026, 3, 1)
    soon = make_worker(world, "a", name="快到期")
    services.add_contract(street, soon.pk, employer="纸坊街道办事处", start=D(2023, 4, 1), end=D(2026, 3, 31))
    renewed = make_worker(world, "a", name="已续订")
    c = services.add_contract(
        street, renewed.pk, employer="纸坊街道办事处", start=D(2023, 4, 1), end=D(2026, 3, 20)
    )
    services.add_contract(street, renewed.pk, employer="纸坊街道办事处", start=D(2026, 3, 21), renews=c.pk)
    later = make_worker(world, "b", name="还早")
    services.add_contract(
        street, later.pk, employer="纸坊街道办事处", start=D(2023, 4, 1), end=D(2026, 12, 31)
    )
    lapsed = make_worker(world, "b", name="已过期")
    services.add_contract(
        street, lapsed.pk, employer="纸坊街道办事处", start=D(2022, 1, 1), end=D(2026, 1, 31)
    )
    due = services.contracts(street, world.street.code, due_within=60, today=today)
    assert [x.worker.name for x in due] == ["已过期", "快到期"]  # by end date; the lapsed one too
    assert [x.worker.name for x in services.contracts(street, world.a.code, due_within=60, today=today)] == [
        "快到期"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_contracts(today) == {"reminded": 1}
        assert services.sweep_contracts(today) == {"reminded": 0}  # once
    told = Notification.objects.filter(template="workforce.contract_expiring")
    assert {n.user.username for n in told} == {"t_lead_a", "t_street"}
    assert "快到期" in told.first().body and "2026-03-31" in told.first().body


def test_insurance_participation_and_rates(world):
    street = world.users["street"]
    a1, a2 = make_worker(world, "a"), make_worker(world, "a")
    b1 = make_worker(world, "b")
    services.set_insurance(street, a1.pk, year=2025, kinds=["养老保险", "医疗保险", "住房公积金"])
    services.set_insurance(street, a2.pk, year=2025, kinds=["pension", "medical"])
    assert services.set_insurance(street, b1.pk, year=2025, kinds=["养老保险"]) == ["pension"]
    with pytest.raises(ValidationFailed):
        services.set_insurance(street, b1.pk, year=2025, kinds=["商业保险"])
    services.set_insurance(street, a2.pk, year=2025, kinds=["pension"])  # the list replaces the year's
    assert Insurance.objects.filter(worker=a2).count() == 1
    r = services.insurance_rates(street, world.street.code, 2025)
    rates = {k["key"]: (k["count"], k["rate"]) for k in r["kinds"]}
    assert (
        r["in_post"] == 3
        and rates["pension"] == (3, Decimal("100.0"))
        and rates["medical"] == (1, Decimal("33.3"))
    )
    assert rates["housing_fund"] == (1, Decimal("33.3")) and rates["injury"] == (0, Decimal("0.0"))
    a = next(u for u in r["units"] if u["code"] == world.a.code)
    assert a["in_post"] == 2 and next(k for k in a["kinds"] if k["key"] == "medical")["rate"] == Decimal(
        "50.0"
    )


def test_average_wage_and_floor_entered_by_streets_and_districts(world):
    w = wage(world, 2025, amount=27968, floor=85)
    assert (w.amount, w.floor) == (Decimal("27968.00"), Decimal("23772.80"))
    w2 = wage(world, 2025, amount=29000, floor=100)  # the same year again: corrected
    assert w2.pk == w.pk and w2.floor == Decimal("29000.00")
    with pytest.raises(ValidationFailed) as e:
        wage(world, 2026, amount=2330)
    assert "月平均工资" in e.value.message
    with pytest.raises(ValidationFailed):
        wage(world, 2026, floor=20)
    with pytest.raises(NotFound):  # the street's scope does not hold the district
        wage(world, 2026, scope=world.district.code)
    with pytest.raises(ValidationFailed):  # a community is not a unit that sets the wage
        services.set_average_wage(world.users["district"], world.a.code, year=2026, amount=30000, source="x")
    with pytest.raises(Forbidden):
        services.set_average_wage(
            world.users["department"], world.district.code, year=2026, amount=30000, source="x"
        )


def test_pay_is_read_by_the_worker_their_lead_and_managers_only(world):
    from shequ.core.testing.world import make_user

    pay_world(world)
    r = paid_worker(world, "a")
    worker = r.worker
    own = make_user("t_own", "community_worker", world.a)
    worker.user = own
    worker.save(update_fields=["user"])
    seen = {role: PayRecord.objects.visible_to(u).filter(pk=r.pk).exists() for role, u in world.users.items()}
    assert seen == {"sysadmin": True, "district": True, "street": True, "community_lead": True,
                    "community_worker": False, "community_worker_b": False, "grid_worker": False,
                    "department": False, "resident": False}  # fmt: skip
    assert PayRecord.objects.visible_to(own).get() == r
    assert services.pay.may_see_pay(own, worker) and not services.pay.may_see_pay(
        world.users["community_worker"], worker
    )
    with pytest.raises(Forbidden):
        services.pay_report(world.users["community_worker"], world.a.code, 2025)
    with pytest.raises(Forbidden):
        services.pay_report(world.users["department"], None, 2025)
    with pytest.raises(NotFound):
        services.set_pay_record(world.users["community_worker_b"], worker.pk, year=2025, **EXAMPLE)


def test_the_step_rule_reads_the_closed_annual_appraisals(world):
    """The years met, the step waits on the appraisal module: each required year's grade must allow
    a step (称职 or 优秀); one that does not holds it back; a year not yet appraised leaves it pending."""
    from shequ.workforce.services import appraisal

    street_scheme(world, years_per_step=3, appraisal_count=2)
    steady = make_worker(world, "a", name="稳定", hired=D(2015, 1, 1))
    slipped = make_worker(world, "a", name="下滑", hired=D(2015, 1, 1))
    for w in (steady, slipped):
        services.place_grade(world.users["street"], w.pk, grade="中级", step=1, on=D(2021, 7, 1))
    late = make_worker(world, "b", name="未考核", hired=D(2015, 1, 1))  # community b held no appraisal
    services.place_grade(world.users["street"], late.pk, grade="中级", step=1, on=D(2021, 7, 1))
    scores = {2023: {steady: 80, slipped: 80}, 2024: {steady: 85, slipped: 65}}
    for year, marks in scores.items():
        cycle = appraisal.create_cycle(world.users["street"], world.a.code, year=year, org_share=100,
                                       scorers="street")  # fmt: skip
        for w, mark in marks.items():
            dims = dict.fromkeys(("de", "neng", "qin", "ji", "lian", "xue"), mark)
            appraisal.enter_scores(world.users["street"], cycle.pk, w.pk, scores=dims, scorer="street")
        appraisal.close_cycle(world.users["street"], cycle.pk)
    on = D(2025, 1, 1)
    assert services.step_due(steady, on).status == "due"
    assert services.step_due(slipped, on).status == "appraisal_failed"  # 2024: 基本称职
    assert services.step_due(late, on).status == "pending_appraisal"  # 2023 not appraised
    listed = {
        a.extra["name"]: a.status for a in services.step_advice(world.users["street"], world.street.code, on)
    }
    assert listed == {"稳定": "due", "下滑": "appraisal_failed", "未考核": "pending_appraisal"}
    dist = services.grade_distribution(world.users["street"], world.street.code, 2026)
    assert dist["year"] == 2024 and [(g["label"], g["count"], str(g["percent"])) for g in dist["groups"]] == [
        ("称职", 1, "50.0"), ("基本称职", 1, "50.0")
    ]  # fmt: skip
    page = world.client(world.users["street"]).get("/workforce/", {"scope": world.street.code})
    assert 'id="appraisal-card"' in page.content.decode() and "2024 年度考核等次" in page.content.decode()
    assert services.grade_distribution(world.users["street"], world.b.code, 2026) is None
