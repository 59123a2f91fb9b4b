"""`yancheng audit checkpoint`: sign the audit chain's head. Run daily (worker or cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yancheng.core.audit.keys import AuditKeyError
from yancheng.core.audit.services import audit_checkpoint_create, chain_head


class Command(BaseCommand):
    help = "Sign the current head (seq, hash) of the audit chain with the checkpoint key."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = audit_checkpoint_create()
        except AuditKeyError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if checkpoint is None:
            seq, _hash = chain_head()
            self.stdout.write(f"nothing to sign: the head (seq {seq}) is already signed or the chain is empty")
            return
        self.stdout.write(f"checkpoint at seq {checkpoint.seq} ({checkpoint.hash[:16]}…) signed with key {checkpoint.key_id}")
