"""Demo teams and activities of 纸坊街道's four demo communities: a year of teams (culture and
volunteer teams with members from the registry and a few from outside, instructors from the talent
pool), the talent pool, volunteers, and a year of activities with sign-ups, check-ins (mostly
residents over 50, as the field reports find), confirmed volunteer hours and ratings. Written as
finished rows in bulk (the seed is not a user act), by the rules the services enforce; about a
second."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shequ.core import changelog, qr
from shequ.core.models import Action, User
from shequ.org.models import OrgUnit
from shequ.teams.models import (
    Activity,
    ActivityKind,
    AppraisalWeights,
    CheckIn,
    CheckInMethod,
    OrganiserKind,
    Rating,
    ServiceHours,
    Shift,
    ShiftSignup,
    Signup,
    SignupStatus,
    Skill,
    Talent,
    Team,
    TeamKind,
    TeamMember,
    Volunteer,
)

STREET = "420115001"
COMMUNITIES = ["420115001001", "420115001002", "420115001005", "420115001019"]
TEAMS = [("夕阳红合唱团", "合唱队", ActivityKind.CULTURE, "合唱排练"), ("广场舞队", "舞蹈队", ActivityKind.FITNESS, "广场舞活动"),
         ("腰鼓秧歌队", "秧歌队", ActivityKind.CULTURE, "秧歌排练"), ("太极拳队", "体育健身队", ActivityKind.FITNESS, "太极拳晨练"),
         ("书香读书会", "读书会", ActivityKind.EDUCATION, "读书分享会"), ("红马甲志愿服务队", "志愿服务队", ActivityKind.VOLUNTEER, "环境整治志愿服务"),
         ("党员先锋志愿队", "党员志愿者队", ActivityKind.VOLUNTEER, "党员志愿服务日"), ("平安110志愿者队", "110志愿者队", ActivityKind.VOLUNTEER, "治安巡逻")]  # fmt: skip
COMMUNITY_EVENTS = [(ActivityKind.FESTIVAL, "重阳节敬老活动"), (ActivityKind.TRAINING, "健康知识讲座"), (ActivityKind.SERVICE, "便民理发义诊"),
                    (ActivityKind.EDUCATION, "防诈骗宣传"), (ActivityKind.FESTIVAL, "邻里节"), (ActivityKind.TRAINING, "智能手机培训")]  # fmt: skip
PLACES = ["社区文化广场", "社区活动室", "党群服务中心", "小区中心花园"]
LEVELS = ["basic", "skilled", "skilled", "expert", "professional"]


def is_loaded() -> bool:
    return Team.objects.filter(scope_code__startswith=STREET).exists()


def reset() -> None:
    """Delete the demo teams and activities (before the residents and org units they point at go)."""
    from shequ.teams import demo_cobuilding

    demo_cobuilding.reset()  # contributions point at activities and units
    from shequ.teams import demo_party

    demo_party.reset()  # members, pledges and nominations point at residents, volunteers and teams
    q = {"activity__scope_code__startswith": STREET}
    for model in (Rating, CheckIn, Signup, ServiceHours):
        model.objects.filter(**q).delete()
    ShiftSignup.objects.filter(shift__activity__scope_code__startswith=STREET).delete()
    Shift.objects.filter(**q).delete()
    Activity.objects.filter(scope_code__startswith=STREET).delete()
    TeamMember.objects.filter(team__scope_code__startswith=STREET).delete()
    Team.objects.filter(scope_code__startswith=STREET).delete()
    Volunteer.objects.filter(scope_code__startswith=STREET).delete()
    Talent.objects.filter(scope_code__startswith=STREET).delete()
    AppraisalWeights.objects.filter(org__code__startswith=STREET).delete()


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def load(seed: int = 20261121, echo=print) -> dict:
    """Make the demo teams, talent, volunteers and a year of activities; returns counts."""
    from shequ.core.scope import subtree_q
    from shequ.people.choices import Status
    from shequ.people.models import Resident

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    kinds = {k.name: k for k in TeamKind.objects.all()}
    skills = list(Skill.objects.all())
    counts = dict.fromkeys(("teams", "members", "talent", "volunteers", "activities", "checkins", "hours"), 0)
    with transaction.atomic():
        for code in COMMUNITIES:
            unit = OrgUnit.objects.filter(code=code).first()
            if unit is None:
                continue
            people = list(
                Resident.objects.filter(subtree_q("scope_code", code), status=Status.ACTIVE, birth_date__isnull=False)
                .values_list("pk", "name", "birth_date", "scope_code")[:1500]
            )  # fmt: skip
            if len(people) < 80:
                continue
            # The field reports: those taking part are mostly over 50 — draw participants that way.
            older = [p for p in people if (today - p[2]).days > 50 * 365]
            younger = [p for p in people if 18 * 365 < (today - p[2]).days <= 50 * 365] or older

            def pick(n, _older=older, _younger=younger):
                out = {}
                while len(out) < n:
                    p = rng.choice(_older if rng.random() < 0.72 else _younger)
                    out[p[0]] = p
                return list(out.values())

            # talent pool
            talent = []
            for pk, _name, _b, sc in pick(40):
                for sk in rng.sample(skills, rng.choice((1, 1, 2))):
                    talent.append(Talent(resident_id=pk, skill=sk, level=rng.choice(LEVELS), willing=rng.random() < 0.8,
                                         scope_code=sc, registered_on=today - dt.timedelta(days=rng.randint(30, 900))))  # fmt: skip
            Talent.objects.bulk_create(talent, ignore_conflicts=True)
            talent = list(
                Talent.objects.filter(scope_code__startswith=code, willing=True).select_related("resident")
            )
            counts["talent"] += Talent.objects.filter(scope_code__startswith=code).count()
            # teams, each with a leader and 12–30 members (a few from outside), an instructor
            teams = []
            for i, (name, kind, _ak, _t) in enumerate(TEAMS):
                leader = pick(1)[0]
                t = Team(org=unit, kind=kinds[kind], name=name, leader_id=leader[0], leader_name=leader[1],
                         instructor=talent[i % len(talent)] if talent and i % 3 != 2 else None,
                         founded_on=today - dt.timedelta(days=rng.randint(400, 3000)), scope_code=code)  # fmt: skip
                t.save()
                teams.append(t)
                members = [
                    TeamMember(
                        team=t, resident_id=leader[0], name=leader[1], role="leader", joined_on=t.founded_on
                    )
                ]
                for pk, nm, _b, _s in pick(rng.randint(12, 30)):
                    if pk != leader[0]:
                        members.append(
                            TeamMember(
                                team=t,
                                resident_id=pk,
                                name=nm,
                                joined_on=t.founded_on + dt.timedelta(days=rng.randint(0, 300)),
                            )
                        )
                members.append(
                    TeamMember(
                        team=t, name=f"{'王李张刘'[i % 4]}老师", phone=f"1397100{rng.randint(1000, 9999)}"
                    )
                )
                TeamMember.objects.bulk_create(members)
                counts["members"] += len(members)
            counts["teams"] += len(teams)
            # volunteers
            vols = [Volunteer(resident_id=pk, scope_code=sc, registered_on=today - dt.timedelta(days=rng.randint(20, 700)),
                              availability=rng.sample(["weekday_day", "weekday_evening", "weekend", "holiday"], 2))
                    for pk, _n, _b, sc in pick(60)]  # fmt: skip
            Volunteer.objects.bulk_create(vols, ignore_conflicts=True)
            vols = list(
                Volunteer.objects.filter(scope_code__startswith=code).values_list("pk", "resident_id")
            )
            counts["volunteers"] += len(vols)
            # a year of activities: each team about twice a month, the community monthly
            acts, plan = [], []
            day = today - dt.timedelta(days=364)
            while day <= today + dt.timedelta(days=21):
                for t, (_n, _k, akind, title) in zip(teams, TEAMS, strict=True):
                    if rng.random() < 0.07:
                        plan.append((day, t, akind, title))
                if rng.random() < 0.035:
                    ek, et = rng.choice(COMMUNITY_EVENTS)
                    plan.append((day, None, ek, et))
                day += dt.timedelta(days=1)
            for d, t, akind, title in plan:
                start = _at(d, rng.choice((8, 9, 14, 15, 19)))
                cap = rng.choice((None, 30, 40, 60))
                acts.append(Activity(org=unit, organiser_kind=OrganiserKind.TEAM if t else OrganiserKind.COMMUNITY, team=t,
                                     organiser_name=t.name if t else unit.display_name, kind=akind, title=title,
                                     starts_at=start, ends_at=start + dt.timedelta(hours=rng.choice((1, 2, 2, 3))),
                                     place=rng.choice(PLACES), capacity=cap, door_key=qr.new_key(), scope_code=code,
                                     report="活动顺利开展，居民参与积极。" if start < now and rng.random() < 0.6 else "",
                                     reported_at=start + dt.timedelta(hours=4) if start < now else None))  # fmt: skip
            acts = Activity.objects.bulk_create(acts)
            counts["activities"] += len(acts)
            checkins, signups, hours, ratings = [], [], [], []
            for a in acts:
                n = rng.randint(6, min(a.capacity or 32, 32))
                crowd = pick(n)
                for pk, nm, _b, _s in crowd[: n * 2 // 3]:
                    signups.append(
                        Signup(
                            activity=a, key=f"r:{pk}", resident_id=pk, name=nm, status=SignupStatus.CONFIRMED
                        )
                    )
                if a.starts_at >= now:
                    continue
                vol_ids = (
                    rng.sample(vols, 3) if a.kind == ActivityKind.VOLUNTEER or rng.random() < 0.3 else []
                )
                present = {p[0]: p for p in crowd if rng.random() < 0.85}
                for _v, rid in vol_ids:
                    present.setdefault(rid, (rid, "志愿者", None, ""))
                for pk, nm, _b, _s in present.values():
                    checkins.append(CheckIn(activity=a, key=f"r:{pk}", resident_id=pk, name=nm,
                                            method=rng.choice((CheckInMethod.QR, CheckInMethod.QR, CheckInMethod.LIST))))  # fmt: skip
                for v, _rid in vol_ids:
                    hours.append(ServiceHours(activity=a, volunteer_id=v, role=rng.choice(("引导", "秩序维护", "签到", "摄影")),
                                              hours=Decimal(str(round((a.ends_at - a.starts_at).total_seconds() / 3600, 1)))))  # fmt: skip
                for pk in list(present)[: rng.randint(0, 6)]:
                    ratings.append(Rating(activity=a, key=f"r:{pk}", score=rng.choice((3, 4, 4, 5, 5, 5))))
            Signup.objects.bulk_create(signups, ignore_conflicts=True)
            CheckIn.objects.bulk_create(checkins, ignore_conflicts=True)
            ServiceHours.objects.bulk_create(hours, ignore_conflicts=True)
            Rating.objects.bulk_create(ratings, ignore_conflicts=True)
            counts["checkins"] += len(checkins)
            counts["hours"] += len(hours)
        # the checked-in rows carry the time of the activity, not of the load
        from django.db.models import OuterRef, Subquery

        def of_activity(field):
            return Subquery(Activity.objects.filter(pk=OuterRef("activity_id")).values(field)[:1])

        CheckIn.objects.filter(activity__scope_code__startswith=STREET).update(at=of_activity("starts_at"))
        ServiceHours.objects.filter(activity__scope_code__startswith=STREET).update(
            confirmed_at=of_activity("ends_at")
        )
        from shequ.teams import demo_cobuilding

        cob = demo_cobuilding.load(rng, today)
        street = OrgUnit.objects.filter(code=STREET).first()
        if street is not None:
            AppraisalWeights.objects.get_or_create(org=street, defaults={"scope_code": STREET})
        changelog.record(User.objects.filter(username="admin").first(), Action.IMPORT, None, scope_code=STREET,
                         note="载入演示数据：队伍与活动 " + "，".join(f"{k} {v}" for k, v in counts.items()))  # fmt: skip
    echo("共驻共建演示数据：联席会 {bodies} 个（成员单位 {members} 家，联席会议 {meetings} 次），共建协议 {agreements} 份，"
         "投入 {contributions} 笔。".format(**cob))  # fmt: skip
    from shequ.teams import demo_party

    demo_party.load(seed=seed, echo=echo)
    echo("队伍与活动演示数据：队伍 {teams} 支（队员 {members} 人），人才库 {talent} 项，志愿者 {volunteers} 名，"
         "活动 {activities} 场（签到 {checkins} 人次，确认志愿服务 {hours} 人次）。".format(**counts))  # fmt: skip
    return counts
