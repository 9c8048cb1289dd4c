#!/usr/bin/env python
"""Hand-run benchmark of the 考核指标 page at 100k and 1M cases, on PostgreSQL and SQLite (not a
pytest test).

For each database, a subprocess per size migrates a fresh database (PostgreSQL: a new database on
127.0.0.1:5432; SQLite: a file in a temp dir, the embedded default's settings), builds the synthetic
district of bench_cases.py (20 streets × 8 communities × 6 grids) and writes N cases over the last
12 months with shequ.cases.synth (which also builds the monthly rollup, as `shequ cases rollups
--rebuild` does). Then `--rounds` rounds, each running a new process per size in turns (100k, 1M,
100k, 1M …), which checks that the trend from the rollup equals the trend from the cases, warms
up, and times `--repeat` times in turn:

  page last month   GET /cases/indicators/?period=last_month&scope=<street> (test Client, a street
                    administrator): the period's figures, the units and the 12-month trend
  page this month   the same for this month (its trend adds the live count of open cases whose
                    deadline passed this month)
  trend (rollup)    indicators.trend for last month, from the rollup
  trend (cases)     indicators.trend(live=True): the same figures counted from the cases, the way
                    the page read them before the rollup

Goals (issue 13): the page ≤ 300 ms at 1M cases, and its growth from 100k to 1M ≤ 2×. The growth
is the median of the per-round ratios (neighbouring processes, same machine load); trend (cases) ÷
trend (rollup) is printed beside them.

    .venv/bin/python bench/bench_indicators.py                        # both databases, 100k and 1M
    .venv/bin/python bench/bench_indicators.py --db postgresql --sizes 20000,50000 --rounds 2
"""

import argparse
import contextlib
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_cases import DISTRICT, fresh, load, logged_in  # noqa: E402
from bench.driver import Out, emit, machine, p95, run_step, vendor_env  # noqa: E402

PAGE_MS, GROWTH = 300.0, 2.0
FIGURES = ("page last month", "page this month", "trend (rollup)", "trend (cases)")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("postgresql", "sqlite", "both"), default="both")
    p.add_argument("--sizes", default="100000,1000000", help="case counts (default 100k,1M)")
    p.add_argument("--rounds", type=int, default=5, help="rounds, each size in turn (default 5)")
    p.add_argument("--repeat", type=int, default=5, help="timings of each figure per round (default 5)")
    p.add_argument("--seed", type=int, default=20261121)
    p.add_argument("--out", help="report file (default bench/results/indicators-<date>.txt)")
    p.add_argument("--step", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    return p.parse_args(argv)


# === inside a subprocess: load one size, or measure it ==============================================
def _django():
    os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.settings"
    import django

    django.setup()


def load_step(args) -> dict:
    """Migrate and fill a fresh database (kept for the measuring rounds)."""
    _django()
    from django.core.management import call_command
    from django.db import connection

    from shequ.cases.models import Case, CaseMonthly

    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    data = load(args.size, args.seed)
    street = data["streets"][0]
    return {
        "vendor": connection.vendor,
        "load_s": round(time.perf_counter() - t0, 1),
        "cases_in_street": Case.objects.within(street.code).count(),
        "rollup_rows": CaseMonthly.objects.count(),
        "rollup_rows_in_street": CaseMonthly.objects.filter(scope_code__startswith=street.code).count(),
    }


def measure_step(args) -> dict:
    """One round on a loaded database: a warm-up, then `--repeat` timings of each figure in turn."""
    _django()
    from django.urls import reverse
    from django.utils import timezone

    from shequ.cases import indicators as ind
    from shequ.core.models import User
    from shequ.org.models import OrgUnit

    street = OrgUnit.objects.get(code=f"{DISTRICT}001")
    user = User.objects.get(username="bench_street")
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
    for fn in calls.values():  # warm-up (a new process: a cold page cache)
        fn()
    times = {k: [] for k in calls}
    cpu0 = time.process_time()
    for _i in range(args.repeat):
        for name, fn in calls.items():
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) * 1000)
    return {"times": times, "cpu_s": time.process_time() - cpu0}


# === the driver ====================================================================================
def _step(args, step: str, size: int, env: dict) -> dict:
    return run_step(__file__, ["--step", step, "--size", str(size), "--repeat", str(args.repeat), "--seed",
                               str(args.seed)], env)  # fmt: skip


