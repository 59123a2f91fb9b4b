"""`yancheng audit verify`: check the audit trail's hash chain and signed checkpoints.
Exit code 0 and "OK: N records, M checkpoints", or 1 naming the first broken record."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yancheng.core.audit.keys import AuditKeyError
from yancheng.core.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and signed checkpoints (SPEC §2.4)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = verify_chain()
        except AuditKeyError as exc:
            raise CommandError(f"cannot verify: {exc}", returncode=2) from exc
        if not report.ok:
            raise CommandError(report.summary(), returncode=1)
        self.stdout.write(report.summary())
