"""``{% light_badge light label %}`` and ``{% clock_cell clock provisional %}``: a light and a
clock as every page shows them (built by ``yancheng.cases.cells``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from yancheng.cases.cells import clock_html, light_html

register = template.Library()


@register.simple_tag
def light_badge(light: str, label: Any) -> SafeString:
    return light_html(light, label)


@register.simple_tag
def clock_cell(clock: Any, provisional: bool = False) -> SafeString:
    return clock_html(clock, provisional)
