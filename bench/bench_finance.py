#!/usr/bin/env python
"""Hand-run benchmark of the finance figures (not a pytest test): a district of 500 communities over
five years, on PostgreSQL and SQLite.

Per database a subprocess migrates a fresh database and writes, with bulk inserts:

  20 streets × 25 communities; per community and year a 1:1:1 budget for workers' pay and one for
  office funds (six budget lines), the arrivals (about one in six of the street's shares missing),
  24 spending entries (pay, operations, activities …), and two admitted tasks of two departments
  with their funding commitments, half of them paid; a 以奖代补 round a year in which one community
  in ten is awarded 20,000 yuan, paid by an allocation: 5 years × 500 communities — 5,000 budgets,
  15,000 lines, about 17,000 arrivals, 60,000 spending entries, 5,000 tasks, 250 awards.

Then, after a warm-up, `--repeat` rounds; in each round every figure is timed once, in turn with the
floor (paired, interleaved runs), for the district administrator:

  district     reports.report(district, the last year): by kind, party, rule, community; overdue; task money
  street       reports.report(one street, the last year)
  tasks        reports.task_money(district, the last year): promised and arrived by department
  page         GET /finance/?scope=<district>&year=<last year> (test Client): the overview with its charts
               (the whole request: session, report, template)
  floor        the plain aggregates the report starts from, read with values_list and nothing done with
               them (budget lines by kind and party, arrivals by kind and party, spending by kind, per
               community and by category): what no report can go below

Goal (issue 18): figures ≤ 500 ms. Medians, p95 and the median of the paired ratios figure ÷ floor.

    .venv/bin/python bench/bench_finance.py
    .venv/bin/python bench/bench_finance.py --db sqlite --repeat 5
"""

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_cases import logged_in  # noqa: E402
from bench.driver import Out, emit, figure_lines, machine, run_step, vendor_env  # noqa: E402

