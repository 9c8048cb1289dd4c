"""Demo participation of 纸坊街道's four demo communities: a year of monthly meetings (each type in
turn, 民主评议会 every quarter rating the outcomes of resolutions carried out), the issues residents
raised before them with their supporters from the registry, who signed in, the resolutions voted
among those present with their 公示 and follow-up steps (most carried out, some past their
deadline), and issues still gathering support. The history is written as finished rows (dated in
the past) by the rules the services enforce; it takes a second or two."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from shequ.core import changelog
from shequ.core.models import Action, User
from shequ.org.models import Building, OrgUnit
from shequ.participation.models import (
    AgendaItem,
    Attendance,
    FollowUp,
    Issue,
    IssueCategory,
    IssueEvent,
    IssueStatus,
    Meeting,
    MeetingType,
    OutcomeReview,
    Resolution,
    Setting,
    SignInMethod,
    Support,
)

STREET = "420115001"
COMMUNITIES = ["420115001001", "420115001002", "420115001005", "420115001019"]
# (category, title, text, resolution, owner)
TOPICS = [
    (
        "停车管理",
        "规范小区内停车秩序",
        "消防通道经常被私家车占用，晚上车位紧张。",
        "施划停车位并设消防通道禁停标识，物业每晚巡查。",
        "物业服务中心",
    ),
    (
        "公共设施",
        "增设非机动车棚和充电桩",
        "电动车在楼道内充电，存在火灾隐患。",
        "在空地建设非机动车棚一处，配充电桩 20 个。",
        "物业服务中心",
    ),
    (
        "环境卫生",
        "垃圾分类投放点调整",
        "投放点离单元门太近，夏天气味大。",
        "投放点移至小区北侧并定时清运。",
        "社区居委会",
    ),
    (
        "加装电梯",
        "老旧楼栋加装电梯",
        "楼里老人多，上下楼困难。",
        "征求全体住户意见，符合条件的单元申报加装电梯。",
        "社区居委会",
    ),
    (
        "安全隐患",
        "路灯损坏和监控盲区",
        "小区后门路灯坏了很久，晚上不安全。",
        "更换路灯 8 盏，后门加装监控 2 路。",
        "物业服务中心",
    ),
    (
        "物业服务",
        "物业费公示和服务评价",
        "希望物业公开收支，服务要改进。",
        "物业每季度公示收支，每半年接受居民评议。",
        "物业服务中心",
    ),
    (
        "养老托幼",
        "开设社区老年食堂",
        "独居老人吃饭不方便。",
        "利用党群服务中心一楼开设老年助餐点。",
        "社区居委会",
    ),
    (
        "文体活动",
        "广场舞噪音扰民",
        "晚上广场舞音响太大，影响休息。",
        "约定活动时间至 21 时，音量由志愿者监督。",
        "社区居委会",
    ),
    (
        "邻里关系",
        "楼上漏水纠纷调解",
        "楼上卫生间漏水到楼下，协商未果。",
        "双方各承担一半维修费用，物业负责施工。",
        "物业服务中心",
    ),
    (
        "公共设施",
        "健身器材维修更新",
        "健身器材老化，有安全隐患。",
        "申请街道微改造资金更换健身器材一套。",
        "社区居委会",
    ),
    (
        "环境卫生",
        "楼道堆物清理",
        "楼道堆放杂物，影响通行和消防。",
        "开展楼道清理行动，每月检查一次。",
        "网格员",
    ),
    (
        "停车管理",
        "共享单车乱停放",
        "小区门口共享单车堆积。",
        "划定共享单车停放区，联系运营企业定时清理。",
        "社区居委会",
    ),
]
KINDS = ["民情恳谈会", "协商议事会", "民事协调会", "民主评议会", "楼院议事会", "居民代表大会", "民情恳谈会",
         "民意听证会", "民主评议会", "协商议事会", "民情恳谈会", "民主评议会"]  # fmt: skip
PLACES = ["社区党群服务中心二楼议事厅", "小区广场", "社区会议室", "楼栋架空层"]
CONVENERS = {
    "420115001001": "王秀英",
    "420115001002": "刘建国",
    "420115001005": "陈红梅",
    "420115001019": "张志强",
}


def is_loaded() -> bool:
    return Meeting.objects.filter(scope_code__startswith=STREET).exists()


def reset() -> None:
    """Delete the demo participation (before the residents and org units it points at go)."""
    q = {"scope_code__startswith": STREET}
    # Rating targets point at the property companies that self-government's demo created.
    reset_ratings()
    # --- self-government (charter versions point at meetings) ---
    from shequ.participation import demo_gov

    demo_gov.reset()
    OutcomeReview.objects.filter(resolution__scope_code__startswith=STREET).delete()
    FollowUp.objects.filter(resolution__scope_code__startswith=STREET).delete()
    Resolution.objects.filter(**q).delete()
    AgendaItem.objects.filter(meeting__scope_code__startswith=STREET).delete()
    Attendance.objects.filter(meeting__scope_code__startswith=STREET).delete()
    Meeting.objects.filter(**q).delete()
    Support.objects.filter(issue__scope_code__startswith=STREET).delete()
    IssueEvent.objects.filter(issue__scope_code__startswith=STREET).delete()
    Issue.objects.filter(**q).delete()
    Setting.objects.filter(**q).delete()


def _at(day: dt.date, hour: int = 19) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class _Community:
    """What one community's year needs: its residents, buildings and the rows gathered to write."""

    def __init__(self, unit, rng, residents, buildings):
        self.unit, self.rng, self.residents, self.buildings = unit, rng, residents, buildings

    def people(self, n):
        return self.rng.sample(self.residents, min(n, len(self.residents)))


