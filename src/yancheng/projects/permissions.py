"""Who sees which project and who may change what on it (SPEC §1, §3; deny by default).

Visibility is one queryset filter (``Project.objects.visible_to``), used by every view,
API endpoint, export and selector. Action rights are ``rules`` predicates, checked again
inside the services.

Confidential projects (``is_confidential``, 涉密/敏感) are seen only by the staff of the
project's own region (a park: its park), the responsible unit, the linked leader, the
named task-force members and the city's project office (its dispatchers and supervisors):
a department user never sees another region's confidential projects, and city-level
departments see them only when linked to the project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard

import rules
from django.db.models import Q, QuerySet

from yancheng.cases.permissions import is_city_dispatch_office
from yancheng.core.models import Organisation, Role
from yancheng.core.models.visibility import BUSINESS_STAFF_ROLES, is_citywide
from yancheng.core.typing import Actor, MaybeActor, organisation_of

if TYPE_CHECKING:
    from .models import Project, WeeklyMeeting


def _active(user: MaybeActor | None) -> TypeGuard[Actor]:
    return bool(user is not None and user.is_authenticated and user.is_active and user.organisation_id)


def is_project_office(user: Actor) -> bool:
    """A dispatcher or supervisor of a city-level office (重点项目办): files, supervises and
    maintains every project of the city, confidential ones included."""
    return bool(
        _active(user)
        and user.role in {Role.DISPATCHER, Role.SUPERVISOR}
        and is_citywide(user)
        and organisation_of(user).kind == Organisation.Kind.OFFICE
    )


def is_project_office_dispatcher(user: Actor) -> bool:
    return is_project_office(user) and user.role == Role.DISPATCHER


def _linked(user: Actor) -> Q:
    from .models import TaskForceMember

    return (
        Q(leader_id=user.pk)
        | Q(responsible_org_id=user.organisation_id)
        | Q(pk__in=TaskForceMember.objects.filter(user_id=user.pk).values("project_id"))
    )


def _local_scope(user: Actor) -> Q | None:
    """The projects of the user's own area, or None for city-level users."""
    org = organisation_of(user)
    if is_citywide(user):
        return None
    if org.kind == Organisation.Kind.PARK:
        return Q(park_id=org.pk)
    return Q(region_id=org.region_id)


def projects_visible_to(user: MaybeActor | None, qs: QuerySet[Project]) -> QuerySet[Project]:
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.SYSTEM_ADMIN:
        return qs  # master data
    if not user.organisation_id or user.role in {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}:
        return qs.none()
    if user.role == Role.ENTERPRISE:
        return qs.filter(enterprise__organisation_id=user.organisation_id, is_confidential=False)
    if user.role not in BUSINESS_STAFF_ROLES:
        return qs.none()
    if is_project_office(user):
        return qs
    local = _local_scope(user)
    if local is None:  # city-level units: every open project
        visible = Q(is_confidential=False)
    elif user.role == Role.LEADER:  # a county leader: the open ones everywhere, the county's all
        visible = Q(is_confidential=False) | local
    else:
        visible = local
    return qs.filter(visible | _linked(user))


# --- rules predicates ---------------------------------------------------------------------------


def _is_system_admin(user: MaybeActor | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.role == Role.SYSTEM_ADMIN)


@rules.predicate
def is_visible(user: Actor, project: Project | None) -> bool:
    if project is None:
        return False
    from .models import Project as ProjectModel

    return projects_visible_to(user, ProjectModel.objects.filter(pk=project.pk)).exists()


@rules.predicate
def can_create_projects(user: Actor) -> bool:
    """The project office, the system administrator (master data) and the dispatchers of a
    county, district or park (for their own area; the service checks the area)."""
    if _is_system_admin(user):
        return True
    return _active(user) and user.role == Role.DISPATCHER


def _is_responsible_staff(user: Actor, project: Project) -> bool:
    return bool(
        _active(user)
        and user.role in {Role.DISPATCHER, Role.HANDLER}
        and user.organisation_id == project.responsible_org_id
    )


@rules.predicate
def can_maintain(user: Actor, project: Project | None) -> bool:
    """Keep a project's master data, stage, task force, 代办 checklist and factor needs: the
    project office's dispatchers and the responsible unit's dispatchers and handlers (the
    system administrator too, for corrections of master data)."""
    if project is None:
        return False
    if _is_system_admin(user) or is_project_office_dispatcher(user):
        return True
    return _is_responsible_staff(user, project)


