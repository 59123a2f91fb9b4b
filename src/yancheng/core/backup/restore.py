"""``yancheng restore``: refuse a damaged archive or an occupied target before writing
anything, restore the database, the uploads and the keys, then verify them against the
manifest and the audit chain."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from yancheng.core.typing import Actor

from .checksums import attachment_paths, audit_head, code_migrations, table_checksums
from .errors import BackupError, Log, RestoreMismatch
from .files import app_version, install_file, private_dir, time_stamp
from .keys import plan_keys
from .manifest import check_manifest_shape, unpack_verified
from .postgresql import restore_postgresql
from .sqlite import in_memory, restore_sqlite, sqlite_copy, sqlite_path
from .trail import audit_failure, audit_restore, set_aside_later_anchors


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    tables: int
    rows: int
    uploads: int
    keys_written: list[Path]
    keys_unchanged: list[Path]
    warnings: list[str] = field(default_factory=list)


def _database_is_empty(using: str) -> bool:
    connection = connections[using]
    if connection.vendor == "sqlite" and not in_memory(using):
        path = sqlite_path(using)
        if not path.exists() or path.stat().st_size == 0:
            return True  # do not create the file just to look into it
    return not connection.introspection.table_names()


def _folder_is_empty(root: Path) -> bool:
    return not root.exists() or not any(p.is_file() or p.is_symlink() for p in root.rglob("*"))


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
    if audit_head(using) != database["audit_head"]:
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
    for member, sha in attachment_paths(using).items():
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
    private_dir(root.parent)
    staging = Path(tempfile.mkdtemp(dir=root.parent, prefix=".yancheng-restore-"))
    try:
        if log:
            log(_("正在校验备份文件……"))
        manifest = unpack_verified(archive, staging)
        check_manifest_shape(manifest, archive)
        database = manifest["database"]
        vendor = connections[using].vendor
        if database["vendor"] != vendor:
            raise BackupError(
                _("备份来自 %(source)s 数据库，不能恢复到 %(target)s 数据库。")
                % {"source": database["vendor"], "target": vendor}
            )
        if database["migrations"] != code_migrations():
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
        if vendor == "sqlite" and in_memory(using):
            raise BackupError(_("不能恢复到内存数据库，请配置数据库文件（DATABASE_URL）。"))
        key_plans, _conflicts = plan_keys(manifest, staging, replace_keys)

        # From here on, things are written: the database first (pg_restore in one
        # transaction, SQLite's backup API in one step), so that if it fails nothing else
        # has been touched and the same command can be run again.
        stamp = time_stamp()
        if log:
            log(_("正在恢复数据库……"))
        staging_db = staging / database["member"]
        if vendor == "sqlite":
            target = sqlite_path(using)
            if replace and target.exists() and target.stat().st_size:
                connections[using].close()
                sqlite_copy(target, target.with_name(f"{target.name}.before-restore-{stamp}"))
            restore_sqlite(staging_db, using)
        else:
            restore_postgresql(staging_db, using, clean=replace)
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
            private_dir(root)
        written: list[Path] = []
        unchanged: list[Path] = []
        for plan in key_plans:
            if plan.same:
                unchanged.append(plan.target)
                continue
            if plan.target.exists():
                plan.target.rename(plan.target.with_name(f"{plan.target.name}.before-restore-{stamp}"))
            install_file(staging / plan.member, plan.target)
            written.append(plan.target)

        if log:
            log(_("正在核对行校验和与审计链……"))
        problems = verify_restored(manifest, staging, using)
        if problems:
            audit_failure("backup.restore", "; ".join(problems))
            raise RestoreMismatch(problems)
        later_anchors = set_aside_later_anchors(int(database["audit_head"]["seq"]), stamp)
        audit_restore(archive, manifest, actor)
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
