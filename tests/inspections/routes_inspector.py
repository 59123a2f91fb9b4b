"""Route policies of the inspector side of 企业赋码保护 (see tests/inspections/test_route_matrix.py).

Licensed inspectors (of any department) find enterprises and register; a registration's
staff page is for its departments' staff and the supervisors — everyone else, enterprise
users included (they have /inspections/visits/<pk>/), gets 404; its result is recorded by
the inspectors of its departments only."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import PERSONAS, Policy

ALL = {*PERSONAS, "inspector2", "clerk_market", "inspector_emergency"}
INSPECTORS = {"inspector", "inspector2", "inspector_emergency"}
# Enterprise A is in 祁东's park: these personas do not see it at all.
A_INVISIBLE = {"enterprise_b_user", "security_admin", "audit_admin"}
# The matrix registration is the market bureau's: its staff and the (citywide) supervisor see it.
REGISTRATION_SEEN = {"inspector", "inspector2", "clerk_market", "supervisor"}


def _token(iw: Any) -> dict[str, Any]:
    from yancheng.inspections.services import active_code

    code = active_code(iw.world.enterprise_a)  # another side's build may have re-issued it
    assert code is not None
    return {"token": code.token}


POLICIES: dict[str, Any] = {
    "inspections:inspection_scan": Policy(INSPECTORS, kwargs=_token),
    "inspections:inspection_home": Policy(INSPECTORS),
    "inspections:inspection_find": Policy(INSPECTORS),
    "inspections:inspection_register": Policy(
        INSPECTORS, invisible=A_INVISIBLE, kwargs=lambda iw: {"pk": iw.world.enterprise_a.pk}
    ),
    "inspections:inspection_detail": Policy(
        REGISTRATION_SEEN, invisible=ALL - REGISTRATION_SEEN, kwargs=lambda iw: {"pk": iw.matrix_inspection.pk}
    ),
    "inspections:inspection_finish": Policy(
        {"inspector", "inspector2"}, invisible=ALL - REGISTRATION_SEEN, kwargs=lambda iw: {"pk": iw.matrix_inspection.pk}
    ),
}
# Named API routes of this side, and a concrete path for those that take parameters.
API_ROUTES: set[str] = {
    "api:inspections_lookup",
    "api:inspections_registration_create",
    "api:inspections_registration_list",
    "api:inspections_registration_detail",
    "api:inspections_registration_finish",
}
API_PATHS: dict[str, str] = {
    "api:inspections_registration_detail": "/api/v1/inspections/registrations/1",
    "api:inspections_registration_finish": "/api/v1/inspections/registrations/1/finish",
}


def build(iw: Any) -> None:
    """The matrix registration: the market bureau's exempt (complaint) inspection of
    enterprise A, still in progress — exempt so that no other side's rules (quiet periods,
    grade A, caps) can refuse it."""
    from yancheng.inspections.registration.register import inspection_register
    from yancheng.testing.world import CERTIFICATES

    iw.matrix_inspection = inspection_register(
        actor=iw.world.inspector, enterprise=iw.world.enterprise_a, found_by="uscc", kind="enforcement",
        items=[iw.food], inspectors=[CERTIFICATES["inspector"], CERTIFICATES["inspector2"]],
        outside_plan_reason="complaint", exemption_reason=iw.complaint_reason, exemption_evidence="12345工单 矩阵",
    )
