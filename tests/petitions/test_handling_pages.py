"""The handling steps on a matter's page: offered to the user who may take them, POSTed
with the page's version, refused (403/404) to the others, a refusal re-showing the form."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from yancheng.petitions import handling
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import DocumentKind, Petition, Stage, TransferMode
from yancheng.testing.petitions import register

pytestmark = pytest.mark.django_db


def act(client, user, petition, action, **data):
    client.force_login(user)
    posted = {f"{action}-{k}": v for k, v in data.items()}
    posted[f"{action}-version"] = str(Petition.objects.get(pk=petition.pk).version)
    return client.post(reverse("petitions:petition_act", args=[petition.pk, action]), posted)


def detail(client, user, petition):
    client.force_login(user)
    return client.get(reverse("petitions:petition_detail", args=[petition.pk]))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_matter_from_transfer_to_answer_through_the_page(client, pw, language):
    petition = register(pw).petition
    client.cookies["django_language"] = language
    with translation.override(language):
        page = detail(client, pw.xinfang, petition)
        assert page.status_code == 200 and b'data-action="transfer"' in page.content
        response = act(client, pw.xinfang, petition, "transfer", organ=pw.housing.pk, mode=TransferMode.ASSIGN,
                       report_days="60", instruction="请依法处理")
        assert response.status_code == 302
        petition.refresh_from_db()
        assert petition.stage == Stage.TRANSFERRED and petition.handling_org == pw.housing
        page = detail(client, pw.handler_housing, petition)
        assert b'data-action="accept"' in page.content and b'data-clock="accept"' in page.content
        assert act(client, pw.handler_housing, petition, "accept").status_code == 302
        refused = act(client, pw.handler_housing, petition, "answer", outcome="support", reasons="理由")
        assert refused.status_code == 422  # the facts and the legal basis are missing
        assert any(a["action"] == "answer" and a["form"].errors for a in refused.context["handling_actions"])
        response = act(client, pw.handler_housing, petition, "answer", outcome="support", facts="事实",
                       reasons="理由", legal_basis="依据", result_text="修复电梯")
        assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.stage == Stage.ANSWERED
    assert petition.documents.filter(kind=DocumentKind.OPINION).exists()


def test_steps_are_refused_to_those_who_may_not_take_them(client, pw):
    petition = register(pw).petition
    # A handler of an organ that does not see the matter: 404, and nothing changes.
    assert act(client, pw.handler_hrss, petition, "transfer", organ=pw.hrss.pk, mode="forward").status_code == 404
    # A supervisor who sees it may not transfer it.
    assert act(client, pw.supervisor_housing, petition, "transfer", organ=pw.hrss.pk,
               mode="forward").status_code in (403, 404)
    handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.housing, mode=TransferMode.FORWARD)
    assert act(client, pw.xinfang, petition, "accept").status_code == 403
    assert act(client, pw.head_housing, petition, "accept").status_code == 403
    assert act(client, pw.handler_housing_office, petition, "accept").status_code == 404
    petition.refresh_from_db()
    assert petition.stage == Stage.TRANSFERRED
    page = detail(client, pw.head_housing, petition)
    assert b'data-action="accept"' not in page.content


def test_a_stale_page_is_refused(client, pw):
    petition = register(pw).petition
    client.force_login(pw.xinfang)
    response = client.post(reverse("petitions:petition_act", args=[petition.pk, "transfer"]),
                           {"transfer-organ": pw.housing.pk, "transfer-mode": "forward",
                            "transfer-version": str(petition.version + 5)})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.stage == Stage.REGISTERED


def test_the_accusation_respondent_is_refused_on_the_page(client, pw):
    petition = register(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing,
                        petitioners=[PetitionerInput("匿名")], title="住建局某科长收受好处费").petition
    response = act(client, pw.xinfang, petition, "transfer", organ=pw.housing_office.pk, mode="forward")
    assert response.status_code == 422 and "第三十条".encode() in response.content
    assert act(client, pw.xinfang, petition, "transfer", organ=pw.discipline.pk, mode="forward").status_code == 302
    for user in (pw.handler_housing, pw.head_housing, pw.handler_housing_office, pw.supervisor_housing):
        assert detail(client, user, petition).status_code == 404
        assert act(client, user, petition, "accept").status_code == 404


def test_objection_and_its_decision_through_the_page(client, pw):
    petition = register(pw).petition
    handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.housing, mode=TransferMode.FORWARD)
    assert act(client, pw.handler_housing, petition, "object", reason="属于人社职责").status_code == 302
    assert act(client, pw.handler_housing, petition, "decide_objection", uphold="1", organ=pw.hrss.pk,
               note="成立").status_code == 403
    assert act(client, pw.xinfang, petition, "decide_objection", uphold="1", organ=pw.hrss.pk,
               note="成立").status_code == 302
    petition.refresh_from_db()
    assert petition.handling_org == pw.hrss