def run_vendor(args, vendor: str, sizes: list[int], tmp: Path, out: Out) -> dict:
    """Load every size, then measure them in turns (size A, size B, A, B …) so that the growth is
    a ratio of neighbouring rounds under the same machine load."""
    with contextlib.ExitStack() as stack:
        envs = {
            size: stack.enter_context(vendor_env(vendor, tmp / f"{vendor}-{size}", f"ind_{size}"))
            for size in sizes
        }
        return _rounds(args, vendor, sizes, envs, out)


def _rounds(args, vendor: str, sizes: list[int], envs: dict, out: Out) -> dict:
    found = {size: {"rounds": [], "loaded": None} for size in sizes}
    for size in sizes:
        info = _step(args, "load", size, envs[size])
        found[size]["loaded"] = info
        out(f"{vendor}, {size:,} cases: loaded in {info['load_s']} s; {info['cases_in_street']:,} in the "
            f"measured street; rollup {info['rollup_rows']:,} rows ({info['rollup_rows_in_street']:,} in "
            f"the street)")  # fmt: skip
    for k in range(args.rounds):
        for size in sizes:
            load_avg = os.getloadavg()[0]
            r = _step(args, "measure", size, envs[size])
            r["load"] = load_avg
            found[size]["rounds"].append(r)
            med = "  ".join(f"{n} {statistics.median(r['times'][n]):6.1f}" for n in FIGURES)
            out(
                f"  round {k + 1}/{args.rounds}  {vendor:<10} {size:>9,}  {med} ms  "
                f"CPU {r['cpu_s']:.2f} s  load {load_avg:.2f}"
            )  # fmt: skip
    return found


def main(argv=None):
    args = parse_args(argv)
    if args.step in ("load", "measure"):
        result = load_step(args) if args.step == "load" else measure_step(args)
        emit(result)
        return
    sizes = [int(x) for x in args.sizes.split(",")]
    vendors = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
    out = Out()
    out(f"bench_indicators — {dt.datetime.now():%Y-%m-%d %H:%M}, {machine()}")
    out(f"sizes {', '.join(f'{s:,}' for s in sizes)}; {args.rounds} rounds, each a new process per size in "
        f"turns, {args.repeat} timings of each figure per round after a warm-up; goals: page ≤ {PAGE_MS:.0f} ms "
        f"at the largest size, growth ≤ {GROWTH:.0f}× from the smallest (median of per-round ratios)")  # fmt: skip
    out("figures (medians of a round, ms): " + ", ".join(FIGURES))
    results = {}
    with tempfile.TemporaryDirectory(prefix="shequ-bench-ind-") as tmp:
        for vendor in vendors:
            results[vendor] = run_vendor(args, vendor, sizes, Path(tmp), out)
    out("\n" + "=" * 100)
    out(
        "RESULTS (per figure: median over all timings; growth and trend ratio: median of the per-round ratios)"
    )
    ok_all = True
    for vendor in vendors:
        found = results[vendor]
        for size in sizes:
            times = {n: [t for r in found[size]["rounds"] for t in r["times"][n]] for n in FIGURES}
            ratios = [statistics.median(r["times"]["trend (cases)"]) / statistics.median(r["times"]["trend (rollup)"])
                      for r in found[size]["rounds"]]  # fmt: skip
            out(f"  {vendor:<10} {size:>9,}  " + "  ".join(
                f"{n} {statistics.median(times[n]):6.1f} (p95 {p95(times[n]):6.1f})" for n in FIGURES)
                + f"  cases÷rollup {statistics.median(ratios):.1f}×")  # fmt: skip
    out("\nVERDICTS")
    for vendor in vendors:
        found = results[vendor]
        small, big = found[sizes[0]]["rounds"], found[sizes[-1]]["rounds"]
        for name in ("page last month", "page this month"):
            a = statistics.median(t for r in small for t in r["times"][name])
            b = statistics.median(t for r in big for t in r["times"][name])
            growth = statistics.median(
                statistics.median(y["times"][name]) / statistics.median(x["times"][name])
                for x, y in zip(small, big, strict=True)
            )
            ok = b <= PAGE_MS and (len(sizes) == 1 or growth <= GROWTH)
            ok_all &= ok
            out(f"  {'PASS' if ok else 'FAIL'}  {vendor:<10} {name:<16} {sizes[0]:>9,}: {a:6.1f} ms  "
                f"{sizes[-1]:>9,}: {b:6.1f} ms (≤ {PAGE_MS:.0f})  growth {growth:4.2f}× (≤ {GROWTH:.0f})")  # fmt: skip
    text = "\n".join(out.lines) + "\n"
    path = Path(args.out) if args.out else ROOT / "bench" / "results" / f"indicators-{dt.date.today()}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"\nwritten to {path}")
    sys.exit(0 if ok_all else 1)


if __name__ == "__main__":
    main()
