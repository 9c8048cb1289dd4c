#!/usr/bin/env python
"""Hand-run benchmark of the org module at city scale (not a pytest test).

Builds a synthetic district (streets, communities, grids with square boundaries, buildings, grid
workers and 楼栋长) with bulk inserts, then times the scope-heavy reads: dashboard coverage and
level counts, the grid and building list pages, visible_to counts, locate_grid and the building
Excel export. Prints medians, p95s and SQL query counts. See bench/README.md.

    .venv/bin/python bench/bench_org.py                      # SQLite in a fresh temp data dir
    .venv/bin/python bench/bench_org.py --communities 100
    SHEQU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_bench_x .venv/bin/python bench/bench_org.py
"""

import argparse
import math
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.driver import p95  # noqa: E402

DISTRICT = "420199"  # not a real district code: the benchmark never collides with imported divisions
ORIGIN_LAT, ORIGIN_LNG = 30.30, 114.20  # south-west corner of the synthetic district (Wuhan area)
CELL = 0.003  # grid square side in degrees (~330 m × 290 m)
COMMUNITIES_PER_STREET = 25
USERNAMES = {"district": "bench_district", "street": "bench_street", "community": "bench_worker"}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--communities", type=int, default=500, help="communities in the district (default 500)")
    p.add_argument("--grids-per-community", type=int, default=8, help="grids per community (default 8)")
    p.add_argument("--buildings-per-grid", type=int, default=25, help="buildings per grid (default 25)")
    p.add_argument(
        "--repeat", type=int, default=5, help="timed runs per figure, after one warm-up (default 5)"
    )
    p.add_argument("--points", type=int, default=1000, help="random points for locate_grid (default 1000)")
    p.add_argument("--seed", type=int, default=20261121)
    p.add_argument("--keep", action="store_true", help="keep the temp data dir the script created")
    p.add_argument("--show-sql", action="store_true", help="print the SQL captured for each measured call")
    p.add_argument(
        "--no-district-export",
        dest="district_export",
        action="store_false",
        help="skip the single-run Excel export of the whole district's building list",
    )
    a = p.parse_args(argv)
    if not 1 <= a.communities <= 999 * 25:
        p.error("--communities must be 1..24975")
    if not 1 <= a.grids_per_community <= 999:
        p.error("--grids-per-community must be 1..999")
    if a.buildings_per_grid < 1 or a.repeat < 1 or a.points < 1:
        p.error("--buildings-per-grid, --repeat and --points must be positive")
    return a


# --- environment --------------------------------------------------------------------------------


def setup_django():
    """Select the data dir (a fresh temp one unless SHEQU_DATA_DIR is set), then django.setup()."""
    created = None
    if not os.environ.get("SHEQU_DATA_DIR"):
        created = tempfile.mkdtemp(prefix="shequ-bench-")
        os.environ["SHEQU_DATA_DIR"] = created
    os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.settings"
    import django

    django.setup()
    return created


def database_label() -> str:
    from django.conf import settings
    from django.db import connection

    vendor = connection.vendor
    if vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (file {settings.DATABASES['default']['NAME']})"
    with connection.cursor() as cur:
        if vendor == "postgresql":
            cur.execute("SHOW server_version")
            version = cur.fetchone()[0]
            return f"PostgreSQL {version} (db {connection.settings_dict['NAME']} on {connection.settings_dict['HOST']})"
    return vendor


# --- synthetic district ---------------------------------------------------------------------------


class Layout:
    """Communities on a square lattice; each community is a block of gr × gc grid squares."""

    def __init__(self, communities: int, grids_per_community: int):
        self.cols = math.ceil(math.sqrt(communities))  # communities per lattice row
        self.gc = math.ceil(math.sqrt(grids_per_community))
        self.gr = math.ceil(grids_per_community / self.gc)
        rows = math.ceil(communities / self.cols)
        self.lat_span = rows * self.gr * CELL
        self.lng_span = self.cols * self.gc * CELL

    def cell(self, community_index: int, grid_index: int) -> tuple[float, float]:
        """South-west corner (lng, lat) of a grid square."""
        cr, cc = divmod(community_index, self.cols)
        r, c = divmod(grid_index, self.gc)
        return (
            round(ORIGIN_LNG + (cc * self.gc + c) * CELL, 6),
            round(ORIGIN_LAT + (cr * self.gr + r) * CELL, 6),
        )


