"""Route policies of the registry family (see test_route_matrix.py): the landing for whoever
reads a chain, the chain's pages for the readers of 有色金属 (404 for everyone else, 403 for
enterprise staff), its edit pages for its own office only."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import PERSONAS, Policy
from yancheng.testing.chains import CHAIN_PERSONAS

# Read 有色金属: the city's chain offices, the city's leaders (the 链长 among them), the
# supervisor, and the backing 发改委's handler.
READERS = {"lianban", "lianban_dz", "chain_leader", "chain_leader_dz", "leader", "supervisor", "handler_ndrc"}
ENTERPRISES = {"enterprise_a_user", "enterprise_b_user"}
# Not a reader of 有色金属 and not an enterprise: the chain does not exist for them.
NOT_READERS = (set(PERSONAS) | set(CHAIN_PERSONAS)) - READERS - ENTERPRISES
OFFICE = {"lianban"}


def build(cw: Any) -> None:
    """The first version of 有色金属's development path."""
    from yancheng.chains.services.registry import path_add

    path_add(cw.nonferrous, actor=None, text="做强铜铅锌冶炼，延伸精深加工。")


def _chain(cw: Any) -> dict[str, Any]:
    return {"code": cw.nonferrous.code}


POLICIES: dict[str, Policy] = {
    # An enterprise user has its own page (chains:mine), not the landing.
    "chains:home": Policy(READERS),
    "chains:chain": Policy(READERS, kwargs=_chain, invisible=NOT_READERS),
    "chains:path_versions": Policy(READERS, kwargs=_chain, invisible=NOT_READERS),
    "chains:path_version": Policy(READERS, kwargs=lambda cw: {"code": cw.nonferrous.code, "number": 1},
                                  invisible=NOT_READERS),
    "chains:enterprises": Policy(READERS, kwargs=_chain, invisible=NOT_READERS),
    "chains:profile_edit": Policy(OFFICE, kwargs=_chain, invisible=NOT_READERS),
    "chains:path_add": Policy(OFFICE, kwargs=_chain, invisible=NOT_READERS),
}
API_PATHS: dict[str, str] = {
    "api:chains_list": "/api/v1/chains/",
    "api:chains_detail": "/api/v1/chains/nonferrous",
    "api:chains_patch": "/api/v1/chains/nonferrous",
    "api:chains_paths": "/api/v1/chains/nonferrous/paths",
    "api:chains_path_add": "/api/v1/chains/nonferrous/paths",
    "api:chains_enterprises": "/api/v1/chains/nonferrous/enterprises",
}
API_ROUTES: set[str] = set(API_PATHS)