def _issue(c: _Community, topic, raised: dt.date, status: str, supporters: int, events: list) -> Issue:
    category, title, text, *_rest = topic
    first = c.people(supporters)
    issue = Issue.objects.create(
        community=c.unit, category=c.categories[category], source=c.rng.choice(["proposal"] * 3 + ["box", "meeting"]),
        title=title, text=text, status=status, proposer_name=first[0][1] if first else "", raised_on=raised,
        building=c.rng.choice(c.buildings) if c.buildings and c.rng.random() < 0.4 else None,
        support_count=len(first),
    )  # fmt: skip
    Support.objects.bulk_create(
        [Support(issue=issue, key=f"r:{pk}", name=name, resident_id=pk) for pk, name in first]
    )
    Support.objects.filter(issue=issue).update(created_at=_at(raised, 20))
    events.append((issue, "propose", IssueStatus.PROPOSED, "", raised))
    return issue


def _community_year(c: _Community, today: dt.date, counts: dict) -> None:
    rng = c.rng
    events: list = []
    pending_reviews: list[Resolution] = []
    topics = TOPICS[:]
    rng.shuffle(topics)
    for month in range(12):
        day = today - dt.timedelta(days=30 * (12 - month) - rng.randint(0, 6))
        kind = c.kinds[KINDS[month]]
        expected = rng.randint(30, 45) if kind.name == "居民代表大会" else rng.randint(20, 40)
        m = Meeting.objects.create(
            community=c.unit, kind=kind, title=f"{c.unit.display_name}{day.month}月{kind.name}", starts_at=_at(day),
            place=rng.choice(PLACES), convener=CONVENERS[c.unit.code], expected=expected,
            invited="居民代表\n物业服务中心\n社区民警" if kind.name != "楼院议事会" else "楼栋长\n住户代表",
            minutes=f"{kind.name}于{day:%m月%d日}召开，到会居民围绕议题充分发言，形成意见如下。", held=True,
        )  # fmt: skip
        counts["meetings"] += 1
        came = c.people(int(expected * rng.uniform(0.62, 0.9)))
        Attendance.objects.bulk_create(
            [Attendance(meeting=m, key=f"r:{pk}", name=name, resident_id=pk,
                        method=SignInMethod.QR if rng.random() < 0.7 else SignInMethod.LIST) for pk, name in came]
        )  # fmt: skip
        Attendance.objects.filter(meeting=m).update(signed_at=_at(day, 18))
        counts["attendance"] += len(came)
        present = len(came)
        if kind.rates_outcomes:
            for r in pending_reviews[:2]:
                s = int(present * rng.uniform(0.5, 0.8))
                b = int((present - s) * rng.uniform(0.4, 0.9))
                OutcomeReview.objects.create(resolution=r, meeting=m, satisfied=s, basic=b,
                                             unsatisfied=rng.randint(0, present - s - b))  # fmt: skip
                counts["reviews"] += 1
            del pending_reviews[:2]
            continue
        for position, topic in enumerate([topics.pop() if topics else rng.choice(TOPICS)], start=1):
            raised = day - dt.timedelta(days=rng.randint(20, 45))
            issue = _issue(c, topic, raised, IssueStatus.ON_AGENDA, rng.randint(10, 24), events)
            ready = raised + dt.timedelta(days=rng.randint(3, 12))
            events += [(issue, "qualify", IssueStatus.READY, "附议达到 10 人", ready),
                       (issue, "schedule", IssueStatus.ON_AGENDA, m.title, ready + dt.timedelta(days=2))]  # fmt: skip
            AgendaItem.objects.create(meeting=m, issue=issue, position=position,
                                      views="居民代表：支持，希望尽快落实。\n物业：同意，需要一个月准备。")  # fmt: skip
            adopted = rng.random() > 0.1
            against = rng.randint(0, max(1, present // 8))
            abstain = rng.randint(0, max(1, present // 10))
            votes_for = present - against - abstain if adopted else present // 2 - 1
            deadline = day + dt.timedelta(days=rng.choice([30, 45, 60, 90]))
            r = Resolution.objects.create(
                meeting=m, issue=issue, text=topic[3], present=present, votes_for=votes_for, votes_against=against,
                votes_abstain=abstain, adopted=adopted, owner_unit=topic[4] if adopted else "",
                deadline=deadline if adopted else None, decided_on=day,
                published_on=day + dt.timedelta(days=1) if adopted else None, publish_days=7 if adopted else None,
            )  # fmt: skip
            counts["resolutions"] += 1
            if not adopted:
                Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.READY, ready_on=ready)
                events.append((issue, "return", IssueStatus.READY, "赞成票未过半数", day))
                continue
            events.append((issue, "resolve", IssueStatus.RESOLVED, f"赞成 {votes_for}，出席 {present}", day))
            steps = []
            last = day
            for k in range(rng.randint(1, 3)):
                on = min(today, day + dt.timedelta(days=8 + 12 * k + rng.randint(0, 6)))
                if on <= last and k:
                    break
                steps.append(FollowUp(resolution=r, on=on, text=["已完成现场查看和方案。", "施工（整改）进行中。",
                                                                  "主体完成，等待验收。"][k], recorded_by="社区居委会"))  # fmt: skip
                last = on
            FollowUp.objects.bulk_create(steps)
            counts["follow_ups"] += len(steps)
            # Most are carried out by their deadline; about one in five runs late (overdue if still open).
            late = rng.random() < 0.22
            done = None if late else deadline - dt.timedelta(days=rng.randint(0, 20))
            if done is not None and done <= today:
                done = max(done, last)
                Resolution.objects.filter(pk=r.pk).update(completed_on=done, completion_note="已按决议落实。")
                Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.DONE, ready_on=ready, resolved_on=day,
                                                         done_on=done)  # fmt: skip
                events += [(issue, "implement", IssueStatus.IMPLEMENTING, steps[0].text, steps[0].on),
                           (issue, "complete", IssueStatus.DONE, "已按决议落实", done)]  # fmt: skip
                pending_reviews.append(r)
            else:
                Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.IMPLEMENTING, ready_on=ready,
                                                         resolved_on=day)  # fmt: skip
                events.append((issue, "implement", IssueStatus.IMPLEMENTING, steps[0].text, steps[0].on))
                counts["overdue"] += int(deadline < today)
    # Issues of the last weeks: gathering support, ready for the next meeting, one not taken up.
    for k, status in enumerate(
        [IssueStatus.PROPOSED, IssueStatus.PROPOSED, IssueStatus.READY, IssueStatus.REJECTED]
    ):
        topic = TOPICS[(k * 5 + len(c.unit.code)) % len(TOPICS)]
        raised = today - dt.timedelta(days=rng.randint(2, 20))
        issue = _issue(c, topic, raised, status, rng.randint(2, 8) if status == "proposed" else 11, events)
        if status == IssueStatus.READY:
            Issue.objects.filter(pk=issue.pk).update(ready_on=raised + dt.timedelta(days=2))
            events.append(
                (issue, "qualify", IssueStatus.READY, "附议达到 10 人", raised + dt.timedelta(days=2))
            )
        elif status == IssueStatus.REJECTED:
            reason = "属于业主与物业之间的合同纠纷，已转由街道物业办调解。"
            Issue.objects.filter(pk=issue.pk).update(reject_reason=reason)
            events.append((issue, "reject", IssueStatus.REJECTED, reason, raised + dt.timedelta(days=3)))
    counts["issues"] += Issue.objects.filter(community=c.unit).count()
    rows = IssueEvent.objects.bulk_create(
        [
            IssueEvent(issue=i, action=a, status=s, note=n[:300], actor_name="社区居委会")
            for i, a, s, n, _d in events
        ]
    )
    for row, (_i, _a, _s, _n, day) in zip(rows, events, strict=True):
        IssueEvent.objects.filter(pk=row.pk).update(at=_at(day, 10))


def load(seed: int = 20261121, echo=print) -> dict:
    """Make the demo participation; returns counts."""
    from shequ.core.scope import subtree_q
    from shequ.people.choices import Status
    from shequ.people.models import Resident

    rng = random.Random(seed)
    today = timezone.localdate()
    counts = dict.fromkeys(
        ("meetings", "attendance", "issues", "resolutions", "follow_ups", "reviews", "overdue"), 0
    )
    categories = {c.name: c for c in IssueCategory.objects.all()}
    kinds = {k.name: k for k in MeetingType.objects.all()}
    with transaction.atomic():
        for code in COMMUNITIES:
            unit = OrgUnit.objects.filter(code=code).first()
            if unit is None:
                continue
            residents = list(
                Resident.objects.filter(subtree_q("scope_code", code), status=Status.ACTIVE, birth_date__lte=today
                                        - dt.timedelta(days=18 * 365)).values_list("pk", "name")[:600]
            )  # fmt: skip
            if len(residents) < 60:
                continue
            buildings = list(Building.objects.filter(subtree_q("scope_code", code))[:40])
            c = _Community(unit, rng, residents, buildings)
            c.categories, c.kinds = categories, kinds
            Setting.objects.get_or_create(community=unit, defaults={"support_threshold": 10})
            _community_year(c, today, counts)
        # --- self-government: charters, registers, the 2024 election, groups, property, network ---
        from shequ.participation import demo_gov

        counts.update(demo_gov.load(rng, today, echo=echo))
        counts.update(load_ratings(rng, today))
        changelog.record(
            User.objects.filter(username="admin").first(), Action.IMPORT, None, scope_code=STREET,
            note="载入演示数据：居民议事 " + "，".join(f"{k} {v}" for k, v in counts.items()),
        )  # fmt: skip
    echo(
        "居民议事演示数据：会议 {meetings} 场（签到 {attendance} 人次），议题 {issues} 个，决议 {resolutions} 项"
        "（落实情况 {follow_ups} 条，逾期 {overdue} 项），成效评议 {reviews} 次；居民评议 {rounds} 轮"
        "（{responses} 户参评，整改议题 {rating_issues} 个），听证会 {hearings} 场，征求意见 {consultations} 项。".format(
            **counts
        )
    )
    return counts


# --- ratings, hearings, consultations ---------------------------------------------------------------
# Each community's households rate the committee and the property companies a month ago; one
# company is poor on 安全管理 and the closing opens a follow-up issue. A hearing held after its
# notice, another still in its notice; a consultation whose views are in and summarised.
RATING_DIMENSIONS = ["服务态度", "办事效率", "环境卫生", "安全管理", "公开透明"]


def reset_ratings() -> None:
    from shequ.core.models import Survey
    from shequ.participation.models import (
        CONSULTATION_PURPOSE,
        SURVEY_PURPOSE,
        Consultation,
        Hearing,
        HearingSpeaker,
        RatingRound,
        RatingScore,
        RatingTarget,
    )

    q = {"scope_code__startswith": STREET}
    RatingScore.objects.filter(target__scope_code__startswith=STREET).delete()
    RatingTarget.objects.filter(**q).delete()
    RatingRound.objects.filter(**q).delete()
    HearingSpeaker.objects.filter(hearing__scope_code__startswith=STREET).delete()
    Hearing.objects.filter(**q).delete()
    Consultation.objects.filter(**q).delete()
    Survey.objects.filter(purpose__in=[SURVEY_PURPOSE, CONSULTATION_PURPOSE], **q).delete()


def _score(rng, target_kind: str, dim: str, poor: bool) -> int:
    if poor and dim == "安全管理":
        return rng.choice([1, 2, 2, 3, 3, 4])
    base = [3, 4, 4, 5, 5] if target_kind == "committee" else [3, 3, 4, 4, 5]
    return rng.choice(base)


def load_ratings(rng, today: dt.date) -> dict:
    """One closed rating round per demo community, a hearing pair and a consultation."""
    from shequ.core import surveys
    from shequ.core.scope import subtree_q
    from shequ.participation.services import hearings as hearing_services
    from shequ.participation.services import ratings as rating_services
    from shequ.people.models import Household

    counts = dict.fromkeys(("rounds", "responses", "rating_issues", "hearings", "consultations"), 0)
    admin = (
        User.objects.filter(username="admin").first()
        or User.objects.filter(memberships__role="sysadmin", is_active=True).order_by("pk").first()
    )
    if admin is None:
        return counts
    # Issues about one building that the year above wrote: their scope said consistently.
    for issue in Issue.objects.filter(scope_code__startswith=STREET, building__isnull=False).select_related(
        "building"
    ):
        Issue.objects.filter(pk=issue.pk).update(scope="building", area_id=issue.building.grid_id)
    for code in COMMUNITIES:
        unit = OrgUnit.objects.filter(code=code).first()
        households = list(
            Household.objects.filter(subtree_q("scope_code", code)).values_list("pk", flat=True)[:400]
        )
        if unit is None or len(households) < 20:
            continue
        opens = today - dt.timedelta(days=20)
        rnd = rating_services.create_round(
            admin, code, title=f"{today.year} 年度居民评议", opens_on=opens, closes_on=today,
            dimensions=RATING_DIMENSIONS, threshold="3.00",
        )  # fmt: skip
        survey = rating_services.survey_of(rnd)
        questions = list(survey.questions.all())
        targets = {t.pk: t for t in rnd.targets.all()}
        companies = [t for t in targets.values() if t.kind == "company"]
        poor = companies[0].pk if companies else next(iter(targets))
        voters = rng.sample(households, max(20, len(households) * 2 // 5))
        for k, hh in enumerate(voters):
            answers = {}
            for q in questions:
                if not q.ref:
                    if rng.random() < 0.15:
                        answers[str(q.pk)] = rng.choice(
                            ["希望增加夜间巡逻。", "楼道灯经常坏，请及时维修。", "感谢社区工作人员。"]
                        )
                    continue
                tid, dim = q.ref[1:].split(":")
                t = targets[int(tid)]
                if t.kind == "company" and rng.random() < 0.2:
                    continue  # 不了解的可以不评
                answers[str(q.pk)] = _score(rng, t.kind, rnd.dimensions[int(dim)], int(tid) == poor)
            when = _at(opens + dt.timedelta(days=k % 20), 9 + k % 11)
            surveys.submit_response(survey, answers, name_key=f"household:{hh}", now=when)
            counts["responses"] += 1
        rating_services.close_round(admin, rnd.pk)
        counts["rounds"] += 1
        counts["rating_issues"] += rating_services.follow_ups(rnd).count()
        # Hearings: one held after its notice ran, one announced and still in its notice period.
        held = hearing_services.schedule_hearing(
            admin, code, title="小区地面停车收费标准调整听证", subject="物业拟将地面停车费由每月 100 元调整为 150 元，"
            "听取业主和相关单位意见。", notice_on=today - dt.timedelta(days=15), planned_on=today - dt.timedelta(days=5),
            place="社区议事厅", notice_days=7,
        )  # fmt: skip
        from shequ.participation.services.ratings import companies_of

        company = companies_of(unit).first()
        speakers = [("resident", "业主代表王建国", None), ("resident", "业主代表李秀英", None)]
        if company:
            speakers.append(("unit", "项目经理张伟", company.pk))
        for kind, name, org in speakers:
            hearing_services.register_speaker(admin, held.pk, kind=kind, name=name, unit=org)
        hearing_services.hold_hearing(admin, held.pk, held_on=today - dt.timedelta(days=5),
                                      conclusion="多数代表认为涨幅过大，建议分步调整并公开成本。")  # fmt: skip
        for s, text in zip(held.speakers.order_by("position"), [
            "反对一次涨 50%，希望先公开停车管理成本。", "同意适当调整，但夜间临停应有优惠。", "成本上涨，愿意分两年调整并公示账目。",
        ], strict=False):  # fmt: skip
            hearing_services.record_statement(admin, held.pk, s.pk, statement=text)
        hearing_services.schedule_hearing(
            admin, code, title="老旧小区改造加装电梯方案听证", subject="听取 3 栋各单元住户对加装电梯方案和费用分摊的意见。",
            notice_on=today - dt.timedelta(days=2), planned_on=today + dt.timedelta(days=8), place="社区议事厅",
        )  # fmt: skip
        counts["hearings"] += 2
        c = hearing_services.open_consultation(
            admin, code, title="社区公共空间改造方案", plan="拟将小区北侧空地改造为口袋公园，设健身器材和儿童游乐区，"
            "原有 12 个临时车位移至东门。", opens_on=today - dt.timedelta(days=10), closes_on=today,
        )  # fmt: skip
        survey = hearing_services.survey_for(c)
        q = survey.questions.first()
        views = ["赞成，希望增加遮阳棚。", "临时车位移走后停车更难，建议保留一部分。", "儿童游乐区请远离住宅窗户，减少噪音。",
                 "支持改造，施工期间注意安全。", "建议增加老年人休息座椅。"]  # fmt: skip
        for k, text in enumerate(views):
            surveys.submit_response(survey, {str(q.pk): text}, name_key=f"household:{households[k]}",
                                    now=_at(today - dt.timedelta(days=9 - k), 10))  # fmt: skip
        hearing_services.end_consultation(admin, c.pk)
        hearing_services.summarise_consultation(
            admin, c.pk, summary="共收到 5 条意见：多数赞成改造；主要关切是停车位减少和噪音。建议保留 6 个车位，游乐区北移。"
        )  # fmt: skip
        counts["consultations"] += 1
    return counts
