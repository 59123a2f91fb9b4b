"""Who works where: a supervisor's region, and the alerts and quiet periods it may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yancheng.core.models import Enterprise, Region, Role
from yancheng.core.models.visibility import is_citywide
from yancheng.core.typing import Actor, MaybeActor, organisation_of

from ..models import (
    InspectionAlert,
    QuietPeriod,
)


def active_supervisor(user: MaybeActor | None) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.role == Role.SUPERVISOR
        and user.organisation_id
    )


def supervision_region(user: Actor) -> Region | None:
    """The region a supervisor is confined to: None for a city-level supervisor."""
    if is_citywide(user):
        return None
    region: Region = organisation_of(user).region
    return region


def supervises(actor: Actor | None, enterprise: Enterprise | None = None, region: Region | None = None) -> bool:
    """Whether `actor` (None: the system) works where the enterprise or region lies."""
    if actor is None:
        return True
    if not active_supervisor(actor):
        return False
    own = supervision_region(actor)
    if own is None:
        return True
    if enterprise is not None:
        return bool(enterprise.region_id == own.pk)
    return region is not None and region.pk == own.pk


def alerts_visible_to(user: Actor, qs: QuerySet[InspectionAlert] | None = None) -> QuerySet[InspectionAlert]:
    """The alerts a supervisor may see: all of them (city level) or its region's enterprises'."""
    qs = InspectionAlert.objects.all() if qs is None else qs
    if not active_supervisor(user):
        return qs.none()
    region = supervision_region(user)
    return qs if region is None else qs.filter(enterprise__region_id=region.pk)


def quiet_periods_visible_to(user: Actor) -> QuerySet[QuietPeriod]:
    """City-wide quiet periods, the supervisor's region's and its enterprises' (all for the city)."""
    qs = QuietPeriod.objects.select_related("region", "enterprise", "created_by")
    if not active_supervisor(user):
        return qs.none()
    region = supervision_region(user)
    if region is None:
        return qs
    return qs.filter(
        Q(region__isnull=True, enterprise__isnull=True) | Q(region_id=region.pk) | Q(enterprise__region_id=region.pk)
    )
