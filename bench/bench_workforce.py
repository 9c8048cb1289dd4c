#!/usr/bin/env python
"""Hand-run benchmark of the workforce reports (not a pytest test): a district of 500 communities
and 5,000 full-time workers in post with ten years of history, on PostgreSQL and SQLite.

Per database a subprocess migrates a fresh database (PostgreSQL: a new database on 127.0.0.1:5432;
SQLite: a file with the embedded default's settings) and writes, with bulk inserts (the ID numbers
encrypted and blind-indexed as the services do):

  20 streets × 25 communities; 5,000 workers in post hired over ten years and 2,000 who left
  (each with its hire and exit movement), 500 transfers between communities of a street, the two
  committees' offices (secretary, director, deputies, members: 3,500), and the population of each
  community for the year.

Then, after a warm-up, `--repeat` timings in turn of, for the district administrator:

  structure    reports.structure(district, today)
  staffing     reports.staffing(district, this year): the district, and a row per community
  turnover     reports.turnover(district, the last twelve months)
  page         GET /workforce/?scope=<district> (test Client): all three and the charts
  pay          services.pay_report(district, last year): every worker's gross pay against the average
               wage, the floor, the shares per street, the 同工同酬 spread per grade and source
  pay_page     GET /workforce/pay/?scope=<district>&year=<last year>: the pay report, the step-up
               advice for every worker in post, the chart
  insurance    services.insurance_rates(district, last year): six kinds, per street
  floor        the worker, movement and office rows read with values_list (the three queries the
               reports start from, without the counting): what no report can go below

For the pay figures the district adopts 三岗十八级 with tables for last year and this, every worker
in post is placed (about half stepped up a 级 on 1 January last year), paid for last year, and takes part
in five to six kinds of insurance; the district enters the average wage.

Goal (issue 14): each report ≤ 500 ms. Medians and p95; CPU time and load average printed.

    .venv/bin/python bench/bench_workforce.py
    .venv/bin/python bench/bench_workforce.py --db sqlite --workers 1000 --repeat 5
"""

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_cases import logged_in  # noqa: E402
from bench.driver import Out, emit, figure_lines, machine, run_step, vendor_env  # noqa: E402

