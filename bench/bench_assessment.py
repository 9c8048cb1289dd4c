#!/usr/bin/env python
"""Hand-run benchmark of an assessment round (not a pytest test): all indicators of a scheme for a
district of 500 communities, on SQLite (the embedded default's settings) in a fresh temp database.

The database is migrated and given 20 streets × 25 communities, a district administrator, and a
scheme with every catalogue indicator that applies to communities by year (linear rule) plus two
manual items; one round over the 500 communities is opened. Then, after a warm-up, `--repeat`
rounds; in each round every figure is timed once, in turn with the floor (paired, interleaved):

  fresh       rounds.compute_round(source="live"): every indicator through indicators.figures →
              evaluate_many for all 500 scopes at once, the figures stored with the round, scored,
              totalled, ranked and graded
  snapshots   rounds.compute_round(source="snapshots") after indicators.take_snapshots: the same
              from the stored snapshots
  stored      rounds.rescore: totals, ranks and grades from the round's stored figures
  floor       the round's stored item scores read with values_list and nothing done with them

Goals (issue 20): fresh ≤ 5 s, from stored figures/snapshots ≤ 500 ms. Medians, p95 and the median
of the paired ratios figure ÷ floor. The synthetic district holds org units only: the indicators
compute over empty modules (what the figures cost is the grouped queries, not the rows; see
bench_indicators.py for the case figures at 1M cases).

    .venv/bin/python bench/bench_assessment.py --repeat 7
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
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="bench-assessment-")
    os.environ["SHEQU_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    import django

    django.setup()
    from shequ.assessment.models import ItemScore
    from shequ.assessment.services import rounds
    from shequ.core import indicators

    user = setup()
    s, r, n_ind = scheme(user)
    codes = list(r.entries.values_list("unit__code", flat=True))
    for it in s.items.exclude(indicator=""):
        indicators.take_snapshots(user, it.indicator, codes, r.start, r.end)
    n = [0]

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

    figures = {"fresh": fresh, "snapshots": snaps, "stored": stored, "floor": floor}
    rounds.compute_round(user, r.pk)  # warm-up (the first computation)
    for fn in figures.values():
        fn()
    times = {k: [] for k in figures}
    for _ in range(args.repeat):
        for k, fn in figures.items():
            times[k].append(timed(fn))
    print(
        f"SQLite, {len(codes)} communities, {n_ind} catalogue indicator(s) + 2 manual items, {args.repeat} rounds"
    )
    for k, ts in times.items():
        ratio = (
            statistics.median(a / b for a, b in zip(ts, times["floor"], strict=True)) if k != "floor" else 1
        )
        p95 = sorted(ts)[max(0, int(len(ts) * 0.95) - 1)]
        print(f"  {k:10s} median {statistics.median(ts):8.1f} ms   p95 {p95:8.1f} ms   ÷ floor {ratio:6.1f}")
    goal = {"fresh": 5000, "snapshots": 500, "stored": 500}
    for k, g in goal.items():
        m = statistics.median(times[k])
        print(f"  goal {k}: ≤ {g} ms → {'met' if m <= g else 'NOT met'} ({m:.0f} ms)")


if __name__ == "__main__":
    main()
