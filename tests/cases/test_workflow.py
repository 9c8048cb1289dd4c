"""The transition table: every allowed and every forbidden transition, the clock, concurrency."""

import pytest

from shequ.cases import services
from shequ.cases.models import Case, CaseEvent, Status
from shequ.cases.workflow import TABLE
from shequ.core.errors import Conflict
from shequ.core.testing.concurrency import needs_pg, race
from tests.cases.factories import PATH, make_case

pytestmark = pytest.mark.django_db


def test_walk_to_every_state(world):
    for status in PATH:
        case = make_case(world, "a", status)
        assert case.status == status
        assert CaseEvent.objects.filter(case=case).count() == len(PATH[status]) + 1


@pytest.mark.parametrize("action", sorted(TABLE))
def test_forbidden_sources_are_refused_and_change_nothing(world, action):
    t = TABLE[action]
    forbidden = [s for s in PATH if s not in t.sources]
    actor = world.users["street"]
    for status in forbidden[:4]:
        case = make_case(world, "a", status)
        before = (case.version, CaseEvent.objects.filter(case=case).count())
        with pytest.raises(Conflict) as exc:
            services.transition(actor, case.pk, action, note="x", unit=f"community:{world.a.code}")
        assert exc.value.code == "bad_transition"
        assert "不能" in exc.value.message
        case.refresh_from_db()
        assert (case.version, CaseEvent.objects.filter(case=case).count()) == before


def test_dispatch_starts_the_clock_and_close_judges_it(world):
    case = make_case(world, "a", "closed")
    assert case.deadline and case.warn_at and case.dispatched_at < case.warn_at < case.deadline
    assert case.closed_on_time is True
    assert case.handling_hours is not None and case.handling_hours >= 0


def test_second_accept_is_refused(world):
    case = make_case(world, "a", "dispatched")
    lead = world.users["community_lead"]
    worker = world.users["community_worker"]
    services.transition(lead, case.pk, "accept")
    with pytest.raises(Conflict) as exc:
        services.transition(worker, case.pk, "accept", expected_version=case.version)
    assert "签收" in exc.value.message
    assert Case.objects.get(pk=case.pk).status == Status.PROCESSING
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1


# --- the clock ------------------------------------------------------------------------------------
def _backdate(case, **fields):
    """Move a case's timestamps into the past (the services always use now)."""
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def test_return_stops_the_clock_and_redispatch_gives_a_full_limit(world):
    from django.utils import timezone

    from shequ.core import worktime

    street = world.users["street"]
    case = make_case(world, "a", "dispatched")
    services.transition(world.users["community_lead"], case.pk, "return", note="应由物业处理")
    case.refresh_from_db()
    assert case.status == Status.RETURNED and case.return_count == 1 and case.clock_state() == ""
    before = timezone.now()
    case = services.transition(street, case.pk, "dispatch", unit=f"grid:{world.grid_a.code}")
    assert case.handler_kind == "grid" and case.dispatched_at >= before
    assert (case.limit_value, case.limit_unit) == (1, "days")  # 0703 环境卫生
    assert case.deadline == worktime.add_working_days(case.dispatched_at, 1)
    assert case.return_count == 1


def test_return_after_the_limit_is_refused(world, settings):
    import datetime as dt

    from shequ.core.errors import ValidationFailed

    settings.CASE_RETURN_LIMIT_HOURS = 8
    case = make_case(world, "a", "dispatched")
    _backdate(case, dispatched_at=case.dispatched_at - dt.timedelta(days=10))
    with pytest.raises(ValidationFailed) as exc:
        services.transition(world.users["community_lead"], case.pk, "return", note="非本单位职责")
    assert exc.value.code == "return_too_late" and "转派" in exc.value.message
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


def test_extension_moves_the_deadline_by_working_days(world):
    from shequ.core import worktime

    lead, street = world.users["community_lead"], world.users["street"]
    case = make_case(world, "a", "processing")
    old = case.deadline
    services.transition(lead, case.pk, "request_extension", note="需采购配件", days=3)
    with pytest.raises(Conflict):  # one pending request at a time
        services.transition(lead, case.pk, "request_extension", note="再申请", days=2)
    case = services.transition(street, case.pk, "grant_extension")
    assert case.deadline == worktime.add_working_days(old, 3)
    assert case.extension_count == 1 and case.extension_state == "granted"
    assert case.dispatched_at < case.warn_at < case.deadline


