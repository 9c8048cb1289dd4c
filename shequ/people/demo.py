"""Demo residents for the communities of 纸坊街道 that shequ.org.demo builds: 5,000–7,000 people
in each, living in the demo's houses, with households, tags, visit histories and population
events. Seed data, not a user act: bulk inserts, one transaction per community, one change-log
row for the whole load. Repeatable: `is_loaded()` and `reset()`."""

import datetime as dt
import json
import random
import time

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from shequ.core import changelog
from shequ.core.models import Action, Membership
from shequ.core.roles import Role
from shequ.org.models import Assignment, House, HouseUse, OrgUnit, Post
from shequ.people import synth
from shequ.people.choices import EventKind, Relationship, Status
from shequ.people.models import (
    Household,
    PopulationEvent,
    Resident,
    ResidentTag,
    TagDefinition,
    Transfer,
    Visit,
    duty_start,
    visit_policy,
)

STREET = "420115001"
BATCH = 2000
TARGET_RANGE = (5000, 7000)


def _codes(codes=None) -> list[str]:
    if codes:
        return list(codes)
    from shequ.org import demo as org_demo

    return [c[0] for c in org_demo.COMMUNITIES]


def is_loaded(codes=None) -> bool:
    return Resident.objects.filter(community__code__in=_codes(codes)).exists()


def reset(codes=None) -> None:
    """Delete the registry of these communities (every resident, household, tag, visit, event and
    transfer) and put their houses' use back to the default."""
    with transaction.atomic():
        for code in _codes(codes):
            mine = Q(resident__community__code=code)
            Transfer.objects.filter(mine | Q(to_community__code=code)).delete()
            for model in (Visit, PopulationEvent, ResidentTag):
                model.objects.filter(mine).delete()
            Household.objects.filter(community__code=code).update(head=None)
            Resident.objects.filter(community__code=code).update(household=None)
            Resident.objects.filter(community__code=code).delete()
            Household.objects.filter(community__code=code).delete()
            House.objects.filter(scope_code__startswith=code).update(use=HouseUse.SELF, owner_name="")


def load(seed: int = 20261121, echo=print, *, codes=None, targets: dict | None = None) -> dict:
    """Fill each community that has houses with residents (targets: code → people, default a
    seeded 5,000–7,000). Does nothing if the registry of these communities is not empty."""
    codes = _codes(codes)
    if is_loaded(codes):
        echo("居民演示数据已存在，跳过载入。")
        return {}
    t0 = time.perf_counter()
    today = timezone.localdate()
    definitions = {t.code: t for t in TagDefinition.objects.filter(active=True, rule="")}
    intervals = {c: t.visit_interval_days for c, t in definitions.items() if t.visit_interval_days}
    results = {}
    for community in OrgUnit.objects.filter(code__in=codes, level="community").order_by("code"):
        rng = random.Random(f"{seed}-{community.code}")
        target = (targets or {}).get(community.code) or rng.randint(*TARGET_RANGE)
        started = time.perf_counter()
        with transaction.atomic(), synth.gc_paused():
            counts = _load_community(community, rng, target, today, definitions, intervals)
        if counts:
            counts["seconds"] = round(time.perf_counter() - started, 1)
            results[community.code] = counts
            echo(
                f"  {community.display_name}：在册居民 {counts['active']:,}（另有迁出 {counts['moved_out']}、"
                f"死亡 {counts['deceased']}），户 {counts['households']:,}，标签 {counts['tags']:,}，"
                f"走访 {counts['visits']:,}，人口变动 {counts['events']:,}，用时 {counts['seconds']} 秒"
            )
    seconds = time.perf_counter() - t0
    total = sum(c["active"] for c in results.values())
    if results:
        changelog.record(
            None,
            Action.IMPORT,
            None,
            scope_code=STREET if all(c.startswith(STREET) for c in results) else None,
            note=f"载入演示居民数据：{len(results)} 个社区，在册居民 {total}",
        )
    echo(f"居民演示数据载入完成，用时 {seconds:.1f} 秒：{len(results)} 个社区，在册居民 {total:,}。")
    return results


def _visitors(community) -> dict:
    """Who visits in each grid: (user or None, name, weight). A grid worker with an account
    records the visits of their own grid (a visit outside their grid would be outside their scope);
    elsewhere the 网格员/网格长 on the roster, by name."""
    out: dict[str, list] = {}
    memberships = Membership.objects.active().filter(role=Role.GRID_WORKER, grid__community=community)
    for m in memberships.select_related("user", "grid").order_by("pk"):
        out.setdefault(m.grid.code, []).append((m.user, str(m.user)[:50], 30))
    roster = Assignment.objects.current().filter(grid__community=community, building__isnull=True)
    weights = {Post.FULL_TIME: 4, Post.GRID_LEAD: 2, Post.PART_TIME: 1}
    for a in roster.select_related("grid").order_by("pk"):
        if a.post in weights:
            out.setdefault(a.grid.code, []).append((a.user, a.person_name, weights[a.post]))
    return out


def _update_many(model, fields: list[str], rows: list[tuple]) -> None:
    """UPDATE … WHERE id = %s for many rows in one executemany: bulk_update's CASE expressions
    cost a quarter of the load for the same effect. `rows` are (values…, pk)."""
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(meta.get_field(f).column)} = %s" for f in fields)
    # Only model metadata goes into the text; every value is a parameter.
    sql = f"UPDATE {quote(meta.db_table)} SET {columns} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _pick(rng, choices):
    total = sum(c[2] for c in choices)
    x = rng.random() * total
    for c in choices:
        x -= c[2]
        if x < 0:
            return c
    return choices[-1]


