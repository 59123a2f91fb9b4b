"""Checking the values a supervisor gives the services: bounded integers and required text."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from yancheng.core.errors import ValidationFailed


def clean_int(value: Any, field: str, low: int, high: int, message: str) -> int:
    if isinstance(value, bool) or value is None:
        raise ValidationFailed(message, field=field)
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(message, field=field) from exc
    if number != value and not isinstance(value, str):
        raise ValidationFailed(message, field=field)
    if not low <= number <= high:
        raise ValidationFailed(message, field=field)
    return number


def clean_text(value: Any, field: str, message: str, max_length: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed(message, field=field)
    if len(text) > max_length:
        raise ValidationFailed(_("内容过长（最多 %(n)s 个字）。") % {"n": max_length}, field=field)
    return text
