#!/usr/bin/env python
"""Hand-run benchmark of issue 20's goal (not a pytest test): all indicators of a scheme for a
district of 500 communities, computed in at most 5 s from fresh data and in at most 500 ms from
snapshots. SQLite (the embedded default's settings) in a fresh temp database, or PostgreSQL when
SHEQU_DATABASE_URL names a fresh, empty database.

The database is migrated and given 20 streets × 25 communities, a district administrator, and a
scheme with every catalogue indicator that applies to communities by year (linear rule) plus two
manual items; one round over the 500 communities is opened and the snapshots of every indicator
item are taken. Then, after a warm-up, `--repeat` rounds; in each round every figure is timed once,
each goal figure right before its floor (paired, interleaved):

  figures fresh      for every catalogue indicator item of the scheme, indicators.figures(user, key,
                     the 500 codes, start, end): live, through each module's compute_many
  floor fresh        per indicator, one plain grouped COUNT query over the district's org units
                     grouped on the community prefix (Substr(code, 1, 12)), read to a list: the least
                     a grouped figure of 500 scopes costs (one query, 500 groups, no permission
                     check, no Python per scope), so the ratio says what the modules add to it
  figures snapshots  the same with from_snapshots=True (every scope has a current snapshot)
  floor snapshots    per indicator, the current snapshot rows of the 500 codes read with
                     values_list (code, value, numerator, denominator): the plainest read of the
                     same rows, without the permission check and the figure dicts

Information rows (not the goal), after them in the same round:

  round live         rounds.compute_round(source="live"): the figures above, stored with the round,
                     scored, totalled, ranked and graded
  round snapshots    rounds.compute_round(source="snapshots")
  rescore            rounds.rescore: totals, ranks and grades from the round's stored figures
  floor round        the round's stored item scores read with values_list and nothing done with them

Goals (issue 20): figures fresh ≤ 5 s, figures snapshots ≤ 500 ms. Medians, p95 (nearest rank) and
the median of the paired ratios figure ÷ floor. The synthetic district holds org units only: the
indicators compute over empty modules (what the figures cost here is the grouped queries and the
per-scope work, not the rows; see bench_indicators.py for the case figures at 1M cases).
`--profile FILE` writes a cProfile of one fresh figures run (and FILE.round of one live round).

    .venv/bin/python bench/bench_assessment.py --repeat 5
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DISTRICT = "420199"
STREETS, COMMUNITIES = 20, 25


def setup():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from shequ.core.models import Membership, User
    from shequ.core.roles import Role
    from shequ.org.models import OrgUnit

    d = OrgUnit.objects.create(code=DISTRICT, name="基准区", level="district")
    units = []
    for s in range(1, STREETS + 1):
        st = OrgUnit.objects.create(code=f"{DISTRICT}{s:03d}", name=f"基准街道{s}", level="street", parent=d)
        units += [OrgUnit(code=f"{st.code}{c:03d}", name=f"基准社区{s}-{c}", level="community", parent=st)
                  for c in range(1, COMMUNITIES + 1)]  # fmt: skip
    OrgUnit.objects.bulk_create(units)
    u = User.objects.create_user("bench_district", password="x")
    Membership.objects.create(user=u, org=d, role=Role.DISTRICT)
    return u


def scheme(user):
    from decimal import Decimal

    from shequ.assessment.demo import _dimensions, indicator_items
    from shequ.assessment.services import rounds, schemes

    data = indicator_items(user, Decimal("60"))
    manual = [("工作实绩", [{"label": "党组织规范化建设", "weight": "20" if data else "50", "rule": "manual"},
                            {"label": "为民服务实事", "weight": "20" if data else "50", "rule": "manual"}])]  # fmt: skip
    s = schemes.create_scheme(user, org=DISTRICT, name="基准综合考核", dimensions=_dimensions(data, manual),
                              grades=[{"name": "优秀", "min": "90"}, {"name": "合格", "min": "60"}])  # fmt: skip
    return s, rounds.open_round(user, scheme=s, period="2026"), len(data)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--profile", help="write a cProfile of one fresh figures run to this file")
    args = p.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="bench-assessment-")
    os.environ["SHEQU_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import Substr

    from shequ.assessment.models import ItemScore
    from shequ.assessment.services import rounds
    from shequ.core import indicators
    from shequ.core.models import IndicatorSnapshot
    from shequ.org.models import OrgUnit

    user = setup()
    s, r, n_ind = scheme(user)
    codes = list(r.entries.values_list("unit__code", flat=True))
    keys = list(dict.fromkeys(s.items.exclude(indicator="").values_list("indicator", flat=True)))
    for key in keys:
        indicators.take_snapshots(user, key, codes, r.start, r.end)
    n = [0]

    def figures_fresh():
        for key in keys:
            indicators.figures(user, key, codes, r.start, r.end)

    def floor_fresh():
        for _key in keys:
            list(
                OrgUnit.objects.filter(code__startswith=DISTRICT, level="community")
                .annotate(c=Substr("code", 1, 12))
                .values("c")
                .annotate(n=Count("id"))
                .values_list("c", "n")
            )

    def figures_snaps():
        for key in keys:
            found = indicators.figures(user, key, codes, r.start, r.end, from_snapshots=True)
            assert all("taken_at" in f for f in found.values()), key  # none computed live

    def floor_snaps():
        for key in keys:
            list(
                IndicatorSnapshot.objects.filter(
                    key=key, code__in=codes, start=r.start, end=r.end, current=True
                ).values_list("code", "value", "numerator", "denominator")
            )

    def fresh():
        n[0] += 1
        rounds.compute_round(user, r.pk, source="live", reason=f"基准 {n[0]}")

    def snaps():
        n[0] += 1
        rounds.compute_round(user, r.pk, source="snapshots", reason=f"基准 {n[0]}")

    def stored():
        rounds.rescore(r)

    def floor():
        list(ItemScore.objects.filter(entry__round=r).values_list("entry_id", "item_id", "value", "points"))

    figures = {
        "figures fresh": figures_fresh, "floor fresh": floor_fresh,
        "figures snapshots": figures_snaps, "floor snapshots": floor_snaps,
        "round live": fresh, "round snapshots": snaps, "rescore": stored, "floor round": floor,
    }  # fmt: skip
    floors = {"figures fresh": "floor fresh", "figures snapshots": "floor snapshots",
              "round live": "floor round", "round snapshots": "floor round", "rescore": "floor round"}  # fmt: skip
    rounds.compute_round(user, r.pk)  # warm-up (the first computation)
    for fn in figures.values():
        fn()
    if args.profile:
        import cProfile

        cProfile.runctx("figures_fresh()", globals(), {"figures_fresh": figures_fresh}, args.profile)
        cProfile.runctx("fresh()", globals(), {"fresh": fresh}, args.profile + ".round")
    times = {k: [] for k in figures}
    loads = []
    for _ in range(args.repeat):
        for k, fn in figures.items():
            times[k].append(timed(fn))
        loads.append(os.getloadavg()[0])
    vendor = connection.vendor
    print(
        f"bench_assessment — {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {os.cpu_count()} CPUs (shared, load average "
        f"{min(loads):.2f}–{max(loads):.2f} during the rounds), Python {sys.version.split()[0]}"
    )
    print(
        f"{vendor}, {len(codes)} communities, {len(keys)} catalogue indicator(s) + 2 manual items, "
        f"{args.repeat} rounds (medians, p95, median of paired ratios to the floor)"
    )
    for k, ts in times.items():
        fl = floors.get(k)
        ratio = statistics.median(a / b for a, b in zip(ts, times[fl], strict=True)) if fl else 1
        p95 = sorted(ts)[max(0, -(-len(ts) * 95 // 100) - 1)]
        print(f"  {k:18s} median {statistics.median(ts):8.1f} ms   p95 {p95:8.1f} ms   ÷ floor {ratio:6.1f}")
    goal = {"figures fresh": 5000, "figures snapshots": 500}
    for k, g in goal.items():
        m = statistics.median(times[k])
        print(f"  goal {k}: ≤ {g} ms → {'met' if m <= g else 'NOT met'} ({m:.0f} ms)")


if __name__ == "__main__":
    main()
