"""Demo funds of 江夏区: two years of budgets for every community under a 1:1:1 rule (city, district,
street) for workers' pay and office funds, an 8:2 premises project (district, street) for 郭岭社区,
which rents its rooms; arrivals (the city and district on time or late, the street's share of this
year's office funds still missing); the money 江夏区民政局 promised with its admitted tasks, paid for
one task and missing for the other; a year of spending with receipt photos in 纸坊街道's four demo
communities; last year closed, with one correction; this year's 以奖代补 rounds in 纸坊街道 (队伍活动
counted from the teams module, communities found eligible, reviewed and paid by allocations; a
reviewers'-score round with applications, one awarded and one waiting); the people 江夏区民政局
promised with its tasks (人随事动), provided in part. Bulk inserts (the seed is not a user act) keep
it to about a second; the few acts that show the rules at work go through the services."""

import datetime as dt
import hashlib
import io
import random
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from shequ.core import changelog
from shequ.core.models import Action, Attachment, User
from shequ.finance import awards, personnel, services, sharing
from shequ.finance.models import (
    Allocation,
    AwardApplication,
    AwardRound,
    AwardScheme,
    Budget,
    BudgetLine,
    BudgetStatus,
    ClosedYear,
    FundKind,
    PersonnelProvision,
    SharingRule,
    Spending,
)
from shequ.org.models import Level, OrgUnit

DISTRICT = "420115"
STREET = "420115001"
DEMO = ["420115001001", "420115001002", "420115001005", "420115001019"]
PREMISES_COMMUNITY = "420115001002"
THREE = [{"party": "city", "department": "", "ratio": "1"}, {"party": "district", "department": "", "ratio": "1"},
         {"party": "street", "department": "", "ratio": "1"}]  # fmt: skip
EIGHT_TWO = [
    {"party": "district", "department": "", "ratio": "8"},
    {"party": "street", "department": "", "ratio": "2"},
]
# (fund kind, rule name, base per community)
RULES = [
    ("pay", "社区工作者报酬市区街三级分担", Decimal("150000")),
    ("office", "社区办公经费市区街三级分担", Decimal("30000")),
]
PAYEES = {
    "staff": ["社区工作者报酬（月）", "社区工作者社会保险（月）"],
    "operations": ["武汉晨光文具店", "江夏区电信营业厅", "纸坊街水电费代收点", "江夏印务有限公司"],
    "activities": ["江夏区文体用品商店", "重阳节敬老活动物资", "社区运动会奖品"],
    "services": ["江夏区社工服务中心", "助餐点运营补贴"],
    "relief": ["困难家庭临时救助"],
    "premises": ["纸坊建筑工程公司"],
}


def is_loaded() -> bool:
    return Budget.objects.filter(scope_code__startswith=STREET).exists()


def reset() -> None:
    """Delete the demo district's funds (the finance rows point at its org units)."""
    sub = {"scope_code__startswith": DISTRICT}
    AwardApplication.objects.filter(**sub).delete()
    AwardRound.objects.filter(**sub).delete()
    AwardScheme.objects.filter(**sub).delete()
    PersonnelProvision.objects.filter(**sub).delete()
    Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(Spending), code__startswith=DISTRICT
    ).delete()
    Spending.objects.filter(**sub, reverses__isnull=False).delete()
    Spending.objects.filter(**sub).delete()
    Allocation.objects.filter(**sub, reverses__isnull=False).delete()
    Allocation.objects.filter(**sub).delete()
    BudgetLine.objects.filter(**sub).delete()
    Budget.objects.filter(**sub).delete()
    SharingRule.objects.filter(**sub).delete()
    ClosedYear.objects.filter(**sub).delete()


