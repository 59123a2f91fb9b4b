"""Who sees which safety rows and who may do what (deny by default).

- 安委办 (``Role.SAFETY`` in an office, ``is_safety_office``): the registry, the letters, the
  coverage and every hazard, task and check — citywide for the city's 安委办, its region's for
  a county's. The city's 安委办 alone edits the registry.
- Department safety staff (``Role.SAFETY`` in a department) and inspectors (``Role.INSPECTOR``):
  the hazards their department supervises (or a sub-unit of it), its tasks and checks, and what
  they reported. A grid person is ``Role.SAFETY`` in a park or a 乡镇: the hazards of the park's
  enterprises and what they reported.
- Enterprise staff: their enterprise's hazards and checks; they self-check, report and rectify,
  never verify or close.
- Leaders: every hazard (a city leader) or their region's, read only.
"""

from __future__ import annotations

from typing import TypeGuard, TypeVar

import rules
from django.db.models import Model, Q, QuerySet

from yancheng.core.models import Organisation, Role
from yancheng.core.models.visibility import is_citywide
from yancheng.core.typing import Actor, MaybeActor, organisation_of

from .models import CheckTask, Hazard, ResponsibilityLetter, SafetyCheck
from .workflow import HazardStanding

M = TypeVar("M", bound=Model)

DEPARTMENT_ROLES = frozenset({Role.SAFETY, Role.INSPECTOR})


def _active(user: MaybeActor | None) -> TypeGuard[Actor]:
    return bool(user is not None and user.is_authenticated and user.is_active and user.organisation_id)


def is_safety_office(user: MaybeActor | None) -> bool:
    """安委办 staff: the safety role in an office (议事协调机构/办公室), city or county."""
    return _active(user) and user.role == Role.SAFETY and organisation_of(user).kind == Organisation.Kind.OFFICE


def is_city_safety_office(user: MaybeActor | None) -> bool:
    return is_safety_office(user) and is_citywide(user)  # type: ignore[arg-type]


def is_department_safety(user: MaybeActor | None) -> bool:
    """Safety staff or inspectors of a department, park or 乡镇 (not the 安委办)."""
    return _active(user) and user.role in DEPARTMENT_ROLES and not is_safety_office(user)


def _office_scope(user: Actor, qs: QuerySet[M], region_field: str) -> QuerySet[M]:
    return qs if is_citywide(user) else qs.filter(**{region_field: organisation_of(user).region_id})


def hazards_visible_to(user: MaybeActor | None, qs: QuerySet[Hazard]) -> QuerySet[Hazard]:
    if not _active(user):
        return qs.none()
    org = organisation_of(user)
    if is_safety_office(user):
        return _office_scope(user, qs, "region_id")
    if user.role in DEPARTMENT_ROLES:
        return qs.filter(
            Q(supervising_org__path__startswith=org.path) | Q(reporter_org_id=org.pk) | Q(enterprise__park_id=org.pk)
        )
    if user.role == Role.ENTERPRISE:
        return qs.filter(enterprise__organisation_id=org.pk)
    if user.role == Role.LEADER:
        return _office_scope(user, qs, "region_id")
    return qs.none()


def checks_visible_to(user: MaybeActor | None, qs: QuerySet[SafetyCheck]) -> QuerySet[SafetyCheck]:
    if not _active(user):
        return qs.none()
    org = organisation_of(user)
    if is_safety_office(user) or user.role == Role.LEADER:
        return _office_scope(user, qs, "enterprise__region_id")
    if user.role in DEPARTMENT_ROLES:
        return qs.filter(Q(organisation__path__startswith=org.path) | Q(enterprise__park_id=org.pk))
    if user.role == Role.ENTERPRISE:
        return qs.filter(enterprise__organisation_id=org.pk)
    return qs.none()


def tasks_visible_to(user: MaybeActor | None, qs: QuerySet[CheckTask]) -> QuerySet[CheckTask]:
    if not _active(user):
        return qs.none()
    org = organisation_of(user)
    if is_safety_office(user) or user.role == Role.LEADER:
        return _office_scope(user, qs, "unit__region_id")
    if user.role in DEPARTMENT_ROLES:
        return qs.filter(unit__path__startswith=org.path)
    return qs.none()


def letters_visible_to(user: MaybeActor | None, qs: QuerySet[ResponsibilityLetter]) -> QuerySet[ResponsibilityLetter]:
    if not _active(user):
        return qs.none()
    org = organisation_of(user)
    if is_safety_office(user):
        return _office_scope(user, qs, "unit__region_id")
    if user.role in {Role.SAFETY, Role.LEADER}:
        return qs.filter(unit_id=org.pk)
    return qs.none()


