"""Who may see and do what in core (SPEC §1, §12: deny by default).

Action rights are `rules` predicates, checked again inside the services. Visibility is
the models' (`Enterprise.objects.visible_to(user)`, `models/visibility.py`), used by every
view, API endpoint and export.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from yancheng.core.typing import Actor

from .models.users import Role
from .models.visibility import BUSINESS_STAFF_ROLES, enterprises_visible_to, is_active_user

if TYPE_CHECKING:
    from .models import Enterprise


# --- rules predicates -----------------------------------------------------------------


def has_role(*roles: str) -> Any:
    names = frozenset(roles)

    @rules.predicate(name=f"has_role({','.join(sorted(names))})")
    def predicate(user: Actor) -> bool:
        return is_active_user(user) and user.role in names

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
        and is_active_user(user)
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
