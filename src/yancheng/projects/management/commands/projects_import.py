"""`yancheng projects import FILE [--dry-run] [--as USERNAME] [--year YYYY]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from yancheng.core.kit.imports import ImportCommand, ImportReport
from yancheng.core.typing import Actor
from yancheng.projects.importers import projects_import


class Command(ImportCommand):
    help = "Import major projects from an .xlsx file (all rows or none)."
    noun = "个项目"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, default=None, help="the year of the annual plan column (default: this year)")

    def run(self, data: bytes, *, actor: Actor | None, dry_run: bool, options: dict[str, Any]) -> ImportReport:
        return projects_import(data, actor=actor, dry_run=dry_run, year=options["year"])
