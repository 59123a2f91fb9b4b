"""Route policies of the enterprise side of 企业赋码保护 (see tests/inspections/test_route_matrix.py),
and `make_visit`, the small helper the enterprise-side tests use to have a registered visit.

The registration service (`registration.py`) is written and tested elsewhere; these tests
need only the rows it leaves behind, so `make_visit` creates them with the ORM."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from tests.test_permission_matrix import Policy
from yancheng.core.models import Enterprise, Organisation
from yancheng.inspections.models import (
    Inspection,
    InspectionDepartment,
    InspectionInspector,
    InspectionItem,
    InspectionItemChecked,
    InspectionKind,
)

_numbers = itertools.count(1)


def make_visit(
    iw: Any,
    *,
    enterprise: Enterprise | None = None,
    departments: list[Organisation] | None = None,
    inspectors: tuple[str, ...] = ("inspector", "inspector2"),
    items: list[InspectionItem] | None = None,
    started_at: dt.datetime | None = None,
    finished: bool = True,
    kind: str = InspectionKind.ENFORCEMENT,
) -> Inspection:
    """A registered visit as the registration service would leave it (lead department first)."""
    world = iw.world
    enterprise = enterprise or world.enterprise_a
    departments = departments or [world.market_regulation]
    started_at = started_at or timezone.now() - dt.timedelta(hours=3)
    visit = Inspection.objects.create(
        number=f"JC-T-{next(_numbers):06d}", enterprise=enterprise, department=departments[0], kind=kind,
        legal_basis="《中华人民共和国食品安全法》第一百一十条", outside_plan_reason="complaint",
        started_at=started_at, ended_at=started_at + dt.timedelta(hours=1) if finished else None,
        status=Inspection.Status.FINISHED if finished else Inspection.Status.IN_PROGRESS,
        outcome=Inspection.Outcome.NO_ISSUE if finished else "", result="未发现问题。" if finished else "",
        grade_at_registration=enterprise.grade, registered_by=getattr(world, inspectors[0]),
        registered_at=started_at,
    )
    for department in departments:
        InspectionDepartment.objects.create(inspection=visit, department=department)
    for name in inspectors:
        licence = iw.licences[name]
        InspectionInspector.objects.create(
            inspection=visit, licence=licence, full_name=licence.full_name, certificate_no=licence.certificate_no
        )
    for item in items if items is not None else [iw.food]:
        InspectionItemChecked.objects.create(inspection=visit, item=item)
    return visit


DEPARTMENT_STAFF = {"inspector", "inspector2", "clerk_market", "inspector_emergency", "handler_other"}
ENTERPRISES = {"enterprise_a_user", "enterprise_b_user"}


def _visit(iw: Any) -> dict[str, Any]:
    return {"pk": iw.enterprise_visit.pk}


POLICIES: dict[str, Any] = {
    "inspections:inspection_enterprise_home": Policy(ENTERPRISES),
    "inspections:inspection_code_poster": Policy(ENTERPRISES, kwargs=lambda iw: {"fmt": "svg"}),
    "inspections:inspection_code_reissue": Policy(ENTERPRISES),  # GET: the confirmation form
    "inspections:inspection_visit": Policy({"enterprise_a_user"}, kwargs=_visit, invisible={"enterprise_b_user"}),
    "inspections:inspection_rating": Policy(ENTERPRISES),  # GET: the visits still to rate
    "inspections:inspection_complain": Policy(set(), denied=405, kwargs=_visit),  # POST only
    "inspections:inspection_report_unregistered": Policy(ENTERPRISES),
    # 祁东县发改局 is a department too: its handler sees its own (empty) aggregates.
    "inspections:inspection_department_ratings": Policy(DEPARTMENT_STAFF),
    "inspections:inspection_ratings": Policy({"supervisor"}),
}
# Named API routes of this side, and a concrete path for those that take parameters.
API_ROUTES: set[str] = {
    "api:inspections_enterprise_code",
    "api:inspections_enterprise_code_reissue",
    "api:inspections_enterprise_visits",
    "api:inspections_enterprise_visit",
    "api:inspections_enterprise_rating",
    "api:inspections_enterprise_visit_complaint",
    "api:inspections_unregistered_reports",
    "api:inspections_department_ratings",
    "api:inspections_ratings",
}
API_PATHS: dict[str, str] = {
    "api:inspections_enterprise_visit": "/api/v1/inspections/visits/1",
    "api:inspections_enterprise_visit_complaint": "/api/v1/inspections/visits/1/complaint",
}


def build(iw: Any) -> None:
    """Add the objects this side's routes point at to the matrix world (`iw`): a finished
    visit of enterprise A by the market bureau."""
    iw.enterprise_visit = make_visit(iw)
