"""Route policies of the statistics and the monthly 通报 (see test_route_matrix.py).

The figures are for the 安委办, the departments' safety staff and inspectors (their own
hazards), grid persons and leaders; the 通报 is issued by a 安委办 and read by leaders."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import Policy

STATISTICS = {"anweiban", "anweiban_qidong", "safety_emergency", "safety_emergency2", "safety_qidong", "safety_fire",
              "grid_park", "inspector", "leader"}


def build(sw: Any) -> None:
    """The figures need no object of their own."""


POLICIES: dict[str, Policy] = {
    "safety:statistics": Policy(STATISTICS),
}
API_ROUTES: set[str] = set()
API_PATHS: dict[str, str] = {}
