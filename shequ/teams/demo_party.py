"""Demo Party-member service and awards of 纸坊街道's demo communities: each community's organisation
chain (community organisation with its 党建指导员 → grid branches → 楼栋党小组 → 党员中心户), the
registry's Party members and members working in the area who reported in, pledges (kept, open and
overdue), building and household responsibility; and awards: a finished round of this year with
published results (优秀志愿者 and 文明户 in the first community) and an open round of this year
(优秀党员) with nominations. Written as finished rows, by the rules the services enforce."""

import datetime as dt
import random

from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone

from shequ.core.models import User
from shequ.org.models import Building, Grid, OrgUnit, ResidentOrganization
from shequ.teams.models import (
    AwardKind,
    AwardRound,
    BuildingDuty,
    ContactHousehold,
    MemberKind,
    Nomination,
    NominationResult,
    PartyMember,
    PartyOrg,
    PartyOrgLevel,
    Pledge,
    PledgeStatus,
    RoundStatus,
    Volunteer,
)

STREET = "420115001"
COMMUNITIES = ["420115001001", "420115001002", "420115001005", "420115001019"]
INSTRUCTORS = [
    ("陈建国", "江夏区委组织部"),
    ("刘思远", "纸坊街道党工委"),
    ("王丽华", "区民政局机关党委"),
    ("赵志强", "区住建局机关党委"),
]
REPORTERS = [
    "周志明",
    "吴海燕",
    "郑国强",
    "孙丽娟",
    "马俊峰",
    "胡晓东",
    "朱慧敏",
    "高振华",
    "林雪梅",
    "何建军",
]
UNITS = ["江夏区人民医院", "纸坊第一中学", "区税务局", "区供电公司", "区市场监管局", "江夏区图书馆"]
PLEDGES = ["每月参加一次社区志愿服务", "为楼栋独居老人代购生活用品", "组织楼栋居民开展环境整治", "结对帮扶一户困难家庭",
           "为居民提供一次法律咨询", "每季度走访联系户并反映诉求", "参与文明创建劝导活动", "带动家人参加垃圾分类"]  # fmt: skip
OUTCOMES = ["已按月参加，累计服务 12 次", "已完成，居民反映良好", "已组织清理楼道杂物 3 次", "已帮助申请临时救助并落实",
            "已开展法律咨询 2 场", "已走访并协调解决漏水问题"]  # fmt: skip


def reset() -> None:
    Nomination.objects.filter(round__scope_code__startswith=STREET).delete()
    AwardRound.objects.filter(scope_code__startswith=STREET).delete()
    members = PartyMember.objects.filter(community__code__startswith=STREET)
    ContactHousehold.objects.filter(member__in=members).delete()
    BuildingDuty.objects.filter(member__in=members).delete()
    Pledge.objects.filter(member__in=members).delete()
    members.delete()
    for level in reversed(PartyOrgLevel.values):
        PartyOrg.objects.filter(community__code__startswith=STREET, level=level).delete()


