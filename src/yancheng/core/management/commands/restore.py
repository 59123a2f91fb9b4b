"""``yancheng restore FILE [--replace] [--replace-keys]``: restore an archive made by
``yancheng backup`` into an empty database and uploads folder, then verify it (SPEC §12).

Exit codes: 0 restored and verified; 2 refused, nothing written (damaged archive, target not
empty, a different key in place, another database kind or version); 1 restored but the
verification found a difference (do not use that database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from yancheng.core.backup.errors import BackupError, RestoreMismatch
from yancheng.core.backup.restore import restore_archive


class Command(BaseCommand):
    # The checks would open the target database, which may not exist yet (a new SQLite file).
    requires_system_checks: list[str] = []
    help = "从 yancheng backup 生成的归档恢复到空数据库和空附件文件夹，并校验行校验和与审计链。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="归档文件（yancheng backup 生成）")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="目标数据库或附件文件夹不为空时仍然恢复（原附件文件夹和 SQLite 文件改名保留；PostgreSQL 中同名对象被删除重建）",
        )
        parser.add_argument(
            "--replace-keys", action="store_true", help="已有不同的密钥文件时以备份中的替换（原文件改名保留）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore_archive(
                Path(options["file"]),
                replace=options["replace"],
                replace_keys=options["replace_keys"],
                log=self.stdout.write,
            )
        except RestoreMismatch as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(_("恢复失败：%(reason)s") % {"reason": exc}, returncode=1) from exc
        except BackupError as exc:
            raise CommandError(_("恢复失败：%(reason)s") % {"reason": exc}, returncode=2) from exc
        except DatabaseError as exc:
            raise CommandError(_("恢复失败：无法访问数据库（%(reason)s）") % {"reason": exc}, returncode=2) from exc
        for warning in result.warnings:
            self.stderr.write(_("警告：%(warning)s") % {"warning": warning})
        for path in result.keys_written:
            self.stdout.write(_("已写入密钥文件 %(path)s") % {"path": path})
        for path in result.keys_unchanged:
            self.stdout.write(_("密钥文件 %(path)s 已存在且相同，未改动") % {"path": path})
        self.stdout.write(
            _("恢复完成并已校验：%(tables)d 张表 %(rows)d 行的行数与校验和一致，审计链完好，%(uploads)d 个附件。")
            % {"tables": result.tables, "rows": result.rows, "uploads": result.uploads}
        )
