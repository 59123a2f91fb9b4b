"""`yancheng safety_systems_import FILE [--dry-run] [--as USERNAME]`."""

from __future__ import annotations

from typing import Any

from yancheng.core.kit.imports import ImportCommand, ImportReport
from yancheng.core.typing import Actor
from yancheng.safety.importers_registry import systems_import


class Command(ImportCommand):
    help = "Import the safety registry's systems from an .xlsx file (all rows or none)."
    noun = "项责任制"

    def run(self, data: bytes, *, actor: Actor | None, dry_run: bool, options: dict[str, Any]) -> ImportReport:
        return systems_import(data, actor=actor, dry_run=dry_run)
