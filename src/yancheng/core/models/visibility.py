"""Who sees which rows of core (SPEC §1, §12: deny by default): the filters behind
`Organisation.objects.visible_to(user)` and `Enterprise.objects.visible_to(user)`, and the
facts about a user they rest on (business staff, citywide), which the apps' own visibility
rules use too. Action rights are `rules` predicates, in `core/permissions.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.db.models import Q, QuerySet

from yancheng.core.typing import Actor, MaybeActor

from .users import Role

if TYPE_CHECKING:
    from .enterprises import Enterprise
    from .organisations import Organisation


# Staff roles that work on enterprises' matters (everyone but enterprise users and the
# security and audit administrators, who must not read business data).
BUSINESS_STAFF_ROLES = frozenset(
    {
        Role.HANDLER,
        Role.DISPATCHER,
        Role.INSPECTOR,
        Role.LEADER,
        Role.SUPERVISOR,
        Role.CHAIN_OFFICE,
        Role.PETITION,
        Role.SAFETY,
    }
)


def is_active_user(user: MaybeActor | None) -> TypeGuard[Actor]:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_citywide(user: Actor) -> bool:
    """A user of a city-level organisation (its region is the configured city or above)."""
    org = getattr(user, "organisation", None)
    if org is None:
        return False
    return bool(org.region.kind in {"city", "province"})


def enterprises_visible_to(user: MaybeActor | None, qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    if not is_active_user(user):
        return qs.none()
    if user.role == Role.SYSTEM_ADMIN:
        return qs
    org = user.organisation
    if org is None:
        return qs.none()
    if user.role == Role.ENTERPRISE:
        return qs.filter(organisation_id=org.pk)
    if user.role not in BUSINESS_STAFF_ROLES:
        return qs.none()
    if is_citywide(user):
        return qs
    if org.kind == "park":
        return qs.filter(park_id=org.pk)
    # A county/district organisation (or one under it) sees its region's enterprises.
    return qs.filter(region_id=org.region_id)


def organisations_visible_to(user: MaybeActor | None, qs: QuerySet[Organisation]) -> QuerySet[Organisation]:
    if not is_active_user(user):
        return qs.none()
    if user.role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}:
        return qs
    org = user.organisation
    if org is None:
        return qs.none()
    if user.role == Role.ENTERPRISE:
        return qs.filter(pk=org.pk)
    if user.role not in BUSINESS_STAFF_ROLES:
        return qs.filter(pk=org.pk)
    from .enterprises import Enterprise

    # The government tree is shared among staff (they assign work across it);
    # enterprises' own organisations only where the enterprise is visible.
    visible_enterprise_orgs = enterprises_visible_to(user, Enterprise.objects.all()).values("organisation_id")
    return qs.filter(~Q(kind="enterprise") | Q(pk__in=visible_enterprise_orgs))
