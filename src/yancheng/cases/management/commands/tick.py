"""`yancheng tick`: run the escalation ladder now (the worker also runs it every 30 minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yancheng.cases.escalation import escalation_tick


class Command(BaseCommand):
    help = "Escalate overdue cases: 催办 → 督办 → 通报 (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = escalation_tick()
        self.stdout.write(
            f"催办 {len(report.pressed)} 件，督办 {len(report.supervised)} 件，通报 {len(report.reported)} 件。"
        )
