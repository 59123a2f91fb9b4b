"""Backup and restore (SPEC §12): one archive with the database, the uploads and the key files.

An archive is a plain tar (the database dump is compressed already, uploads mostly are):

    database/yancheng.sqlite3 | database/yancheng.pgdump   a consistent snapshot
    attachments/<xx>/<uuid>                               every file under YANCHENG_ATTACHMENT_ROOT
    keys/<n>                                              DATA_DIR/keys/* and *_KEY_FILE / *_KEYS_FILE
    manifest.json                                         what is in it, with a SHA-256 per member
    manifest.sha256                                       the manifest's own SHA-256

The manifest also holds, for the database snapshot, each table's row count and row checksum
(`table_checksums`), the applied migrations and the audit chain's head. The checksums are
computed through the ORM with values normalised to text and combined without regard to row
order (a sum of row digests), so they do not depend on the database's collation or storage
order. SQLite is copied with its online backup API and the checksums are taken from the copy;
PostgreSQL is dumped by ``pg_dump -Fc --snapshot`` from a REPEATABLE READ transaction that
computes the checksums over the same snapshot. Either way the application may keep writing.

A restore refuses a damaged archive before it touches anything, goes into an empty database
and an empty uploads folder (``replace`` moves what is there aside first), puts the keys in
their configured places without silently replacing different keys, then checks the restored
database: every table's row count and checksum, the audit chain (`verify_chain`), the chain's
head and every attachment's bytes against its recorded SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.typing import Actor

FORMAT = "yancheng-backup/1"
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
DB_MEMBER = {"sqlite": "database/yancheng.sqlite3", "postgresql": "database/yancheng.pgdump"}
MIGRATIONS_TABLE = "django_migrations"
CHUNK = 1024 * 1024
_SNAPSHOT_ALIAS = "yancheng_backup_snapshot"

Log = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that did not happen; the message is for the operator (translated)."""


class RestoreMismatch(BackupError):
    """The database was restored but does not match the archive's manifest."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            _("恢复后的数据与备份清单不符，请勿使用该数据库：%(problems)s") % {"problems": "；".join(problems)}
        )


@dataclass
class BackupResult:
    path: Path
    sha256: str
    size: int
    manifest: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    tables: int
    rows: int
    uploads: int
    keys_written: list[Path]
    keys_unchanged: list[Path]
    warnings: list[str] = field(default_factory=list)


# --- row checksums ------------------------------------------------------------------------


def _normalise(value: Any, field_: models.Field[Any, Any]) -> Any:
    """One value as the same text on every database (None stays None: NULL is not '')."""
    if value is None:
        return None
    if isinstance(field_, models.JSONField):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value // timedelta(microseconds=1))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, UUID):
        return value.hex
    return str(value)


def _model_tables() -> Iterator[type[models.Model]]:
    seen: set[str] = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        yield model


def table_checksums(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict[str, Any]]:
    """Row count and checksum of every model's table (and of the applied migrations).

    Each row's local columns are normalised to text and hashed; a table's checksum is the
    sum of its rows' digests modulo 2**256, so the order the database returns them in, and
    its collation, do not matter. Streams the rows: memory stays flat on a large table."""
    result: dict[str, dict[str, Any]] = {}
    for model in _model_tables():
        fields = list(model._meta.local_concrete_fields)
        rows = model._base_manager.using(using).order_by().values_list(*(f.attname for f in fields))
        result[model._meta.db_table] = _checksum(rows.iterator(chunk_size=2000), fields)
    recorder = MigrationRecorder(connections[using])
    if recorder.has_table():
        migrations = sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())
        digest = 0
        for name in migrations:
            digest = (digest + int.from_bytes(hashlib.sha256(name.encode()).digest(), "big")) % (1 << 256)
        result[MIGRATIONS_TABLE] = {"rows": len(migrations), "sha256": f"{digest:064x}"}
    return result


def _checksum(rows: Iterator[tuple[Any, ...]], fields: list[Any]) -> dict[str, Any]:
    total = 0
    count = 0
    for row in rows:
        text = json.dumps([_normalise(v, f) for v, f in zip(row, fields, strict=True)], ensure_ascii=False)
        total = (total + int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")) % (1 << 256)
        count += 1
    return {"rows": count, "sha256": f"{total:064x}"}


def _applied_migrations(using: str) -> list[str]:
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _code_migrations() -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.graph.nodes)


def _audit_head(using: str) -> dict[str, Any]:
    from yancheng.core.audit.models import AuditEvent

    last = AuditEvent.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
    return {"seq": int(last[0]), "hash": str(last[1])} if last else {"seq": 0, "hash": ""}


def _attachment_paths(using: str) -> dict[str, str]:
    """member name -> recorded SHA-256 of every attachment row in the database."""
    from yancheng.core.attachments.models import Attachment

    return {
        f"attachments/{pk.hex[:2]}/{pk.hex}": sha
        for pk, sha in Attachment.objects.using(using).order_by().values_list("pk", "sha256").iterator(chunk_size=2000)
    }


# --- small file helpers ---------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader(io.RawIOBase):
    """Hands a file to tarfile and hashes it on the way, so every member is read once."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _fsync_dir(path: Path) -> None:
    with suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def _stamp() -> str:
    return timezone.now().astimezone(UTC).strftime("%Y%m%d-%H%M%S")


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("yancheng")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


