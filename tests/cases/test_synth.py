"""The synthetic-case generator (shequ.cases.synth): a small generation keeps every invariant a
real case keeps after walking the workflow through the services."""

import datetime as dt
import random
from collections import Counter

import pytest
import shapely
from django.db import connection
from django.utils import timezone
from shapely.geometry import shape

from shequ.cases import services, synth
from shequ.cases.models import DONE_STATUSES, OPEN_STATUSES, Case, CaseEvent, Status
from shequ.core import crypto, worktime
from shequ.core.validators import MOBILE_RE
from shequ.org.models import Grid

NOW = timezone.make_aware(dt.datetime(2026, 3, 18, 15, 20))
STREET = "420115001"
STATUS_ACTIONS = {"receive", "warn", "escalate", "parent_outcome", "merged_into"}


def _generate(n=300, seed=7, **kw):
    return synth.generate(n, streets=[STREET], seed=seed, months=4, now=NOW, **kw)


@pytest.fixture
def generated(world):
    plan = _generate()
    return world, plan, list(Case.objects.select_related("grid").order_by("id"))


def test_clock_agrees_with_worktime(db):
    clock = synth.WorkClock(dt.date(2025, 9, 1), dt.date(2026, 12, 31))
    rng = random.Random(3)
    start = int(timezone.make_aware(dt.datetime(2025, 9, 20)).timestamp())
    for _ in range(300):
        ts = start + rng.randrange(200 * 86400)
        moment = synth.EPOCH + dt.timedelta(seconds=ts)
        hours = rng.choice((1, 2, 4, 8, 0.5, 13.25))
        assert clock.add_seconds(ts, int(hours * 3600)) == int(
            worktime.add_working_hours(moment, hours).timestamp()
        ), moment
        days = rng.choice((1, 2, 5, 10))
        assert clock.add_days(ts, days) == int(worktime.add_working_days(moment, days).timestamp()), moment
        other = ts + rng.randrange(30 * 86400)
        assert clock.between(ts, other) / 3600 == pytest.approx(
            worktime.working_hours_between(moment, synth.EPOCH + dt.timedelta(seconds=other)), abs=1e-6
        )


def test_columns_are_the_models(db):
    assert {f.attname for f in Case._meta.concrete_fields} == set(synth.CASE_COLUMNS)
    assert {f.attname for f in CaseEvent._meta.concrete_fields} - {"id"} == set(synth.EVENT_COLUMNS)


def test_timestamps_are_in_order_and_in_the_past(generated):
    _world, plan, cases = generated
    assert len(cases) == plan.cases == 300
    order = (
        "received_at",
        "filed_at",
        "dispatched_at",
        "accepted_at",
        "handled_at",
        "closed_at",
        "callback_at",
    )
    for c in cases:
        moments = [getattr(c, f) for f in order if getattr(c, f) is not None]
        assert moments == sorted(moments), (c.number, c.status, moments)
        assert all(m <= NOW for m in moments)
        assert c.created_at == c.received_at and c.updated_at >= c.received_at
        if c.deadline:
            assert c.dispatched_at < c.warn_at < c.deadline
        if c.status in DONE_STATUSES:
            assert None not in (c.filed_at, c.dispatched_at, c.accepted_at, c.handled_at, c.closed_at)
    assert len({c.number for c in cases}) == 300 and len({c.tracking_token for c in cases}) == 300
    assert all(c.number[:8] == timezone.localtime(c.received_at).strftime("%Y%m%d") for c in cases)


def test_status_mix_is_plausible(generated):
    _world, _plan, cases = generated
    by = Counter(c.status for c in cases)
    done = sum(by[s] for s in DONE_STATUSES)
    assert done / len(cases) > 0.75, by
    assert by[Status.CALLED_BACK] + by[Status.EVALUATED] > by[Status.CLOSED], by
    assert 0 < sum(by[s] for s in OPEN_STATUSES) < 0.2 * len(cases), by
    states = Counter(c.clock_state(NOW) for c in cases if c.status in (Status.DISPATCHED, Status.PROCESSING))
    assert states["ok"] > 0, states
    channels = Counter(c.channel for c in cases)
    assert channels.most_common(1)[0][0] == "hotline"
    assert sum(c.category.parent.code in ("07", "08") for c in cases) > 0.5 * len(cases)


def test_a_larger_sample_has_every_side_branch_and_the_callback_shares(world):
    _generate(n=3000, seed=11, events=0.0)
    cases = Case.objects.all()
    by = Counter(cases.values_list("status", flat=True))
    for s in (Status.REJECTED, Status.MERGED, Status.PARKED, Status.EVALUATED, Status.PROCESSING):
        assert by[s] > 0, by
    assert cases.filter(return_count=1).count() > 0.03 * 3000
    assert cases.filter(rework_count=1).count() > 0.015 * 3000
    assert cases.filter(extension_count=1).count() > 0.015 * 3000
    assert cases.filter(supervised=True).count() > 0
    assert cases.filter(paused_hours__gt=0).exists()
    open_states = Counter(c.clock_state(NOW) for c in cases.filter(status__in=("dispatched", "processing")))
    assert open_states["overdue"] > 0 and open_states["warning"] + open_states["ok"] > 0, open_states
    called = cases.filter(callback_valid__isnull=False)
    valid = called.filter(callback_valid=True)
    assert 0.79 < valid.count() / called.count() < 0.91
    sat = Counter(valid.values_list("satisfaction", flat=True))
    n = valid.count()
    assert (
        0.73 < sat["satisfied"] / n < 0.87
        and 0.07 < sat["basic"] / n < 0.17
        and sat["unsatisfied"] / n < 0.13
    )
    closed = cases.filter(closed_on_time__isnull=False)
    assert 0.8 < closed.filter(closed_on_time=True).count() / closed.count() < 0.95
    assert not CaseEvent.objects.exists()  # events=0: no timeline written


