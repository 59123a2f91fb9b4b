"""`yancheng audit archive --before DATE --out FILE.jsonl`: export and remove audit records
past the retention period, cutting the chain at a signed checkpoint (SPEC §2.4)."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yancheng.core.audit.archive import ArchiveRefused, audit_archive, use_archive_database
from yancheng.core.audit.keys import AuditKeyError


class Command(BaseCommand):
    help = "Archive audit records older than --before (at least the retention period ago) to a JSON-lines file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--out", required=True, type=Path, help="the archive file to write (must not exist)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            operator = getpass.getuser()
        except (KeyError, OSError):
            operator = ""
        try:
            use_archive_database()
            result = audit_archive(before=options["before"], out=options["out"], operator=f"cli:{operator}")
        except (ArchiveRefused, AuditKeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"archived records up to seq {result.cut_seq}: {result.records} records, "
            f"{result.checkpoints} checkpoints -> {result.path} (sha256 {result.sha256})"
        )
