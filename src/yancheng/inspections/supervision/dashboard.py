"""The per-department dashboard: a handful of grouped queries whatever the number of departments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yancheng.cases.models import Case, CaseKind
from yancheng.cases.models import Status as CaseStatus
from yancheng.core.models import Organisation, Region
from yancheng.lib.charts import Axis, Series, bar_chart

from ..models import (
    EntryMode,
    Inspection,
    InspectionAlert,
    InspectionDepartment,
    InspectionItem,
    InspectionKind,
)
from ..ratings import monthly_figures
from .params import link
from .periods import day_bounds
from .registrations import joint_exists

# A complaint case points at what it is about (written by the complaints service).
COMPLAINT_REF_INSPECTION = "inspection:"
COMPLAINT_REF_DEPARTMENT = "inspection_department:"
# Complaints that do not count: withdrawn by the enterprise, or merged into another.
UNCOUNTED_CASE_STATUSES = (CaseStatus.WITHDRAWN, CaseStatus.MERGED)



def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class DepartmentRow:
    """One department's figures for the period; every number has its list (``links``)."""

    department_id: int | None
    name: str
    enforcement: int = 0
    visits: int = 0
    joint: int = 0
    exempt: int = 0
    emergency: int = 0
    backfill: int = 0
    alerts: int = 0
    alerts_open: int = 0
    alerts_by_kind: dict[str, int] = field(default_factory=dict)
    cap_exceeded: int = 0
    unregistered: int = 0
    complaints: int = 0
    ratings: int | None = 0
    rating_sum: int = 0
    links: dict[str, str] = field(default_factory=dict)

    @property
    def inspections(self) -> int:
        return self.enforcement + self.visits

    @property
    def joint_rate(self) -> float | None:
        return _rate(self.joint, self.enforcement)

    @property
    def rating_average(self) -> float | None:
        return round(self.rating_sum / self.ratings, 2) if self.ratings else None

    alert_cells: list[tuple[str, str, int, str]] = field(default_factory=list)


@dataclass
class Dashboard:
    start: dt.date
    end: dt.date
    region: Region | None
    rows: list[DepartmentRow]
    totals: DepartmentRow
    alert_kinds: list[tuple[str, str]]
    ratings_available: bool

    def chart(self) -> dict[str, Any]:
        """What dashboard.js draws: 入企登记 (次) on the left axis and the joint rate (%) on
        the right one, never on one scale."""
        rows = [r for r in self.rows if r.department_id is not None]
        return {"charts": {"regions": bar_chart(
            [r.name for r in rows], [Axis(pgettext("chart axis unit", "次"), whole=True), Axis("%")],
            [Series(_("入企登记（次）"), [r.inspections for r in rows]),
             Series(_("联合检查率（%）"), [r.joint_rate for r in rows], axis=1)],
        )}}