def test_park_pauses_the_clock(world):
    import datetime as dt

    street = world.users["street"]
    case = make_case(world, "a", "processing")
    old_deadline = case.deadline
    case = services.transition(street, case.pk, "park", note="待资金到位", review_on="2099-01-01")
    assert case.status == Status.PARKED and case.clock_state() == ""
    # Parked for two weeks: the deadline moves by the working hours spent parked.
    _backdate(case, parked_at=case.parked_at - dt.timedelta(days=14))
    case = services.transition(street, case.pk, "unpark")
    assert case.status == Status.PROCESSING
    assert case.paused_hours >= 7 * 9  # at least nine working days of 7 hours
    assert case.deadline > old_deadline


def test_park_needs_a_future_review_date(world):
    from shequ.core.errors import ValidationFailed

    case = make_case(world, "a", "filed")
    with pytest.raises(ValidationFailed):
        services.transition(world.users["street"], case.pk, "park", note="x", review_on="2001-01-01")


def test_rework_keeps_the_deadline_and_late_feedback_is_not_on_time(world):
    import datetime as dt

    lead, street = world.users["community_lead"], world.users["street"]
    case = make_case(world, "a", "handled")
    deadline = case.deadline
    case = services.transition(street, case.pk, "rework", note="现场仍有杂物")
    assert case.status == Status.PROCESSING and case.rework_count == 1 and case.deadline == deadline
    # The unit misses the deadline this time.
    _backdate(
        case,
        dispatched_at=case.dispatched_at - dt.timedelta(days=20),
        deadline=case.deadline - dt.timedelta(days=15),
    )
    assert case.clock_state() == "overdue"
    services.transition(lead, case.pk, "feedback", note="已全部清理")
    services.transition(street, case.pk, "verify")
    case = services.transition(street, case.pk, "close")
    assert case.closed_on_time is False and case.clock_state() == "overdue"


def test_clock_warning_at_eighty_percent(world):
    import datetime as dt

    from django.utils import timezone

    case = make_case(world, "a", "processing")
    now = timezone.now()
    _backdate(case, warn_at=now - dt.timedelta(minutes=1), deadline=now + dt.timedelta(hours=1))
    assert case.clock_state() == "warning"


def test_deadline_into_a_year_without_schedule_is_computed(world):
    """2031 has no State Council schedule in the calendar: weekends only, never an error."""
    import datetime as dt

    from django.utils import timezone

    from shequ.cases.services import deadline_after
    from shequ.core import worktime

    start = timezone.make_aware(dt.datetime(2030, 12, 30, 10, 0))
    end = deadline_after(start, 5, "days")
    assert timezone.localtime(end).year == 2031
    assert 2031 in worktime.unknown_years(start, end)


# --- who may act ----------------------------------------------------------------------------------
def test_only_the_handling_unit_accepts(world):
    from shequ.core.errors import Forbidden

    street = world.users["street"]
    case = make_case(world, "a", "filed")
    services.transition(street, case.pk, "dispatch", unit="department:城管执法中队")
    with pytest.raises(Forbidden) as exc:
        services.transition(world.users["community_lead"], case.pk, "accept")
    assert "城管执法中队" in exc.value.message


def test_department_sees_only_its_cases(world):
    from shequ.core.models import Membership

    dept = world.users["department"]  # 区民政局
    mine = make_case(world, "a", "filed")
    other = make_case(world, "a", "filed")
    assert not Case.objects.visible_to(dept).exists()
    services.transition(world.users["street"], mine.pk, "dispatch", unit="department:区民政局")
    assert list(Case.objects.visible_to(dept)) == [Case.objects.get(pk=mine.pk)]
    assert other.pk not in set(Case.objects.visible_to(dept).values_list("pk", flat=True))
    case = services.transition(dept, mine.pk, "accept")
    assert case.status == Status.PROCESSING
    assert Membership.objects.filter(user=dept, department="区民政局").exists()


