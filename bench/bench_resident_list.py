#!/usr/bin/env python
"""Hand-run benchmark of the resident list and the document-number lookup at 10k, 100k and 1M
residents on PostgreSQL (not a pytest test).

For each size the script creates a fresh PostgreSQL database on 127.0.0.1:5432 (user postgres),
migrates it, loads N residents with COPY (people from shequ.people.synth, replicated across
communities of ~6,700 with new document numbers and phones; numbers and phones encrypted, blind
indexes computed with shequ.core.crypto, recorded tags as ResidentTag rows keyed by
TagDefinition.key), runs ANALYZE, then times as a sysadmin and a street administrator:

  list      ResidentFilter({'community', 'tag', 'q'}, queryset=Resident.objects.visible_to(user),
            request=…).qs.order_by('scope_code', 'id')[:31] evaluated (what ResidentListView
            fetches: page_size + 1 rows, no COUNT), and GET /people/residents/?community=…&tag=…&q=…
            through the test Client (force_login + the second-factor session flag)
  lookup    Resident.objects.visible_to(user).filter(search_q(full document number)) first page,
            the same through the view, and the bare blind-index lookup

Medians and p95 of 20 runs after one warm-up; growth factors between sizes; EXPLAIN (ANALYZE,
BUFFERS) of the slowest query at the largest size. See bench/README.md.

    .venv/bin/python bench/bench_resident_list.py                               # 10k, 100k, 1M
    .venv/bin/python bench/bench_resident_list.py --sizes 10000,100000 --repeat 10
"""

import argparse
import datetime as dt
import json
import math
import os
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

from bench.driver import Out, emit, machine, p95, run_step, vendor_env  # noqa: E402