def build_district(args, rng, echo=print) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from shequ.core.roles import Role
    from shequ.core.testing.world import make_user, square
    from shequ.org.demo import seeded_assignment
    from shequ.org.geo import parse_polygon, to_geojson
    from shequ.org.models import Assignment, Building, Grid, GridType, Level, OrgUnit, Post, UnitKind

    n_comm, per_grid, per_bld = args.communities, args.grids_per_community, args.buildings_per_grid
    n_streets = math.ceil(n_comm / COMMUNITIES_PER_STREET)
    layout = Layout(n_comm, per_grid)
    today = timezone.localdate()
    start = today.replace(year=today.year - 2)
    ended = today.replace(year=today.year - 1)
    timings = {}
    counts = {}

    def lap(name, t0, n):
        timings[name] = time.perf_counter() - t0
        counts[name] = n

    t_all = time.perf_counter()
    with transaction.atomic():
        t0 = time.perf_counter()
        district = OrgUnit.objects.create(code=DISTRICT, name="基准区", level=Level.DISTRICT)
        streets = OrgUnit.objects.bulk_create(
            [
                OrgUnit(code=f"{DISTRICT}{s:03d}", name=f"第{s}街道", level=Level.STREET, parent=district)
                for s in range(1, n_streets + 1)
            ]
        )
        communities = []
        for i in range(n_comm):
            s, k = divmod(i, COMMUNITIES_PER_STREET)
            lng, lat = layout.cell(i, 0)
            communities.append(
                OrgUnit(
                    code=f"{streets[s].code}{k + 1:03d}",
                    name=f"第{s + 1}街第{k + 1}社区居民委员会",
                    level=Level.COMMUNITY,
                    kind=UnitKind.RESIDENTS,
                    parent=streets[s],
                    center_lat=lat + layout.gr * CELL / 2,
                    center_lng=lng + layout.gc * CELL / 2,
                )
            )
        communities = OrgUnit.objects.bulk_create(communities, batch_size=2000)
        lap("org units", t0, 1 + len(streets) + len(communities))

        t0 = time.perf_counter()
        grids = []
        for i, comm in enumerate(communities):
            for j in range(per_grid):
                lng, lat = layout.cell(i, j)
                code = f"{comm.code}{j + 1:03d}"
                g = Grid(
                    community=comm,
                    code=code,
                    name=f"{comm.display_name}第{j + 1}网格",
                    grid_type=GridType.AREA,
                    boundary=to_geojson(parse_polygon(square(lng, lat, CELL))),
                    scope_code=code,
                )
                g.derive_geometry()  # area, centre and bounding box, as Grid.save() would
                grids.append(g)
        grids = Grid.objects.bulk_create(grids, batch_size=2000)
        assert all(g.pk for g in grids), "bulk_create did not return primary keys"
        lap("grids", t0, len(grids))

        t0 = time.perf_counter()
        buildings = []
        for gi, g in enumerate(grids):
            lng0, lat0 = g.boundary["coordinates"][0][0]
            compound = f"第{gi % 97 + 1}小区"
            for n in range(1, per_bld + 1):
                number = f"{n}栋"
                buildings.append(
                    Building(
                        grid=g,
                        compound=compound,
                        number=number,
                        floors=rng.choice([6, 6, 7, 11, 18, 26, 33]),
                        lat=lat0 + rng.uniform(0.0002, CELL - 0.0002),
                        lng=lng0 + rng.uniform(0.0002, CELL - 0.0002),
                        address=f"{compound}{number}",
                        scope_code=g.code,
                    )
                )
        buildings = Building.objects.bulk_create(buildings, batch_size=2000)
        assert all(b.pk for b in buildings), "bulk_create did not return primary keys"
        lap("buildings", t0, len(buildings))

        t0 = time.perf_counter()
        assignments = []
        grids_covered = buildings_covered = 0
        for g in grids:
            if rng.random() < 0.05:  # a predecessor who left: must not count
                assignments.append(
                    seeded_assignment(
                        rng, Post.FULL_TIME, grid_id=g.pk, scope_code=g.code, start=start, end_date=ended
                    )
                )
            if rng.random() < 0.9:
                grids_covered += 1
                assignments.append(
                    seeded_assignment(rng, Post.FULL_TIME, grid_id=g.pk, scope_code=g.code, start=start)
                )
        for b in buildings:
            if rng.random() < 0.85:
                buildings_covered += 1
                assignments.append(
                    seeded_assignment(
                        rng,
                        Post.BUILDING_LEAD,
                        grid_id=b.grid_id,
                        scope_code=b.scope_code,
                        start=start,
                        building=b,
                    )
                )
        Assignment.objects.bulk_create(assignments, batch_size=2000)
        lap("assignments", t0, len(assignments))

        t0 = time.perf_counter()
        users = {
            "district": make_user(USERNAMES["district"], Role.DISTRICT, district),
            "street": make_user(USERNAMES["street"], Role.STREET, streets[0]),
            "community": make_user(USERNAMES["community"], Role.COMMUNITY_WORKER, communities[0]),
        }
        lap("users + memberships", t0, 2 * len(users))
    total = time.perf_counter() - t_all
    bulk = {k: v for k, v in counts.items() if k != "users + memberships"}
    return {
        "layout": layout,
        "streets": len(streets),
        "communities": len(communities),
        "grids": len(grids),
        "buildings": len(buildings),
        "assignments": len(assignments),
        "grids_covered": grids_covered,
        "buildings_covered": buildings_covered,
        "users": users,
        "street_code": streets[0].code,
        "community_code": communities[0].code,
        "build_seconds": total,
        "bulk_rows": sum(bulk.values()),
        "bulk_seconds": sum(timings[k] for k in bulk),
        "build_rows": sum(counts.values()),
        "build_timings": timings,
        "build_counts": counts,
    }


