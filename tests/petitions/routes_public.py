"""Route policies of the public query page (查询码; see test_route_matrix.py).

Nobody needs to sign in: every persona, and anonymous callers, get the code box. Without a
matter opened by its code in the session, a document link answers 404 to everyone; rating
and leaving are POST only."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import Policy

from .routes_core import EVERYONE_ELSE, PETITION_STAFF

EVERY_PERSONA = PETITION_STAFF | EVERYONE_ELSE


def build(pw: Any) -> None:
    """The query page needs no object of its own in the shared world."""


POLICIES: dict[str, Policy] = {
    "petitions:query": Policy(EVERY_PERSONA, anonymous="public"),
    "petitions:query_document": Policy(
        set(), denied=404, kwargs=lambda pw: {"ref": "0" * 32}, anonymous="public",
    ),
    "petitions:query_rate": Policy(set(), denied=405, anonymous="public"),  # POST only
    "petitions:query_leave": Policy(set(), denied=405, anonymous="public"),  # POST only
}
API_ROUTES: set[str] = set()
API_PATHS: dict[str, str] = {}
