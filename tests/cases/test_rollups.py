"""The indicators' monthly rollup: every act keeps it equal to a recount of the cases, folding keeps
the sums, the trend read from it equals the trend counted from the cases for every kind of viewer
and period it answers, it declines the periods it cannot answer exactly, and acts at once on
cases of one state are all counted."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.cases import indicators as ind
from shequ.cases import rollups, services
from shequ.cases.models import Case, CaseMonthly
from shequ.cli import build_parser
from shequ.core.testing.concurrency import needs_pg, race
from tests.cases.factories import backdate, make_case

DEPT = "区民政局"


def months_ago(k: int, day: int = 10) -> dt.datetime:
    """A moment on `day` of the local month k months before this one, at 10:00."""
    first = timezone.localdate().replace(day=1)
    for _i in range(k):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return timezone.make_aware(dt.datetime.combine(first.replace(day=day), dt.time(10)))


def month_totals() -> list:
    return sorted(CaseMonthly.objects.order_by().values_list("month").annotate(t=Sum("n")))


def act(world, case, action, who="street", **data):
    return services.transition(world.users[who], case.pk, action, **data)


@pytest.fixture
def spread(world):
    """Cases in every state the trend reads, filed over the last four months, in both communities
    and with a department: closed in the month filed or later, on time or late, open past their
    deadline (last month or earlier this month), 挂账, merged, and a request never filed."""
    made = []
    # closed in the month filed, on time
    made.append(
        backdate(make_case(world, "a", "closed"), filed_at=months_ago(3), closed_at=months_ago(3, 20))
    )
    # filed 3 months ago, deadline 2 months ago, closed last month (late)
    c = make_case(world, "b", "closed")
    made.append(
        backdate(
            c, filed_at=months_ago(3), deadline=months_ago(2), closed_at=months_ago(1), closed_on_time=False
        )
    )
    # open, deadline passed last month
    made.append(backdate(make_case(world, "a", "processing"), filed_at=months_ago(2), deadline=months_ago(1)))
    # open, deadline passed earlier this month (the live part of the current period), unless today is the 1st
    now = timezone.now()
    start = months_ago(0, 1).replace(hour=0)
    made.append(
        backdate(
            make_case(world, "a", "dispatched"), filed_at=months_ago(1), deadline=start + (now - start) / 2
        )
    )
    # open, deadline next month
    made.append(backdate(make_case(world, "b", "dispatched"), deadline=now + dt.timedelta(days=40)))
    # 挂账 after its deadline passed
    h = backdate(make_case(world, "a", "dispatched"), filed_at=months_ago(1), deadline=months_ago(1, 12))
    made.append(act(world, h, "park", note="等待资金", review_on="2099-01-01"))
    # dispatched to a department, closed this month
    d = act(world, make_case(world, "a", "filed"), "dispatch", unit=f"department:{DEPT}")
    d = act(world, d, "accept", who="department")
    d = act(world, d, "feedback", who="department", note="已处理")
    d = act(world, act(world, d, "verify"), "close")
    made.append(backdate(d, filed_at=months_ago(2)))
    # merged into another (not counted), and a request never filed (not counted)
    parent = make_case(world, "a", "filed")
    made.append(act(world, make_case(world, "a", "filed"), "merge", parent=parent.pk))
    made.append(make_case(world, "a", "received"))
    return made


def periods():
    today = timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    two = last.replace(day=1) - dt.timedelta(days=1)
    return {
        "this month": ind.Filters(start=today.replace(day=1), end=today),
        "this year to date": ind.Filters(start=today.replace(month=1, day=1), end=today),
        "last month": ind.Filters(start=last.replace(day=1), end=last),
        "two months ago": ind.Filters(start=two.replace(day=1), end=two),
    }


def test_every_act_keeps_the_rollup_exact(world, spread):
    assert rollups.differences() == []
    assert CaseMonthly.objects.filter(delta=True).exists()
    totals = month_totals()
    folded = rollups.compact()
    assert folded > 0 and not CaseMonthly.objects.filter(delta=True).exists()
    assert rollups.differences() == []
    assert month_totals() == totals
    # No state is left at zero, and folding again finds nothing.
    assert not CaseMonthly.objects.filter(n=0).exists() and rollups.compact() == 0


@pytest.mark.parametrize("who", ["community_lead", "street", "department", "sysadmin"])
@pytest.mark.parametrize("period", list(periods()))
def test_trend_from_the_rollup_equals_the_trend_from_the_cases(world, spread, who, period):
    user = world.users[who]
    f = periods()[period]
    assert rollups.trend_sums(user, ind.trend_filters(f)) is not None  # the rollup answers
    from_rollup = ind.trend(user, f)
    assert from_rollup == ind.trend(user, f, live=True)
    if who == "street":
        assert sum(r["filed"] for r in from_rollup) > 0
    rollups.compact()
    assert ind.trend(user, f) == from_rollup
    # Narrowed to one community (the page's focus).
    narrowed = ind.Filters(start=f.start, end=f.end, scope_code=world.a.code)
    if who in ("street", "sysadmin"):
        assert ind.trend(user, narrowed) == ind.trend(user, narrowed, live=True)


def test_the_street_sees_what_the_spread_holds(world, spread):
    """A check of the numbers themselves (not only rollup = live): last month as of its end."""
    f = periods()["last month"]
    rows = {r["key"]: r for r in ind.trend(world.users["street"], f)}
    three = months_ago(3).strftime("%Y-%m")
    two = months_ago(2).strftime("%Y-%m")
    # Filed three months ago: one closed then, one closed last month (late): both closed by the end
    # of last month; one on time.
    assert (rows[three]["filed"], rows[three]["closed"], rows[three]["on_time"], rows[three]["due"]) == (
        2,
        2,
        1,
        2,
    )
    # Filed two months ago: the processing case (deadline last month: due, not closed) and the
    # department's case (closed this month: not closed as of last month's end; deadline ahead: not due).
    assert (rows[two]["filed"], rows[two]["closed"], rows[two]["due"]) == (2, 0, 1)


def test_past_periods_are_read_without_the_cases_table(world, spread):
    user = world.users["street"]
    f = periods()["last month"]
    ind.trend(user, f)  # memberships cached
    with CaptureQueriesContext(connection) as q:
        ind.trend(user, f)
    assert q.captured_queries and not any('"cases_case"' in x["sql"] for x in q.captured_queries)


def test_periods_the_rollup_cannot_answer_are_counted_from_the_cases(world, spread):
    user = world.users["street"]
    today = timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    mid = ind.Filters(start=last.replace(day=1), end=last.replace(day=15))  # ends inside a past month
    assert rollups.trend_sums(user, ind.trend_filters(mid)) is None
    assert ind.trend(user, mid) == ind.trend(user, mid, live=True)
    for narrowed in (
        ind.Filters(start=today.replace(day=1), end=today, unit=f"department:{DEPT}"),
        ind.Filters(start=today.replace(day=1), end=today, category="0703"),
        ind.Filters(
            start=today.replace(day=1), end=today, scope_code=world.grid_a.code
        ),  # counted by community
    ):
        assert rollups.trend_sums(user, ind.trend_filters(narrowed)) is None
        assert ind.trend(user, narrowed) == ind.trend(user, narrowed, live=True)


def test_rebuild_and_the_command(world, spread, capsys):
    parser = build_parser()

    def run(*argv):
        args = parser.parse_args(["cases", "rollups", *argv])
        try:
            args.func(args)
        except SystemExit as e:
            return e.code
        return 0

    assert run() == 0 and "一致" in capsys.readouterr().out
    # A write that bypassed the services: the check names it and fails; a rebuild repairs it.
    Case.objects.filter(pk=spread[0].pk).update(filed_at=months_ago(5))
    assert run("--check") == 1
    captured = capsys.readouterr()
    assert "不一致" in captured.out and "--rebuild" in captured.err
    assert run("--rebuild") == 0 and "重新汇总" in capsys.readouterr().out
    assert rollups.differences() == []
    assert run("--compact") == 0 and "合并" in capsys.readouterr().out


def test_synthetic_cases_are_counted(world):
    from shequ.cases import synth

    synth.generate(60, streets=[world.street.code], seed=3, months=3, points_per_grid=5)
    assert CaseMonthly.objects.exists() and rollups.differences() == []
    synth.reset_scope([world.street.code])
    assert not CaseMonthly.objects.exists()


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_acts_at_once_on_cases_of_one_state_are_all_counted():
    """Eight closes at the same moment on cases that share a state: the rollup only takes inserts,
    so none waits on another's row and none is lost (run five times to give a race its chances)."""
    from shequ.core.testing.world import build_world

    world = build_world()
    street = world.users["street"]
    for _round in range(5):
        cases = [make_case(world, "a", "verified") for _i in range(8)]
        results, errors = race([lambda c=c: services.transition(street, c.pk, "close") for c in cases])
        assert errors == [] and len(results) == 8
        assert rollups.differences() == []
    assert rollups.compact() > 0 and rollups.differences() == []
