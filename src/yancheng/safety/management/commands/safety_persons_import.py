"""`yancheng safety_persons_import FILE [--dry-run] [--as USERNAME]`."""

from __future__ import annotations

from typing import Any

from yancheng.core.kit.imports import ImportCommand, ImportReport
from yancheng.core.typing import Actor
from yancheng.safety.importers_registry import persons_import


class Command(ImportCommand):
    help = "Import the safety registry's persons from an .xlsx file (all rows or none)."
    noun = "名责任人"

    def run(self, data: bytes, *, actor: Actor | None, dry_run: bool, options: dict[str, Any]) -> ImportReport:
        return persons_import(data, actor=actor, dry_run=dry_run)