# --- measuring ------------------------------------------------------------------------------------


def fresh(user):
    """Drop the per-request membership cache, so every call pays for it as a request would."""
    user.__dict__.pop("_shequ_memberships", None)
    return user


def measure(fn, repeat):
    fn()  # warm-up
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def capture(fn):
    """Run once with query capture; return (result, captured queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, list(ctx.captured_queries)


def signed_in_client(user):
    """World-style login: force_login plus the session flag of a passed second factor."""
    from django.test import Client

    from shequ.core.middleware import OTP_SESSION_KEY

    c = Client()
    c.force_login(user)
    s = c.session
    s[OTP_SESSION_KEY] = True
    s.save()
    return c


class Report:
    def __init__(self, show_sql=False):
        self.rows = []
        self.show_sql = show_sql
        self.sql = []

    def add(self, label, times, queries=None, scope=None, extra=""):
        self.rows.append(
            {
                "label": label,
                "median": statistics.median(times),
                "p95": p95(times),
                "queries": None if queries is None else len(queries),
                "scope": scope,
                "extra": extra,
            }
        )
        if queries is not None:
            self.sql.append((label, queries))
        return self.rows[-1]

    def get(self, label):
        return next(r for r in self.rows if r["label"] == label)


def run_measurements(args, data, rep: Report):
    from django.urls import reverse

    from shequ.org import dashboard, services
    from shequ.org.models import Assignment, Building

    users = data["users"]
    repeat = args.repeat

    # (5) visible_to(...).count() — also gives each user's scope size for the other rows.
    scope_size = {}
    for key in ("district", "street", "community"):
        u = users[key]
        n, q = capture(lambda u=u: Building.objects.visible_to(fresh(u)).count())
        scope_size[key] = n
        t = measure(lambda u=u: Building.objects.visible_to(fresh(u)).count(), repeat)
        rep.add(f"Building.visible_to({key}).count()", t, q, n)

    # How the database answers the smallest scope's prefix match (does it use the scope_code index?).
    u = users["community"]
    data["plans"] = {
        "Building.visible_to(community)": Building.objects.visible_to(fresh(u))
        .order_by()
        .values("id")
        .explain(),
        "Assignment.visible_to(community).current()": Assignment.objects.visible_to(fresh(u))
        .current()
        .order_by()
        .values("id")
        .explain(),
    }

    # (1)(2) coverage, plus the community worker for the ratio.
    for key in ("district", "street", "community"):
        u = users[key]
        cov, q = capture(lambda u=u: dashboard.coverage(fresh(u)))
        t = measure(lambda u=u: dashboard.coverage(fresh(u)), repeat)
        tot = cov["totals"]
        rep.add(
            f"dashboard.coverage({key})",
            t,
            q,
            scope_size[key],
            f"{len(cov['communities'])} communities; grid cov {tot['grid_coverage']:.1%}, "
            f"bldg cov {tot['building_coverage']:.1%}",
        )
        if key == "district":
            data["coverage_totals"] = tot

    # (3) level_counts
    for key in ("district", "community"):
        u = users[key]
        _, q = capture(lambda u=u: dashboard.level_counts(fresh(u)))
        t = measure(lambda u=u: dashboard.level_counts(fresh(u)), repeat)
        rep.add(f"dashboard.level_counts({key})", t, q, scope_size[key])

    # (4) list pages through the test client, first page of 50.
    for key in ("district", "community"):
        client = signed_in_client(users[key])
        for page, url_name in (("grid list", "org:grid-list"), ("building list", "org:building-list")):
            url = reverse(url_name) + "?page=1"

            def get(client=client, url=url):
                r = client.get(url)
                assert r.status_code == 200, (url, r.status_code)
                return r

            resp, q = capture(get)
            t = measure(get, repeat)
            options = resp.content.count(b"<option")
            rep.add(
                f"GET {page} page 1 ({key})",
                t,
                q,
                scope_size[key],
                f"{len(resp.content) / 1024:.0f} KiB HTML, {options:,} <option>s in the filter form",
            )

    # (7) Excel export of the building list, community worker.
    client = signed_in_client(users["community"])
    url = reverse("org:building-list") + "?export=xlsx"

    def export(client=client, url=url):
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml"), r.status_code
        return r

    resp, q = capture(export)
    t = measure(export, repeat)
    rep.add(
        "GET building export xlsx (community)",
        t,
        q,
        scope_size["community"],
        f"{len(resp.content) / 1024:.0f} KiB xlsx",
    )

    # Extra: the same export for the district admin, once (the export is capped at 50,000 rows).
    if args.district_export:
        from shequ.core.models import ChangeLogEntry

        client = signed_in_client(users["district"])
        t0 = time.perf_counter()
        resp, q = capture(lambda: export(client))
        ms = (time.perf_counter() - t0) * 1000
        note = (
            ChangeLogEntry.objects.filter(action="export")
            .order_by("-id")
            .values_list("note", flat=True)
            .first()
        )
        rep.add(
            "GET building export xlsx (district), 1 run",
            [ms],
            q,
            scope_size["district"],
            f"{len(resp.content) / 1024:.0f} KiB xlsx; change log: {note}",
        )

    # (6) locate_grid for random points over the district's bounding box (plus a 5% margin).
    layout = data["layout"]
    prng = random.Random(args.seed + 1)
    m_lat, m_lng = layout.lat_span * 0.05, layout.lng_span * 0.05
    points = [
        (
            prng.uniform(ORIGIN_LNG - m_lng, ORIGIN_LNG + layout.lng_span + m_lng),
            prng.uniform(ORIGIN_LAT - m_lat, ORIGIN_LAT + layout.lat_span + m_lat),
        )
        for _ in range(args.points)
    ]
    _, q = capture(lambda: services.locate_grid(*points[0]))
    for p in points[:20]:  # warm-up
        services.locate_grid(*p)
    times, hit_times, miss_times, wrong = [], [], [], 0
    for lng, lat in points:
        t0 = time.perf_counter()
        g = services.locate_grid(lng, lat)
        ms = (time.perf_counter() - t0) * 1000
        times.append(ms)
        (miss_times if g is None else hit_times).append(ms)
        if g is not None:
            (x0, y0), (x1, y1) = g.boundary["coordinates"][0][0], g.boundary["coordinates"][0][2]
            if not (x0 <= lng <= x1 and y0 <= lat <= y1):
                wrong += 1
    # How many grids the bounding-box pre-filter hands to shapely (sample of 100 points).
    from shequ.org.models import Grid

    cands = []
    for lng, lat in points[:100]:
        cands.append(
            Grid.objects.filter(
                bbox_min_lng__lte=lng, bbox_max_lng__gte=lng, bbox_min_lat__lte=lat, bbox_max_lat__gte=lat
            ).count()
        )
    row = rep.add(
        f"services.locate_grid x{len(points)} (per lookup)",
        times,
        q,
        None,
        f"hits {len(hit_times)}/{len(points)} (mean {statistics.mean(hit_times or [0]):.1f} ms), "
        f"misses mean {statistics.mean(miss_times or [0]):.1f} ms, wrong {wrong}; "
        f"bounding box passes ~{statistics.mean(cands):.1f} grids to shapely",
    )
    row["mean"] = statistics.mean(times)
    row["total"] = sum(times)
    return scope_size


# --- output ---------------------------------------------------------------------------------------


def print_report(args, data, rep: Report, scope_size, db_label):
    import django

    line = "=" * 108
    print(line)
    print("shequ org benchmark")
    print(line)
    print(
        f"machine    : {os.cpu_count()} cores, Python {platform.python_version()}, Django {django.get_version()}, "
        f"{platform.system()} {platform.machine()}"
    )
    print(f"database   : {db_label}")
    print(
        f"parameters : --communities {args.communities} --grids-per-community {args.grids_per_community} "
        f"--buildings-per-grid {args.buildings_per_grid} --repeat {args.repeat} --points {args.points} "
        f"--seed {args.seed}"
    )
    cur_assign = data["grids_covered"] + data["buildings_covered"]
    print(
        f"data       : district {DISTRICT}: {data['streets']} streets, {data['communities']} communities, "
        f"{data['grids']:,} grids, {data['buildings']:,} buildings, {data['assignments']:,} assignments "
        f"({cur_assign:,} current)"
    )
    print(
        f"             grids with a full-time worker {data['grids_covered']:,} "
        f"({data['grids_covered'] / data['grids']:.1%}), buildings with a 楼栋长 {data['buildings_covered']:,} "
        f"({data['buildings_covered'] / data['buildings']:.1%})"
    )
    print(
        f"users      : district admin → {DISTRICT} ({scope_size['district']:,} buildings), "
        f"street admin → {data['street_code']} ({scope_size['street']:,}), "
        f"community worker → {data['community_code']} ({scope_size['community']:,})"
    )
    rps = data["bulk_rows"] / data["bulk_seconds"]
    print(
        f"build      : {data['build_rows']:,} rows in {data['build_seconds']:.1f} s in one transaction; bulk inserts "
        f"{data['bulk_rows']:,} rows in {data['bulk_seconds']:.1f} s = {rps:,.0f} rows/s"
    )
    for k, v in data["build_timings"].items():
        n = data["build_counts"][k]
        print(f"             {k:<20} {n:>9,} rows {v:>7.2f} s {n / v:>10,.0f} rows/s")
    print(
        f"timing     : ms, median and p95 (nearest rank) of {args.repeat} runs after 1 warm-up; "
        f"locate_grid: {args.points} single lookups"
    )
    print("-" * 108)
    print(f"{'measurement':<46} {'bldgs in scope':>14} {'median':>9} {'p95':>9} {'queries':>7}  notes")
    print("-" * 108)
    for r in rep.rows:
        scope = "" if r["scope"] is None else f"{r['scope']:,}"
        q = "" if r["queries"] is None else str(r["queries"])
        extra = r["extra"]
        if "mean" in r:
            extra = f"mean {r['mean']:.2f} ms, total {r['total'] / 1000:.1f} s; " + extra
        print(f"{r['label']:<46} {scope:>14} {r['median']:>9.2f} {r['p95']:>9.2f} {q:>7}  {extra}")
    print("-" * 108)

    def ratio(a, b, what):
        ra, rb = rep.get(a), rep.get(b)
        t = ra["median"] / rb["median"] if rb["median"] else float("nan")
        size = (ra["scope"] / rb["scope"]) if ra["scope"] and rb["scope"] else float("nan")
        print(
            f"  {what:<58} time ×{t:>7.1f}   scope ×{size:>7.1f}   queries {ra['queries']} vs {rb['queries']}"
        )

    print("ratios (median time, rows in scope, query count):")
    ratio("dashboard.coverage(district)", "dashboard.coverage(community)", "coverage district / community")
    ratio("dashboard.coverage(street)", "dashboard.coverage(community)", "coverage street / community")
    ratio(
        "dashboard.level_counts(district)",
        "dashboard.level_counts(community)",
        "level_counts district / community",
    )
    ratio(
        "Building.visible_to(district).count()",
        "Building.visible_to(community).count()",
        "visible_to count district / community",
    )
    ratio(
        "GET grid list page 1 (district)",
        "GET grid list page 1 (community)",
        "grid list page district / community",
    )
    ratio(
        "GET building list page 1 (district)",
        "GET building list page 1 (community)",
        "building list page district / community",
    )

    # Same call, different scope size: the query count must not change (no N+1).
    print(
        "query-count check (same call for a small and a large scope must issue the same number of queries):"
    )
    pairs = [
        ("dashboard.coverage(district)", "dashboard.coverage(community)"),
        ("dashboard.coverage(street)", "dashboard.coverage(community)"),
        ("dashboard.level_counts(district)", "dashboard.level_counts(community)"),
        ("GET grid list page 1 (district)", "GET grid list page 1 (community)"),
        ("GET building list page 1 (district)", "GET building list page 1 (community)"),
    ]
    for a, b in pairs:
        qa, qb = rep.get(a)["queries"], rep.get(b)["queries"]
        verdict = "ok" if qa == qb else "DIFFERS"
        print(f"  {a:<42} {qa:>3}   {b:<40} {qb:>3}   {verdict}")
    print("query plans for the community worker's scope (prefix match on scope_code):")
    for label, plan in data["plans"].items():
        print(f"  {label}:")
        for pl in plan.splitlines():
            print(f"    {pl}")
    print(line)

    if rep.show_sql:
        for label, queries in rep.sql:
            print(f"\n--- {label}: {len(queries)} queries")
            for i, q in enumerate(queries, 1):
                print(f"  [{i}] {float(q['time']) * 1000:.1f} ms  {q['sql'][:600]}")


def main(argv=None):
    args = parse_args(argv)
    created = setup_django()
    try:
        from django.core.management import call_command
        from django.db import connection

        from shequ.core.models import User
        from shequ.org.models import OrgUnit

        call_command("migrate", verbosity=0)
        if (
            OrgUnit.objects.filter(code__startswith=DISTRICT).exists()
            or User.objects.filter(username__in=USERNAMES.values()).exists()
        ):
            sys.exit(
                f"The database already holds benchmark data (district {DISTRICT} or bench_* users). "
                "Run against a fresh database: unset SHEQU_DATA_DIR for SQLite, or create a new PostgreSQL db."
            )
        db_label = database_label()
        print(f"Building synthetic district on {connection.vendor} …", flush=True)
        data = build_district(args, random.Random(args.seed))
        print(f"  {data['build_rows']:,} rows in {data['build_seconds']:.1f} s; measuring …", flush=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")  # fresh statistics, as autovacuum would have after a real load
        rep = Report(show_sql=args.show_sql)
        t0 = time.perf_counter()
        scope_size = run_measurements(args, data, rep)
        print(f"  measured in {time.perf_counter() - t0:.1f} s\n", flush=True)
        print_report(args, data, rep, scope_size, db_label)
    finally:
        if created:
            from django.db import connections

            connections.close_all()
            if args.keep:
                print(f"Kept data dir {created}")
            else:
                shutil.rmtree(created, ignore_errors=True)


if __name__ == "__main__":
    main()