def _receipt(rng, text: str) -> bytes:
    """A small receipt-like JPEG (no metadata)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (180, 120), (250, 248, 240))
    d = ImageDraw.Draw(img)
    for y in range(20, 110, 14):
        d.line((12, y, 12 + rng.randint(60, 150), y), fill=(120, 120, 130), width=2)
    d.rectangle((120, 80, 168, 110), outline=(200, 40, 40), width=3)  # the stamp
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=70)
    return buf.getvalue()


def _rules(user, years, communities):
    kinds = {k.code: k for k in FundKind.objects.all()}
    district = OrgUnit.objects.get(code=DISTRICT)
    street = OrgUnit.objects.get(code=STREET)
    rules = []
    for year in years:
        for kind, name, amount in RULES:
            rules.append(SharingRule(org=district, scope_code=DISTRICT, year=year, fund_kind=kinds[kind], name=name,
                                     base="community", base_amount=amount, mode="share", parties=THREE,
                                     due_on=dt.date(year, 6, 30), created_by=user))  # fmt: skip
    premises = SharingRule(org=street, scope_code=STREET, year=years[-1], fund_kind=kinds["premises"],
                           name="郭岭社区党群服务中心新建项目", base="project", base_amount=Decimal("1000000"),
                           mode="share", parties=EIGHT_TWO, due_on=dt.date(years[-1], 9, 30), created_by=user,
                           note="郭岭社区现租用办公用房，新建 350 平方米党群服务中心")  # fmt: skip
    SharingRule.objects.bulk_create([*rules, premises])
    premises = SharingRule.objects.get(org=street, year=years[-1], fund_kind=kinds["premises"])
    premises.communities.set([c for c in communities if c.code == PREMISES_COMMUNITY])
    return list(
        SharingRule.objects.filter(scope_code__in=[DISTRICT, STREET], year__in=years).select_related(
            "fund_kind"
        )
    )


def _budgets(rules, communities, today):
    budgets, lines = [], []
    for r in rules:
        targets = (
            [c for c in communities if c.code == PREMISES_COMMUNITY] if r.base == "project" else communities
        )
        ratios = [Decimal(p["ratio"]) for p in r.parties]
        parts = sharing.split(r.base_amount, ratios)
        published = r.year < today.year or r.base != "project"
        for c in targets:
            b = Budget(community=c, scope_code=c.code, year=r.year, fund_kind=r.fund_kind,
                       status=BudgetStatus.PUBLISHED if published else BudgetStatus.APPROVED,
                       approved_at=timezone.now(), published_at=timezone.now() if published else None)  # fmt: skip
            budgets.append(b)
            lines.append((b, r, parts))
    Budget.objects.bulk_create(budgets)
    BudgetLine.objects.bulk_create([
        BudgetLine(budget=b, scope_code=b.scope_code, year=b.year, fund_kind=r.fund_kind, party=p["party"],
                   department=p["department"], amount=amt, rule=r, due_on=r.due_on)
        for b, r, parts in lines for p, amt in zip(r.parties, parts, strict=True)
    ])  # fmt: skip
    return lines


def _arrivals(rng, lines, today, user):
    """Last year: everything arrived (the street's late). This year: the city on time, the district
    late, the street's office share still missing in a third of the communities."""
    rows, seq = [], {}
    for b, r, parts in lines:
        for p, amt in zip(r.parties, parts, strict=True):
            party = p["party"]
            current = b.year == today.year
            if (
                current
                and party == "street"
                and (r.base == "project" or (r.fund_kind.code == "office" and rng.random() < 0.35))
            ):
                continue  # overdue
            if party == "city":
                on = r.due_on - dt.timedelta(days=rng.randint(5, 40))
            elif party == "district":
                on = r.due_on + dt.timedelta(days=rng.randint(3, 45) if current else -rng.randint(1, 20))
            else:
                on = r.due_on + dt.timedelta(days=rng.randint(10, 90))
            on = min(on, today)
            key = (party, b.year)
            seq[key] = seq.get(key, 0) + 1
            prefix = {"city": "武财社", "district": "江财行", "street": "纸街财"}[party]
            rows.append(Allocation(org=b.community, scope_code=b.scope_code, party=party, fund_kind=r.fund_kind,
                                   year=b.year, amount=amt, arrived_on=on, created_by=user,
                                   document_number=f"{prefix}〔{b.year}〕{seq[key]}号"))  # fmt: skip
    Allocation.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _spending(rng, years, communities, today, user):
    kinds = {k.code: k for k in FundKind.objects.all()}
    rows = []
    for c in communities:
        if c.code not in DEMO:
            continue
        for year in years:
            last_month = today.month if year == today.year else 12
            for month in range(1, last_month + 1):
                day = min(dt.date(year, month, 25), today)
                # Pay: twelve months of 11,000 a month — over 90% of what a community spends.
                rows.append(Spending(community=c, scope_code=c.code, fund_kind=kinds["pay"], year=year, category="staff",
                                     payee=PAYEES["staff"][0], spent_on=day, amount=Decimal("11000"),
                                     purpose=f"{month} 月报酬", created_by=user))  # fmt: skip
                if month % 2 == 0:
                    cat = rng.choice(["operations", "operations", "activities", "services", "relief"])
                    rows.append(Spending(community=c, scope_code=c.code, fund_kind=kinds["office"], year=year,
                                         category=cat, payee=rng.choice(PAYEES[cat]), spent_on=day - dt.timedelta(days=rng.randint(1, 20)),
                                         amount=Decimal(rng.randrange(300, 2400, 10)), purpose="", created_by=user))  # fmt: skip
    Spending.objects.bulk_create(rows, batch_size=2000)
    saved = list(
        Spending.objects.filter(scope_code__in=DEMO, year__in=years).only("pk", "scope_code", "payee")
    )
    ct = ContentType.objects.get_for_model(Spending)
    images = [_receipt(rng, "") for _ in range(6)]
    atts = []
    for s in saved:
        data = images[s.pk % len(images)]
        atts.append(Attachment(owner_type=ct, owner_id=str(s.pk), code=s.scope_code, scope_code=s.scope_code,
                               name=f"票据{s.pk}.jpg", content_type="image/jpeg", size=len(data),
                               sha256=hashlib.sha256(data).hexdigest(), data=data))  # fmt: skip
    Attachment.objects.bulk_create(atts, batch_size=500)
    return len(saved)


def _task_money(today, user):
    """江夏区民政局's commitments: half of its tasks paid, the other half's money still missing."""
    model = services.commitment_model()
    if model is None:
        return 0
    commitments = list(model.objects.filter(scope_code__startswith=STREET).order_by("amount", "pk"))
    if not commitments:
        return 0
    paid = 0
    for c in commitments[::2]:  # every other task paid; the rest still owed
        services.record_task_arrival(
            user, c.pk, c.amount, arrived_on=today, document_number=f"江民拨〔{today.year}〕{c.pk}号"
        )
        paid += 1
    return paid


TEAM_GRADES = [{"grade": "一等", "min": "220", "amount": "30000"}, {"grade": "二等", "min": "210", "amount": "20000"},
               {"grade": "三等", "min": "150", "amount": "10000"}]  # fmt: skip
SCORE_GRADES = [
    {"grade": "优秀", "min": "90", "amount": "50000"},
    {"grade": "良好", "min": "80", "amount": "30000"},
]


def _awards(today, district_user, leads) -> dict:
    """This year's rounds in 纸坊街道: team activities counted by the teams module (communities found
    eligible, reviewed and paid — the last one approved, its payment still to make), and a
    reviewers'-score round two communities applied to (one awarded, one waiting for review)."""
    teams = awards.set_scheme(district_user, org=DISTRICT, name="社区队伍活动以奖代补", basis="teams.activities",
                              rewards="文体、志愿服务队伍活动经常、居民参与广泛的社区", party="district",
                              grades=TEAM_GRADES, note="按全年队伍活动场次评定，奖励资金用于队伍建设")  # fmt: skip
    score = awards.set_scheme(district_user, org=DISTRICT, name="社区治理创新以奖代补", basis=awards.MANUAL,
                              rewards="议事协商、居民自治有创新、有成效的社区", party="district",
                              grades=SCORE_GRADES, note="社区申报，区评审组打分")  # fmt: skip
    r1 = awards.open_round(district_user, scheme=teams, org=STREET, year=today.year,
                           title=f"{today.year} 年度纸坊街道社区队伍活动以奖代补")  # fmt: skip
    found = awards.find_eligible(district_user, r1.pk)["added"]
    paid = 0
    entries = list(r1.applications.order_by("-value", "scope_code"))
    for i, a in enumerate(entries):
        a = awards.review(district_user, a.pk, decision="approve", note="活动台账和签到记录齐全")
        if i < len(entries) - 1:
            awards.award(
                district_user, a.pk, arrived_on=today, document_number=f"江财奖〔{today.year}〕{i + 1}号"
            )
            paid += 1
    r2 = awards.open_round(district_user, scheme=score, org=STREET, year=today.year,
                           title=f"{today.year} 年度纸坊街道社区治理创新以奖代补",
                           apply_by=today + dt.timedelta(days=20))  # fmt: skip
    claims = [
        "推行“小区议事厅”，全年协商解决加装电梯、停车等事项 14 件",
        "楼栋自治小组覆盖全部楼栋，居民公约修订经居民会议表决通过",
    ]
    applied = []
    for (code, user), claim in zip(leads, claims, strict=False):
        applied.append(awards.apply_for_award(user, r2.pk, community=code, claim=claim))
    if applied:
        a = awards.review(
            district_user, applied[0].pk, decision="approve", score="92", note="材料翔实，成效明显"
        )
        awards.award(district_user, a.pk, arrived_on=today, document_number=f"江财奖〔{today.year}〕20号")
        paid += 1
    return {"eligible": found, "applied": len(applied), "paid": paid}


def _personnel(today, dept) -> int:
    """江夏区民政局's people for its tasks: the assessors in half the communities, one short in the
    rest; the social worker of the other task in every community."""
    model = personnel.task_model()
    if model is None or dept is None:
        return 0
    tasks = list(
        model.objects.filter(scope_code__startswith=STREET, request__personnel_count__gt=0, start_date__lte=today)
        .select_related("request").order_by("request_id", "scope_code")
    )  # fmt: skip
    n = 0
    for i, t in enumerate(tasks):
        people = t.request.personnel_count if i % 2 == 0 else max(t.request.personnel_count - 1, 0)
        if people:
            personnel.record_provision(dept, t.pk, people=people, provided_on=max(t.start_date, today - dt.timedelta(days=30)),
                                       names="第三方评估机构评估员" if t.request.personnel_count > 1 else "社会救助科社工")  # fmt: skip
            n += people
    return n


def load(seed: int = 20261121, echo=print) -> dict:
    """Make the demo district's two years of funds; returns counts."""
    rng = random.Random(seed)
    today = timezone.localdate()
    years = [today.year - 1, today.year]
    district_user = User.objects.get(username="district")
    lead = User.objects.get(username="lead_ningan")
    dept = User.objects.filter(username="dept_minzheng").first()
    with transaction.atomic():
        communities = list(
            OrgUnit.objects.filter(level=Level.COMMUNITY, code__startswith=DISTRICT).order_by("code")
        )
        rules = _rules(district_user, years, communities)
        lines = _budgets(rules, communities, today)
        arrived = _arrivals(rng, lines, today, district_user)
        spent = _spending(rng, years, communities, today, lead)
        paid = _task_money(today, dept) if dept else 0
        people = _personnel(today, dept)
        leads = [(c.code, u) for c, u in _community_leads(communities)]
        won = _awards(today, district_user, leads)
        # Last year closed; one of its entries then corrected (reversal and a new entry, dated today).
        services.close_year(district_user, DISTRICT, years[0])
        wrong = (
            Spending.objects.filter(scope_code=DEMO[0], year=years[0], fund_kind__code="office")
            .order_by("pk")
            .first()
        )
        if wrong is not None:
            services.correct_spending(lead, wrong.pk, reason="发票金额录入有误", amount=wrong.amount - 100)
        changelog.record(None, Action.IMPORT, None, scope_code=DISTRICT,
                         note=f"载入演示数据：经费预算 {len(lines)} 项，到账 {arrived} 笔，支出 {spent} 笔")  # fmt: skip
    echo(f"经费：{len(communities)} 个社区两个年度的预算 {len(lines)} 项（人员报酬和办公经费 1:1:1，郭岭社区用房项目 8:2），"
         f"到账 {arrived} 笔，四个演示社区支出 {spent} 笔（附票据），随事经费到位 {paid} 项，随事人员到岗 {people} 人，"
         f"以奖代补自动入围 {won['eligible']} 个、申报 {won['applied']} 个、奖励 {won['paid']} 个，{years[0]} 年度已结账")  # fmt: skip
    return {"budgets": len(lines), "allocations": arrived, "spending": spent}


def _community_leads(communities):
    """(community, a user who may apply for it): the demo communities' leads where they exist."""
    from shequ.core.roles import Role

    out = []
    for c in communities:
        if c.code not in DEMO:
            continue
        u = (
            User.objects.filter(memberships__org__code=c.code, memberships__role=Role.COMMUNITY_LEAD).first()
            or User.objects.filter(
                memberships__org__code=c.code, memberships__role=Role.COMMUNITY_WORKER
            ).first()
        )
        if u is not None:
            out.append((c, u))
    return out
