#!/usr/bin/env python
"""Hand-run benchmark of facility compliance and utilisation (not a pytest test): a district of 500
communities with their premises and a year of bookings, on PostgreSQL and SQLite.

Per database a subprocess migrates a fresh database (PostgreSQL: a new database on 127.0.0.1:5432;
SQLite: a file with the embedded default's settings) and writes, with bulk inserts:

  20 streets × 25 communities (one in five a village); per community 8 facilities of mixed kinds
  and tenures (4 bookable rooms, 2,000 in all), and per room a year of bookings (`--per-room`,
  default 100: 200,000 bookings, about seven in ten checked in). The half-hour slot rows that
  guard against double booking are not written: no report reads them.

Then, after a warm-up, `--repeat` rounds; in each round every figure is timed once, in turn with
the floor (paired, interleaved runs: a machine that slows down slows both), for the district
administrator:

  compliance   services.compliance(district): 500 communities against their standards
  use_year     services.utilisation(district, the last 365 days): 2,000 rooms
  use_month    services.utilisation(district, this month)
  page         GET /facilities/?scope=<district> (test Client): compliance, the map, overdue handovers
  floor        the two aggregates the reports start from, read with values_list and nothing done with
               them (facility area per community, kind and tenure; booked and attended hours per room
               over the year): what no report can go below

Goal (issue 16): compliance and utilisation ≤ 500 ms. Medians, p95 and the median of the paired
ratios figure ÷ floor; CPU time and load average printed.

    .venv/bin/python bench/bench_facilities.py
    .venv/bin/python bench/bench_facilities.py --db sqlite --per-room 50 --repeat 5
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
STREETS, COMMUNITIES = 20, 25
GOAL_MS = 500.0
FIGURES = ("compliance", "use_year", "use_month", "page", "floor")
GOALS = ("compliance", "use_year", "use_month", "page")
HOURS = {**{str(d): [["08:30", "12:00"], ["14:00", "21:00"]] for d in range(1, 6)}, "6": [["09:00", "17:00"]],
         "7": [["09:00", "17:00"]]}  # fmt: skip
# (kind, m² range, tenure weights, bookable)
MIX = [("office", (40, 160), True, False), ("service_hall", (60, 200), True, False), ("party_center", (0, 400), True, False),
       ("activity", (40, 150), False, True), ("elderly", (30, 90), False, True), ("library", (30, 80), False, True),
       ("square", (200, 1500), False, True), ("police", (10, 30), False, False)]  # fmt: skip


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("postgresql", "sqlite", "both"), default="both")
    p.add_argument("--per-room", type=int, default=100, help="bookings per room over the year (default 100)")
    p.add_argument("--repeat", type=int, default=15, help="rounds of timings (default 15)")
    p.add_argument("--seed", type=int, default=20261207)
    p.add_argument("--out", help="report file (default bench/results/facilities-<date>.txt)")
    p.add_argument("--step", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def build(per_room: int, seed: int) -> dict:
    """The district, its premises and a year of bookings (bulk inserts)."""
    from django.utils import timezone

    from shequ.core.roles import Role
    from shequ.core.testing.world import make_user
    from shequ.facilities.models import Booking, Facility, FacilityKind, Handover
    from shequ.org.models import Level, OrgUnit

    rng = random.Random(seed)
    today = timezone.localdate()
    district = OrgUnit.objects.create(code=DISTRICT, name="基准区", level=Level.DISTRICT)
    streets = OrgUnit.objects.bulk_create(
        [OrgUnit(code=f"{DISTRICT}{s:03d}", name=f"第{s}街道", level=Level.STREET, parent=district)
         for s in range(1, STREETS + 1)]
    )  # fmt: skip
    communities = OrgUnit.objects.bulk_create(
        [OrgUnit(code=f"{st.code}{c:03d}" if c % 5 else f"{st.code}{200 + c:03d}",
                 name=f"第{c}社区居民委员会" if c % 5 else f"第{c}村村民委员会", level=Level.COMMUNITY,
                 kind="residents" if c % 5 else "village", parent=st, center_lat=30.3 + c / 1000,
                 center_lng=114.3 + int(st.code[-3:]) / 1000)
         for st in streets for c in range(1, COMMUNITIES + 1)]
    )  # fmt: skip
    user = make_user("bench_district", Role.DISTRICT, district)
    kinds = {k.code: k for k in FacilityKind.objects.all()}
    facilities = []
    for c in communities:
        for n, (kind, (lo, hi), office, bookable) in enumerate(MIX):
            if office and rng.random() < 0.08:  # some communities lack an office or a hall
                continue
            area = rng.randint(lo, hi) if hi else 0
            if area <= 0:
                continue
            tenure = rng.choices(["owned", "rented", "developer", "transferred"], [5, 3, 1, 1])[0]
            rent = {"annual_rent": Decimal(rng.randint(20, 90) * 1000), "lease_start": dt.date(2024, 1, 1),
                    "lease_end": dt.date(2027, 12, 31)} if tenure == "rented" else {}  # fmt: skip
            facilities.append(Facility(
                community=c, scope_code=c.code, name=f"{c.name}{kind}{n}", kind=kinds[kind], area=Decimal(area),
                tenure=tenure, opening_hours=HOURS, bookable=bookable, door_key="bench", lat=c.center_lat,
                lng=c.center_lng, **rent))  # fmt: skip
    Facility.objects.bulk_create(facilities, batch_size=2000)
    rooms = [f for f in facilities if f.bookable]
    now = timezone.now()
    start0 = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=365), dt.time(9)))
    bookings = []
    for room in rooms:
        for _i in range(per_room):
            start = start0 + dt.timedelta(days=rng.randint(0, 379), hours=rng.randint(0, 9))
            hours = rng.choice([1, 1.5, 2, 3])
            end = start + dt.timedelta(hours=hours)
            bookings.append(Booking(
                facility=room, scope_code=room.scope_code, booker=user, booker_kind="team", team_name="基准团队",
                purpose="基准", start=start, end=end, hours=Decimal(str(hours)), fee=0,
                status="approved" if rng.random() < 0.95 else "cancelled",
                checked_in_at=start if end < now and rng.random() < 0.7 else None))  # fmt: skip
        if len(bookings) >= 20_000:
            Booking.objects.bulk_create(bookings, batch_size=5000)
            bookings = []
    Booking.objects.bulk_create(bookings, batch_size=5000)
    Handover.objects.bulk_create(
        [Handover(estate=f"基准小区{i}", developer="基准置业", street=streets[i % STREETS], scope_code=streets[i % STREETS].code,
                  required_area=Decimal(300), due_on=today - dt.timedelta(days=30 * (i % 3) - 20)) for i in range(60)]
    )  # fmt: skip
    return {
        "user": user,
        "facilities": len(facilities),
        "rooms": len(rooms),
        "bookings": Booking.objects.count(),
    }


def measure(args) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Q, Sum
    from django.utils import timezone

    from shequ.facilities import services
    from shequ.facilities.models import Booking, Facility

    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    data = build(args.per_room, args.seed)
    built = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    user = data["user"]
    today = timezone.localdate()
    year_ago = today - dt.timedelta(days=365)
    client = logged_in(user)

    def fresh():
        for k in [k for k in user.__dict__ if k.startswith("_shequ")]:
            user.__dict__.pop(k)
        return user

    def page():
        r = client.get("/facilities/", {"scope": DISTRICT})
        assert r.status_code == 200, r.status_code  # noqa: S101

    def floor():
        u = fresh()
        list(Facility.objects.visible_to(u).filter(in_use=True, provider__isnull=True)
             .values_list("scope_code", "kind_id", "tenure").annotate(a=Sum("area"), n=Count("id")))  # fmt: skip
        start = services.bookings.day_start(year_ago)
        list(Booking.objects.filter(scope_code__gte=DISTRICT, scope_code__lt="420200", start__gte=start,
                                    status="approved").values_list("facility_id")
             .annotate(b=Sum("hours"), a=Sum("hours", filter=Q(checked_in_at__isnull=False)), n=Count("id")))  # fmt: skip

    calls = {
        "compliance": lambda: services.compliance(fresh(), DISTRICT),
        "use_year": lambda: services.utilisation(fresh(), DISTRICT, year_ago, today),
        "use_month": lambda: services.utilisation(fresh(), DISTRICT, today.replace(day=1), today),
        "page": page,
        "floor": floor,
    }
    report = services.compliance(fresh(), DISTRICT)
    use = services.utilisation(fresh(), DISTRICT, year_ago, today)
    for fn in calls.values():
        fn()
    times = {k: [] for k in calls}
    cpu0 = time.process_time()
    for _i in range(args.repeat):
        for name, fn in calls.items():
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) * 1000)
    return {"vendor": connection.vendor, "built_s": round(built, 1), "times": times,
            "cpu_s": round(time.process_time() - cpu0, 2), "load": os.getloadavg()[0],
            "communities": report["communities"], "met_all": report["met_all"], "rental_rate": str(report["rental_rate"]),
            "booked_rate": str(use["booked_rate"]), "attended_rate": str(use["attended_rate"]),
            **{k: data[k] for k in ("facilities", "rooms", "bookings")}}  # fmt: skip


def main(argv=None):
    args = parse_args(argv)
    if args.step == "measure":
        emit(measure(args))
        return
    vendors = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
    out = Out()
    out(f"bench_facilities — {dt.datetime.now():%Y-%m-%d %H:%M}, {machine()}")
    out(f"{STREETS} streets × {COMMUNITIES} communities; 8 facilities each, a year of {args.per_room} bookings per "
        f"bookable room; {args.repeat} rounds, each figure timed in turn with the floor after a warm-up; goal: "
        f"compliance and utilisation ≤ {GOAL_MS:.0f} ms")  # fmt: skip
    ok_all = True
    with tempfile.TemporaryDirectory(prefix="shequ-bench-fac-") as tmp:
        for vendor in vendors:
            load0 = os.getloadavg()[0]
            with vendor_env(vendor, Path(tmp) / vendor, "fac") as env:
                r = run_step(__file__, ["--step", "measure", "--per-room", str(args.per_room), "--repeat",
                                        str(args.repeat), "--seed", str(args.seed)], env)  # fmt: skip
            out(f"\n=== {vendor} ===  built in {r['built_s']} s: {r['communities']} communities, {r['facilities']:,} "
                f"facilities ({r['rooms']:,} bookable rooms), {r['bookings']:,} bookings; all rules met by "
                f"{r['met_all']}, rental rate {r['rental_rate']}%, a year's booked {r['booked_rate']}% / attended "
                f"{r['attended_rate']}%; CPU {r['cpu_s']} s; load average {load0:.2f} → {r['load']:.2f}")  # fmt: skip
            lines, ok = figure_lines(r["times"], FIGURES, GOALS, GOAL_MS)
            ok_all &= ok
            for line in lines:
                out(line)
    out.write("facilities", args.out)
    sys.exit(0 if ok_all else 1)


if __name__ == "__main__":
    main()
