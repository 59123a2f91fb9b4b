"""`yancheng backup` / `yancheng restore` (SPEC §12, issue 10 §6) on whichever database the
run uses: a backup of the test world restored into a fresh database (a temporary SQLite file,
or a scratch PostgreSQL database made and dropped here) verifies equal; a damaged archive, a
non-empty target and a different key already in place are refused before anything is written.

The world is committed once for the module (pg_dump and the restore run in other processes
and cannot see a test's open transaction) and flushed at the end, as a transactional test is.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, models
from django.test import override_settings

from yancheng.core.attachments.services import attachment_add
from yancheng.core.audit.models import AuditEvent
from yancheng.core.backup.checksums import normalise, table_checksums
from yancheng.core.backup.manifest import MANIFEST, MANIFEST_DIGEST
from yancheng.core.backup.sqlite import extra_connection
from yancheng.testing.world import build_world

from ..attachments import samples

FIELD_KEY = b"v1:0123456789abcdef0123456789abcdef\n"
AUDIT_KEY_FILE = b"# the checkpoint key file (signing uses YANCHENG_AUDIT_KEY in tests)\nabc123\n"


@dataclass
class Source:
    archive: Path
    manifest: dict[str, Any]
    output: str
    attachment_bytes: dict[str, bytes]  # member name -> bytes
    live_audit_count: int


@pytest.fixture(scope="module")
def source(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Source]:
    from django.conf import settings

    base = tmp_path_factory.mktemp("backup-source")
    keys = Path(settings.DATA_DIR) / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    field_key = keys / "field-encryption.keys"
    field_key.write_bytes(FIELD_KEY)
    audit_key_file = base / "elsewhere" / "audit-checkpoint.key"
    audit_key_file.parent.mkdir()
    audit_key_file.write_bytes(AUDIT_KEY_FILE)
    with (
        django_db_blocker.unblock(),
        override_settings(YANCHENG_ATTACHMENT_ROOT=base / "attachments", YANCHENG_AUDIT_KEY_FILE=str(audit_key_file)),
    ):
        try:
            world = build_world()
            added = [
                attachment_add(
                    world.enterprise_a,
                    file=SimpleUploadedFile(name, data),
                    actor=world.users["enterprise_a"],
                )
                for name, data in (("整改报告.pdf", samples.pdf()), ("现场.png", samples.png()))
            ]
            out = io.StringIO()
            archive = base / "out" / "yancheng.tar"
            call_command("backup", output=str(archive), stdout=out, stderr=io.StringIO())
            with tarfile.open(archive) as tar:
                manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
            yield Source(
                archive=archive,
                manifest=manifest,
                output=out.getvalue(),
                attachment_bytes={
                    f"attachments/{a.pk.hex[:2]}/{a.pk.hex}": a.storage_path.read_bytes() for a in added
                },
                live_audit_count=AuditEvent.objects.count(),
            )
        finally:
            call_command("flush", interactive=False, verbosity=0)
            field_key.unlink(missing_ok=True)


@pytest.fixture
def target(tmp_path, django_db_blocker) -> Iterator[dict[str, Any]]:
    """A fresh, empty database of the run's kind and an empty data folder for it."""
    data_dir = tmp_path / "restored"
    data_dir.mkdir()
    default = connections["default"].settings_dict
    settings_dict = dict(default)
    if connection.vendor == "sqlite":
        name = str(data_dir / "yancheng.sqlite3")
        settings_dict.update(NAME=name, OPTIONS={}, TEST={})
        yield {"url": f"sqlite:///{name}", "data_dir": data_dir, "settings": settings_dict, "blocker": django_db_blocker}
        return
    import psycopg

    name = f"yc_restore_{uuid.uuid4().hex[:12]}"
    params = {k: v for k, v in {
        "host": default["HOST"], "port": default["PORT"], "user": default["USER"], "password": default["PASSWORD"]
    }.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    settings_dict.update(NAME=name, TEST={})
    auth = default["USER"] + (f":{default['PASSWORD']}" if default["PASSWORD"] else "")
    url = f"postgres://{auth}@{default['HOST'] or 'localhost'}:{default['PORT'] or 5432}/{name}"
    try:
        yield {"url": url, "data_dir": data_dir, "settings": settings_dict, "blocker": django_db_blocker}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore_in_subprocess(archive: Path, target: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    """`yancheng restore` as an operator runs it, configured for the fresh target only."""
    return yancheng_in_subprocess(target, "restore", str(archive), *args)


def yancheng_in_subprocess(target: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    """A `yancheng` command run against the restore target, as an operator would."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=target["url"],
        YANCHENG_DATA_DIR=str(target["data_dir"]),
        YANCHENG_ATTACHMENT_ROOT=str(target["data_dir"] / "attachments"),
        YANCHENG_AUDIT_KEY_FILE=str(target["data_dir"] / "elsewhere" / "audit-checkpoint.key"),
    )
    return subprocess.run(
        [sys.executable, "-m", "yancheng.cli", *args],
        env=env,
        cwd=target["data_dir"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def target_checksums(target: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Read by a connection of its own (the tests that use it hold no test transaction)."""
    with target["blocker"].unblock(), extra_connection("restore_target", target["settings"]) as alias:
        return table_checksums(alias)


def target_tables(target: dict[str, Any]) -> list[str]:
    with target["blocker"].unblock(), extra_connection("restore_target", target["settings"]) as alias:
        return connections[alias].introspection.table_names()


def rewrite(archive: Path, out: Path, *, drop: str = "", change: dict[str, bytes] | None = None) -> Path:
    """A copy of ``archive`` with one member left out or replaced (names kept in order)."""
    change = change or {}
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for info in src:
            if info.name == drop:
                continue
            data = change.get(info.name, src.extractfile(info).read())  # type: ignore[union-attr]
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


# --- the round trip -----------------------------------------------------------------------


def test_the_archive_is_private_and_names_everything_it_holds(source):
    assert stat.S_IMODE(source.archive.stat().st_mode) == 0o600
    assert not list(source.archive.parent.glob(".*"))  # no temporary file left behind
    members = source.manifest["members"]
    database = source.manifest["database"]
    assert database["vendor"] == connection.vendor and database["member"] in members
    assert set(source.attachment_bytes) <= set(members)
    for member, data in source.attachment_bytes.items():
        assert members[member]["sha256"] == hashlib.sha256(data).hexdigest()
    key_places = {(k["setting"], k["relative"]) for k in source.manifest["keys"]}
    assert ("", "field-encryption.keys") in key_places
    assert ("YANCHENG_AUDIT_KEY_FILE", "") in key_places
    assert database["tables"]["core_user"]["rows"] >= 10
    assert database["audit_head"]["seq"] > 0
    assert "备份完成" in source.output


def test_the_backup_is_in_the_audit_trail_after_the_snapshot_it_describes(source):
    head = source.manifest["database"]["audit_head"]
    assert source.live_audit_count == head["seq"] + 1  # the record of the backup itself
    assert source.manifest["database"]["tables"]["audit_auditevent"]["rows"] == head["seq"]


def test_a_backup_restores_into_a_fresh_database_with_equal_rows_uploads_and_keys(source, target):
    done = restore_in_subprocess(source.archive, target)
    assert done.returncode == 0, done.stderr
    assert "恢复完成并已校验" in done.stdout

    restored = target_checksums(target)
    expected = source.manifest["database"]["tables"]
    for table, facts in expected.items():
        if table in ("audit_auditevent", "audit_auditcheckpoint"):
            continue  # the restore appends its own record and signs it, after verifying
        assert restored[table] == facts, table
    assert restored["audit_auditevent"]["rows"] == expected["audit_auditevent"]["rows"] + 1
    assert restored["audit_auditcheckpoint"]["rows"] == expected["audit_auditcheckpoint"]["rows"] + 1

    root = target["data_dir"] / "attachments"
    for member, data in source.attachment_bytes.items():
        assert (root / member.removeprefix("attachments/")).read_bytes() == data
    field_key = target["data_dir"] / "keys" / "field-encryption.keys"
    audit_key = target["data_dir"] / "elsewhere" / "audit-checkpoint.key"  # where the setting points
    assert field_key.read_bytes() == FIELD_KEY
    assert audit_key.read_bytes() == AUDIT_KEY_FILE
    assert stat.S_IMODE(field_key.stat().st_mode) == 0o600

    # Once restored, the database is no longer empty: a second restore is refused.
    again = restore_in_subprocess(source.archive, target)
    assert again.returncode == 2
    assert "目标数据库不是空的" in again.stderr


# --- refused before anything is written ---------------------------------------------------------


def flip_a_byte_of(archive: Path, member_prefix: str, out: Path) -> Path:
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        info = next(i for i in tar if i.name.startswith(member_prefix))
    data[info.offset_data + info.size // 2] ^= 0x01
    out.write_bytes(bytes(data))
    return out


def altered_manifest(source: Source, out: Path, *, recompute_digest: bool) -> Path:
    manifest = json.loads(json.dumps(source.manifest))
    manifest["database"]["tables"]["core_user"]["rows"] += 1
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    change = {MANIFEST: body}
    if recompute_digest:
        change[MANIFEST_DIGEST] = hashlib.sha256(body).hexdigest().encode()
    return rewrite(source.archive, out, change=change)


def _with_extra(archive: Path, out: Path) -> Path:
    rewrite(archive, out)
    with tarfile.open(out, "a") as tar:
        info = tarfile.TarInfo("attachments/../../etc/cron.d/x")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    return out


def _truncated(archive: Path, out: Path) -> Path:
    out.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    return out


DAMAGE = {
    "a flipped byte in the database": lambda s, out: flip_a_byte_of(s.archive, "database/", out),
    "a flipped byte in an upload": lambda s, out: flip_a_byte_of(s.archive, "attachments/", out),
    "a missing upload": lambda s, out: rewrite(s.archive, out, drop=next(iter(s.attachment_bytes))),
    "a missing key": lambda s, out: rewrite(s.archive, out, drop="keys/1"),
    "an altered manifest": lambda s, out: altered_manifest(s, out, recompute_digest=False),
    "a truncated file": lambda s, out: _truncated(s.archive, out),
    "an extra member with a climbing name": lambda s, out: _with_extra(s.archive, out),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_archive_is_refused_before_anything_is_touched(source, target, damage, tmp_path):
    archive = DAMAGE[damage](source, tmp_path / "damaged.tar")
    done = restore_in_subprocess(archive, target)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "未做任何恢复" in done.stderr
    assert target_tables(target) == []
    data_dir = target["data_dir"]
    assert not any(p.is_file() for p in data_dir.rglob("*") if p.name != "yancheng.sqlite3")


def test_a_damaged_archive_is_refused_even_against_a_live_database(source, tmp_path, db, settings):
    """In-process, against the test database: the archive is checked before the target."""
    before = table_checksums()
    archive = flip_a_byte_of(source.archive, "database/", tmp_path / "damaged.tar")
    with pytest.raises(CommandError) as raised:
        call_command("restore", str(archive), replace=True, stdout=io.StringIO())
    assert raised.value.returncode == 2
    assert "已损坏" in str(raised.value)
    assert table_checksums() == before
    assert not Path(settings.YANCHENG_ATTACHMENT_ROOT).exists()


def test_a_consistent_but_false_manifest_is_caught_by_the_checksums_after_restore(source, target, tmp_path):
    archive = altered_manifest(source, tmp_path / "forged.tar", recompute_digest=True)
    done = restore_in_subprocess(archive, target)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "core_user" in done.stderr and "请勿使用" in done.stderr


def test_restore_into_a_non_empty_database_is_refused(source, tmp_path, db, settings):
    before = table_checksums()
    with pytest.raises(CommandError) as raised:
        call_command("restore", str(source.archive), stdout=io.StringIO())
    assert raised.value.returncode == 2
    assert "目标数据库不是空的" in str(raised.value)
    assert table_checksums() == before
    assert not Path(settings.YANCHENG_ATTACHMENT_ROOT).exists()


def test_restore_into_a_non_empty_uploads_folder_is_refused(source, target):
    stray = target["data_dir"] / "attachments" / "ab" / "someone-elses-file"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"keep me")
    done = restore_in_subprocess(source.archive, target)
    assert done.returncode == 2
    assert "附件文件夹" in done.stderr and "不是空的" in done.stderr
    assert stray.read_bytes() == b"keep me"
    assert target_tables(target) == []


def test_a_different_key_in_place_is_not_overwritten(source, target):
    existing = target["data_dir"] / "keys" / "field-encryption.keys"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"v1:another-installation's-key\n")
    done = restore_in_subprocess(source.archive, target)
    assert done.returncode == 2
    assert "--replace-keys" in done.stderr
    assert existing.read_bytes() == b"v1:another-installation's-key\n"
    assert target_tables(target) == []


def test_replace_keys_keeps_the_old_key_aside(source, target):
    existing = target["data_dir"] / "keys" / "field-encryption.keys"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"old\n")
    done = restore_in_subprocess(source.archive, target, "--replace-keys")
    assert done.returncode == 0, done.stderr
    assert existing.read_bytes() == FIELD_KEY
    kept = list(existing.parent.glob("field-encryption.keys.before-restore-*"))
    assert [p.read_bytes() for p in kept] == [b"old\n"]


# --- checksums that do not depend on the database -------------------------------------------------


def test_values_normalise_to_the_same_text_however_the_database_returns_them():
    plain = models.CharField()
    assert normalise(Decimal("1.50"), models.DecimalField()) == normalise(Decimal("1.5"), models.DecimalField())
    assert normalise({"b": 1, "a": [1, 2]}, models.JSONField()) == normalise({"a": [1, 2], "b": 1}, models.JSONField())
    shanghai = timezone(timedelta(hours=8))
    moment = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert normalise(moment, plain) == normalise(moment.astimezone(shanghai), plain)
    assert normalise(memoryview(b"\x00\x01"), plain) == normalise(b"\x00\x01", plain) == "0001"
    assert normalise(None, plain) is None and normalise("", plain) == ""
    assert normalise(True, plain) != normalise(1, plain)


def test_a_forged_manifest_cannot_send_a_key_outside_the_keys_folder(source, target, tmp_path):
    """Whoever forges an archive can recompute the manifest's digest; the restore still
    writes keys only into their own places."""
    manifest = json.loads(json.dumps(source.manifest))
    entry = next(k for k in manifest["keys"] if k["relative"])
    entry["relative"] = "../../planted"
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    archive = rewrite(
        source.archive,
        tmp_path / "forged.tar",
        change={MANIFEST: body, MANIFEST_DIGEST: hashlib.sha256(body).hexdigest().encode()},
    )
    done = restore_in_subprocess(archive, target)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "未做任何恢复" in done.stderr
    assert not (target["data_dir"].parent / "planted").exists()
    assert target_tables(target) == []


@pytest.mark.postgres_only
def test_a_write_while_pg_dump_runs_leaves_the_archive_consistent(source, target, tmp_path, monkeypatch):
    """The manifest describes the dump's snapshot, not the database a moment later: a user
    renamed while pg_dump runs is absent from the archive, and the restore verifies."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump's snapshot: PostgreSQL only (SQLite's checksums come from the copy itself)")
    import psycopg

    from yancheng.core.backup import postgresql

    real_run = subprocess.run
    default = connections["default"].settings_dict
    params = {k: v for k, v in {
        "host": default["HOST"], "port": default["PORT"], "user": default["USER"], "password": default["PASSWORD"]
    }.items() if v}

    user_name_sql = "SELECT full_name FROM core_user WHERE username = 'dispatcher'"

    def pg_dump_while_someone_writes(command, **kwargs):
        done = real_run(command, **kwargs)
        with psycopg.connect(dbname=default["NAME"], autocommit=True, **params) as other:
            other.execute("UPDATE core_user SET full_name = 'renamed during the dump' WHERE username = 'dispatcher'")
        return done

    # pg_dump is the outside world here: it runs, then another session commits a change.
    monkeypatch.setattr(postgresql.subprocess, "run", pg_dump_while_someone_writes)
    archive = tmp_path / "during.tar"
    with target["blocker"].unblock():
        call_command("backup", output=str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    monkeypatch.setattr(postgresql.subprocess, "run", real_run)

    done = restore_in_subprocess(archive, target)
    assert done.returncode == 0, done.stderr
    with psycopg.connect(dbname=default["NAME"], autocommit=True, **params) as live:
        assert live.execute(user_name_sql).fetchone() == ("renamed during the dump",)
    with psycopg.connect(dbname=target["settings"]["NAME"], autocommit=True, **params) as restored:
        assert restored.execute(user_name_sql).fetchone() not in {None, ("renamed during the dump",)}


# --- the anchors outside the database ------------------------------------------------------------


def test_anchors_written_after_the_backup_are_kept_aside_not_mistaken_for_a_cut(source, target):
    """After a restore, the anchor file names checkpoints the backup cannot hold (records
    written after it). The restore still verifies the chain it restored, says how much
    came after the backup, keeps that file as evidence and starts a new one — otherwise
    every new checkpoint would contradict an old anchor at the same seq."""
    from django.conf import settings

    from yancheng.core.audit.anchors import ANCHOR_TYPE

    head = int(source.manifest["database"]["audit_head"]["seq"])
    anchors = target["data_dir"] / "other-volume" / "audit-anchors.jsonl"
    anchors.parent.mkdir()
    later = {
        "type": ANCHOR_TYPE, "deployment_id": settings.YANCHENG_AUDIT_DEPLOYMENT_ID, "seq": head + 40,
        "hash": "ab" * 32, "created_at": "2026-12-07T08:00:00.000000Z", "key_id": "k1",
        "signature": "cd" * 32, "is_archive_cut": False,
    }
    anchors.write_text(json.dumps(later) + "\n", encoding="utf-8")
    os.environ["YANCHENG_AUDIT_ANCHOR_FILE"] = str(anchors)
    try:
        done = restore_in_subprocess(source.archive, target)
        verified = yancheng_in_subprocess(target, "audit", "verify")
    finally:
        del os.environ["YANCHENG_AUDIT_ANCHOR_FILE"]
    assert done.returncode == 0, done.stderr
    assert f"至审计序号 {head + 40}" in done.stdout + done.stderr
    kept = [p for p in anchors.parent.iterdir() if p.name.startswith("audit-anchors.jsonl.before-restore-")]
    assert len(kept) == 1 and json.loads(kept[0].read_text(encoding="utf-8"))["seq"] == head + 40
    # The new file starts with the restore's own signed record; verify passes on it.
    fresh = [json.loads(line) for line in anchors.read_text(encoding="utf-8").splitlines()]
    assert [a["seq"] for a in fresh] == [head + 1]
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_restore_on_a_machine_without_the_anchor_volume_starts_a_new_anchor_file(source, target):
    anchors = target["data_dir"] / "new-volume" / "audit-anchors.jsonl"
    os.environ["YANCHENG_AUDIT_ANCHOR_FILE"] = str(anchors)
    try:
        done = restore_in_subprocess(source.archive, target)
        verified = yancheng_in_subprocess(target, "audit", "verify")
    finally:
        del os.environ["YANCHENG_AUDIT_ANCHOR_FILE"]
    assert done.returncode == 0, done.stderr
    head = int(source.manifest["database"]["audit_head"]["seq"])
    assert [json.loads(line)["seq"] for line in anchors.read_text(encoding="utf-8").splitlines()] == [head + 1]
    assert verified.returncode == 0, verified.stdout + verified.stderr
