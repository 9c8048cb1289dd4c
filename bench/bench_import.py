#!/usr/bin/env python
"""Hand-run benchmark of the residents Excel import at 100,000 rows (not a pytest test).

Builds a fresh database (SQLite in a temp SHEQU_DATA_DIR and/or a throw-away PostgreSQL database),
generates one realistic workbook with shequ.people.synth, then runs, each in its own subprocess
started from the same freshly restored database so that its wall time, CPU time and peak RSS are
its own:

  ours     `shequ residents import FILE --community 420115001001 --commit` (the CLI, end to end)
  floor    the fastest plain way to put the same rows into the same table with the same indexes:
           python-calamine read, then on PostgreSQL one COPY people_resident (...) FROM STDIN
           (psycopg 3 write_row), on SQLite one executemany INSERT in one transaction
           (plaintext, no validation, no encryption, no blind index, nothing else written)
  i-e      django-import-export's default import (ModelResource + tablib/openpyxl Dataset,
           resource.import_data(dataset, dry_run=False)) of the full file (--ie-rows full), or
           a PILOT on the first N rows (--ie-rows N) that is a per-row rate, never a comparison
  phases   the engine functions called directly (read / parse / prepare / plan / apply / commit),
           read in the same process so that each part is timed, with the apply split by table and
           the time spent in encryption and HMAC

Ours and the floor (and import-export, when run in full) are run in turns in one invocation:
ours, floor[, i-e], ours, floor[, i-e] … --pairs times (default 3), each run from a freshly
restored database. Every ratio is the median of the per-pair ratios, with the CPU ratio beside
the wall ratio and the load average printed for every run. The pass/fail lines are the goals of
the import: ours ≤ 3× the floor and import-export ≥ 10× ours, on SQLite and on PostgreSQL.

--memory-curve imports 10k, 50k, 100k and 200k rows (prefixes of one workbook), one fresh
database each, and prints the peak RSS of each run and the growth from 10k to 200k, against the
goals: at most 500 MB at 200,000 rows, and growth less than linear.

With --baseline DIR (another checkout of the project with its own .venv), "ours" is run in turns
with DIR's code and this checkout's (base, new, base, new, ...), and the script prints the
median of the per-pair ratios new/base. --layout office also writes the same rows the way
offices keep them (a title row, other header names, full-width digits, short labels, a 合计 row)
and imports that file with this checkout's code.

See bench/README.md.

    .venv/bin/python bench/bench_import.py --out bench/results/import-$(date +%F).txt
    .venv/bin/python bench/bench_import.py --rows 5000 --pairs 3 --db both --ie-rows 2000
    .venv/bin/python bench/bench_import.py --memory-curve --db sqlite --out bench/results/import-memory-$(date +%F).txt
    .venv/bin/python bench/bench_import.py --baseline ../wt-base --layout office --db sqlite \
        --ie-rows skip --no-phases
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A step run for another checkout (--baseline) imports that checkout's code, not this one's.
CODE_ROOT = Path(os.environ.get("BENCH_CODE_ROOT") or ROOT)
if str(CODE_ROOT) not in sys.path:
    sys.path.insert(0, str(CODE_ROOT))

COMMUNITY = "420115001001"
ADMIN = "bench_admin"
PG_BASE = "postgres://postgres@127.0.0.1:5432/"
# The goals of the import (each a ratio of paired runs; memory at the largest file allowed).
GOAL_ROWS = 100_000  # the size the ratio goals are stated at
TARGET_FLOOR_RATIO = 3.0  # ours ≤ 3× the floor
TARGET_IE_RATIO = 10.0  # django-import-export ≥ 10× ours
TARGET_MB, TARGET_MB_ROWS = 500, 200_000  # peak RSS at 200,000 rows ≤ 500 MB ...
CURVE_SIZES = (10_000, 50_000, 100_000, 200_000)  # ... and growing less than linearly over these
TARGET_COST = 0.15  # what header/value mapping and cell normalisation may add to the import
WARM_ROWS = 500  # the unmeasured import each tree runs first (bytecode, OS cache)
WAITED = 1.15  # SQLite: a run whose wall time exceeds its CPU time by this factor shared the cores

# The office layout: the same rows as the template, as ledgers kept in offices have them.
OFFICE_HEADERS = {
    "doc_number": "公民身份号码",
    "residence_type": "人口类型",
    "phone": "手机号",
    "education": "学历",
    "relationship": "户主关系",
}
OFFICE_VALUES = {"education": {"普通高中": "高中", "大学专科": "大专", "大学本科": "本科"}}
OFFICE_FULL_WIDTH_SHARE = 1 / 3  # of the ID numbers, written in full-width digits
FULL_WIDTH_DIGITS = {ord(c): 0xFF10 + i for i, c in enumerate("0123456789")}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000, help="rows in the workbook (default 100,000)")
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument(
        "--ie-rows",
        default="full",
        help="django-import-export: 'full' (the whole file, in every pair: the comparison figure), 'skip', "
        "or a number N: a PILOT on the first N rows, run once, printed as a per-row rate and never as the "
        "comparison (N ≥ --rows is the same as 'full')",
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--baseline",
        metavar="DIR",
        help="another checkout of the project (the code before a change, with its own .venv): run "
        "ours in turns with its code and with this checkout's, and print the ratio new/base",
    )
    p.add_argument(
        "--pairs",
        "--repeat",
        dest="pairs",
        type=int,
        default=3,
        help="rounds of paired runs (ours, floor[, import-export]; with --baseline base and new) in turns, "
        "each from a freshly restored database; ratios are the median of the per-pair ratios (default 3)",
    )
    p.add_argument(
        "--layout",
        choices=["template", "office"],
        default="template",
        help="'office' also imports the same rows in an office layout (title row, other header names, "
        "full-width digits, short labels, a 合计 row) with this checkout's code",
    )
    p.add_argument(
        "--preview",
        action=argparse.BooleanOptionalAction,
        help="also time the validate-only path (the CLI without --commit); default: on with --baseline",
    )
    p.add_argument("--no-phases", dest="phases", action="store_false", help="skip the phase breakdown run")
    p.add_argument(
        "--memory-curve",
        action="store_true",
        help="instead of the comparison: import 10k, 50k, 100k and 200k rows (prefixes of one workbook), "
        "each from a fresh database, and print the peak RSS of each and the growth from the smallest to the "
        "largest",
    )
    p.add_argument(
        "--curve-sizes",
        default=",".join(str(n) for n in CURVE_SIZES),
        help="the sizes of --memory-curve, comma-separated (default %(default)s; other sizes are for trying "
        "the script out, the goal is stated at 200,000 rows)",
    )
    p.add_argument(
        "--pg-prefix",
        default="shequ_bench",
        help="PostgreSQL databases are named PREFIX_<pid>_<tree>_tpl/_run (default %(default)s)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temp dir and the PostgreSQL databases")
    p.add_argument("--out", help="also write the report to this file")
    p.add_argument("--step", help=argparse.SUPPRESS)  # internal: run one step in this process
    p.add_argument("--file", help=argparse.SUPPRESS)
    p.add_argument("--subset", help=argparse.SUPPRESS)
    p.add_argument("--subset-rows", type=int, default=10_000, help=argparse.SUPPRESS)
    p.add_argument("--office", help=argparse.SUPPRESS)
    p.add_argument("--warm", help=argparse.SUPPRESS)
    p.add_argument("--curve", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.pairs < 1:
        p.error("--pairs must be at least 1")
    if args.ie_rows not in ("full", "skip"):
        try:
            n = int(args.ie_rows)
        except ValueError:
            p.error(f"--ie-rows: 'full', 'skip' or a number of rows, not {args.ie_rows!r}")
        if n < 1:
            p.error("--ie-rows: a pilot needs at least one row")
        args.ie_rows = "full" if n >= args.rows else str(n)
    if args.ie_rows != "skip" and not args.step:
        import importlib.util

        missing = [m for m in ("import_export", "tablib") if importlib.util.find_spec(m) is None]
        if missing:  # say so before an hour of runs, not in the middle of them
            p.error(
                f"django-import-export needs {', '.join(missing)}: pip install -e '.[bench]', or --ie-rows skip"
            )
    try:
        args.curve_sizes = sorted({int(x) for x in str(args.curve_sizes).split(",") if x.strip()})
    except ValueError:
        p.error(f"--curve-sizes: comma-separated numbers of rows, not {args.curve_sizes!r}")
    if args.memory_curve and (len(args.curve_sizes) < 2 or args.curve_sizes[0] <= WARM_ROWS):
        p.error(f"--curve-sizes: at least two sizes for a curve, each above {WARM_ROWS} (the warm-up run)")
    if args.preview is None:
        args.preview = bool(args.baseline)
    return args


# === steps: each runs in a fresh subprocess and prints one JSON line =============================


def _django():
    os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.settings"
    import django

    django.setup()


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _community():
    from shequ.org.models import OrgUnit

    return OrgUnit.objects.get(code=COMMUNITY)


def _counts() -> dict:
    from shequ.core.models import ChangeLogEntry
    from shequ.org.models import House
    from shequ.people.models import Household, PopulationEvent, Resident, ResidentTag

    return {
        "residents": Resident.objects.count(),
        "houses": House.objects.count(),
        "households": Household.objects.count(),
        "tags": ResidentTag.objects.count(),
        "events": PopulationEvent.objects.count(),
        "changelog": ChangeLogEntry.objects.count(),
    }


def step_setup(args) -> dict:
    """Migrate, import the 420115 divisions, one sysadmin, one grid for the community."""
    t0 = time.perf_counter()
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    t_migrate = time.perf_counter() - t0
    from shequ.core.roles import Role
    from shequ.core.testing.world import make_user, square
    from shequ.org.models import Grid
    from shequ.org.services import import_divisions

    result = import_divisions(None, "420115")
    make_user(ADMIN, Role.SYSADMIN)
    c = _community()
    Grid.objects.create(
        community=c, code=f"{c.code}001", name=f"{c.name}第一网格", boundary=square(114.31, 30.35, 0.01)
    )
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    import shequ

    return {
        "migrate_s": t_migrate,
        "total_s": time.perf_counter() - t0,
        "divisions": result.as_dict().get("created"),
        "shequ": shequ.__file__,
    }


def office_book(rows: list[list], seed: int) -> tuple[list, dict]:
    """The template's rows as offices keep them: a title row above the header, the office names of
    five columns, about a third of the ID numbers in full-width digits, 高中/大专/本科 for the
    labels, and a 合计 row at the end. Returns (sheet rows, what was changed)."""
    from shequ.people.importer import ResidentImporter

    columns = ResidentImporter.columns
    at = {c.key: i for i, c in enumerate(columns)}
    header = [OFFICE_HEADERS.get(c.key, str(c.header)) for c in columns]
    title = [f"居民基本信息登记表（社区代码 {COMMUNITY}）"] + [None] * (len(columns) - 1)
    rng = random.Random(seed)
    changed = {"full_width_ids": 0, "short_labels": 0}
    body = []
    for r in rows:
        r = list(r)
        doc = r[at["doc_number"]]
        if doc and rng.random() < OFFICE_FULL_WIDTH_SHARE:
            r[at["doc_number"]] = doc.translate(FULL_WIDTH_DIGITS)
            changed["full_width_ids"] += 1
        for key, synonyms in OFFICE_VALUES.items():
            short = synonyms.get(r[at[key]])
            if short:
                r[at[key]] = short
                changed["short_labels"] += 1
        body.append(r)
    total = [None] * len(columns)
    total[0], total[at["remarks"]] = "合计", f"共 {len(rows)} 人"
    return [title, header, *body, total], changed


def curve_path(path, n: int) -> Path:
    """The workbook of the first n rows, for --memory-curve."""
    path = Path(path)
    return path.with_name(f"{path.stem}-{n}{path.suffix}")


def _write_sheet(path, sheet: list[list]) -> None:
    """A workbook whose first row is sheet[0], written as synth.write_workbook writes the same
    number of rows (so the template and office files of a run differ only in their cells). The
    writer takes the title row as its "header": bold and shaded, as a title row is."""
    from shequ.people import synth
    from shequ.people.importer import ResidentImporter

    columns = ResidentImporter.columns
    first = ["" if v is None else str(v) for v in sheet[0]]
    rows = len(sheet) - 3  # title, header and 合计 aside: the template's data rows
    write = synth._write_fast if rows > synth.FAST_ABOVE else synth._write_xlsxwriter
    write(path, str(ResidentImporter.title)[:31], first, [c.text_format for c in columns], sheet[1:])


def step_generate(args) -> dict:
    """The workbook (timed apart from any import); a subset of its first rows for the pilot; the
    small workbooks of the warm-up runs; the same rows in the office layout."""
    _django()
    from python_calamine import CalamineWorkbook

    from shequ.people import synth

    info = synth.generate_workbook(args.rows, COMMUNITY, args.seed, args.file)
    out = {"rows": info["rows"], "generate_s": info["generate_s"], "total_s": info["total_s"]}
    out["bytes"] = os.path.getsize(args.file)
    t0 = time.perf_counter()
    sheet = CalamineWorkbook.from_path(args.file).get_sheet_by_index(0).to_python(skip_empty_area=False)
    # The rows as written: calamine gives "" for an absent cell, and dates as dt.date (the writer
    # stores a date as a date cell, and text as text).
    rows = [[None if v == "" else v for v in r] for r in sheet[1:]]
    del sheet
    if args.subset:
        synth.write_workbook(args.subset, rows[: args.subset_rows], engine="fast")
        out["subset_rows"] = len(rows[: args.subset_rows])
    if args.curve:  # --memory-curve: the first N rows of the workbook, for each smaller size
        for n in (int(x) for x in args.curve.split(",")):
            if n < len(rows):
                synth.write_workbook(curve_path(args.file, n), rows[:n])
    if args.warm:
        synth.write_workbook(f"{args.warm}-template.xlsx", rows[:WARM_ROWS])
    if args.office:
        office, changed = office_book(rows, args.seed)
        _write_sheet(args.office, office)
        out["office"] = dict(changed, bytes=os.path.getsize(args.office))
        if args.warm:
            warm, _changed = office_book(rows[:WARM_ROWS], args.seed)
            _write_sheet(f"{args.warm}-office.xlsx", warm)
    out["derived_s"] = time.perf_counter() - t0
    return out


def step_counts(args) -> dict:
    """What the database holds (run with the tree's own code: its schema may differ)."""
    _django()
    return _counts()


def step_floor(args) -> dict:
    """The fastest plain way to put the same rows into the same table (with the same indexes: the
    database is the one ours runs on, freshly restored): calamine, a header map, a dict per
    enumeration (the column is varchar(2) on PostgreSQL, so a label would not fit), then on
    PostgreSQL one COPY ... FROM STDIN (psycopg 3, write_row per row), on SQLite one executemany
    in one transaction. Plaintext."""
    t0 = time.perf_counter()
    _django()
    from django.db import connection, transaction
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from shequ.people.importer import ResidentImporter

    t_setup = time.perf_counter() - t0
    community = _community()
    cols = ResidentImporter.columns
    t1 = time.perf_counter()
    sheet = CalamineWorkbook.from_path(args.file).get_sheet_by_index(0).to_python(skip_empty_area=False)
    t_read = time.perf_counter() - t1
    t1 = time.perf_counter()
    head = [str(h) for h in sheet[0]]
    at = {c.key: head.index(str(c.header)) for c in cols}
    lookups = {c.key: c.lookup() for c in cols if c.kind == "choice"}
    now = timezone.now()
    sqlite = connection.vendor == "sqlite"
    stamp = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ") if sqlite else now

    text = ("name", "doc_number", "phone", "registered_address", "work_unit", "remarks")
    choice = ("doc_type", "gender", "ethnicity", "education", "political_status", "marital_status",
              "residence_type", "employment", "relationship")  # fmt: skip
    dates = ("birth_date", "move_in_date")
    defaults = {"doc_type": "id_card", "gender": "unknown", "residence_type": "registered"}
    names = ["scope_code", "created_at", "updated_at", "version", "community_id", "status", "doc_index",
             "phone_index", *text, *choice, *dates]  # fmt: skip
    fixed = (community.code, stamp, stamp, 1, community.pk, "active", "", "")
    ti = [at[k] for k in text]
    ci = [(at[k], lookups[k], defaults.get(k, "")) for k in choice]
    di = [at[k] for k in dates]

    def cell(v):
        if v is None or v == "":
            return ""
        return v if type(v) is str else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)

    def day(v):
        if v == "" or v is None:
            return None
        if isinstance(v, dt.date):
            return v.isoformat() if sqlite else v
        return v  # text as typed: the database parses 2024-01-02, 2024/1/2 and 20240102

    rows = []
    for r in sheet[1:]:
        rows.append(
            fixed
            + tuple(cell(r[i]) for i in ti)
            + tuple(table.get(r[i], d) if r[i] else d for i, table, d in ci)
            + tuple(day(r[i]) for i in di)
        )
    t_build = time.perf_counter() - t1
    del sheet
    qn = connection.ops.quote_name
    col_sql = ", ".join(qn(n) for n in names)
    t1 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        if sqlite:
            sql = f"INSERT INTO people_resident ({col_sql}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
            cur.executemany(
                sql, rows
            )  # one call: Django rewrites the statement once, sqlite3 runs it per row
            method = "executemany (one call, one transaction)"
        else:
            with cur.cursor.copy(f"COPY people_resident ({col_sql}) FROM STDIN") as copy:  # noqa: S608
                for row in rows:
                    copy.write_row(row)
            method = "COPY FROM STDIN (write_row, one transaction)"
    t_insert = time.perf_counter() - t1
    return {
        "rows": len(rows),
        "setup_s": t_setup,
        "read_s": t_read,
        "build_s": t_build,
        "insert_s": t_insert,
        "work_s": t_read + t_build + t_insert,
        "columns": len(names),
        "method": method,
        "counts": _counts(),
        "rss_mb": _rss_mb(),
    }


