"""Route policies of the research pages (see test_route_matrix.py).

The matrix result: 高性能电解铜箔制备技术 on the 有色金属 chain, with its matches (enterprise B
on its node, 对接中 owned by the 发改委). Readers of 有色金属 open its list and page; only its
own office (``lianban``) adds, edits and imports; enterprise users read no chain page (403,
as on the registry's and the map's pages: the module is not theirs) but have their own page
(``chains:mine``), which staff are refused (403); whoever reads no chain at all gets 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tests.test_permission_matrix import PERSONAS, Policy
from yancheng.testing.chains import CHAIN_PERSONAS

EVERYONE = set(PERSONAS) | set(CHAIN_PERSONAS)
ENTERPRISES = {"enterprise_a_user", "enterprise_b_user"}
READERS = {"lianban", "lianban_dz", "chain_leader", "chain_leader_dz", "leader", "supervisor", "handler_ndrc"}
OFFICE = {"lianban"}


def build(cw: Any) -> None:
    from tests.chains.research_world import build_research
    from yancheng.chains.models import ResearchMatch
    from yancheng.chains.services.research import match_start_docking, match_suggest

    with transaction.atomic():
        build_research(cw)
        match_suggest(cw.copper_foil, actor=None)
        match = ResearchMatch.objects.get(result=cw.copper_foil, enterprise=cw.world.enterprise_b)
        cw.research_match = match_start_docking(match, actor=None, owner_org=cw.world.city_ndrc,
                                                due_on=dt.date.today() + dt.timedelta(days=30))


def _chain(cw: Any) -> dict[str, Any]:
    return {"code": "nonferrous"}


def _result(cw: Any) -> dict[str, Any]:
    return {"code": "nonferrous", "pk": cw.copper_foil.pk}


POLICIES: dict[str, Policy] = {
    "chains:mine": Policy(ENTERPRISES),
    "chains:research": Policy(READERS, kwargs=_chain),
    "chains:research_result": Policy(READERS, kwargs=_result),
    "chains:research_add": Policy(OFFICE, kwargs=_chain),
    "chains:research_edit": Policy(OFFICE, kwargs=_result),
    "chains:research_import": Policy(OFFICE, kwargs=_chain),
    "chains:research_import_template": Policy(OFFICE, kwargs=_chain),
    # POST only: every GET is refused with 405 before anything is looked up.
    "chains:research_import_confirm": Policy(set(), denied=405, kwargs=_chain),
    "chains:research_act": Policy(set(), denied=405, kwargs=lambda cw: {**_result(cw), "action": "suggest"}),
    "chains:research_match_act": Policy(set(), denied=405, kwargs=lambda cw: {
        **_result(cw), "match_id": cw.research_match.pk, "action": "close"}),
}
API_ROUTES: set[str] = {
    "api:chains_research_list", "api:chains_research_create", "api:chains_research_detail",
    "api:chains_research_patch", "api:chains_research_suggest", "api:chains_research_matches",
    "api:chains_research_match_add", "api:chains_research_match_step", "api:chains_mine",
}
API_PATHS: dict[str, str] = {
    "api:chains_research_list": "/api/v1/chains/nonferrous/research",
    "api:chains_research_create": "/api/v1/chains/nonferrous/research",
    "api:chains_research_detail": "/api/v1/chains/nonferrous/research/1",
    "api:chains_research_patch": "/api/v1/chains/nonferrous/research/1",
    "api:chains_research_suggest": "/api/v1/chains/nonferrous/research/1/suggest",
    "api:chains_research_matches": "/api/v1/chains/nonferrous/research/1/matches",
    "api:chains_research_match_add": "/api/v1/chains/nonferrous/research/1/matches",
    "api:chains_research_match_step": "/api/v1/chains/research-matches/1/dock",
    "api:chains_mine": "/api/v1/chains/mine",
}
