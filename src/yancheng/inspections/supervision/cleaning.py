"""Checking the values a supervisor gives the services: bounded integers (text goes through the kit's `clean_text`)."""

from __future__ import annotations

from typing import Any

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

