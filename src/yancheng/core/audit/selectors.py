"""Reads of the audit trail for the audit admin's pages."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditCheckpoint, AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    outcome: str = ""

    @classmethod
    def from_cleaned(cls, data: dict[str, Any]) -> AuditFilters:
        return cls(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            actor=(data.get("actor") or "").strip(),
            action=(data.get("action") or "").strip(),
            object_type=(data.get("object_type") or "").strip(),
            object_id=(data.get("object_id") or "").strip(),
            outcome=data.get("outcome") or "",
        )

    def as_record(self) -> dict[str, str]:
        """The filters as they go into the audit record of the query (set ones only)."""
        return {k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in asdict(self).items() if v}


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_list(filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Audit records matching the filters, newest first. Dates are whole local days."""
    qs = AuditEvent.objects.all()
    if filters.date_from:
        qs = qs.filter(ts__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        qs = qs.filter(ts__lt=_local_midnight(filters.date_to + timedelta(days=1)))
    if filters.actor:
        qs = qs.filter(actor_repr__iexact=filters.actor)
    if filters.action:
        qs = qs.filter(action__istartswith=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    return qs.order_by("-seq")


def recent_checkpoints(limit: int = 50) -> list[AuditCheckpoint]:
    return list(AuditCheckpoint.objects.order_by("-seq")[:limit])
