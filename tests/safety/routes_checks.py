"""Route policies of 常态化 (see test_route_matrix.py): the task list and its generation, the
check list, a check's page and the three recording pages.

The matrix check is enterprise A's self-check under 工贸: enterprise A's staff, the city's
安委办, 祁东's 安委办 (enterprise A is in 祁东县), the leader and the 祁东 park's grid person (A is
in the park) see it; the other safety staff and inspectors answer 404."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import Policy

OFFICES = {"anweiban", "anweiban_qidong"}
DEPARTMENT_SAFETY = {"safety_emergency", "safety_emergency2", "safety_qidong", "safety_fire", "grid_park"}
TASK_VIEWERS = {"inspector", "leader"} | OFFICES | DEPARTMENT_SAFETY
CHECK_VIEWERS = TASK_VIEWERS | {"enterprise_a_user", "enterprise_b_user"}
SEES_MATRIX_CHECK = {"enterprise_a_user", "leader", "grid_park"} | OFFICES


def build(sw: Any) -> None:
    from yancheng.safety.services.checks import CheckInput, ItemResult, safety_check_record_self

    items = [item for code, item in sw.items.items() if code.startswith("GM")]
    sw.matrix_check = safety_check_record_self(
        actor=sw.world.users["enterprise_a"],
        data=CheckInput(system=sw.industry, enterprise=sw.world.enterprise_a,
                        results=[ItemResult(item.pk, "pass") for item in items]),
    ).check


def _check(sw: Any) -> dict[str, Any]:
    return {"pk": sw.matrix_check.pk}


POLICIES: dict[str, Policy] = {
    "safety:check_task_list": Policy(TASK_VIEWERS),
    # POST only: a GET answers 405 to everyone signed in.
    "safety:check_task_generate": Policy(set(), denied=405),
    "safety:check_list": Policy(CHECK_VIEWERS),
    "safety:check_detail": Policy(SEES_MATRIX_CHECK, kwargs=_check, invisible=CHECK_VIEWERS - SEES_MATRIX_CHECK),
    "safety:check_record_department": Policy({"inspector"} | DEPARTMENT_SAFETY),
    "safety:check_record_self": Policy({"enterprise_a_user", "enterprise_b_user"}),
    "safety:check_record_grid": Policy({"grid_park"}),
}
API_ROUTES: set[str] = {
    "api:safety_tasks_list", "api:safety_tasks_generate", "api:safety_checks_list", "api:safety_check_detail",
    "api:safety_checks_create",
}
API_PATHS: dict[str, str] = {"api:safety_check_detail": "/api/v1/safety/checks/1"}
