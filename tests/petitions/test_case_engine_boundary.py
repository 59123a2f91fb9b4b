"""A petition's handling case runs on the engine but is worked only on the matter's page: the
generic case page sends the reader there, the generic steps (page and API) are refused, and
the generic inbox and its to-dos leave it out — a step taken there would skip the notices."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yancheng.api.testing import api_client_for
from yancheng.cases.models import Case, Status
from yancheng.core.workbench import todos_for
from yancheng.petitions.handling import petition_transfer
from yancheng.testing.petitions import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def transferred(pw):
    petition = register(pw).petition
    petition_transfer(petition, actor=pw.xinfang, organ=pw.housing, mode="forward")
    petition.refresh_from_db()
    return petition


def test_the_case_page_sends_the_organ_to_the_matter(client, pw, transferred):
    client.force_login(pw.handler_housing)
    response = client.get(reverse("cases:case_detail", args=[transferred.case_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:petition_detail", args=[transferred.pk])


def test_the_generic_steps_are_refused_on_the_page_and_the_api(client, pw, transferred):
    case = transferred.case
    client.force_login(pw.handler_housing)
    client.post(reverse("cases:case_act", args=[case.pk, "accept"]), {"accept-version": case.version})
    response = api_client_for(pw.handler_housing).post(
        f"/api/v1/cases/{case.pk}/actions/accept", {"note": ""}, headers={"If-Match": f'"{case.version}"'}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "worked_elsewhere"
    assert Case.objects.get(pk=case.pk).status == Status.ASSIGNED  # neither path accepted it


def test_the_generic_inbox_and_its_to_dos_leave_it_out(client, pw, transferred):
    client.force_login(pw.handler_housing)
    page = client.get(reverse("cases:case_inbox"))
    assert transferred.case.number not in page.content.decode()
    listed = api_client_for(pw.handler_housing).get("/api/v1/cases").json()
    assert listed["count"] == 0
    keys = {item.key: item for item in todos_for(pw.handler_housing)}
    assert all(item.count in (None, 0) for key, item in keys.items() if key.startswith("cases."))
    assert keys["petitions.to_notify"].count == 1  # it waits on the petitions side
