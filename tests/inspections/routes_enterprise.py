"""Route policies of the enterprise side of 企业赋码保护 (see tests/inspections/test_route_matrix.py)."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import Policy  # noqa: F401

POLICIES: dict[str, Any] = {}
# Named API routes of this side, and a concrete path for those that take parameters.
API_ROUTES: set[str] = set()
API_PATHS: dict[str, str] = {}


def build(iw: Any) -> None:
    """Add the objects this side's routes point at to the matrix world (`iw`)."""