def _ie_resource():
    from import_export import fields, resources, widgets

    from shequ.people.importer import ResidentImporter
    from shequ.people.models import Resident

    community = _community()
    by_key = {c.key: c for c in ResidentImporter.columns}

    class LabelWidget(widgets.CharWidget):
        """Chinese label → stored value (what a project adds for a choices column)."""

        def __init__(self, column, default=""):
            super().__init__()
            self.table, self.default = column.lookup(), default

        def clean(self, value, row=None, **kwargs):
            if value in (None, ""):
                return self.default
            return self.table.get(str(value).strip(), str(value))

    class Dates(widgets.DateWidget):
        def __init__(self):
            super().__init__()
            self.formats = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")  # as the clerks type them

    def field(key, widget=None):
        return fields.Field(attribute=key, column_name=str(by_key[key].header), widget=widget)

    defaults = {"doc_type": "id_card", "gender": "unknown", "residence_type": "registered"}
    attrs = {
        "name": field("name", widgets.CharWidget()),
        "doc_number": field("doc_number", widgets.CharWidget()),
        "phone": field("phone", widgets.CharWidget()),
        "registered_address": field("registered_address", widgets.CharWidget()),
        "work_unit": field("work_unit", widgets.CharWidget()),
        "remarks": field("remarks", widgets.CharWidget()),
        "birth_date": field("birth_date", Dates()),
        "move_in_date": field("move_in_date", Dates()),
    }
    for key in ("doc_type", "gender", "ethnicity", "education", "political_status", "marital_status",
                "residence_type", "employment", "relationship"):  # fmt: skip
        attrs[key] = field(key, LabelWidget(by_key[key], defaults.get(key, "")))

    class Meta:
        model = Resident
        fields = ("id", *attrs)  # "id": the default import_id_fields, as in any ModelResource

    def before_save_instance(self, instance, row, **kwargs):
        instance.community = community  # the one thing every row shares

    attrs.update(Meta=Meta, before_save_instance=before_save_instance)
    return type("ResidentResource", (resources.ModelResource,), attrs)()