DISTRICT = "420199"
STREETS, COMMUNITIES = 20, 25
GOAL_MS = 500.0
FIGURES = ("structure", "staffing", "turnover", "page", "pay", "pay_page", "insurance", "floor")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("postgresql", "sqlite", "both"), default="both")
    p.add_argument("--workers", type=int, default=5000, help="workers in post (default 5,000)")
    p.add_argument("--repeat", type=int, default=15, help="timings of each figure (default 15)")
    p.add_argument("--seed", type=int, default=20261207)
    p.add_argument("--out", help="report file (default bench/results/workforce-<date>.txt)")
    p.add_argument("--step", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def build(n: int, seed: int) -> dict:
    """The district, its workers with history, offices and population (bulk inserts)."""
    from django.utils import timezone

    from shequ.core.roles import Role
    from shequ.core.testing.world import make_user
    from shequ.core.validators import id_check_char
    from shequ.org.models import Level, OrgUnit
    from shequ.workforce.models import Movement, Office, Population, Worker

    rng = random.Random(seed)
    today = timezone.localdate()
    district = OrgUnit.objects.create(code=DISTRICT, name="基准区", level=Level.DISTRICT)
    streets = OrgUnit.objects.bulk_create(
        [OrgUnit(code=f"{DISTRICT}{s:03d}", name=f"第{s}街道", level=Level.STREET, parent=district)
         for s in range(1, STREETS + 1)]
    )  # fmt: skip
    communities = OrgUnit.objects.bulk_create(
        [OrgUnit(code=f"{st.code}{c:03d}", name=f"第{c}社区居民委员会", level=Level.COMMUNITY, parent=st)
         for st in streets for c in range(1, COMMUNITIES + 1)]
    )  # fmt: skip
    user = make_user("bench_district", Role.DISTRICT, district)
    leavers = n * 2 // 5
    workers = []
    for i in range(n + leavers):
        org = communities[i % len(communities)]
        hired = today - dt.timedelta(days=rng.randint(30, 3650))
        birth = dt.date(hired.year - rng.randint(22, 45), rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"{DISTRICT}{birth:%Y%m%d}{i % 1000:03d}"
        left = None
        if i >= n:
            left = hired + dt.timedelta(days=rng.randint(1, max(2, (today - hired).days - 1)))
        workers.append(
            Worker(org=org, scope_code=org.code, name=f"工作者{i}", id_number=first17 + id_check_char(first17),
                   gender=rng.choice(["male", "female", "female"]), birth_date=birth,
                   education=rng.choice(["bachelor", "junior_college", "secondary", "postgraduate", "high_school"]),
                   political_status=rng.choice(["party_member", "masses", "league"]),
                   source=rng.choice(["hired", "hired", "elected", "seconded", "other"]), hired_on=hired,
                   status="left" if left else "active", left_on=left,
                   exit_reason=rng.choice(["resigned", "job_change", "retired", "recruited"]) if left else "")
        )  # fmt: skip
    Worker.objects.bulk_create(workers, batch_size=2000)
    moves = []
    for w in workers:
        moves.append(Movement(worker=w, kind="hire", on=w.hired_on, to_org=w.org))
        if w.left_on:
            moves.append(Movement(worker=w, kind="exit", on=w.left_on, from_org=w.org, reason=w.exit_reason))
    by_street: dict = {}
    for c in communities:
        by_street.setdefault(c.code[:9], []).append(c)
    for w in rng.sample(workers[:n], n // 10):
        siblings = by_street[w.org.code[:9]]
        other = rng.choice([c for c in siblings if c.pk != w.org_id])
        on = w.hired_on + dt.timedelta(days=max(1, (today - w.hired_on).days // 2))
        moves.append(Movement(worker=w, kind="transfer", on=on, from_org=other, to_org=w.org))
    Movement.objects.bulk_create(moves, batch_size=5000)
    offices = []
    staff_by_org: dict = {}
    for w in workers[:n]:
        staff_by_org.setdefault(w.org_id, []).append(w)
    for staff in staff_by_org.values():
        titles = [("party", "secretary"), ("committee", "director"), ("party", "deputy_secretary"),
                  ("committee", "deputy_director"), ("committee", "member"), ("committee", "member"),
                  ("party", "member")]  # fmt: skip
        for w, (body, title) in zip(staff, titles, strict=False):
            offices.append(
                Office(worker=w, body=body, title=title, start=max(w.hired_on, dt.date(2021, 7, 1)))
            )
    Office.objects.bulk_create(offices, batch_size=5000)
    Population.objects.bulk_create(
        [Population(org=c, scope_code=c.code, year=today.year, residents=rng.randint(6000, 15000), source="基准")
         for c in communities]
    )  # fmt: skip
    pay = build_pay(district, workers[:n], rng)
    return {"user": user, "workers": len(workers), "moves": len(moves), "offices": len(offices), **pay}


def build_pay(district, workers, rng) -> dict:
    """The district's 三岗十八级 with two years of tables, placements, last year's pay, insurance."""
    from decimal import Decimal

    from django.utils import timezone

    from shequ.workforce.models import (
        AverageWage,
        Grade,
        GradePlacement,
        GradeScheme,
        Insurance,
        InsuranceKind,
        PayRate,
        PayRecord,
        PayTable,
    )  # fmt: skip

    today = timezone.localdate()
    last = today.year - 1
    template = GradeScheme.objects.get(org__isnull=True, name="三岗十八级")
    scheme = GradeScheme.objects.create(
        org=district, name="基准区三岗十八级", step_label="级", template=template
    )
    grades = Grade.objects.bulk_create(
        [Grade(scheme=scheme, name=g.name, order=g.order, min_step=g.min_step, max_step=g.max_step)
         for g in template.grades.all()]
    )  # fmt: skip
    monthly = {}
    for year in (last, today.year):
        table = PayTable.objects.create(scheme=scheme, year=year, source="基准")
        rows = [PayRate(table=table, grade=g, step=s, monthly=Decimal(1650 + 95 * s + 300 * (3 - g.order)))
                for g in grades for s in g.steps()]  # fmt: skip
        PayRate.objects.bulk_create(rows)
        monthly[year] = {(r.grade_id, r.step): r.monthly for r in rows}
    AverageWage.objects.create(org=district, scope_code=district.code, year=last, amount=Decimal(30000),
                               source="基准", floor_percent=Decimal(100))  # fmt: skip
    placements, records, insurance = [], [], []
    kinds = list(InsuranceKind.values)
    for w in workers:
        g = rng.choices(grades, weights=(1, 2, 12))[0]
        step = rng.randint(g.min_step, g.max_step - 1)
        first = max(w.hired_on, dt.date(last - 3, 1, 1))
        placements.append(GradePlacement(worker=w, scheme=scheme, grade=g, step=step, on=first))
        if rng.random() < 0.5 and first < dt.date(last, 1, 1):
            step += 1
            placements.append(
                GradePlacement(worker=w, scheme=scheme, grade=g, step=step, on=dt.date(last, 1, 1))
            )
        if w.hired_on.year > last:
            continue
        months = 12 if w.hired_on <= dt.date(last, 1, 1) else 12 - w.hired_on.month
        base = monthly[last][(g.pk, step)] * months
        perf, allow = Decimal(rng.randrange(2000, 6000, 100)), Decimal(rng.randrange(1200, 4800, 100))
        records.append(PayRecord(worker=w, year=last, grade=g, step=step, base_months=max(months, 1), base=base,
                                 performance=perf, allowances=allow, bonus=Decimal(1500),
                                 employer_insurance=Decimal(9000), employer_housing_fund=Decimal(3000),
                                 personal_insurance=Decimal(3000), personal_housing_fund=Decimal(3000)))  # fmt: skip
        insurance += [Insurance(worker=w, year=last, kind=k) for k in kinds if rng.random() < 0.93]
    GradePlacement.objects.bulk_create(placements, batch_size=5000)
    PayRecord.objects.bulk_create(records, batch_size=5000)
    Insurance.objects.bulk_create(insurance, batch_size=5000)
    return {"placements": len(placements), "pay_records": len(records), "insurance": len(insurance)}


def measure(args) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from shequ.workforce import reports, services
    from shequ.workforce.models import Movement, Office, Worker

    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    data = build(args.workers, args.seed)
    built = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    user = data["user"]
    today = timezone.localdate()
    client = logged_in(user)

    def fresh():
        for k in [k for k in user.__dict__ if k.startswith("_shequ")]:
            user.__dict__.pop(k)
        return user

    def page():
        r = client.get("/workforce/", {"scope": DISTRICT})
        assert r.status_code == 200, r.status_code  # noqa: S101

    def floor():
        mine = Worker.objects.visible_to(fresh())
        list(mine.values_list("id", "gender", "birth_date", "education", "political_status", "source", "hired_on",
                              "full_time", "scope_code"))  # fmt: skip
        ids = mine.values("id")
        list(
            Movement.objects.filter(worker__in=ids).values_list(
                "worker_id", "on", "kind", "from_org__code", "reason"
            )
        )
        list(Office.objects.filter(worker__in=ids).values_list("worker_id", "body", "title", "start", "end"))

    def pay_page():
        r = client.get("/workforce/pay/", {"scope": DISTRICT, "year": today.year - 1})
        assert r.status_code == 200, r.status_code  # noqa: S101

    calls = {
        "structure": lambda: reports.structure(fresh(), DISTRICT, today),
        "staffing": lambda: reports.staffing(fresh(), DISTRICT, today.year),
        "turnover": lambda: reports.turnover(fresh(), DISTRICT, today - dt.timedelta(days=365), today),
        "page": page,
        "pay": lambda: services.pay_report(fresh(), DISTRICT, today.year - 1),
        "pay_page": pay_page,
        "insurance": lambda: services.insurance_rates(fresh(), DISTRICT, today.year - 1),
        "floor": floor,
    }
    s = reports.structure(fresh(), DISTRICT, today)
    for fn in calls.values():
        fn()
    times = {k: [] for k in calls}
    cpu0 = time.process_time()
    for _i in range(args.repeat):
        for name, fn in calls.items():
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) * 1000)
    return {"vendor": connection.vendor, "built_s": round(built, 1), "in_post": s["total"], "times": times,
            "cpu_s": round(time.process_time() - cpu0, 2), "load": os.getloadavg()[0],
            **{k: data[k] for k in ("workers", "moves", "offices", "placements", "pay_records", "insurance")}}  # fmt: skip


def main(argv=None):
    args = parse_args(argv)
    if args.step == "measure":
        emit(measure(args))
        return
    vendors = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
    out = Out()
    out(f"bench_workforce — {dt.datetime.now():%Y-%m-%d %H:%M}, {machine()}")
    out(f"{STREETS} streets × {COMMUNITIES} communities; {args.workers:,} workers in post with ten years of history; "
        f"{args.repeat} rounds, each figure timed in turn with the floor after a warm-up; goal: each report ≤ "
        f"{GOAL_MS:.0f} ms")  # fmt: skip
    ok_all = True
    with tempfile.TemporaryDirectory(prefix="shequ-bench-wf-") as tmp:
        for vendor in vendors:
            load0 = os.getloadavg()[0]
            with vendor_env(vendor, Path(tmp) / vendor, "wf") as env:
                r = run_step(__file__, ["--step", "measure", "--workers", str(args.workers), "--repeat",
                                        str(args.repeat), "--seed", str(args.seed)], env)  # fmt: skip
            out(f"\n=== {vendor} ===  built in {r['built_s']} s: {r['workers']:,} workers ({r['in_post']:,} in post "
                f"today), {r['moves']:,} movements, {r['offices']:,} offices, {r['placements']:,} grade placements, "
                f"{r['pay_records']:,} pay records, {r['insurance']:,} insurance rows; CPU {r['cpu_s']} s; "
                f"load average {load0:.2f} → {r['load']:.2f}")  # fmt: skip
            lines, ok = figure_lines(
                r["times"], FIGURES, [f for f in FIGURES if f != "floor"], GOAL_MS, width=10
            )
            ok_all &= ok
            for line in lines:
                out(line)
    out.write("workforce", args.out)
    sys.exit(0 if ok_all else 1)


if __name__ == "__main__":
    main()
