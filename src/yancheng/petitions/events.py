"""One write of the matter's timeline: a ``PetitionEvent`` and its audit record, together.

Neither carries personal data. The audit record carries no free text at all (a 检举控告's
content must not reach the audit view either); the event's note stays on the matter,
behind its visibility."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yancheng.core.audit.services import audit_record
from yancheng.core.typing import Actor

from .models import Petition, PetitionEvent


def record(
    petition: Petition,
    action: str,
    *,
    actor: Actor | None,
    note: str = "",
    public: bool = False,
    data: dict[str, Any] | None = None,
    before_stage: str | None = None,
) -> PetitionEvent:
    """``public`` events are the dates the query page shows (登记、转送交办、受理、送达…).
    ``data`` holds ids, dates and codes only."""
    event = PetitionEvent.objects.create(
        petition=petition,
        at=timezone.now(),
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_org=getattr(actor, "organisation", None),
        note=note,
        public=public,
        data=data or {},
    )
    audit_record(
        f"petition.{action}",
        petition,
        actor=actor,
        before={"stage": before_stage} if before_stage else None,
        after={"stage": petition.stage, **(data or {})},
    )
    return event
