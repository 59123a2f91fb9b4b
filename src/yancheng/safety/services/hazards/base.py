"""What every hazard step shares: the locked row the actor may see, the stage table's refusal
(``workflow.py``: who, then from which stage), and who is told."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from yancheng.core.errors import ConflictError, PermissionDeniedError
from yancheng.core.models import Organisation, Role, User
from yancheng.core.typing import Actor

from ...models import Hazard
from ...permissions import hazard_standing
from ...workflow import GUARDS, HazardStanding, can_move
from ..common import check_version, lock_visible

__all__ = ["check_step", "city_leaders", "hazard_url", "locked_for", "safety_staff_of"]


def hazard_url(hazard: Hazard) -> str:
    return reverse("safety:hazard_detail", args=[hazard.pk])


def check_step(hazard: Hazard, action: str, actor: Actor) -> HazardStanding:
    """Who first (403: the actor is nothing to this step), then the stage (409: a stale page)."""
    standing = hazard_standing(actor, hazard)
    if not GUARDS[action](standing):
        raise PermissionDeniedError(_("您不能对该隐患执行此操作。"))
    if not can_move(hazard.stage, action):
        raise ConflictError(
            _("该隐患当前状态为“%(s)s”，不能执行此操作，请刷新查看。") % {"s": hazard.get_stage_display()},
            code="invalid_stage",
        )
    return standing


def locked_for(hazard: Hazard | int, action: str, actor: Actor, expected_version: int | None) -> Hazard:
    """The hazard locked for ``action``: 404 when the actor cannot see it, 403 when the stage
    table does not let them take the step, 409 from the wrong stage or a stale version."""
    pk = hazard.pk if isinstance(hazard, Hazard) else hazard
    locked = lock_visible(Hazard.objects.visible_to(actor), pk, missing=_("隐患不存在。"))
    check_step(locked, action, actor)
    check_version(locked, expected_version)
    return locked


def safety_staff_of(org: Organisation | None) -> list[User]:
    if org is None:
        return []
    return list(User.objects.filter(organisation_id=org.pk, role__in=[Role.SAFETY, Role.INSPECTOR], is_active=True))


def rectifiers_of(hazard: Hazard) -> list[User]:
    """Who puts it right: the enterprise's users, or (a place) the supervising department's staff."""
    if hazard.enterprise is not None and hazard.enterprise.organisation_id is not None:
        return list(User.objects.filter(organisation_id=hazard.enterprise.organisation_id, is_active=True))
    return safety_staff_of(hazard.supervising_org)


def city_leaders() -> list[User]:
    return list(User.objects.filter(role=Role.LEADER, is_active=True, organisation__region__kind__in=["city", "province"]))
