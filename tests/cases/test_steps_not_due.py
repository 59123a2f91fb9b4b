"""Steps with nothing to act on are refused by the service, not only left off the page: the
extension decision without a pending request, the 回访 answer before it is due. Through the
service, the page's POST and the API, each with a Chinese message and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from yancheng.cases import services as svc
from yancheng.cases.models import Case, CaseEvent, ExtensionRequest
from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError

from .conftest import TUESDAY


def written(case: Case) -> tuple:
    """What a refused step must leave as it was."""
    case.refresh_from_db()
    return (case.status, case.version, case.solve_days, case.revisit_answered_at, CaseEvent.objects.filter(case=case).count(),
            ExtensionRequest.objects.filter(case=case).exclude(status=ExtensionRequest.Decision.PENDING).count(),
            AuditEvent.objects.count())


# --- 审核延期申请 without a pending request -------------------------------------------------------


def test_the_service_refuses_an_extension_decision_when_none_is_pending(world, accepted):
    before = written(accepted)
    with pytest.raises(ConflictError) as refused:
        svc.case_decide_extension(accepted, actor=world.dispatcher, approve=True)
    assert refused.value.code == "no_pending_extension"
    assert "没有待审核的延期申请" in str(refused.value.message)
    assert written(accepted) == before


def test_a_decided_request_cannot_be_decided_twice(world, accepted):
    svc.case_request_extension(accepted, actor=world.handler_power, working_days=3, reason="线路走廊手续未办完")
    svc.case_decide_extension(accepted, actor=world.dispatcher, approve=True)
    before = written(accepted)
    with pytest.raises(ConflictError):
        svc.case_decide_extension(accepted, actor=world.dispatcher, approve=False, note="改主意了")
    assert written(accepted) == before
    assert ExtensionRequest.objects.get(case=accepted).status == ExtensionRequest.Decision.APPROVED


def test_the_page_refuses_a_posted_extension_decision_when_none_is_pending(client, world, accepted):
    client.force_login(world.dispatcher)
    before = written(accepted)
    url = reverse("cases:case_act", args=[accepted.pk, "decide_extension"])
    response = client.post(url, {"decide_extension-version": accepted.version, "decide_extension-approve": "1"},
                           follow=True)
    assert response.status_code == 200
    assert "没有待审核的延期申请" in response.content.decode()
    assert written(accepted) == before


def test_the_api_refuses_an_extension_decision_when_none_is_pending(world, as_user, accepted):
    api = as_user("dispatcher")
    before = written(accepted)
    response = api.post(f"/api/v1/cases/{accepted.pk}/actions/decide_extension", {"approve": True},
                        headers={"If-Match": f'"{accepted.version}"'})
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "no_pending_extension" and "没有待审核的延期申请" in error["message"]
    assert written(accepted) == before


# --- 回访 before it is due ----------------------------------------------------------------------------


@pytest.fixture
def rated(world, accepted):
    """Closed and rated 满意 on the Tuesday at 10:00; the revisit is due seven days later."""
    with time_machine.travel(TUESDAY, tick=False):
        svc.case_resolve(accepted, actor=world.handler_power, resolution="已接入")
        svc.case_rate(accepted, actor=world.enterprise_a_user, satisfaction="satisfied")
    accepted.refresh_from_db()
    assert accepted.revisit_due_at == TUESDAY + dt.timedelta(days=7)
    return accepted


def test_the_service_refuses_a_revisit_answer_before_it_is_due(world, rated):
    before = written(rated)
    with time_machine.travel(TUESDAY + dt.timedelta(days=6, hours=23), tick=False), \
            pytest.raises(ConflictError) as refused:
        svc.case_revisit(rated, actor=world.enterprise_a_user, solved=True)
    assert refused.value.code == "revisit_not_due"
    assert str(refused.value.message) == "还没到回访时间：评价 7 天后回访，2026-03-17 10:00 起可以回答。"
    assert written(rated) == before
    with time_machine.travel(TUESDAY + dt.timedelta(days=7, minutes=1), tick=False):
        svc.case_revisit(rated, actor=world.enterprise_a_user, solved=True)
    rated.refresh_from_db()
    assert rated.revisit_answered_at is not None


def test_once_the_question_went_out_it_can_be_answered(world, rated):
    # The escalation job sends the question when it is due and stamps revisit_asked_at.
    Case.objects.filter(pk=rated.pk).update(revisit_asked_at=TUESDAY + dt.timedelta(days=7))
    with time_machine.travel(TUESDAY + dt.timedelta(days=9), tick=False):
        svc.case_revisit(rated, actor=world.enterprise_a_user, solved=False, note="又断电了")
    rated.refresh_from_db()
    # Reopened: the next rating starts a new revisit delay, the old question is forgotten.
    assert rated.status == "accepted" and rated.revisit_asked_at is None and rated.revisit_due_at is None


def test_the_page_refuses_a_posted_revisit_before_it_is_due(client, world, rated):
    client.force_login(world.enterprise_a_user)
    before = written(rated)
    with time_machine.travel(TUESDAY + dt.timedelta(days=1), tick=False):
        response = client.post(reverse("cases:case_act", args=[rated.pk, "revisit"]),
                               {"revisit-version": rated.version, "revisit-solved": "1"}, follow=True)
    assert response.status_code == 200
    assert "还没到回访时间" in response.content.decode()
    assert written(rated) == before


def test_the_api_refuses_a_revisit_before_it_is_due(world, as_user, rated):
    api = as_user("enterprise_a")
    before = written(rated)
    with time_machine.travel(TUESDAY + dt.timedelta(days=1), tick=False):
        response = api.post(f"/api/v1/cases/{rated.pk}/actions/revisit", {"solved": True},
                            headers={"If-Match": f'"{rated.version}"'})
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "revisit_not_due" and "还没到回访时间" in error["message"]
    assert written(rated) == before
