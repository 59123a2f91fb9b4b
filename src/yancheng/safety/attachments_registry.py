"""The signed 责任书 is an attachment of its letter (core attachments)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import ResponsibilityLetter


def letters_visible(user: Any) -> QuerySet[ResponsibilityLetter]:
    return ResponsibilityLetter.objects.visible_to(user)


def register() -> None:
    from yancheng.core.attachments.registry import register_attachable

    from .services.letters import may_attach_to_letter

    register_attachable(ResponsibilityLetter, letters_visible, may_attach_to_letter)
