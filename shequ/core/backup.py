"""Backups proven by restore: `shequ backup` and `shequ restore`.

A backup is one .tar.gz holding the database (SQLite through its online backup API; PostgreSQL
through `pg_dump --format=custom`), the uploaded files under MEDIA_ROOT (photos and attachments
live in the database already) and a manifest: when, which engine, the migration state, and a row
count and SHA-256 per table. The encryption keys are never inside it: `--keys-to` writes them to a
separate file (mode 0600) that belongs somewhere else (another disk, the safe); a backup without
its keys restores rows whose personal data cannot be read, and keys without the backup are of no
use to a thief of the backup.

A restore goes into an empty database and data directory only, installs the keys, and then proves
itself: every table's count and digest must equal the manifest's, one value of every encrypted
column must decrypt, and every attachment must match its recorded SHA-256. Anything else fails the
restore loudly (exit status 1)."""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, connections

FORMAT = 1
PREFIX = "shequ-backup-"
MANIFEST = "manifest.json"
SQLITE_FILE = "db.sqlite3"
PG_FILE = "db.dump"


class BackupError(Exception):
    """A backup or restore that cannot go on: the message says why and what to do."""


# --- what is compared -------------------------------------------------------------------------------
def tables() -> list[tuple[str, str]]:
    """(table, primary-key column) of every table the platform's models own, plus the migration
    record; sorted, so that two databases are compared table by table."""
    found = {"django_migrations": "id"}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy:
            found[meta.db_table] = meta.pk.column
    return sorted(found.items())


def _norm(v) -> str:
    if v is None:
        return "\x00"
    if isinstance(v, memoryview | bytes | bytearray):
        return "b:" + bytes(v).hex()
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral() else str(v)
    return str(v)


def table_digests(cursor, quote) -> dict[str, dict]:
    """{table: {"rows": n, "sha256": hex}} over every row in primary-key order; `quote` quotes a
    name for the engine the cursor speaks to."""
    out = {}
    for table, pk in tables():
        h = hashlib.sha256()
        n = 0
        cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")  # noqa: S608 (names from models)
        while rows := cursor.fetchmany(2000):
            for row in rows:
                h.update("\x1f".join(_norm(v) for v in row).encode())
                h.update(b"\x1e")
                n += 1
        out[table] = {"rows": n, "sha256": h.hexdigest()}
    return out


def current_digests() -> dict[str, dict]:
    with connection.cursor() as cur:
        return table_digests(cur, connection.ops.quote_name)


def engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def _pg_env() -> tuple[list[str], dict]:
    s = connection.settings_dict
    args = [
        "--dbname",
        s["NAME"],
        "--host",
        s.get("HOST") or "127.0.0.1",
        "--port",
        str(s.get("PORT") or 5432),
    ]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _run(cmd: list[str], env=None) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"找不到命令 {cmd[0]}：请安装与数据库同版本的 PostgreSQL 客户端（postgresql-client）。"
        ) from None
    if done.returncode:
        raise BackupError(f"{cmd[0]} 失败（退出码 {done.returncode}）：{done.stderr.strip()[-800:]}")


def _key_files() -> dict[str, Path]:
    return {
        "field_keys.json": Path(settings.FIELD_KEY_FILE),
        "secret_key": Path(settings.DATA_DIR) / "secret_key",
    }


def _key_ids() -> list[str]:
    from shequ.core import crypto

    return sorted(crypto.keyring().keys)


# --- backup -----------------------------------------------------------------------------------------
def backup(out_dir, *, keys_to=None) -> Path:
    """Write a backup archive into `out_dir` (and the keys to `keys_to`, elsewhere); returns its path."""
    out_dir = Path(out_dir).resolve()
    if keys_to is not None:
        keys_to = Path(keys_to).resolve()
        if keys_to.parent == out_dir or out_dir in keys_to.parents:
            raise BackupError(
                "密钥文件不能和备份放在同一目录：请写到另一处（另一块磁盘、加密 U 盘或保险柜）。"
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = out_dir / f"{PREFIX}{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="shequ-backup-") as tmp:
        tmp = Path(tmp)
        kind = engine()
        if kind == "sqlite":
            connection.ensure_connection()
            dest = sqlite3.connect(tmp / SQLITE_FILE)
            with dest:
                connection.connection.backup(dest)
            dest.close()
            db_file = SQLITE_FILE
        else:
            args, env = _pg_env()
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args,
                  "--file", str(tmp / PG_FILE)], env)  # fmt: skip
            db_file = PG_FILE
        media = Path(settings.MEDIA_ROOT)
        files = [p for p in media.rglob("*") if p.is_file()] if media.is_dir() else []
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "engine": kind,
            "database": db_file,
            "migrations": _migration_heads(),
            "tables": current_digests(),
            "media_files": len(files),
            "key_ids": _key_ids(),
        }
        part = target.with_suffix(".part")
        with tarfile.open(part, "w:gz") as tar:
            tar.add(tmp / db_file, arcname=db_file)
            for p in files:
                tar.add(p, arcname=f"media/{p.relative_to(media).as_posix()}")
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        os.replace(part, target)
    if keys_to is not None:
        export_keys(keys_to)
    return target


def _migration_heads() -> dict[str, str]:
    with connection.cursor() as cur:
        cur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        heads = {}
        for app, name in cur.fetchall():
            heads[app] = max(heads.get(app, ""), name)
    return heads


