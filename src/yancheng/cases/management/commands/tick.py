"""`yancheng tick`: run the escalation ladder now (the worker also runs it every 30 minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yancheng.cases.escalation import escalation_tick, send_revisits


class Command(BaseCommand):
    help = "Escalate overdue cases (催办 → 督办 → 通报) and send due 回访 questions; idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        report = escalation_tick()
        asked = send_revisits()
        self.stdout.write(
            f"催办 {len(report.pressed)} 件，督办 {len(report.supervised)} 件，通报 {len(report.reported)} 件；"
            f"发出回访 {len(asked)} 件。"
        )
