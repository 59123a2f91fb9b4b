"""Route policy of the module's landing page (see test_route_matrix.py): whoever may open
one of the safety pages — safety staff and 安委办, inspectors, leaders, the supervisor (the
registry), enterprises (their checks and hazards)."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import Policy

SAFETY_READERS = {"anweiban", "anweiban_qidong", "safety_emergency", "safety_emergency2", "safety_qidong",
                  "safety_fire", "grid_park", "inspector", "leader", "supervisor", "enterprise_a_user",
                  "enterprise_b_user"}


def build(sw: Any) -> None:
    """Nothing of its own."""


POLICIES: dict[str, Policy] = {
    "safety:home": Policy(SAFETY_READERS),
}
API_ROUTES: set[str] = set()
API_PATHS: dict[str, str] = {}
