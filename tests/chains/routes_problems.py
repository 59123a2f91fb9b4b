"""Route policies of the 在建重大项目清单 and 重点问题清单 (see test_route_matrix.py).

有色金属 is read by the city's chain offices, the city's leaders (its 链长 among them), the
citywide supervisor and the backing 发改委's handler; everyone else gets 404 (the chain is not
revealed). Only its own office (``lianban``) raises a chain-level problem; other readers 403."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import PERSONAS, Policy
from yancheng.testing.chains import CHAIN_PERSONAS

ALL_PERSONAS = [*PERSONAS, *CHAIN_PERSONAS]

READERS = {"lianban", "lianban_dz", "chain_leader", "chain_leader_dz", "leader", "supervisor", "handler_ndrc"}
OFFICE = {"lianban"}


def build(cw: Any) -> None:
    from tests.chains.problems_world import build_problems

    build_problems(cw)


def _chain(cw: Any) -> dict[str, Any]:
    return {"code": "nonferrous"}


def _everyone_else(allowed: set[str]) -> set[str]:
    return set(ALL_PERSONAS) - READERS - allowed


POLICIES: dict[str, Policy] = {
    "chains:projects": Policy(READERS, kwargs=_chain, invisible=_everyone_else(READERS)),
    "chains:problems": Policy(READERS, kwargs=_chain, invisible=_everyone_else(READERS)),
    "chains:problem_raise": Policy(OFFICE, kwargs=_chain, invisible=_everyone_else(OFFICE)),
}
API_ROUTES: set[str] = {"api:chain_problems_list", "api:chain_problem_raise", "api:chain_projects_list"}
API_PATHS: dict[str, str] = {
    "api:chain_problems_list": "/api/v1/chains/nonferrous/problems",
    "api:chain_problem_raise": "/api/v1/chains/nonferrous/problems",
    "api:chain_projects_list": "/api/v1/chains/nonferrous/projects",
}
