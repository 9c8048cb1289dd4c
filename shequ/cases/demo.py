"""Demo cases for the four communities of 纸坊街道 that shequ.org.demo builds: six months of
requests from every channel, most closed and called back, some still waiting on the demo
accounts' units (the community workers, the grid worker, the district's civil-affairs bureau), so
the to-do lists, the map and the indicators have something to show. Seed data, not a user act:
one bulk insert (see cases.synth), one change-log row. Repeatable: `is_loaded()` and `reset()`."""

import time

from django.utils import timezone

from shequ.cases import synth
from shequ.cases.models import Case
from shequ.core import changelog
from shequ.core.models import Action, Membership

STREET = "420115001"
CASES = 3200  # about 800 per community over six months: a busy street office's share
MONTHS = 6
RECENT = 60
# The demo department account's bureau takes the street's civil-affairs cases.
DEPARTMENT = "江夏区民政局"
DEPARTMENT_CATEGORIES = ("0502", "0705", "0706")


def _codes(codes=None) -> list[str]:
    if codes:
        return list(codes)
    from shequ.org import demo as org_demo

    return [c[0] for c in org_demo.COMMUNITIES]


def is_loaded(codes=None) -> bool:
    from shequ.core.scope import prefix_q

    return Case.objects.filter(prefix_q("scope_code", _codes(codes))).exists()


def reset(codes=None) -> None:
    """Delete every case (and its timeline) of these communities."""
    synth.reset_scope(_codes(codes))


def _demo_people() -> tuple[dict, dict]:
    """Who acts on the timeline (unit code or department → (user id, label)) and which residents
    filed online requests (community code → user ids): the demo accounts where they exist."""
    from shequ.org import demo as org_demo

    actors, residents = {}, {}
    names = [a[0] for a in org_demo.ACCOUNTS]
    ms = (
        Membership.objects.filter(user__username__in=names)
        .select_related("user", "org", "grid")
        .order_by("pk")
    )
    for m in ms:
        label = str(m.user)[:100]
        if m.role == "resident" and m.org_id:
            residents.setdefault(m.org.code, []).append(m.user_id)
        elif m.role == "department" and m.department:
            actors.setdefault(m.department, (m.user_id, label))
        elif m.grid_id:
            actors.setdefault(m.grid.code, (m.user_id, label))
        elif m.org_id and m.role in ("street", "community_worker"):
            actors.setdefault(m.org.code, (m.user_id, label))
    return actors, residents


def load(seed: int = 20261121, echo=print, *, n: int = CASES) -> dict:
    """Generate the demo cases once (nothing happens if these communities already have cases)."""
    codes = _codes()
    if is_loaded(codes):
        echo("案件演示数据已存在，跳过载入。")
        return {}
    t0 = time.perf_counter()
    actors, residents = _demo_people()
    plan = synth.generate(
        n,
        streets=[STREET],
        seed=seed,
        months=MONTHS,
        now=timezone.now(),
        departments=dict.fromkeys(DEPARTMENT_CATEGORIES, DEPARTMENT),
        requester_users=residents,
        actors=actors,
    )
    # The last fortnight again in the demo grid worker's grid, so that every demo account (the grid
    # worker, the community worker above it) opens a to-do list with work in it.
    grid = next((code for code in actors if len(code) == 15 and code.startswith(codes[0])), None)
    if grid:
        recent = synth.generate(
            RECENT,
            streets=[STREET],
            seed=seed + 1,
            months=0.5,
            now=timezone.now(),
            requester_users=residents,
            actors=actors,
            within=[grid],
        )
        plan.cases += recent.cases
        plan.events += recent.events
    seconds = time.perf_counter() - t0
    open_count = Case.objects.filter(scope_code__startswith=STREET).open().count()
    changelog.record(
        None,
        Action.IMPORT,
        None,
        scope_code=STREET,
        note=f"载入演示案件数据：{plan.cases} 件，办理记录 {plan.events} 条",
    )
    echo(
        f"案件演示数据载入完成，用时 {seconds:.1f} 秒：案件 {plan.cases:,} 件（在办 {open_count}），"
        f"办理记录 {plan.events:,} 条。"
    )
    return {"cases": plan.cases, "events": plan.events, "open": open_count, "seconds": round(seconds, 1)}
