"""Demo ledgers of 纸坊街道: relief cases in every status (城乡低保 households, 特困 and 五保 in
centralised and dispersed care) with a year of monthly payments; mediations over the year, some
from cases, most reaching agreement, with follow-up visits; a resident under community correction
with a year of labour sessions and grades; and the demo accounts charged with these duties (only
they see any of it). Bulk inserts: the seed is not a user act."""

import datetime as dt
import random
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from shequ.core.models import Membership
from shequ.ledgers.models import (
    CORRECTION,
    MEDIATION,
    RELIEF,
    CorrectionSubject,
    LabourGrade,
    LabourSession,
    MatterType,
    Mediation,
    Mediator,
    Party,
    PaymentStatus,
    ReliefCase,
    ReliefPayment,
)
from shequ.ledgers.services.correction import quarter_grade

STREET = "420115001"
COMMUNITIES = ["420115001001", "420115001002", "420115001005", "420115001019"]
# The demo accounts (org/demo.ACCOUNTS) charged with each duty: a street clerk for relief and the
# street's 司法所 for correction (both across the street), the community's mediator for mediation.
DUTIES = {
    "street_minzheng": [RELIEF],
    "street_sifa": [CORRECTION, MEDIATION],
    "mediator_ningan": [MEDIATION],
    "lead_ningan": [MEDIATION],
}
DIBAO_AMOUNTS = ["760.00", "820.00", "1040.00", "1380.00", "1560.00", "2100.00"]
TASKS = [
    "小区公共区域保洁",
    "社区图书室整理",
    "协助垃圾分类宣传",
    "绿化带除草",
    "敬老院协助服务",
    "楼道小广告清理",
]
SUMMARIES = {
    "邻里纠纷": ["楼上住户夜间噪音影响休息", "空调外机滴水至楼下阳台", "楼道堆放杂物引发争执"],
    "婚姻家庭": ["赡养老人费用分担有分歧", "夫妻因子女教育发生矛盾"],
    "物业纠纷": ["业主对物业费上涨有异议", "车位管理费收取引发争议"],
    "劳动争议": ["装修工人工资被拖欠", "家政服务人员工资结算争议"],
    "损害赔偿": ["电动车碰擦致人轻伤", "宠物狗咬伤邻居"],
}
AGREEMENTS = ["双方同意由{a}承担维修费用 {n} 元，于十五日内付清。", "{a}向对方赔礼道歉，并承诺今后注意，双方不再追究。",
              "双方约定按月分担，每月 {n} 元，由社区居委会监督履行。"]  # fmt: skip


def is_loaded() -> bool:
    return ReliefCase.objects.filter(scope_code__startswith=STREET).exists()


def reset() -> None:
    """Delete the demo ledgers (before the residents they point at)."""
    for model in (ReliefPayment, ReliefCase, Mediation, Mediator):
        model.objects.filter(scope_code__startswith=STREET).delete()
    CorrectionSubject.objects.filter(scope_code__startswith=STREET).delete()


def _months(today: dt.date, n: int = 12) -> list[dt.date]:
    first = today.replace(day=1)
    out = []
    for i in range(n - 1, -1, -1):
        y, m = divmod(first.year * 12 + first.month - 1 - i, 12)
        out.append(dt.date(y, m + 1, 1))
    return out


def grant_duties() -> None:
    for username, duties in DUTIES.items():
        Membership.objects.filter(user__username=username).update(duties=duties)


