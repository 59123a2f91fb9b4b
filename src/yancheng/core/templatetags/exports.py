"""The link of a list's 导出 Excel button: ``{% load exports %}`` then
``<a class="button no-print" href="{% xlsx_href %}">``. It keeps the page's own query (its
filters) without the page number, and adds ``format=xlsx``, so the export lists what the page
lists."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def xlsx_href(context: Any) -> str:
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    if query is None:
        return "?format=xlsx"
    for key in ("page", "format"):
        query.pop(key, None)
    query["format"] = "xlsx"
    return "?" + str(query.urlencode())
