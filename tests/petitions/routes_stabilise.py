"""Route policies of 稳控, 重大紧急, 包案 and 领导接访日 (see test_route_matrix.py).

The matrix reception day is the 住建局 head's, scheduled by the city 信访局; the matrix
follow-up is a 回访 of an answered matter handled by the 住建局. The steps are POST only
(a GET answers 405 to everyone signed in)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.test_permission_matrix import Policy
from yancheng.petitions.models import FollowUp, LeaderReception, Petition
from yancheng.testing.petitions import register

from .routes_core import EVERYONE_ELSE, PETITION_STAFF

RECEPTION_ROLES = {"xinfang", "xinfang_qidong", "head_housing", "head_hrss", "supervisor_housing", "supervisor",
                   "leader"}
# Who sees the matrix reception: the city 信访局, its leader, the city-level supervisors.
RECEPTION_SEES = {"xinfang", "head_housing", "supervisor_housing", "supervisor"}
EVERYONE = PETITION_STAFF | EVERYONE_ELSE


def build(pw: Any) -> None:
    answered = register(pw).petition
    Petition.objects.filter(pk=answered.pk).update(handling_org=pw.housing, stage="answered")
    pw.follow_up = FollowUp.objects.create(petition=answered, kind="visit", org=pw.housing,
                                           due_on=timezone.localdate(), plan="回访")
    pw.reception = LeaderReception.objects.create(leader=pw.head_housing, org=pw.city_bureau,
                                                  day=timezone.localdate() + dt.timedelta(days=3), place="市信访接待中心")


def _matter(pw: Any) -> dict[str, Any]:
    return {"pk": pw.matter.pk}


POST_ONLY = {
    "petitions:petition_set_risk": _matter,
    "petitions:follow_up_plan": _matter,
    "petitions:petition_mark_urgent": _matter,
    "petitions:petition_take_personally": _matter,
    "petitions:petition_leader_change": _matter,
    "petitions:follow_up_done": lambda pw: {"pk": pw.follow_up.pk},
    "petitions:reception_record": lambda pw: {"pk": pw.reception.pk},
}

POLICIES: dict[str, Policy] = {
    "petitions:follow_up_list": Policy(PETITION_STAFF),
    "petitions:reception_list": Policy(RECEPTION_ROLES),
    "petitions:reception_new": Policy({"xinfang", "xinfang_qidong"}),
    "petitions:reception_detail": Policy(
        RECEPTION_SEES, kwargs=lambda pw: {"pk": pw.reception.pk}, invisible=EVERYONE - RECEPTION_SEES,
    ),
    **{name: Policy(set(), denied=405, kwargs=kwargs) for name, kwargs in POST_ONLY.items()},
}
API_ROUTES: set[str] = set()
API_PATHS: dict[str, str] = {}
