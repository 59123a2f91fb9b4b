"""Route policies of the 链长's pages (see test_route_matrix.py): the overview of the chains the
user reads (the landing's readers; anyone who reads no chain gets 403) and the chain's monthly
report (the chain's readers; everyone else 404, as every chain page)."""

from __future__ import annotations

from typing import Any

from tests.chains.routes_registry import NOT_READERS, READERS
from tests.test_permission_matrix import Policy


def build(cw: Any) -> None:
    """The overview and the report read what the other families built."""


POLICIES: dict[str, Policy] = {
    "chains:overview": Policy(READERS),
    "chains:report": Policy(READERS, kwargs=lambda cw: {"code": "nonferrous"}, invisible=NOT_READERS),
}
API_ROUTES: set[str] = set()
API_PATHS: dict[str, str] = {}
