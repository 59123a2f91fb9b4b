"""Route policies of the department side of 企业赋码保护 (see tests/inspections/test_route_matrix.py).

Department staff are the handlers and inspectors of a department: the market bureau's
inspector, inspector2 and clerk, the emergency bureau's inspector — and handler_other, a
handler of 祁东县发改局 (a department too, with an empty registry). A plan is seen by its
own department only: the others' staff get 404. Enterprise users have the announcements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.test_permission_matrix import Policy

DEPARTMENT_STAFF = {"inspector", "inspector2", "clerk_market", "inspector_emergency", "handler_other"}
MARKET_STAFF = {"inspector", "inspector2", "clerk_market"}
ENTERPRISES = {"enterprise_a_user", "enterprise_b_user"}


def _plan(iw: Any) -> dict[str, Any]:
    return {"pk": iw.matrix_plan.pk}


POLICIES: dict[str, Any] = {
    "inspections:inspection_department_home": Policy(DEPARTMENT_STAFF),
    "inspections:inspection_registry": Policy(DEPARTMENT_STAFF),
    "inspections:inspection_registry_status": Policy(set(), denied=405, kwargs=lambda iw: {"pk": iw.licences["inspector"].pk}),
    "inspections:inspection_items": Policy(DEPARTMENT_STAFF),
    "inspections:inspection_item_publish": Policy(set(), denied=405, kwargs=lambda iw: {"pk": iw.unpublished.pk}),
    "inspections:inspection_item_withdraw": Policy(set(), denied=405, kwargs=lambda iw: {"pk": iw.food.pk}),
    "inspections:inspection_plans": Policy(DEPARTMENT_STAFF),
    "inspections:inspection_plan_detail": Policy(MARKET_STAFF, kwargs=_plan, invisible=DEPARTMENT_STAFF - MARKET_STAFF),
    "inspections:inspection_plan_file": Policy(set(), denied=405, kwargs=_plan),
    "inspections:inspection_plan_entry_remove": Policy(
        set(), denied=405, kwargs=lambda iw: {"pk": iw.matrix_plan.pk, "entry_pk": iw.matrix_entry.pk}
    ),
    "inspections:inspection_joint_proposals": Policy(DEPARTMENT_STAFF),
    "inspections:inspection_joint_answer": Policy(set(), denied=405, kwargs=lambda iw: {"pk": iw.matrix_proposal.pk}),
    "inspections:inspection_department_registrations": Policy(DEPARTMENT_STAFF),
    "inspections:inspection_announcements": Policy(ENTERPRISES),
    "inspections:inspection_slot_pick": Policy(set(), denied=405, kwargs=lambda iw: {"entry_pk": iw.matrix_entry.pk}),
    "inspections:inspection_slot_remove": Policy(set(), denied=405, kwargs=lambda iw: {"pk": iw.matrix_slot.pk}),
}
# Named API routes of this side, and a concrete path for those that take parameters.
API_ROUTES: set[str] = {
    "api:inspections_items", "api:inspections_plans", "api:inspections_plan_create", "api:inspections_plan_detail",
    "api:inspections_plan_entries", "api:inspections_plan_file", "api:inspections_joint_proposals",
    "api:inspections_joint_answer", "api:inspections_announcements", "api:inspections_slot_pick",
    "api:inspections_slot_remove",
}
API_PATHS: dict[str, str] = {
    "api:inspections_plan_detail": "/api/v1/inspections/plans/1",
    "api:inspections_plan_entries": "/api/v1/inspections/plans/1/entries",
    "api:inspections_plan_file": "/api/v1/inspections/plans/1/file",
    "api:inspections_joint_answer": "/api/v1/inspections/joint-proposals/1/answer",
    "api:inspections_slot_pick": "/api/v1/inspections/announcements/1/slots",
    "api:inspections_slot_remove": "/api/v1/inspections/announcements/slots/1",
}


def build(iw: Any) -> None:
    """Next month's plans of the market and emergency bureaus, both filed, naming enterprise
    A in overlapping windows (so a joint proposal exists), and a slot enterprise A picked."""
    from django.utils import timezone

    from yancheng.core.calendar import is_working_day
    from yancheng.inspections.planning import access as plan_access
    from yancheng.inspections.planning import plans as plan_services
    from yancheng.inspections.planning import slots as slot_services

    w = iw.world
    today = timezone.localdate()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    market = plan_services.plan_get_or_create(department=w.market_regulation, year=year, month=month,
                                         actor=w.clerk_market)
    entry = plan_services.plan_entry_add(market, actor=w.clerk_market, item=iw.food, enterprise=w.enterprise_a,
                                    month=month)
    plan_services.plan_file(market, actor=w.clerk_market)
    emergency = plan_services.plan_get_or_create(department=w.emergency_bureau, year=year, month=month, actor=None)
    plan_services.plan_entry_add(emergency, actor=None, item=iw.chemicals, enterprise=w.enterprise_a, month=month)
    plan_services.plan_file(emergency, actor=None)
    day = entry.window_start
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    iw.matrix_plan = market
    iw.matrix_entry = entry
    iw.matrix_proposal = plan_access.proposals_visible_to(w.clerk_market).get()
    iw.matrix_slot = slot_services.slot_pick(entry, actor=w.enterprise_a_user, day=day, period="am")
