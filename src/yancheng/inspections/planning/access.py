"""Who sees what: the plans, joint proposals, announced entries and preferred slots a user may read or write."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.errors import NotFoundError, PermissionDeniedError
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from ..models import (
    InspectionPlan,
    JointProposal,
    PlanEntry,
    TimeSlotPreference,
)
from ..permissions import department_of, is_enterprise_user


def plans_visible_to(user: Actor) -> QuerySet[InspectionPlan]:
    """A department's staff see its plans; nobody else does through these pages."""
    department = department_of(user)
    if department is None:
        return InspectionPlan.objects.none()
    return InspectionPlan.objects.filter(department_id=department.pk)


def get_plan_for(user: Actor, pk: int, *, write: bool = False) -> InspectionPlan:
    """The plan when the user's department owns it (NotFoundError otherwise, so another
    department's plan does not leak); with `write`, PermissionDeniedError unless the user
    is its clerk."""
    plan = plans_visible_to(user).select_related("department", "filed_by").filter(pk=pk).first()
    if plan is None:
        raise NotFoundError(_("计划不存在。"))
    if write and not user.has_perm("inspections.manage_department", plan.department):
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    return plan


def proposals_visible_to(user: Actor) -> QuerySet[JointProposal]:
    """The proposals naming an entry of the user's department."""
    department = department_of(user)
    if department is None:
        return JointProposal.objects.none()
    ids = PlanEntry.objects.filter(plan__department_id=department.pk, joint_proposal__isnull=False).values(
        "joint_proposal_id"
    )
    return JointProposal.objects.filter(pk__in=ids)


def get_proposal_for(user: Actor, pk: int, *, write: bool = False) -> JointProposal:
    proposal = proposals_visible_to(user).select_related("enterprise", "lead_department").filter(pk=pk).first()
    if proposal is None:
        raise NotFoundError(_("联合检查建议不存在。"))
    if write and not user.has_perm("inspections.answer_joint_proposal", department_of(user)):
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    return proposal


def proposal_departments(proposal: JointProposal) -> list[Organisation]:
    """The departments whose entries the proposal links, in a stable order."""
    ids = set(PlanEntry.objects.filter(joint_proposal=proposal).values_list("plan__department_id", flat=True))
    return list(Organisation.objects.filter(pk__in=ids).order_by("name", "pk"))


def proposals_waiting_for(department: Organisation) -> QuerySet[JointProposal]:
    """Proposals still open that the department has not answered."""
    ids = PlanEntry.objects.filter(plan__department_id=department.pk, joint_proposal__isnull=False).values(
        "joint_proposal_id"
    )
    return JointProposal.objects.filter(pk__in=ids, status=JointProposal.Status.PROPOSED).exclude(
        acceptances__department_id=department.pk
    )


def announcements_for(user: Actor, *, today: dt.date | None = None) -> QuerySet[PlanEntry]:
    """Announced entries of filed plans naming the user's enterprise whose window has not
    ended: what the enterprise is told in advance (检查预告)."""
    if not is_enterprise_user(user) or user.organisation_id is None:
        return PlanEntry.objects.none()
    today = today or timezone.localdate()
    return (
        PlanEntry.objects.filter(
            enterprise__organisation_id=user.organisation_id, announced=True,
            plan__status=InspectionPlan.Status.FILED, window_end__gte=today,
        )
        .select_related("plan__department", "item", "enterprise", "joint_proposal")
        .order_by("window_start", "pk")
    )


def get_announced_entry_for(user: Actor, pk: int) -> PlanEntry:
    entry = announcements_for(user, today=dt.date.min).filter(pk=pk).first()
    if entry is None:
        raise NotFoundError(_("检查预告不存在。"))
    return entry


def get_slot_for(user: Actor, pk: int) -> TimeSlotPreference:
    if not is_enterprise_user(user) or user.organisation_id is None:
        raise NotFoundError(_("预约时段不存在。"))
    slot = (
        TimeSlotPreference.objects.select_related("entry__enterprise")
        .filter(pk=pk, entry__enterprise__organisation_id=user.organisation_id)
        .first()
    )
    if slot is None:
        raise NotFoundError(_("预约时段不存在。"))
    return slot
