"""Who sees and does what in 企业赋码保护 (SPEC §1, §4; deny by default).

- enterprise users: their own enterprise's code, visits, ratings (their own side only),
  complaints and preferred time slots;
- a department's staff (承办人 handlers and 检查员 inspectors of an organisation of kind
  department): the registrations their department took part in, its registry, item list
  and plans; its ratings only as aggregates over at least five;
  handlers (the department's clerk, 法制科) maintain the registry, items and plans and
  answer joint proposals; inspectors with an active licence register visits;
- supervisors (司法局 行政执法监督 / 营商环境办): the rules, every registration in their area,
  alerts, complaints, the ratings (never who gave them), the dashboard and 通报.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard

import rules
from django.db.models import QuerySet
from django.utils import timezone

from yancheng.core.models import Organisation, Role
from yancheng.core.models.visibility import is_citywide
from yancheng.core.typing import Actor, MaybeActor, organisation_of

if TYPE_CHECKING:
    from .models import InspectorLicence


def _active(user: MaybeActor | None) -> TypeGuard[Actor]:
    return bool(user is not None and user.is_authenticated and user.is_active and user.organisation_id)


def department_of(user: Actor) -> Organisation | None:
    """The enforcement department a staff user works for, or None."""
    if not _active(user) or user.role not in {Role.HANDLER, Role.INSPECTOR}:
        return None
    org: Organisation = organisation_of(user)
    return org if org.kind == Organisation.Kind.DEPARTMENT else None


def inspections_visible_to(user: MaybeActor | None, qs: QuerySet[Any]) -> QuerySet[Any]:
    if not _active(user):
        return qs.none()
    org = organisation_of(user)
    if user.role == Role.ENTERPRISE:
        return qs.filter(enterprise__organisation_id=org.pk)
    if user.role == Role.SUPERVISOR:
        return qs if is_citywide(user) else qs.filter(enterprise__region_id=org.region_id)
    department = department_of(user)
    if department is not None:
        return qs.filter(department_links__department_id=department.pk).distinct()
    return qs.none()


def active_licence(user: Actor) -> InspectorLicence | None:
    """The user's own registry entry when it lets them inspect today, else None."""
    if not _active(user) or user.role != Role.INSPECTOR:
        return None
    from .models import InspectorLicence

    licence = InspectorLicence.objects.filter(user_id=user.pk, status=InspectorLicence.Status.ACTIVE).first()
    if licence is None:
        return None
    if licence.valid_until is not None and licence.valid_until < timezone.localdate():
        return None
    return licence


# --- predicates -------------------------------------------------------------------------------------


@rules.predicate
def is_enterprise_user(user: Actor) -> bool:
    return _active(user) and user.role == Role.ENTERPRISE


@rules.predicate
def is_supervisor(user: Actor) -> bool:
    return _active(user) and user.role == Role.SUPERVISOR


@rules.predicate
def is_department_staff(user: Actor) -> bool:
    return department_of(user) is not None


@rules.predicate
def is_department_clerk(user: Actor) -> bool:
    return department_of(user) is not None and user.role == Role.HANDLER


@rules.predicate
def is_licensed_inspector(user: Actor) -> bool:
    return active_licence(user) is not None


@rules.predicate
def is_own_department(user: Actor, department: Organisation | None) -> bool:
    own = department_of(user)
    return own is not None and department is not None and own.pk == department.pk


@rules.predicate
def is_own_enterprise(user: Actor, enterprise: Any) -> bool:
    return bool(
        is_enterprise_user(user) and enterprise is not None and enterprise.organisation_id == user.organisation_id
    )


@rules.predicate
def supervises_enterprise(user: Actor, enterprise: Any) -> bool:
    if not is_supervisor(user) or enterprise is None:
        return False
    return is_citywide(user) or enterprise.region_id == organisation_of(user).region_id


# The enterprise's own code: its users see, print and re-issue it; supervisors too.
rules.add_perm("inspections.view_code", is_own_enterprise | supervises_enterprise)
rules.add_perm("inspections.reissue_code", is_own_enterprise | supervises_enterprise)
# Registering a visit (the object, when given, is the enterprise).
rules.add_perm("inspections.register", is_licensed_inspector)
# The department's registry, published items and plans (object: the department).
rules.add_perm("inspections.view_department", is_department_staff)
rules.add_perm("inspections.manage_department", is_department_clerk & is_own_department)
rules.add_perm("inspections.answer_joint_proposal", is_department_clerk & is_own_department)
rules.add_perm("inspections.view_own_rating_aggregates", is_department_staff)
# The enterprise's rights (object: the enterprise): rate, complain, report, pick slots.
rules.add_perm("inspections.rate", is_own_enterprise)
rules.add_perm("inspections.complain", is_own_enterprise)
rules.add_perm("inspections.pick_slots", is_own_enterprise)
# The supervisor's side.
rules.add_perm("inspections.manage_rules", is_supervisor)
rules.add_perm("inspections.view_alerts", is_supervisor)
rules.add_perm("inspections.handle_alert", is_supervisor)
rules.add_perm("inspections.view_supervision", is_supervisor)
rules.add_perm("inspections.view_ratings", is_supervisor)


# --- inspector side (扫码入企 registration) ----------------------------------------------------------


@rules.predicate
def is_inspector(user: Actor) -> bool:
    return department_of(user) is not None and user.role == Role.INSPECTOR


@rules.predicate
def takes_part_in_inspection(user: Actor, inspection: Any) -> bool:
    """The user's department is one of the departments of the registration (the lead
    included)."""
    department = department_of(user)
    if department is None or inspection is None:
        return False
    return bool(inspection.department_links.filter(department_id=department.pk).exists())


# Finishing a registration (object: the inspection): an inspector of a participating department.
rules.add_perm("inspections.finish", is_inspector & takes_part_in_inspection)


# --- supervisor side (the supervision package) --------------------------------------------------


@rules.predicate
def is_citywide_supervisor(user: Actor) -> bool:
    """A supervisor of a city-level organisation: the city's rules (policy, cap matrix,
    exemption reasons) are theirs; a county's supervisor sees and works in its region only."""
    return bool(is_supervisor(user) and is_citywide(user))


rules.add_perm("inspections.manage_city_rules", is_citywide_supervisor)

# --- department side: plans, joint inspections, announcements -------------------------------------
# The enterprise's list of announced inspections (检查预告) and its preferred slots.
rules.add_perm("inspections.view_announcements", is_enterprise_user)
