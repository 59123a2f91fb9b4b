"""The unit picker's server side: the units come grouped in <optgroup>s (usable without
JavaScript), and a unit outside the list is refused with a Chinese message, from the page and
from the API, leaving the case as it was."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from yancheng.cases.models import Case, CaseTask, Status
from yancheng.cases.services import case_submit


@pytest.fixture
def reported(world):
    return case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="专线尚未接入。")


def test_the_assign_form_offers_the_units_in_groups(client, world, reported):
    client.force_login(world.dispatcher)
    body = client.get(reverse("cases:case_detail", args=[reported.pk])).content.decode()
    select = re.search(r'<select name="assign-lead_org".*?</select>', body, re.S).group(0)
    assert re.findall(r'<optgroup label="([^"]+)">', select) == ["市直部门和机构", "公用事业单位", "县市区", "园区"]
    utilities = re.search(r'<optgroup label="公用事业单位">(.*?)</optgroup>', select, re.S).group(1)
    assert "国网衡阳供电公司" in utilities and "祁东" not in utilities
    assert 'data-picker="single"' in select and 'data-no-results="没有匹配的单位"' in select
    co = re.search(r'<select name="assign-co_orgs".*?</select>', body, re.S).group(0)
    assert "multiple" in co and 'data-picker="multiple"' in co and "<optgroup" in co
    assert 'type="checkbox" name="assign-co_orgs"' not in body
    assert world.enterprise_a.organisation.name not in select


@pytest.mark.parametrize("field", ["lead_org", "co_orgs"])
def test_the_page_refuses_a_unit_the_dispatcher_may_not_assign_to(client, world, reported, field):
    client.force_login(world.dispatcher)
    data = {"assign-version": reported.version, "assign-urgency": "normal",
            "assign-lead_org": world.power_company.pk}
    data[f"assign-{field}"] = world.enterprise_b.organisation_id  # an enterprise is no unit
    response = client.post(reverse("cases:case_act", args=[reported.pk, "assign"]), data)
    assert response.status_code == 422
    assert "请从列表中选择可承办的单位。" in response.content.decode()
    reported.refresh_from_db()
    assert reported.status == Status.SUBMITTED and reported.lead_org is None
    assert not CaseTask.objects.exists()


def test_the_api_refuses_a_unit_the_dispatcher_may_not_assign_to(world, as_user, reported):
    api = as_user("dispatcher")
    response = api.post(f"/api/v1/cases/{reported.pk}/actions/assign",
                        {"lead_org": world.power_company.pk, "co_orgs": [world.enterprise_b.organisation_id]},
                        headers={"If-Match": f'"{reported.version}"'})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["message"] == "承办单位不存在或不可选。"
    assert Case.objects.get(pk=reported.pk).status == Status.SUBMITTED and not CaseTask.objects.exists()
