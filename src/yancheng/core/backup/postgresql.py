"""PostgreSQL: ``pg_dump -Fc --snapshot`` from a REPEATABLE READ transaction that computes
the checksums over the same snapshot, and ``pg_restore`` in one transaction."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections, transaction
from django.utils.translation import gettext as _

from .checksums import describe
from .errors import BackupError


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


def snapshot_postgresql(using: str, target: Path) -> dict[str, Any]:
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
        facts = describe(using)
        facts["server_version"] = server_version
    return facts


def restore_postgresql(staging_db: Path, using: str, clean: bool) -> None:
    connection = connections[using]
    connection.close()
    pg_restore = _pg_tool("pg_restore")
    command = [pg_restore, "--exit-on-error", "--single-transaction", "--no-owner"]
    if clean:
        command += ["--clean", "--if-exists"]
    env = _pg_environment(connection.settings_dict)
    _run([*command, f"--dbname={env.get('PGDATABASE', '')}", str(staging_db)], env, _("pg_restore 恢复数据库"))
