"""Attachments on a registration (evidence of an exemption, on-site records)."""

from __future__ import annotations

from django.db.models import QuerySet

from yancheng.core.models import Role
from yancheng.core.typing import Actor

from ..models import (
    Inspection,
)


def registrations_visible_to_staff(user: Actor) -> QuerySet[Inspection]:
    """Registrations on the staff side. Enterprise users are left out: an exemption's
    evidence may be a complaint record naming whoever complained."""
    if getattr(user, "role", None) == Role.ENTERPRISE:
        return Inspection.objects.none()
    return Inspection.objects.visible_to(user)


def may_attach_to_registration(user: Actor, inspection: Inspection) -> bool:
    """The inspectors of the participating departments add evidence (e.g. what an
    exemption reason with `requires_attachment` asks for)."""
    import rules

    return bool(rules.has_perm("inspections.finish", user, inspection))


def register_attachments() -> None:
    """Let registrations carry attachments; call it from ``InspectionsConfig.ready()``."""
    from yancheng.core.attachments.registry import register_attachable

    register_attachable(Inspection, registrations_visible_to_staff, may_attach_to_registration)
