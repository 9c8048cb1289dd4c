"""Relief cases and payments: one payment per case and month (also under a race), the month's
generation in force and idempotent, statuses, the ledger and the roster workbook."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from shequ.core.errors import Conflict, ValidationFailed
from shequ.core.models import Action, ChangeLogEntry
from shequ.core.testing.concurrency import needs_pg, race
from shequ.ledgers import services
from shequ.ledgers.models import ReliefCase, ReliefPayment
from tests.ledgers.factories import charge, make_relief_case, this_month
from tests.people.factories import make_resident


def test_a_month_already_recorded_is_refused_with_the_reason(world):
    case = make_relief_case(world, "a")
    actor = charge(world)
    services.record_payment(actor, case.pk, month_value="2026-06")
    with pytest.raises(Conflict) as exc:
        services.record_payment(actor, case.pk, month_value="2026-06", amount_value="100")
    assert exc.value.status == 409 and exc.value.code == "duplicate_month"
    assert "2026年6月" in exc.value.message and "823.45" in exc.value.message
    assert ReliefPayment.objects.filter(case=case).count() == 1


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_two_clerks_at_once_make_one_payment():
    from shequ.core.testing.world import build_world

    world = build_world()
    case = make_relief_case(world, "a")
    lead, worker = world.users["community_lead"], world.users["community_worker"]
    results, errors = race([
        lambda: services.record_payment(lead, case.pk, month_value="2026-07"),
        lambda: services.record_payment(worker, case.pk, month_value="2026-07"),
    ])  # fmt: skip
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict) and errors[0].code == "duplicate_month"
    assert ReliefPayment.objects.filter(case=case, month=dt.date(2026, 7, 1)).count() == 1


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_generating_a_month_twice_at_once_makes_each_payment_once():
    from shequ.core.testing.world import build_world

    world = build_world()
    cases = [make_relief_case(world, "a") for _ in range(3)]
    actor = charge(world)
    results, errors = race([lambda: services.generate_month(actor, "2026-08")] * 2)
    assert not errors
    assert ReliefPayment.objects.filter(month=dt.date(2026, 8, 1)).count() == len(cases)


def test_payment_rules(world):
    case = make_relief_case(world, "a", start_date="2026-03-01")
    actor = charge(world)
    with pytest.raises(ValidationFailed, match="早于"):
        services.record_payment(actor, case.pk, month_value="2026-02")
    with pytest.raises(ValidationFailed, match="原因"):
        services.record_payment(actor, case.pk, month_value="2026-04", status="暂停发放")
    with pytest.raises(ValidationFailed, match="两位小数"):
        services.record_payment(actor, case.pk, month_value="2026-04", amount_value="1.234")
    with pytest.raises(ValidationFailed, match="2026-11"):
        services.record_payment(actor, case.pk, month_value="十一月")
    p = services.record_payment(actor, case.pk, month_value="2026-04", status="暂停发放", reason="未按时年审")
    assert p.amount == Decimal("0.00") and p.reason == "未按时年审"


def test_status_transitions(world):
    case = make_relief_case(world, "a", start_date="2026-01-01")
    actor = charge(world)
    with pytest.raises(ValidationFailed, match="原因"):
        services.change_status(actor, case.pk, status="暂停", on="2026-05-01")
    case = services.change_status(actor, case.pk, status="暂停", on="2026-05-01", reason="外出务工收入待核")
    case = services.change_status(actor, case.pk, status="在保", on="2026-06-01")
    case = services.change_status(
        actor, case.pk, status="停保", on="2026-09-15", reason="家庭收入超过保障标准"
    )
    assert case.status == "ended"
    for target in ("在保", "暂停", "停保"):
        with pytest.raises(Conflict):
            services.change_status(actor, case.pk, status=target, on="2026-10-01", reason="再试一次")
    with pytest.raises(ValidationFailed, match="停保"):
        services.record_payment(actor, case.pk, month_value="2026-10")


def test_care_mode_and_duplicate_case(world):
    actor = charge(world)
    r = make_resident(world, "a")
    with pytest.raises(ValidationFailed, match="集中供养或分散供养"):
        services.open_case(
            actor, resident_id=r.pk, category="特困供养", start_date="2026-01-01", monthly_amount="1200"
        )
    with pytest.raises(ValidationFailed, match="留空"):
        services.open_case(actor, resident_id=r.pk, category="dibao", start_date="2026-01-01", monthly_amount="700",
                           care_mode="集中供养")  # fmt: skip
    c = services.open_case(actor, resident_id=r.doc_number, category="特困供养", start_date="2026-01-01",
                           monthly_amount="1200", care_mode="集中供养")  # fmt: skip
    assert c.head_name == r.name and c.persons == 1
    with pytest.raises(Conflict):
        services.open_case(actor, resident_id=r.pk, category="tekun", start_date="2026-02-01", monthly_amount="1200",
                           care_mode="分散供养")  # fmt: skip


def test_generation_covers_cases_in_force_and_is_idempotent(world):
    actor = charge(world)
    m = this_month()
    active = make_relief_case(world, "a")
    suspended = make_relief_case(world, "a")
    services.change_status(actor, suspended.pk, status="暂停", on=m, reason="未按时年审")
    ended = make_relief_case(world, "a")
    services.change_status(actor, ended.pk, status="停保", on=m - dt.timedelta(days=40), reason="迁出本市")
    future = make_relief_case(world, "a", start_date=m + dt.timedelta(days=40))
    done = make_relief_case(world, "b")
    services.record_payment(actor, done.pk, month_value=m, amount_value="600")
    out = services.generate_month(actor, m)
    assert out["created"] == 2 and out["existing"] == 1
    pays = {p.case_id: p for p in ReliefPayment.objects.filter(month=m)}
    assert pays[active.pk].status == "paid" and pays[active.pk].amount == active.monthly_amount
    assert pays[suspended.pk].status == "suspended" and pays[suspended.pk].amount == 0
    assert ended.pk not in pays and future.pk not in pays
    assert pays[done.pk].amount == Decimal("600")
    again = services.generate_month(actor, m)
    assert again["created"] == 0 and again["existing"] == 3
    assert ReliefPayment.objects.filter(month=m).count() == 3


def test_ledger_counts_paid_households_and_central_care_share(world):
    actor = charge(world)
    m = this_month()
    make_relief_case(world, "a", persons=3)
    for mode in ("集中供养", "分散供养", "分散供养"):
        r = make_resident(world, "a")
        services.open_case(actor, resident_id=r.pk, category="特困供养", start_date="2025-01-01",
                           monthly_amount="1000", care_mode=mode)  # fmt: skip
    services.generate_month(actor, m)
    data = services.ledger(actor, m)
    row = next(r for r in data["rows"] if r["code"] == world.a.code)
    assert row["households"] == 4 and row["persons"] == 6
    assert row["paid"] == Decimal("823.45") + 3000
    assert row["cared"] == 3 and row["central"] == 1
    assert row["central_share"] == Decimal(1) / 3


def test_roster_workbook_rows_total_and_masking(world):
    actor = charge(world)
    m = this_month()
    a1 = make_relief_case(world, "a", persons=2)
    a2 = make_relief_case(world, "a", persons=1, monthly_amount="500.10")
    s = make_relief_case(world, "a")
    services.change_status(actor, s.pk, status="暂停", on=m, reason="未按时年审")
    make_relief_case(world, "b")
    services.generate_month(actor, m)
    data, name = services.roster_workbook(actor, world.a.code, m)
    ws = load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][0].endswith("城乡低保金发放花名册") and f"{m.year}年{m.month}月" in rows[0][0]
    assert rows[2] == ["序号", "户主姓名", "身份证号", "保障人数", "类别", "月保障金", "发放状态", "备注"]
    body = rows[3:-1]
    assert len(body) == 3
    assert {r[1] for r in body} == {ReliefCase.objects.get(pk=c.pk).head_name[0] + "*" * (len(c.head_name) - 2)
                                    + c.head_name[-1] for c in (a1, a2, s)}  # fmt: skip
    assert all("*" in r[2] for r in body)
    assert rows[-1][0] == "合计" and rows[-1][3] == 3 and rows[-1][5] == pytest.approx(823.45 + 500.10)
    assert "未按时年审" in [r[7] for r in body]
    assert ChangeLogEntry.objects.filter(action=Action.EXPORT, scope_code=world.a.code).exists()
    # In full: needs a reason, shows the names and numbers, and says so in the log.
    with pytest.raises(ValidationFailed):
        services.roster_workbook(actor, world.a.code, m, full=True, reason="")
    data, _n = services.roster_workbook(actor, world.a.code, m, full=True, reason="报送街道民政科")
    ws = load_workbook(io.BytesIO(data)).active
    ids = {r[2].value for r in ws.iter_rows(min_row=4, max_row=6)}
    assert a1.head_id_number in ids
    assert ChangeLogEntry.objects.filter(action=Action.EXPORT, note__contains="报送街道民政科").exists()


def test_reasons_are_encrypted_at_rest(world):
    from django.db import connection

    actor = charge(world)
    case = make_relief_case(world, "a")
    services.change_status(actor, case.pk, status="暂停", on=this_month(), reason="家庭收入待核查")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT status_reason, head_name, head_id_number FROM ledgers_reliefcase WHERE id = %s", [case.pk]
        )
        raw = cur.fetchone()
    assert "家庭收入" not in raw[0] and case.head_name not in raw[1] and case.head_id_number not in raw[2]
