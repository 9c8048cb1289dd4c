#!/usr/bin/env python
"""Hand-run benchmark of the cases module at 100k and 1M cases on PostgreSQL (not a pytest test).

For each size the script creates a fresh PostgreSQL database on 127.0.0.1:5432 (user postgres),
migrates it (categories and the holiday calendar are seeded by the migrations), builds a synthetic
district (code 420199, not a real one) of STREETS streets × COMMUNITIES communities × GRIDS grids
with square boundaries, and writes N cases over the last 12 months with shequ.cases.synth (COPY;
requester phones encrypted; timelines for a 5 % sample of the cases only, which no timed figure
reads), then ANALYZE. It times, after one warm-up, `--repeat` runs each (median and p95):

  dashboard   a street administrator's monthly indicators (last complete month, the street's
              scope): indicators.compute + the breakdowns by unit, category, community and the
              12-month trend by month; "page set" = what the page runs (compute + unit + trend);
              and GET /cases/indicators/?period=last_month&scope=<street> through the test Client
  todo        a community worker's and a grid worker's 待办理 tab, first page:
              views.work.todo_rows(user, "handle")[:21] and GET /cases/todo/?tab=handle
  open311     gunicorn, 2 sync workers on 127.0.0.1 (settings bench/bench_cases_settings.py: the
              product's URLs plus a trivial JSON view, bench only): GET
              /open311/v2/requests.json?service_code=0703,0702&status=closed&page_size=100 (100
              results) against GET /bench/trivial.json, alternated rounds of `--seconds` each with
              `--threads` client threads (http.client, a new connection per request as a sync
              worker closes it); and POST /open311/v2/requests.json, form-encoded with a
              registered client's api_key, a service_code and a point inside the client's street

Targets (issue 4): dashboard ≤ 1 s, to-do first page ≤ 200 ms, Open311 GET ≥ 0.5 × trivial,
POST ≥ 100/s. EXPLAIN (ANALYZE, BUFFERS) of the dashboard and to-do queries at the largest size.

    .venv/bin/python bench/bench_cases.py                          # 100k and 1M
    .venv/bin/python bench/bench_cases.py --sizes 20000 --repeat 5 --seconds 5
"""

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.driver import Out, emit, machine, p95, run_step, vendor_env  # noqa: E402

