"""Route policies of the leads pages (see test_route_matrix.py).

The matrix lead: a lead of 有色金属 owned by the city's 发改委 (``handler_ndrc``'s unit). Those
who read the chain see its pages; only its office (``lianban``) registers, imports and
converts; anyone who does not read the chain gets 404 (no existence leak)."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import PERSONAS, Policy
from yancheng.testing.chains import CHAIN_PERSONAS

READERS = {"supervisor", "leader", "lianban", "lianban_dz", "chain_leader", "chain_leader_dz", "handler_ndrc"}
EVERYONE = set(PERSONAS) | set(CHAIN_PERSONAS)
OUTSIDERS = EVERYONE - READERS
OFFICE = {"lianban"}


def build(cw: Any) -> None:
    from tests.chains.leads_world import make_lead

    cw.matrix_lead = make_lead(cw)


def _chain(cw: Any) -> dict[str, Any]:
    return {"code": cw.nonferrous.code}


def _lead(cw: Any) -> dict[str, Any]:
    return {"code": cw.nonferrous.code, "pk": cw.matrix_lead.pk}


POLICIES: dict[str, Policy] = {
    "chains:leads": Policy(READERS, kwargs=_chain, invisible=OUTSIDERS),
    "chains:gaps": Policy(READERS, kwargs=_chain, invisible=OUTSIDERS),
    "chains:lead": Policy(READERS, kwargs=_lead, invisible=OUTSIDERS),
    "chains:lead_add": Policy(OFFICE, kwargs=_chain, invisible=OUTSIDERS),
    "chains:leads_import": Policy(OFFICE, kwargs=_chain, invisible=OUTSIDERS),
    "chains:leads_import_template": Policy(OFFICE, kwargs=_chain, invisible=OUTSIDERS),
    "chains:lead_convert": Policy(OFFICE, kwargs=_lead, invisible=OUTSIDERS),
    "chains:my_leads": Policy(READERS),
    # POST only: every GET is refused with 405 before anything is looked up.
    "chains:leads_import_confirm": Policy(set(), denied=405, kwargs=_chain),
    "chains:lead_act": Policy(set(), denied=405, kwargs=lambda cw: {**_lead(cw), "action": "advance"}),
}
API_ROUTES: set[str] = {"api:chain_leads_list", "api:chain_leads_create", "api:chain_leads_detail",
                        "api:chain_leads_patch", "api:chain_leads_follow_up", "api:chain_leads_step",
                        "api:chain_leads_convert", "api:chain_gaps"}
API_PATHS: dict[str, str] = {
    "api:chain_leads_list": "/api/v1/chains/leads",
    "api:chain_leads_create": "/api/v1/chains/nonferrous/leads",
    "api:chain_leads_detail": "/api/v1/chains/leads/1",
    "api:chain_leads_patch": "/api/v1/chains/leads/1",
    "api:chain_leads_follow_up": "/api/v1/chains/leads/1/follow-ups",
    "api:chain_leads_step": "/api/v1/chains/leads/1/steps/advance",
    "api:chain_leads_convert": "/api/v1/chains/leads/1/convert",
    "api:chain_gaps": "/api/v1/chains/nonferrous/gaps",
}