def step_ie(args) -> dict:
    """django-import-export's default import: load the xlsx into a tablib Dataset (openpyxl, as
    the admin's import form does), then import_data(dry_run=False) with default options."""
    t0 = time.perf_counter()
    _django()
    import tablib

    resource = _ie_resource()
    t_setup = time.perf_counter() - t0
    t1 = time.perf_counter()
    with open(args.file, "rb") as fh:
        dataset = tablib.Dataset().load(fh.read(), format="xlsx")
    t_load = time.perf_counter() - t1
    t1 = time.perf_counter()
    result = resource.import_data(dataset, dry_run=False)
    t_import = time.perf_counter() - t1
    totals = dict(result.totals)
    first = None
    if result.has_errors():
        e = result.row_errors()[:1] or [(0, result.base_errors[:1])]
        first = repr(e)[:400]
    if result.has_validation_errors():
        first = repr(result.invalid_rows[0].error_dict)[:400]
    return {
        "rows": len(dataset),
        "setup_s": t_setup,
        "load_s": t_load,
        "import_s": t_import,
        "work_s": t_load + t_import,
        "totals": totals,
        "errors": first,
        "counts": _counts(),
        "rss_mb": _rss_mb(),
    }


PREPARE = "prepare: row rules, HMAC, house, encryption"
PLAN = "plan: duplicates, new houses, existing"


def step_phases(args) -> dict:
    """commit_batch as the CLI runs it, with its parts timed from inside: the stream of rows (xlsx
    inflate + cells + row kinds), parsing, planning and writing per chunk, each table's inserts,
    the encryption and HMAC."""
    t0 = time.perf_counter()
    _django()
    from django.conf import settings

    from shequ.core import bulk, importing, sheets
    from shequ.core.models import User
    from shequ.people import importer as people_importer
    from shequ.people.importer import ResidentImporter

    # The parts are timed where they run: reading ahead would run the reading, parsing and the
    # rows' own checks in a second process, where these timers do not reach.
    settings.IMPORT_READ_AHEAD_ROWS = 0
    t_setup = time.perf_counter() - t0
    actor = User.objects.get(username=ADMIN)
    timers: dict[str, float] = {}
    calls: dict[str, int] = {}

    def add(name, seconds):
        timers[name] = timers.get(name, 0.0) + seconds
        calls[name] = calls.get(name, 0) + 1

    def timed(name, fn):
        def wrapper(*a, **kw):
            s = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                add(name, time.perf_counter() - s)

        return wrapper

    def timed_iter(name, fn):
        def wrapper(*a, **kw):
            it = fn(*a, **kw)
            while True:
                s = time.perf_counter()
                try:
                    item = next(it)
                except StopIteration:
                    add(name, time.perf_counter() - s)
                    return
                add(name, time.perf_counter() - s)
                yield item

        return wrapper

    orig_insert, orig_update = bulk.insert, bulk.update
    bulk.insert = lambda model, names, rows: timed(f"insert {model._meta.db_table}", orig_insert)(
        model, names, rows
    )
    bulk.update = lambda model, names, rows, **kw: timed(f"update {model._meta.db_table}", orig_update)(
        model, names, rows, **kw
    )
    for name in ("encrypt", "blind_index"):
        setattr(people_importer, name, timed(name, getattr(people_importer, name)))
    for name in ("_create_houses", "_households", "_match_existing", "_check_row"):
        setattr(ResidentImporter, name, timed(name, getattr(ResidentImporter, name)))
    sheets.Layout.rows = timed_iter("read: the row stream (inflate, cells, row kinds)", sheets.Layout.rows)
    importing.parse_row = timed("parse: cells → values", importing.parse_row)
    ResidentImporter.prepare = timed(PREPARE, ResidentImporter.prepare)
    ResidentImporter.plan = timed(PLAN, ResidentImporter.plan)
    ResidentImporter.apply = timed("apply: write", ResidentImporter.apply)
    for name in ("read_batch", "reading_notes", "reading_extra", "summarise"):
        setattr(importing, name, timed(name, getattr(importing, name)))

    data = Path(args.file).read_bytes()
    t_all = time.perf_counter()
    s = time.perf_counter()
    batch = importing.create_batch(
        actor, ResidentImporter.kind, COMMUNITY, "bench.xlsx", data, {"create_missing": True, "auto": True}
    )
    del data
    t_create = time.perf_counter() - s
    rss_create = _rss_mb()
    s = time.perf_counter()
    result = importing.commit_batch(batch, actor)
    t_commit = time.perf_counter() - s
    total_s = time.perf_counter() - t_all
    main = [
        "read_batch",
        "read: the row stream (inflate, cells, row kinds)",
        "parse: cells → values",
        PREPARE,
        PLAN,
        "apply: write",
        "reading_notes",
        "reading_extra",
        "summarise",
    ]
    phases = [("create_batch (checks, encrypt + store file)", t_create, rss_create)]
    phases += [(name, timers.get(name, 0.0), None) for name in main]
    phases.append(
        (
            "rest of commit_batch (lock, status, batch row, log, COMMIT)",
            t_commit - sum(timers.get(n, 0.0) for n in main),
            _rss_mb(),
        )
    )
    inner = {k: v for k, v in timers.items() if k not in main}
    in_plan = {k: inner[k] for k in ("_check_row", "encrypt", "blind_index", "_match_existing") if k in inner}
    in_apply = {k: v for k, v in inner.items() if k not in in_plan}
    return {
        "rows": batch.total_rows if hasattr(batch, "total_rows") else None,
        "outcomes": {
            k: v for k, v in result.items() if k in ("new", "updated", "unchanged", "rejected", "conflict")
        },
        "result": result,
        "setup_s": t_setup,
        "phases": phases,
        "total_s": total_s,
        "in_plan": in_plan,
        "in_apply": in_apply,
        "calls": calls,
        "counts": _counts(),
        "rss_mb": _rss_mb(),
    }


