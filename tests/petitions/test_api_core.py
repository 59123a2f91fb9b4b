"""The petitions API's read side, registration and classification: masked petitioners, the
查询码 answered once, 404 for what the caller may not see (the organ complained about
included), If-Match on steps, and the same messages as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from yancheng.api.testing import api_client_for
from yancheng.petitions.models import Petition
from yancheng.testing.petitions import ID_NUMBERS, register

pytestmark = pytest.mark.django_db
URL = "/api/v1/petitions"


def body(**overrides):
    data = {
        "channel": "visit",
        "received_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "region": "430407",
        "topic": "labour_social_security",
        "title": "工资拖欠",
        "request": "请求督促支付拖欠的工资。",
        "petitioners": [{"name": "孙八", "id_number": ID_NUMBERS[2], "phone": "13807340002"}],
        "petition_type": "claim",
        "claim_route": "petition",
    }
    data.update(overrides)
    return data


def test_register_answers_the_code_once_and_masks_people(pw):
    client = api_client_for(pw.xinfang)
    response = client.post(URL, body())
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert len(answer["query_code"]) >= 12
    assert answer["petitioners"][0]["name"] != "孙八"
    assert ID_NUMBERS[2] not in response.content.decode()
    assert "13807340002" not in response.content.decode()
    detail = client.get(f"{URL}/{answer['id']}")
    assert detail.status_code == 200
    assert "query_code" not in detail.json()
    assert answer["query_code"] not in detail.content.decode()
    assert detail["ETag"] == f'"{answer["version"]}"'


def test_a_bad_id_number_answers_422_in_chinese_and_keeps_nothing(pw):
    response = api_client_for(pw.xinfang).post(
        URL, body(petitioners=[{"name": "孙八", "id_number": ID_NUMBERS[2][:-1] + "1"}])
    )
    assert response.status_code == 422
    assert "身份证号码有误" in response.json()["error"]["message"]
    assert not Petition.objects.exists()


def test_only_petition_staff_register(pw):
    response = api_client_for(pw.handler_housing).post(URL, body())
    assert response.status_code == 403
    assert not Petition.objects.exists()


def test_an_accusation_is_404_to_the_organ_complained_about(pw):
    accusation = register(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing).petition
    Petition.objects.filter(pk=accusation.pk).update(handling_org=pw.housing)
    for user in (pw.handler_housing, pw.head_housing, pw.supervisor_housing):
        client = api_client_for(user)
        assert client.get(f"{URL}/{accusation.pk}").status_code == 404
        listed = client.get(URL).json()
        assert accusation.number not in str(listed)
    assert api_client_for(pw.xinfang).get(f"{URL}/{accusation.pk}").status_code == 200


def test_classify_needs_if_match_and_refuses_a_stale_version(pw):
    petition = register(pw, petition_type="", claim_route="").petition
    client = api_client_for(pw.xinfang)
    path = f"{URL}/{petition.pk}/classify"
    assert client.post(path, {"petition_type": "suggestion"}).status_code == 428
    assert client.post(path, {"petition_type": "suggestion"}, headers={"If-Match": '"99"'}).status_code == 412
    ok = client.post(path, {"petition_type": "suggestion"}, headers={"If-Match": f'"{petition.version}"'})
    assert ok.status_code == 200 and ok.json()["petition_type"] == "suggestion"
    refused = api_client_for(pw.handler_housing).post(path, {"petition_type": "claim"},
                                                       headers={"If-Match": f'"{ok.json()["version"]}"'})
    assert refused.status_code == 404  # the handler does not see an untransferred matter


def test_the_list_filters_and_pages(pw):
    register(pw)
    register(pw, channel="phone", petitioners=[], petition_type="accusation", claim_route="")
    client = api_client_for(pw.xinfang)
    everything = client.get(URL).json()
    assert everything["count"] == 2
    phones = client.get(URL, {"channel": "phone"}).json()
    assert [item["channel"] for item in phones["items"]] == ["phone"]