def load(seed: int = 20261121, echo=print) -> dict:
    from shequ.people.choices import PARTY, Status
    from shequ.people.models import Household, Resident

    rng = random.Random(seed + 17)
    today = timezone.localdate()
    counts = dict.fromkeys(
        ("orgs", "members", "reporting", "pledges", "overdue", "buildings", "households"), 0
    )
    with transaction.atomic():
        for i, code in enumerate(COMMUNITIES):
            unit = OrgUnit.objects.filter(code=code).first()
            if unit is None or PartyOrg.objects.filter(community=unit).exists():
                continue
            iname, iunit = INSTRUCTORS[i % len(INSTRUCTORS)]
            top = PartyOrg(community=unit, level=PartyOrgLevel.COMMUNITY, name=f"中共{unit.display_name}委员会",
                           leader_name="", instructor_name=iname, instructor_unit=iunit,
                           instructor_phone=f"1387100{rng.randint(1000, 9999)}", founded_on=dt.date(2008, 7, 1))  # fmt: skip
            top.save()
            nodes = [top]
            groups = []
            for g in Grid.objects.filter(community=unit).order_by("code")[:3]:
                area = PartyOrg(
                    community=unit, parent=top, level=PartyOrgLevel.AREA, name=f"{g.name}党支部", grid=g
                )
                area.save()
                nodes.append(area)
                for b in Building.objects.filter(grid=g).order_by("id")[:2]:
                    grp = PartyOrg(community=unit, parent=area, level=PartyOrgLevel.GROUP, name=f"{b.address}党小组",
                                   grid=g, building=b)  # fmt: skip
                    grp.save()
                    nodes.append(grp)
                    groups.append(grp)
            # the registry's Party members
            party = list(Resident.objects.filter(community=unit, status=Status.ACTIVE, political_status__in=list(PARTY))
                         .order_by("id")[:80])  # fmt: skip
            members = []
            for r in party:
                m = PartyMember(community=unit, kind=MemberKind.RESIDENT, resident=r, name=r.name, phone=r.phone,
                                node=rng.choice(groups) if groups and rng.random() < 0.7 else top)  # fmt: skip
                m.save()
                members.append(m)
            # a center household under each group, kept by one of its members
            for grp in groups:
                keeper = next((m for m in members if m.node_id == grp.pk), None)
                if keeper is None:
                    continue
                c = PartyOrg(community=unit, parent=grp, level=PartyOrgLevel.CENTER, name=f"{keeper.name}党员中心户",
                             grid=grp.grid, building=grp.building, leader_name=keeper.name)  # fmt: skip
                c.save()
                nodes.append(c)
                grp.leader_name = keeper.name
                grp.save(update_fields=["leader_name"])
                keeper.node = c
                keeper.save(update_fields=["node"])
                BuildingDuty.objects.create(
                    member=keeper, building=grp.building, since=today - dt.timedelta(days=200)
                )
                counts["buildings"] += 1
            if members:
                top.leader_name = members[0].name
                top.save(update_fields=["leader_name"])
            # Party members serving as volunteers: checked in at past activities, hours confirmed
            _serve(rng, unit, [m for m in members if m.resident_id][:20])
            # members working in the area who reported in
            orgs = (
                list(ResidentOrganization.objects.filter(community=unit).values_list("name", flat=True)[:6])
                or UNITS
            )
            for j in range(6):
                m = PartyMember(community=unit, kind=MemberKind.REPORTING, name=REPORTERS[(i * 3 + j) % len(REPORTERS)],
                                phone=f"135710{i}{j}{rng.randint(100, 999)}", work_unit=rng.choice(orgs),
                                unit_contact="党办", reported_on=today - dt.timedelta(days=rng.randint(20, 330)),
                                node=rng.choice(groups) if groups else top)  # fmt: skip
                m.save()
                members.append(m)
                counts["reporting"] += 1
            counts["members"] += len(members)
            counts["orgs"] += len(nodes)
            # pledges: kept, open, and some overdue
            for m in rng.sample(members, min(len(members), 24)):
                for _k in range(rng.choice((1, 1, 2))):
                    roll = rng.random()
                    due = today + dt.timedelta(days=rng.randint(-200, 150))
                    p = Pledge(member=m, content=rng.choice(PLEDGES), due_on=due)
                    if due < today and roll < 0.7 or roll < 0.15:
                        p.status = PledgeStatus.KEPT if rng.random() < 0.9 else PledgeStatus.UNKEPT
                        p.outcome = (
                            rng.choice(OUTCOMES)
                            if p.status == PledgeStatus.KEPT
                            else "工作调动，未能按期完成"
                        )
                        p.closed_on = min(today, due + dt.timedelta(days=rng.randint(-20, 5)))
                    elif due < today:
                        counts["overdue"] += 1
                    p.save()
                    counts["pledges"] += 1
            # building duties and contact households
            blds = list(Building.objects.filter(scope_code__startswith=code).order_by("id")[:40])
            hhs = list(Household.objects.filter(community=unit).order_by("id")[:300])
            for m in rng.sample(members, min(len(members), 10)):
                if blds:
                    _d, made = BuildingDuty.objects.get_or_create(member=m, building=rng.choice(blds),
                                                                  defaults={"since": today - dt.timedelta(days=150)})  # fmt: skip
                    counts["buildings"] += int(made)
                for hh in rng.sample(hhs, min(len(hhs), rng.randint(2, 4))):
                    ContactHousehold.objects.get_or_create(
                        member=m, household=hh, defaults={"since": today - dt.timedelta(days=120)}
                    )
                    counts["households"] += 1
        counts.update(_awards(rng, today))
    echo("党员服务演示数据：党组织 {orgs} 个，党员 {members} 名（到社区报到 {reporting} 名），承诺 {pledges} 项（逾期 {overdue} 项），"
         "责任楼栋 {buildings} 处，联系户 {households} 户；评选 {rounds} 次（推荐 {nominations} 条）。".format(**counts))  # fmt: skip
    return counts


