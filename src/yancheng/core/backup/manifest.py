"""The archive's layout and its manifest, and reading an archive back: every member checked
against the manifest before anything outside the staging folder is touched."""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from pathlib import Path, PurePosixPath
from typing import Any

from django.utils.translation import gettext as _

from .errors import BackupError
from .files import CHUNK

FORMAT = "yancheng-backup/1"
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
DB_MEMBER = {"sqlite": "database/yancheng.sqlite3", "postgresql": "database/yancheng.pgdump"}


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


def check_manifest_shape(manifest: dict[str, Any], archive: Path) -> None:
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
