"""A check record's photos: attachments of ``SafetyCheck``, seen by whoever sees the record,
added by the person who recorded it (the service adds them while recording)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import SafetyCheck


def checks_visible(user: Any) -> QuerySet[SafetyCheck]:
    return SafetyCheck.objects.visible_to(user)


def may_attach_to_check(user: Any, check: SafetyCheck) -> bool:
    return bool(user is not None and user.is_authenticated and check.performed_by_id == user.pk)


def register_attachments() -> None:
    from yancheng.core.attachments.registry import register_attachable

    register_attachable(SafetyCheck, checks_visible, may_attach_to_check)
