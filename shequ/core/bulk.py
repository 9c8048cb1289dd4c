"""Multi-row INSERT (COPY on PostgreSQL, executemany on SQLite) and UPDATE, for imports of
100,000 rows.

Django's bulk_create prepares every value through the field machinery and, on SQLite, splits a
batch into ~30-row statements (999 parameters); for a wide table that is most of an import's
time. Here the caller hands over values that are already what the column stores (ciphertext,
blind index, ISO dates, JSON text) and one statement runs for all rows. Written by hand because no
maintained library does this for Django models on both SQLite and PostgreSQL.
"""

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Field, ForeignObject, Lookup
from django.utils import timezone

CHUNK = 5000


def columns(model, names: list[str]) -> list[str]:
    """Column names of the given attnames (e.g. 'house_id'), validated against the model."""
    by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
    return [by_attname[n] for n in names]


_PLAIN = (str, int, float, bool, type(None))


def _converter():
    """value → what the DB-API adapter takes; plain values pass straight through (the hot path)."""
    sqlite = connection.vendor == "sqlite"

    def convert(value):
        if type(value) in _PLAIN:
            return value
        if isinstance(value, dt.datetime):
            if not sqlite:
                return value
            if timezone.is_aware(value):
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return value.isoformat(sep=" ")
        if isinstance(value, dt.date):
            return value.isoformat() if sqlite else value
        if isinstance(value, (dict, list)):
            return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
        return value

    return convert


def db_value(value):
    """A Python value as the DB-API adapter expects it on both backends."""
    return _converter()(value)


def _needs_conversion(model, names: list[str]) -> list[int]:
    """Positions of the columns whose Python values the adapters do not take as they are."""
    from django.db import models

    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    # psycopg takes dates and datetimes as they are; SQLite's adapter wants text (DateTimeField is a
    # DateField).
    kinds = (models.DateField, models.JSONField) if connection.vendor == "sqlite" else (models.JSONField,)
    return [i for i, n in enumerate(names) if isinstance(by_attname[n], kinds)]


def insert(model, names: list[str], rows) -> int:
    """INSERT the rows (sequences ordered as `names`); returns the number written. Values are
    stored as given, except dates, datetimes and JSON, which are converted per backend."""
    cols = columns(model, names)
    table = connection.ops.quote_name(model._meta.db_table)
    col_sql = ", ".join(connection.ops.quote_name(c) for c in cols)
    marks = ", ".join(["%s"] * len(cols))
    sql = f"INSERT INTO {table} ({col_sql}) VALUES ({marks})"  # noqa: S608 - names come from the model
    conv = _converter()
    convert_at = _needs_conversion(model, names)
    last = {}  # column → (value, converted): the same `now` on every row is converted once

    def ready(row):
        row = list(row)
        for i in convert_at:
            v = row[i]
            if type(v) in _PLAIN:
                continue
            seen = last.get(i)
            if seen is not None and seen[0] is v:
                row[i] = seen[1]
            else:
                row[i] = out = conv(v)
                last[i] = (v, out)  # v kept alive, so that its id is not another value's
        return row

    n = 0
    batch = []
    with connection.cursor() as cur:
        raw = getattr(cur, "cursor", None)
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            # PostgreSQL: COPY streams the rows in one statement (psycopg 3), several times faster
            # than an INSERT per row even when pipelined.
            with raw.copy(f"COPY {table} ({col_sql}) FROM STDIN") as copy:  # noqa: S608 - model names
                for row in rows:
                    copy.write_row(ready(row))
                    n += 1
            return n
        for row in rows:
            batch.append(ready(row))
            if len(batch) >= CHUNK:
                cur.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
    return n


def reserve_ids(model, n: int) -> list[int]:
    """Ids for n rows the caller is about to insert with them, taken from the table's own
    sequence inside the caller's transaction: no other writer is given them, and the caller knows
    each row's id without reading the rows back (and can insert rows that point at them first:
    the foreign keys are checked at COMMIT)."""
    if n <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n]
            )
            return [row[0] for row in cur.fetchall()]
        # SQLite: the AUTOINCREMENT counter, raised by n. The UPDATE takes the database's write
        # lock, and a later INSERT without an id continues above the counter.
        qn = connection.ops.quote_name
        cur.execute(
            f"INSERT INTO sqlite_sequence (name, seq) SELECT %s, coalesce(max({qn(pk)}), 0) FROM {qn(table)} "  # noqa: S608 - model names
            "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
            [table, table],
        )
        cur.execute("UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s RETURNING seq", [n, table])
        top = cur.fetchone()[0]
    return list(range(top - n + 1, top + 1))


def update(model, names: list[str], rows, *, key: str = "id") -> None:
    """UPDATE … SET names WHERE key = last value of each row. On PostgreSQL one statement per
    chunk joins the table to the values passed as arrays (unnest): 40,000 single-row UPDATEs,
    even pipelined, take seconds."""
    qn = connection.ops.quote_name
    cols = columns(model, names)
    key_col = columns(model, [key])[0]
    table = qn(model._meta.db_table)
    conv = _converter()
    rows = [[conv(v) for v in r] for r in rows]
    if connection.vendor == "postgresql":
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        types = [by_attname[n].db_type(connection) for n in [*names, key]]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        names_sql = ", ".join(f"c{i}" for i in range(len(types)))
        sets = ", ".join(f"{qn(c)} = v.c{i}" for i, c in enumerate(cols))
        sql = (
            f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({names_sql}) "  # noqa: S608 - model names
            f"WHERE {table}.{qn(key_col)} = v.c{len(cols)}"
        )
        with connection.cursor() as cur:
            for i in range(0, len(rows), CHUNK):
                part = rows[i : i + CHUNK]
                cur.execute(sql, [[r[j] for r in part] for j in range(len(types))])
        return
    sets = ", ".join(f"{qn(c)} = %s" for c in cols)
    sql = f"UPDATE {table} SET {sets} WHERE {qn(key_col)} = %s"  # noqa: S608
    with connection.cursor() as cur:
        for i in range(0, len(rows), CHUNK):
            cur.executemany(sql, rows[i : i + CHUNK])


@ForeignObject.register_lookup
@Field.register_lookup
class Among(Lookup):
    """`field__among=values`: IN, sent on PostgreSQL as one array parameter (= ANY(%s)) rather
    than one parameter per value; for the thousands of keys an import looks up per chunk that
    halves the query's time. On SQLite an IN list (keep it under SQLite's 32,766 parameters)."""

    lookup_name = "among"

    def get_prep_lookup(self):
        return [self.lhs.output_field.get_prep_value(v) for v in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [self.lhs.output_field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs]
        if not values:
            return "1 = 0", list(lhs_params)
        if connection.vendor == "postgresql":
            if all(type(v) is str for v in values):
                # psycopg searches each string of a list for what needs quoting (a regular
                # expression per element): for an import's thousands of keys, one array literal
                # with every element quoted is built several times faster.
                quoted = (v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
                return f"{lhs} = ANY(%s::text[])", [
                    *lhs_params,
                    "{" + ",".join(f'"{v}"' for v in quoted) + "}",
                ]
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
