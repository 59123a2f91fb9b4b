"""Who sees which case and what they are to it (deny by default)."""

from __future__ import annotations

from typing import Any, TypeGuard

import rules
from django.db.models import Q, QuerySet

import yancheng.core.lookups  # noqa: F401  (registers __any_of)
from yancheng.core.models import Organisation, Role
from yancheng.core.models.visibility import is_citywide
from yancheng.core.typing import Actor, MaybeActor, organisation_of

from .models import PETITION_KINDS, Case, CaseKind, CaseTask, EscalationLevel, ExtensionApprover, SlaPolicy
from .workflow import Standing, can_transition

# Who works hazards on the engine (through the safety module's pages).
HAZARD_ROLES = frozenset({Role.SAFETY, Role.INSPECTOR})
# What a 链办 (chain office, the chains module) dispatches: the chain-level problems it raises
# and the tasks its 链长 meetings issue — only those whose receiving unit (dispatch_org) is its
# own organisation. It sees and dispatches nothing else on the engine.
CHAIN_OFFICE_KINDS = frozenset({CaseKind.CHAIN_PROBLEM, CaseKind.MEETING_TASK})


def chain_office_dispatches(user: Actor, case: Case) -> bool:
    """The 链办 dispatches this case: a chain-level problem or meeting task its office received."""
    return bool(
        _active(user) and user.role == Role.CHAIN_OFFICE and case.kind in CHAIN_OFFICE_KINDS
        and case.dispatch_org_id == user.organisation_id
    )


def _active(user: MaybeActor | None) -> TypeGuard[Actor]:
    return bool(user is not None and user.is_authenticated and user.is_active and user.organisation_id)


def is_city_dispatch_office(user: Actor) -> bool:
    """A dispatcher of a city-level office (重点项目办): dispatches and supervises city-wide."""
    return bool(
        _active(user) and user.role == Role.DISPATCHER and is_citywide(user) and organisation_of(user).kind == "office"
    )


def cases_visible_to(user: MaybeActor | None, qs: QuerySet[Case]) -> QuerySet[Case]:
    """The cases `user` may see: by role, and never a case withheld from the user's
    organisation or any organisation above it (检举控告 and the organ complained about)."""
    if not _active(user):
        return qs.none()
    org = organisation_of(user)
    return _by_role(user, org, qs).exclude(withheld_from_id__in=org.ancestors_ids() or [org.pk])


def _lead_head_kinds() -> QuerySet[SlaPolicy, Any]:
    """The kinds whose extensions the lead unit's head decides (its leaders then see them)."""
    return SlaPolicy.objects.filter(extension_approver=ExtensionApprover.LEAD_HEAD).order_by().values("kind")


