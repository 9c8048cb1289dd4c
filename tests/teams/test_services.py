"""The teams module's acts through the real services: teams, members, talent and instructors,
volunteers, activities with sign-up and waiting list, check-in (QR and list), hours, ratings, and the
refusals the issue names, each with its Chinese reason."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.testing.concurrency import needs_pg, race
from shequ.teams import services
from shequ.teams.models import CheckIn, ServiceHours, Signup, SignupStatus, TeamMember
from tests.people.factories import make_resident
from tests.teams.factories import make_activity, make_team, make_volunteer, resident_user, staff, started

pytestmark = pytest.mark.django_db


def test_team_with_members_from_the_registry_and_outside_and_an_instructor_from_the_pool(world):
    lead = staff(world)
    r = make_resident(world, "a")
    team = make_team(world, kind="秧歌队", leader=r.pk)
    assert team.leader_name == r.name and TeamMember.objects.get(team=team).role == "leader"
    services.add_member(lead, team.pk, name="外来王五", phone="13900001111")
    with pytest.raises(Conflict, match="已是"):
        services.add_member(lead, team.pk, resident=r.pk)
    with pytest.raises(ValidationFailed, match="联系电话"):
        services.add_member(lead, team.pk, name="赵六", phone="12")
    outside = TeamMember.objects.get(team=team, resident__isnull=True)
    assert outside.phone == "13900001111" and outside.outside
    t = services.register_talent(lead, r.pk, skill="编排", level="专长", willing=False)
    with pytest.raises(Conflict, match="已登记"):
        services.register_talent(lead, r.pk, skill="编排")
    with pytest.raises(ValidationFailed, match="未表示愿意服务"):
        services.appoint_instructor(lead, team.pk, t.pk)
    t2 = services.register_talent(lead, r.pk, skill="舞蹈", level="expert")
    team = services.appoint_instructor(lead, team.pk, t2.pk)
    assert team.instructor_id == t2.pk
    assert list(services.talent_search(lead, skill="舞蹈", code=world.a.code)) == [t2]
    assert list(services.talent_search(lead, skill="舞蹈", code=world.b.code)) == []
    with pytest.raises(Conflict, match="已有名为"):
        make_team(world, name=team.name)


def test_team_outside_the_scope_is_not_found(world):
    with pytest.raises(NotFound):
        services.create_team(world.users["community_lead"], world.b.code, kind="合唱队", name="越权队")


def test_sign_up_waiting_list_moves_up_on_cancellation(world):
    a = make_activity(world, capacity=2)
    people = [resident_user(world)[0] for _ in range(4)]
    s = [services.sign_up(u, a.pk) for u in people]
    assert [x.status for x in s] == ["confirmed", "confirmed", "waiting", "waiting"]
    with pytest.raises(Conflict, match="无需重复报名"):
        services.sign_up(people[0], a.pk)
    assert services.waiting_position(s[3]) == 2
    services.cancel_signup(people[1], s[1].pk)
    assert Signup.objects.get(pk=s[2].pk).status == SignupStatus.CONFIRMED
    assert Signup.objects.get(pk=s[3].pk).status == SignupStatus.WAITING
    assert services.waiting_position(Signup.objects.get(pk=s[3].pk)) == 1
    # another community's resident may not sign up here
    outsider = resident_user(world, "b")[0]
    with pytest.raises(Forbidden, match="本社区"):
        services.sign_up(outsider, a.pk)


def test_qr_check_in_once_refused_when_full_cancelled_or_forged(world):
    a = started(make_activity(world, capacity=1))
    u1, r1 = resident_user(world)
    u2, _r2 = resident_user(world)
    token = services.door_token(a)
    c = services.check_in_by_qr(u1, token)
    assert c.resident_id == r1.pk and c.key == f"r:{r1.pk}"
    with pytest.raises(Conflict, match="同一活动只能签到一次"):
        services.check_in_by_qr(u1, token)
    with pytest.raises(Conflict, match="人数已满"):
        services.check_in_by_qr(u2, token)
    with pytest.raises(ValidationFailed, match="签到码无效"):
        services.check_in_by_qr(u2, token + "x")
    yesterday = services.door_token(a, timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed, match="签到码无效"):
        services.check_in_by_qr(u2, yesterday)
    b = started(make_activity(world))
    from shequ.teams.models import Activity

    Activity.objects.filter(pk=b.pk).update(status="cancelled")  # cancelled after it started (by hand)
    with pytest.raises(Conflict, match="活动已取消"):
        services.check_in_by_qr(u2, services.door_token(b))
    assert CheckIn.objects.count() == 1


def test_list_check_in_refuses_the_whole_list_on_one_person_twice(world):
    a = started(make_activity(world))
    u, r = resident_user(world)
    services.check_in_from_list(staff(world), a.pk, names=[r.name, "路过的张三"])
    with pytest.raises(Conflict, match="同一活动只能签到一次"):
        services.check_in_from_list(staff(world), a.pk, names=["李四", r.name])
    assert sorted(CheckIn.objects.values_list("name", flat=True)) == sorted([r.name, "路过的张三"])
    with pytest.raises(Conflict, match="同一活动只能签到一次"):
        services.check_in_by_qr(u, services.door_token(a))


def test_hours_only_for_those_who_attended_confirmed_by_the_organiser(world):
    a = make_activity(world, hours=3)
    v, u = make_volunteer(world)
    absent, _u2 = make_volunteer(world)
    with pytest.raises(Conflict, match="尚未开始"):
        services.confirm_hours(staff(world), a.pk, v.pk, hours="2")
    started(a)
    services.check_in_by_qr(u, services.door_token(a))
    with pytest.raises(Conflict, match="没有本次活动的签到记录"):
        services.confirm_hours(staff(world), a.pk, absent.pk, hours="2")
    with pytest.raises(ValidationFailed, match="服务时长应大于 0"):
        services.confirm_hours(staff(world), a.pk, v.pk, hours="9")
    h = services.confirm_hours(staff(world), a.pk, v.pk, hours="2.5", role="引导")
    assert h.hours == Decimal("2.5")
    with pytest.raises(Conflict, match="已确认"):
        services.confirm_hours(staff(world), a.pk, v.pk, hours="1")
    with pytest.raises(NotFound):  # another community's staff
        services.confirm_hours(world.users["community_worker_b"], a.pk, v.pk, hours="1")
    with pytest.raises(NotFound):  # the volunteer cannot confirm their own hours (not theirs to see)
        services.confirm_hours(u, a.pk, v.pk, hours="1")
    assert ServiceHours.objects.count() == 1
    assert services.volunteer_of(u) == v  # linked by the account's phone


def test_shifts_rating_and_report(world):
    a = make_activity(world)
    v, u = make_volunteer(world)
    sh = services.add_shift(
        staff(world), a.pk, role="引导", starts_at=a.starts_at, ends_at=a.ends_at, slots=1
    )
    services.take_shift(u, sh.pk)
    other_v, other_u = make_volunteer(world)
    with pytest.raises(Conflict, match="岗位已满"):
        services.take_shift(other_u, sh.pk)
    plain, _r = resident_user(world)
    with pytest.raises(Forbidden, match="注册为志愿者"):
        services.take_shift(plain, sh.pk)
    started(a)
    with pytest.raises(Forbidden, match="签到参加"):
        services.rate(u, a.pk, score=5)
    services.check_in_by_qr(u, services.door_token(a))
    services.rate(u, a.pk, score=4, comment="很好")
    with pytest.raises(Conflict, match="已评价"):
        services.rate(u, a.pk, score=5)
    h = services.confirm_hours(staff(world), a.pk, v.pk, hours="2")
    assert h.role == "引导"  # the shift's role when none is given
    from tests.cases.factories import photo_bytes

    png = photo_bytes("PNG")
    services.record_report(
        staff(world), a.pk, report="到场 30 人，气氛热烈。", photos=[("p.png", png, "image/png")]
    )
    from shequ.core.attachments import attachments_of
    from shequ.teams.models import Activity

    assert len(attachments_of(Activity, [a.pk])[str(a.pk)]) == 1


def test_cancel_activity_and_bad_input(world):
    a = make_activity(world)
    u, _r = resident_user(world)
    services.sign_up(u, a.pk)
    with pytest.raises(ValidationFailed, match="取消原因"):
        services.cancel_activity(staff(world), a.pk, reason="")
    services.cancel_activity(staff(world), a.pk, reason="天气原因")
    assert not Signup.objects.filter(activity=a, status__in=["confirmed", "waiting"]).exists()
    with pytest.raises(Conflict, match="已取消"):
        services.sign_up(u, a.pk)
    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed, match="结束时间应晚于开始时间"):
        services.create_activity(staff(world), world.a.code, title="x", kind="culture", starts_at=start, ends_at=start,
                                 place="广场")  # fmt: skip
    with pytest.raises(ValidationFailed, match="队伍"):
        services.create_activity(staff(world), world.a.code, title="x", kind="culture", starts_at=start,
                                 ends_at=start + dt.timedelta(hours=1), place="广场", organiser_kind="team")  # fmt: skip
    team_b = make_team(world, "b")
    with pytest.raises(ValidationFailed, match="本社区"):
        services.create_activity(staff(world), world.a.code, title="x", kind="culture", starts_at=start,
                                 ends_at=start + dt.timedelta(hours=1), place="广场", organiser_kind="team",
                                 team=team_b.pk)  # fmt: skip


def test_activity_in_a_facility_through_the_core_places_registry(world):
    from tests.facilities.factories import make_room

    room = make_room(world, name="宁安多功能活动室", capacity=40)
    start = timezone.now() + dt.timedelta(days=1)
    a = services.create_activity(staff(world), world.a.code, title="合唱排练", kind="culture", starts_at=start,
                                 ends_at=start + dt.timedelta(hours=2), facility=room.pk, capacity=30)  # fmt: skip
    assert a.facility_ref == room.pk and a.place == "宁安多功能活动室"
    with pytest.raises(ValidationFailed, match="最多容纳 40 人"):
        services.create_activity(staff(world), world.a.code, title="大会", kind="culture", starts_at=start,
                                 ends_at=start + dt.timedelta(hours=2), facility=room.pk, capacity=100)  # fmt: skip
    from tests.facilities.factories import make_room as room_b

    other = room_b(world, "b", name="郭岭活动室")
    with pytest.raises(ValidationFailed, match="阵地场地"):
        services.create_activity(staff(world), world.a.code, title="x", kind="culture", starts_at=start,
                                 ends_at=start + dt.timedelta(hours=2), facility=other.pk)  # fmt: skip


def test_figures_age_bands_and_appraisal_with_weights(world):
    team = make_team(world)
    a = started(make_activity(world, organiser_kind="team", team=team.pk, kind="culture"))
    b = started(make_activity(world, kind="volunteer"))
    old = [
        resident_user(world, resident=make_resident(world, "a", birth_date=dt.date(1950, 1, 1)))[0]
        for _ in range(3)
    ]
    young, _r = resident_user(world, resident=make_resident(world, "a", birth_date=dt.date(2000, 1, 1)))
    for u in [*old, young]:
        services.check_in_by_qr(u, services.door_token(a))
    services.check_in_by_qr(old[0], services.door_token(b))
    services.rate(old[0], a.pk, score=5)
    lead = world.users["street"]
    data = services.report(lead, world.street.code)
    assert data["activities"] == 2 and data["person_times"] == 5 and data["residents"] == 4
    assert data["over_50_share"] == Decimal("75.0")
    assert {k["kind"]: k["activities"] for k in data["by_kind"]} == {"culture": 1, "volunteer": 1}
    top = data["appraisal"][0]
    assert top["name"] == team.name and top["activities"] == 1 and top["person_times"] == 4
    assert top["score"] == Decimal("100.0")  # best in every measure
    services.set_weights(lead, world.street.code, participation=50, activities=50, rating=0)
    assert services.weights_for(world.a.code) == (50, 50, 0)
    with pytest.raises(ValidationFailed, match="合计 100"):
        services.set_weights(lead, world.street.code, participation=50, activities=50, rating=10)
    with pytest.raises(NotFound):  # a community's lead does not hold the street
        services.set_weights(
            world.users["community_lead"], world.street.code, participation=50, activities=50, rating=0
        )


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_the_same_moment_check_in_once():
    """The same person scanning twice at the same moment, on two connections: one check-in, and the
    other told they are in already (the activity row lock and the unique constraint; PostgreSQL)."""
    from shequ.core.testing.world import build_world
    from tests.teams.factories import make_activity, resident_user, started

    world = build_world()
    a = started(make_activity(world, capacity=10))
    u, _r = resident_user(world)
    token = services.door_token(a)
    results, errors = race(
        [lambda: services.check_in_by_qr(u, token), lambda: services.check_in_by_qr(u, token)]
    )
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], Conflict) and "只能签到一次" in errors[0].message
    assert CheckIn.objects.filter(activity=a).count() == 1


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_last_place_taken_by_one_of_two_concurrent_sign_ups():
    """Two residents signing up for the last place at the same moment: one confirmed, one waiting."""
    from shequ.core.testing.world import build_world
    from tests.teams.factories import make_activity, resident_user

    world = build_world()
    a = make_activity(world, capacity=1)
    u1, u2 = resident_user(world)[0], resident_user(world)[0]
    results, errors = race([lambda: services.sign_up(u1, a.pk), lambda: services.sign_up(u2, a.pk)])
    assert not errors and sorted(s.status for s in results) == ["confirmed", "waiting"]