def test_counters_and_on_time_flags_agree_with_the_timeline_and_the_clock(generated):
    _world, _plan, cases = generated
    events = {}
    for e in CaseEvent.objects.order_by("case_id", "at", "id"):
        events.setdefault(e.case_id, []).append(e)
    for c in cases:
        timeline = events[c.pk]
        actions = Counter(e.action for e in timeline)
        assert timeline[0].action == "receive" and timeline[0].at == c.received_at
        assert c.return_count == actions["return"]
        assert c.rework_count == actions["rework"]
        assert c.extension_count == actions["grant_extension"]
        assert c.supervised == (actions["supervise"] > 0)
        # The status chain: each transition starts where the previous one left the case.
        status = Status.RECEIVED
        for e in timeline:
            if e.action in STATUS_ACTIONS:
                continue
            assert e.from_status == status, (c.number, e.action, e.from_status, status)
            status = e.to_status
        assert status == c.status, (c.number, [e.action for e in timeline])
        if c.status == Status.RETURNED:
            assert c.return_count >= 1
        if c.extension_state == "granted":
            assert c.extension_count == 1
        if c.deadline and not c.extension_count and not c.paused_hours:
            assert c.deadline == services.deadline_after(c.dispatched_at, c.limit_value, c.limit_unit)
            assert abs((c.warn_at - services.warn_moment(c.dispatched_at, c.deadline)).total_seconds()) <= 1
        if c.closed_at:
            assert c.closed_on_time == (c.handled_at <= c.deadline)
            expected = worktime.working_hours_between(c.dispatched_at, c.handled_at) - c.paused_hours
            assert c.handling_hours == pytest.approx(max(0.0, expected), abs=0.01)
        if c.callback_valid:
            assert c.satisfaction in ("satisfied", "basic", "unsatisfied") and c.callback_solved is not None
        elif c.callback_valid is False:
            assert c.satisfaction == "" and c.callback_solved is None
        if c.escalated_at:
            assert c.escalated_at > c.deadline and actions["escalate"] == 1


def test_requester_contacts_are_encrypted_and_points_lie_in_their_grid(generated):
    _world, _plan, cases = generated
    with connection.cursor() as cur:
        cur.execute("SELECT id, requester_phone FROM cases_case WHERE requester_phone <> ''")
        raw = dict(cur.fetchall())
    assert len(raw) > 0.6 * len(cases)
    by_id = {c.pk: c for c in cases}
    for pk, token in raw.items():
        assert token.startswith(crypto.keyring().active + ":")
        assert MOBILE_RE.match(crypto.decrypt(token)) and by_id[pk].requester_phone == crypto.decrypt(token)
    with_point = [c for c in cases if c.lat is not None]
    assert len(with_point) > 0.6 * len(cases)
    grids = {g.pk: shape(g.boundary) for g in Grid.objects.all()}
    for c in with_point:
        assert grids[c.grid_id].covers(shapely.Point(c.lng, c.lat)), c.number
        assert c.scope_code == c.grid.code
    for c in cases:
        if c.grid_id is None:
            assert c.scope_code == c.community.code
        assert c.scope_code.startswith(STREET)


def test_same_seed_same_cases_other_seed_other_cases(world):
    fields = ("number", "channel", "category_id", "status", "received_at", "deadline", "closed_at", "lat",
              "description", "requester_name", "requester_phone", "satisfaction")  # fmt: skip

    def snapshot():
        return [tuple(getattr(c, f) for f in fields) for c in Case.objects.order_by("received_at", "number")]

    _generate(n=120, seed=5)
    first = snapshot()
    events = CaseEvent.objects.count()
    assert synth.reset_scope([STREET]) == 120
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    _generate(n=120, seed=5)
    assert snapshot() == first and CaseEvent.objects.count() == events
    synth.reset_scope([STREET])
    _generate(n=120, seed=6)
    assert snapshot() != first


def test_demo_accounts_find_work_and_the_generator_adds_to_existing_cases(world):
    from tests.cases.factories import make_case

    existing = make_case(world, "a", "processing")
    users = world.users
    plan = _generate(
        n=200,
        seed=9,
        departments={"0706": "区民政局"},
        requester_users={world.a.code: [users["resident"].pk]},
        actors={world.a.code: (users["community_worker"].pk, "宁安社区 工作人员")},
    )
    assert plan.cases == 200 and Case.objects.count() == 201
    assert Case.objects.filter(pk=existing.pk, status="processing").exists()
    assert Case.objects.filter(handler_department="区民政局").exists()
    assert Case.objects.filter(requester_user=users["resident"]).exists()
    assert CaseEvent.objects.filter(actor=users["community_worker"]).exists()
    todo = Case.objects.visible_to(users["community_worker"]).handled_by(users["community_worker"]).open()
    assert todo.exists()