def _by_role(user: Actor, org: Organisation, qs: QuerySet[Case]) -> QuerySet[Case]:
    role = user.role
    if role == Role.ENTERPRISE:
        return qs.filter(reporter_org_id=org.pk)
    if role == Role.HANDLER:
        task_cases = CaseTask.objects.filter(org_id=org.pk).order_by().values("case_id")
        return qs.filter(Q(lead_org_id=org.pk) | Q(pk__any_of=task_cases) | Q(escalated_to_id=org.pk))
    if role == Role.DISPATCHER:
        # Petitions are dispatched by the 信访 staff; a dispatcher sees one only when it was
        # escalated to the dispatcher's unit.
        if is_city_dispatch_office(user):
            return qs.filter(~Q(kind__in=PETITION_KINDS) | Q(escalated_to_id=org.pk))
        return qs.filter(
            (Q(dispatch_org__path__startswith=org.path) & ~Q(kind__in=PETITION_KINDS)) | Q(escalated_to_id=org.pk)
        )
    if role == Role.LEADER:
        # Leaders see what was escalated to 督办 in their area, and what was escalated to them;
        # and, where the lead unit's head decides extensions (信访), what their unit leads.
        escalated = Q(escalation_level__gte=EscalationLevel.SUPERVISED)
        if not is_citywide(user):
            escalated &= Q(region_id=org.region_id)
        led = Q(lead_org_id=org.pk, kind__in=_lead_head_kinds())
        return qs.filter(escalated | Q(escalated_to_id=org.pk) | led)
    if role == Role.SUPERVISOR:
        return qs if is_citywide(user) else qs.filter(region_id=org.region_id)
    if role == Role.PETITION:
        # A city 信访局 sees every petition case; a county's, those it dispatched.
        petition_kinds = qs.filter(kind__in=PETITION_KINDS)
        return petition_kinds if is_citywide(user) else petition_kinds.filter(dispatch_org__path__startswith=org.path)
    if role == Role.CHAIN_OFFICE:
        return qs.filter(kind__in=CHAIN_OFFICE_KINDS, dispatch_org_id=org.pk)
    if role in HAZARD_ROLES:
        # Hazards (安全隐患) are worked on the safety module's pages: its 安委办 sees them all
        # (its region's for a county's); a department's safety staff and inspectors, those
        # their department receives or leads.
        hazards = qs.filter(kind=CaseKind.HAZARD)
        if role == Role.SAFETY and org.kind == Organisation.Kind.OFFICE:
            return hazards if is_citywide(user) else hazards.filter(region_id=org.region_id)
        return hazards.filter(Q(dispatch_org__path__startswith=org.path) | Q(lead_org_id=org.pk))
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
    if role == Role.SUPERVISOR and case.kind == CaseKind.INSPECTION_COMPLAINT:
        # Complaints about inspections go to the supervising organisation (行政执法监督):
        # its supervisors triage and assign them as a dispatcher would.
        dispatcher = case.dispatch_org.path.startswith(org.path)
    if case.kind in PETITION_KINDS:
        # 信访: the 信访 staff of the receiving organ (or above it) dispatch; the 信访人 has no
        # account and the petitions module rates through its own service, so nobody is the
        # reporter's side.
        dispatcher = role == Role.PETITION and case.dispatch_org.path.startswith(org.path)
        reporter_side = False
    if case.kind == CaseKind.HAZARD and role in HAZARD_ROLES:
        # 隐患: the supervising department's safety staff and inspectors receive the hazard and
        # lead its rectification; the safety module checks its own stages first.
        dispatcher = org.kind != Organisation.Kind.OFFICE and case.dispatch_org.path.startswith(org.path)
    if role == Role.CHAIN_OFFICE:
        dispatcher = chain_office_dispatches(user, case)
        # It confirms the result of what its office raised, also a task its 链长 issued on the
        # office's behalf (no reporting person: ``meeting_task_issue`` without an actor).
        reporter_side = dispatcher and case.reporter_org_id == org.pk
    lead = (role == Role.HANDLER or (case.kind == CaseKind.HAZARD and role in HAZARD_ROLES)) and case.lead_org_id == org.pk
    co = role == Role.HANDLER and case.tasks.filter(org_id=org.pk, status=CaseTask.TaskStatus.OPEN).exists()
    overseer = role in {Role.LEADER, Role.SUPERVISOR} or (case.escalated_to_id == org.pk)
    lead_head = role == Role.LEADER and case.lead_org_id is not None and case.lead_org_id == org.pk
    # Read only where an extension can be decided (one query, not on every page of a new case).
    by_lead_head = (
        can_transition(case.status, "decide_extension") and _extension_approver(case) == ExtensionApprover.LEAD_HEAD
    )
    return Standing(
        is_reporter_side=reporter_side,
        is_dispatcher=dispatcher,
        is_lead_handler=lead,
        is_co_handler=co,
        is_overseer=overseer,
        is_lead_head=lead_head,
        extension_by_lead_head=by_lead_head,
    )


def _extension_approver(case: Case) -> str:
    """Who decides the case's extensions, from its policy (the dispatcher when none)."""
    approver = (
        SlaPolicy.objects.filter(kind=case.kind, urgency=case.urgency).values_list("extension_approver", flat=True).first()
    )
    return approver or ExtensionApprover.DISPATCHER


# Who may open a new case at all (the receiving unit is checked by the service).
can_report = rules.predicate(
    lambda user: _active(user) and user.role in {Role.ENTERPRISE, Role.DISPATCHER, Role.HANDLER}
)
rules.add_perm("cases.report_case", can_report)
# 信访 and 安委办 staff work in their modules' lists: their cases are worked there
# (subjects.register_case_home).
rules.add_perm(
    "cases.view_inbox",
    rules.predicate(
        lambda user: _active(user)
        and user.role in {Role.ENTERPRISE, Role.DISPATCHER, Role.HANDLER, Role.LEADER, Role.SUPERVISOR}
    ),
)
rules.add_perm(
    "cases.view_report_list",  # the 通报 list
    rules.predicate(lambda user: _active(user) and user.role in {Role.DISPATCHER, Role.LEADER, Role.SUPERVISOR}),
)
