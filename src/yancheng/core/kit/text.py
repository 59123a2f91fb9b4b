"""The one rule for free text a service accepts: strip it, refuse it when a required text
is empty, and refuse it — never cut it — when it is longer than its field allows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yancheng.core.errors import ValidationFailed


def clean_text(value: Any, *, field: str, max_length: int, required: Any = None) -> str:
    """`value` stripped of surrounding white space.

    `max_length` is the model field's ``max_length`` (or the limit the domain sets for a
    ``TextField``); a longer text is refused with a message naming the limit. `required` is
    the message shown when the text is empty; without it an empty text is returned as ``""``.
    Errors name `field`, so a form shows them beside it."""
    text = str(value or "").strip()
    if not text:
        if required is not None:
            raise ValidationFailed(required, field=field)
        return ""
    if len(text) > max_length:
        raise ValidationFailed(_("内容过长（最多 %(n)s 个字）。") % {"n": max_length}, field=field)
    return text


def join_list(parts: Iterable[Any]) -> str:
    """``parts`` as one text with the language's list separator: 甲、乙、丙 in Chinese, "a, b,
    c" in English (never the 顿号 in an English sentence)."""
    return pgettext("list separator", "、").join(str(part) for part in parts)
