"""Route policies of the map pages (see test_route_matrix.py).

有色金属's map: its office (``lianban``), the other chain office of the city (``lianban_dz``,
which reads every chain), its 链长, the city's leader and supervisor, and the backing 发改委's
handler read it; only ``lianban`` edits (403 for the other readers). Enterprises get 403 (never a
chain's pages); everyone else 404: the chain is not theirs to know (the county office, other
departments, the administrators)."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import PERSONAS, Policy
from yancheng.testing.chains import CHAIN_PERSONAS

READERS = {"lianban", "lianban_dz", "chain_leader", "chain_leader_dz", "handler_ndrc", "leader", "supervisor"}
EVERYONE = set(PERSONAS) | set(CHAIN_PERSONAS)
OFFICE = {"lianban"}
ENTERPRISES = {"enterprise_a_user", "enterprise_b_user"}  # never the chain pages: 403
HIDDEN = EVERYONE - READERS - ENTERPRISES


def build(cw: Any) -> None:
    """The map of the chain world is enough."""


def _chain(cw: Any) -> dict[str, Any]:
    return {"code": cw.nonferrous.code}


def _node(cw: Any) -> dict[str, Any]:
    return {"code": cw.nonferrous.code, "node_code": "processing"}


POLICIES: dict[str, Policy] = {
    "chains:map": Policy(READERS, kwargs=_chain, invisible=HIDDEN),
    "chains:map_export": Policy(READERS, kwargs=_chain, invisible=HIDDEN),
    "chains:node": Policy(READERS, kwargs=_node, invisible=HIDDEN),
    "chains:node_panel": Policy(READERS, kwargs=_node, invisible=HIDDEN),
    "chains:map_import": Policy(OFFICE, kwargs=_chain, invisible=HIDDEN),
    "chains:node_add": Policy(OFFICE, kwargs=_chain, invisible=HIDDEN),
    "chains:link_add": Policy(OFFICE, kwargs=_chain, invisible=HIDDEN),
    # POST only: every GET is refused with 405 before anything is looked up.
    "chains:map_import_confirm": Policy(set(), denied=405, kwargs=_chain),
    "chains:link_remove": Policy(set(), denied=405, kwargs=lambda cw: {"code": cw.nonferrous.code, "pk": 1}),
}
API_ROUTES: set[str] = {
    "api:chain_nodes_list", "api:chain_nodes_create", "api:chain_nodes_detail", "api:chain_nodes_patch",
    "api:chain_nodes_override", "api:chain_links_create", "api:chain_links_delete", "api:chain_placements_list",
    "api:chain_placements_create", "api:chain_placements_patch", "api:chain_placements_delete",
}
API_PATHS: dict[str, str] = {
    "api:chain_nodes_list": "/api/v1/chains/nonferrous/nodes",
    "api:chain_nodes_create": "/api/v1/chains/nonferrous/nodes",
    "api:chain_nodes_detail": "/api/v1/chains/nonferrous/nodes/processing",
    "api:chain_nodes_patch": "/api/v1/chains/nonferrous/nodes/processing",
    "api:chain_nodes_override": "/api/v1/chains/nonferrous/nodes/processing/override",
    "api:chain_links_create": "/api/v1/chains/nonferrous/links",
    "api:chain_links_delete": "/api/v1/chains/nonferrous/links/1",
    "api:chain_placements_list": "/api/v1/chains/nonferrous/placements",
    "api:chain_placements_create": "/api/v1/chains/nonferrous/placements",
    "api:chain_placements_patch": "/api/v1/chains/nonferrous/placements/1",
    "api:chain_placements_delete": "/api/v1/chains/nonferrous/placements/1",
}