def export_keys(path: Path) -> Path:
    from shequ.core import crypto

    if crypto.keyring().source == "env":
        raise BackupError("字段密钥来自环境变量 SHEQU_FIELD_KEYS：请在保管这些环境变量的地方单独备份它们。")
    bundle = {"format": FORMAT, "files": {}}
    for name, p in _key_files().items():
        if p.exists():
            bundle["files"][name] = p.read_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(bundle, fh, indent=1)
    return path


# --- restore ----------------------------------------------------------------------------------------
def read_manifest(archive) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            manifest = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError):
        manifest = None
    if not manifest or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} 不是 shequ 备份文件（或已损坏）：请选择 shequ backup 生成的 .tar.gz。")
    return manifest


def _target_is_empty() -> bool:
    return "django_migrations" not in connection.introspection.table_names()


def _install_keys(keys) -> None:
    try:
        bundle = json.loads(Path(keys).read_text())
        files = bundle["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(f"{keys} 不是 shequ backup --keys-to 导出的密钥文件。") from None
    for name, p in _key_files().items():
        if name not in files:
            continue
        # The secret key file is made when settings load, so a fresh data directory has its own
        # already: the backup's replaces it (sessions and signed codes stay valid). A different
        # field-key file means the directory is not fresh.
        if name != "secret_key" and p.exists() and p.read_text() != files[name]:
            raise BackupError(f"数据目录里已有不同的 {name}：恢复只能进入新的数据目录（SHEQU_DATA_DIR）。")
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(files[name])
    from shequ.core import crypto

    crypto.reset_keyring()


def restore(archive, *, keys=None) -> dict:
    """Restore `archive` into the (empty) configured database and data directory, then verify."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    if manifest["engine"] != engine():
        raise BackupError(
            f"备份来自 {manifest['engine']}，而当前配置的数据库是 {engine()}：请用同一种数据库恢复"
            "（设置 SHEQU_DATABASE_URL）。"
        )
    if not _target_is_empty():
        raise BackupError("目标数据库不是空的：恢复只能进入新建的空数据库，以免覆盖现有数据。")
    key_file = Path(settings.FIELD_KEY_FILE)
    if keys is not None:
        _install_keys(keys)
    elif manifest["key_ids"] and not settings.FIELD_KEYS and not key_file.exists():
        raise BackupError(
            f"备份中的个人信息用密钥 {', '.join(manifest['key_ids'])} 加密：请用 --keys 指定备份时导出的密钥文件。"
        )
    with tempfile.TemporaryDirectory(prefix="shequ-restore-") as tmp, tarfile.open(archive, "r:gz") as tar:
        tmp = Path(tmp)
        tar.extractall(tmp, filter="data")
        if manifest["engine"] == "sqlite":
            connections.close_all()
            name = connection.settings_dict["NAME"]
            src = sqlite3.connect(tmp / SQLITE_FILE)
            dest = sqlite3.connect(name)
            with dest:
                src.backup(dest)
            src.close()
            dest.close()
        else:
            args, env = _pg_env()
            _run(
                ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, str(tmp / PG_FILE)],
                env,
            )
        if (tmp / "media").is_dir():
            shutil.copytree(tmp / "media", Path(settings.MEDIA_ROOT), dirs_exist_ok=True)
    connections.close_all()
    return verify(manifest)


def verify(manifest: dict) -> dict:
    """Compare the database with a manifest and read what only the keys can read."""
    found = current_digests()
    mismatched = sorted(t for t, d in manifest["tables"].items() if found.get(t) != d)
    media = Path(settings.MEDIA_ROOT)
    media_files = sum(1 for p in media.rglob("*") if p.is_file()) if media.is_dir() else 0
    return {
        "tables": len(manifest["tables"]),
        "rows": sum(d["rows"] for d in found.values()),
        "mismatched": mismatched,
        "media_files": media_files,
        "media_ok": media_files >= manifest["media_files"],
        "encrypted": _read_encrypted(),
        "attachments": _check_attachments(),
    }


def _read_encrypted() -> dict:
    """One stored value of every encrypted column, decrypted: {"checked": n, "failed": [...]}."""
    from shequ.core import crypto

    checked, failed = 0, []
    for model in apps.get_models():
        for f in crypto.encrypted_fields(model):
            with connection.cursor() as cur:
                q = connection.ops.quote_name
                cur.execute(
                    f"SELECT {q(f.column)} FROM {q(model._meta.db_table)} "  # noqa: S608 (names from models)
                    f"WHERE {q(f.column)} IS NOT NULL AND {q(f.column)} <> '' LIMIT 1"
                )
                row = cur.fetchone()
            if not row:
                continue
            checked += 1
            try:
                crypto.decrypt(row[0])
            except Exception:  # noqa: BLE001 - any failure to read is what the check reports
                failed.append(f"{model._meta.label}.{f.name}")
    return {"checked": checked, "failed": failed}


def _check_attachments() -> dict:
    from shequ.core.models import Attachment

    checked, failed = 0, []
    for pk, sha, data in Attachment.objects.values_list("pk", "sha256", "data").iterator(chunk_size=200):
        checked += 1
        if hashlib.sha256(bytes(data)).hexdigest() != sha:
            failed.append(pk)
    return {"checked": checked, "failed": failed}


def passed(report: dict) -> bool:
    return (
        not report["mismatched"]
        and report["media_ok"]
        and not report["encrypted"]["failed"]
        and not report["attachments"]["failed"]
    )