DISTRICT = "420199"
STREETS, COMMUNITIES, GRIDS = 20, 8, 6
GRID_DEG = 0.004
EVENT_SHARE = 0.05
DASHBOARD_MS, TODO_MS, GET_RATIO, POST_RPS = 1000.0, 200.0, 0.5, 100.0
GET_PATH = "/open311/v2/requests.json?service_code=0703,0702&status=closed&page_size=100"
TRIVIAL_PATH = "/bench/trivial.json"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="100000,1000000", help="case counts (default 100k,1M)")
    p.add_argument(
        "--repeat", type=int, default=10, help="timed runs per figure after a warm-up (default 10)"
    )
    p.add_argument("--seconds", type=float, default=8.0, help="length of one load round (default 8 s)")
    p.add_argument("--rounds", type=int, default=3, help="alternated load rounds per target (default 3)")
    p.add_argument("--threads", type=int, default=8, help="client threads of the load generator (default 8)")
    p.add_argument("--max-requests", type=int, default=20000, help="cap on requests per round")
    p.add_argument("--port", type=int, default=8791)
    p.add_argument("--seed", type=int, default=20261121)
    p.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases and the temp dir")
    p.add_argument("--no-load", action="store_true", help="skip the gunicorn load figures")
    p.add_argument(
        "--out", help="report file (default bench/results/cases_<date>.txt, with a .json beside it)"
    )
    p.add_argument("--step", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--explain", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


# === inside one size's subprocess ================================================================


def say(*parts):
    print(" ".join(str(p) for p in parts), flush=True)


def fresh(user):
    """Drop the per-request caches on the user, so each call pays for them as a request would."""
    for name in [k for k in user.__dict__ if k.startswith("_shequ") or k.startswith("_cases")]:
        user.__dict__.pop(name, None)
    return user


def timed(fn, repeat):
    fn()  # warm-up
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def capture(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, [q["sql"] for q in ctx.captured_queries]


def build_org():
    """District → streets → communities → grids (square boundaries on a lattice), and the users."""
    from shequ.core.roles import Role
    from shequ.core.testing.world import make_user, square
    from shequ.org.models import Grid, Level, OrgUnit, UnitKind

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
            )
            for si, st in enumerate(streets)
            for c in range(1, COMMUNITIES + 1)
        ]
    )
    grids = []
    for ci, c in enumerate(communities):
        for g in range(GRIDS):
            lng = 114.0 + (ci % 40) * GRIDS * GRID_DEG + g * GRID_DEG
            lat = 30.0 + (ci // 40) * GRID_DEG * 1.5
            grid = Grid(community=c, code=f"{c.code}{g + 1:03d}", name=f"第{g + 1}网格",
                        boundary=square(lng, lat, GRID_DEG * 0.98), scope_code=f"{c.code}{g + 1:03d}")  # fmt: skip
            grid.derive_geometry()
            grids.append(grid)
    Grid.objects.bulk_create(grids)
    first = communities[0]
    grid1 = Grid.objects.get(code=f"{first.code}001")
    users = {
        "sysadmin": make_user("bench_admin", Role.SYSADMIN),
        "street": make_user("bench_street", Role.STREET, streets[0], display_name="第1街道 管理员"),
        "worker": make_user("bench_worker", Role.COMMUNITY_WORKER, first, display_name="第1社区 工作人员"),
        "grid": make_user("bench_grid", Role.GRID_WORKER, grid=grid1, display_name="第1网格 网格员"),
    }
    return streets, communities, grid1, users


def load(n: int, seed: int) -> dict:
    from django.db import connection

    from shequ.cases import synth

    t0 = time.perf_counter()
    streets, communities, grid1, users = build_org()
    t_org = time.perf_counter() - t0
    actors = {
        streets[0].code: (users["street"].pk, str(users["street"])),
        communities[0].code: (users["worker"].pk, str(users["worker"])),
        grid1.code: (users["grid"].pk, str(users["grid"])),
    }
    plan = synth.generate(n, streets=[s.code for s in streets], seed=seed, months=12, events=EVENT_SHARE,
                          actors=actors, points_per_grid=60)  # fmt: skip
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    t_analyze = time.perf_counter() - t0
    return {"org_s": t_org, "synth": plan.seconds, "events": plan.events, "by_status": plan.by_status,
            "analyze_s": t_analyze, "streets": streets, "communities": communities, "grid1": grid1,
            "users": users}  # fmt: skip


def logged_in(user):
    from django.test import Client

    from shequ.core.middleware import OTP_SESSION_KEY

    c = Client()
    c.force_login(user)
    s = c.session
    s[OTP_SESSION_KEY] = True
    s.save()
    return c


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(r[0] for r in cur.fetchall())


def measure_queries(args, data) -> tuple[list, dict]:
    from django.urls import reverse
    from django.utils import timezone

    from shequ.cases import indicators as ind
    from shequ.cases.views.work import TODO_PER_PAGE, todo_rows

    users = data["users"]
    street = data["streets"][0]
    today = timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    f = ind.Filters(start=last.replace(day=1), end=last, scope_code=street.code)
    results, sql = [], {}

    def add(group, label, fn, target, repeat=args.repeat):
        _r, queries = capture(fn)
        t = timed(fn, repeat)
        results.append({"group": group, "label": label, "median": statistics.median(t), "p95": p95(t),
                        "queries": len(queries), "target": target})  # fmt: skip
        sql[label] = queries
        return t

    u = users["street"]
    figures = ind.compute(u, f)
    add("dashboard", "compute (all figures)", lambda: ind.compute(fresh(u), f), DASHBOARD_MS)
    for by in ("unit", "category", "community"):
        add("dashboard", f"breakdown by {by}", lambda by=by: ind.breakdown(fresh(u), f, by), DASHBOARD_MS)
    trend = ind.trend_filters(f)
    add("dashboard", "breakdown by month (12-month trend)", lambda: ind.breakdown(fresh(u), trend, "month"),
        DASHBOARD_MS)  # fmt: skip

    def page_set():
        ind.compute(fresh(u), f)
        ind.breakdown(u, f, "unit")
        ind.breakdown(u, trend, "month")

    add("dashboard", "page set (compute + unit + trend)", page_set, DASHBOARD_MS)

    def all_five():
        page_set()
        ind.breakdown(u, f, "category")
        ind.breakdown(u, f, "community")

    add("dashboard", "all five (page set + category + community)", all_five, DASHBOARD_MS)
    client = logged_in(u)
    url = reverse("cases:indicators")

    def page():
        r = client.get(url, {"period": "last_month", "scope": street.code})
        assert r.status_code == 200, r.status_code
        return r

    add("dashboard", "GET /cases/indicators/ (test Client)", page, DASHBOARD_MS)

    for key in ("worker", "grid"):
        h = users[key]

        def rows(h=h):
            return list(todo_rows(fresh(h), "handle")[: TODO_PER_PAGE + 1])

        found = rows()
        add("todo", f"{key}: todo_rows('handle')[:{TODO_PER_PAGE + 1}] ({len(found)} rows)", rows, TODO_MS)
        hc = logged_in(h)
        todo_url = reverse("cases:todo")

        def view(hc=hc, todo_url=todo_url):
            r = hc.get(todo_url, {"tab": "handle"})
            assert r.status_code == 200, r.status_code
            return r

        add("todo", f"{key}: GET /cases/todo/?tab=handle (test Client)", view, TODO_MS)
    from django.http import QueryDict

    from shequ.cases.open311 import reads

    params = QueryDict(GET_PATH.split("?", 1)[1])
    add("open311", "reads.service_requests (GET's 100 rows, in-process)", lambda: reads.service_requests(params),
        None)  # fmt: skip
    extra = {"figures": {k: v for k, v in figures.items() if isinstance(v, (int, float, type(None)))},
             "period": [f.start.isoformat(), f.end.isoformat()]}  # fmt: skip
    return results, {"sql": sql, **extra}


# --- the load generator ----------------------------------------------------------------------------
def load_round(port: int, make_request, seconds: float, threads: int, cap: int) -> dict:
    """Run `threads` clients for `seconds` (or until `cap` requests); each request on a new
    connection. Returns throughput, latencies and status counts."""
    stop = time.perf_counter() + seconds
    lock = threading.Lock()
    lat, codes = [], {}
    count = [0]

    def worker(k):
        i = 0
        while time.perf_counter() < stop:
            with lock:
                if count[0] >= cap:
                    return
                count[0] += 1
            method, path, body, headers = make_request(k, i)
            i += 1
            t0 = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except OSError as exc:
                status = type(exc).__name__
            finally:
                conn.close()
            dt_ms = (time.perf_counter() - t0) * 1000
            with lock:
                lat.append(dt_ms)
                codes[status] = codes.get(status, 0) + 1

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    wall = time.perf_counter() - t0
    ok = sum(v for k, v in codes.items() if isinstance(k, int) and 200 <= k < 300)
    return {"requests": len(lat), "ok": ok, "seconds": wall, "rps": ok / wall if wall else 0.0,
            "median_ms": statistics.median(lat) if lat else None, "p95_ms": p95(lat) if lat else None,
            "codes": {str(k): v for k, v in codes.items()}}  # fmt: skip


def start_server(port: int) -> subprocess.Popen:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench_cases_settings")
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
           "--worker-class", "sync", "--pythonpath", f"{ROOT / 'bench'},{ROOT}", "--log-level", "warning",
           "--timeout", "60", "shequ.wsgi:application"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline:
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", TRIVIAL_PATH)
            if conn.getresponse().status == 200:
                return proc
        if proc.poll() is not None:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def measure_load(args, data) -> dict:
    from shequ.cases import services
    from shequ.cases.models import Case
    from shequ.org.models import Grid

    street = data["streets"][0]
    client, key = services.register_client(
        data["users"]["sysadmin"], name="基准测试应用", street_code=street.code
    )
    grids = list(Grid.objects.filter(community__parent=street).order_by("code")[:12])
    points = [(g.center_lat, g.center_lng) for g in grids]
    # The GET must really return 100 requests.
    proc = start_server(args.port)
    out = {"get": [], "get_cold": [], "trivial": [], "post": []}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        conn.request("GET", GET_PATH)
        resp = conn.getresponse()
        body = json.loads(resp.read())
        out["get_results"] = len(body)
        out["get_bytes"] = None
        conn.close()

        def get(_k, _i):
            return "GET", GET_PATH, None, {}

        base = dt.datetime.now(dt.UTC).replace(microsecond=0)

        def get_cold(k, i):
            # A different window each time (still 100 results): what the per-process answer cache
            # of the Open311 views cannot serve from memory.
            end = base - dt.timedelta(seconds=k * 100_000 + i)
            window = {"start_date": (end - dt.timedelta(days=60)).isoformat(), "end_date": end.isoformat()}
            return "GET", GET_PATH + "&" + urllib.parse.urlencode(window), None, {}

        def trivial(_k, _i):
            return "GET", TRIVIAL_PATH, None, {}

        def post(k, i):
            lat, lng = points[(k + i) % len(points)]
            form = {"api_key": key, "service_code": "0703", "lat": f"{lat:.6f}", "long": f"{lng:.6f}",
                    "description": f"基准测试：第{k}号客户端第{i}次提交，楼道堆放杂物需要清理。",
                    "first_name": "测试"}  # fmt: skip
            return (
                "POST",
                "/open311/v2/requests.json",
                urllib.parse.urlencode(form),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )

        for fn in (get, get_cold, trivial, post):  # warm-up: every worker has served each route
            load_round(args.port, fn, 1.5, args.threads, 10**6)
        before = Case.objects.filter(channel="open311").count()
        for _ in range(args.rounds):
            out["get"].append(load_round(args.port, get, args.seconds, args.threads, args.max_requests))
            out["get_cold"].append(
                load_round(args.port, get_cold, args.seconds, args.threads, args.max_requests)
            )
            out["trivial"].append(
                load_round(args.port, trivial, args.seconds, args.threads, args.max_requests)
            )
        for _ in range(args.rounds):
            out["post"].append(load_round(args.port, post, args.seconds, args.threads, args.max_requests))
        out["posted_cases"] = Case.objects.filter(channel="open311").count() - before
        out["post_ok"] = sum(r["ok"] for r in out["post"])
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
    return out


def measure_size(args) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shequ.cases.models import Case, CaseEvent
    from shequ.cases.views.work import TODO_PER_PAGE, todo_rows

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    t_migrate = time.perf_counter() - t0
    t0 = time.perf_counter()
    data = load(args.size, args.seed)
    t_load = time.perf_counter() - t0
    say(f"  loaded in {t_load:.1f} s (org {data['org_s']:.1f}, synth {json.dumps(data['synth'])}, "
        f"ANALYZE {data['analyze_s']:.1f}); {data['events']:,} timeline rows")  # fmt: skip
    with connection.cursor() as cur:
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('cases_case')), current_setting('shared_buffers'), "
                    "current_setting('work_mem'), current_setting('server_version')")  # fmt: skip
        table_size, shared_buffers, work_mem, version = cur.fetchone()
    street = data["streets"][0]
    in_street = Case.objects.within(street.code).count()
    say(f"  {Case.objects.count():,} cases, {in_street:,} in the measured street; table {table_size}")
    results, extra = measure_queries(args, data)
    for r in results:
        say(
            f"    {r['group']:<10} {r['label']:<58} {r['median']:>9.1f} {r['p95']:>9.1f} ms  SQL {r['queries']}"
        )
    plans = {}
    if args.explain:
        ranked = sorted((r for r in results if r["group"] == "dashboard"), key=lambda r: -r["median"])
        for label in ("compute (all figures)", "breakdown by unit", "breakdown by month (12-month trend)"):
            for i, q in enumerate(extra["sql"][label]):
                if "cases_case" in q and q.lstrip().upper().startswith("SELECT"):
                    plans[f"{label} — query {i + 1}"] = {"sql": q, "plan": explain(q)}
        for i, q in enumerate(extra["sql"]["reads.service_requests (GET's 100 rows, in-process)"]):
            if "cases_case" in q and q.lstrip().upper().startswith("SELECT"):
                plans[f"Open311 GET requests — query {i + 1}"] = {"sql": q, "plan": explain(q)}
        for key in ("worker", "grid"):
            qs = todo_rows(fresh(data["users"][key]), "handle")[: TODO_PER_PAGE + 1]
            plans[f"{key}: to-do first page"] = {
                "sql": str(qs.query),
                "plan": qs.explain(analyze=True, buffers=True),
            }
        extra["slowest_dashboard"] = ranked[0]["label"] if ranked else ""
    load_figures = None if args.no_load else measure_load(args, data)
    if load_figures:
        for kind in ("get", "get_cold", "trivial", "post"):
            for r in load_figures[kind]:
                say(f"    load {kind:<8} {r['rps']:>8.1f} req/s  median {r['median_ms']:.1f} ms  "
                    f"p95 {r['p95_ms']:.1f} ms  {r['codes']}")  # fmt: skip
    return {
        "size": args.size,
        "migrate_s": t_migrate,
        "load_s": t_load,
        "synth": data["synth"],
        "events": data["events"],
        "by_status": data["by_status"],
        "cases_in_street": in_street,
        "events_total": CaseEvent.objects.count(),
        "db": {
            "version": version,
            "shared_buffers": shared_buffers,
            "work_mem": work_mem,
            "case_table": table_size,
        },
        "results": results,
        "figures": extra["figures"],
        "period": extra["period"],
        "load": load_figures,
        "plans": plans,
        "sql": {
            k: v for k, v in extra["sql"].items() if k.startswith(("compute", "breakdown by unit", "worker"))
        },
    }


