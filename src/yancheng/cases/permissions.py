"""Who sees which case and what they are to it (deny by default)."""

from __future__ import annotations

from typing import TypeGuard

import rules
from django.db.models import Q, QuerySet

import yancheng.core.lookups  # noqa: F401  (registers __any_of)
from yancheng.core.models import Role
from yancheng.core.models.visibility import is_citywide
from yancheng.core.typing import Actor, MaybeActor, organisation_of

from .models import Case, CaseKind, CaseTask, EscalationLevel
from .workflow import Standing

PETITION_KINDS = (CaseKind.PETITION, CaseKind.PETITION_REVIEW)


def _active(user: MaybeActor | None) -> TypeGuard[Actor]:
    return bool(user is not None and user.is_authenticated and user.is_active and user.organisation_id)


def is_city_dispatch_office(user: Actor) -> bool:
    """A dispatcher of a city-level office (重点项目办): dispatches and supervises city-wide."""
    return bool(
        _active(user) and user.role == Role.DISPATCHER and is_citywide(user) and organisation_of(user).kind == "office"
    )


def cases_visible_to(user: MaybeActor | None, qs: QuerySet[Case]) -> QuerySet[Case]:
    if not _active(user):
        return qs.none()
    # A case withheld from the user's organisation, or one above it, is never shown (检举控告).
    return _cases_visible_to(user, qs).exclude(withheld_from_id__in=organisation_of(user).ancestors_ids())


def _cases_visible_to(user: Actor, qs: QuerySet[Case]) -> QuerySet[Case]:
    org = organisation_of(user)
    role = user.role
    if role == Role.ENTERPRISE:
        return qs.filter(reporter_org_id=org.pk)
    if role == Role.HANDLER:
        task_cases = CaseTask.objects.filter(org_id=org.pk).order_by().values("case_id")
        return qs.filter(Q(lead_org_id=org.pk) | Q(pk__any_of=task_cases) | Q(escalated_to_id=org.pk))
    if role == Role.DISPATCHER:
        if is_city_dispatch_office(user):
            return qs
        return qs.filter(Q(dispatch_org__path__startswith=org.path) | Q(escalated_to_id=org.pk))
    if role == Role.LEADER:
        # Leaders see what was escalated to 督办 in their area, and what was escalated to them.
        escalated = Q(escalation_level__gte=EscalationLevel.SUPERVISED)
        if not is_citywide(user):
            escalated &= Q(region_id=org.region_id)
        return qs.filter(escalated | Q(escalated_to_id=org.pk))
    if role == Role.SUPERVISOR:
        return qs if is_citywide(user) else qs.filter(region_id=org.region_id)
    if role == Role.PETITION:
        petition_kinds = qs.filter(kind__in=PETITION_KINDS)
        return petition_kinds if is_citywide(user) else petition_kinds.filter(dispatch_org__path__startswith=org.path)
    if role == Role.SAFETY:
        return qs.filter(kind="hazard")
    return qs.none()


def standing_of(user: Actor, case: Case) -> Standing:
    """What `user` is to `case`. Computed from the database rows, never from the request."""
    if not _active(user):
        return Standing()
    org = organisation_of(user)
    role = user.role
    reporter_side = role == Role.ENTERPRISE and case.reporter_org_id == org.pk
    if role != Role.ENTERPRISE and case.enterprise_id is None and case.reporter_id == user.pk:
        reporter_side = True  # staff who reported a matter of their own unit (no enterprise involved)
    dispatcher = role == Role.DISPATCHER and (
        is_city_dispatch_office(user) or case.dispatch_org.path.startswith(org.path)
    )
    if case.kind in PETITION_KINDS:
        # 信访: the 信访部门 transfers and assigns; the petitioner has no account, so nobody
        # is the reporting side (the petitions module takes the ratings).
        dispatcher = role == Role.PETITION and case.dispatch_org.path.startswith(org.path)
        reporter_side = False
    if role == Role.SUPERVISOR and case.kind == CaseKind.INSPECTION_COMPLAINT:
        # Complaints about inspections go to the supervising organisation (行政执法监督):
        # its supervisors triage and assign them as a dispatcher would.
        dispatcher = case.dispatch_org.path.startswith(org.path)
    lead = role == Role.HANDLER and case.lead_org_id == org.pk
    co = role == Role.HANDLER and case.tasks.filter(org_id=org.pk, status=CaseTask.TaskStatus.OPEN).exists()
    overseer = role in {Role.LEADER, Role.SUPERVISOR} or (case.escalated_to_id == org.pk)
    return Standing(
        is_reporter_side=reporter_side,
        is_dispatcher=dispatcher,
        is_lead_handler=lead,
        is_co_handler=co,
        is_overseer=overseer,
    )


# Who may open a new case at all (the receiving unit is checked by the service).
can_report = rules.predicate(
    lambda user: _active(user) and user.role in {Role.ENTERPRISE, Role.DISPATCHER, Role.HANDLER}
)
rules.add_perm("cases.report_case", can_report)
rules.add_perm(
    "cases.view_inbox",
    rules.predicate(
        lambda user: _active(user)
        and user.role
        in {Role.ENTERPRISE, Role.DISPATCHER, Role.HANDLER, Role.LEADER, Role.SUPERVISOR, Role.PETITION, Role.SAFETY}
    ),
)
rules.add_perm(
    "cases.view_report_list",  # the 通报 list
    rules.predicate(lambda user: _active(user) and user.role in {Role.DISPATCHER, Role.LEADER, Role.SUPERVISOR}),
)
