"""The backup drill: back up a database holding encrypted personal data and an attachment, restore it
with the real `shequ restore` command into a fresh database and data directory (the engine the run
uses: SQLite, or PostgreSQL in CI's second pass), and prove the copy: every table's count and
checksum, an encrypted field read back, the attachment's bytes. Plus the refusals."""

import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.db import connection

from shequ.core import backup, crypto
from shequ.core.attachments import attach
from shequ.core.models import Attachment
from shequ.core.testing.world import build_world
from shequ.people.models import Resident
from tests.people.factories import make_resident

pytestmark = pytest.mark.django_db(transaction=True)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _cli(args, data_dir: Path, database_url: str | None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEQU_")}
    env["SHEQU_DATA_DIR"] = str(data_dir)
    if database_url:
        env["SHEQU_DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "shequ.cli", *args], env=env, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip


@pytest.fixture
def fresh_database():
    """A new empty database of the engine under test: (url or None for SQLite, DB-API connect())."""
    if connection.vendor == "sqlite":
        yield None, None
        return
    import psycopg

    s = connection.settings_dict
    name = f"shequ_restore_{uuid.uuid4().hex[:10]}"
    admin = dict(host=s.get("HOST") or "127.0.0.1", port=s.get("PORT") or 5432, user=s.get("USER") or "postgres",
                 password=s.get("PASSWORD") or None, autocommit=True)  # fmt: skip
    with psycopg.connect(dbname="postgres", **admin) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{admin['user']}@{admin['host']}:{admin['port']}/{name}"
    yield url, lambda: psycopg.connect(dbname=name, **{k: v for k, v in admin.items() if k != "autocommit"})
    with psycopg.connect(dbname="postgres", **admin) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_fresh_database_and_proves_itself(tmp_path, fresh_database):
    world = build_world()
    people = [make_resident(world, "a") for _ in range(3)]
    photo = attach(people[0], world.a.code, [("门牌.png", PNG, "image/png")], world.users["community_lead"])[
        0
    ]
    archive = backup.backup(tmp_path / "backups", keys_to=tmp_path / "safe" / "keys.json")

    manifest = backup.read_manifest(archive)
    assert manifest["engine"] == backup.engine()
    assert manifest["tables"][Resident._meta.db_table]["rows"] == 3
    assert manifest["tables"][Attachment._meta.db_table]["rows"] == 1
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert not any("key" in n for n in names), names  # the keys never travel with the backup
    assert oct((tmp_path / "safe" / "keys.json").stat().st_mode & 0o777) == "0o600"

    url, connect = fresh_database
    target = tmp_path / "restored"
    done = _cli(["restore", str(archive), "--keys", str(tmp_path / "safe" / "keys.json")], target, url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "核对通过" in done.stdout

    # Read the restored copy directly: the same ciphertext decrypts under the exported keys, and the
    # attachment comes back byte for byte.
    db = sqlite3.connect(target / "shequ.sqlite3") if url is None else connect()
    with db:
        cur = db.cursor()
        cur.execute(f"SELECT phone FROM {Resident._meta.db_table} WHERE id = {people[0].pk}")
        stored_phone = cur.fetchone()[0]
        cur.execute(f"SELECT data FROM {Attachment._meta.db_table} WHERE id = {photo.pk}")
        stored_photo = bytes(cur.fetchone()[0])
        cur.execute(f"SELECT count(*) FROM {Resident._meta.db_table}")
        restored_residents = cur.fetchone()[0]
    db.close()
    assert stored_phone != people[0].phone and crypto.decrypt(stored_phone) == people[0].phone
    assert stored_photo == bytes(Attachment.objects.get(pk=photo.pk).data)
    assert restored_residents == 3

    # The check the restore passed is a real one: a changed row shows as a mismatched table.
    assert backup.passed(backup.verify(manifest))
    Resident.objects.filter(pk=people[1].pk).update(name="改过的名字")
    report = backup.verify(manifest)
    assert report["mismatched"] == [Resident._meta.db_table] and not backup.passed(report)

    # A second restore into the same (now full) database is refused and changes nothing.
    again = _cli(["restore", str(archive), "--keys", str(tmp_path / "safe" / "keys.json")], target, url)
    assert again.returncode != 0 and "不是空的" in again.stderr


def test_a_restore_without_the_keys_is_refused_with_what_to_do(tmp_path, fresh_database):
    world = build_world()
    make_resident(world, "a")
    archive = backup.backup(tmp_path / "backups")
    url, _ = fresh_database
    done = _cli(["restore", str(archive)], tmp_path / "restored", url)
    assert done.returncode != 0 and "--keys" in done.stderr


def test_keys_beside_the_backup_and_a_file_that_is_no_backup_are_refused(tmp_path):
    with pytest.raises(backup.BackupError, match="同一目录"):
        backup.backup(tmp_path / "backups", keys_to=tmp_path / "backups" / "keys.json")
    assert not list((tmp_path / "backups").glob("*.tar.gz")) if (tmp_path / "backups").exists() else True
    bogus = tmp_path / "not-a-backup.tar.gz"
    bogus.write_bytes(b"PK\x03\x04 a zip, not a backup")
    with pytest.raises(backup.BackupError, match="不是 shequ 备份文件"):
        backup.read_manifest(bogus)
