"""Downloading a notice (a reveal of the 信访人's name: 信访部门 or the handling/issuing organ
only, audited, never the organ a 检举控告 is about) and serving it (a date between the day it
was made and today, once; serving an 意见书 starts the 30日 复查 window)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.petitions.documents import compose_body, document_issue, document_serve
from yancheng.petitions.models import DocumentKind, Petition, PetitionDocument, PetitionReview, Stage
from yancheng.testing.documents import check_official_document, download_name
from yancheng.testing.petitions import register

pytestmark = pytest.mark.django_db


def handled(pw, **overrides):
    petition = register(pw, **overrides).petition
    now = timezone.now()
    Petition.objects.filter(pk=petition.pk).update(handling_org=pw.housing, stage=Stage.ACCEPTED, transferred_at=now,
                                                   accepted_at=now)
    petition.refresh_from_db()
    return petition


def issue(petition, kind, issuer, actor=None):
    with transaction.atomic():
        return document_issue(petition, kind, actor=actor, issuer=issuer, body=compose_body(facts="经查属实。"))


def test_the_office_downloads_a_notice_with_its_chinese_name_and_an_audit_record(client, pw):
    document = issue(handled(pw), DocumentKind.ACCEPTANCE, pw.housing)
    client.force_login(pw.xinfang)
    response = client.get(reverse("petitions:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert download_name(response) == f"受理告知书-{document.number}.docx"
    reopened = check_official_document(response.content)
    assert "张三：" in [p.text for p in reopened.paragraphs]
    record = AuditEvent.objects.filter(action="petition.document_download").get()
    assert record.actor_id == pw.xinfang.pk and record.object_id == str(document.pk)
    assert "张三" not in str(record.after) and "张三" not in record.object_repr


@pytest.mark.parametrize("persona", ["handler_housing", "head_housing"])
def test_the_handling_organ_downloads(client, pw, persona):
    document = issue(handled(pw), DocumentKind.ACCEPTANCE, pw.housing)
    client.force_login(pw.users[persona])
    assert client.get(reverse("petitions:document_download", args=[document.pk])).status_code == 200


def test_a_supervisor_who_sees_the_matter_may_not_download_the_name(client, pw):
    document = issue(handled(pw), DocumentKind.ACCEPTANCE, pw.housing)
    client.force_login(pw.supervisor_housing)
    assert client.get(reverse("petitions:petition_detail", args=[document.petition_id])).status_code == 200
    assert client.get(reverse("petitions:document_download", args=[document.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action="petition.document_download").exists()
    assert AuditEvent.objects.filter(action="permission_denied", outcome="denied").exists()


def test_an_accusation_notice_never_reaches_the_organ_complained_about(client, pw):
    accusation = register(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing).petition
    Petition.objects.filter(pk=accusation.pk).update(handling_org=pw.discipline, stage=Stage.TRANSFERRED)
    forward = issue(accusation, DocumentKind.FORWARD, pw.city_bureau)
    for persona in ("handler_housing", "head_housing", "handler_housing_office", "supervisor_housing"):
        client.force_login(pw.users[persona])
        assert client.get(reverse("petitions:document_download", args=[forward.pk])).status_code == 404, persona
        response = client.post(reverse("petitions:document_serve", args=[forward.pk]),
                               {"served_on": timezone.localdate().isoformat(), "how": "post"})
        assert response.status_code == 404, persona
    client.force_login(pw.handler_discipline)
    assert client.get(reverse("petitions:document_download", args=[forward.pk])).status_code == 200


def test_another_organ_gets_404(client, pw):
    document = issue(handled(pw), DocumentKind.ACCEPTANCE, pw.housing)
    client.force_login(pw.handler_hrss)
    assert client.get(reverse("petitions:document_download", args=[document.pk])).status_code == 404


def test_serving_twice_in_the_future_or_before_the_notice_is_refused(pw):
    document = issue(handled(pw), DocumentKind.ACCEPTANCE, pw.housing)
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as future:
        document_serve(document, actor=pw.handler_housing, served_on=today + dt.timedelta(days=1), how="post")
    assert future.value.field == "served_on"
    with pytest.raises(ValidationFailed):
        document_serve(document, actor=pw.handler_housing, served_on=today - dt.timedelta(days=1), how="post")
    with pytest.raises(ValidationFailed):
        document_serve(document, actor=pw.handler_housing, served_on=today, how="pigeon")
    document_serve(document, actor=pw.handler_housing, served_on=today, how="post")
    with pytest.raises(ConflictError):
        document_serve(document, actor=pw.xinfang, served_on=today, how="in_person")
    document.refresh_from_db()
    assert document.served_how == "post" and timezone.localdate(document.served_at) == today


def test_only_the_office_or_the_handling_or_issuing_organ_serves(pw):
    document = issue(handled(pw), DocumentKind.ACCEPTANCE, pw.housing)
    for user in (pw.supervisor_housing, pw.head_housing, pw.handler_hrss):
        with pytest.raises(PermissionDeniedError):
            document_serve(document, actor=user, served_on=timezone.localdate(), how="post")
    assert PetitionDocument.objects.get(pk=document.pk).served_at is None


def test_serving_an_opinion_starts_the_review_window(pw):
    petition = handled(pw)
    acceptance = issue(petition, DocumentKind.ACCEPTANCE, pw.housing)
    document_serve(acceptance, actor=pw.handler_housing, served_on=timezone.localdate(), how="post")
    petition.refresh_from_db()
    assert petition.answered_at is None  # a notice is not the answer
    version = petition.version
    opinion = issue(petition, DocumentKind.OPINION, pw.housing)
    served = document_serve(opinion, actor=pw.handler_housing, served_on=timezone.localdate(), how="in_person")
    petition.refresh_from_db()
    assert petition.answered_at == served.served_at and petition.version == version + 1


def test_the_review_organ_serves_its_own_review_opinion(pw):
    petition = handled(pw)
    review = PetitionReview.objects.create(petition=petition, level="review", requested_on=timezone.localdate(),
                                           request="不服", organ=pw.hrss)
    with transaction.atomic():
        opinion = document_issue(petition, DocumentKind.REVIEW_OPINION, actor=None, issuer=pw.hrss, review=review)
    document_serve(opinion, actor=pw.handler_hrss, served_on=timezone.localdate(), how="online")
    petition.refresh_from_db()
    assert timezone.localdate(petition.answered_at) == timezone.localdate()


def test_the_matter_page_lists_documents_with_the_serve_form_and_shows_errors(client, pw):
    document = issue(handled(pw), DocumentKind.ACCEPTANCE, pw.housing)
    detail = reverse("petitions:petition_detail", args=[document.petition_id])
    serve = reverse("petitions:document_serve", args=[document.pk])
    client.force_login(pw.supervisor_housing)
    page = client.get(detail).content.decode()
    assert document.number in page and serve not in page
    assert reverse("petitions:document_download", args=[document.pk]) not in page

    client.force_login(pw.handler_housing)
    page = client.get(detail).content.decode()
    assert serve in page and reverse("petitions:document_download", args=[document.pk]) in page
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(serve, {"served_on": tomorrow, "how": "post"}, follow=True)
    assert "送达日期不能晚于今天" in response.content.decode()
    assert PetitionDocument.objects.get(pk=document.pk).served_at is None
    response = client.post(serve, {"served_on": timezone.localdate().isoformat(), "how": "post"}, follow=True)
    assert response.status_code == 200
    assert PetitionDocument.objects.get(pk=document.pk).served_how == "post"
    assert serve not in response.content.decode()  # served: no form any more


def test_serving_through_the_page_is_refused_to_a_supervisor(client, pw):
    document = issue(handled(pw), DocumentKind.ACCEPTANCE, pw.housing)
    client.force_login(pw.supervisor_housing)
    response = client.post(reverse("petitions:document_serve", args=[document.pk]),
                           {"served_on": timezone.localdate().isoformat(), "how": "post"})
    assert response.status_code == 403
    assert PetitionDocument.objects.get(pk=document.pk).served_at is None
