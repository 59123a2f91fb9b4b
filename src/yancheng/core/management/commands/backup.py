"""``yancheng backup [--output FILE] [--no-keys]``: one archive with the database, the uploads
and the key files, and a manifest of checksums (SPEC §12, docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from yancheng.core.backup.create import backup_create
from yancheng.core.backup.errors import BackupError


class Command(BaseCommand):
    help = "备份数据库、附件和密钥文件到一个归档文件（含校验清单）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", default=None, help="归档文件路径（默认 DATA_DIR/backups/yancheng-<时间>.tar）")
        parser.add_argument(
            "--no-keys", action="store_true", help="不放入密钥文件（密钥另行备份时使用；恢复前须先放好密钥）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"]) if options["output"] else None
        try:
            result = backup_create(output, include_keys=not options["no_keys"], log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(_("备份失败：%(reason)s") % {"reason": exc}) from exc
        except (DatabaseError, OSError) as exc:
            raise CommandError(_("备份失败：%(reason)s") % {"reason": exc}) from exc
        for warning in result.warnings:
            self.stderr.write(_("警告：%(warning)s") % {"warning": warning})
        database = result.manifest["database"]
        self.stdout.write(
            _(
                "备份完成：%(path)s（%(mb).1f MB，%(tables)d 张表 %(rows)d 行，%(uploads)d 个附件，%(keys)d 个密钥文件，审计链至第 %(seq)d 条）"
            )
            % {
                "path": result.path,
                "mb": result.size / 1024 / 1024,
                "tables": len(database["tables"]),
                "rows": sum(t["rows"] for t in database["tables"].values()),
                "uploads": result.manifest["uploads"]["files"],
                "keys": len(result.manifest["keys"]),
                "seq": database["audit_head"]["seq"],
            }
        )
        self.stdout.write(f"SHA-256 {result.sha256}")
        if result.manifest["keys"]:
            self.stdout.write(_("注意：归档中含有密钥，请按密钥的要求保管（加密或与数据库分开存放）。"))