def load(seed: int = 20261121, echo=print) -> dict:
    from shequ.people.models import Resident

    rng = random.Random(seed)
    today = timezone.localdate()
    months = _months(today)
    counts = {}
    grant_duties()
    with transaction.atomic():
        units = {u.code: u for u in apps.get_model("org", "OrgUnit").objects.filter(code__in=COMMUNITIES)}
        cases, payments = [], []
        used = set()
        for code, unit in units.items():
            people = list(Resident.objects.filter(scope_code__startswith=code, status="active",
                                                  household__isnull=False).order_by("id")[:400])  # fmt: skip
            heads = [p for p in people if p.household.head_id == p.pk] or people
            rng.shuffle(heads)
            plan = ([("dibao", "active", "")] * 7 + [("dibao", "suspended", ""), ("dibao", "ended", "")]
                    + [("tekun", "active", "central"), ("tekun", "active", "dispersed"), ("tekun", "ended", "central"),
                       ("wubao", "active", "central"), ("wubao", "suspended", "dispersed")])  # fmt: skip
            for (category, status, care), head in zip(plan, heads, strict=False):
                used.add(head.pk)
                start = months[0] - dt.timedelta(days=rng.randint(30, 900))
                amount = Decimal(
                    rng.choice(DIBAO_AMOUNTS) if category == "dibao" else rng.choice(["1250.00", "1430.00"])
                )
                change = months[rng.randint(4, 9)] + dt.timedelta(days=rng.randint(0, 20))
                reason = {"suspended": rng.choice(["未按时参加年度复核", "家庭收入变化待核查", "外出务工收入待核实"]),
                          "ended": rng.choice(["家庭人均收入超过保障标准", "迁出本市", "本人去世"])}.get(status, "")  # fmt: skip
                members = head.household.members.filter(status="active").count() if category == "dibao" else 1
                cases.append(ReliefCase(
                    community=unit, household=head.household if category == "dibao" else None, head=head,
                    head_name=head.name, head_id_number=head.doc_number or "", category=category,
                    persons=max(1, members), start_date=start, monthly_amount=amount, care_mode=care, status=status,
                    status_on=change if status != "active" else None, status_reason=reason, scope_code=head.scope_code,
                ))  # fmt: skip
        ReliefCase.objects.bulk_create(cases)
        for c in cases:
            for m in months:
                if c.status_on and m > c.status_on.replace(day=1):
                    if c.status == "ended":
                        break
                    payments.append(ReliefPayment(case=c, month=m, amount=Decimal("0.00"), scope_code=c.scope_code,
                                                  status=PaymentStatus.SUSPENDED, reason=c.status_reason,
                                                  generated=True))  # fmt: skip
                    continue
                payments.append(ReliefPayment(case=c, month=m, amount=c.monthly_amount, status=PaymentStatus.PAID,
                                              scope_code=c.scope_code, generated=True))  # fmt: skip
        # The current month is left for the clerk to generate (the home card counts it as due),
        # except in 宁安, whose clerk has done it already.
        payments = [p for p in payments if p.month != months[-1] or p.case.community.code == COMMUNITIES[0]]
        ReliefPayment.objects.bulk_create(payments, batch_size=500)
        counts["relief_cases"], counts["relief_payments"] = len(cases), len(payments)
        counts["mediations"] = _mediations(rng, units, used, today)
        counts["correction_sessions"] = _correction(rng, units, used, months, today)
    echo(f"专项台账：低保特困对象 {counts['relief_cases']} 个、发放记录 {counts['relief_payments']} 条，"
         f"人民调解 {counts['mediations']} 件，社区矫正公益活动签到 {counts['correction_sessions']} 次")  # fmt: skip
    return counts


