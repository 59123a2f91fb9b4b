"""``{% load notifications_tags %}``: the unread count for the top bar.

``{% notifications_badge %}`` renders a link to the inbox with the unread count (one
COUNT query, only for a logged-in user); ``{% unread_notifications_count as n %}`` gives
the bare number."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import Notification

register = template.Library()


def _unread(context: Any) -> int:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return int(Notification.objects.visible_to(user).unread().count())


@register.simple_tag(takes_context=True)
def unread_notifications_count(context: Any) -> int:
    return _unread(context)


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def notifications_badge(context: Any) -> dict[str, Any]:
    return {"count": _unread(context)}