DISTRICT = "420199"  # not a real district code (as in bench_org.py)
PER_COMMUNITY = 6_700
COMMUNITIES_PER_STREET = 25
GRIDS_PER_COMMUNITY = 4
TEMPLATES = 8  # distinct synthetic communities, replicated with new numbers and phones
LIST_MS, LOOKUP_MS = 300.0, 20.0
USERS = {"sysadmin": "bench_sysadmin", "street": "bench_street"}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10000,100000,1000000", help="resident counts (default 10k,100k,1M)")
    p.add_argument(
        "--repeat", type=int, default=20, help="timed runs per figure after a warm-up (default 20)"
    )
    p.add_argument("--seed", type=int, default=20261121)
    p.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases and the temp dir")
    p.add_argument("--out", help="also write the report to this file")
    p.add_argument("--step", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--explain", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


# === inside one size's subprocess ================================================================


def say(*parts):
    print(" ".join(str(p) for p in parts), flush=True)


def fresh(user):
    """Drop the per-request caches on the user, so each call pays for them as a request would."""
    for name in ("_shequ_memberships", "_people_tags", "_people_tags_all"):
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
    return result, list(ctx.captured_queries)


def copy_rows(table: str, columns: list[str], rows) -> int:
    from django.db import connection

    n = 0
    with connection.cursor() as cur:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cur.cursor.copy(sql) as cp:
            for row in rows:
                cp.write_row(row)
                n += 1
    return n


def new_id_number(number: str, used: set, salt: int) -> str:
    """A fresh 18-digit number for a replicated person: same region, birth date and sex, another
    sequence number, a valid check character."""
    from shequ.core.validators import id_check_char

    if number not in used:
        used.add(number)
        return number
    stem, parity = number[:14], int(number[16]) % 2
    for k in range(500):
        seq = ((salt * 37 + k) % 500) * 2 + parity
        body = f"{stem}{seq:03d}"
        cand = body + id_check_char(body)
        if cand not in used:
            used.add(cand)
            return cand
    raise RuntimeError(f"no free sequence number for {stem}")


def load(n: int, seed: int) -> dict:
    """Org tree, houses, residents and tags for n residents, with COPY; returns timings."""
    from django.db import connection, transaction
    from django.utils import timezone

    from shequ.core.crypto import blind_index, encrypt, normalize_default
    from shequ.core.roles import Role
    from shequ.core.testing.world import make_user
    from shequ.org.models import Grid, House, Level, OrgUnit, UnitKind
    from shequ.people import synth
    from shequ.people.models import Resident, TagDefinition

    timings = {}
    today = timezone.localdate()
    now = timezone.now()
    n_comm = math.ceil(n / PER_COMMUNITY)
    n_streets = math.ceil(n_comm / COMMUNITIES_PER_STREET)

    t0 = time.perf_counter()
    district = OrgUnit.objects.create(code=DISTRICT, name="基准区", level=Level.DISTRICT)
    streets = OrgUnit.objects.bulk_create(
        [OrgUnit(code=f"{DISTRICT}{s:03d}", name=f"第{s}街道", level=Level.STREET, parent=district)
         for s in range(1, n_streets + 1)]
    )  # fmt: skip
    communities = OrgUnit.objects.bulk_create(
        [
            OrgUnit(
                code=f"{streets[i // COMMUNITIES_PER_STREET].code}{i % COMMUNITIES_PER_STREET + 1:03d}",
                name=f"第{i // COMMUNITIES_PER_STREET + 1}街第{i % COMMUNITIES_PER_STREET + 1}社区居民委员会",
                level=Level.COMMUNITY,
                kind=UnitKind.RESIDENTS,
                parent=streets[i // COMMUNITIES_PER_STREET],
            )
            for i in range(n_comm)
        ]
    )
    grids = Grid.objects.bulk_create(
        [
            Grid(
                community=c, code=f"{c.code}{g:03d}", name=f"{c.name}第{g}网格", scope_code=f"{c.code}{g:03d}"
            )
            for c in communities
            for g in range(1, GRIDS_PER_COMMUNITY + 1)
        ]
    )
    grids_of = {}
    for g in grids:
        grids_of.setdefault(g.community_id, []).append(g)
    users = {
        "sysadmin": make_user(USERS["sysadmin"], Role.SYSADMIN),
        "street": make_user(USERS["street"], Role.STREET, org=streets[0]),
    }
    timings["org"] = time.perf_counter() - t0

    # Template communities: real synth people (names by cohort, ages, tags at synth's rates).
    t0 = time.perf_counter()
    houses = synth.invented_houses(PER_COMMUNITY)
    templates = []
    for k in range(min(TEMPLATES, n_comm)):
        plan = synth.plan_community(
            seed + k, communities[k].code, houses, PER_COMMUNITY, today=today, history=False
        )
        templates.append([r for r in plan.rows if r.status == synth.Status.ACTIVE][:PER_COMMUNITY])
    timings["synth"] = time.perf_counter() - t0

    # Buildings, units, houses: the addresses the template's people live at, per community.
    t0 = time.perf_counter()
    b_rows, u_rows, h_rows = [], [], []
    house_of = []  # per community: address → (house id, scope code)
    bid = uid = hid = 0
    remaining = n
    sizes = []
    for i, c in enumerate(communities):
        m = min(PER_COMMUNITY, remaining, len(templates[i % len(templates)]))
        remaining -= m
        sizes.append(m)
        people = templates[i % len(templates)][:m]
        addresses = sorted({r.address for r in people})
        gl = grids_of[c.pk]
        b_ids, u_ids, h_map = {}, {}, {}
        for compound, building, unit, number in addresses:
            bkey = (compound, building)
            if bkey not in b_ids:
                bid += 1
                g = gl[len(b_ids) % len(gl)]
                b_ids[bkey] = (bid, g.code, f"{compound}{building}")
                b_rows.append((bid, g.code, now, now, 1, g.pk, compound, building, f"{compound}{building}"))
            b_pk, scope, b_addr = b_ids[bkey]
            ukey = (bkey, unit)
            if ukey not in u_ids:
                uid += 1
                u_ids[ukey] = (uid, f"{b_addr}{unit}")
                u_rows.append((uid, scope, now, now, 1, b_pk, unit, f"{b_addr}{unit}"))
            u_pk, u_addr = u_ids[ukey]
            hid += 1
            h_map[(compound, building, unit, number)] = (hid, scope)
            h_rows.append(
                (hid, scope, now, now, 1, u_pk, number, "self", "", House.address_of(u_addr, number))
            )
        house_of.append(h_map)
    with transaction.atomic():
        copy_rows("org_building", ["id", "scope_code", "created_at", "updated_at", "version", "grid_id", "compound",
                                   "number", "address"], b_rows)  # fmt: skip
        copy_rows("org_buildingunit", ["id", "scope_code", "created_at", "updated_at", "version", "building_id",
                                       "number", "address"], u_rows)  # fmt: skip
        copy_rows("org_house", ["id", "scope_code", "created_at", "updated_at", "version", "unit_id", "number",
                                "use", "owner_name", "address"], h_rows)  # fmt: skip
    timings["houses"] = time.perf_counter() - t0
    counts = {"communities": n_comm, "streets": n_streets, "grids": len(grids), "buildings": len(b_rows),
              "houses": len(h_rows)}  # fmt: skip
    del b_rows, u_rows, h_rows

    # Residents and tags.
    tag_defs = {t.code: t for t in TagDefinition.objects.filter(rule="")}
    key_of = {code: t.key for code, t in tag_defs.items()}
    interval_of = {code: t.visit_interval_days for code, t in tag_defs.items()}
    columns = ["id", "scope_code", "created_at", "updated_at", "version", "community_id", "house_id", "household_id",
               "relationship", "name", "doc_type", "doc_number", "doc_index", "gender", "birth_date", "ethnicity",
               "education", "political_status", "marital_status", "phone", "phone_index", "registered_address",
               "residence_type", "move_in_date", "employment", "work_unit", "status", "remarks",
               "visit_interval_days", "last_visit_on", "next_visit_due", "import_batch_id"]  # fmt: skip
    model_cols = {f.column for f in Resident._meta.concrete_fields}
    assert set(columns) == model_cols, f"people_resident columns changed: {model_cols ^ set(columns)}"
    tag_rows = []
    used: set[str] = set()
    rng = random.Random(seed)
    crypto = {"s": 0.0}
    doc_purpose, phone_purpose = "people.resident.doc_number", "people.resident.phone"

    def residents():
        rid = 0
        for i, c in enumerate(communities):
            h_map = house_of[i]
            for r in templates[i % len(templates)][: sizes[i]]:
                rid += 1
                if r.doc_type == synth.DocType.ID_CARD and len(r.doc_number) == 18:
                    number = new_id_number(r.doc_number, used, i)
                else:
                    number = r.doc_number if i < len(templates) else f"{r.doc_number}{i:03d}"
                    used.add(number)
                phone = r.phone
                if phone and i >= len(templates):
                    phone = phone[:3] + f"{rng.randrange(10**8):08d}"
                h_pk, scope = h_map[r.address]
                current = r.current_tags(today)
                intervals = [interval_of[t.code] for t in current if interval_of.get(t.code)]
                interval = min(intervals) if intervals else None
                for t in current:
                    if t.code in key_of:
                        tag_rows.append((rid, key_of[t.code], "", t.start_date or today, None, "", now))
                s = time.perf_counter()
                enc_doc = encrypt(number)
                doc_index = blind_index(normalize_default(number), doc_purpose)
                enc_phone = encrypt(phone) if phone else ""
                phone_index = blind_index(normalize_default(phone), phone_purpose) if phone else ""
                crypto["s"] += time.perf_counter() - s
                yield (
                    rid, scope, now, now, 1, c.pk, h_pk, None, r.relationship, r.name, r.doc_type, enc_doc,
                    doc_index, r.gender, r.birth_date, r.ethnicity, r.education, r.political_status,
                    r.marital_status, enc_phone, phone_index, r.registered_address, r.residence_type,
                    r.move_in_date, r.employment, r.work_unit, "active", r.remarks, interval, None,
                    today + dt.timedelta(days=interval) if interval else None, None,
                )  # fmt: skip

    t0 = time.perf_counter()
    with synth.gc_paused(), transaction.atomic():
        n_res = copy_rows("people_resident", columns, residents())
    timings["residents"] = time.perf_counter() - t0
    timings["residents_crypto"] = crypto["s"]
    t0 = time.perf_counter()
    with transaction.atomic():
        copy_rows("people_residenttag", ["resident_id", "tag_key", "detail", "start_date", "end_date", "note",
                                         "created_at"], tag_rows)  # fmt: skip
    timings["tags"] = time.perf_counter() - t0
    with connection.cursor() as cur:
        for table in ("org_building", "org_buildingunit", "org_house", "people_resident"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - t0
    counts.update(residents=n_res, tags=len(tag_rows))
    by_tag = {}
    for _rid, key, *_ in tag_rows:
        by_tag[key] = by_tag.get(key, 0) + 1
    counts["tag_rates"] = {code: by_tag.get(key, 0) / n_res for code, key in key_of.items()}
    return {"timings": timings, "counts": counts, "users": users, "communities": communities}


def fragments(community, tag_code: str) -> tuple[str, int, str]:
    """A realistic 2-character name fragment for a tag: the most common 2-character given name among
    the community's residents carrying it (and how many of them)."""
    from collections import Counter

    from shequ.people.filters import tag_q
    from shequ.people.models import Resident, TagDefinition

    tag = TagDefinition.objects.get(code=tag_code)
    names = Resident.objects.within(community.code).filter(tag_q(tag)).values_list("name", flat=True)
    c = Counter(n[1:3] for n in names if len(n) >= 3)
    frag, hits = c.most_common(1)[0] if c else ("建国", 0)
    return frag, hits, tag.name


def measure_size(args) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.urls import reverse

    from shequ.core.crypto import blind_index, normalize_default
    from shequ.core.middleware import OTP_SESSION_KEY
    from shequ.people.filters import ResidentFilter, search_q
    from shequ.people.models import Resident, ResidentTag

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    t_migrate = time.perf_counter() - t0
    t0 = time.perf_counter()
    data = load(args.size, args.seed)
    t_load = time.perf_counter() - t0
    say(f"  loaded in {t_load:.1f} s: {json.dumps({k: round(v, 1) for k, v in data['timings'].items()})}")
    say(f"  {json.dumps({k: v for k, v in data['counts'].items() if k != 'tag_rates'})}")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('people_resident')), "
                    "pg_size_pretty(pg_total_relation_size('people_residenttag')), current_setting('shared_buffers'), "
                    "current_setting('work_mem'), current_setting('server_version')")  # fmt: skip
        rel_size, tag_size, shared_buffers, work_mem, version = cur.fetchone()

    community = data["communities"][0]
    n_in_community = Resident.objects.within(community.code).count()
    users = data["users"]
    factory = RequestFactory()

    clients = {}
    for key, u in users.items():
        c = Client()
        c.force_login(u)
        s = c.session
        s[OTP_SESSION_KEY] = True
        s.save()
        clients[key] = c

    cases = []  # (label, kind, fn building the queryset or None, view url, target ms)
    for tag_code in ("living_alone", "dibao"):
        frag, hits, tag_name = fragments(community, tag_code)
        params = {"community": str(community.pk), "tag": tag_code, "q": frag}
        cases.append((f"list {tag_name}+“{frag}”", "list", params, hits))
    params = {"community": str(community.pk), "tag": "living_alone"}
    cases.append(("list 独居老人 (no q)", "list", params, None))

    rng = random.Random(args.seed)
    target_id = rng.choice(list(Resident.objects.within(community.code).values_list("id", flat=True)[:5000]))
    target = Resident.objects.get(pk=target_id)
    doc = target.doc_number

    results = []
    sql_samples = {}
    qs_builders = {}

    def list_qs(user, params):
        req = factory.get("/people/residents/", params)
        req.user = user
        f = ResidentFilter(params, queryset=Resident.objects.visible_to(user), request=req)
        return f.qs.order_by("scope_code", "id")[:31]

    for ukey, user in users.items():
        for label, _kind, params, hits in cases:

            def orm(user=user, params=params):
                return list(list_qs(fresh(user), params))

            rows, queries = capture(orm)
            t = timed(orm, args.repeat)
            counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
            results.append({
                "user": ukey, "label": label, "how": "ORM (filter .qs[:31])", "median": statistics.median(t),
                "p95": p95(t), "queries": len(queries), "count_queries": len(counts), "rows": len(rows),
                "target": LIST_MS, "hits": hits,
            })  # fmt: skip
            qs_builders[(ukey, label)] = lambda user=user, params=params: list_qs(fresh(user), params)
            sql_samples[(ukey, label)] = queries

            url = reverse("people:resident-list")

            def view(ukey=ukey, params=params, url=url):
                r = clients[ukey].get(url, params)
                assert r.status_code == 200, r.status_code
                return r

            resp, queries = capture(view)
            t = timed(view, args.repeat)
            counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
            resident_counts = [s for s in counts if "people_resident" in s]
            results.append({
                "user": ukey, "label": label, "how": "view GET (test Client)", "median": statistics.median(t),
                "p95": p95(t), "queries": len(queries), "count_queries": len(counts),
                "resident_count_queries": len(resident_counts), "bytes": len(resp.content), "target": LIST_MS,
            })  # fmt: skip
            sql_samples[(ukey, label, "view")] = queries

        # (b) full document number
        def lookup(user=user):
            return list(
                Resident.objects.visible_to(fresh(user))
                .filter(search_q(doc))
                .order_by("scope_code", "id")[:31]
            )

        rows, queries = capture(lookup)
        assert [r.pk for r in rows] == [target.pk], "document lookup did not find exactly the target"
        t = timed(lookup, args.repeat)
        results.append({"user": ukey, "label": "lookup full doc number", "how": "ORM visible_to+search_q [:31]",
                        "median": statistics.median(t), "p95": p95(t), "queries": len(queries),
                        "count_queries": 0, "rows": len(rows), "target": LOOKUP_MS})  # fmt: skip
        qs_builders[(ukey, "lookup full doc number")] = lambda user=user: (
            Resident.objects.visible_to(fresh(user)).filter(search_q(doc)).order_by("scope_code", "id")[:31]
        )
        sql_samples[(ukey, "lookup full doc number")] = queries

        def view_lookup(ukey=ukey):
            r = clients[ukey].get(reverse("people:resident-list"), {"q": doc})
            assert r.status_code == 200
            return r

        resp, queries = capture(view_lookup)
        t = timed(view_lookup, args.repeat)
        results.append({"user": ukey, "label": "lookup full doc number", "how": "view GET ?q=<number>",
                        "median": statistics.median(t), "p95": p95(t), "queries": len(queries),
                        "count_queries": sum("COUNT(" in q["sql"].upper() for q in queries), "target": None})  # fmt: skip

    index = blind_index(normalize_default(doc), "people.resident.doc_number")

    def pure():
        return list(Resident.objects.filter(doc_index=index))

    rows, queries = capture(pure)
    assert [r.pk for r in rows] == [target.pk]
    t = timed(pure, args.repeat)
    results.append({"user": "-", "label": "lookup full doc number", "how": "bare blind index (doc_index=…)",
                    "median": statistics.median(t), "p95": p95(t), "queries": len(queries), "count_queries": 0,
                    "rows": 1, "target": LOOKUP_MS})  # fmt: skip
    qs_builders[("-", "bare blind index")] = lambda: Resident.objects.filter(doc_index=index)

    def pure_hmac():
        return list(
            Resident.objects.filter(
                doc_index=blind_index(normalize_default(doc), "people.resident.doc_number")
            )
        )

    t = timed(pure_hmac, args.repeat)
    results.append({"user": "-", "label": "lookup full doc number", "how": "HMAC + blind index",
                    "median": statistics.median(t), "p95": p95(t), "queries": 1, "count_queries": 0,
                    "rows": 1, "target": LOOKUP_MS})  # fmt: skip

    plans = {}
    if args.explain:
        ranked = sorted((r for r in results if "ORM" in r["how"]), key=lambda r: -r["median"])
        chosen = [ranked[0]]
        slow_lookup = next((r for r in ranked if r["label"].startswith("lookup")), None)
        if slow_lookup and slow_lookup is not ranked[0]:
            chosen.append(slow_lookup)
        for r in chosen:
            qs = qs_builders[(r["user"], r["label"])]()
            plans[f"{r['user']}: {r['label']} ({r['how']}, median {r['median']:.1f} ms)"] = {
                "sql": str(qs.query),
                "plan": qs.explain(analyze=True, buffers=True),
            }
        qs = qs_builders[("-", "bare blind index")]()
        plans["bare blind index lookup"] = {
            "sql": str(qs.query),
            "plan": qs.explain(analyze=True, buffers=True),
        }

    sample_sql = {
        f"{k[0]}: {k[1]}" + (" (view)" if len(k) > 2 else ""): [q["sql"] for q in v]
        for k, v in sql_samples.items()
    }
    return {
        "size": args.size,
        "migrate_s": t_migrate,
        "load_s": t_load,
        "timings": data["timings"],
        "counts": data["counts"],
        "community": {"code": community.code, "id": community.pk, "residents": n_in_community},
        "street_scope": Resident.objects.within(data["communities"][0].code[:9]).count(),
        "db": {
            "version": version,
            "shared_buffers": shared_buffers,
            "work_mem": work_mem,
            "resident_table": rel_size,
            "tag_table": tag_size,
        },  # fmt: skip
        "tags_total": ResidentTag.objects.count(),
        "results": results,
        "plans": plans,
        "sql": sample_sql,
    }


# === the driver =================================================================================


def run_size(args, size: int, tmp: Path, explain: bool, out: Out) -> dict:
    argv = ["--step", "size", "--size", str(size), "--repeat", str(args.repeat), "--seed", str(args.seed)] + (
        ["--explain"] if explain else [])  # fmt: skip
    t0 = time.perf_counter()
    with vendor_env("postgresql", tmp / "data", f"list_{size}", keep=args.keep,
                    PYTHONPYCACHEPREFIX=str(tmp / "pycache")) as env:  # fmt: skip
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        db = env["SHEQU_DATABASE_URL"].rsplit("/", 1)[1]
        out(f"\n=== {size:,} residents (database {db}; load average {os.getloadavg()[0]:.1f}) ===")
        result = run_step(__file__, argv, env, out=out)
    result["wall_s"] = time.perf_counter() - t0
    return result


def verdict(ms, target):
    if target is None:
        return ""
    return "PASS" if ms <= target else "FAIL"


def report(args, results: list, out: Out):
    out("\n" + "=" * 110)
    out("RESULTS — resident list and document lookup on PostgreSQL")
    out("=" * 110)
    for r in results:
        c, db = r["counts"], r["db"]
        out(f"\n{r['size']:,} residents: {c['communities']} communities of ≤{PER_COMMUNITY:,} in {c['streets']} street(s), "
            f"{c['houses']:,} houses, {r['tags_total']:,} tag rows; people_resident {db['resident_table']} "
            f"(with indexes), people_residenttag {db['tag_table']}")  # fmt: skip
        t = r["timings"]
        out(f"  load: {r['load_s']:.1f} s (synth {t['synth']:.1f}, houses {t['houses']:.1f}, residents COPY "
            f"{t['residents']:.1f} of which encryption+HMAC {t['residents_crypto']:.1f}, tags {t['tags']:.1f}, "
            f"ANALYZE {t['analyze']:.1f}); whole run {r['wall_s']:.0f} s")  # fmt: skip
        out(f"  measured community {r['community']['code']} ({r['community']['residents']:,} residents); street user's "
            f"scope {r['street_scope']:,} residents; PostgreSQL {db['version']}, shared_buffers {db['shared_buffers']}, "
            f"work_mem {db['work_mem']}")  # fmt: skip
        rates = ", ".join(
            f"{k} {v:.1%}" for k, v in sorted(c["tag_rates"].items(), key=lambda kv: -kv[1]) if v
        )
        out(f"  recorded tag rates: {rates}")
        head = f"  {'user':<9} {'query':<26} {'how':<32} {'median ms':>10} {'p95 ms':>8} {'SQL':>4} {'COUNT':>5}  verdict"
        out(head)
        out("  " + "-" * (len(head) - 2))
        for x in r["results"]:
            extra = ""
            if x.get("hits") is not None:
                extra = f"  ({x['hits']} tagged residents with that fragment in the community)"
            if "resident_count_queries" in x:
                extra += f"  COUNT on people_resident: {x['resident_count_queries']}"
            out(f"  {x['user']:<9} {x['label']:<26} {x['how']:<32} {x['median']:>10.1f} {x['p95']:>8.1f} "
                f"{x['queries']:>4} {x['count_queries']:>5}  {verdict(x['median'], x['target'])}{extra}")  # fmt: skip

    if len(results) > 1:
        out(
            "\ngrowth of the medians (each size ÷ the previous one; rows grow "
            + " then ".join(
                f"{b['size'] / a['size']:.0f}×" for a, b in zip(results, results[1:], strict=False)
            )
            + "):"
        )
        head = (
            f"  {'user':<9} {'query':<26} {'how':<32} "
            + " ".join(f"{r['size']:>10,}" for r in results)
            + "   growth"
        )
        out(head)
        for i, x in enumerate(results[0]["results"]):
            ms = [r["results"][i]["median"] for r in results]
            growth = " ".join(f"×{b / a:.2f}" for a, b in zip(ms, ms[1:], strict=False))
            out(
                f"  {x['user']:<9} {x['label']:<26} {x['how']:<32} "
                + " ".join(f"{m:>10.1f}" for m in ms)
                + f"   {growth}"
            )

    last = results[-1]
    out(f"\nverdicts at {last['size']:,} (list ≤ {LIST_MS:.0f} ms, lookup ≤ {LOOKUP_MS:.0f} ms, medians):")
    for x in last["results"]:
        if x["target"]:
            out(
                f"  {verdict(x['median'], x['target'])}  {x['user']:<9} {x['label']:<26} {x['how']:<32} {x['median']:.1f} ms"
            )
    no_count = all(x.get("resident_count_queries", 0) == 0 for r in results for x in r["results"])
    out(f"  {'PASS' if no_count else 'FAIL'}  no COUNT over people_resident on any list page load")

    if last["plans"]:
        out(f"\nEXPLAIN (ANALYZE, BUFFERS) at {last['size']:,}:")
        for title, p in last["plans"].items():
            out(f"\n--- {title}\n{p['sql']}\n")
            out(p["plan"])
    out("\nSQL of one list page (ORM, sysadmin), as captured:")
    key = next(k for k in last["sql"] if k.startswith("sysadmin: list") and "(view)" not in k)
    for s in last["sql"][key]:
        out(f"  {s}")


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
    out(f"bench_resident_list — {dt.datetime.now():%Y-%m-%d %H:%M}")
    out(f"machine: {machine()}; sizes {', '.join(f'{s:,}' for s in sizes)}; {args.repeat} timed runs per figure "
        f"after one warm-up (warm caches); seed {args.seed}")  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="shequ-bench-list-"))
    results = []
    try:
        for i, size in enumerate(sizes):
            results.append(run_size(args, size, tmp, explain=(i == len(sizes) - 1), out=out))
        report(args, results, out)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text("\n".join(out.lines) + "\n")


if __name__ == "__main__":
    main()