def _mediations(rng, units, used, today) -> int:
    from shequ.people.models import Resident

    Case = apps.get_model("cases", "Case")
    matters = {m.name: m for m in MatterType.objects.all()}
    made = 0
    for code, unit in units.items():
        roster = [Mediator(community=unit, name=n, scope_code=code) for n in (f"{unit.display_name}调解员 徐静",
                  f"{unit.display_name}调解员 韩国强")]  # fmt: skip
        Mediator.objects.bulk_create(roster)
        people = [p for p in Resident.objects.filter(scope_code__startswith=code, status="active").order_by("id")[:300]
                  if p.pk not in used]  # fmt: skip
        from_cases = list(Case.objects.filter(scope_code__startswith=code).order_by("id")[:3])
        meds, parties = [], []
        for i in range(10 if code == COMMUNITIES[0] else 5):
            kind = rng.choice(list(SUMMARIES))
            received = today - dt.timedelta(days=rng.randint(3, 360))
            case = from_cases.pop() if from_cases and i % 3 == 0 else None
            if case is not None:
                received = max(received, timezone.localdate(case.created_at))
            done = received + dt.timedelta(days=rng.randint(1, 10))
            outcome = None if done >= today or i == 1 else (rng.random() < 0.8)
            a, b = rng.sample(people, 2)
            m = Mediation(
                community=unit, number=f"TJ{code[-3:]}{received.year}{i + 1:04d}", matter_type=matters[kind],
                summary=rng.choice(SUMMARIES[kind]), mediator=rng.choice(roster), received_on=received,
                case_id=case.pk if case else None, case_number=case.number if case else "", scope_code=code,
            )  # fmt: skip
            if outcome is not None:
                m.mediated_on, m.agreement_reached = done, outcome
                if outcome:
                    m.agreement_text = rng.choice(AGREEMENTS).format(
                        a=a.name, n=rng.choice([300, 500, 800, 1200])
                    )
                if done + dt.timedelta(days=30) < today:
                    m.followup_on = done + dt.timedelta(days=30)
                    m.followup_result = "协议已履行，双方无异议" if outcome else "双方关系缓和，未再发生冲突"
            meds.append(m)
            parties += [(m, "applicant", a), (m, "respondent", b)]
            if i % 4 == 2:  # someone from outside the registry
                parties.append((m, "respondent", None))
        Mediation.objects.bulk_create(meds)
        Party.objects.bulk_create([
            Party(mediation=m, side=side, resident=r, name=r.name if r else "外来务工人员 刘某某",
                  id_number=(r.doc_number or "") if r else "", phone=(r.phone or "") if r else "13900001234")
            for m, side, r in parties
        ])  # fmt: skip
        made += len(meds)
    return made


def _correction(rng, units, used, months, today) -> int:
    from shequ.people.models import Resident

    unit = units.get(COMMUNITIES[0])
    if unit is None:
        return 0
    person = (Resident.objects.filter(scope_code__startswith=unit.code, status="active", birth_date__lt=dt.date(1995, 1, 1))
              .exclude(pk__in=used).order_by("id").first())  # fmt: skip
    if person is None:
        return 0
    subject = CorrectionSubject.objects.create(
        community=unit, resident=person, name=person.name, id_number=person.doc_number or "",
        start_date=months[0] - dt.timedelta(days=20), end_date=months[-1] + dt.timedelta(days=180),
    )  # fmt: skip
    sessions, grades = [], []
    for m in months:
        days = sorted({m + dt.timedelta(days=d) for d in (2, 9, 16, 23)} if m < months[-1] else
                      {m + dt.timedelta(days=d) for d in (2, 9) if m + dt.timedelta(days=d) < today})  # fmt: skip
        skipped = rng.random() < 0.15
        for d in days[: 2 if skipped else 4]:
            sessions.append(
                LabourSession(subject=subject, on=d, hours=Decimal("2.0"), task=rng.choice(TASKS))
            )
        if m < months[-1]:
            g = "fair" if skipped else rng.choice(["excellent", "good", "good"])
            grades.append(LabourGrade(subject=subject, kind="month", year=m.year, period=m.month, grade=g))
    LabourSession.objects.bulk_create(sessions)
    by_quarter = {}
    for g in grades:
        by_quarter.setdefault((g.year, (g.period - 1) // 3 + 1), []).append(g.grade)
    for (year, q), monthly in by_quarter.items():
        follows = quarter_grade(monthly)
        if follows:
            grades.append(
                LabourGrade(subject=subject, kind="quarter", year=year, period=q, grade=follows, derived=True)
            )
    LabourGrade.objects.bulk_create(grades)
    return len(sessions)
