"""Who sees the dashboard and the rankings, and who may write to them (deny by default).

- dashboard and rankings: leaders, supervisors and dispatchers (the project office and
  the county/park offices, who see their own region on the dashboard);
- generating rankings and changing the formula: citywide supervisors (督查室) and the
  city project office (a dispatcher of a city-level office);
- 红黄榜 and 争资 entries: the same, and county/park dispatchers for projects they see."""

from __future__ import annotations

from typing import TypeGuard

import rules

from yancheng.cases.permissions import is_city_dispatch_office
from yancheng.core.models import Role
from yancheng.core.models.visibility import is_citywide
from yancheng.core.typing import Actor, MaybeActor, organisation_of

DASHBOARD_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER})


def _active(user: MaybeActor | None) -> TypeGuard[Actor]:
    return bool(user is not None and user.is_authenticated and user.is_active and user.organisation_id)


@rules.predicate
def can_view_dashboard(user: Actor) -> bool:
    return _active(user) and user.role in DASHBOARD_ROLES


@rules.predicate
def can_manage_rankings(user: Actor) -> bool:
    return _active(user) and (
        (user.role == Role.SUPERVISOR and is_citywide(user)) or is_city_dispatch_office(user)
    )


@rules.predicate
def can_manage_red_yellow(user: Actor) -> bool:
    return _active(user) and (bool(can_manage_rankings(user)) or user.role == Role.DISPATCHER)


def region_scope(user: Actor) -> str:
    """The region code a non-citywide user is held to on the dashboard ('' = the city)."""
    if is_citywide(user):
        return ""
    return str(organisation_of(user).region.code)


rules.add_perm("dashboard.view_dashboard", can_view_dashboard)
rules.add_perm("dashboard.manage_rankings", can_manage_rankings)
rules.add_perm("dashboard.manage_red_yellow", can_manage_red_yellow)
