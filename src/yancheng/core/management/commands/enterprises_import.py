"""`yancheng enterprises import FILE [--dry-run] --as USERNAME`."""

from __future__ import annotations

from typing import Any

from yancheng.core.importers import enterprises_import
from yancheng.core.kit.imports import ImportCommand, ImportReport
from yancheng.core.typing import Actor


class Command(ImportCommand):
    help = "Import enterprises from an .xlsx file (all rows or none)."
    noun = "家企业"

    def run(self, data: bytes, *, actor: Actor | None, dry_run: bool, options: dict[str, Any]) -> ImportReport:
        return enterprises_import(data, actor=actor, dry_run=dry_run)
