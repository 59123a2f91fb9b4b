"""``{{ event.action|event_label }}``: a timeline action in the reader's words."""

from __future__ import annotations

from typing import Any

from django import template

from yancheng.petitions.events import action_label

register = template.Library()


@register.filter
def event_label(action: str) -> Any:
    return action_label(action)
