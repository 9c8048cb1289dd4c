#!/usr/bin/env python
"""Hand-run HTTP benchmark of Open311 GeoReport v2 (issue 13; not a pytest test).

For each database (SQLite and PostgreSQL) the script builds a fresh database with a synthetic
district (bench_cases.build_org: 20 streets × 8 communities × 6 grids) and `--cases` cases over 12
months from shequ.cases.synth, registers an Open311 application, and starts the real app under
gunicorn as `shequ serve` runs it (gthread, 2 workers × 4 threads, access log in the same format,
here to /dev/null) with the bench URLconf (bench_cases_urls.py: the product's URLs plus the floor
view). The load generator is Debian's `wrk`, its own process, keep-alive, one thread and
`--connections` connections, driven by Lua scripts that read the URLs and bodies this script wrote.

  GET    /open311/v2/requests.json?<window>: a different query on every request, never seen
         before in the whole invocation (start_date / end_date / service_code / status / page
         vary; page_size 100), so the per-process answer memory never serves one.
  floor  /bench/open311-floor.json?<the same query strings>: the plainest Django JSON view of the
         same rows on the same server and workers (bench_cases_urls.open311_floor).
  POST   /open311/v2/requests.json, form-encoded with the application's api_key, a service code and
         a point inside its street, a different description each time; each creates a case.

Rounds run GET, floor, POST in turn (`--pairs` rounds after a warm-up); GET ÷ floor is the median
of the per-round ratios of requests per second. Beside each run: the 1-minute load average when it
started, the CPU seconds used by the gunicorn workers and (PostgreSQL) by the server's backends,
per request. Goals (issue 13): GET ≥ 0.5 × floor; POST ≥ 100 requests/s with two workers.

Cores: by default wrk runs on CPU 0 and gunicorn on CPU 1 (taskset); PostgreSQL, a service of the
machine, is not pinned. `--no-pin` leaves scheduling to the kernel.

    apt-get install -y wrk
    .venv/bin/python bench/bench_open311.py --out bench/results/open311-$(date +%F).txt
    .venv/bin/python bench/bench_open311.py --db sqlite --cases 20000 --seconds 3   # a quick try
    .venv/bin/python bench/bench_open311.py --profile-only --db sqlite --cases 20000  # profiles
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from bench.driver import PG_BASE, Out, machine, pg  # noqa: E402

GET_RATIO, POST_RPS = 0.5, 100.0
PAGE_SIZE = 100
OURS = "/open311/v2/requests.json?"
FLOOR = "/bench/open311-floor.json?"
POST_PATH = "/open311/v2/requests.json"

GET_LUA = r"""
local paths, i, prefix = {}, 0, ""
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  prefix = args[2]
  i = tonumber(args[3])
