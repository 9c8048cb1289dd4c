#!/usr/bin/env python
"""Hand-run benchmark of the duties module on PostgreSQL (not a pytest test).

It (re)creates the database named by SHEQU_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/shequ_bench_duties, dropped and created afresh unless --reuse),
migrates it, and synthesises a district (code 420198, not a real one) of 25 streets × 20
communities = 500 communities with:

  - 1,000 approved admission requests from 30 departments, each admitted in 20 communities of one
    street: 20,000 tasks, each with its burden-ledger entry; about 70 % with a funding commitment
    (some delivered); ~15 % urgent; periods spread over the last 18 months, so the ledger on any
    day holds a part of them;
  - 1,500 more requests under review or returned (the request list);
  - 2,500 standing entries (ledgers, signboards, stamps the communities already carry);
  - 2,000 refusals of unadmitted tasks; a district policy and five street policies with caps.

Rows are written with bulk_create (scope codes set by hand, as save() would). Then ANALYZE, and
after one warm-up, the median (and p95) of `--repeat` runs of:

  burden   district / street / community: shequ.duties.burden.ledger (everything the page shows)
  league   the department league table for the district
  pages    GET /duties/burden/?code=<district>, GET /duties/tasks/ and GET /duties/requests/ as a
           district administrator, through the Django test client (whole request)

Target (issue 5): each ≤ 500 ms. Results go to bench/results/duties_<date>.txt.

    createdb -h 127.0.0.1 -U postgres shequ_bench_duties      # or let the script do it
    .venv/bin/python bench/bench_duties.py
    .venv/bin/python bench/bench_duties.py --repeat 5 --reuse   # keep the synthesised data
"""

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.driver import p95  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/shequ_bench_duties"
DISTRICT = "420198"
STREETS, COMMUNITIES = 25, 20
REQUESTS, OPEN_REQUESTS, STANDING, REFUSALS = 1000, 1500, 2500, 2000
TARGET_MS = 500.0
DEPARTMENTS = [
    "区民政局", "区人社局", "区卫健局", "区城管局", "区应急管理局", "区市场监管局", "区住建局", "区教育局",
    "区文旅局", "区司法局", "区公安分局", "区生态环境分局", "区农业农村局", "区退役军人事务局", "区医保局",
    "区残联", "区妇联", "团区委", "区总工会", "区统计局", "区税务局", "区水务局", "区交通运输局",
    "区消防救援大队", "区市场监管所", "区自然资源分局", "区商务局", "区科技局", "区发改局", "区财政局",
]  # fmt: skip


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--repeat", type=int, default=10, help="timed runs per figure after a warm-up (default 10)"
    )
    p.add_argument("--seed", type=int, default=20261121)
    p.add_argument("--reuse", action="store_true", help="keep an already synthesised database")
    p.add_argument("--out", help="report file (default bench/results/duties_<date>.txt)")
    return p.parse_args(argv)


def say(*parts):
    print(" ".join(str(p) for p in parts), flush=True)


def fresh(user):
    """Drop the per-request caches on the user, so each call pays for them as a request would."""
    for name in [k for k in user.__dict__ if k.startswith("_shequ")]:
        user.__dict__.pop(name, None)
    return user


