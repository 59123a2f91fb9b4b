"""Handling an alert: the supervisor's note, once, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, PermissionDeniedError
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.typing import Actor

from ..models import (
    InspectionAlert,
)
from .access import supervises


def alert_handle(alert: InspectionAlert, *, actor: Actor, note: str) -> InspectionAlert:
    """The supervisor deals with an alert (talks to the department, orders a correction,
    finds it justified …) and writes down what was done: open → handled, once."""
    require(actor, "inspections.handle_alert", alert)
    if not supervises(actor, enterprise=alert.enterprise):
        raise PermissionDeniedError(_("该预警不在您的监督范围内。"))
    note = clean_text(note, field="note", max_length=300, required=_("请填写处理意见。"))
    with transaction.atomic():
        locked = InspectionAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != InspectionAlert.Status.OPEN:
            raise ConflictError(_("该预警已处理，无需重复处理。"), code="already_handled")
        locked.status = InspectionAlert.Status.HANDLED
        locked.handled_by = actor
        locked.handled_at = timezone.now()
        locked.handling_note = note
        locked.save(update_fields=["status", "handled_by", "handled_at", "handling_note"])
        audit_record("inspection_alert.handle", locked, actor=actor, before={"status": InspectionAlert.Status.OPEN},
                     after={"status": locked.status, "note": note})
    return locked
