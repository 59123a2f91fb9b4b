"""``{% project_node_data project as nd %}``: what the project page's schedule section
(``projects/_nodes_section.html``) shows — the nodes table and the three lights — so
the project page's view needs to add nothing to its context."""

from __future__ import annotations

from typing import Any

from django import template

from yancheng.projects import lights
from yancheng.projects.models import Project
from yancheng.projects.services import nodes

register = template.Library()


@register.simple_tag(takes_context=True)
def project_node_data(context: template.Context, project: Project) -> dict[str, Any]:
    """The section's data: what the page's view already passed (``nd`` on the schedule page,
    ``nodes_context`` on the project page), else computed here."""
    given = context.get("nd") or context.get("nodes_context")
    if isinstance(given, dict):
        return given
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return nodes.section_data(project, user)


@register.filter
def light_label(light: str) -> str:
    return str(lights.LIGHT_LABELS.get(light, ""))