# --- what goes in ---------------------------------------------------------------------------


def keys_dir() -> Path:
    return Path(settings.DATA_DIR) / "keys"


def key_file_settings() -> dict[str, Path]:
    """Settings that name a key file (…_KEY_FILE, …_KEYS_FILE), with their paths."""
    found: dict[str, Path] = {}
    for name in dir(settings):
        if not name.isupper() or not name.endswith(("_KEY_FILE", "_KEYS_FILE")):
            continue
        value = getattr(settings, name, None)
        if isinstance(value, str | Path) and str(value).strip():
            found[name] = Path(value)
    return found


@dataclass(frozen=True)
class KeyEntry:
    member: str
    source: Path
    setting: str = ""  # the setting naming it, if any
    relative: str = ""  # its path under DATA_DIR/keys, if it lives there


def _key_entries() -> list[KeyEntry]:
    by_path: dict[Path, dict[str, str]] = {}
    root = keys_dir()
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                by_path.setdefault(path.resolve(), {})["relative"] = path.relative_to(root).as_posix()
    for name, path in sorted(key_file_settings().items()):
        if path.is_file():
            entry = by_path.setdefault(path.resolve(), {})
            entry.setdefault("setting", name)
    return [
        KeyEntry(member=f"keys/{n}", source=path, setting=info.get("setting", ""), relative=info.get("relative", ""))
        for n, (path, info) in enumerate(sorted(by_path.items()), start=1)
    ]


def _upload_files(root: Path) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield "attachments/" + path.relative_to(root).as_posix(), path


# --- database snapshots ---------------------------------------------------------------------


@contextmanager
def extra_connection(name: str, settings_dict: dict[str, Any]) -> Iterator[str]:
    """A second connection (to the SQLite copy), usable with the ORM's ``using=``."""
    connections.settings[name] = settings_dict
    try:
        yield name
    finally:
        with suppress(Exception):
            connections[name].close()
        with suppress(AttributeError, KeyError):
            del connections[name]
        connections.settings.pop(name, None)


def _describe(using: str) -> dict[str, Any]:
    return {
        "tables": table_checksums(using),
        "migrations": _applied_migrations(using),
        "audit_head": _audit_head(using),
        "attachments": _attachment_paths(using),
    }


def _snapshot_sqlite(using: str, target: Path) -> dict[str, Any]:
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    dest = sqlite3.connect(target)
    try:
        raw.backup(dest)  # the online backup API: a consistent copy while others write
    finally:
        dest.close()
    copy_settings = dict(connection.settings_dict)
    copy_settings.update(NAME=str(target), OPTIONS={}, CONN_MAX_AGE=0, TEST={})
    with extra_connection(_SNAPSHOT_ALIAS, copy_settings) as alias:
        facts = _describe(alias)
        facts["server_version"] = sqlite3.sqlite_version
    return facts