# === the driver =================================================================================


def run_size(args, size: int, tmp: Path, explain: bool, out: Out) -> dict:
    argv = ["--step", "size", "--size", str(size), "--repeat", str(args.repeat), "--seed", str(args.seed), "--seconds",
            str(args.seconds), "--rounds", str(args.rounds), "--threads", str(args.threads), "--max-requests",
            str(args.max_requests), "--port", str(args.port)] + (["--explain"] if explain else []) + (
            ["--no-load"] if args.no_load else [])  # fmt: skip
    t0 = time.perf_counter()
    with vendor_env("postgresql", tmp / f"data-{size}", f"cases_{size}", keep=args.keep) as env:
        db = env["SHEQU_DATABASE_URL"].rsplit("/", 1)[1]
        out(f"\n=== {size:,} cases (database {db}; load average {os.getloadavg()[0]:.1f}) ===")
        result = run_step(__file__, argv, env, out=out)
    result["wall_s"] = time.perf_counter() - t0
    return result


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("PASS" if ok else "FAIL")


def load_summary(load: dict) -> dict:
    med = {k: statistics.median(r["rps"] for r in load[k]) for k in ("get", "get_cold", "trivial", "post")}
    t = med["trivial"] or float("inf")
    return {**med, "ratio": med["get"] / t, "ratio_cold": med["get_cold"] / t}


