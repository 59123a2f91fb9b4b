"""Route policies of the supervisor side of 企业赋码保护 (see tests/inspections/test_route_matrix.py),
and the small builders the supervisor's tests share.

Registrations, alerts and ratings are made here directly with the ORM: the registration,
alert and rating services are tested on their own sides; the supervisor reads what they
leave behind."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from tests.test_permission_matrix import Policy
from yancheng.core.models import Enterprise, Organisation, Role
from yancheng.core.services import user_create
from yancheng.inspections.models import (
    Inspection,
    InspectionAlert,
    InspectionDepartment,
    QuietPeriod,
    Rating,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SUPERVISOR_ONLY = {"supervisor"}
_numbers = itertools.count(1)


def make_inspection(
    iw: Any,
    *,
    departments: list[Organisation],
    started_at: dt.datetime,
    enterprise: Enterprise | None = None,
    kind: str = "enforcement",
    entry_mode: str = "scanned",
    exempt: bool = False,
) -> Inspection:
    """A registration as the registration service leaves it (that service is tested
    elsewhere): the first department leads, all take part."""
    enterprise = enterprise or iw.world.enterprise_a
    inspection = Inspection.objects.create(
        number=f"SV{next(_numbers):08d}", enterprise=enterprise, department=departments[0], kind=kind,
        purpose="call" if kind == "visit" else "", entry_mode=entry_mode,
        entry_mode_reason="系统故障" if entry_mode != "scanned" else "", started_at=started_at,
        grade_at_registration=enterprise.grade, registered_by=iw.world.inspector, registered_at=started_at,
        exemption_reason=iw.complaint_reason if exempt else None,
        exemption_evidence="12345-0001" if exempt else "",
        counts_toward_caps=kind == "enforcement" and not exempt,
    )
    for department in departments:
        InspectionDepartment.objects.create(inspection=inspection, department=department)
    return inspection


def make_alert(
    iw: Any,
    kind: str,
    *,
    created_at: dt.datetime,
    enterprise: Enterprise | None = None,
    department: Organisation | None = None,
    inspection: Inspection | None = None,
    status: str = "open",
) -> InspectionAlert:
    """An alert as `alerts.alert_raise` leaves it (without its notification)."""
    return InspectionAlert.objects.create(
        kind=kind, enterprise=enterprise or (inspection.enterprise if inspection else iw.world.enterprise_a),
        department=department, inspection=inspection, message=f"{kind} 预警", created_at=created_at, status=status,
        count=3, limit=2 if kind.startswith("cap") else None,
    )


def make_rating(department: Organisation, score: int, rated_on: dt.date, kind: str = "enforcement") -> Rating:
    return Rating.objects.create(department=department, kind=kind, rated_on=rated_on, score=score,
                                 comment=f"评分{score}")


def county_supervisor(world: Any) -> Any:
    """A supervisor of 祁东县 (a county-level organisation): sees 祁东's enterprises only."""
    if "county_supervisor" not in world.users:
        world.users["county_supervisor"] = user_create(
            username="county_supervisor", password="Wq8#rTz4LmN2pv", role=Role.SUPERVISOR,
            organisation=world.qidong_gov, full_name="祁东督查员", must_change_password=False, actor=None,
        )
    return world.users["county_supervisor"]


def _alert(iw: Any) -> dict[str, Any]:
    return {"pk": iw.matrix_alert.pk}


def _reason(iw: Any) -> dict[str, Any]:
    return {"pk": iw.complaint_reason.pk}


def _quiet(iw: Any) -> dict[str, Any]:
    return {"pk": iw.matrix_quiet_period.pk}


POLICIES: dict[str, Any] = {
    "inspections:inspection_supervision_home": Policy(SUPERVISOR_ONLY),
    "inspections:inspection_supervision_registrations": Policy(SUPERVISOR_ONLY),
    "inspections:inspection_supervision_complaints": Policy(SUPERVISOR_ONLY),
    "inspections:inspection_alerts": Policy(SUPERVISOR_ONLY),
    "inspections:inspection_alert_handle": Policy(set(), denied=405, kwargs=_alert),  # POST only
    "inspections:inspection_rules": Policy(SUPERVISOR_ONLY),
    "inspections:inspection_caps": Policy(SUPERVISOR_ONLY),
    "inspections:inspection_exemptions": Policy(SUPERVISOR_ONLY),
    "inspections:inspection_exemption_toggle": Policy(set(), denied=405, kwargs=_reason),  # POST only
    "inspections:inspection_quiet_periods": Policy(SUPERVISOR_ONLY),
    "inspections:inspection_quiet_period_remove": Policy(set(), denied=405, kwargs=_quiet),  # POST only
    "inspections:inspection_report": Policy(SUPERVISOR_ONLY),
}
# Named API routes of this side, and a concrete path for those that take parameters.
API_ROUTES: set[str] = {
    "api:inspections_supervision_dashboard",
    "api:inspections_alerts",
    "api:inspections_alert_handle",
    "api:inspections_rules",
    "api:inspections_rules_patch",
    "api:inspections_caps",
    "api:inspections_caps_put",
    "api:inspections_quiet_periods",
    "api:inspections_quiet_periods_create",
}
API_PATHS: dict[str, str] = {"api:inspections_alert_handle": "/api/v1/inspections/alerts/1/handle"}


def build(iw: Any) -> None:
    """Add the objects this side's routes point at to the matrix world (`iw`)."""
    now = dt.datetime.now(tz=SHANGHAI)
    inspection = make_inspection(iw, departments=[iw.world.market_regulation], started_at=now)
    iw.matrix_alert = make_alert(iw, "cap_exceeded", created_at=now, inspection=inspection,
                                 department=iw.world.market_regulation)
    today = now.date()
    iw.matrix_quiet_period = QuietPeriod.objects.create(
        name="矩阵宁静期", starts_on=today + dt.timedelta(days=30), ends_on=today + dt.timedelta(days=40)
    )