end
request = function()
  i = i + 1
  return wrk.format("GET", prefix .. paths[(i % #paths) + 1])
end
done = function(s, latency, requests)
  io.write(string.format('@@WRK@@{"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    s.requests, s.duration, s.bytes, s.errors.connect, s.errors.read, s.errors.write, s.errors.status,
    s.errors.timeout, latency:percentile(50), latency:percentile(99), latency.mean))
end
"""

POST_LUA = r"""
local bodies, i = {}, 0
init = function(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  i = tonumber(args[2])
end
request = function()
  i = i + 1
  return wrk.format("POST", "/open311/v2/requests.json",
    {["Content-Type"] = "application/x-www-form-urlencoded"}, bodies[(i % #bodies) + 1])
end
""" + GET_LUA[GET_LUA.index("done = ") :]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--cases", type=int, default=100_000, help="synthetic cases (default 100,000)")
    p.add_argument("--pairs", type=int, default=3, help="rounds of GET, floor, POST (default 3)")
    p.add_argument("--seconds", type=int, default=10, help="length of one wrk run (default 10 s)")
    p.add_argument(
        "--connections", type=int, default=8, help="wrk connections (default 8: one per gunicorn thread)"
    )
    p.add_argument("--port", type=int, default=8793)
    p.add_argument("--seed", type=int, default=20261207)
    p.add_argument("--no-pin", action="store_true", help="do not pin wrk and gunicorn to a core each")
    p.add_argument("--no-profile", action="store_true", help="skip the in-process profiles")
    p.add_argument("--profile-only", action="store_true", help="only build the data and profile in-process")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory and databases")
    p.add_argument("--out", help="write the report to this file as well")
    p.add_argument("--label", help="what code is measured (default: this checkout's commit)")
    p.add_argument("--step", help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def say(*parts):
    print(" ".join(str(p) for p in parts), flush=True)


# === inside the set-up subprocess (Django loaded) =================================================
def setup_step(args):
    """Build the data, write the URL and body files, check that ours and the floor list the same
    rows, and profile in-process; the findings go to work/setup.json."""
    import django

    django.setup()
    from bench_cases import build_org
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from shequ.cases import services, synth
    from shequ.cases.models import Case
    from shequ.cases.open311 import catalogue
    from shequ.org.models import Grid

    work = Path(args.work)
    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    streets, _communities, _grid1, users = build_org()
    plan = synth.generate(args.cases, streets=[s.code for s in streets], seed=args.seed, months=12, events=0.05,
                          points_per_grid=60)  # fmt: skip
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    built = time.perf_counter() - t0
    import shequ

    say(f"  built in {built:.0f} s: {Case.objects.count():,} cases ({json.dumps(plan.seconds)}); code in "
        f"{Path(shequ.__file__).parent.parent}")  # fmt: skip
    street = streets[0]
    _client, key = services.register_client(users["sysadmin"], name="基准测试应用", street_code=street.code)
    codes = [s.code for s in catalogue.services().values()]
    counts = dict(
        Case.objects.public()
        .filter(category__code__in=codes)
        .values_list("category__code")
        .annotate(n=Count("id"))
        .values_list("category__code", "n")
    )
    common = sorted(counts, key=lambda c: -counts[c])[:10]
    # A POST answers no extra questions: the services without a required attribute.
    plain = [
        s.code for s in catalogue.services().values() if not any(a.get("required") for a in s.attributes)
    ]
    post_codes = [c for c in common if c in plain] or plain[:5]
    rng = random.Random(args.seed)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    tz = dt.timezone(dt.timedelta(hours=8))

    def query(k: int) -> str:
        status = rng.choices(["", "closed", "open"], weights=[5, 3, 2])[0]
        back = rng.randint(1, 60) if status == "open" else rng.randint(20, 330)
        end = (now - dt.timedelta(days=back, seconds=rng.randrange(86400))).astimezone(tz)
        start = end - dt.timedelta(days=rng.randint(30, 89), seconds=rng.randrange(86400))
        params = {"start_date": start.isoformat(), "end_date": end.isoformat(), "page_size": PAGE_SIZE}
        if rng.random() < 0.7:
            params["service_code"] = ",".join(rng.sample(common, rng.randint(2, 5)))
        if status:
            params["status"] = status
        params["page"] = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        return urllib.parse.urlencode(params)

    queries = list(dict.fromkeys(query(k) for k in range(60_000)))
    (work / "queries.txt").write_text("\n".join(queries) + "\n")
    grids = list(Grid.objects.filter(community__parent=street).order_by("code"))
    points = [(g.center_lat, g.center_lng) for g in grids]
    bodies = []
    for k in range(40_000):
        lat, lng = points[k % len(points)]
        form = {"api_key": key, "service_code": post_codes[k % len(post_codes)], "lat": f"{lat + 0.0003 * (k % 3):.6f}",
                "long": f"{lng + 0.0002 * (k % 5):.6f}",
                "description": f"基准测试第{k}次提交：楼道堆放杂物，请物业尽快清理，联系电话13812345678。",
                "first_name": "测试", "last_name": "王", "email": f"user{k}@example.com"}  # fmt: skip
        bodies.append(urllib.parse.urlencode(form))
    (work / "bodies.txt").write_text("\n".join(bodies) + "\n")
    same = check_same_rows(queries[:: max(1, len(queries) // 200)][:200])
    say(f"  ours and the floor list the same rows for {same['same']} of {same['checked']} queries; "
        f"rows per answer: mean {same['mean_rows']:.1f}, full pages {same['full']:.0%}")  # fmt: skip
    # The console e-mail backend (the shipped default) prints each notice: to /dev/null here, as
    # the server's output goes to its log file.
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        profiles = {} if args.no_profile else profile(queries, bodies)
    for name, p in profiles.items():
        say(
            f"  in-process {name}: {p['ms']:.2f} ms per request (CPU {p['cpu_ms']:.2f} ms), {p['n']} requests"
        )
    info = {"cases": Case.objects.count(), "built_s": round(built, 1), "synth": plan.seconds,
            "queries": len(queries), "same": same, "profiles": profiles, "db": db_info(),
            "common_codes": common}  # fmt: skip
    (work / "setup.json").write_text(json.dumps(info, ensure_ascii=False, indent=1))


def db_info() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT current_setting('server_version'), current_setting('shared_buffers')")
            version, buffers = cur.fetchone()
        return f"PostgreSQL {version} (shared_buffers {buffers})"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (WAL)"


def check_same_rows(sample: list[str]) -> dict:
    from django.test import Client

    c = Client(HTTP_HOST="127.0.0.1")
    same, rows, full = 0, [], 0
    for qs in sample:
        ours = c.get(OURS + qs)
        floor = c.get(FLOOR + qs)
        assert ours.status_code == 200 and floor.status_code == 200, (qs, ours.status_code, floor.status_code)
        a = [r["service_request_id"] for r in ours.json()]
        b = [r["number"] for r in floor.json()]
        same += a == b
        rows.append(len(a))
        full += len(a) == PAGE_SIZE
    return {
        "checked": len(sample),
        "same": same,
        "mean_rows": statistics.mean(rows),
        "full": full / len(sample),
    }


def profile(queries: list[str], bodies: list[str]) -> dict:
    """cProfile of the GET, the floor and the POST through Django's test client (the whole stack but
    the server), after a warm-up; the top functions by own time, and the time per request."""
    import cProfile
    import io
    import pstats

    from django.test import Client

    c = Client(HTTP_HOST="127.0.0.1")
    out = {}
    plans = {
        "GET requests.json": lambda i: c.get(OURS + queries[-1 - i]),
        "floor": lambda i: c.get(FLOOR + queries[-1 - i]),
        "POST requests.json": lambda i: c.post(POST_PATH, bodies[-1 - i], content_type="application/x-www-form-urlencoded"),
    }  # fmt: skip
    for name, call in plans.items():
        for i in range(20):
            call(10_000 + i)  # warm-up, not measured
        n = 200
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(n):
            resp = call(i)
            assert resp.status_code == 200, (name, resp.status_code, resp.content[:300])
        wall, cpu = (time.perf_counter() - t0) / n * 1000, (time.process_time() - c0) / n * 1000
        prof = cProfile.Profile()
        prof.enable()
        for i in range(n, 2 * n):
            call(i)
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(22)
        text = buf.getvalue()
        text = text[text.index("   ncalls") :] if "   ncalls" in text else text
        out[name] = {"ms": round(wall, 2), "cpu_ms": round(cpu, 2), "n": n, "top": text.rstrip()}
    return out


# === the driver ===================================================================================
def cpu_by_pid(pids) -> dict[int, float]:
    """utime + stime of each of these processes, in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def cpu_seconds(pids) -> float:
    return sum(cpu_by_pid(pids).values())


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two snapshots: a process that started in between counts from zero;
    one that ended in between is lost (a database connection closed after CONN_MAX_AGE)."""
    return sum(max(0.0, t - before.get(pid, 0.0)) for pid, t in after.items())


def children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def backends(dbname: str) -> list[int]:
    import psycopg

    with psycopg.connect(PG_BASE + "postgres", autocommit=True) as conn:
        return [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (dbname,))]


def start_server(args, env: dict, log: Path, pin: bool = True) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    cmd = [gunicorn, "shequ.wsgi:application", "--bind", f"127.0.0.1:{args.port}", "--workers", "2",
           "--threads", "4", "--pythonpath", f"{BENCH},{ROOT}", "--log-level", "warning",
           "--access-logfile", "/dev/null", "--access-logformat",
           '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss']  # fmt: skip
    if pin and not args.no_pin:
        cmd = ["taskset", "-c", "1", *cmd]
    # What the workers print (the console notification channel, warnings) goes to a log file.
    with open(log, "w") as f:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT)
    import http.client

    deadline = time.time() + 60
    while time.time() < deadline:
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
            conn.request("GET", "/bench/trivial.json")
            if conn.getresponse().status == 200:
                return proc
        if proc.poll() is not None:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def run_wrk(args, work: Path, script: str, seconds: float, *script_args) -> dict:
    cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{int(seconds)}s", "--timeout", "10s", "-s", str(work / script),
           f"http://127.0.0.1:{args.port}", "--", *map(str, script_args)]  # fmt: skip
    if not args.no_pin:
        cmd = ["taskset", "-c", "0", *cmd]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((x for x in done.stdout.splitlines() if x.startswith("@@WRK@@")), None)
    if line is None:
        raise SystemExit(f"wrk said:\n{done.stdout}\n{done.stderr}")
    r = json.loads(line[len("@@WRK@@") :])
    r["seconds"] = r["duration_us"] / 1e6
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["timeout"]
    r["ok"] = r["requests"] - r["status"]
    r["rps"] = r["ok"] / r["seconds"]
    r["wrk_cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return r


def one_run(args, work: Path, kind: str, k: int, workers, dbname, out: Out, offset: int) -> dict:
    load = os.getloadavg()[0]
    d0 = cpu_by_pid(backends(dbname)) if dbname else {}
    c0, t0 = cpu_seconds(workers), time.perf_counter()
    if kind.startswith("POST"):
        r = run_wrk(args, work, "post.lua", args.seconds, work / "bodies.txt", offset)
    else:
        r = run_wrk(
            args,
            work,
            "get.lua",
            args.seconds,
            work / "queries.txt",
            OURS if kind == "GET" else FLOOR,
            offset,
        )
    r["wall"] = time.perf_counter() - t0
    r["app_cpu"] = cpu_seconds(workers) - c0
    r["db_cpu"] = cpu_used(d0, cpu_by_pid(backends(dbname))) if dbname else None
    r["load"] = load
    r["round"] = k + 1
    db = f", DB CPU {r['db_cpu'] / max(1, r['ok']) * 1000:.2f} ms/req" if dbname else ""
    out(f"    round {k + 1} {kind:<5} {r['rps']:>8.1f} req/s  {r['ok']:>6} ok / {r['requests']} "
        f"({r['status']} non-2xx, {r['errors']} socket errors)  p50 {r['p50_us'] / 1000:.1f} ms  "
        f"p99 {r['p99_us'] / 1000:.1f} ms  {r['bytes'] / max(1, r['requests']):,.0f} B/resp  "
        f"app CPU {r['app_cpu'] / max(1, r['ok']) * 1000:.2f} ms/req{db}, wrk CPU "
        f"{r['wrk_cpu'] / max(1, r['ok']) * 1000:.2f} ms/req  load {load:.2f}")  # fmt: skip
    return r


def measure(args, work: Path, env: dict, dbname: str | None, out: Out) -> dict:
    import psycopg  # noqa: F401  (PostgreSQL figures need it; fail before the server starts)

    (work / "get.lua").write_text(GET_LUA)
    (work / "post.lua").write_text(POST_LUA)
    nq = len((work / "queries.txt").read_text().splitlines())
    runs = {"GET": [], "floor": [], "POST": [], "POST, 2 cores": []}
    posted = 0
    server = start_server(args, env, work / "server.log")
    try:
        workers = children(server.pid)
        # Warm-up: every worker thread has served each route (imports, connections, catalogue).
        run_wrk(args, work, "get.lua", 2, work / "queries.txt", OURS, nq // 2)
        run_wrk(args, work, "get.lua", 2, work / "queries.txt", FLOOR, nq // 2)
        warm = run_wrk(args, work, "post.lua", 2, work / "bodies.txt", 30_000)
        runs["warm-up POST"] = warm["ok"]
        offset = 0
        for k in range(args.pairs):
            for kind in ("GET", "floor", "POST"):
                r = one_run(args, work, kind, k, workers, dbname, out, posted if kind == "POST" else offset)
                posted += r["requests"] if kind == "POST" else 0
                runs[kind].append(r)
            # The floor read the same queries as GET in this round; the next round reads new ones.
            offset += runs["GET"][-1]["requests"] + 10
            if offset >= nq:
                out("    (warning: the query list was used up; later GETs repeat queries)")
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=20)
    if not args.no_pin:
        # POST once more with gunicorn free to use both cores (wrk stays on CPU 0): what two
        # workers do on this two-core machine when the load generator's core is shared.
        out("    POST again, gunicorn not pinned (both cores; wrk on CPU 0):")
        server = start_server(args, env, work / "server-2cores.log", pin=False)
        try:
            workers = children(server.pid)
            runs["warm-up POST"] += run_wrk(args, work, "post.lua", 2, work / "bodies.txt", 35_000)["ok"]
            for k in range(args.pairs):
                r = one_run(args, work, "POST, 2 cores", k, workers, dbname, out, posted)
                posted += r["requests"]
                runs["POST, 2 cores"].append(r)
        finally:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=20)
    runs["posted"] = posted
    return runs


def count_open311_cases(env: dict) -> int:
    code = ("import django; django.setup(); from shequ.cases.models import Case; "
            "print(Case.objects.filter(channel='open311').count())")  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip().splitlines()[-1])


def run_db(args, kind: str, tmp: Path, out: Out) -> dict:
    work = tmp / kind
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SHEQU_DATA_DIR=str(work / "data"), PYTHONUNBUFFERED="1",
               DJANGO_SETTINGS_MODULE="bench_cases_settings", PYTHONPATH=f"{BENCH}:{ROOT}")  # fmt: skip
    env.pop("SHEQU_REDIS_URL", None)
    env.pop("SHEQU_DATABASE_URL", None)
    dbname = None
    if kind == "postgres":
        dbname = f"shequ_bench_open311_{os.getpid()}"
        pg(f"DROP DATABASE IF EXISTS {dbname}")
        pg(f"CREATE DATABASE {dbname}")
        env["SHEQU_DATABASE_URL"] = PG_BASE + dbname
    out(f"\n=== {kind}: {args.cases:,} cases (load average {os.getloadavg()[0]:.2f}) ===")
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--step", "setup", "--work", str(work),
               "--cases", str(args.cases), "--seed", str(args.seed)] + (["--no-profile"] if args.no_profile else [])  # fmt: skip
        proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for line in proc.stdout.splitlines():
            out(line)
        if proc.returncode != 0:
            raise SystemExit(f"set-up on {kind} failed (rc {proc.returncode})")
        info = json.loads((work / "setup.json").read_text())
        out(f"  {info['db']}; {info['queries']:,} distinct queries written")
        runs = None
        if not args.profile_only:
            before = count_open311_cases(env)
            runs = measure(args, work, env, dbname, out)
            runs["created"] = count_open311_cases(env) - before
        return {"db": kind, "info": info, "runs": runs}
    finally:
        if dbname and not args.keep:
            pg(f"DROP DATABASE IF EXISTS {dbname}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(args, results: list, out: Out) -> None:
    out("\n" + "=" * 100)
    out("RESULTS — Open311 over HTTP (gunicorn gthread 2 workers × 4 threads; wrk 1 thread, "
        f"{args.connections} keep-alive connections; {args.pairs} rounds of {args.seconds:.0f} s)")  # fmt: skip
    out("=" * 100)
    for res in results:
        info, runs = res["info"], res["runs"]
        out(f"\n{res['db']}: {info['db']}; {info['cases']:,} cases; ours and the floor listed the same rows for "
            f"{info['same']['same']}/{info['same']['checked']} sampled queries (mean {info['same']['mean_rows']:.1f} rows "
            f"per answer, {info['same']['full']:.0%} full pages of {PAGE_SIZE})")  # fmt: skip
        if runs is None:
            continue
        ratios = [g["rps"] / f["rps"] for g, f in zip(runs["GET"], runs["floor"], strict=True)]
        cpu_ratios = [
            (f["app_cpu"] / max(1, f["ok"])) / (g["app_cpu"] / max(1, g["ok"]))
            for g, f in zip(runs["GET"], runs["floor"], strict=True)
        ]
        get_ratio = statistics.median(ratios)
        post = statistics.median(r["rps"] for r in runs["POST"])
        out("  round  GET req/s  floor req/s  GET÷floor  (app CPU per request: GET / floor)  load")
        for g, f, ratio in zip(runs["GET"], runs["floor"], ratios, strict=True):
            out(f"  {g['round']:>5}  {g['rps']:>9.1f}  {f['rps']:>11.1f}  {ratio:>9.2f}  "
                f"({g['app_cpu'] / max(1, g['ok']) * 1000:.2f} / {f['app_cpu'] / max(1, f['ok']) * 1000:.2f} ms)"
                f"{'':>17}{g['load']:.2f} / {f['load']:.2f}")  # fmt: skip
        out(
            f"  GET ÷ floor, median of per-round ratios: {get_ratio:.2f} (rounds "
            + ", ".join(f"{x:.2f}" for x in ratios)
            + f"; by app CPU per request {statistics.median(cpu_ratios):.2f})  goal ≥ {GET_RATIO}  "
            + verdict(get_ratio >= GET_RATIO)
        )
        post_ok = sum(r["ok"] for r in runs["POST"]) + sum(r["ok"] for r in runs["POST, 2 cores"])
        post_ok += runs["warm-up POST"]
        out(f"  POST: median {post:.1f} req/s (rounds " + ", ".join(f"{r['rps']:.1f}" for r in runs["POST"])
            + f"; p50 {statistics.median(r['p50_us'] for r in runs['POST']) / 1000:.1f} ms)  goal ≥ {POST_RPS:.0f}/s  "
            + verdict(post >= POST_RPS))  # fmt: skip
        if runs["POST, 2 cores"]:
            two = statistics.median(r["rps"] for r in runs["POST, 2 cores"])
            out(f"  POST with gunicorn on both cores (wrk on CPU 0; information, not the verdict): median "
                f"{two:.1f} req/s (rounds " + ", ".join(f"{r['rps']:.1f}" for r in runs["POST, 2 cores"]) + ")")  # fmt: skip
        non2xx = sum(
            r["status"] + r["errors"]
            for kind in ("GET", "floor", "POST", "POST, 2 cores")
            for r in runs[kind]
        )
        # wrk stops counting at the end of a run while up to one request per connection is in flight.
        n_runs = len(runs["POST"]) + len(runs["POST, 2 cores"]) + (2 if runs["POST, 2 cores"] else 1)
        slack = runs["created"] - post_ok
        same = "consistent" if 0 <= slack <= args.connections * n_runs else "INCONSISTENT"
        out(f"  cases created by POST {runs['created']:,}, 2xx POST answers counted by wrk (warm-up included) "
            f"{post_ok:,}, {same} (at most {args.connections} a run still in flight when wrk stops); "
            f"non-2xx or socket errors in all rounds: {non2xx}")  # fmt: skip
        res["verdict"] = {"get_ratio": get_ratio, "post_rps": post}
    out("\nverdicts:")
    for res in results:
        v = res.get("verdict")
        if v:
            out(
                f"  {verdict(v['get_ratio'] >= GET_RATIO)}  {res['db']:<9} GET ÷ floor {v['get_ratio']:.2f} (≥ {GET_RATIO})"
            )
            out(
                f"  {verdict(v['post_rps'] >= POST_RPS)}  {res['db']:<9} POST {v['post_rps']:.1f}/s (≥ {POST_RPS:.0f})"
            )
    for res in results:
        for name, p in (res["info"].get("profiles") or {}).items():
            out(f"\n--- in-process profile, {res['db']}: {name} — {p['ms']:.2f} ms per request "
                f"(CPU {p['cpu_ms']:.2f} ms; test client, {p['n']} requests; top functions by own time over {p['n']} more)")  # fmt: skip
            out(p["top"])


def main(argv=None):
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))  # clean up on the way out
    args = parse_args(argv)
    if args.step == "setup":
        setup_step(args)
        return
    if not args.profile_only and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    out = Out()
    pin = "no pinning" if args.no_pin else "wrk on CPU 0, gunicorn on CPU 1 (taskset); PostgreSQL not pinned"
    out(f"bench_open311 — {dt.datetime.now():%Y-%m-%d %H:%M}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    out(f"code: {args.label or (commit.stdout.strip() or 'unknown')} ({ROOT})")
    out(f"machine: {machine()}; {pin}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1] if shutil.which("wrk") else []  # fmt: skip
    out(f"load generator: {' '.join(wrk_version) or 'none'}; no Redis (the embedded default: Open311's answer memory "
        "and its generation number per process); Open311 POST has no throttle (an api_key authenticates it); "
        "SHEQU_OPEN311_CACHE_SECONDS as shipped (5 s), never hit: every GET query string is new")  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="shequ-bench-open311-"))
    results = []
    try:
        for kind in ("sqlite", "postgres") if args.db == "both" else (args.db,):
            results.append(run_db(args, kind, tmp, out))
        report(args, results, out)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            out(f"kept: {tmp}")
    if args.out:
        path = Path(args.out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(out.lines) + "\n")
        print(f"\nwritten: {path}")


if __name__ == "__main__":
    main()