DISTRICT = "420199"
STREETS, COMMUNITIES, YEARS = 20, 25, 5
GOAL_MS = 500.0
FIGURES = ("district", "street", "tasks", "page", "floor")
GOALS = ("district", "street", "tasks", "page")
THREE = [{"party": p, "department": "", "ratio": "1"} for p in ("city", "district", "street")]
DEPARTMENTS = ["区民政局", "区卫健局", "区应急局", "区城管局"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("postgresql", "sqlite", "both"), default="both")
    p.add_argument("--repeat", type=int, default=15, help="rounds of timings (default 15)")
    p.add_argument("--seed", type=int, default=20261207)
    p.add_argument("--out", help="report file (default bench/results/finance-<date>.txt)")
    p.add_argument("--step", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def build(seed: int) -> dict:
    """The district and five years of its funds (bulk inserts)."""
    from django.utils import timezone

    from shequ.core.roles import Role
    from shequ.core.testing.world import make_user
    from shequ.duties.models import AdmissionRequest, FundingCommitment, Task
    from shequ.finance import sharing
    from shequ.finance.models import (
        Allocation,
        AwardApplication,
        AwardRound,
        AwardScheme,
        Budget,
        BudgetLine,
        FundKind,
        SharingRule,
        Spending,
    )
    from shequ.org.models import Level, OrgUnit

    rng = random.Random(seed)
    today = timezone.localdate()
    years = list(range(today.year - YEARS + 1, today.year + 1))
    district = OrgUnit.objects.create(code=DISTRICT, name="基准区", level=Level.DISTRICT)
    streets = OrgUnit.objects.bulk_create(
        [OrgUnit(code=f"{DISTRICT}{s:03d}", name=f"第{s}街道", level=Level.STREET, parent=district)
         for s in range(1, STREETS + 1)]
    )  # fmt: skip
    communities = OrgUnit.objects.bulk_create(
        [OrgUnit(code=f"{st.code}{c:03d}", name=f"第{c}社区居民委员会", level=Level.COMMUNITY, kind="residents", parent=st)
         for st in streets for c in range(1, COMMUNITIES + 1)]
    )  # fmt: skip
    user = make_user("bench_district", Role.DISTRICT, district)
    kinds = {k.code: k for k in FundKind.objects.all()}
    rules = SharingRule.objects.bulk_create(
        [SharingRule(org=district, scope_code=DISTRICT, year=y, fund_kind=kinds[k], name=f"{kinds[k].name}分担",
                     base="community", base_amount=Decimal(amount), parties=THREE, due_on=dt.date(y, 6, 30))
         for y in years for k, amount in (("pay", "150000"), ("office", "30000"))]
    )  # fmt: skip
    budgets = Budget.objects.bulk_create(
        [Budget(community=c, scope_code=c.code, year=r.year, fund_kind=r.fund_kind, status="published")
         for r in rules for c in communities], batch_size=5000
    )  # fmt: skip
    by_key = {(b.year, b.fund_kind_id, b.community_id): b for b in budgets}
    lines, allocs, seq = [], [], 0
    for r in rules:
        parts = sharing.split(r.base_amount, [Decimal("1")] * 3)
        for c in communities:
            b = by_key[(r.year, r.fund_kind_id, c.pk)]
            for p, amt in zip(r.parties, parts, strict=True):
                lines.append(BudgetLine(budget=b, scope_code=c.code, year=r.year, fund_kind=r.fund_kind,
                                        party=p["party"], amount=amt, rule=r, due_on=r.due_on))  # fmt: skip
                if p["party"] == "street" and rng.random() < 0.17:
                    continue
                seq += 1
                allocs.append(Allocation(org=c, scope_code=c.code, party=p["party"], fund_kind=r.fund_kind, year=r.year,
                                         amount=amt, arrived_on=r.due_on + dt.timedelta(days=rng.randint(-30, 60)),
                                         document_number=f"基准〔{r.year}〕{seq}号"))  # fmt: skip
    BudgetLine.objects.bulk_create(lines, batch_size=5000)
    spending = []
    cats = ["staff"] * 12 + ["operations"] * 6 + ["activities"] * 3 + ["services"] * 2 + ["relief"]
    for y in years:
        for c in communities:
            for i, cat in enumerate(cats):
                kind = kinds["pay"] if cat == "staff" else kinds["office"]
                spending.append(Spending(community=c, scope_code=c.code, fund_kind=kind, year=y, category=cat,
                                         payee="基准收款方", spent_on=dt.date(y, 1 + i % 12, 20),
                                         amount=Decimal("11000") if cat == "staff" else Decimal(rng.randrange(200, 1800))))  # fmt: skip
    Spending.objects.bulk_create(spending, batch_size=5000)
    # Two admitted tasks per community and year, each with its funding commitment, half paid.
    requests = AdmissionRequest.objects.bulk_create(
        [AdmissionRequest(number=f"BENCH{y}{d}", org=district, scope_code=DISTRICT, department=DEPARTMENTS[d],
                          origin_code=DISTRICT, applicant=user, title=f"{DEPARTMENTS[d]}{y}年任务",
                          description="基准", start_date=dt.date(y, 3, 1), end_date=dt.date(y, 11, 30),
                          funding_per_community=Decimal("2000"), status="approved")
         for y in years for d in (0, 1) if True]
    )  # fmt: skip
    tasks = Task.objects.bulk_create(
        [Task(request=r, community=c, scope_code=c.code, department=r.department, title=r.title,
              start_date=r.start_date, deadline=r.end_date, funding=Decimal("2000"))
         for r in requests for c in communities], batch_size=5000
    )  # fmt: skip
    commitments = FundingCommitment.objects.bulk_create(
        [FundingCommitment(task=t, scope_code=t.scope_code, department=t.department, amount=Decimal("2000"),
                           committed_at=timezone.make_aware(dt.datetime.combine(t.start_date, dt.time(9))))
         for t in tasks], batch_size=5000
    )  # fmt: skip
    special = kinds["special"]
    for i, fc in enumerate(commitments):
        if i % 2 == 0:
            t = tasks[i]
            allocs.append(Allocation(org=t.community, scope_code=t.scope_code, party="department",
                                     department=fc.department, fund_kind=special, year=t.start_date.year,
                                     amount=fc.amount, arrived_on=t.start_date, commitment_id=fc.pk))  # fmt: skip
    Allocation.objects.bulk_create(allocs, batch_size=5000)
    # 以奖代补: a district round a year, one community in ten awarded 20,000 (一等) and paid.
    scheme = AwardScheme.objects.create(org=district, scope_code=DISTRICT, name="社区队伍活动以奖代补", fund_kind=kinds["award"],
                                        rewards="队伍活动开展好的社区", basis="finance.manual", party="district",
                                        grades=[{"grade": "一等", "min": "30", "amount": "20000.00"}])  # fmt: skip
    rounds = AwardRound.objects.bulk_create(
        [AwardRound(scheme=scheme, org=district, scope_code=DISTRICT, year=y, title=f"{y} 年度以奖代补") for y in years]
    )  # fmt: skip
    won = [(r, c) for r in rounds for c in communities[::10]]
    paid = Allocation.objects.bulk_create(
        [Allocation(org=c, scope_code=c.code, party="district", fund_kind=kinds["award"], year=r.year,
                    amount=Decimal("20000"), arrived_on=dt.date(r.year, 11, 20), document_number=f"基准奖〔{r.year}〕{c.code}号")
         for r, c in won]
    )  # fmt: skip
    AwardApplication.objects.bulk_create(
        [AwardApplication(round=r, community=c, scope_code=c.code, source="applied", value=Decimal("32"), status="awarded",
                          grade="一等", amount=Decimal("20000"), allocation=a)
         for (r, c), a in zip(won, paid, strict=True)]
    )  # fmt: skip
    return {"user": user, "years": years, "street": streets[0].code, "budgets": len(budgets), "lines": len(lines),
            "allocations": len(allocs) + len(paid), "awards": len(paid), "spending": len(spending), "tasks": len(tasks)}  # fmt: skip


def measure(args) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum

    from shequ.finance import reports
    from shequ.finance.models import Allocation, BudgetLine, Spending

    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    data = build(args.seed)
    built = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    user = data["user"]
    year = data["years"][-1]
    client = logged_in(user)

    def fresh():
        for k in [k for k in user.__dict__ if k.startswith("_shequ")]:
            user.__dict__.pop(k)
        return user

    def page():
        r = client.get("/finance/", {"scope": DISTRICT, "year": year})
        assert r.status_code == 200, r.status_code  # noqa: S101

    def floor():
        u = fresh()
        lines = BudgetLine.objects.visible_to(u).filter(year=year)
        allocs = Allocation.objects.visible_to(u).filter(year=year)
        spends = Spending.objects.visible_to(u).filter(year=year)
        list(lines.values_list("fund_kind_id", "party", "department").annotate(s=Sum("amount")))
        list(allocs.values_list("fund_kind_id", "party", "department").annotate(s=Sum("amount")))
        list(spends.values_list("fund_kind_id").annotate(s=Sum("amount")))
        list(spends.values_list("category").annotate(s=Sum("amount")))
        list(lines.values_list("scope_code").annotate(s=Sum("amount")))
        list(allocs.values_list("scope_code").annotate(s=Sum("amount")))
        list(spends.values_list("scope_code").annotate(s=Sum("amount")))

    calls = {
        "district": lambda: reports.report(fresh(), DISTRICT, year),
        "street": lambda: reports.report(fresh(), data["street"], year),
        "tasks": lambda: reports.task_money(fresh(), DISTRICT, year),
        "page": page,
        "floor": floor,
    }
    rep = reports.report(fresh(), DISTRICT, year)
    for fn in calls.values():
        fn()
    times = {k: [] for k in calls}
    cpu0 = time.process_time()
    for _i in range(args.repeat):
        for name, fn in calls.items():
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) * 1000)
    tot = rep["totals"]
    return {"vendor": connection.vendor, "built_s": round(built, 1), "times": times,
            "cpu_s": round(time.process_time() - cpu0, 2), "load": os.getloadavg()[0], "year": year,
            "due": str(tot["due"]), "arrived": str(tot["arrived"]), "rate": str(tot["rate"]),
            "staff_share": str(tot["staff_share"]), "overdue_rows": len(rep["overdue"]),
            **{k: data[k] for k in ("budgets", "lines", "allocations", "spending", "tasks", "awards")}}  # fmt: skip


