"""Demo funds of 江夏区: two years of budgets for every community under a 1:1:1 rule (city, district,
street) for workers' pay and office funds, an 8:2 premises project (district, street) for 郭岭社区,
which rents its rooms; arrivals (the city and district on time or late, the street's share of this
year's office funds still missing); the money 江夏区民政局 promised with its admitted tasks, paid for
one task and missing for the other; a year of spending with receipt photos in 纸坊街道's four demo
communities; last year closed, with one correction. Bulk inserts (the seed is not a user act) keep
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
from shequ.finance import services, sharing
from shequ.finance.models import (
    Allocation,
    Budget,
    BudgetLine,
    BudgetStatus,
    ClosedYear,
    FundKind,
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
         f"到账 {arrived} 笔，四个演示社区支出 {spent} 笔（附票据），随事经费到位 {paid} 项，{years[0]} 年度已结账")  # fmt: skip
    return {"budgets": len(lines), "allocations": arrived, "spending": spent}
