"""Numbers for people in templates: ``{% load numbers %}`` then ``{{ x|number }}`` ("100",
"82.5"), ``{{ x|wan }}`` ("8.24 万元"), ``{{ x|percent }}`` ("67.9%"); see lib/numbers."""

from __future__ import annotations

from typing import Any

from django import template

from yancheng.lib import numbers

register = template.Library()


@register.filter
def number(value: Any, places: int = 2) -> Any:
    """A number without trailing zeros; None → "—"; anything else (text) as it is."""
    if value is None or numbers.is_number(value):
        return numbers.plain(value, int(places))
    return value


@register.filter
def wan(value: Any, places: int = 2) -> str:
    return numbers.wan(value, int(places))


@register.filter
def percent(value: Any, places: int = 1) -> str:
    return numbers.percent(value, int(places))