def prepare_database(url: str, reuse: bool) -> None:
    u = urlparse(url)
    name = u.path.lstrip("/")
    conn = ["-h", u.hostname or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]
    if not reuse:
        subprocess.run(["dropdb", *conn, "--if-exists", name], check=True)
    exists = subprocess.run(
        ["psql", *conn, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'", "postgres"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", *conn, name], check=True)


# --- synthesis ------------------------------------------------------------------------------------
def synthesise(seed: int) -> dict:
    from django.utils import timezone

    from shequ.core.roles import Role
    from shequ.core.testing.world import make_user
    from shequ.duties.models import (
        AdmissionRequest,
        BurdenEntry,
        DutyPolicy,
        EntrySource,
        Frequency,
        FundingCommitment,
        Kind,
        Refusal,
        RequestStatus,
        Task,
        TaskStatus,
    )
    from shequ.org.models import Level, OrgUnit, UnitKind

    rnd = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    district = OrgUnit.objects.create(code=DISTRICT, name="基准区", level=Level.DISTRICT)
    streets = OrgUnit.objects.bulk_create(
        [
            OrgUnit(code=f"{DISTRICT}{s:03d}", name=f"第{s}街道", level=Level.STREET, parent=district)
            for s in range(1, STREETS + 1)
        ]
    )
    communities = OrgUnit.objects.bulk_create(
        [
            OrgUnit(
                code=f"{st.code}{c:03d}",
                name=f"第{si + 1}街第{c}社区居民委员会",
                level=Level.COMMUNITY,
                kind=UnitKind.RESIDENTS,
                parent=st,
            )  # fmt: skip
            for si, st in enumerate(streets)
            for c in range(1, COMMUNITIES + 1)
        ]
    )
    by_street = {}
    for c in communities:
        by_street.setdefault(c.code[:9], []).append(c)
    users = {
        "district": make_user("bench_district", Role.DISTRICT, district, display_name="基准区 管理员"),
        "street": make_user("bench_street", Role.STREET, streets[0], display_name="第1街道 管理员"),
        "lead": make_user("bench_lead", Role.COMMUNITY_LEAD, communities[0], display_name="第1社区 书记"),
    }
    dept_users = {
        d: make_user(f"bench_dept_{i}", Role.DEPARTMENT, district, department=d)
        for i, d in enumerate(DEPARTMENTS)
    }
    caps = {"ledgers": 20, "stamps": 10, "signboards": 4, "inspections": 12, "appraisals": 4,
            "evaluations": 4, "meetings": 24, "data_reports": 24}  # fmt: skip
    DutyPolicy.objects.bulk_create(
        [DutyPolicy(org=district, scope_code=district.code, caps=caps)]
        + [
            DutyPolicy(org=st, scope_code=st.code, caps={**caps, "inspections": 8, "ledgers": 15})
            for st in streets[:5]
        ]
    )

    def burden():
        return {
            "ledgers": rnd.choice((0, 0, 1, 1, 2, 3)),
            "forms": rnd.randint(0, 4),
            "stamps": rnd.choice((0, 0, 0, 1)),
            "signboards": rnd.choice((0,) * 9 + (1,)),
            "inspections": rnd.choice((0, 0, 1, 2, 4)),
            "appraisals": rnd.choice((0, 0, 0, 1)),
            "evaluations": rnd.choice((0, 0, 0, 1)),
            "meetings": rnd.choice((0, 1, 2, 4)),
            "data_reports": rnd.choice((0, 2, 4, 12)),
            "hours_per_month": Decimal(rnd.choice(("0.5", "1", "2", "4", "6", "8"))),
        }

    def request(i, status, street, start, end, dept, urgent, load, funding):
        return AdmissionRequest(
            number=f"ZR{start.year}{i:06d}", org=street, scope_code=street.code, department=dept,
            origin_code=district.code, applicant=dept_users[dept], title=f"{dept}下派事项{i}",
            description="基准测试合成的准入申请", basis="合成依据", start_date=start, end_date=end,
            frequency=Frequency.MONTHLY, funding_per_community=funding, urgent=urgent,
            urgent_reason="上级紧急部署" if urgent else "", status=status,
            submitted_at=now - dt.timedelta(days=(today - start).days + 40), **load,
        )  # fmt: skip

    reqs, plans = [], []
    for i in range(1, REQUESTS + 1):
        dept = DEPARTMENTS[min(int(rnd.paretovariate(1.2)) - 1, len(DEPARTMENTS) - 1)]
        street = rnd.choice(streets)
        start = today - dt.timedelta(days=rnd.randint(0, 540))
        end = start + dt.timedelta(days=rnd.choice((30, 90, 180, 365, 730)))
        funded = rnd.random() < 0.7
        funding = Decimal(rnd.choice((1000, 2000, 5000, 10000))) if funded else Decimal("0")
        urgent = rnd.random() < 0.15
        load = burden()
        reqs.append(request(i, RequestStatus.APPROVED, street, start, end, dept, urgent, load, funding))
        plans.append((street, start, end, dept, urgent, load, funding))
    for j in range(1, OPEN_REQUESTS + 1):
        dept = rnd.choice(DEPARTMENTS)
        street = rnd.choice(streets)
        start = today + dt.timedelta(days=rnd.randint(20, 120))
        status = RequestStatus.REVIEW if rnd.random() < 0.8 else RequestStatus.RETURNED
        reqs.append(request(REQUESTS + j, status, street, start, start + dt.timedelta(days=90), dept,
                            False, burden(), Decimal("2000")))  # fmt: skip
    reqs = AdmissionRequest.objects.bulk_create(reqs, batch_size=2000)
    through = AdmissionRequest.communities.through
    links, tasks = [], []
    for req, (street, start, end, dept, urgent, load, funding) in zip(reqs, plans, strict=False):
        for c in by_street[street.code]:
            links.append(through(admissionrequest_id=req.pk, orgunit_id=c.pk))
            ended = end < today
            tasks.append(
                Task(
                    request=req,
                    community=c,
                    scope_code=c.code,
                    department=dept,
                    kind=Kind.ASSIST if rnd.random() < 0.85 else Kind.STATUTORY,
                    title=req.title,
                    start_date=start,
                    deadline=end,
                    urgent=urgent,
                    funding=funding,
                    status=TaskStatus.DONE if ended else TaskStatus.ACTIVE,
                    progress=100 if ended else rnd.randint(0, 90),
                    **load,
                )  # fmt: skip
            )
    for req in reqs[REQUESTS:]:
        for c in rnd.sample(by_street[req.scope_code], 3):
            links.append(through(admissionrequest_id=req.pk, orgunit_id=c.pk))
    through.objects.bulk_create(links, batch_size=5000)
    tasks = Task.objects.bulk_create(tasks, batch_size=5000)
    entries, commitments = [], []
    for t in tasks:
        entries.append(
            BurdenEntry(
                community_id=t.community_id,
                scope_code=t.scope_code,
                source=EntrySource.ADMITTED,
                task=t,
                department=t.department,
                kind=t.kind,
                title=t.title,
                urgent=t.urgent,
                funding=t.funding,
                start_date=t.start_date,
                end_date=t.deadline,
                **{f: getattr(t, f) for f in (*LOAD_FIELDS,)},
            )  # fmt: skip
        )
        if t.funding > 0:
            share = rnd.choice((0, 0, Decimal("0.5"), 1, 1))
            commitments.append(
                FundingCommitment(
                    task=t,
                    scope_code=t.scope_code,
                    department=t.department,
                    amount=t.funding,
                    delivered=t.funding * share,
                    committed_at=now,
                )  # fmt: skip
            )
    for k in range(STANDING):
        c = rnd.choice(communities)
        entries.append(
            BurdenEntry(
                community=c,
                scope_code=c.code,
                source=EntrySource.STANDING,
                department=rnd.choice(DEPARTMENTS),
                kind=Kind.ASSIST,
                title=f"常设台账{k}",
                start_date=today - dt.timedelta(days=rnd.randint(30, 900)),
                ledgers=rnd.randint(1, 8),
                signboards=rnd.choice((0, 1, 1, 2)),
                stamps=rnd.choice((0, 1)),
            )  # fmt: skip
        )
    BurdenEntry.objects.bulk_create(entries, batch_size=5000)
    FundingCommitment.objects.bulk_create(commitments, batch_size=5000)
    Refusal.objects.bulk_create(
        [
            Refusal(
                number=f"JS{today.year}{n:06d}",
                community=(c := rnd.choice(communities)),
                scope_code=c.code,
                department=rnd.choice(DEPARTMENTS),
                title=f"未经准入的事项{n}",
                received_on=today - dt.timedelta(days=rnd.randint(0, 400)),
                channel="微信群",
                rule="未经准入，社区有权拒绝",
                refused_by=users["lead"],
            )  # fmt: skip
            for n in range(1, REFUSALS + 1)
        ],
        batch_size=2000,
    )
    return {"district": district, "street": streets[0], "community": communities[0], "users": users}


LOAD_FIELDS = (
    "ledgers", "forms", "stamps", "signboards", "inspections", "appraisals", "evaluations", "meetings",
    "data_reports", "hours_per_month",
)  # fmt: skip


# --- timing ---------------------------------------------------------------------------------------
def timed(fn, repeat):
    fn()  # warm-up
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def logged_in(user):
    from django.test import Client

    from shequ.core.middleware import OTP_SESSION_KEY

    c = Client()
    c.force_login(user)
    s = c.session
    s[OTP_SESSION_KEY] = True
    s.save()
    return c


def measure(args, data) -> list[dict]:
    from django.utils import timezone

    from shequ.duties import burden

    today = timezone.localdate()
    u = data["users"]["district"]
    client = logged_in(u)
    results = []

    def add(label, fn):
        n = count_queries(fn)
        t = timed(fn, args.repeat)
        results.append({"label": label, "median": statistics.median(t), "p95": p95(t), "queries": n})

    def get(path):
        def run():
            resp = client.get(path)
            assert resp.status_code == 200, (path, resp.status_code)

        return run

    district, street, community = data["district"], data["street"], data["community"]
    add(
        f"burden.ledger district ({DISTRICT}, 500 communities)",
        lambda: burden.ledger(fresh(u), district.code, today),
    )
    add(
        f"burden.ledger street ({street.code}, 20 communities)",
        lambda: burden.ledger(fresh(u), street.code, today),
    )
    add(f"burden.ledger community ({community.code})", lambda: burden.ledger(fresh(u), community.code, today))
    add(
        "burden.league district (department league table)",
        lambda: burden.league(fresh(u), district.code, today),
    )
    add("GET /duties/burden/?code=<district> (test client)", get(f"/duties/burden/?code={district.code}"))
    add("GET /duties/tasks/ (test client, district admin)", get("/duties/tasks/"))
    add("GET /duties/requests/ (test client, district admin)", get("/duties/requests/"))
    return results


def main(argv=None):
    args = parse_args(argv)
    url = os.environ.get("SHEQU_DATABASE_URL") or DEFAULT_URL
    os.environ["SHEQU_DATABASE_URL"] = url
    os.environ.setdefault("SHEQU_DATA_DIR", tempfile.mkdtemp(prefix="shequ-bench-duties-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.settings"
    prepare_database(url, args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from shequ.core.models import User
    from shequ.duties.models import AdmissionRequest, BurdenEntry, FundingCommitment, Task
    from shequ.org.models import OrgUnit

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    t_migrate = time.perf_counter() - t0
    t0 = time.perf_counter()
    if args.reuse and OrgUnit.objects.filter(code=DISTRICT).exists():
        data = {
            "district": OrgUnit.objects.get(code=DISTRICT),
            "street": OrgUnit.objects.get(code=f"{DISTRICT}001"),
            "community": OrgUnit.objects.get(code=f"{DISTRICT}001001"),
            "users": {"district": User.objects.get(username="bench_district")},
        }
        how = "reused"
    else:
        data = synthesise(args.seed)
        how = "synthesised"
    # The pages run the sweep on their first read when there is no broker: run it here, so that the
    # page figures measure the pages (synthesised requests whose start has passed expire now).
    from shequ.duties import services

    t_sweep = time.perf_counter()
    swept = services.sweep()
    t_sweep = time.perf_counter() - t_sweep
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    t_load = time.perf_counter() - t0
    today = timezone.localdate()
    active = BurdenEntry.objects.filter(start_date__lte=today).exclude(end_date__lt=today).count()
    counts = (
        f"{OrgUnit.objects.filter(code__startswith=DISTRICT, level='community').count()} communities, "
        f"{Task.objects.count():,} tasks, {BurdenEntry.objects.count():,} burden entries ({active:,} active today), "
        f"{FundingCommitment.objects.count():,} funding commitments, {AdmissionRequest.objects.count():,} requests"
    )
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('server_version'), current_setting('shared_buffers')")
        version, shared = cur.fetchone()
    lines = [
        f"bench_duties — {timezone.localtime():%Y-%m-%d %H:%M}",
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {version} "
        f"(shared_buffers {shared}); {args.repeat} timed runs per figure after one warm-up; "
        f"load average {os.getloadavg()[0]:.2f}",
        f"data {how} in {t_load:.1f} s (migrate {t_migrate:.1f} s): {counts}",
        f"sweep before timing: {swept} in {t_sweep:.1f} s",
        "",
        f"{'figure':<62} {'median':>9} {'p95':>9}   SQL  ratio to {TARGET_MS:.0f} ms",
    ]
    for line in lines:
        say(line)
    for r in measure(args, data):
        line = (
            f"{r['label']:<62} {r['median']:>6.1f} ms {r['p95']:>6.1f} ms {r['queries']:>5}  "
            f"{r['median'] / TARGET_MS:.2f} {'ok' if r['median'] <= TARGET_MS else 'OVER'}"
        )
        say(line)
        lines.append(line)
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"duties_{today.isoformat()}.txt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    say(f"written to {out}")


if __name__ == "__main__":
    main()