def test_resident_sees_only_own_requests(world):
    resident = world.users["resident"]
    own, _ = services.submit_request(
        resident, channel="web", category="0703", description="楼下垃圾没人清", community=world.a
    )
    make_case(world, "a", "filed")
    assert list(Case.objects.visible_to(resident)) == [own]
    assert own.requester_user == resident


def test_grid_worker_verifies_but_cannot_dispatch(world):
    from shequ.core.errors import Forbidden

    gw = world.users["grid_worker"]
    case = make_case(world, "a", "filed")
    with pytest.raises(Forbidden):
        services.transition(gw, case.pk, "dispatch", unit=f"grid:{world.grid_a.code}")
    case = make_case(world, "a", "handled")
    assert services.transition(gw, case.pk, "verify").status == Status.VERIFIED


def test_other_community_case_is_not_found(world):
    from shequ.core.errors import NotFound

    case = make_case(world, "b", "dispatched")
    with pytest.raises(NotFound):
        services.transition(world.users["community_lead"], case.pk, "accept")
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


# --- merge ----------------------------------------------------------------------------------------
def test_merge_suggestion_and_parent_outcome(world):
    from shequ.core import notify

    notify.outbox.clear()
    street = world.users["street"]
    parent = make_case(world, "a", "processing", description="3栋楼道堆放大量纸箱杂物，堵塞通道")
    child = make_case(world, "a", "received", description="3栋楼道堆放大量纸箱杂物，堵塞了通道")
    far_text = make_case(world, "a", "received", description="小区东门路灯不亮已经一周", category="0704")
    found = services.merge_candidates(child, street)
    assert [e["case"].pk for e in found] == [parent.pk]
    assert found[0]["distance_m"] is not None and found[0]["distance_m"] <= 100
    assert found[0]["similarity"] >= 0.8
    assert services.merge_candidates(far_text, street) == []
    child = services.transition(street, child.pk, "merge", parent=parent.pk)
    assert child.status == Status.MERGED and child.parent_id == parent.pk
    assert CaseEvent.objects.filter(case=parent, action="merged_into").count() == 1
    lead = world.users["community_lead"]
    services.transition(lead, parent.pk, "feedback", note="已清理")
    services.transition(street, parent.pk, "verify")
    services.transition(street, parent.pk, "close")
    assert CaseEvent.objects.filter(case=child, action="parent_outcome").count() == 1


def test_cannot_merge_into_itself_or_a_merged_case(world):
    from shequ.core.errors import ValidationFailed

    street = world.users["street"]
    a = make_case(world, "a", "received")
    with pytest.raises(ValidationFailed):
        services.transition(street, a.pk, "merge", parent=a.pk)


# --- intake ---------------------------------------------------------------------------------------
def test_repeated_external_order_is_one_case(world):
    street = world.users["street"]
    kw = dict(
        channel="hotline",
        category="0703",
        description="垃圾未清运",
        community=world.a,
        external_id="GD2026001",
    )
    first, created = services.submit_request(street, **kw)
    again, created_again = services.submit_request(street, **kw)
    assert created and not created_again and first.pk == again.pk
    assert Case.objects.filter(external_id="GD2026001").count() == 1


def test_photos_lose_their_exif(world):
    import io

    from PIL import Image

    from shequ.core.models import Attachment
    from tests.cases.factories import photo_bytes

    raw = photo_bytes(exif_gps=True)
    assert Image.open(io.BytesIO(raw)).getexif()
    case = make_case(world, "a", "received", photos=[("现场.jpg", raw, "image/jpeg")])
    stored = Attachment.objects.get(owner_id=str(case.events.get(action="receive").pk))
    img = Image.open(io.BytesIO(bytes(stored.data)))
    assert not img.getexif() and img.size == (64, 48)


def test_bad_photo_writes_nothing(world):
    from shequ.core.errors import ValidationFailed

    before = Case.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        make_case(world, "a", "received", photos=[("x.jpg", b"not an image at all", "image/jpeg")])
    assert exc.value.code == "bad_photo"
    assert Case.objects.count() == before


