"""``yancheng backup``: one archive, written atomically and mode 0600, recorded in the
audit trail."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.typing import Actor

from .errors import BackupError, Log
from .files import HashingReader, app_version, fsync_dir, private_dir, sha256_file, time_stamp, upload_files
from .keys import key_entries
from .manifest import DB_MEMBER, FORMAT, MANIFEST, MANIFEST_DIGEST
from .postgresql import snapshot_postgresql
from .sqlite import snapshot_sqlite
from .trail import audit_failure


@dataclass
class BackupResult:
    path: Path
    sha256: str
    size: int
    manifest: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def default_backup_path() -> Path:
    return Path(settings.DATA_DIR) / "backups" / f"yancheng-{time_stamp()}.tar"


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

    private_dir(path.parent)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    temp = Path(temp_name)
    work = Path(tempfile.mkdtemp(dir=path.parent, prefix=".yancheng-backup-"))
    try:
        db_file = work / Path(DB_MEMBER[vendor]).name
        if log:
            log(_("正在生成数据库快照……"))
        facts = snapshot_sqlite(using, db_file) if vendor == "sqlite" else snapshot_postgresql(using, db_file)
        members: dict[str, dict[str, Any]] = {}
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar:

            def add(member: str, source: Path) -> None:
                info = tarfile.TarInfo(member)
                with source.open("rb") as src:
                    info.size = os.fstat(src.fileno()).st_size
                    info.mtime = int(os.fstat(src.fileno()).st_mtime)
                    info.mode = 0o600
                    reader = HashingReader(src)
                    tar.addfile(info, reader)
                members[member] = {"sha256": reader.digest.hexdigest(), "size": info.size}

            add(DB_MEMBER[vendor], db_file)
            if log:
                log(_("正在打包附件……"))
            root = Path(settings.YANCHENG_ATTACHMENT_ROOT)
            for member, source in upload_files(root):
                try:
                    add(member, source)
                except FileNotFoundError:
                    continue  # removed while we walked (a deleted attachment or a finished spool)
            keys: list[dict[str, str]] = []
            if include_keys:
                for entry in key_entries():
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
        fsync_dir(path.parent)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if not isinstance(exc, BackupError | KeyboardInterrupt):
            audit_failure("backup.create", str(exc))
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)

    digest = sha256_file(path)
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
