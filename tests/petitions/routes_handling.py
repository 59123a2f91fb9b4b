"""Route policies of the handling steps (see test_route_matrix.py): one POST-only route for
every step; GET answers 405 to everyone signed in. Who may POST which step is tested in
test_handling_pages.py, from the side of the users who must not."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import Policy


def build(pw: Any) -> None:
    """The matrix matter of routes_core is enough."""


POLICIES: dict[str, Policy] = {
    "petitions:petition_act": Policy(set(), denied=405, kwargs=lambda pw: {"pk": pw.matter.pk, "action": "accept"}),
}
API_ROUTES: set[str] = set()
API_PATHS: dict[str, str] = {}
