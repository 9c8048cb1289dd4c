"""What every hand-run benchmark under bench/ shares: the report (printed and kept), the machine
line, percentiles, a throw-away database per vendor, the child process that builds and measures
(its result on one `@@RESULT@@` line), and the figures' lines with their ratio to the floor.

A benchmark script runs itself as a child per vendor (or size), so each measurement starts in a
fresh process against a fresh database:

    with vendor_env("postgresql", tmp / "pg", "fac") as env:
        result = run_step(__file__, ["--step", "measure", ...], env)

and the child ends with `emit(result)`."""

import contextlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgres://postgres@127.0.0.1:5432/"
MARK = "@@RESULT@@"


class Out:
    """Print a line and keep it for the results file."""

    def __init__(self):
        self.lines = []

    def __call__(self, *parts):
        line = " ".join(str(p) for p in parts)
        print(line, flush=True)
        self.lines.append(line)

    def write(self, name: str, path: str | None = None, *, day=None) -> Path:
        """Write the kept lines to `path`, or to bench/results/<name>-<day>.txt."""
        import datetime as dt

        target = Path(path) if path else ROOT / "bench" / "results" / f"{name}-{day or dt.date.today()}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(self.lines) + "\n", encoding="utf-8")
        print(f"\nwritten to {target}")
        return target


def p95(values):
    s = sorted(values)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def pg(sql: str):
    import psycopg

    with psycopg.connect(PG_BASE + "postgres", autocommit=True) as conn:
        conn.execute(sql)


def machine() -> str:
    cpu = platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        info = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next(x for x in info if x.startswith("model name")).split(":", 1)[1].strip()
    mem = ""
    with contextlib.suppress(OSError, StopIteration, ValueError):
        line = next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal"))
        mem = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    return f"{os.cpu_count()} CPUs ({cpu}){mem}, Python {platform.python_version()}"


@contextlib.contextmanager
def vendor_env(vendor: str, data_dir: Path, tag: str, *, keep: bool = False, **extra):
    """The environment of a child measuring on `vendor`: its own data directory (the SQLite file)
    and, for PostgreSQL, a new database named after `tag` and this process, dropped afterwards
    unless `keep`. No Redis: the benchmarks measure the database, not a cache."""
    env = dict(os.environ, SHEQU_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", SHEQU_ALLOWED_HOSTS="testserver",
               **extra)  # fmt: skip
    env.pop("SHEQU_REDIS_URL", None)
    env.pop("SHEQU_DATABASE_URL", None)
    db = None
    if vendor == "postgresql":
        db = f"shequ_bench_{tag}_{os.getpid()}"
        pg(f"DROP DATABASE IF EXISTS {db}")
        pg(f"CREATE DATABASE {db}")
        env["SHEQU_DATABASE_URL"] = PG_BASE + db
    try:
        yield env
    finally:
        if db and not keep:
            pg(f"DROP DATABASE IF EXISTS {db}")


def emit(result) -> None:
    """The child's last word: its result for the parent."""
    print(MARK + json.dumps(result, ensure_ascii=False, default=str), flush=True)


def run_step(script, argv: list[str], env: dict, *, out=None) -> dict:
    """Run `script` with `argv` in a child and return its result. With `out`, the child's other
    lines are passed on as they come (a long build says how far it is); without, they are kept
    and shown only if the child fails."""
    cmd = [sys.executable, str(Path(script).resolve()), *argv]
    if out is None:
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        lines = [x for x in proc.stdout.splitlines() if x.startswith(MARK)]
        if proc.returncode or not lines:
            raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
        return json.loads(lines[-1][len(MARK) :])
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    result = None
    for line in proc.stdout:
        if line.startswith(MARK):
            result = json.loads(line[len(MARK) :])
        else:
            out(line.rstrip())
    rc = proc.wait()
    if rc != 0 or result is None:
        raise SystemExit(f"{' '.join(argv)} failed (rc {rc})")
    return result


def figure_lines(times: dict, figures, goals, goal_ms: float, *, floor: str = "floor", width: int = 11):
    """One line per figure: median, p95, the median of its paired ratios to the floor (each round
    timed the figure and the floor in turn) and PASS/FAIL against `goal_ms` for the figures in
    `goals`. Returns (lines, whether every goal was met)."""
    lines, ok_all = [], True
    base = times.get(floor)
    for name in figures:
        t = times[name]
        ok = statistics.median(t) <= goal_ms if name in goals else None
        ok_all &= ok is not False
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        ratio = ""
        if base and name != floor:
            ratio = f"   ÷ {floor} {statistics.median(a / b for a, b in zip(t, base, strict=True)):5.2f}×"
        lines.append(
            f"  {name:<{width}} median {statistics.median(t):7.1f} ms   p95 {p95(t):7.1f} ms{ratio}   {verdict}"
        )
    return lines, ok_all
