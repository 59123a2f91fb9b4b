"""Route policies of the hazard pages (see test_route_matrix.py).

The matrix hazard: a 重大事故隐患 of enterprise B (石鼓区), reported and accepted by the city's
应急管理局 and under 挂牌督办. Its department's safety staff, enterprise B, the city's 安委办 and
the city's leader see it; those who may read hazards but not this one get 404; roles without
hazards get 403. The public form needs no login."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from tests.test_permission_matrix import PERSONAS, Policy

SAFETY = {"anweiban", "anweiban_qidong", "safety_emergency", "safety_emergency2", "safety_qidong", "safety_fire",
          "grid_park"}
READERS = {"enterprise_a_user", "enterprise_b_user", "inspector", "leader"} | SAFETY
REPORTERS = {"enterprise_a_user", "enterprise_b_user", "inspector"} | SAFETY
SEES = {"enterprise_b_user", "leader", "anweiban", "safety_emergency", "safety_emergency2"}
EVERYONE = set(PERSONAS) | SAFETY


def build(sw: Any) -> None:
    from yancheng.safety.models import HazardLevel
    from yancheng.safety.services.hazards import hazard_accept, hazard_complete_report, hazard_report

    with transaction.atomic():
        hazard = hazard_report(
            actor=sw.safety_emergency, system=sw.industry, level=HazardLevel.MAJOR, title="粉尘爆炸危险场所未设泄爆装置",
            description="除尘系统未设泄爆", enterprise=sw.enterprise_b, item=sw.items["GM-03"],
        )
        hazard_complete_report(
            hazard, actor=sw.safety_emergency, situation_cause="改造遗漏", harm_difficulty="可能爆炸，需停产",
            plan_measures="加装泄爆片", plan_owner="张三", plan_funds="8", plan_contingency="停产警戒",
            plan_deadline=timezone.localdate() + dt.timedelta(days=30),
        )
        sw.matrix_hazard = hazard_accept(hazard, actor=sw.safety_emergency)


def _hazard(sw: Any) -> dict[str, Any]:
    return {"pk": sw.matrix_hazard.pk}


POLICIES: dict[str, Policy] = {
    "safety:hazard_list": Policy(READERS),
    "safety:hazard_report": Policy(REPORTERS),
    "safety:hazard_public_report": Policy(EVERYONE, anonymous="public"),
    "safety:hazard_detail": Policy(SEES, kwargs=_hazard, invisible=READERS - SEES),
    "safety:hazard_notice": Policy(SEES, kwargs=_hazard, invisible=READERS - SEES),
    # POST only: every GET is refused with 405 before anything is looked up.
    "safety:hazard_act": Policy(set(), denied=405, kwargs=lambda sw: {"pk": sw.matrix_hazard.pk, "action": "accept"}),
}
API_ROUTES: set[str] = {"api:hazards_list", "api:hazards_report", "api:hazards_detail", "api:hazards_action",
                        "api:hazards_notice"}
API_PATHS: dict[str, str] = {
    "api:hazards_list": "/api/v1/safety/hazards",
    "api:hazards_report": "/api/v1/safety/hazards",
    "api:hazards_detail": "/api/v1/safety/hazards/1",
    "api:hazards_action": "/api/v1/safety/hazards/1/actions/accept",
    "api:hazards_notice": "/api/v1/safety/hazards/1/notice",
}