STEPS = {
    "setup": step_setup,
    "generate": step_generate,
    "floor": step_floor,
    "ie": step_ie,
    "phases": step_phases,
    "counts": step_counts,
}


def run_step(args):
    out = STEPS[args.step](args)
    print("@@RESULT@@" + json.dumps(out, ensure_ascii=False, default=str))


# === the driver ================================================================================


class Tree:
    """A checkout of the project: the interpreter and CLI of its own .venv, and its own code.
    "new" is this checkout (the interpreter running the bench); "base" is --baseline DIR."""

    def __init__(self, name: str, root: Path, python: Path):
        self.name, self.root, self.python = name, root, python
        self.cli = python.with_name("shequ")
        self.shequ = self.django = "?"

    @classmethod
    def current(cls) -> "Tree":
        return cls("new", ROOT, Path(sys.executable))

    @classmethod
    def baseline(cls, path: str) -> "Tree":
        root = Path(path).resolve()
        python = root / ".venv" / "bin" / "python"  # not resolved: the link is what makes it the venv
        if not (root / "shequ").is_dir() or not python.exists() or not python.with_name("shequ").exists():
            raise SystemExit(
                f"--baseline {path}: expected a checkout of the project with its .venv "
                f"({root}/shequ, {python}, {python.with_name('shequ')}); run `make install` there first."
            )
        if root == ROOT:
            print("note: --baseline is this checkout: both sides run the same code (a noise measurement)")
        return cls("base", root, python)

    def env(self, base: dict) -> dict:
        e = dict(base, BENCH_CODE_ROOT=str(self.root), VIRTUAL_ENV=str(self.python.parent.parent))
        e["PATH"] = f"{self.python.parent}{os.pathsep}{e.get('PATH', '')}"
        e.pop("PYTHONPATH", None)
        return e

    def commit(self) -> str:
        def git(*a):
            r = subprocess.run(["git", "-C", str(self.root), *a], capture_output=True, text=True)
            return r.stdout.strip() if r.returncode == 0 else None

        head = git("rev-parse", "--short", "HEAD")
        if head is None:
            return "not a git checkout"
        dirty = git("status", "--porcelain", "--", "shequ", "pyproject.toml")
        return head + (" + uncommitted changes in shequ/" if dirty else "")

    def check(self):
        """The code the CLI imports: its interpreter, started as the console script starts (-I: no
        current directory or PYTHONPATH on sys.path), must find this tree's shequ."""
        code = "import django, shequ; print(shequ.__file__); print(django.get_version())"
        r = subprocess.run(
            [str(self.python), "-I", "-c", code], capture_output=True, text=True, cwd=self.root
        )
        if r.returncode != 0:
            raise SystemExit(f"{self.python} cannot import shequ:\n{r.stderr[-2000:]}")
        self.shequ, self.django = r.stdout.split()[:2]
        if not Path(self.shequ).resolve().is_relative_to(self.root):
            raise SystemExit(
                f"{self.cli} imports shequ from {self.shequ}, not from {self.root}; "
                f"run `make install` in {self.root}."
            )

    def describe(self) -> str:
        return f"{self.root} at {self.commit()} (shequ {Path(self.shequ).parent}, Django {self.django})"


class Env:
    """One database for one tree: a template built once with the tree's own migrations, restored
    before every measured run."""

    def __init__(self, kind: str, tmp: Path, keep: bool, tree: Tree, prefix: str = "shequ_bench"):
        self.kind, self.keep, self.tree = kind, keep, tree
        self.data_dir = tmp / f"{kind}-{tree.name}"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        tag = f"{prefix}_{os.getpid()}_{tree.name}"
        self.pg_tpl, self.pg_run = f"{tag}_tpl", f"{tag}_run"
        self.label = ""

    def env(self) -> dict:
        e = dict(os.environ)
        e["SHEQU_DATA_DIR"] = str(self.data_dir)
        e.pop("SHEQU_DATABASE_URL", None)
        e.update(child_env_extra())
        if self.kind == "postgres":
            e["SHEQU_DATABASE_URL"] = PG_BASE + self.pg_run
        return self.tree.env(e)

    def _pg(self, sql: str):
        import psycopg

        with psycopg.connect(PG_BASE + "postgres", autocommit=True) as conn:
            conn.execute(sql)

    def build_template(self, args) -> dict:
        if self.kind == "postgres":
            self._pg(f"DROP DATABASE IF EXISTS {self.pg_run}")
            self._pg(f"DROP DATABASE IF EXISTS {self.pg_tpl}")
            self._pg(f"CREATE DATABASE {self.pg_run}")
        info = child(args, "setup", self.env(), tree=self.tree)
        if self.kind == "postgres":
            self._pg(f"ALTER DATABASE {self.pg_run} RENAME TO {self.pg_tpl}")
            import psycopg

            with psycopg.connect(PG_BASE + self.pg_tpl) as conn:
                v = conn.execute("SHOW server_version").fetchone()[0]
            self.label = f"PostgreSQL {v} (127.0.0.1, fresh database from a template per run)"
        else:
            import sqlite3

            db = self.data_dir / "shequ.sqlite3"
            shutil.copy(db, self.data_dir / "template.sqlite3")
            self.label = f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL; fresh file per run)"
        return info

    def restore(self):
        if self.kind == "postgres":
            self._pg(f"DROP DATABASE IF EXISTS {self.pg_run}")
            self._pg(f"CREATE DATABASE {self.pg_run} TEMPLATE {self.pg_tpl}")
        else:
            for suffix in ("", "-wal", "-shm"):
                (self.data_dir / f"shequ.sqlite3{suffix}").unlink(missing_ok=True)
            shutil.copy(self.data_dir / "template.sqlite3", self.data_dir / "shequ.sqlite3")

    def drop(self):
        if self.kind == "postgres" and not self.keep:
            self._pg(f"DROP DATABASE IF EXISTS {self.pg_run}")
            self._pg(f"DROP DATABASE IF EXISTS {self.pg_tpl}")


PYC_DIR: Path | None = None


def child_env_extra() -> dict:
    """Children keep their bytecode under the bench's temp dir (the environment may set
    PYTHONDONTWRITEBYTECODE, and then every process would recompile Django and shequ: ~2 s)."""
    extra = {"PYTHONUNBUFFERED": "1"}
    if PYC_DIR is not None:
        extra["PYTHONPYCACHEPREFIX"] = str(PYC_DIR)
        extra["PYTHONDONTWRITEBYTECODE"] = ""
    return extra