def hazard_standing(user: MaybeActor | None, hazard: Hazard) -> HazardStanding:
    """What ``user`` is to ``hazard``, from the rows (never from the request)."""
    if not _active(user) or not Hazard.objects.visible_to(user).filter(pk=hazard.pk).exists():
        return HazardStanding()
    org = organisation_of(user)
    # The supervising department's own staff only, as the engine's lead standing on the
    # rectification case: a parent unit sees the hazard and reads it, it presses no step.
    supervisor = (
        user.role in DEPARTMENT_ROLES
        and not is_safety_office(user)
        and hazard.supervising_org_id == org.pk
    )
    enterprise = user.role == Role.ENTERPRISE
    if hazard.enterprise_id is not None:
        rectifier = enterprise and hazard.enterprise is not None and hazard.enterprise.organisation_id == org.pk
    else:
        rectifier = supervisor  # a place with no enterprise: the department has it put right
    pending = hazard.rectifications.filter(outcome="pending", submitted_by_id=user.pk).exists()
    return HazardStanding(
        is_supervisor=supervisor, is_rectifier=rectifier, is_enterprise=enterprise, submitted_pending_evidence=pending
    )


def _role(*roles: str) -> rules.Predicate:
    predicate: rules.Predicate = rules.predicate(lambda user: _active(user) and user.role in roles)
    return predicate


@rules.predicate
def sees_hazard(user: MaybeActor | None, hazard: Hazard | None = None) -> bool:
    return _active(user) and hazard is not None and Hazard.objects.visible_to(user).filter(pk=hazard.pk).exists()


@rules.predicate
def supervises_hazard(user: MaybeActor | None, hazard: Hazard | None = None) -> bool:
    return hazard is not None and hazard_standing(user, hazard).is_supervisor


@rules.predicate
def rectifies_hazard(user: MaybeActor | None, hazard: Hazard | None = None) -> bool:
    return hazard is not None and hazard_standing(user, hazard).is_rectifier


@rules.predicate
def signs_letter(user: MaybeActor | None, letter: ResponsibilityLetter | None = None) -> bool:
    """The unit's own safety staff, or the 安委办 that sees the letter, records the signing."""
    if not _active(user) or letter is None:
        return False
    if is_safety_office(user):
        return ResponsibilityLetter.objects.visible_to(user).filter(pk=letter.pk).exists()
    return user.role == Role.SAFETY and letter.unit_id == user.organisation_id


city_office = rules.predicate(is_city_safety_office)
office = rules.predicate(is_safety_office)
department = rules.predicate(is_department_safety)

rules.add_perm("safety.view_registry", _role(Role.SAFETY, Role.INSPECTOR, Role.LEADER, Role.SUPERVISOR))
rules.add_perm("safety.manage_registry", city_office)
rules.add_perm("safety.view_coverage", office)
rules.add_perm("safety.manage_coverage", office)
rules.add_perm("safety.manage_letters", office)
rules.add_perm("safety.sign_letter", signs_letter)
rules.add_perm("safety.view_letters", _role(Role.SAFETY, Role.LEADER))
rules.add_perm("safety.generate_tasks", office)
rules.add_perm("safety.view_tasks", _role(Role.SAFETY, Role.INSPECTOR, Role.LEADER))
rules.add_perm("safety.view_checks", _role(Role.SAFETY, Role.INSPECTOR, Role.LEADER, Role.ENTERPRISE))
rules.add_perm("safety.record_department_check", _role(Role.INSPECTOR, Role.SAFETY) & department)
rules.add_perm("safety.record_self_check", _role(Role.ENTERPRISE))
rules.add_perm("safety.record_grid_check", _role(Role.SAFETY) & department)
rules.add_perm("safety.view_hazards", _role(Role.SAFETY, Role.INSPECTOR, Role.LEADER, Role.ENTERPRISE))
rules.add_perm("safety.report_hazard", _role(Role.SAFETY, Role.INSPECTOR, Role.ENTERPRISE))
rules.add_perm("safety.view_hazard", sees_hazard)
rules.add_perm("safety.supervise_hazard", supervises_hazard)
rules.add_perm("safety.rectify_hazard", rectifies_hazard)
rules.add_perm("safety.view_statistics", office | _role(Role.LEADER) | department)
rules.add_perm("safety.issue_bulletin", office)


# --- statistics and the monthly 通报 ------------------------------------------------------------


def bulletins_visible_to(user: MaybeActor | None, qs: QuerySet[M]) -> QuerySet[M]:
    """The 通报 a 安委办 or a leader reads: citywide, every one; a county's, those its region's
    安委办 issued and the city's."""
    if not _active(user) or not (is_safety_office(user) or user.role == Role.LEADER):
        return qs.none()
    if is_citywide(user):
        return qs
    region = organisation_of(user).region
    return qs.filter(Q(issuer__region_id=region.pk) | Q(issuer__region_id=region.parent_id))


rules.add_perm("safety.view_bulletins", office | _role(Role.LEADER))


# --- the module's landing page and its menu entry ---------------------------------------------------

SAFETY_PAGES = ("safety.view_registry", "safety.view_coverage", "safety.view_letters", "safety.view_tasks",
                "safety.view_checks", "safety.view_hazards", "safety.view_statistics", "safety.view_bulletins")


@rules.predicate
def opens_a_safety_page(user: MaybeActor | None) -> bool:
    """Whoever may open at least one of the module's pages has its menu entry and landing."""
    return _active(user) and any(user.has_perm(name) for name in SAFETY_PAGES)


rules.add_perm("safety.view_module", opens_a_safety_page)
