"""``{{ event.action|action_label }}`` and ``{{ event.object_type|object_label }}``: the
audit trail's codes in words (``core.audit.labels``)."""

from __future__ import annotations

from django import template

from .. import labels

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return labels.action_label(code or "")


@register.filter
def object_label(object_type: str) -> str:
    return labels.object_label(object_type or "")