def _aware(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _load_community(community, rng, target, today, definitions, intervals) -> dict:
    houses = {}
    for h in House.objects.filter(scope_code__startswith=community.code).select_related("unit__building"):
        b = h.unit.building
        houses[(b.compound, b.number, h.unit.number, h.number)] = h
    if not houses:
        return {}
    prefix = synth.default_prefix(community.code) + community.display_name
    plan = synth.plan_community(
        rng,
        community.code,
        sorted(houses),
        target,
        today=today,
        address_prefix=prefix,
        seq_digit=int(community.code[-1]),
    )

    # Households first (residents point at them), their heads once the residents exist.
    households = {}
    for key, hr in plan.households.items():
        house = houses[hr.address]
        hh = Household(
            community=community,
            house=house,
            number=hr.number,
            tenure=hr.tenure,
            landlord_name=hr.landlord_name,
            lease_start=hr.lease_start,
            lease_end=hr.lease_end,
            remarks=hr.remarks,
        )
        hh.scope_code = house.scope_code
        households[key] = hh
    Household.objects.bulk_create(households.values(), batch_size=BATCH)

    residents = []
    visits_by_row = []
    now = timezone.now()
    visitors = _visitors(community)
    for row in plan.rows:
        house = houses[row.address]
        res = Resident(
            community=community,
            house=house,
            household=households.get(row.household_key),
            relationship=row.relationship,
            name=row.name,
            doc_type=row.doc_type,
            doc_number=row.doc_number,
            gender=row.gender,
            birth_date=row.birth_date,
            ethnicity=row.ethnicity,
            education=row.education,
            political_status=row.political_status,
            marital_status=row.marital_status,
            phone=row.phone,
            registered_address=row.registered_address,
            residence_type=row.residence_type,
            move_in_date=row.move_in_date,
            employment=row.employment,
            work_unit=row.work_unit,
            status=row.status,
            remarks=row.remarks,
        )
        res.scope_code = house.scope_code
        visits = []
        if row.status == Status.ACTIVE and row.tags:
            planned, interval, _last, _due = synth.visit_history(rng, row, intervals, today=today)
            grid_visitors = visitors.get(house.scope_code[:15]) or [(None, "网格员", 1)]
            for v in planned:
                when = _aware(v.date, v.hour, v.minute)
                while when > now:  # planned for later today: it happened the day before
                    when -= dt.timedelta(days=1)
                user, name, _w = _pick(rng, grid_visitors)
                visits.append(
                    Visit(
                        visited_at=when,
                        visitor=user,
                        visitor_name=name,
                        method=v.method,
                        findings=v.findings,
                        follow_up=v.follow_up,
                        follow_up_note=v.follow_up_note,
                    )
                )
            if interval:
                last = max((timezone.localdate(v.visited_at) for v in visits), default=None)
                # The tags are recorded today: a visit duty begins no earlier (as services compute it).
                tags = [
                    (intervals.get(t.code), duty_start(t.start_date, today)) for t in row.current_tags(today)
                ]
                res.visit_interval_days, res.next_visit_due = visit_policy(row.status, tags, last)
                res.last_visit_on = last
        residents.append(res)
        visits_by_row.append(visits)
    Resident.objects.bulk_create(residents, batch_size=BATCH)

    heads = []
    for row, res in zip(plan.rows, residents, strict=True):
        if row.relationship == Relationship.HEAD and row.household_key:
            hh = households[row.household_key]
            hh.head = res
            heads.append((res.pk, hh.pk))
    _update_many(Household, ["head"], heads)

    tags, events, visits = [], [], []
    for row, res, planned in zip(plan.rows, residents, visits_by_row, strict=True):
        for t in row.tags:
            definition = definitions.get(t.code)
            if definition is None:  # switched off or deleted on this installation
                continue
            tags.append(
                ResidentTag(
                    resident=res,
                    tag_key=definition.key,
                    detail=json.dumps(t.detail, ensure_ascii=False) if t.detail else "",
                    start_date=t.start_date or today,
                    end_date=t.end_date,
                )
            )
        address = res.house.address
        for e in row.events:
            if e.kind == EventKind.REGISTER:
                detail = {"community": community.code, "house": address}
            elif e.kind == EventKind.MOVE_IN:
                detail = {"from": "", "to": address}
            elif e.kind in (EventKind.MOVE_OUT, EventKind.DEATH):
                detail = {"house": address, "relationship": e.detail.get("relationship", "")}
            else:
                detail = {"house": address}
            events.append(PopulationEvent(resident=res, kind=e.kind, date=e.date, detail=detail, note=e.note))
        for v in planned:
            v.resident = res
            visits.append(v)
    ResidentTag.objects.bulk_create(tags, batch_size=BATCH)
    PopulationEvent.objects.bulk_create(events, batch_size=BATCH)
    Visit.objects.bulk_create(visits, batch_size=BATCH)

    _update_many(
        House,
        ["use", "owner_name"],
        [(use, owner[:50], houses[a].pk) for a, (use, owner) in plan.houses.items()],
    )

    statuses = [r.status for r in plan.rows]
    return {
        "active": statuses.count(Status.ACTIVE),
        "moved_out": statuses.count(Status.MOVED_OUT),
        "deceased": statuses.count(Status.DECEASED),
        "households": len(households),
        "tags": len(tags),
        "visits": len(visits),
        "events": len(events),
        "overdue": sum(1 for r in residents if r.next_visit_due and r.next_visit_due < today),
    }