@rules.predicate
def can_report_progress(user: Actor, project: Project | None) -> bool:
    """Write 日反馈 and monthly investment reports: the task force and the responsible unit
    (and the project office, which chases missing reports)."""
    if project is None or not _active(user):
        return False
    if is_project_office_dispatcher(user) or _is_responsible_staff(user, project):
        return True
    return project.task_force.filter(user_id=user.pk).exists()


@rules.predicate
def can_report_problem(user: Actor, project: Project | None) -> bool:
    """Report a problem on the project (问题交办): its enterprise, its task force and the
    staff who may open cases (dispatchers, handlers) and see the project."""
    if project is None or not _active(user):
        return False
    if user.role == Role.ENTERPRISE:
        return project.enterprise is not None and project.enterprise.organisation_id == user.organisation_id
    return user.role in {Role.DISPATCHER, Role.HANDLER} and bool(is_visible(user, project))


@rules.predicate
def can_supervise(user: Actor) -> bool:
    """Commitments (承诺兑现) and on-site observation rounds (现场观摩): the project office."""
    return _is_system_admin(user) or is_project_office(user)


@rules.predicate
def can_view_list(user: MaybeActor | None) -> bool:
    if not (user is not None and user.is_authenticated and user.is_active):
        return False
    return user.role in BUSINESS_STAFF_ROLES | {Role.ENTERPRISE, Role.SYSTEM_ADMIN}


rules.add_perm("projects.view_project_list", can_view_list)
rules.add_perm("projects.view_project", is_visible)
rules.add_perm("projects.add_project", can_create_projects)
rules.add_perm("projects.change_project", can_maintain & is_visible)
rules.add_perm("projects.report_progress", can_report_progress & is_visible)
rules.add_perm("projects.report_problem", can_report_problem)
rules.add_perm("projects.supervise", can_supervise)


# --- 备案监督 pages (承诺兑现, 现场观摩, 规模榜单) ---------------------------------------------------


SUPERVISION_VIEWER_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.SUPERVISOR})


def can_view_supervision(user: Actor) -> bool:
    """The project office, leaders, supervisors and dispatchers (the latter three scoped)."""
    return is_project_office(user) or (_active(user) and user.role in SUPERVISION_VIEWER_ROLES)


def can_write_supervision(user: Actor) -> bool:
    """Writes: the project office (``projects.supervise``), on a page it may view."""
    return can_view_supervision(user) and bool(rules.has_perm("projects.supervise", user))


def _citywide_viewer(user: Actor) -> bool:
    return is_project_office(user) or is_citywide(user)


def supervision_scope(user: Actor, prefix: str = "") -> Q | None:
    """Rows about an organisation (and optionally a project) of the user's own area; None
    for city-level viewers. ``prefix`` is the path to the row's organisation/project."""
    if _citywide_viewer(user):
        return None
    org = organisation_of(user)
    if org.kind == Organisation.Kind.PARK:
        return Q(**{f"{prefix}organisation_id": org.pk}) | Q(**{f"{prefix}project__park_id": org.pk})
    return (
        Q(**{f"{prefix}organisation__region_id": org.region_id})
        | Q(**{f"{prefix}organisation__region__parent_id": org.region_id})
        | Q(**{f"{prefix}project__region_id": org.region_id})
    )


def supervision_scoped(qs: QuerySet[Any], user: Actor) -> QuerySet[Any]:
    scope = supervision_scope(user)
    return qs if scope is None else qs.filter(scope)


# --- 周调度: the weekly dispatch meeting -------------------------------------------------------------


def can_view_meetings(user: Actor) -> bool:
    """Staff who take part in dispatch meetings. Enterprises never see them (the agenda
    names other enterprises' problems)."""
    return _active(user) and user.role in {Role.DISPATCHER, Role.LEADER, Role.SUPERVISOR, Role.HANDLER}


def can_create_meeting(user: Actor) -> bool:
    """A dispatcher: of a city-level office (city-wide or any region), or of a county or
    park (its own region)."""
    return _active(user) and user.role == Role.DISPATCHER


def can_manage_meeting(user: Actor, meeting: WeeklyMeeting) -> bool:
    """The organiser's dispatchers (or the city office's) build, decide and close."""
    if not _active(user) or user.role != Role.DISPATCHER:
        return False
    if is_city_dispatch_office(user):
        return True
    return bool(meeting.organiser.path.startswith(organisation_of(user).path))
