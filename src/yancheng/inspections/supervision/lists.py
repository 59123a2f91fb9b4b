"""The lists behind the dashboard's numbers: alerts and complaints, filtered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

from yancheng.cases.models import Case, CaseKind
from yancheng.cases.models import Status as CaseStatus
from yancheng.core.typing import Actor

from ..models import (
    InspectionAlert,
    InspectionDepartment,
)
from .access import active_supervisor, alerts_visible_to
from .dashboard import COMPLAINT_REF_DEPARTMENT, COMPLAINT_REF_INSPECTION, UNCOUNTED_CASE_STATUSES
from .params import param_date, param_pk
from .periods import day_bounds


@dataclass
class AlertFilters:
    status: str = ""
    kind: str = ""
    department: int | None = None
    inspection: int | None = None
    region: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def from_params(cls, params: Any) -> AlertFilters:
        def get(name: str) -> str:
            return str(params.get(name, "") or "").strip()[:64]

        return cls(
            status=get("status") if get("status") in InspectionAlert.Status.values else "",
            kind=get("kind") if get("kind") in InspectionAlert.Kind.values else "",
            department=param_pk(get("department")), inspection=param_pk(get("inspection")), region=get("region"),
            start=param_date(get("start")), end=param_date(get("end")),
        )

    def params(self) -> dict[str, str]:
        values = {"status": self.status, "kind": self.kind, "department": self.department,
                  "inspection": self.inspection, "region": self.region,
                  "start": self.start.isoformat() if self.start else "", "end": self.end.isoformat() if self.end else ""}
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def alert_list(user: Actor, filters: AlertFilters) -> QuerySet[InspectionAlert]:
    """The supervisor's alerts: open ones first, then newest first."""
    qs = alerts_visible_to(user)
    f = filters
    if f.status:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.department:
        qs = qs.filter(Q(department_id=f.department) | Q(department__isnull=True, inspection__department_id=f.department))
    if f.inspection:
        qs = qs.filter(inspection_id=f.inspection)
    if f.region:
        qs = qs.filter(enterprise__region__code=f.region)
    if f.start:
        qs = qs.filter(created_at__gte=day_bounds(f.start, f.start)[0])
    if f.end:
        qs = qs.filter(created_at__lt=day_bounds(f.end, f.end)[1])
    return qs.select_related("enterprise", "department", "inspection", "inspection__department", "handled_by").order_by(
        F("handled_at").asc(nulls_first=True), "-created_at", "-pk"
    )


def complaint_list(user: Actor, *, department: int | None, start: dt.date | None, end: dt.date | None,
                   region: str = "", open_only: bool = False) -> QuerySet[Case]:
    """Complaints about inspections in the supervisor's area: about one of `department`'s
    inspections or about the department itself (all complaints without a department);
    with `open_only`, those not yet closed (the supervisor's to-do)."""
    if not active_supervisor(user):
        return Case.objects.none()
    low = day_bounds(start, start)[0] if start else None
    high = day_bounds(end, end)[1] if end else None
    qs = Case.objects.visible_to(user).filter(kind=CaseKind.INSPECTION_COMPLAINT).exclude(
        status__in=UNCOUNTED_CASE_STATUSES
    )
    if open_only:
        qs = qs.exclude(status=CaseStatus.CLOSED)
    if low is not None:
        qs = qs.filter(created_at__gte=low)
    if high is not None:
        qs = qs.filter(created_at__lt=high)
    if region:
        qs = qs.filter(region__code=region)
    if department:
        from django.db.models import CharField, Value
        from django.db.models.functions import Cast, Concat

        refs = (
            InspectionDepartment.objects.filter(department_id=department)
            .annotate(ref=Concat(Value(COMPLAINT_REF_INSPECTION), Cast("inspection_id", CharField()),
                                 output_field=CharField()))
            .values("ref")
        )
        qs = qs.filter(Q(subject_ref__in=refs) | Q(subject_ref=f"{COMPLAINT_REF_DEPARTMENT}{department}"))
    return qs.select_related("enterprise", "lead_org").order_by("-created_at", "-pk")
