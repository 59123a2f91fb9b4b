"""Hazards carry photos: the 'before' photos are the hazard's own attachments, the 'after'
photos each evidence submission's (``Rectification``). Registered from ``SafetyConfig.ready``."""

from __future__ import annotations

from django.db.models import QuerySet

from yancheng.core.typing import Actor

from .models import Hazard, Rectification
from .models.hazards import OPEN_STAGES
from .permissions import hazard_standing


def hazards_visible(user: Actor) -> QuerySet[Hazard]:
    return Hazard.objects.visible_to(user)


def may_attach_to_hazard(user: Actor, hazard: Hazard) -> bool:
    """'Before' photos: whoever reported it, the supervising department or the rectifier,
    while it is open."""
    if hazard.stage not in OPEN_STAGES:
        return False
    standing = hazard_standing(user, hazard)
    return standing.is_supervisor or standing.is_rectifier or hazard.reported_by_id == user.pk


def rectifications_visible(user: Actor) -> QuerySet[Rectification]:
    return Rectification.objects.filter(hazard__in=Hazard.objects.visible_to(user))


def may_attach_to_rectification(user: Actor, rectification: Rectification) -> bool:
    """'After' photos: the submitter, while the submission waits for verification."""
    return rectification.outcome == Rectification.Outcome.PENDING and rectification.submitted_by_id == user.pk


def register() -> None:
    from yancheng.core.attachments.registry import register_attachable

    register_attachable(Hazard, hazards_visible, may_attach_to_hazard)
    register_attachable(Rectification, rectifications_visible, may_attach_to_rectification)
