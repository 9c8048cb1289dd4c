#!/usr/bin/env python
"""Hand-run benchmark of the 考核指标 page at 100k and 1M cases, on PostgreSQL and SQLite (not a
pytest test).

For each database and size a subprocess migrates a fresh database (PostgreSQL: a new database on
127.0.0.1:5432; SQLite: a file in a temp dir, the embedded default's settings), builds the synthetic
district of bench_cases.py (20 streets × 8 communities × 6 grids) and writes N cases over the last
12 months with shequ.cases.synth (which also builds the monthly rollup, as `shequ cases rollups
--rebuild` does). It then times, after one warm-up, `--rounds` interleaved rounds of:

  page last month   GET /cases/indicators/?period=last_month&scope=<street> (test Client, a street
                    administrator): the period's figures, the units and the 12-month trend
  page this month   the same for this month (its trend adds the live count of open cases whose
                    deadline passed this month)
  trend (rollup)    indicators.trend for last month, from the rollup
  trend (cases)     indicators.trend(live=True): the same figures counted from the cases, the way
                    the page read them before the rollup

Goals (issue 13): the page ≤ 300 ms at 1M cases, and its growth from 100k to 1M ≤ 2×. The
per-round ratio trend (cases) ÷ trend (rollup) is printed beside them; the trend from the rollup
must equal the trend from the cases (checked before timing).

    .venv/bin/python bench/bench_indicators.py                        # both databases, 100k and 1M
    .venv/bin/python bench/bench_indicators.py --db postgresql --sizes 20000 --rounds 5
"""

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_cases import PG_BASE, Out, fresh, load, logged_in, machine, p95, pg  # noqa: E402

PAGE_MS, GROWTH = 300.0, 2.0
FIGURES = ("page last month", "page this month", "trend (rollup)", "trend (cases)")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("postgresql", "sqlite", "both"), default="both")
    p.add_argument("--sizes", default="100000,1000000", help="case counts (default 100k,1M)")
    p.add_argument("--rounds", type=int, default=15, help="interleaved timed rounds (default 15)")
    p.add_argument("--seed", type=int, default=20261121)
    p.add_argument("--out", help="report file (default bench/results/indicators-<date>.txt)")
    p.add_argument("--step", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    return p.parse_args(argv)


# === inside one (database, size) subprocess =======================================================
def measure(args) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from shequ.cases import indicators as ind
    from shequ.cases.models import Case, CaseMonthly

    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    data = load(args.size, args.seed)
    loaded = time.perf_counter() - t0
    street, user = data["streets"][0], data["users"]["street"]
    today = timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    f = ind.Filters(start=last.replace(day=1), end=last, scope_code=street.code)
    if ind.trend(fresh(user), f) != ind.trend(fresh(user), f, live=True):
        raise SystemExit("the trend from the rollup differs from the trend from the cases")
    client = logged_in(user)
    url = reverse("cases:indicators")

    def page(period):
        r = client.get(url, {"period": period, "scope": street.code})
        assert r.status_code == 200, r.status_code  # noqa: S101

    calls = {
        "page last month": lambda: page("last_month"),
        "page this month": lambda: page("this_month"),
        "trend (rollup)": lambda: ind.trend(fresh(user), f),
        "trend (cases)": lambda: ind.trend(fresh(user), f, live=True),
    }
    for fn in calls.values():  # warm-up
        fn()
    times = {k: [] for k in calls}
    cpu0 = time.process_time()
    for _round in range(args.rounds):
        for name, fn in calls.items():
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) * 1000)
    cpu = time.process_time() - cpu0
    return {
        "size": args.size,
        "vendor": connection.vendor,
        "load_s": round(loaded, 1),
        "cases_in_street": Case.objects.within(street.code).count(),
        "rollup_rows": CaseMonthly.objects.count(),
        "rollup_rows_in_street": CaseMonthly.objects.filter(scope_code__startswith=street.code).count(),
        "times": times,
        "cpu_s": round(cpu, 2),
        "loadavg": os.getloadavg()[0],
    }


