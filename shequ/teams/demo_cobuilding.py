"""Demo 共驻共建 of 纸坊街道: the street's co-building body (共建联席会) with member units from the
org module's 驻区单位, its quarterly joint meetings, two agreements signed from the duty template,
and a year of contributions (money, goods, people-days, facilities opened), some fulfilling a duty,
some serving an activity or a household. Finished rows in bulk, by the rules the services enforce."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from shequ.org.models import OrgUnit, ResidentOrganization
from shequ.teams.models import (
    Activity,
    Agreement,
    AgreementDuty,
    BodyMember,
    BodyRole,
    CobuildBody,
    CobuildMeeting,
    Contribution,
    ContributionKind,
    DutyTemplate,
)

STREET = "420115001"
GOODS = ["防汛物资", "慰问米油", "图书", "健身器材", "办公桌椅", "冬衣", "防疫用品"]
FACILITIES = ["职工食堂", "篮球场", "会议室", "停车场", "图书室"]
CHORES = ["环境卫生整治", "义务理发义诊", "防诈骗宣传", "老旧小区路灯维修", "助老送餐"]


def reset() -> None:
    """Delete the demo co-building records (before the units and activities they point at go)."""
    Contribution.objects.filter(scope_code__startswith=STREET).delete()
    AgreementDuty.objects.filter(agreement__scope_code__startswith=STREET).delete()
    Agreement.objects.filter(scope_code__startswith=STREET).delete()
    CobuildMeeting.objects.filter(scope_code__startswith=STREET).delete()
    BodyMember.objects.filter(body__scope_code__startswith=STREET).delete()
    CobuildBody.objects.filter(scope_code__startswith=STREET).delete()


def _quarter_starts(first: dt.date, today: dt.date):
    d = dt.date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    while d <= today:
        yield d
        d = dt.date(d.year + (d.month == 10), 1 if d.month == 10 else d.month + 3, 1)


def load(rng: random.Random, today: dt.date | None = None) -> dict:
    """The street's body, members, meetings, two agreements and a year of contributions."""
    from shequ.people.models import Household

    today = today or timezone.localdate()
    street = OrgUnit.objects.filter(code=STREET).first()
    units = list(ResidentOrganization.objects.filter(scope_code__startswith=STREET).select_related("community")
                 .order_by("community__code", "pk"))  # fmt: skip
    counts = dict.fromkeys(("bodies", "members", "meetings", "agreements", "contributions"), 0)
    if street is None or len(units) < 3:
        return counts
    # Members from every community, about two thirds of the units, so that coverage is not complete.
    by_community: dict[str, list] = {}
    for u in units:
        by_community.setdefault(u.community.code, []).append(u)
    members = [u for group in by_community.values() for u in group[: max(1, (len(group) * 2 + 2) // 3)]]
    start = today - dt.timedelta(days=365)
    founded = dt.date(start.year - 1, 6, 18)
    body = CobuildBody.objects.create(org=street, name="纸坊街道共驻共建联席会", established_on=founded,
                                      note="街道党工委牵头，辖区驻区单位共同参与，每季度召开一次联席会议。")  # fmt: skip
    BodyMember.objects.bulk_create([BodyMember(body=body, unit=u, role=BodyRole.LEAD if i == 0 else BodyRole.MEMBER,
                                               joined_on=founded + dt.timedelta(days=rng.randint(0, 60)))
                                    for i, u in enumerate(members)])  # fmt: skip
    counts.update(bodies=1, members=len(members))
    # Two agreements, from the quarter a year back, for two years; all five duties from the template.
    term_start = next(_quarter_starts(start, today))
    templates = list(DutyTemplate.objects.filter(active=True))
    # Two parties of different kinds (a property company and a hospital, a bank or a school when there is one).
    first = members[0]
    parties = [first, next((m for m in members if m.org_type != first.org_type), members[len(members) // 2])]
    agreements = []
    for u in parties:
        a = Agreement.objects.create(body=body, unit=u, title=f"{u.name}共驻共建协议（{term_start.year}—{term_start.year + 2}）",
                                     signed_on=term_start, starts_on=term_start,
                                     ends_on=dt.date(term_start.year + 2, term_start.month, 1) - dt.timedelta(days=1))  # fmt: skip
        AgreementDuty.objects.bulk_create([AgreementDuty(agreement=a, template=t, name=t.name, frequency=t.frequency,
                                                         meeting=t.meeting, order=i) for i, t in enumerate(templates, 1)])  # fmt: skip
        agreements.append(a)
    counts["agreements"] = len(agreements)
    # A joint meeting in the middle of every quarter so far; the second party misses one.
    for i, q in enumerate(_quarter_starts(term_start, today)):
        held = q + dt.timedelta(days=40 + rng.randint(0, 10))
        if held > today:
            continue
        mt = CobuildMeeting.objects.create(body=body, title=f"{held.year}年第{(held.month - 1) // 3 + 1}季度联席会议",
                                           held_on=held, place="街道党群服务中心",
                                           minutes="通报上季度共建项目进展，商定本季度为民办实事和结对帮扶安排。")  # fmt: skip
        present = [m for m in members if rng.random() < 0.8 or m in parties]
        if i == 2:
            present = [m for m in present if m != parties[1]]
        mt.attendees.set(present)
        counts["meetings"] += 1
    # A year of contributions: the two parties by their duties, other members now and then.
    rows = []
    for ai, a in enumerate(agreements):
        u = a.unit
        duties = {d.template.code: d for d in a.duties.select_related("template")}
        acts = list(Activity.objects.filter(scope_code__startswith=u.community.code, starts_at__date__gte=a.starts_on,
                                            starts_at__date__lte=today).order_by("starts_at")[:40])  # fmt: skip
        households = list(
            Household.objects.filter(scope_code__startswith=u.community.code).order_by("pk")[:5]
        )
        day = a.starts_on + dt.timedelta(days=12)
        n = 0
        while day <= today:
            n += 1
            kind = [
                ContributionKind.MONEY,
                ContributionKind.GOODS,
                ContributionKind.PEOPLE,
                ContributionKind.FACILITY,
            ][n % 4]
            c = Contribution(unit=u, agreement=a, kind=kind, given_on=day, recorded_by=None)
            if kind == ContributionKind.MONEY:
                c.amount = Decimal(rng.choice((5000, 8000, 10000, 20000)))
                c.description = "共建资金：社区公益项目"
            elif kind == ContributionKind.GOODS:
                item = rng.choice(GOODS)
                c.amount = Decimal(rng.randint(8, 60) * 100)
                c.description = f"捐赠{item}"
            elif kind == ContributionKind.PEOPLE:
                c.people_days = Decimal(rng.randint(4, 20))
                c.description = f"职工志愿者参加{rng.choice(CHORES)}"
                near = [x for x in acts if abs((timezone.localtime(x.starts_at).date() - day).days) < 20]
                if near:
                    c.activity = near[0]
                    c.given_on = timezone.localtime(near[0].starts_at).date()
            else:
                c.facility = rng.choice(FACILITIES)
                c.description = f"{c.facility}向居民开放"
            rows.append(c)
            day += dt.timedelta(days=rng.randint(24, 34))
        # The yearly and once-only duties: the first party keeps them all, the second most.
        plan = [("solve_problem", 60, ContributionKind.PEOPLE, "协调解决小区停车难问题"),
                ("volunteer_team", 30, ContributionKind.PEOPLE, "组建职工志愿服务队"),
                ("practical_thing", 150, ContributionKind.MONEY, "出资改造小区健身广场"),
                ("pair_household", 90, ContributionKind.GOODS, "结对帮扶困难家庭：慰问金和生活用品")]  # fmt: skip
        dated = []  # the yearly duties once in every calendar year of the term so far, the once-only duty once
        for code, offset, kind, text in plan[: 4 if ai == 0 else 3]:
            d = duties.get(code)
            if d is None:
                continue
            if d.frequency == "once":
                dated.append((d, a.starts_on + dt.timedelta(days=offset), kind, text))
                continue
            for y in range(a.starts_on.year, today.year + 1):
                dated.append(
                    (d, max(a.starts_on, dt.date(y, 1, 1)) + dt.timedelta(days=offset // 2), kind, text)
                )
        for d, on, kind, text in dated:
            code = d.template.code
            if on > today or on > a.ends_on:
                continue
            c = Contribution(unit=u, agreement=a, duty=d, kind=kind, given_on=on, description=text)
            if kind == ContributionKind.PEOPLE:
                c.people_days = Decimal(rng.randint(6, 15))
            else:
                c.amount = Decimal(rng.choice((3000, 6000, 30000)))
            if code == "pair_household" and households:
                c.household = households[ai % len(households)]
            rows.append(c)
    for u in members:
        if u in parties:
            continue
        for _k in range(rng.randint(1, 3)):
            on = today - dt.timedelta(days=rng.randint(5, 350))
            rows.append(Contribution(unit=u, kind=ContributionKind.GOODS, given_on=on, description=f"捐赠{rng.choice(GOODS)}",
                                     amount=Decimal(rng.randint(5, 40) * 100)))  # fmt: skip
    for c in rows:
        c.scope_code = c.compute_scope_code()
    Contribution.objects.bulk_create(rows)
    counts["contributions"] = len(rows)
    return counts
