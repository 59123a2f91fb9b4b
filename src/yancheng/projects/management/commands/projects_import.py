"""`yancheng projects import FILE [--dry-run] [--as USERNAME] [--year YYYY]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yancheng.core.models import User
from yancheng.lib.xlsx import XlsxError
from yancheng.projects.importers import projects_import


class Command(BaseCommand):
    help = "Import major projects from an .xlsx file (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--as", dest="username", default="", help="the user the import is done as (recorded in the audit trail)"
        )
        parser.add_argument("--year", type=int, default=None, help="the year of the annual plan column (default: this year)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        actor = None
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"没有启用的用户：{options['username']}")
        try:
            report = projects_import(path.read_bytes(), actor=actor, dry_run=options["dry_run"], year=options["year"])
        except XlsxError as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(f"第 {error.row} 行 {error.column or ''}：{error.message}")
        if not report.ok:
            raise CommandError(f"共 {report.total_rows} 行，{len(report.errors)} 处错误，未导入任何数据。")
        verb = "校验通过，可导入" if report.dry_run else "已导入"
        self.stdout.write(f"共 {report.total_rows} 行，{verb} {report.created} 个项目。")