def department_dashboard(*, start: dt.date, end: dt.date, region: Region | None = None) -> Dashboard:
    """Per department, for the days from `start` to `end` (both included) and optionally one
    region: registrations (enforcement / visits, by participating department — a joint
    inspection counts for each department once, and once in the totals), joint inspections
    and the joint rate (joint / all enforcement), exempt, emergency and back-filled ones,
    alerts (by kind, open), complaints (cases about one of its inspections or about the
    department), ratings (count, average; city-wide only: a rating names no enterprise, so
    no region) and cap exceedances. Eight queries whatever the number of departments."""
    low, high = day_bounds(start, end)
    region_id = region.pk if region is not None else None

    # 1. registrations per participating department
    links = InspectionDepartment.objects.filter(inspection__started_at__gte=low, inspection__started_at__lt=high)
    inspections = Inspection.objects.filter(started_at__gte=low, started_at__lt=high)
    if region_id is not None:
        links = links.filter(inspection__enterprise__region_id=region_id)
        inspections = inspections.filter(enterprise__region_id=region_id)
    enforcement = Q(inspection__kind=InspectionKind.ENFORCEMENT)
    per_department = (
        links.annotate(is_joint=joint_exists("inspection_id", "department_id"))
        .values("department_id")
        .annotate(
            enforcement=Count("pk", filter=enforcement),
            visits=Count("pk", filter=Q(inspection__kind=InspectionKind.VISIT)),
            joint=Count("pk", filter=enforcement & Q(is_joint=True)),
            exempt=Count("pk", filter=Q(inspection__exemption_reason__isnull=False)),
            emergency=Count("pk", filter=Q(inspection__entry_mode=EntryMode.EMERGENCY)),
            backfill=Count("pk", filter=Q(inspection__entry_mode=EntryMode.BACKFILL)),
        )
        .order_by()
    )
    rows: dict[int | None, DepartmentRow] = {}

    def row(pk: int | None) -> DepartmentRow:
        if pk not in rows:
            rows[pk] = DepartmentRow(department_id=pk, name="")
        return rows[pk]

    for counted in per_department:
        r = row(counted["department_id"])
        for name in ("enforcement", "visits", "joint", "exempt", "emergency", "backfill"):
            setattr(r, name, counted[name])

    # 2. the same, each registration once
    whole = inspections.annotate(is_joint=joint_exists("pk", "department_id")).aggregate(
        enforcement=Count("pk", filter=Q(kind=InspectionKind.ENFORCEMENT)),
        visits=Count("pk", filter=Q(kind=InspectionKind.VISIT)),
        joint=Count("pk", filter=Q(kind=InspectionKind.ENFORCEMENT, is_joint=True)),
        exempt=Count("pk", filter=Q(exemption_reason__isnull=False)),
        emergency=Count("pk", filter=Q(entry_mode=EntryMode.EMERGENCY)),
        backfill=Count("pk", filter=Q(entry_mode=EntryMode.BACKFILL)),
    )
    totals = DepartmentRow(department_id=None, name=_("合计"))
    for name, value in whole.items():
        setattr(totals, name, value or 0)

    # 3. alerts, by the department concerned (or the lead of the registration that raised it)
    alerts = InspectionAlert.objects.filter(created_at__gte=low, created_at__lt=high)
    if region_id is not None:
        alerts = alerts.filter(enterprise__region_id=region_id)
    grouped_alerts = (
        alerts.annotate(concerned=Coalesce("department_id", "inspection__department_id"))
        .values("concerned", "kind")
        .annotate(n=Count("pk"), open=Count("pk", filter=Q(status=InspectionAlert.Status.OPEN)))
        .order_by()
    )
    kinds_seen: set[str] = set()
    for group in grouped_alerts:
        kind, n = str(group["kind"]), int(group["n"])
        kinds_seen.add(kind)
        for target in (row(group["concerned"]), totals):
            target.alerts += n
            target.alerts_open += int(group["open"])
            target.alerts_by_kind[kind] = target.alerts_by_kind.get(kind, 0) + n
            if kind == InspectionAlert.Kind.CAP_EXCEEDED:
                target.cap_exceeded += n
            if kind == InspectionAlert.Kind.UNREGISTERED:
                target.unregistered += n

    # 4–5. complaints: cases about one of the department's inspections, or about the department
    complaint_refs = (
        complaint_cases(low, high, region_id).values("subject_ref").annotate(n=Count("pk")).order_by()
    )
    by_inspection: dict[int, int] = {}
    for referred in complaint_refs:
        ref, n = str(referred["subject_ref"]), int(referred["n"])
        totals.complaints += n
        if ref.startswith(COMPLAINT_REF_INSPECTION) and ref[len(COMPLAINT_REF_INSPECTION):].isdigit():
            by_inspection[int(ref[len(COMPLAINT_REF_INSPECTION):])] = n
        elif ref.startswith(COMPLAINT_REF_DEPARTMENT) and ref[len(COMPLAINT_REF_DEPARTMENT):].isdigit():
            row(int(ref[len(COMPLAINT_REF_DEPARTMENT):])).complaints += n
        else:  # a complaint about inspections in general (e.g. reported as a problem): no department
            row(None).complaints += n
    if by_inspection:
        for inspection_id, department_id in InspectionDepartment.objects.filter(
            inspection_id__in=list(by_inspection)
        ).values_list("inspection_id", "department_id"):
            row(department_id).complaints += by_inspection[inspection_id]

    # 6. ratings, over the whole ended months of the period and only the department-months
    #    with at least five (ratings.monthly_figures): a day's or a short period's figures
    #    would date a rating, and a month below five could be differenced out of a longer period
    #    (a department without a figure shows none, not 0: "fewer than five" and "none" look alike)
    ratings_available = region_id is None
    figures = monthly_figures(start, end) if ratings_available else {}
    totals.ratings = None
    for department_id, (n, total) in figures.items():
        r = row(department_id)
        r.ratings, r.rating_sum = n, total
        totals.ratings = (totals.ratings or 0) + n
        totals.rating_sum += total

    # 7. the departments: those above, and every department with a published item
    named = {pk for pk in rows if pk is not None}
    departments = list(
        Organisation.objects.filter(
            Q(pk__in=named)
            | Q(kind=Organisation.Kind.DEPARTMENT, pk__in=InspectionItem.objects.filter(
                published_at__isnull=False, withdrawn_at__isnull=True).values("department_id"))
        ).order_by("path", "name").values_list("pk", "name")
    )
    ordered = []
    for pk, name in departments:
        r = row(pk)
        r.name = name
        if pk not in figures:
            r.ratings = None
        ordered.append(r)
    if None in rows:  # alerts or complaints that name no department and no registration
        orphan = rows[None]
        orphan.name = _("未指明部门")
        orphan.ratings = None
        ordered.append(orphan)

    period_params = {"start": start.isoformat(), "end": end.isoformat(), "region": region.code if region else ""}
    for r in [*ordered, totals]:
        r.links = _row_links(r.department_id, period_params)
    kinds = [(k, str(label)) for k, label in InspectionAlert.Kind.choices if k in kinds_seen]
    for r in [*ordered, totals]:
        r.alert_cells = [(k, label, r.alerts_by_kind.get(k, 0), r.links[f"alerts_{k}"]) for k, label in kinds]
    return Dashboard(start=start, end=end, region=region, rows=ordered, totals=totals, alert_kinds=kinds,
                     ratings_available=ratings_available)


