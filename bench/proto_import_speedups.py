#!/usr/bin/env python
"""Measurements behind the import speed-up suggestions in bench/README.md (hand-run, not a test).

Times, on one workbook, pieces of the residents import as the code does them today next to a
cheaper way of doing the same thing, without touching shequ/: cell parsing (parse_row per row vs
parsers bound once), encryption and blind indexes (per-call keyring/AESGCM/urandom vs bound once),
the change-log JSON, and the database writes of the resident rows (executemany in chunks of 5,000
vs one executemany, multi-row VALUES, and COPY on PostgreSQL).

    .venv/bin/python bench/proto_import_speedups.py --file residents.xlsx               # SQLite temp dir
    SHEQU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_bench_x \\
        .venv/bin/python bench/proto_import_speedups.py --file residents.xlsx --db-writes
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


def best(fn, repeat=3):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out), statistics.median(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--file", required=True)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--db-writes", action="store_true", help="also time resident-row writes (migrates the DB)")
    args = p.parse_args()
    if not os.environ.get("SHEQU_DATA_DIR"):
        os.environ["SHEQU_DATA_DIR"] = tempfile.mkdtemp(prefix="shequ-proto-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.settings"
    import django

    django.setup()
    from shequ.core import crypto
    from shequ.core.importing import Outcome, PlannedRow, RowError, parse_row, read_rows
    from shequ.people import importer as people_importer
    from shequ.people.importer import ResidentImporter

    data = Path(args.file).read_bytes()
    r = args.repeat
    print(f"workbook {args.file}: {len(data) / 1048576:.1f} MB; best / median of {r}")

    def line(label, t, n=None, base=None):
        extra = f"  ({t[0] / n * 1e6:.2f} µs each)" if n else ""
        if base:
            extra += f"  → {base[0] / t[0]:.1f}× faster, saves {base[0] - t[0]:.2f} s"
        print(f"  {label:<62} {t[0]:7.2f} s  (median {t[1]:.2f}){extra}")

    # --- read -------------------------------------------------------------------------------------
    import io

    from python_calamine import CalamineWorkbook

    print("read:")
    t = best(
        lambda: (
            CalamineWorkbook.from_filelike(io.BytesIO(data))
            .get_sheet_by_index(0)
            .to_python(skip_empty_area=False)
        ),
        r,
    )
    line("calamine to_python only", t)
    t = best(lambda: read_rows(data, ResidentImporter), r)
    line("importing.read_rows (calamine + header map + empty-row filter)", t)
    mapping, body = read_rows(data, ResidentImporter)
    n = len(body)

    # --- parse ------------------------------------------------------------------------------------
    print(f"parse ({n:,} rows × {len(mapping)} cells):")
    cols = ResidentImporter.column_map()

    def today():
        out = []
        for line_no, raw in body:
            values, errors = parse_row(cols, mapping, raw)
            out.append(PlannedRow(line_no, raw, values, Outcome.REJECTED if errors else Outcome.NEW, errors))
        return out

    bound = [(i, key, cols[key].parser()) for i, key in mapping.items()]
    template = dict.fromkeys(cols)

    def bound_once():
        out = []
        append = out.append
        for line_no, raw in body:
            values = template.copy()
            errors = []
            width = len(raw)
            for i, key, parse in bound:
                try:
                    values[key] = parse(raw[i] if i < width else None)
                except RowError as exc:
                    errors.append(str(exc))
            append(PlannedRow(line_no, raw, values, Outcome.REJECTED if errors else Outcome.NEW, errors))
        return out

    base = best(today, r)
    line("today: parse_row per row (parser() looked up per cell)", base, n)
    t = best(bound_once, r)
    line("parsers bound once per import, dict.copy() of a template", t, n, base)

    # --- crypto -----------------------------------------------------------------------------------
    rows = today()
    numbers = [x.values["doc_number"] for x in rows]
    phones = [x.values["phone"] for x in rows if x.values["phone"]]
    plain = numbers + phones
    print(f"encryption and blind indexes ({len(numbers):,} numbers + {len(phones):,} phones):")
    base = best(lambda: [crypto.encrypt(v) for v in plain], r)
    line("crypto.encrypt per value (keyring(), token_bytes, b64 per call)", base, len(plain))

    import base64
    import hashlib
    import hmac

    ring = crypto.keyring()
    aead = ring.aead(ring.active)
    kid, aad = ring.active, ring.active.encode()

    def enc_bound():
        noise = os.urandom(12 * len(plain))
        b64 = base64.b64encode
        out = []
        for k, v in enumerate(plain):
            nonce = noise[12 * k : 12 * k + 12]
            out.append(f"{kid}:{b64(nonce + aead.encrypt(nonce, v.encode(), aad)).decode()}")
        return out

    t = best(enc_bound, r)
    line("bound once: one AESGCM, nonces from one os.urandom call", t, len(plain), base)
    assert crypto.decrypt(enc_bound()[0]) == plain[0]

    norm = [crypto.normalize_default(v) for v in numbers]
    base = best(lambda: [crypto.blind_index(v, "people.resident.doc_number") for v in norm], r)
    line("crypto.blind_index per value (keyring(), new HMAC each)", base, len(norm))
    seed = hmac.new(ring.index_key, b"people.resident.doc_number\x00", hashlib.sha256)

    def hmac_bound():
        out = []
        for v in norm:
            h = seed.copy()
            h.update(v.encode())
            out.append(h.hexdigest())
        return out

    t = best(hmac_bound, r)
    line("HMAC keyed once and copied per value", t, len(norm), base)
    assert hmac_bound()[0] == crypto.blind_index(norm[0], "people.resident.doc_number")

    # --- change-log JSON --------------------------------------------------------------------------
    print("change-log 'after' JSON:")
    for x in rows:
        x.values["tags"] = []
    t = best(lambda: [people_importer._after(x.values, "420115001001001") for x in rows], r)
    line("importer._after per resident", t, len(rows))

    if args.db_writes:
        db_writes(rows, r, line)


def db_writes(rows, r, line):
    """The resident INSERT alone, several ways, each into an empty table."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from shequ.core import bulk
    from shequ.people.models import Resident

    call_command("migrate", interactive=False, verbosity=0)
    from shequ.org.models import OrgUnit

    c, _ = OrgUnit.objects.get_or_create(code="420199001001", defaults={"name": "基准", "level": "community"})
    now = timezone.now()
    names = ["scope_code", "created_at", "updated_at", "version", "community_id", "name", "doc_type", "doc_number",
             "doc_index", "gender", "birth_date", "ethnicity", "education", "political_status", "marital_status",
             "phone", "phone_index", "registered_address", "residence_type", "move_in_date", "employment",
             "work_unit", "status", "remarks", "relationship"]  # fmt: skip
    import hashlib

    tuples = []
    for k, x in enumerate(rows):
        v = x.values
        h = hashlib.sha256(str(k).encode()).hexdigest()  # random-looking, like the HMAC blind indexes
        tuples.append((c.code, now, now, 1, c.pk, v["name"], "id_card", "k1-xxxx:" + "A" * 60, h,
                       v["gender"] or "unknown", v["birth_date"], v["ethnicity"] or "", v["education"] or "",
                       v["political_status"] or "", v["marital_status"] or "", "k1-xxxx:" + "B" * 52,
                       h[::-1] if v["phone"] else "", v["registered_address"] or "", v["residence_type"],
                       v["move_in_date"], v["employment"] or "", v["work_unit"] or "", "active", v["remarks"] or "",
                       v["relationship"] or ""))  # fmt: skip
    print(
        f"resident INSERT, {len(tuples):,} rows × {len(names)} columns ({connection.vendor}), each into an emptied table, committed:"
    )
    conv = bulk._converter()
    cols = bulk.columns(Resident, names)
    qn = connection.ops.quote_name
    sql_one = f"INSERT INTO people_resident ({', '.join(qn(x) for x in cols)}) VALUES ({', '.join(['%s'] * len(cols))})"  # noqa: S608

    def empty_table():
        with connection.cursor() as cur:
            cur.execute(
                "DELETE FROM people_resident"
                if connection.vendor == "sqlite"
                else "TRUNCATE people_resident CASCADE"
            )

    def rolled(fn):
        """Each variant writes into an empty table in its own committed transaction (a rolled-back
        savepoint would leave dead index entries behind for the next variant on PostgreSQL)."""

        def run():
            empty_table()
            t0 = time.perf_counter()
            with transaction.atomic():
                fn()
            run.elapsed.append(time.perf_counter() - t0)

        run.elapsed = []
        return run

    def best(fn, repeat):  # noqa: F811 - timing without the emptying
        for _ in range(repeat):
            fn()
        return min(fn.elapsed), statistics.median(fn.elapsed)

    if True:
        base = best(rolled(lambda: bulk.insert(Resident, names, tuples)), r)
        line("core.bulk.insert (executemany per 5,000, ready() per row)", base, len(tuples))
        ready = [[conv(v) for v in t] for t in tuples]
        blank = [[*t[:8], "", *t[9:16], "", *t[17:]] for t in ready]  # same rows, blind indexes empty
        t = best(rolled(lambda: connection.cursor().executemany(sql_one, blank)), r)
        line("(one executemany, blind indexes left empty, as the floor does)", t, len(tuples), base)
        t = best(rolled(lambda: connection.cursor().executemany(sql_one, ready)), r)
        line("one executemany of prepared rows", t, len(tuples), base)
        per = 50 if connection.vendor == "sqlite" else 500
        per = min(per, 32766 // len(cols))
        many = f"INSERT INTO people_resident ({', '.join(qn(x) for x in cols)}) VALUES " + ", ".join(
            ["(" + ", ".join(["%s"] * len(cols)) + ")"] * per
        )

        def multi():
            with connection.cursor() as cur:
                full = len(ready) // per * per
                flat = [v for row in ready[:full] for v in row]
                w = per * len(cols)
                cur.executemany(many, [flat[i : i + w] for i in range(0, len(flat), w)])
                if full < len(ready):
                    cur.executemany(sql_one, ready[full:])

        t = best(rolled(multi), r)
        line(f"multi-row VALUES ({per} rows a statement)", t, len(tuples), base)
        if connection.vendor == "postgresql":
            import psycopg

            def server_bound():
                # Django's psycopg 3 cursors bind client-side: each row goes as its own literal SQL
                # text that the server parses and plans. A plain psycopg Cursor binds server-side,
                # so the pipelined executemany reuses one prepared statement.
                with psycopg.Cursor(connection.connection) as cur:
                    cur.executemany(sql_one, ready)

            t = best(rolled(server_bound), r)
            line("executemany, server-side binding (psycopg.Cursor)", t, len(tuples), base)

            def copy():
                with (
                    connection.cursor() as cur,
                    cur.cursor.copy(f"COPY people_resident ({', '.join(cols)}) FROM STDIN") as cp,
                ):
                    for row in tuples:
                        cp.write_row(row)

            t = best(rolled(copy), r)
            line("COPY FROM STDIN (psycopg write_row)", t, len(tuples), base)


if __name__ == "__main__":
    main()
