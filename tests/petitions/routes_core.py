"""Route policies of the petitions list and a matter's page (see test_route_matrix.py).

The matrix matter is a 申诉求决 letter registered by the city 信访局 and transferred to the
住建局; the matrix accusation is a 检举控告 about the 住建局, handled by the 纪委监委."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import Policy
from yancheng.petitions.models import Petition
from yancheng.testing.petitions import register

PETITION_STAFF = {
    "xinfang", "xinfang_qidong", "handler_housing", "head_housing", "handler_housing_office", "handler_hrss",
    "head_hrss", "handler_discipline", "supervisor_housing", "supervisor", "leader", "handler_power", "handler_other",
}
EVERYONE_ELSE = {
    "enterprise_a_user", "enterprise_b_user", "dispatcher", "inspector",
    "system_admin", "security_admin", "audit_admin",
}
# Who sees the matrix matter: the city 信访局 (citywide), the handling organ and its head,
# citywide supervisors.
MATTER_SEES = {"xinfang", "handler_housing", "head_housing", "supervisor", "supervisor_housing"}
ACCUSATION_SEES = {"xinfang", "handler_discipline", "supervisor"}


def build(pw: Any) -> None:
    from yancheng.petitions.intake import PetitionerInput

    pw.matter = register(pw).petition
    Petition.objects.filter(pk=pw.matter.pk).update(handling_org=pw.housing, stage="transferred")
    pw.accusation = register(
        pw, petition_type="accusation", claim_route="", respondent_org=pw.housing,
        petitioners=[PetitionerInput("匿名举报人")], title="住建局某科长收受好处费",
    ).petition
    Petition.objects.filter(pk=pw.accusation.pk).update(handling_org=pw.discipline, stage="transferred")


POLICIES: dict[str, Policy] = {
    "petitions:petition_list": Policy(PETITION_STAFF),
    "petitions:petition_detail": Policy(
        MATTER_SEES, kwargs=lambda pw: {"pk": pw.matter.pk},
        invisible=(PETITION_STAFF | EVERYONE_ELSE) - MATTER_SEES,
    ),
}
API_ROUTES: set[str] = {"api:petitions_list", "api:petitions_register", "api:petitions_detail",
                         "api:petitions_classify", "api:petitions_action", "api:petitions_not_accept",
                         "api:petitions_refuse_again", "api:petitions_document", "api:petitions_document_serve",
                         "api:petitions_petitioner_reveal", "api:petitions_risk", "api:petitions_follow_up_plan",
                         "api:petitions_follow_up_done", "api:petitions_take"}
API_PATHS: dict[str, str] = {
    "api:petitions_detail": "/api/v1/petitions/1",
    "api:petitions_classify": "/api/v1/petitions/1/classify",
    "api:petitions_action": "/api/v1/petitions/1/actions/accept",
    "api:petitions_not_accept": "/api/v1/petitions/1/not-accept",
    "api:petitions_refuse_again": "/api/v1/petitions/1/refuse-again",
    "api:petitions_document": "/api/v1/petitions/1/documents/1",
    "api:petitions_document_serve": "/api/v1/petitions/1/documents/1/serve",
    "api:petitions_petitioner_reveal": "/api/v1/petitions/1/petitioners/1/reveal",
    "api:petitions_risk": "/api/v1/petitions/1/risk",
    "api:petitions_follow_up_plan": "/api/v1/petitions/1/follow-ups",
    "api:petitions_follow_up_done": "/api/v1/petitions/1/follow-ups/1/done",
    "api:petitions_take": "/api/v1/petitions/1/take",
}