# === the driver ====================================================================================
def run_one(args, vendor: str, size: int, tmp: Path, out: Out) -> dict:
    env = dict(os.environ, SHEQU_DATA_DIR=str(tmp / f"{vendor}-{size}"), PYTHONUNBUFFERED="1",
               SHEQU_ALLOWED_HOSTS="testserver")  # fmt: skip
    env.pop("SHEQU_REDIS_URL", None)
    env.pop("SHEQU_DATABASE_URL", None)
    db = f"shequ_bench_ind_{os.getpid()}_{size}"
    if vendor == "postgresql":
        pg(f"DROP DATABASE IF EXISTS {db}")
        pg(f"CREATE DATABASE {db}")
        env["SHEQU_DATABASE_URL"] = PG_BASE + db
    cmd = [sys.executable, str(Path(__file__).resolve()), "--step", "measure", "--size", str(size),
           "--rounds", str(args.rounds), "--seed", str(args.seed)]  # fmt: skip
    out(f"\n=== {vendor}, {size:,} cases (load average {os.getloadavg()[0]:.1f}) ===")
    try:
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    finally:
        if vendor == "postgresql":
            pg(f"DROP DATABASE IF EXISTS {db}")
    lines = [x for x in proc.stdout.splitlines() if x.startswith("@@RESULT@@")]
    if proc.returncode or not lines:
        raise SystemExit(f"{vendor} {size} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    r = json.loads(lines[-1][len("@@RESULT@@") :])
    out(f"  loaded in {r['load_s']} s; {r['cases_in_street']:,} cases in the measured street; rollup "
        f"{r['rollup_rows']:,} rows ({r['rollup_rows_in_street']:,} in the street); "
        f"{args.rounds} rounds, CPU {r['cpu_s']} s, load average after {r['loadavg']:.1f}")  # fmt: skip
    for name in FIGURES:
        t = r["times"][name]
        out(f"  {name:<18} median {statistics.median(t):7.1f} ms   p95 {p95(t):7.1f} ms")
    ratios = [c / a for c, a in zip(r["times"]["trend (cases)"], r["times"]["trend (rollup)"], strict=True)]
    out(f"  trend (cases) ÷ trend (rollup), per round: median {statistics.median(ratios):.1f}×")
    r["ratio"] = statistics.median(ratios)
    return r


def main(argv=None):
    args = parse_args(argv)
    if args.step == "measure":
        print("@@RESULT@@" + json.dumps(measure(args)), flush=True)
        return
    sizes = [int(x) for x in args.sizes.split(",")]
    vendors = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
    out = Out()
    out(f"bench_indicators — {dt.datetime.now():%Y-%m-%d %H:%M}, {machine()}")
    out(f"sizes {', '.join(f'{s:,}' for s in sizes)}; {args.rounds} interleaved rounds; goals: page ≤ "
        f"{PAGE_MS:.0f} ms at the largest size, growth ≤ {GROWTH:.0f}× from the smallest")  # fmt: skip
    results = {}
    with tempfile.TemporaryDirectory(prefix="shequ-bench-ind-") as tmp:
        for vendor in vendors:
            for size in sizes:
                results[(vendor, size)] = run_one(args, vendor, size, Path(tmp), out)
    out("\n" + "=" * 100)
    out("VERDICTS (medians of the interleaved rounds)")
    ok_all = True
    for vendor in vendors:
        small, big = results[(vendor, sizes[0])], results[(vendor, sizes[-1])]
        for name in ("page last month", "page this month"):
            a, b = statistics.median(small["times"][name]), statistics.median(big["times"][name])
            growth = b / a
            ok = b <= PAGE_MS and (len(sizes) == 1 or growth <= GROWTH)
            ok_all &= ok
            out(f"  {vendor:<10} {name:<16} {sizes[0]:>9,}: {a:6.1f} ms  {sizes[-1]:>9,}: {b:6.1f} ms  "
                f"growth {growth:4.2f}×  {'PASS' if ok else 'FAIL'}")  # fmt: skip
    text = "\n".join(out.lines) + "\n"
    path = Path(args.out) if args.out else ROOT / "bench" / "results" / f"indicators-{dt.date.today()}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"\nwritten to {path}")
    sys.exit(0 if ok_all else 1)


if __name__ == "__main__":
    main()