def report(args, results: list, out: Out):
    out("\n" + "=" * 118)
    out("RESULTS — cases module on PostgreSQL (medians and p95 in ms over the timed runs)")
    out("=" * 118)
    for r in results:
        s = r["synth"]
        out(f"\n{r['size']:,} cases over 12 months in {STREETS} streets × {COMMUNITIES} communities × {GRIDS} grids "
            f"({r['cases_in_street']:,} in the measured street); timelines for {EVENT_SHARE:.0%} of the cases "
            f"({r['events_total']:,} rows); cases_case {r['db']['case_table']} with indexes")  # fmt: skip
        out(f"  load {r['load_s']:.0f} s (generate {s.get('generate', 0):.0f} s, COPY cases {s.get('cases', 0):.0f} s, "
            f"events {s.get('events', 0):.0f} s); whole run {r['wall_s']:.0f} s; PostgreSQL {r['db']['version']}, "
            f"shared_buffers {r['db']['shared_buffers']}, work_mem {r['db']['work_mem']}")  # fmt: skip
        by = r["by_status"]
        total = sum(by.values())
        out(
            "  statuses: "
            + ", ".join(f"{k} {v / total:.1%}" for k, v in sorted(by.items(), key=lambda kv: -kv[1]))
        )
        fig = r["figures"]
        keys = [k for k in ("filed", "closed", "due", "close_rate", "on_time_rate", "overdue", "satisfaction_rate")
                if k in fig]  # fmt: skip
        out(
            f"  dashboard period {r['period'][0]} – {r['period'][1]}: "
            + ", ".join(f"{k} {fig[k]}" for k in keys)
        )
        head = f"  {'group':<10} {'figure':<58} {'median':>9} {'p95':>9} {'SQL':>4}  target    verdict"
        out(head)
        out("  " + "-" * (len(head) - 2))
        for x in r["results"]:
            target = f"≤{x['target']:>5.0f} ms" if x["target"] else f"{'—':>9}"
            ok = None if not x["target"] else x["median"] <= x["target"]
            out(f"  {x['group']:<10} {x['label']:<58} {x['median']:>9.1f} {x['p95']:>9.1f} {x['queries']:>4}  "
                f"{target}  {verdict(ok)}")  # fmt: skip
        if r.get("load"):
            ld = r["load"]
            sm = load_summary(ld)
            out(f"  Open311 on gunicorn (2 sync workers, 127.0.0.1), {args.threads} client threads, {args.rounds} "
                f"rounds of {args.seconds:.0f} s (req/s, median of rounds):")  # fmt: skip
            for kind, label in (("trivial", "trivial JSON view"), ("get", f"GET requests ({ld['get_results']} results)"),
                                ("get_cold", "GET, a new window each request"),
                                ("post", "POST requests (form, api_key)")):  # fmt: skip
                rounds = ld[kind]
                out(f"    {label:<40} {sm[kind]:>8.1f} req/s   rounds "
                    + ", ".join(f"{x['rps']:.1f}" for x in rounds)
                    + f"   latency median {statistics.median(x['median_ms'] for x in rounds):.1f} ms, "
                    f"p95 {max(x['p95_ms'] for x in rounds):.1f} ms; statuses "
                    + json.dumps(_merge_codes(rounds)))  # fmt: skip
            out(f"    GET ÷ trivial = {sm['ratio']:.2f} (target ≥ {GET_RATIO})  {verdict(sm['ratio'] >= GET_RATIO)}; "
                f"new window each request {sm['ratio_cold']:.2f}  {verdict(sm['ratio_cold'] >= GET_RATIO)}")  # fmt: skip
            out(f"    POST {sm['post']:.1f}/s (target ≥ {POST_RPS:.0f}/s)  {verdict(sm['post'] >= POST_RPS)}; "
                f"cases created {ld['posted_cases']:,} = 2xx answers {ld['post_ok']:,}")  # fmt: skip

    if len(results) > 1:
        a, b = results[0], results[-1]
        out(f"\ngrowth {a['size']:,} → {b['size']:,} cases (×{b['size'] / a['size']:.0f} rows; medians):")
        for x, y in zip(a["results"], b["results"], strict=False):
            out(f"  {x['group']:<10} {x['label']:<58} {x['median']:>9.1f} → {y['median']:>9.1f} ms  "
                f"×{y['median'] / x['median']:.2f}")  # fmt: skip
        if a.get("load") and b.get("load"):
            sa, sb = load_summary(a["load"]), load_summary(b["load"])
            for k, label in (
                ("trivial", "trivial req/s"),
                ("get", "Open311 GET req/s"),
                ("get_cold", "Open311 GET req/s, new window each request"),
                ("post", "Open311 POST req/s"),
            ):
                out(f"  {'open311':<10} {label:<58} {sa[k]:>9.1f} → {sb[k]:>9.1f}      ×{sb[k] / sa[k]:.2f}")

    last = results[-1]
    out(f"\nverdicts at {last['size']:,}:")
    for x in (x for x in last["results"] if x["target"]):
        out(f"  {verdict(x['median'] <= x['target'])}  {x['group']:<10} {x['label']:<58} {x['median']:.1f} ms "
            f"(≤ {x['target']:.0f})")  # fmt: skip
    if last.get("load"):
        sm = load_summary(last["load"])
        out(
            f"  {verdict(sm['ratio'] >= GET_RATIO)}  open311    GET ÷ trivial {sm['ratio']:.2f} (≥ {GET_RATIO})"
        )
        out(f"  {verdict(sm['ratio_cold'] >= GET_RATIO)}  open311    GET ÷ trivial, new window each request "
            f"{sm['ratio_cold']:.2f} (≥ {GET_RATIO})")  # fmt: skip
        out(f"  {verdict(sm['post'] >= POST_RPS)}  open311    POST {sm['post']:.1f}/s (≥ {POST_RPS:.0f})")
    if last["plans"]:
        out(f"\nEXPLAIN (ANALYZE, BUFFERS) at {last['size']:,}:")
        for title, p in last["plans"].items():
            out(f"\n--- {title}\n{p['sql']}\n")
            out(p["plan"])


def _merge_codes(rounds):
    merged = {}
    for r in rounds:
        for k, v in r["codes"].items():
            merged[k] = merged.get(k, 0) + v
    return merged


def main(argv=None):
    import signal

    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))  # drop the databases on the way out
    args = parse_args(argv)
    if args.step == "size":
        res = measure_size(args)
        emit(res)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    out = Out()
    out(f"bench_cases — {dt.datetime.now():%Y-%m-%d %H:%M}")
    out(f"machine: {machine()}; sizes {', '.join(f'{s:,}' for s in sizes)}; {args.repeat} timed runs per figure "
        f"after one warm-up (warm caches); seed {args.seed}")  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="shequ-bench-cases-"))
    results = []
    try:
        for i, size in enumerate(sizes):
            results.append(run_size(args, size, tmp, explain=(i == len(sizes) - 1), out=out))
        report(args, results, out)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    path = (
        Path(args.out) if args.out else ROOT / "bench" / "results" / f"cases_{dt.date.today():%Y-%m-%d}.txt"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out.lines) + "\n")
    path.with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    print(f"\nwritten: {path} and {path.with_suffix('.json')}")


if __name__ == "__main__":
    main()