def complaint_cases(low: dt.datetime, high: dt.datetime, region_id: int | None = None) -> QuerySet[Case]:
    """Complaints about inspections filed in [low, high) (withdrawn and merged ones left out)."""
    qs = Case.objects.filter(kind=CaseKind.INSPECTION_COMPLAINT, created_at__gte=low, created_at__lt=high).exclude(
        status__in=UNCOUNTED_CASE_STATUSES
    )
    return qs if region_id is None else qs.filter(region_id=region_id)


def _row_links(department_id: int | None, period: dict[str, str]) -> dict[str, str]:
    base = {**period, "department": department_id or ""}
    registrations = "inspections:inspection_supervision_registrations"
    links = {
        "enforcement": link(registrations, **base, kind=InspectionKind.ENFORCEMENT),
        "visits": link(registrations, **base, kind=InspectionKind.VISIT),
        "inspections": link(registrations, **base),
        "joint": link(registrations, **base, kind=InspectionKind.ENFORCEMENT, joint=1),
        "exempt": link(registrations, **base, exempt=1),
        "emergency": link(registrations, **base, entry_mode=EntryMode.EMERGENCY),
        "backfill": link(registrations, **base, entry_mode=EntryMode.BACKFILL),
        "alerts": link("inspections:inspection_alerts", **base),
        "alerts_open": link("inspections:inspection_alerts", **base, status=InspectionAlert.Status.OPEN),
        "cap_exceeded": link("inspections:inspection_alerts", **base, kind=InspectionAlert.Kind.CAP_EXCEEDED),
        "unregistered": link("inspections:inspection_alerts", **base, kind=InspectionAlert.Kind.UNREGISTERED),
        "complaints": link("inspections:inspection_supervision_complaints", **base),
    }
    # The ratings list is the enterprise side's page for supervisors (its own parameters). It
    # shows single ratings of ended months only, so a period in the running month has no
    # list to open yet (the figure is then shown without a link).
    if period["start"][:7] < timezone.localdate().strftime("%Y-%m"):
        links["ratings"] = link("inspections:inspection_ratings", department=department_id or "",
                                month=period["start"][:7])
    else:
        links["ratings"] = ""
    for kind in InspectionAlert.Kind.values:
        links[f"alerts_{kind}"] = link("inspections:inspection_alerts", **base, kind=kind)
    return links
