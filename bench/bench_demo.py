#!/usr/bin/env python
"""Hand-run benchmark of the README's first command: how long `shequ demo --no-serve` takes to
set up the platform with its demo data on the embedded default (SQLite, no broker). Not a test.

Each run starts from an empty SHEQU_DATA_DIR in its own process (migrate, divisions, the demo
street's organisation, residents, cases, duty lists, accounts), timed with wait4: wall time, CPU
time (user + system) and peak RSS, with the 1-minute load average when the run started. The goal
(issue 13) is ≤ 20 s on an idle machine; the script prints every run and the median, and says
when the load average shows the machine was not idle.

    .venv/bin/python bench/bench_demo.py
    .venv/bin/python bench/bench_demo.py --runs 5 --out bench/results/demo-$(date +%F).txt
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 20.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3, help="runs, each from an empty data directory (default 3)")
    p.add_argument(
        "--baseline",
        metavar="DIR",
        help="another checkout of the project (the code before a change): its demo is run in turns with "
        "this checkout's (base, new, base, new …) and the median of the per-pair ratios new/base printed",
    )
    p.add_argument("--out", help="also write the report to this file")
    return p.parse_args(argv)


def run_once(tree: Path) -> dict:
    """`shequ demo --no-serve` with the code of `tree` (this checkout, or --baseline's)."""
    with tempfile.TemporaryDirectory(prefix="shequ-bench-demo-") as tmp:
        env = {**os.environ, "SHEQU_DATA_DIR": tmp, "PYTHONPATH": str(tree)}
        env.pop("SHEQU_DATABASE_URL", None)  # the embedded default: SQLite
        env.pop("SHEQU_REDIS_URL", None)  # no broker
        load = os.getloadavg()[0]
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "shequ.cli", "demo", "--no-serve"],
            cwd=tree,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        proc.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"shequ demo failed:\n{err[-2000:]}")
        return {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024,
            "load": load,
        }


def main(argv=None) -> int:
    args = parse_args(argv)
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    say(f"bench_demo — {dt.datetime.now():%Y-%m-%d %H:%M}")
    say(f"command: bench_demo.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    say(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    say(f"code: {ROOT} at {head.stdout.strip() or '?'}")
    say("runs: `shequ demo --no-serve`, each from an empty SHEQU_DATA_DIR (SQLite, no broker)")
    say("")
    if args.baseline:
        base = subprocess.run(
            ["git", "-C", args.baseline, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        say(
            f"baseline: {args.baseline} at {base.stdout.strip() or '?'} (run in turns with this checkout's code)"
        )
    runs, base_runs = [], []
    for i in range(1, args.runs + 1):
        if args.baseline:
            r = run_once(Path(args.baseline).resolve())
            base_runs.append(r)
            say(
                f"  pair {i}/{args.runs}  base  {r['wall']:6.2f} s wall   CPU {r['cpu']:6.2f} s   "
                f"peak {r['peak_mb']:5.0f} MB   load {r['load']:.2f}"
            )
        r = run_once(ROOT)
        runs.append(r)
        say(
            f"  {'pair' if args.baseline else 'run'} {i}/{args.runs}  new   {r['wall']:6.2f} s wall   "
            f"CPU {r['cpu']:6.2f} s   peak {r['peak_mb']:5.0f} MB   load {r['load']:.2f}"
        )
    if base_runs:
        ratios = [n["wall"] / b["wall"] for n, b in zip(runs, base_runs, strict=True)]
        say("")
        say(
            f"base demo load (median)  = {statistics.median(r['wall'] for r in base_runs):.2f} s wall; "
            f"new / base = {statistics.median(ratios):.2f}× (per pair {', '.join(f'{x:.2f}' for x in ratios)})"
        )
    wall = statistics.median(r["wall"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    ok = wall <= GOAL_S
    say("")
    say(
        f"demo load (median of {len(runs)})  = {wall:.2f} s wall, {cpu:.2f} s CPU  (goal ≤ {GOAL_S:.0f} s)  {'PASS' if ok else 'FAIL'}"
    )
    busiest = max(r["load"] for r in runs)
    if busiest > 0.5 * (os.cpu_count() or 1):
        say(f"note: the load average reached {busiest:.2f} on {os.cpu_count()} cores: not an idle machine.")
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n", "utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
