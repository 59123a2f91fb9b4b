"""Who may see and do what in core (SPEC §1, §12: deny by default).

Visibility lives here, as queryset filters used by every view, API endpoint and
export; action rights are `rules` predicates, checked again inside the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard

import rules
from django.db.models import Q, QuerySet

from yancheng.core.typing import Actor, MaybeActor

from .models.users import Role

if TYPE_CHECKING:
    from .models import Enterprise, Organisation

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


def _is_authenticated(user: MaybeActor | None) -> TypeGuard[Actor]:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_citywide(user: Actor) -> bool:
    """A user of a city-level organisation (its region is the configured city or above)."""
    org = getattr(user, "organisation", None)
    if org is None:
        return False
    return bool(org.region.kind in {"city", "province"})


def enterprises_visible_to(user: MaybeActor | None, qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    if not _is_authenticated(user):
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
    if not _is_authenticated(user):
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
    from .models import Enterprise

    # The government tree is shared among staff (they assign work across it);
    # enterprises' own organisations only where the enterprise is visible.
    visible_enterprise_orgs = enterprises_visible_to(user, Enterprise.objects.all()).values("organisation_id")
    return qs.filter(~Q(kind="enterprise") | Q(pk__in=visible_enterprise_orgs))


# --- rules predicates -----------------------------------------------------------------


def has_role(*roles: str) -> Any:
    names = frozenset(roles)

    @rules.predicate(name=f"has_role({','.join(sorted(names))})")
    def predicate(user: Actor) -> bool:
        return _is_authenticated(user) and user.role in names

    return predicate


is_system_admin = has_role(Role.SYSTEM_ADMIN)
is_security_admin = has_role(Role.SECURITY_ADMIN)
is_audit_admin = has_role(Role.AUDIT_ADMIN)
is_business_staff = has_role(*BUSINESS_STAFF_ROLES)
is_enterprise_user = has_role(Role.ENTERPRISE)


@rules.predicate
def enterprise_is_visible(user: Actor, enterprise: Enterprise | None) -> bool:
    if enterprise is None:
        return False
    from .models import Enterprise as EnterpriseModel

    return enterprises_visible_to(user, EnterpriseModel.objects.filter(pk=enterprise.pk)).exists()


@rules.predicate
def is_own_enterprise(user: Actor, enterprise: Enterprise | None) -> bool:
    return bool(
        enterprise is not None
        and _is_authenticated(user)
        and user.role == Role.ENTERPRISE
        and user.organisation_id is not None
        and enterprise.organisation_id == user.organisation_id
    )


can_register_enterprises = is_system_admin | has_role(Role.DISPATCHER)

rules.add_perm("core.view_enterprise_list", is_system_admin | is_business_staff | is_enterprise_user)
rules.add_perm("core.add_enterprise", can_register_enterprises)
# Master data (USCC, name, region, park, scale flags, grade) is kept by the registering offices.
can_change_enterprise = (is_system_admin | has_role(Role.DISPATCHER)) & enterprise_is_visible
rules.add_perm("core.change_enterprise", can_change_enterprise)
# An enterprise keeps its own address, legal representative and contacts up to date.
rules.add_perm("core.change_enterprise_contacts", can_change_enterprise | is_own_enterprise)
rules.add_perm("core.import_enterprises", can_register_enterprises)
# Reading a contact's full phone number (SPEC §12: masked everywhere, revealed one at a
# time and audited): the enterprise itself and business staff who see the enterprise; not
# the system administrator, who keeps the master data but has no need to call anyone.
rules.add_perm("core.reveal_contact_phone", is_own_enterprise | (is_business_staff & enterprise_is_visible))
rules.add_perm("core.view_organisation_tree", is_system_admin | is_security_admin | is_business_staff)
rules.add_perm("core.manage_organisations", is_system_admin)
rules.add_perm("core.manage_users", is_system_admin)
rules.add_perm("core.assign_roles", is_security_admin)
rules.add_perm("core.manage_holidays", is_system_admin)
rules.add_perm("core.view_holidays", rules.is_authenticated)
rules.add_perm("audit.view_trail", is_audit_admin)
