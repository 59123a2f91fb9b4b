"""The petitioner's rating (满意 / 基本满意 / 不满意, for the handling and for the result):
once, after an answer was served; the audit record names nobody and keeps no address."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.notifications.models import Notification
from yancheng.petitions.documents import document_issue, document_serve
from yancheng.petitions.models import Petition, Stage
from yancheng.petitions.public import petition_rate
from yancheng.testing.petitions import register

from .test_public_query import QUERY, open_matter, transfer

RATE = "/petitions/query/rate/"


def answered(pw, *, serve=True, stage=Stage.ANSWERED):
    got = register(pw)
    petition = transfer(pw, got.petition, pw.housing)
    opinion = document_issue(petition, "opinion", actor=pw.handler_housing, issuer=pw.housing, body="经调查……")
    if serve:
        document_serve(opinion, actor=pw.handler_housing, served_on=timezone.localdate(), how="in_person")
    Petition.objects.filter(pk=petition.pk).update(stage=stage)
    petition.refresh_from_db()
    return petition, got.query_code


def test_rating_once_after_the_answer_was_served(pw):
    petition, _code = answered(pw)
    petition_rate(petition, handling="satisfied", result="basically", comment="办事认真")
    petition.refresh_from_db()
    assert (petition.rating_handling, petition.rating_result, petition.rating_comment) == (
        "satisfied", "basically", "办事认真")
    assert petition.rated_at is not None
    with pytest.raises(ConflictError) as refused:
        petition_rate(petition, handling="dissatisfied", result="dissatisfied")
    assert refused.value.code == "already_rated"
    petition.refresh_from_db()
    assert petition.rating_handling == "satisfied"


def test_the_audit_record_names_nobody_and_keeps_no_comment(client, pw):
    petition, code = answered(pw)
    open_matter(client, code)
    response = client.post(RATE, {"handling": "satisfied", "result": "satisfied", "comment": "张三很满意"},
                           REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="petition.rate").get()
    assert event.actor_id is None and event.actor_repr == "" and event.ip == "" and event.request_id == ""
    assert "张三" not in str(event.after) and event.after["handling"] == "satisfied"
    assert event.object_repr == petition.number


@pytest.mark.parametrize("stage", [Stage.TRANSFERRED, Stage.ACCEPTED, Stage.REVIEWING])
def test_no_rating_before_an_answer(pw, stage):
    petition, _code = answered(pw, stage=stage)
    with pytest.raises(ConflictError) as refused:
        petition_rate(petition, handling="satisfied", result="satisfied")
    assert refused.value.code == "not_answered"


def test_no_rating_while_the_opinion_is_unserved(pw):
    petition, _code = answered(pw, serve=False)
    with pytest.raises(ConflictError):
        petition_rate(petition, handling="satisfied", result="satisfied")


def test_a_rating_must_name_both_answers(pw):
    petition, _code = answered(pw)
    with pytest.raises(ValidationFailed):
        petition_rate(petition, handling="", result="satisfied")
    with pytest.raises(ValidationFailed):
        petition_rate(petition, handling="satisfied", result="great")
    with pytest.raises(ValidationFailed):
        petition_rate(petition, handling="satisfied", result="satisfied", comment="好" * 501)


def test_dissatisfaction_tells_the_registering_office_by_number_only(pw):
    petition, _code = answered(pw)
    petition_rate(petition, handling="dissatisfied", result="basically", comment="张三：拖了太久")
    told = Notification.objects.filter(verb="petitions.rated_dissatisfied")
    assert set(told.values_list("recipient__username", flat=True)) == {"xinfang"}
    note = told.get()
    assert petition.number in note.title and "张三" not in note.title + note.body


def test_the_page_rates_through_the_session_only(client, pw):
    from django.test import Client

    petition, code = answered(pw)
    # without the matter in the session there is nothing to rate
    assert Client().post(RATE, {"handling": "satisfied", "result": "satisfied"}).status_code == 404
    open_matter(client, code)
    page = client.get(QUERY).content.decode()
    assert 'action="/petitions/query/rate/"' in page
    bad = client.post(RATE, {"handling": "satisfied"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    assert Petition.objects.get(pk=petition.pk).rated_at is None
    assert client.post(RATE, {"handling": "basically", "result": "dissatisfied"}).status_code == 302
    page = client.get(QUERY).content.decode()
    assert "感谢您的评价" in page and "基本满意" in page and 'action="/petitions/query/rate/"' not in page
    again = client.post(RATE, {"handling": "satisfied", "result": "satisfied"})
    assert again.status_code == 400 and "只能评价一次" in again.content.decode()
    petition.refresh_from_db()
    assert petition.rating_result == "dissatisfied"


def test_leaving_forgets_the_matter(client, pw):
    petition, code = answered(pw)
    open_matter(client, code)
    assert client.post(reverse("petitions:query_leave")).status_code == 302
    page = client.get(QUERY).content.decode()
    assert petition.number not in page and "已退出查询" in page
    assert client.post(RATE, {"handling": "satisfied", "result": "satisfied"}).status_code == 404
