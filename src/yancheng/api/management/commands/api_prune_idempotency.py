"""Delete stored Idempotency-Key answers older than 24 hours (run daily from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yancheng.api.idempotency import idempotency_prune


class Command(BaseCommand):
    help = "删除 24 小时以前的幂等记录（Idempotency-Key）。"

    def handle(self, *args: Any, **options: Any) -> None:
        removed = idempotency_prune()
        self.stdout.write(f"{removed}")