class TreeMemory(threading.Thread):
    """The peak memory of a process and its children (the reading process an import forks; wait4
    gives the larger of the two, not their sum), sampled every 0.1 s from /proc: the sum of their
    proportional set sizes (a page two of them share counts half in each)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_pss_mb, self.most = pid, 0.0, 1
        self.done = threading.Event()

    def _tree(self) -> list[int]:
        pids, i = [self.pid], 0
        while i < len(pids):
            try:
                for task in os.listdir(f"/proc/{pids[i]}/task"):
                    with open(f"/proc/{pids[i]}/task/{task}/children") as f:
                        pids += [int(p) for p in f.read().split()]
            except OSError:
                pass
            i += 1
        return pids

    def run(self):
        while not self.done.wait(0.1):
            total, pids = 0, self._tree()
            for pid in pids:
                try:
                    with open(f"/proc/{pid}/smaps_rollup") as f:
                        total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
                except (OSError, StopIteration):
                    pass
            self.peak_pss_mb = max(self.peak_pss_mb, total / 1024)
            self.most = max(self.most, len(pids))


def measure(cmd: list[str], env: dict, cwd: Path = ROOT) -> dict:
    """Run cmd to completion; wall time and the peak RSS of that process (wait4's rusage), and the
    peak of its and its children's summed PSS (TreeMemory)."""
    if env.get("PYTHONDONTWRITEBYTECODE") == "":
        env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        tree = TreeMemory(proc.pid)
        tree.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        tree.done.set()
        tree.join()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    return {
        "wall_s": wall,
        "rss_mb": usage.ru_maxrss / 1024,
        "pss_mb": tree.peak_pss_mb,
        "processes": tree.most,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
        "rc": proc.returncode,
        "load": load,
        "stdout": stdout,
        "stderr": stderr,
    }


def child(args, step: str, env: dict, tree: Tree | None = None, **extra) -> dict:
    """One step of this script in its own process, with the tree's interpreter and code."""
    python, cwd = (tree.python, tree.root) if tree else (Path(sys.executable), ROOT)
    cmd = [str(python), str(Path(__file__).resolve()), "--step", step, "--rows", str(args.rows)]
    cmd += ["--seed", str(args.seed)]
    for k, v in extra.items():
        cmd += [f"--{k.replace('_', '-')}", str(v)]
    m = measure(cmd, env, cwd)
    if m["rc"] != 0 or "@@RESULT@@" not in m["stdout"]:
        raise SystemExit(f"step {step} failed (rc {m['rc']}):\n{m['stdout'][-3000:]}\n{m['stderr'][-5000:]}")
    res = json.loads(m["stdout"].split("@@RESULT@@", 1)[1].strip().splitlines()[0])
    res["_m"] = {k: v for k, v in m.items() if k not in ("stdout", "stderr")}
    return res


def run_cli(envr: Env, path: Path, commit: bool = True, check: bool = True) -> dict:
    """`shequ residents import` of the tree's own .venv, against the tree's database: with --commit
    the import, without it the validation a preview shows."""
    cmd = [str(envr.tree.cli), "residents", "import", str(path), "--community", COMMUNITY, "--user", ADMIN]
    if commit:
        cmd.append("--commit")
    m = measure(cmd, envr.env(), envr.tree.root)
    try:
        out = json.loads(m["stdout"])
    except ValueError:
        out = {}
    failed = m["rc"] != 0 or not out
    if failed and check:
        raise SystemExit(
            f"CLI import ({envr.tree.name}, {path.name}) failed (rc {m['rc']}):\n"
            f"{m['stdout'][-3000:]}\n{m['stderr'][-3000:]}"
        )
    return {"m": m, "out": out, "failed": failed}


def count_rows(envr: Env, args) -> dict:
    return {k: v for k, v in child(args, "counts", envr.env(), tree=envr.tree).items() if k != "_m"}


def fmt_s(x):
    return f"{x:,.2f}"


class Report:
    def __init__(self):
        self.lines = []

    def __call__(self, *parts):
        line = " ".join(str(p) for p in parts)
        print(line, flush=True)
        self.lines.append(line)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        info = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next(x for x in info if x.startswith("model name")).split(":", 1)[1].strip()
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kb = int(next(x for x in meminfo if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1048576:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} CPUs ({cpu}){mem}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _totals(out: dict) -> str:
    t = out.get("totals") or {}
    return ", ".join(f"{k} {v:,}" for k, v in t.items() if v) or "nothing"


def _record(m: dict, **extra) -> dict:
    """One measured run: wall and CPU time (user + system, wait4) of its process, its peak RSS and
    the 1-minute load average when it started (these win over a step's own figures of the same name)."""
    return dict(
        extra,
        wall_s=m["wall_s"],
        cpu_s=m["user_s"] + m["sys_s"],
        rss_mb=m["rss_mb"],
        pss_mb=m.get("pss_mb", 0.0),
        processes=m.get("processes", 1),
        load=m["load"],
    )


def _say_run(say, i: int, n: int, what: str, rec: dict, note: str = ""):
    say(f"  pair {i}/{n}  {what:<28} {rec['wall_s']:7.2f} s wall   CPU {rec['cpu_s']:6.2f} s   "
        f"peak {rec['rss_mb']:5.0f} MB   load {rec['load']:.2f}   {note}")  # fmt: skip


def paired_runs(args, envs: dict, books: dict, warm: dict, say: Report) -> dict:
    """The runs in turns: in each round every (tree, layout) of ours once with --commit, then the
    floor, then (with --ie-rows full) django-import-export, then (with --preview) ours without
    --commit; each from its tree's freshly restored database. One unmeasured import of WARM_ROWS
    rows per (tree, layout) comes first, and one unmeasured floor: bytecode, OS cache, and the
    check that the tree reads the layout at all."""
    series = [("base", "template")] if "base" in envs else []
    series.append(("new", "template"))
    if args.layout == "office":
        series.append(("new", "office"))
    modes = ["commit", "preview"] if args.preview else ["commit"]
    others = ["floor"] + (["ie"] if args.ie_rows == "full" else [])
    new = envs["new"]
    for name, layout in series:
        envr = envs[name]
        envr.restore()
        w = run_cli(envr, warm[layout], commit=True, check=False)
        if w["failed"]:
            why = w["out"].get("error") or (w["m"]["stdout"][-2000:] + w["m"]["stderr"][-2000:])
            if layout == "office":
                raise SystemExit(
                    f"the {name} code ({envr.tree.root}) does not read the office layout: {why}\n"
                    "The office layout needs the engine's header and value mapping; with code that lacks "
                    "it use --layout template."
                )
            raise SystemExit(f"warm-up import ({name}, {layout}) failed: {why}")
        say(f"warm-up {name:<4} {layout:<8} ({WARM_ROWS} rows, not measured): {w['m']['wall_s']:.2f} s, "
            f"{_totals(w['out'])}")  # fmt: skip
    new.restore()
    w = child(args, "floor", new.env(), file=warm["template"])
    say(f"warm-up floor ({WARM_ROWS} rows, not measured): {w['_m']['wall_s']:.2f} s, {w['method']}")
    runs = {(mode, name, layout): [] for mode in modes for name, layout in series}
    runs.update({(other,): [] for other in others})
    counts = {}
    n = args.pairs
    for i in range(1, n + 1):
        for mode in modes:
            for name, layout in series:
                envr = envs[name]
                envr.restore()
                r = run_cli(envr, books[layout], commit=mode == "commit")
                m, out = r["m"], r["out"]
                rec = _record(
                    m, cli_s=float(out.get("seconds") or 0), totals=out.get("totals") or {}, out=out
                )
                runs[(mode, name, layout)].append(rec)
                _say_run(say, i, n, f"ours {mode} {name} {layout}", rec,
                         f"CLI {rec['cli_s']:.2f} s   {_totals(out)}")  # fmt: skip
                if i == 1 and mode == "commit":
                    counts[(name, layout)] = count_rows(envr, args)
            if mode != "commit":
                continue
            new.restore()
            f = child(args, "floor", new.env(), file=books["template"])
            rec = _record(f["_m"], **{k: v for k, v in f.items() if k != "_m"})
            runs[("floor",)].append(rec)
            _say_run(say, i, n, "floor", rec, f"{f['method']}: read {f['read_s']:.2f} + build {f['build_s']:.2f} + "
                     f"insert {f['insert_s']:.2f} s; table holds {f['counts']['residents']:,}")  # fmt: skip
            if "ie" in others:
                new.restore()
                e = child(args, "ie", new.env(), file=books["template"])
                rec = _record(e["_m"], **{k: v for k, v in e.items() if k != "_m"})
                runs[("ie",)].append(rec)
                _say_run(say, i, n, "django-import-export", rec, f"load xlsx {e['load_s']:.2f} + import_data "
                         f"{e['import_s']:.2f} s; totals {e['totals']}; table holds {e['counts']['residents']:,}")  # fmt: skip
    # Every side must have done the same work: the same outcomes, the same rows written.
    problems = []
    for mode in modes:
        seen = {(name, layout): {json.dumps(r["totals"], sort_keys=True) for r in runs[(mode, name, layout)]}
                for name, layout in series}  # fmt: skip
        for key, totals in seen.items():
            if len(totals) > 1:
                problems.append(f"{mode} {key[0]} {key[1]}: the runs' outcomes differ: {sorted(totals)}")
        ref = runs[(mode, "new", "template")][0]["totals"]
        for name, layout in series:
            got = runs[(mode, name, layout)][0]["totals"]
            if got.get("new") != ref.get("new") or got.get("rejected", 0) != ref.get("rejected", 0):
                problems.append(f"{mode} {name} {layout}: {got} against {ref} for new template")
    ref = counts[("new", "template")]
    for key, c in counts.items():
        differ = {k: (v, ref.get(k)) for k, v in c.items() if v != ref.get(k)}
        if differ:
            problems.append(f"{key[0]} {key[1]} wrote {c}; new template wrote {ref}")
    for other in others:
        for r in runs[(other,)]:
            if r["counts"]["residents"] != ref["residents"]:
                problems.append(
                    f"{other} wrote {r['counts']['residents']:,} residents; ours wrote {ref['residents']:,}"
                )
        for r in runs[(other,)] if other == "ie" else []:
            failed = r["totals"].get("error", 0) + r["totals"].get("invalid", 0)
            if failed:
                problems.append(f"ie: {failed:,} rows failed in import-export ({r['errors']})")
    return {"series": series, "modes": modes, "others": others, "runs": runs, "counts": counts,
            "problems": problems}  # fmt: skip


def per_pair(a: list[dict], b: list[dict], key: str) -> list[float]:
    """The ratio a/b of each pair (the runs of one round), in run order."""
    return [x[key] / y[key] for x, y in zip(a, b, strict=True)]


def bench_db(
    args, kind: str, tmp: Path, books: dict, subset: Path, warm: dict, say: Report, trees: dict
) -> dict:
    envs = {name: Env(kind, tmp, args.keep, tree, args.pg_prefix) for name, tree in trees.items()}
    envr = envs["new"]
    say(f"\n=== {kind} ===")
    res = {}
    try:
        for name, e in envs.items():
            t = e.build_template(args)
            say(f"database ({name}): {e.label}")
            say(f"setup ({name}: migrate + divisions 420115 + sysadmin + grid): {fmt_s(t['_m']['wall_s'])} s "
                f"(migrate {fmt_s(t['migrate_s'])} s, {t['divisions']} divisions created)")  # fmt: skip
            if not Path(t["shequ"]).resolve().is_relative_to(e.tree.root):
                raise SystemExit(f"the {name} setup imported shequ from {t['shequ']}, not from {e.tree.root}")
        res["label"] = envr.label
        env = envr.env()
        # ours, the floor and (in full) import-export, in turns; with --baseline ours of both trees
        others = "floor" + (", django-import-export (full file)" if args.ie_rows == "full" else "")
        say(f"paired runs: {args.pairs} pairs of ours (per tree and layout) and {others}, in turns, "
            "each from a freshly restored database")  # fmt: skip
        paired = paired_runs(args, envs, books, warm, say)
        res["paired"] = paired
        res["ours_counts"] = written = paired["counts"][("new", "template")]
        o = paired["runs"][("commit", "new", "template")][0]["out"]
        say(f"ours (CLI), first run: totals {o.get('totals')}, result {o.get('result')}")
        say(f"  written: {written}")
        for problem in paired["problems"]:
            say(f"  NOT THE SAME WORK: {problem}")

        # phases
        if args.phases:
            envr.restore()
            ph = child(args, "phases", env, file=books["template"])
            res["phases"] = ph

        # a django-import-export pilot: a per-row rate on the first N rows, not a comparison
        if args.ie_rows not in ("full", "skip"):
            envr.restore()
            pilot = child(args, "ie", env, file=subset)
            res["ie_pilot"] = pilot
            say(f"import-export PILOT (not the comparison): {pilot['rows']:,} rows in "
                f"{fmt_s(pilot['_m']['wall_s'])} s wall, CPU {pilot['_m']['user_s'] + pilot['_m']['sys_s']:.2f} s, "
                f"load {pilot['_m']['load']:.2f}; totals {pilot['totals']}, errors {pilot['errors']}")  # fmt: skip
    finally:
        for e in envs.values():
            e.drop()
    return res


def _ratio_line(say, what: str, a: list[dict], b: list[dict], goal: str, ok) -> float:
    """The median of the per-pair ratios a/b (wall), each pair's ratio, and the same for CPU time."""
    wall, cpu = per_pair(a, b, "wall_s"), per_pair(a, b, "cpu_s")
    mw, mc = statistics.median(wall), statistics.median(cpu)
    say(f"  {what:<30} = {mw:6.2f}×  (goal {goal})  {verdict(ok(mw))}   per pair "
        f"{', '.join(f'{x:.2f}' for x in wall)}; CPU {mc:.2f}× (per pair {', '.join(f'{x:.2f}' for x in cpu)})")  # fmt: skip
    return mw


def print_results(args, results: dict, gen: dict, say: Report):
    say("\n" + "=" * 100)
    say(
        f"RESULTS — {args.rows:,}-row residents workbook ({gen['bytes'] / 1048576:.1f} MB xlsx), {args.pairs} pairs"
    )
    say("=" * 100)
    say(
        "wall = wall time of the run's own process (interpreter + Django start included); CPU = its user + system"
    )
    say(
        "time (wait4; on PostgreSQL the server's work is not in it); peak MB = its max RSS; load = 1-minute load"
    )
    say("average when the run started (2 cores, shared). Every ratio is the median of the per-pair ratios.")
    if args.rows != GOAL_ROWS:
        say(f"NOTE: the goals are stated at {GOAL_ROWS:,} rows; this run has {args.rows:,}, so its verdicts are "
            "for this size only.")  # fmt: skip
    for kind, r in results.items():
        pr = r["paired"]
        runs = pr["runs"]
        ours, floor = runs[("commit", "new", "template")], runs[("floor",)]
        ie = runs.get(("ie",))
        n = floor[0]["rows"]
        say("")
        say(f"{kind}: {r['label']}")
        head = (
            f"  {'run':<34} {'rows':>8} {'wall s':>8} {'CPU s':>8} {'rows/s':>9} {'peak MB':>8} {'load':>5}"
        )
        say(head)
        say("  " + "-" * (len(head) - 2))
        table = [("ours (shequ residents import)", ours, n)]
        table.append((f"floor ({floor[0]['method'].split(' (')[0]})", floor, n))
        if ie:
            table.append(("django-import-export (full file)", ie, ie[0]["rows"]))
        for label, rs, rows in table:
            for i, x in enumerate(rs, start=1):
                say(f"  {label + ' #' + str(i):<34} {rows:>8,} {x['wall_s']:>8.2f} {x['cpu_s']:>8.2f} "
                    f"{rows / x['wall_s']:>9,.0f} {x['rss_mb']:>8.0f} {x['load']:>5.2f}")  # fmt: skip
        if "ie_pilot" in r:
            pl = r["ie_pilot"]
            m = pl["_m"]
            say(f"  {'import-export PILOT (not compared)':<34} {pl['rows']:>8,} {m['wall_s']:>8.2f} "
                f"{m['user_s'] + m['sys_s']:>8.2f} {pl['rows'] / m['wall_s']:>9,.0f} {m['rss_mb']:>8.0f} "
                f"{m['load']:>5.2f}")  # fmt: skip
        say("")
        _ratio_line(
            say,
            "ours / floor",
            ours,
            floor,
            f"≤ {TARGET_FLOOR_RATIO:.0f}×",
            lambda x: x <= TARGET_FLOOR_RATIO,
        )
        if ie:
            _ratio_line(say, "import-export / ours", ie, ours, f"≥ {TARGET_IE_RATIO:.0f}×",
                        lambda x: x >= TARGET_IE_RATIO)  # fmt: skip
        elif "ie_pilot" in r:
            say(f"  {'import-export / ours':<30} = NOT MEASURED: only a {r['ie_pilot']['rows']:,}-row PILOT ran "
                f"(--ie-rows {args.ie_rows}); the comparison needs --ie-rows full")  # fmt: skip
        else:
            say(f"  {'import-export / ours':<30} = NOT MEASURED (--ie-rows skip)")
        peak = statistics.median(x["rss_mb"] for x in ours)
        pss = statistics.median(x.get("pss_mb", 0.0) for x in ours)
        say(f"  {'ours peak RSS / PSS (median)':<30} = {peak:6.0f} / {pss:.0f} MB (RSS: the import process, wait4; "
            "PSS: summed over it and the reading process it forks, sampled every 0.1 s)")  # fmt: skip
        peak = max(peak, pss)
        if args.rows >= TARGET_MB_ROWS:
            say(f"  {'ours peak memory (median)':<30} = {peak:6.0f} MB (goal ≤ {TARGET_MB} MB at {TARGET_MB_ROWS:,} rows)  "
                f"{verdict(peak <= TARGET_MB)}")  # fmt: skip
        else:
            say(f"  {'ours peak memory (median)':<30} = {peak:6.0f} MB (the goal, ≤ {TARGET_MB} MB, is at "
                f"{TARGET_MB_ROWS:,} rows: see --memory-curve)" + ("  FAIL already" if peak > TARGET_MB else ""))  # fmt: skip
        w = r["ours_counts"]
        say(f"  ours wrote: {w['residents']:,} residents, {w['houses']:,} houses, {w['households']:,} households, "
            f"{w['tags']:,} tags, {w['events']:,} events, {w['changelog']:,} change-log rows; the floor wrote "
            f"{floor[0]['counts']['residents']:,} residents only" + (f", import-export {ie[0]['counts']['residents']:,}"
            " residents only" if ie else ""))  # fmt: skip
        for problem in pr["problems"]:
            say(f"  NOT THE SAME WORK: {problem}")
        print_waited(kind, runs, say)
        print_paired(args, kind, pr, say)
        if "phases" in r:
            print_phases(kind, r["phases"], say)


def _cost(new: float, base: float) -> str:
    return f"{100 * (new / base - 1):+.1f}%"


def print_paired(args, kind, paired, say):
    runs, series, modes = paired["runs"], paired["series"], paired["modes"]
    if len(series) == 1 and not args.preview:
        return
    say("")
    say(f"  ours run by run ({kind}; wall seconds of the CLI process; every run from its own tree's freshly "
        "restored database; one workbook per layout):")  # fmt: skip
    rounds = " ".join(f"{'#' + str(i):>7}" for i in range(1, args.pairs + 1))
    say(f"    {'run':<22} {rounds}  {'median':>7}   {'CLI s':>6} {'CPU s':>6} {'peak MB':>7}  (medians)")
    for mode in modes:
        for name, layout in series:
            rs = runs[(mode, name, layout)]
            each = " ".join(f"{x['wall_s']:>7.2f}" for x in rs)
            say(f"    {mode + ' ' + name + ' ' + layout:<22} {each}  {_median(rs, 'wall_s'):>7.2f}   "
                f"{_median(rs, 'cli_s'):>6.2f} {_median(rs, 'cpu_s'):>6.2f} {_median(rs, 'rss_mb'):>7.0f}")  # fmt: skip
    say("")
    say(
        "  medians of the per-pair ratios (wall time; CPU = user + system time of the process; CLI = the import's"
    )
    say(
        "  own 'seconds', without interpreter and Django start-up); per round = that round's pair, in run order;"
    )
    say("  fastest runs = the ratio of the two minimums, the figure least touched by other jobs:")
    trees = {name for name, _layout in series}
    pairs = []  # (a, b, what a/b is called, whether the 15 % target applies)
    if "base" in trees:
        pairs.append((("new", "template"), ("base", "template"), "{} cost", True))
    if args.layout == "office":
        if "base" in trees:
            pairs.append(
                (
                    ("new", "office"),
                    ("base", "template"),
                    "{} cost, office file (new code) / template (base)",
                    True,
                )
            )
        pairs.append((("new", "office"), ("new", "template"), "office file / template, both new code", False))
    labels = {"commit": "mapping+normalisation", "preview": "validate-only (preview)"}
    for mode in modes:
        for a_key, b_key, _what, _target in pairs:
            a, b = runs[(mode, *a_key)], runs[(mode, *b_key)]
            ratio = {k: statistics.median(per_pair(a, b, k)) for k in ("wall_s", "cpu_s", "cli_s")}
            per_round = ", ".join(f"{x['wall_s'] / y['wall_s']:.3f}" for x, y in zip(a, b, strict=True))
            fastest = min(x["wall_s"] for x in a) / min(x["wall_s"] for x in b)
            say(f"    {mode:<7} {' '.join(a_key)} / {' '.join(b_key)}: {ratio['wall_s']:.3f}   "
                f"(per round {per_round}; fastest runs {fastest:.3f}; CPU {ratio['cpu_s']:.3f}; "
                f"CLI {ratio['cli_s']:.3f})")  # fmt: skip
        for a_key, b_key, what, target in pairs:
            a, b = runs[(mode, *a_key)], runs[(mode, *b_key)]
            wall = statistics.median(per_pair(a, b, "wall_s"))
            line = f"  {what.format(labels[mode])}: {_cost(wall, 1.0)}"
            if target:
                line += f" (target ≤ {TARGET_COST:.0%})  {verdict(wall - 1 <= TARGET_COST)}"
            say(f"{line}   [CPU time {_cost(statistics.median(per_pair(a, b, 'cpu_s')), 1.0)}]")
    if len(series) > 1:
        say("  rows written by the first commit run of each:")
        for (name, layout), c in paired["counts"].items():
            say(f"    {name:<4} {layout:<8} {c}")
    for problem in paired["problems"]:
        say(f"  NOT THE SAME WORK: {problem}")


def print_waited(kind, runs: dict, say):
    """On SQLite one process does all the work: wall time well above CPU time means it waited."""
    if kind != "sqlite":
        return
    every = [x for rs in runs.values() for x in rs]
    waited = [x for x in every if x["wall_s"] > WAITED * x["cpu_s"]]
    if waited:
        worst = max(x["wall_s"] / x["cpu_s"] for x in waited)
        say(f"  note: {len(waited)} of {len(every)} runs took more than {WAITED - 1:.0%} longer than their CPU "
            f"time (up to {worst - 1:.0%}): other jobs had the cores. Their wall times are not comparable; "
            "look at the CPU ratios, or run again on a quieter machine.")  # fmt: skip


def print_phases(kind, ph, say):
    say("")
    say(f"  phase breakdown ({kind}, create_batch + commit_batch in-process, the rows streaming in chunks, read in "
        "the same process (not ahead), so that each part is timed where it runs; "
        f"total {ph['total_s']:.2f} s + {ph['setup_s']:.2f} s interpreter/Django start):")  # fmt: skip
    total = ph["total_s"]
    for name, secs, rss in ph["phases"]:
        peak = f"   peak RSS so far {rss:>5.0f} MB" if rss else ""
        say(f"    {name:<58} {secs:>7.2f} s {100 * secs / total:>5.1f} %{peak}")
    say("    inside prepare and plan:")
    for k, v in sorted(ph["in_plan"].items(), key=lambda kv: -kv[1]):
        say(f"      {k:<42} {v:>7.2f} s  ({ph['calls'].get(k, 0):,} calls in all)")
    say("    inside apply (insert times include the row generator feeding them):")
    for k, v in sorted(ph["in_apply"].items(), key=lambda kv: -kv[1]):
        say(f"      {k:<42} {v:>7.2f} s")


def memory_curve(args, kinds: list[str], tmp: Path, wb: Path, warm: dict, say: Report, tree: Tree) -> dict:
    """Ours at each size of --curve-sizes (the first N rows of one workbook), one freshly restored
    database each, after one unmeasured 500-row import whose peak is the start-up footprint."""
    sizes = args.curve_sizes
    results = {}
    for kind in kinds:
        envr = Env(kind, tmp, args.keep, tree, args.pg_prefix)
        say(f"\n=== {kind} ===")
        try:
            t = envr.build_template(args)
            say(f"database: {envr.label}; setup {fmt_s(t['_m']['wall_s'])} s")
            envr.restore()
            w = run_cli(envr, warm["template"])
            base = _record(w["m"], rows=WARM_ROWS)
            say(f"  warm-up {WARM_ROWS:>8,} rows  peak {base['rss_mb']:5.0f} MB  wall {base['wall_s']:7.2f} s  "
                f"CPU {base['cpu_s']:6.2f} s  load {base['load']:.2f}  (the start-up footprint)")  # fmt: skip
            runs = []
            for n in sizes:
                envr.restore()
                r = run_cli(envr, wb if n == args.rows else curve_path(wb, n))
                rec = _record(r["m"], rows=n, totals=r["out"].get("totals") or {})
                runs.append(rec)
                say(f"  import  {n:>8,} rows  peak {rec['rss_mb']:5.0f} MB (PSS {rec['pss_mb']:5.0f} MB, "
                    f"{rec['processes']} processes)  wall {rec['wall_s']:7.2f} s  "
                    f"CPU {rec['cpu_s']:6.2f} s  load {rec['load']:.2f}  {_totals(r['out'])}")  # fmt: skip
            results[kind] = {"label": envr.label, "base": base, "runs": runs}
        finally:
            envr.drop()
    say("\n" + "=" * 100)
    say(
        "MEMORY CURVE — peak memory of `shequ residents import --commit`, one run per size: the CLI process' peak RSS"
    )
    say(
        "(wait4) and the peak of the summed PSS of it and the reading process it forks (sampled every 0.1 s from"
    )
    say("/proc; pages the two share count once in all); the larger of the two is judged")
    say("=" * 100)

    def mem(x):
        return max(x["rss_mb"], x.get("pss_mb", 0.0))

    for kind, r in results.items():
        runs, base = r["runs"], r["base"]
        first, last = runs[0], runs[-1]
        say(f"\n{kind}: {r['label']}")
        say(f"  {'rows':>8} {'RSS MB':>7} {'PSS MB':>7} {'judged':>7} {'above start-up':>15} "
            f"{'MB per 10k rows since previous':>31}")  # fmt: skip
        prev = None
        for x in runs:
            slope = "" if prev is None else f"{(mem(x) - mem(prev)) / (x['rows'] - prev['rows']) * 1e4:.1f}"
            say(f"  {x['rows']:>8,} {x['rss_mb']:>7.0f} {x.get('pss_mb', 0.0):>7.0f} {mem(x):>7.0f} "
                f"{mem(x) - mem(base):>15.0f} {slope:>31}")  # fmt: skip
            prev = x
        rows_ratio = last["rows"] / first["rows"]
        growth = mem(last) / mem(first)
        above = (mem(last) - mem(base)) / max(mem(first) - mem(base), 1.0)
        say(f"  growth {first['rows']:,} → {last['rows']:,} rows ({rows_ratio:.0f}× the rows): peak {growth:.2f}×; "
            f"the part above the {WARM_ROWS}-row start-up footprint ({mem(base):.0f} MB) {above:.2f}×")  # fmt: skip
        # Memory linear in the rows (a + b·rows) grows above the footprint as the rows beyond the
        # warm-up's do: that ratio is the line to stay under.
        linear = (last["rows"] - WARM_ROWS) / (first["rows"] - WARM_ROWS)
        say(f"  less than linear (above-start-up growth < {linear:.2f}×, what memory linear in the rows would give)  "
            f"{verdict(above < linear)}")  # fmt: skip
        if last["rows"] >= TARGET_MB_ROWS:
            say(f"  peak memory at {last['rows']:,} rows = {mem(last):.0f} MB (goal ≤ {TARGET_MB} MB at "
                f"{TARGET_MB_ROWS:,} rows)  {verdict(mem(last) <= TARGET_MB)}")  # fmt: skip
        else:
            say(f"  peak memory at {TARGET_MB_ROWS:,} rows (goal ≤ {TARGET_MB} MB): NOT MEASURED (largest size here "
                f"{last['rows']:,})" + ("; already FAIL" if mem(last) > TARGET_MB else ""))  # fmt: skip
        if {tuple(sorted(x["totals"].items())) for x in runs if x["totals"].get("rejected")}:
            say(
                "  note: some rows were rejected: " + "; ".join(f"{x['rows']:,}: {x['totals']}" for x in runs)
            )
    return results


def main(argv=None):
    import signal

    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))  # clean up temp dirs and databases
    args = parse_args(argv)
    if args.step:
        return run_step(args)
    say = Report()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if args.memory_curve:
        args.rows = max(args.curve_sizes)
    tmp = Path(tempfile.mkdtemp(prefix="shequ-bench-import-"))
    say(f"bench_import — {dt.datetime.now():%Y-%m-%d %H:%M}")
    say(f"command: {' '.join([Path(sys.argv[0]).name, *sys.argv[1:]]) if argv is None else ' '.join(argv)}")
    say(f"machine: {machine()}")
    if args.memory_curve:
        say(f"memory curve: {', '.join(f'{n:,}' for n in args.curve_sizes)} rows   seed: {args.seed}   "
            f"db: {', '.join(kinds)}")  # fmt: skip
    else:
        ie = {"full": "full file, in every pair", "skip": "skipped"}.get(
            args.ie_rows, f"PILOT of {args.ie_rows} rows"
        )
        say(f"rows: {args.rows:,}   seed: {args.seed}   db: {', '.join(kinds)}   pairs: {args.pairs}   "
            f"import-export: {ie}")  # fmt: skip
    trees = {"new": Tree.current()}
    if args.baseline:
        trees = {"base": Tree.baseline(args.baseline), **trees}
    for name, tree in trees.items():
        tree.check()
        say(f"{name} code: {tree.describe()}")
    if not args.memory_curve:
        say(f"layout: {args.layout}   pairs (rounds of runs in turns): {args.pairs}   preview: "
            f"{'yes' if args.preview else 'no'}")  # fmt: skip
    try:
        wb, subset = tmp / "residents.xlsx", tmp / "residents-subset.xlsx"
        books = {"template": wb}
        extra = {}
        if args.layout == "office" and not args.memory_curve:
            books["office"] = extra["office"] = tmp / "residents-office.xlsx"
        if args.memory_curve:
            extra["curve"] = ",".join(str(n) for n in args.curve_sizes)
        elif args.ie_rows not in ("full", "skip"):
            extra.update(subset=subset, subset_rows=int(args.ie_rows))
        warm = {layout: tmp / f"warm-{layout}.xlsx" for layout in books}
        global PYC_DIR
        PYC_DIR = tmp / "pycache"
        gen_env = dict(os.environ, SHEQU_DATA_DIR=str(tmp / "gen"), **child_env_extra())
        gen_env.pop("SHEQU_DATABASE_URL", None)
        g = child(args, "generate", gen_env, file=wb, warm=tmp / "warm", **extra)
        pilot = f"; a PILOT workbook of its first {g['subset_rows']:,} rows" if "subset_rows" in g else ""
        say(f"workbook: {g['rows']:,} rows, {g['bytes'] / 1048576:.1f} MB, generated in {g['total_s']:.1f} s "
            f"(people {g['generate_s']:.1f} s + xlsx writing), peak {g['_m']['rss_mb']:.0f} MB — not part of any "
            f"import figure{pilot}")  # fmt: skip
        if "office" in g:
            o = g["office"]
            say(f"office workbook: the same {g['rows']:,} rows, {o['bytes'] / 1048576:.1f} MB: a title row above the "
                f"header, {len(OFFICE_HEADERS)} columns renamed, {o['full_width_ids']:,} ID numbers in full-width "
                f"digits, {o['short_labels']:,} short labels (高中/大专/本科), a 合计 row at the end")  # fmt: skip
        if args.memory_curve:
            memory_curve(args, kinds, tmp, wb, warm, say, trees["new"])
        else:
            results = {}
            for kind in kinds:
                results[kind] = bench_db(args, kind, tmp, books, subset, warm, say, trees)
            print_results(args, results, g, say)
    finally:
        if args.keep:
            say(f"\nkept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text("\n".join(say.lines) + "\n")
        print(f"written: {args.out}")


if __name__ == "__main__":
    main()
