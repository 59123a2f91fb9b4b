"""Route policies of the targets family (see test_route_matrix.py): a chain's targets list for
its readers (the city's chain offices, the 链长, the city's leader and supervisor, the backing
发改委), the forms for its own office (another office that reads it: 403; those who do not read
it: 404), the cross-chain missing list for anyone who reads chains, the import for an office
that runs a chain."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import PERSONAS, Policy

# Who reads 有色金属 (nonferrous): city-level chain offices, its 链长 and every city leader,
# the city's supervisor, and the handler of its backing unit.
READERS = {"lianban", "lianban_dz", "chain_leader", "chain_leader_dz", "leader", "supervisor", "handler_ndrc"}
# Who may open a chains page at all but does not read 有色金属: 404 (no existence leak).
NOT_READING = (set(PERSONAS) | {"lianban_qd"}) - READERS - {"enterprise_a_user", "enterprise_b_user"}
OFFICE = {"lianban"}
MISSING_READERS = READERS


def build(cw: Any) -> None:
    from tests.chains.targets_world import add_targets

    cw.targets = add_targets(cw)


def _chain(cw: Any) -> dict[str, Any]:
    return {"code": cw.nonferrous.code}


def _target(cw: Any) -> dict[str, Any]:
    return {"code": cw.nonferrous.code, "pk": cw.targets["tax"].pk}


POLICIES: dict[str, Policy] = {
    "chains:targets": Policy(READERS, kwargs=_chain, invisible=NOT_READING | {"enterprise_a_user", "enterprise_b_user"}),
    "chains:target_new": Policy(OFFICE, kwargs=_chain, invisible=NOT_READING | {"enterprise_a_user", "enterprise_b_user"}),
    "chains:target_edit": Policy(OFFICE, kwargs=_target,
                                 invisible=NOT_READING | {"enterprise_a_user", "enterprise_b_user"}),
    "chains:target_actuals": Policy(OFFICE, kwargs=_target,
                                    invisible=NOT_READING | {"enterprise_a_user", "enterprise_b_user"}),
    # POST only: a GET answers 405 to everyone signed in.
    "chains:target_remove": Policy(set(), denied=405, kwargs=_target),
    "chains:targets_missing": Policy(MISSING_READERS),
    "chains:targets_import": Policy({"lianban", "lianban_dz"}),
    "chains:targets_import_template": Policy({"lianban", "lianban_dz"}),
    "chains:targets_import_confirm": Policy(set(), denied=405),
}
API_PATHS: dict[str, str] = {
    "api:chain_targets_list": "/api/v1/chains/nonferrous/targets",
    "api:chain_targets_add": "/api/v1/chains/nonferrous/targets",
    "api:chain_targets_patch": "/api/v1/chains/nonferrous/targets/1",
    "api:chain_targets_remove": "/api/v1/chains/nonferrous/targets/1",
    "api:chain_targets_actual": "/api/v1/chains/nonferrous/targets/1/actuals/1",
}
API_ROUTES: set[str] = set(API_PATHS)
