"""Route policies of the 链长 meetings (see test_route_matrix.py).

The matrix meeting: 有色金属's, called by its 链长 with a decision. Readers of the chain see
its meetings; its 链长 and its office (``chains.hold_meeting``) call them, the other readers
get 403; everyone else 404. The steps are POST only (405 to a GET)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tests.chains.routes_problems import READERS
from tests.test_permission_matrix import PERSONAS, Policy
from yancheng.testing.chains import CHAIN_PERSONAS

ALL_PERSONAS = [*PERSONAS, *CHAIN_PERSONAS]

HOLDERS = {"lianban", "chain_leader"}


def build(cw: Any) -> None:
    from yancheng.chains.services import meetings as svc

    meeting = svc.meeting_create(cw.nonferrous, actor=None, title="有色金属链长办公会", held_on=timezone.localdate())
    svc.decision_add(meeting, actor=None, text="发改委协调用地", lead_org=cw.world.city_ndrc)
    cw.matrix_meeting = meeting


def _everyone_else() -> set[str]:
    return set(ALL_PERSONAS) - READERS


def _chain(cw: Any) -> dict[str, Any]:
    return {"code": "nonferrous"}


def _meeting(cw: Any) -> dict[str, Any]:
    return {"code": "nonferrous", "pk": cw.matrix_meeting.pk}


POLICIES: dict[str, Policy] = {
    "chains:meetings": Policy(READERS, kwargs=_chain, invisible=_everyone_else()),
    "chains:meeting_create": Policy(HOLDERS, kwargs=_chain, invisible=_everyone_else()),
    "chains:meeting": Policy(READERS, kwargs=_meeting, invisible=_everyone_else()),
    "chains:meeting_minutes": Policy(READERS, kwargs=_meeting, invisible=_everyone_else()),
    "chains:meeting_act": Policy(set(), denied=405,
                                 kwargs=lambda cw: {"code": "nonferrous", "pk": cw.matrix_meeting.pk, "action": "close"}),
}
API_ROUTES: set[str] = {"api:chain_meetings_list", "api:chain_meetings_create", "api:chain_meetings_detail",
                        "api:chain_meetings_agenda", "api:chain_meetings_decision", "api:chain_meetings_close"}
API_PATHS: dict[str, str] = {
    "api:chain_meetings_list": "/api/v1/chains/nonferrous/meetings",
    "api:chain_meetings_create": "/api/v1/chains/nonferrous/meetings",
    "api:chain_meetings_detail": "/api/v1/chains/nonferrous/meetings/1",
    "api:chain_meetings_agenda": "/api/v1/chains/nonferrous/meetings/1/agenda",
    "api:chain_meetings_decision": "/api/v1/chains/nonferrous/meetings/1/decisions",
    "api:chain_meetings_close": "/api/v1/chains/nonferrous/meetings/1/close",
}