def _pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for pg_dump / pg_restore: the password never on the command line."""
    env = dict(os.environ)
    pairs = {
        "PGDATABASE": settings_dict.get("NAME"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
    }
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in {
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
    }.items():
        pairs[variable] = options.get(option)
    for key, value in pairs.items():
        if value not in (None, ""):
            env[key] = str(value)
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("找不到 %(tool)s：请安装与数据库服务器同一主版本的 PostgreSQL 客户端工具。") % {"tool": name}
        )
    return path


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        raise BackupError(
            _("%(what)s失败：%(detail)s") % {"what": what, "detail": " / ".join(detail[-3:]) or completed.returncode}
        )


def _snapshot_postgresql(using: str, target: Path) -> dict[str, Any]:
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError(_("备份不能在数据库事务内运行。"))
    pg_dump = _pg_tool("pg_dump")
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # One snapshot for pg_dump and for the checksums: the manifest describes the dump.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            _pg_environment(connection.settings_dict),
            _("pg_dump 导出数据库"),
        )
        facts = _describe(using)
        facts["server_version"] = server_version
    return facts


# --- backup ----------------------------------------------------------------------------------


def default_backup_path() -> Path:
    return Path(settings.DATA_DIR) / "backups" / f"yancheng-{_stamp()}.tar"


def backup_create(
    output: Path | None = None,
    *,
    include_keys: bool = True,
    actor: Actor | None = None,
    log: Log | None = None,
) -> BackupResult:
    """Write one archive (see the module docstring) to ``output``, atomically and mode 0600,
    and record it in the audit trail. Raises BackupError; a failed backup leaves no file."""
    from yancheng.core.audit.keys import AuditKeyError
    from yancheng.core.audit.services import audit_checkpoint_create, audit_record

    using = DEFAULT_DB_ALIAS
    vendor = connections[using].vendor
    if vendor not in DB_MEMBER:
        raise BackupError(_("不支持备份此类数据库：%(vendor)s") % {"vendor": vendor})
    path = Path(output) if output else default_backup_path()
    if path.exists() and path.is_dir():
        raise BackupError(_("输出位置是一个文件夹：%(path)s") % {"path": path})
    warnings: list[str] = []
    try:
        # Sign the chain's head first, so the archive's whole trail is covered by a checkpoint.
        audit_checkpoint_create()
    except AuditKeyError as exc:
        warnings.append(_("未能在备份前签署审计检查点：%(reason)s") % {"reason": exc})

    _private_dir(path.parent)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    temp = Path(temp_name)
    work = Path(tempfile.mkdtemp(dir=path.parent, prefix=".yancheng-backup-"))
    try:
        db_file = work / Path(DB_MEMBER[vendor]).name
        if log:
            log(_("正在生成数据库快照……"))
        facts = _snapshot_sqlite(using, db_file) if vendor == "sqlite" else _snapshot_postgresql(using, db_file)
        members: dict[str, dict[str, Any]] = {}
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar:

            def add(member: str, source: Path) -> None:
                info = tarfile.TarInfo(member)
                with source.open("rb") as src:
                    info.size = os.fstat(src.fileno()).st_size
                    info.mtime = int(os.fstat(src.fileno()).st_mtime)
                    info.mode = 0o600
                    reader = _HashingReader(src)
                    tar.addfile(info, reader)
                members[member] = {"sha256": reader.digest.hexdigest(), "size": info.size}

            add(DB_MEMBER[vendor], db_file)
            if log:
                log(_("正在打包附件……"))
            root = Path(settings.YANCHENG_ATTACHMENT_ROOT)
            for member, source in _upload_files(root):
                try:
                    add(member, source)
                except FileNotFoundError:
                    continue  # removed while we walked (a deleted attachment or a finished spool)
            keys: list[dict[str, str]] = []
            if include_keys:
                for entry in _key_entries():
                    add(entry.member, entry.source)
                    keys.append(
                        {"member": entry.member, "setting": entry.setting, "relative": entry.relative,
                         "source": str(entry.source)}
                    )
            recorded = facts.pop("attachments")
            missing = sorted(m for m in recorded if m not in members)
            if missing:
                warnings.append(_("%(n)d 个附件在数据库中有记录但文件缺失。") % {"n": len(missing)})
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "created_at": timezone.now().astimezone(UTC).isoformat(),
                "app_version": app_version(),
                "deployment_id": settings.YANCHENG_AUDIT_DEPLOYMENT_ID,
                "database": {"vendor": vendor, "member": DB_MEMBER[vendor], **facts},
                "uploads": {"files": sum(1 for m in members if m.startswith("attachments/")), "missing": missing},
                "keys": keys,
                "members": members,
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            for name, data in ((MANIFEST, body), (MANIFEST_DIGEST, hashlib.sha256(body).hexdigest().encode())):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mode = 0o600
                info.mtime = int(timezone.now().timestamp())
                tar.addfile(info, io.BytesIO(data))
            tar.close()
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
        _fsync_dir(path.parent)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if not isinstance(exc, BackupError | KeyboardInterrupt):
            _audit_failure("backup.create", str(exc))
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)

    digest = _sha256_file(path)
    size = path.stat().st_size
    tables = manifest["database"]["tables"]
    with transaction.atomic():
        audit_record(
            "backup.create",
            actor=actor,
            object_type="backup",
            object_id=digest[:16],
            object_repr=path.name,
            after={
                "file": str(path),
                "sha256": digest,
                "size": size,
                "vendor": vendor,
                "tables": len(tables),
                "rows": sum(t["rows"] for t in tables.values()),
                "uploads": manifest["uploads"]["files"],
                "keys": len(manifest["keys"]),
                "audit_head_seq": manifest["database"]["audit_head"]["seq"],
            },
        )
    return BackupResult(path=path, sha256=digest, size=size, manifest=manifest, warnings=warnings)


def _audit_failure(action: str, reason: str) -> None:
    from yancheng.core.audit.services import audit_record

    with suppress(Exception), transaction.atomic():
        audit_record(action, object_type="backup", outcome="failure", after={"error": reason[:500]})


# --- reading an archive -------------------------------------------------------------------------


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in {"", ".", ".."} for part in path.parts):
        return False
    return name in {MANIFEST, MANIFEST_DIGEST} or path.parts[0] in {"database", "attachments", "keys"}


def unpack_verified(archive: Path, staging: Path) -> dict[str, Any]:
    """Extract ``archive`` into ``staging`` and check it whole: the manifest's own digest,
    every member's SHA-256 and size, no member missing or extra, only plain files with safe
    names. Returns the manifest; raises BackupError (nothing outside ``staging`` touched)."""
    damaged = _("备份文件已损坏或不完整，未做任何恢复：%(path)s（%(reason)s）")
    found: dict[str, dict[str, Any]] = {}
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for info in tar:
                if not info.isfile() or not _safe_member_name(info.name) or info.name in found:
                    raise BackupError(
                        damaged % {"path": archive, "reason": _("不应有的成员 %(name)s") % {"name": info.name}}
                    )
                target = staging / info.name
                for folder in reversed(target.relative_to(staging).parents[:-1]):
                    (staging / folder).mkdir(mode=0o700, exist_ok=True)
                source = tar.extractfile(info)
                if source is None:  # pragma: no cover - a regular file always has data
                    raise BackupError(damaged % {"path": archive, "reason": info.name})
                digest = hashlib.sha256()
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                found[info.name] = {"sha256": digest.hexdigest(), "size": target.stat().st_size}
    except FileNotFoundError as exc:
        raise BackupError(_("找不到备份文件：%(path)s") % {"path": archive}) from exc
    except (tarfile.TarError, EOFError, OSError, zlib_error()) as exc:
        raise BackupError(damaged % {"path": archive, "reason": exc}) from exc

    if MANIFEST not in found or MANIFEST_DIGEST not in found:
        raise BackupError(damaged % {"path": archive, "reason": _("缺少清单")})
    body = (staging / MANIFEST).read_bytes()
    if hashlib.sha256(body).hexdigest() != (staging / MANIFEST_DIGEST).read_text(encoding="ascii").strip():
        raise BackupError(damaged % {"path": archive, "reason": _("清单被修改")})
    try:
        manifest = json.loads(body)
    except ValueError as exc:
        raise BackupError(damaged % {"path": archive, "reason": _("清单无法读取")}) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("不是雁城备份文件，或格式版本不受支持：%(path)s") % {"path": archive})
    expected: dict[str, dict[str, Any]] = manifest["members"]
    listed = set(expected)
    present = set(found) - {MANIFEST, MANIFEST_DIGEST}
    if listed - present:
        names = ", ".join(sorted(listed - present)[:5])
        raise BackupError(damaged % {"path": archive, "reason": _("缺少成员 %(names)s") % {"names": names}})
    if present - listed:
        names = ", ".join(sorted(present - listed)[:5])
        raise BackupError(damaged % {"path": archive, "reason": _("多出成员 %(names)s") % {"names": names}})
    for name, facts in sorted(expected.items()):
        if found[name]["sha256"] != facts["sha256"] or found[name]["size"] != facts["size"]:
            raise BackupError(damaged % {"path": archive, "reason": _("%(name)s 校验和不符") % {"name": name}})
    return manifest


def _check_manifest_shape(manifest: dict[str, Any], archive: Path) -> None:
    """The manifest names the members the restore reads and where keys go: a forged one
    (its digest recomputed) must not make it read or write outside its own places."""
    members = manifest.get("members", {})
    database = manifest.get("database", {})
    reason = ""
    if database.get("member") not in DB_MEMBER.values() or database.get("member") not in members:
        reason = _("清单中的数据库成员无效")
    for entry in manifest.get("keys", []):
        member, relative = str(entry.get("member", "")), str(entry.get("relative", ""))
        climbing = relative and (
            PurePosixPath(relative).is_absolute() or ".." in PurePosixPath(relative).parts or "\\" in relative
        )
        if not member.startswith("keys/") or member not in members or climbing:
            reason = _("清单中的密钥条目无效：%(member)s") % {"member": member}
    if reason:
        raise BackupError(
            _("备份文件已损坏或不完整，未做任何恢复：%(path)s（%(reason)s）") % {"path": archive, "reason": reason}
        )


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


# --- restore ---------------------------------------------------------------------------------------


def _sqlite_path(using: str) -> Path:
    return Path(connections[using].settings_dict["NAME"])


def _in_memory(using: str) -> bool:
    check = getattr(connections[using], "is_in_memory_db", None)  # SQLite's wrapper only
    return bool(check()) if check else False


def _database_is_empty(using: str) -> bool:
    connection = connections[using]
    if connection.vendor == "sqlite" and not _in_memory(using):
        path = _sqlite_path(using)
        if not path.exists() or path.stat().st_size == 0:
            return True  # do not create the file just to look into it
    return not connection.introspection.table_names()


def _folder_is_empty(root: Path) -> bool:
    return not root.exists() or not any(p.is_file() or p.is_symlink() for p in root.rglob("*"))


@dataclass(frozen=True)
class _KeyPlan:
    member: str
    target: Path
    same: bool  # already there with the same content


def _key_target(entry: dict[str, str]) -> Path:
    configured = key_file_settings().get(entry.get("setting", ""))
    if configured is not None:
        return configured
    name = Path(entry.get("source", "")).name
    if name in {"", ".", ".."}:
        name = entry["member"].replace("/", "-")
    return keys_dir() / (entry.get("relative") or name)


def _plan_keys(manifest: dict[str, Any], staging: Path, replace_keys: bool) -> tuple[list[_KeyPlan], list[Path]]:
    plans: list[_KeyPlan] = []
    conflicts: list[Path] = []
    for entry in manifest.get("keys", []):
        target = _key_target(entry)
        source = staging / entry["member"]
        same = target.is_file() and target.read_bytes() == source.read_bytes()
        if target.exists() and not same:
            conflicts.append(target)
        plans.append(_KeyPlan(member=entry["member"], target=target, same=same))
    if conflicts and not replace_keys:
        raise BackupError(
            _("以下密钥文件已存在且与备份中的不同，未做任何恢复：%(paths)s。确认要以备份中的密钥替换时，使用 --replace-keys（原文件会改名保留）。")
            % {"paths": ", ".join(str(p) for p in conflicts)}
        )
    return plans, conflicts


def _install_file(source: Path, target: Path) -> None:
    _private_dir(target.parent)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    with os.fdopen(fd, "wb") as out, source.open("rb") as src:
        shutil.copyfileobj(src, out)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(temp, 0o600)
    os.replace(temp, target)
    _fsync_dir(target.parent)


def _sqlite_copy(source_path: Path, target: Path) -> None:
    """Copy a database through SQLite's backup API (WAL and all), creating ``target`` 0600."""
    _private_dir(target.parent)
    if not target.exists():
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(source_path)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()


