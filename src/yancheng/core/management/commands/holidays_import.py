"""``manage.py holidays_import FILE [--dry-run]`` (``yancheng holidays import FILE``):
load a year's State Council holiday notice from CSV or YAML (docs/working-days.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yancheng.core.calendar.parsers import HolidayImportError, parse_holiday_file
from yancheng.core.calendar.services import holiday_year_import
from yancheng.core.errors import DomainError


class Command(BaseCommand):
    help = "导入某一年的国务院节假日安排（CSV 或 YAML 文件，见 docs/working-days.md）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV (date,kind,name) 或 YAML 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并显示将要导入的内容，不写入")
        parser.add_argument("--year", type=int, default=None, help="年份（CSV 未声明年份时使用）")
        parser.add_argument("--notice", default="", help="通知文号/标题")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("无法读取文件 %(path)s：%(reason)s") % {"path": path, "reason": exc.strerror}
            ) from exc
        try:
            notice = parse_holiday_file(
                data, filename=path.name, year=options["year"], notice=options["notice"]
            )
            # The command line is the system itself (actor=None), recorded as such.
            report = holiday_year_import(notice=notice, actor=None, dry_run=options["dry_run"])
        except HolidayImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(_("文件有误，未导入任何数据。")) from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

        after = report.after
        origins = {
            "table": _("节假日表"),
            "package": _("chinesecalendar 软件包"),
            "": _("无数据（仅按周末计算）"),
        }
        kinds = {"holiday": _("放假"), "workday": _("调休上班")}
        summary = _("%(year)s 年：放假 %(h)s 天，调休上班 %(w)s 天") % {
            "year": report.year,
            "h": after["holidays"],
            "w": after["workdays"],
        }
        self.stdout.write(summary + (f"（{report.notice}）" if report.notice else ""))
        self.stdout.write(_("此前来源：%(origin)s") % {"origin": origins.get(report.previous_origin, "")})
        for day, kind, name in report.added:
            self.stdout.write(f"  + {day.isoformat()} {kinds[kind]} {name}")
        for day, kind, name in report.removed:
            self.stdout.write(f"  - {day.isoformat()} {kinds[kind]} {name}")
        if report.dry_run:
            self.stdout.write(self.style.WARNING(_("试运行（--dry-run）：未写入任何数据。")))
        elif report.replaced:
            self.stdout.write(self.style.SUCCESS(_("已替换 %(year)s 年节假日安排。") % {"year": report.year}))
        else:
            self.stdout.write(self.style.SUCCESS(_("已导入 %(year)s 年节假日安排。") % {"year": report.year}))