# --- the sweep ------------------------------------------------------------------------------------
def test_sweep_warns_then_escalates_once(world):
    import datetime as dt

    from django.utils import timezone

    case = make_case(world, "a", "processing")
    now = timezone.now()
    _backdate(case, warn_at=now - dt.timedelta(minutes=5), deadline=now + dt.timedelta(hours=2))
    assert services.sweep_deadlines(now) == {"warned": 1, "escalated": 0, "review_due": 0}
    assert services.sweep_deadlines(now) == {"warned": 0, "escalated": 0, "review_due": 0}
    later = now + dt.timedelta(hours=3)
    assert services.sweep_deadlines(later) == {"warned": 0, "escalated": 1, "review_due": 0}
    assert services.sweep_deadlines(later) == {"warned": 0, "escalated": 0, "review_due": 0}
    assert list(case.events.filter(action__in=("warn", "escalate")).values_list("action", flat=True)) == [
        "warn",
        "escalate",
    ]


# --- two people at once ---------------------------------------------------------------------------
@needs_pg
@pytest.mark.django_db(transaction=True)
def test_two_handlers_accept_at_once():
    from shequ.core.testing.world import build_world

    world = build_world()
    case = make_case(world, "a", "dispatched")
    lead, worker = world.users["community_lead"], world.users["community_worker"]
    results, errors = race(
        [
            lambda: services.transition(lead, case.pk, "accept"),
            lambda: services.transition(worker, case.pk, "accept"),
        ]
    )
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict) and "签收" in errors[0].message
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    assert Case.objects.get(pk=case.pk).version == case.version + 1


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_reassign_while_a_return_is_filed():
    """Both acts were chosen on the page showing the same version: one applies, the other is told."""
    from shequ.core.testing.world import build_world

    world = build_world()
    case = make_case(world, "a", "dispatched")
    lead, street = world.users["community_lead"], world.users["street"]
    v = case.version
    results, errors = race(
        [
            lambda: services.transition(lead, case.pk, "return", note="非本社区职责", expected_version=v),
            lambda: services.transition(
                street,
                case.pk,
                "reassign",
                note="改派网格",
                unit=f"grid:{world.grid_a.code}",
                expected_version=v,
            ),
        ]
    )
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Conflict)
    events = CaseEvent.objects.filter(case=case, action__in=("return", "reassign"))
    assert events.count() == 1
    assert Case.objects.get(pk=case.pk).status == events.get().to_status


def test_parked_case_reminds_dispatchers_on_its_review_date(world):
    import datetime as dt

    from django.utils import timezone

    case = make_case(world, "a", "parked")
    review = dt.date(2099, 1, 1)
    on_the_day = timezone.make_aware(dt.datetime.combine(review, dt.time(9)))
    assert services.sweep_deadlines(on_the_day - dt.timedelta(days=1))["review_due"] == 0
    assert services.sweep_deadlines(on_the_day)["review_due"] == 1
    assert services.sweep_deadlines(on_the_day)["review_due"] == 0
    assert case.events.filter(action="review_due").count() == 1
    lead = world.users["community_lead"]
    assert lead in set(services.dispatchers_at(case))


def test_callback_after_the_requester_evaluated(world):
    street = world.users["street"]
    case = make_case(world, "a", "closed")
    services.transition(street, case.pk, "evaluate", rating=4)
    case = services.transition(
        street, case.pk, "callback", valid=True, contacted=True, solved=True, satisfaction="basic"
    )
    assert case.status == Status.CALLED_BACK and case.rating == 4 and case.satisfaction == "basic"
    with pytest.raises(Conflict):
        services.transition(street, case.pk, "evaluate", rating=5)


def test_grid_worker_patrol_without_a_position_stays_in_their_grid(world):
    gw = world.users["grid_worker"]
    case, _ = services.submit_request(gw, channel="patrol", category="0501", description="路口有流动摊贩")
    assert case.grid == world.grid_a and case.scope_code == world.grid_a.code
