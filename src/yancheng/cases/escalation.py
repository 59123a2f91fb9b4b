"""The escalation ladder 催办 → 督办 → 通报 (SPEC §2.3), run by `yancheng tick` and the
worker. Set-based and idempotent: each level is taken once, by a conditional update of the
rows still at the level below, so running the job twice escalates once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from yancheng.core.audit.services import audit_record

from . import notify
from .models import CLOCK_STATUSES, Case, CaseEvent, EscalationLevel
from .services import escalation_target

BATCH = 500


@dataclass
class TickReport:
    pressed: list[int] = field(default_factory=list)
    supervised: list[int] = field(default_factory=list)
    reported: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.pressed) + len(self.supervised) + len(self.reported)


def _running() -> dict[str, object]:
    return {"status__in": CLOCK_STATUSES, "suspended_at__isnull": True}


def _escalate(ids: list[int], level: int, now: dt.datetime, report: list[int]) -> None:
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        with transaction.atomic():
            cases = list(
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=chunk, escalation_level=level - 1, **_running())
                .select_related("lead_org", "dispatch_org")
            )
            for case in cases:
                case.escalation_level = level
                fields = ["escalation_level", "version", "updated_at"]
                if level == EscalationLevel.PRESSED:
                    case.pressed_at = now
                    fields.append("pressed_at")
                elif level == EscalationLevel.SUPERVISED:
                    case.supervised_at = now
                    case.escalated_to = escalation_target(case)
                    fields += ["supervised_at", "escalated_to"]
                else:
                    case.reported_at = now
                    fields.append("reported_at")
                case.version += 1
                case.save(update_fields=fields)
                action = {1: "press", 2: "supervise", 3: "report"}[level]
                CaseEvent.objects.create(
                    case=case, at=now, action=action, from_status=case.status, to_status=case.status,
                    data={"level": level, "escalated_to": case.escalated_to_id},
                )
                audit_record(f"case.{action}", case, actor=None, after={"level": level})
                notify.case_escalated(case, level=level)
                report.append(case.pk)


def escalation_tick(now: dt.datetime | None = None) -> TickReport:
    """Press the day after a missed deadline; 督办 one level up after N more working days;
    通报 after M more (N and M from the case's policy, stored as supervise_at/report_at)."""
    now = now or timezone.now()
    result = TickReport()
    base = Case.objects.filter(**_running())
    pressed = list(base.filter(escalation_level=0, solve_due_at__lte=now).values_list("pk", flat=True))
    _escalate(pressed, EscalationLevel.PRESSED, now, result.pressed)
    supervised = list(base.filter(escalation_level=1, supervise_at__lte=now).values_list("pk", flat=True))
    _escalate(supervised, EscalationLevel.SUPERVISED, now, result.supervised)
    reported = list(base.filter(escalation_level=2, report_at__lte=now).values_list("pk", flat=True))
    _escalate(reported, EscalationLevel.REPORTED, now, result.reported)
    return result


def send_revisits(now: dt.datetime | None = None) -> list[int]:
    """回访: N days after a case closed, ask the reporter "is it really solved?" once.
    The answer (case_revisit) may reopen it."""
    now = now or timezone.now()
    asked: list[int] = []
    due = Case.objects.filter(
        status="closed", revisit_due_at__lte=now, revisit_asked_at__isnull=True, revisit_answered_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, revisit_asked_at__isnull=True)
                .first()
            )
            if case is None:
                continue
            case.revisit_asked_at = now
            case.save(update_fields=["revisit_asked_at", "updated_at"])
            CaseEvent.objects.create(case=case, at=now, action="revisit_asked", from_status=case.status,
                                     to_status=case.status)
            notify.revisit_asked(case)
            asked.append(case.pk)
    return asked