def main(argv=None):
    args = parse_args(argv)
    if args.step == "measure":
        emit(measure(args))
        return
    vendors = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
    out = Out()
    out(f"bench_finance — {dt.datetime.now():%Y-%m-%d %H:%M}, {machine()}")
    out(f"{STREETS} streets × {COMMUNITIES} communities over {YEARS} years; per community and year two 1:1:1 budgets, "
        f"their arrivals, 24 spending entries, two admitted tasks with funding commitments (half paid); one community in ten awarded (以奖代补); "
        f"{args.repeat} rounds, each figure timed in turn with the floor after a warm-up; goal: figures ≤ "
        f"{GOAL_MS:.0f} ms")  # fmt: skip
    ok_all = True
    with tempfile.TemporaryDirectory(prefix="shequ-bench-fin-") as tmp:
        for vendor in vendors:
            load0 = os.getloadavg()[0]
            with vendor_env(vendor, Path(tmp) / vendor, "fin") as env:
                r = run_step(
                    __file__,
                    ["--step", "measure", "--repeat", str(args.repeat), "--seed", str(args.seed)],
                    env,
                )
            out(f"\n=== {vendor} ===  built in {r['built_s']} s: {r['budgets']:,} budgets, {r['lines']:,} budget lines, "
                f"{r['allocations']:,} arrivals, {r['spending']:,} spending entries, {r['tasks']:,} tasks, {r['awards']:,} awards; year "
                f"{r['year']}: due {r['due']}, arrived {r['arrived']} ({r['rate']}%), staff share {r['staff_share']}%, "
                f"{r['overdue_rows']} overdue rows; CPU {r['cpu_s']} s; load average {load0:.2f} → {r['load']:.2f}")  # fmt: skip
            lines, ok = figure_lines(r["times"], FIGURES, GOALS, GOAL_MS)
            ok_all &= ok
            for line in lines:
                out(line)
    out.write("finance", args.out)
    sys.exit(0 if ok_all else 1)


if __name__ == "__main__":
    main()
