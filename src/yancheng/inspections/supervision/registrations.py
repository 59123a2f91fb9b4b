"""The registrations a supervisor sees: the list's filters and the query behind it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from yancheng.core.errors import ValidationFailed
from yancheng.core.typing import Actor

from ..models import (
    EntryMode,
    Inspection,
    InspectionAlert,
    InspectionDepartment,
    InspectionKind,
)
from .access import active_supervisor
from .params import param_date, param_pk, yes_no
from .periods import Period, day_bounds


def joint_exists(inspection_ref: str = "pk", department_ref: str = "department_id") -> Exists:
    """True when a department other than the one at hand took part in the inspection."""
    return Exists(
        InspectionDepartment.objects.filter(inspection_id=OuterRef(inspection_ref)).exclude(
            department_id=OuterRef(department_ref)
        )
    )


@dataclass
class RegistrationFilters:
    department: int | None = None
    enterprise: int | None = None
    q: str = ""
    kind: str = ""
    entry_mode: str = ""
    exempt: bool | None = None
    joint: bool | None = None
    has_alert: bool | None = None
    region: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def from_params(cls, params: Any) -> RegistrationFilters:
        def get(name: str) -> str:
            return str(params.get(name, "") or "").strip()[:64]

        start, end = param_date(get("start")), param_date(get("end"))
        period = get("period")
        if period and not (start or end):
            try:
                parsed = Period.parse(period)
            except ValidationFailed:
                parsed = None
            if parsed is not None:
                start, end = parsed.start, parsed.end
        return cls(
            department=param_pk(get("department")), enterprise=param_pk(get("enterprise")), q=get("q"),
            kind=get("kind") if get("kind") in InspectionKind.values else "",
            entry_mode=get("entry_mode") if get("entry_mode") in EntryMode.values else "",
            exempt=yes_no(get("exempt")), joint=yes_no(get("joint")), has_alert=yes_no(get("has_alert")),
            region=get("region"), start=start, end=end,
        )

    def params(self) -> dict[str, str]:
        values = {
            "department": self.department, "enterprise": self.enterprise, "q": self.q, "kind": self.kind,
            "entry_mode": self.entry_mode, "region": self.region,
            "exempt": None if self.exempt is None else int(self.exempt),
            "joint": None if self.joint is None else int(self.joint),
            "has_alert": None if self.has_alert is None else int(self.has_alert),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def registrations_for(user: Actor, filters: RegistrationFilters) -> QuerySet[Inspection]:
    """Every registration in the supervisor's area matching the filters, newest first, with
    what the list shows (enterprise, lead department, joint flag, alert count)."""
    qs = Inspection.objects.visible_to(user) if active_supervisor(user) else Inspection.objects.none()
    f = filters
    if f.department:
        qs = qs.filter(Exists(InspectionDepartment.objects.filter(inspection_id=OuterRef("pk"),
                                                                  department_id=f.department)))
    if f.enterprise:
        qs = qs.filter(enterprise_id=f.enterprise)
    if f.q:
        qs = qs.filter(Q(enterprise__name__icontains=f.q) | Q(enterprise__uscc__iexact=f.q) | Q(number__iexact=f.q))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.entry_mode:
        qs = qs.filter(entry_mode=f.entry_mode)
    if f.exempt is not None:
        qs = qs.filter(exemption_reason__isnull=not f.exempt)
    if f.region:
        qs = qs.filter(enterprise__region__code=f.region)
    if f.start:
        qs = qs.filter(started_at__gte=day_bounds(f.start, f.start)[0])
    if f.end:
        qs = qs.filter(started_at__lt=day_bounds(f.end, f.end)[1])
    qs = qs.annotate(
        is_joint=joint_exists(),
        alert_count=Coalesce(
            _count_subquery(InspectionAlert.objects.filter(inspection_id=OuterRef("pk")), "inspection_id"), 0
        ),
    )
    if f.joint is not None:
        qs = qs.filter(is_joint=f.joint)
    if f.has_alert is not None:
        qs = qs.filter(alert_count__gt=0) if f.has_alert else qs.filter(alert_count=0)
    return qs.select_related("enterprise", "enterprise__region", "department", "exemption_reason").order_by(
        "-started_at", "-pk"
    )


def _count_subquery(qs: QuerySet[Any], group: str) -> Any:
    from django.db.models import IntegerField, Subquery

    return Subquery(qs.order_by().values(group).annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField())