def _restore_sqlite(staging_db: Path, using: str) -> None:
    connections[using].close()
    _sqlite_copy(staging_db, _sqlite_path(using))


def _restore_postgresql(staging_db: Path, using: str, clean: bool) -> None:
    connection = connections[using]
    connection.close()
    pg_restore = _pg_tool("pg_restore")
    command = [pg_restore, "--exit-on-error", "--single-transaction", "--no-owner"]
    if clean:
        command += ["--clean", "--if-exists"]
    env = _pg_environment(connection.settings_dict)
    _run([*command, f"--dbname={env.get('PGDATABASE', '')}", str(staging_db)], env, _("pg_restore 恢复数据库"))


def verify_restored(manifest: dict[str, Any], staging: Path | None = None, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What differs between the restored database (and uploads) and the manifest; [] when
    nothing does. Runs the audit chain's verifier too."""
    from yancheng.core.audit.keys import AuditKeyError
    from yancheng.core.audit.verify import verify_chain

    database = manifest["database"]
    problems: list[str] = []
    actual = table_checksums(using)
    for table, expected in sorted(database["tables"].items()):
        got = actual.get(table)
        if got is None:
            problems.append(_("表 %(table)s 不存在") % {"table": table})
        elif got["rows"] != expected["rows"]:
            problems.append(
                _("表 %(table)s 行数不符（备份 %(expected)d，恢复后 %(got)d）")
                % {"table": table, "expected": expected["rows"], "got": got["rows"]}
            )
        elif got["sha256"] != expected["sha256"]:
            problems.append(_("表 %(table)s 行校验和不符") % {"table": table})
    for table in sorted(set(actual) - set(database["tables"])):
        if actual[table]["rows"]:
            problems.append(_("表 %(table)s 不在备份中却有数据") % {"table": table})
    if _audit_head(using) != database["audit_head"]:
        problems.append(_("审计链末端与备份不符"))
    try:
        report = verify_chain(anchors_up_to=int(database["audit_head"]["seq"]))
        if not report.ok:
            problems.append(_("审计链校验失败：%(summary)s") % {"summary": report.summary()})
    except AuditKeyError as exc:
        problems.append(_("无法校验审计链：%(reason)s") % {"reason": exc})
    members = manifest["members"]
    root = Path(settings.YANCHENG_ATTACHMENT_ROOT)
    missing_at_backup = set(manifest["uploads"].get("missing", []))
    bad = []
    for member, sha in _attachment_paths(using).items():
        if member in missing_at_backup:
            continue
        if members.get(member, {}).get("sha256") != sha or not (root / member.removeprefix("attachments/")).is_file():
            bad.append(member)
    if bad:
        problems.append(_("%(n)d 个附件文件缺失或内容不符") % {"n": len(bad)})
    return problems


def restore_archive(
    archive: Path,
    *,
    replace: bool = False,
    replace_keys: bool = False,
    actor: Actor | None = None,
    log: Log | None = None,
) -> RestoreResult:
    """Restore ``archive`` into the configured database, uploads folder and key places, then
    verify it. Refusals (a damaged archive, a non-empty target, a different key, another
    database kind or version) happen before anything is written. ``replace`` restores over
    a non-empty target: the old uploads folder and SQLite file are kept aside under a
    ``.before-restore-<time>`` name; on PostgreSQL pg_restore drops the objects it restores."""
    using = DEFAULT_DB_ALIAS
    archive = Path(archive)
    root = Path(settings.YANCHENG_ATTACHMENT_ROOT)
    _private_dir(root.parent)
    staging = Path(tempfile.mkdtemp(dir=root.parent, prefix=".yancheng-restore-"))
    try:
        if log:
            log(_("正在校验备份文件……"))
        manifest = unpack_verified(archive, staging)
        _check_manifest_shape(manifest, archive)
        database = manifest["database"]
        vendor = connections[using].vendor
        if database["vendor"] != vendor:
            raise BackupError(
                _("备份来自 %(source)s 数据库，不能恢复到 %(target)s 数据库。")
                % {"source": database["vendor"], "target": vendor}
            )
        if database["migrations"] != _code_migrations():
            raise BackupError(
                _("备份的数据库结构与当前程序版本（%(ours)s）不一致：请用备份时的版本（%(theirs)s）恢复，再运行 yancheng migrate 升级。")
                % {"ours": app_version(), "theirs": manifest.get("app_version", "?")}
            )
        if not replace:
            if not _database_is_empty(using):
                raise BackupError(
                    _("目标数据库不是空的，未做任何恢复。请恢复到新建的空数据库；确需覆盖时使用 --replace。")
                )
            if not _folder_is_empty(root):
                raise BackupError(
                    _("附件文件夹 %(path)s 不是空的，未做任何恢复。请恢复到空文件夹；确需覆盖时使用 --replace。")
                    % {"path": root}
                )
        if vendor == "sqlite" and _in_memory(using):
            raise BackupError(_("不能恢复到内存数据库，请配置数据库文件（DATABASE_URL）。"))
        key_plans, _conflicts = _plan_keys(manifest, staging, replace_keys)

        # From here on, things are written: the database first (pg_restore in one
        # transaction, SQLite's backup API in one step), so that if it fails nothing else
        # has been touched and the same command can be run again.
        stamp = _stamp()
        if log:
            log(_("正在恢复数据库……"))
        staging_db = staging / database["member"]
        if vendor == "sqlite":
            target = _sqlite_path(using)
            if replace and target.exists() and target.stat().st_size:
                connections[using].close()
                _sqlite_copy(target, target.with_name(f"{target.name}.before-restore-{stamp}"))
            _restore_sqlite(staging_db, using)
        else:
            _restore_postgresql(staging_db, using, clean=replace)
        if log:
            log(_("正在恢复附件……"))
        if root.exists() and not _folder_is_empty(root):
            root.rename(root.with_name(f"{root.name}.before-restore-{stamp}"))
        elif root.exists():
            shutil.rmtree(root)
        uploads = staging / "attachments"
        if uploads.is_dir():
            uploads.rename(root)
        else:
            _private_dir(root)
        written: list[Path] = []
        unchanged: list[Path] = []
        for plan in key_plans:
            if plan.same:
                unchanged.append(plan.target)
                continue
            if plan.target.exists():
                plan.target.rename(plan.target.with_name(f"{plan.target.name}.before-restore-{stamp}"))
            _install_file(staging / plan.member, plan.target)
            written.append(plan.target)

        if log:
            log(_("正在核对行校验和与审计链……"))
        problems = verify_restored(manifest, staging, using)
        if problems:
            _audit_failure("backup.restore", "; ".join(problems))
            raise RestoreMismatch(problems)
        later_anchors = _set_aside_later_anchors(int(database["audit_head"]["seq"]), stamp)
        _audit_restore(archive, manifest, actor)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    tables = database["tables"]
    return RestoreResult(
        manifest=manifest,
        tables=len(tables),
        rows=sum(t["rows"] for t in tables.values()),
        uploads=manifest["uploads"]["files"],
        keys_written=written,
        keys_unchanged=unchanged,
        warnings=(
            [_("%(n)d 个附件在备份时已缺失。") % {"n": len(manifest["uploads"]["missing"])}]
            if manifest["uploads"].get("missing")
            else []
        ) + later_anchors,
    )


def _set_aside_later_anchors(head_seq: int, stamp: str) -> list[str]:
    """After a restore, the anchor file may hold checkpoints written after the backup: the
    records they sign are not in the archive. The restored chain grows again from
    ``head_seq``, so those anchors would contradict every new checkpoint. The file is kept
    as evidence under another name and a new one starts; the warning says what was lost."""
    from yancheng.core.audit.anchors import anchor_path, read_anchors

    path = anchor_path()
    if path is None or not path.exists():
        return []
    later = [
        a for a in read_anchors(path, deployment_id=settings.YANCHENG_AUDIT_DEPLOYMENT_ID).anchors
        if a.seq > head_seq
    ]
    if not later:
        return []
    kept = path.with_name(f"{path.name}.before-restore-{stamp}")
    path.rename(kept)
    return [
        _(
            "锚点文件记有 %(n)d 个晚于备份的检查点（至审计序号 %(seq)d）：备份之后写入的审计记录不在本备份中。"
            "原锚点文件已保留为 %(kept)s，新的锚点写入新文件。"
        ) % {"n": len(later), "seq": max(a.seq for a in later), "kept": kept}
    ]


def _audit_restore(archive: Path, manifest: dict[str, Any], actor: Actor | None) -> None:
    """The restore's own record, signed at once: the checkpoint's anchor opens the anchor
    file again (a new one after ``_set_aside_later_anchors``, or the first one on a machine
    without the anchors' volume), so `yancheng audit verify` passes on the restored chain."""
    from yancheng.core.audit.services import audit_checkpoint_create, audit_record

    with transaction.atomic():
        audit_record(
            "backup.restore",
            actor=actor,
            object_type="backup",
            object_repr=archive.name,
            after={
                "file": str(archive),
                "sha256": _sha256_file(archive),
                "backup_created_at": manifest["created_at"],
                "app_version": manifest["app_version"],
                "audit_head_seq": manifest["database"]["audit_head"]["seq"],
            },
        )
        audit_checkpoint_create()
