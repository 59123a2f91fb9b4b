"""What the inspector sees before registering: grade, caps used, quiet periods, open plans, joint inspections, warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from yancheng.core.models import Enterprise, Organisation, Region
from yancheng.core.typing import Actor

from ..counting import CapUsage, recent_visits, usage
from ..models import (
    CapRule,
    InspectionItem,
    InspectionPlan,
    InspectionPolicy,
    InspectorLicence,
    JointProposal,
    PlanEntry,
    QuietPeriod,
)
from ..permissions import active_licence, department_of
from .notices import Notice, notice_cap_full, notice_grade_a, notice_high_frequency, notice_quiet


@dataclass
class Preview:
    """What the inspector sees before registering: the enterprise's grade, this year's
    counted inspections against each cap, quiet periods, the department's open plans and
    accepted joint inspections for the enterprise, and the warnings."""

    enterprise: Enterprise
    grade: str
    grade_display: str
    department: Organisation | None
    year: int
    caps: list[CapUsage]
    total: CapUsage | None
    quiet_periods: list[QuietPeriod]
    plan_entries: list[PlanEntry]
    joint_proposals: list[JointProposal]
    recent_visits: int
    window_days: int
    items: list[InspectionItem]
    warnings: list[Notice] = field(default_factory=list)
    licence: InspectorLicence | None = None


def _region_ids(region: Region) -> list[int]:
    """The region and the regions above it (a quiet period of the city covers its counties)."""
    ids: list[int] = []
    current: Region | None = region
    while current is not None and current.pk not in ids and len(ids) < 10:
        ids.append(current.pk)
        current = current.parent
    return ids


def quiet_periods_on(enterprise: Enterprise, day: dt.date) -> list[QuietPeriod]:
    """企业宁静期 in force on `day` for the enterprise: city-wide, its region (or a region
    above it), or the enterprise itself."""
    return list(
        QuietPeriod.objects.filter(starts_on__lte=day, ends_on__gte=day).filter(
            Q(region__isnull=True, enterprise__isnull=True)
            | Q(enterprise__isnull=True, region_id__in=_region_ids(enterprise.region))
            | Q(enterprise_id=enterprise.pk)
        ).order_by("starts_on", "pk")
    )


def target_q(enterprise: Enterprise) -> Q:
    return Q(enterprise_id=enterprise.pk) | (Q(enterprise__isnull=True) & ~Q(enterprise_class=""))


def open_plan_entries(enterprise: Enterprise, departments: Iterable[Organisation], day: dt.date) -> QuerySet[PlanEntry]:
    """Filed plan entries of the departments that target the enterprise (or a class of
    enterprises) and whose window covers `day` or lies ahead; not yet used for it."""
    return (
        PlanEntry.objects.filter(
            plan__department__in=list(departments), plan__status=InspectionPlan.Status.FILED, window_end__gte=day
        )
        .filter(target_q(enterprise))
        .exclude(inspections__enterprise_id=enterprise.pk)
        .select_related("item", "plan__department", "enterprise")
        .order_by("window_start", "pk")
    )


def accepted_joint_proposals(enterprise: Enterprise, department: Organisation) -> QuerySet[JointProposal]:
    """Accepted joint inspections of the enterprise the department is part of."""
    return (
        JointProposal.objects.filter(
            enterprise_id=enterprise.pk, status=JointProposal.Status.ACCEPTED,
            entries__plan__department_id=department.pk,
        )
        .distinct()
        .select_related("lead_department")
        .order_by("window_start", "pk")
    )


def published_items(departments: Iterable[Organisation]) -> QuerySet[InspectionItem]:
    return (
        InspectionItem.objects.filter(
            department__in=list(departments), published_at__isnull=False, withdrawn_at__isnull=True
        )
        .select_related("department")
        .order_by("department__name", "code")
    )


def joint_departments(proposal: JointProposal) -> list[Organisation]:
    """The departments of a joint proposal's entries, the lead first."""
    depts = {
        o.pk: o for o in Organisation.objects.filter(inspection_plans__entries__joint_proposal=proposal).distinct()
    }
    lead = proposal.lead_department_id
    return sorted(depts.values(), key=lambda o: (o.pk != lead, o.name))


def registration_preview(enterprise: Enterprise, *, actor: Actor, when: dt.datetime | None = None) -> Preview:
    """What the inspector must know before registering a visit to `enterprise` (a read: no
    permission beyond seeing the enterprise, which the caller checked)."""
    when = when or timezone.now()
    day = timezone.localdate(when)
    year = day.year
    policy = InspectionPolicy.current()
    department = department_of(actor)
    licence = active_licence(actor)
    departments = [department] if department is not None else []
    items = list(published_items(departments))
    all_usage = usage(enterprise, year, departments, items)
    caps = [u for u in all_usage if u.rule.scope != CapRule.Scope.TOTAL]
    total = next((u for u in all_usage if u.rule.scope == CapRule.Scope.TOTAL), None)
    quiet = quiet_periods_on(enterprise, day)
    plans = list(open_plan_entries(enterprise, departments, day)) if departments else []
    joints = list(accepted_joint_proposals(enterprise, department)) if department is not None else []
    visits = recent_visits(enterprise, policy.high_frequency_window_days, now=when)

    warnings: list[Notice] = []
    if enterprise.grade == Enterprise.Grade.A:
        warnings.append(notice_grade_a(policy))
    if quiet:
        warnings.append(notice_quiet(quiet))
    for u in all_usage:
        if u.used >= u.limit:
            warnings.append(notice_cap_full(u))
    if visits + 1 >= policy.high_frequency_threshold:
        warnings.append(notice_high_frequency(visits, policy.high_frequency_window_days))
    return Preview(
        enterprise=enterprise, grade=enterprise.grade, grade_display=str(enterprise.get_grade_display()),
        department=department, year=year, caps=caps, total=total, quiet_periods=quiet, plan_entries=plans,
        joint_proposals=joints, recent_visits=visits, window_days=policy.high_frequency_window_days, items=items,
        warnings=warnings, licence=licence,
    )