def _serve(rng, unit, members) -> None:
    from decimal import Decimal

    from shequ.teams.models import Activity, CheckIn, CheckInMethod, ServiceHours

    past = list(Activity.objects.filter(org=unit, starts_at__lt=timezone.now(), status="open", kind__in=("volunteer", "service"))
                .order_by("starts_at")[:200])  # fmt: skip
    if not past:
        return
    for m in members:
        v, _made = Volunteer.objects.get_or_create(resident_id=m.resident_id, defaults={"scope_code": m.scope_code,
                                                   "registered_on": timezone.localdate() - dt.timedelta(days=300)})  # fmt: skip
        for a in rng.sample(past, min(len(past), rng.randint(2, 8))):
            CheckIn.objects.bulk_create([CheckIn(activity=a, key=f"r:{m.resident_id}", resident_id=m.resident_id,
                                                 name=m.name, method=CheckInMethod.QR)], ignore_conflicts=True)  # fmt: skip
            hours = Decimal(str(round((a.ends_at - a.starts_at).total_seconds() / 3600, 1)))
            ServiceHours.objects.bulk_create([ServiceHours(activity=a, volunteer=v, role="党员先锋岗", hours=hours)],
                                             ignore_conflicts=True)  # fmt: skip
    CheckIn.objects.filter(activity__org=unit, at__gt=timezone.now() - dt.timedelta(minutes=10)).update(
        at=models.Subquery(Activity.objects.filter(pk=models.OuterRef("activity_id")).values("starts_at")[:1])
    )
    ServiceHours.objects.filter(
        activity__org=unit, confirmed_at__gt=timezone.now() - dt.timedelta(minutes=10)
    ).update(
        confirmed_at=models.Subquery(
            Activity.objects.filter(pk=models.OuterRef("activity_id")).values("ends_at")[:1]
        )
    )


def _awards(rng, today) -> dict:
    from shequ.people.models import Household
    from shequ.teams.services.awards import _nominee, public_name_of

    admin = User.objects.filter(username="admin").first()
    unit = OrgUnit.objects.filter(code=COMMUNITIES[0]).first()
    out = {"rounds": 0, "nominations": 0}
    if admin is None or unit is None or AwardRound.objects.filter(org=unit).exists():
        return out
    kinds = {k.name: k for k in AwardKind.objects.all()}

    def round_of(kind, year, opens, closes, places, status, published_on=None):
        r = AwardRound(org=unit, kind=kinds[kind], year=year, title=f"{unit.display_name}{year}年度{kind}评选",
                       opens_on=opens, closes_on=closes, places=places, status=status, published_on=published_on)  # fmt: skip
        r.save()
        out["rounds"] += 1
        return r

    def nominate(r, pk, reason, result, show_name=False, note=""):
        key, record, name, _c, figures = _nominee(admin, r, r.kind.nominee_kind, pk)
        Nomination.objects.create(round=r, nominee_kind=r.kind.nominee_kind, nominee_key=key, nominee_name=name[:100],
                                  public_name=public_name_of(r.kind.nominee_kind, name, show_name, record.get("household")),
                                  show_name=show_name, nominator=admin, nominator_name=rng.choice(("红马甲志愿服务队", "第一网格", "居民小组长")),
                                  reason=reason, figures=figures, result=result, review_note=note, reviewed_by=admin if result != "pending" else None,
                                  reviewed_at=timezone.now() if result != "pending" else None, **record)  # fmt: skip
        out["nominations"] += 1

    # this year's 优秀志愿者 and 文明户 rounds are over and published; 优秀党员 is open
    year, shut = today.year, today - dt.timedelta(days=45)
    done = round_of(
        "优秀志愿者",
        year,
        shut - dt.timedelta(days=30),
        shut,
        5,
        RoundStatus.PUBLISHED,
        shut + dt.timedelta(days=25),
    )
    vols = list(Volunteer.objects.filter(scope_code__startswith=unit.code).annotate(h=Sum("hours__hours"))
                .exclude(h=None).order_by("-h").values_list("pk", flat=True)[:8])  # fmt: skip
    for j, v in enumerate(vols):
        nominate(done, v, "长期参加社区志愿服务，热心助人。", NominationResult.AWARDED if j < 5 else NominationResult.NOT_AWARDED,
                 show_name=j % 2 == 0, note="事迹突出" if j < 5 else "名额所限")  # fmt: skip
    homes = round_of(
        "文明户",
        year,
        shut - dt.timedelta(days=30),
        shut,
        3,
        RoundStatus.PUBLISHED,
        shut + dt.timedelta(days=25),
    )
    for j, hh in enumerate(Household.objects.filter(community=unit).exclude(head=None).order_by("id")[:4]):
        nominate(homes, hh.pk, "家庭和睦，邻里互助，积极参加社区活动。",
                 NominationResult.AWARDED if j < 3 else NominationResult.NOT_AWARDED)  # fmt: skip
    opens = today - dt.timedelta(days=10)
    live = round_of("优秀党员", today.year, opens, today + dt.timedelta(days=20), 5, RoundStatus.OPEN)
    for m in PartyMember.objects.filter(community=unit).order_by("id")[:3]:
        nominate(live, m.pk, "认真履行承诺，联系群众紧密。", NominationResult.PENDING)
    return out
