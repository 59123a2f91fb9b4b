"""Petition endpoints under /api/v1/petitions (registered on the API by ``yancheng.api.main``).
The loop of SPEC §8 for 信访局 systems and the organs' own: list and detail (through
``Petition.objects.visible_to``: a matter the caller may not see answers 404, a 检举控告 is
never answered to the organ complained about), registration (the 查询码 is in the answer
once, never again), classification, and one action endpoint per step of the matter page's
action table. Petitioners are masked; revealing is its own audited POST.

Creating writes take an ``Idempotency-Key`` (installed for every POST by the API's guards);
steps that change a matter take ``If-Match: "<version>"`` (428 without, 412 when stale).

This module assembles the router from one module per concern: ``api_matters`` (list,
registration, detail, classification), ``api_actions`` (the action table's steps),
``api_steps`` (the steps outside it) over ``api_common`` (schemas and the matter's answer).
"""

from ninja import Router

from . import api_actions, api_matters, api_steps
from .api_actions import PetitionActionName, action_body_schema, form_data

router = Router(tags=["petitions"])
router.add_router("", api_matters.router)
router.add_router("", api_actions.router)
router.add_router("", api_steps.router)

__all__ = ["PetitionActionName", "action_body_schema", "form_data", "router"]
