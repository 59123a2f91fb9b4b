"""The one action table (``cases/actions.py``) behind the case page's buttons and the API's
action endpoint: it covers the workflow, and both channels take a step the same way."""

from typing import get_args

import pytest

from yancheng.cases import api
from yancheng.cases.actions import CASE_ACTIONS, PAGE_ORDER
from yancheng.cases.models import CaseEvent, Status
from yancheng.cases.services import case_assign, case_submit
from yancheng.cases.workflow import GUARDS, TRANSITIONS


def test_the_table_holds_every_transition_once_for_the_page_and_the_api():
    names = set(CASE_ACTIONS)
    assert names == set(TRANSITIONS) == set(GUARDS)
    assert sorted(PAGE_ORDER) == sorted(names)
    assert set(get_args(api.Action)) == names
    for name, action in CASE_ACTIONS.items():
        assert action.name == name
        assert action.heading and action.button, name


@pytest.fixture
def two_cases(world):
    return [
        case_submit(actor=world.enterprise_a_user, title=f"专线未接入 {n}", description="尚未接入。") for n in (1, 2)
    ]


def outcome(case):
    case.refresh_from_db()
    event = CaseEvent.objects.filter(case=case).latest("pk")
    return (case.status, case.lead_org_id, sorted(t.org_id for t in case.tasks.all()), case.solve_days,
            event.action, event.note)


def test_an_assignment_from_the_page_and_from_the_api_makes_the_same_case(client, world, as_user, two_cases):
    by_page, by_api = two_cases
    client.force_login(world.dispatcher)
    response = client.post(f"/cases/{by_page.pk}/act/assign/", {
        "assign-version": by_page.version, "assign-lead_org": world.power_company.pk,
        "assign-co_orgs": [world.qidong_ndrc.pk], "assign-urgency": by_page.urgency, "assign-solve_days": 7,
        "assign-note": "请尽快办理",
    })
    assert response.status_code == 302, response.content.decode()[:500]
    response = as_user("dispatcher").post(
        f"/api/v1/cases/{by_api.pk}/actions/assign",
        {"lead_org": world.power_company.pk, "co_orgs": [world.qidong_ndrc.pk], "solve_days": 7,
         "note": "请尽快办理"},
        headers={"If-Match": f'"{by_api.version}"'},
    )
    assert response.status_code == 200, response.content
    assert outcome(by_page) == outcome(by_api)
    assert outcome(by_api)[:2] == (Status.ASSIGNED, world.power_company.pk)


def test_the_api_names_a_merge_target_by_id_and_refuses_one_it_cannot_see(client, world, as_user, two_cases):
    first, second = two_cases
    foreign = case_submit(actor=world.enterprise_b_user, title="乙企业的问题", description="与甲无关")
    case_assign(second, actor=world.dispatcher, lead_org=world.power_company)
    second.refresh_from_db()
    api_client = as_user("dispatcher")
    # A case the dispatcher may not see is refused as not found, in each channel's words.
    refused = api_client.post(f"/api/v1/cases/{second.pk}/actions/merge", {"into": foreign.pk},
                              headers={"If-Match": f'"{second.version}"'})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {"into": ["要并入的事项不存在或您无权查看。"]}
    merged = api_client.post(f"/api/v1/cases/{second.pk}/actions/merge", {"into": first.pk},
                             headers={"If-Match": f'"{second.version}"'})
    assert merged.status_code == 200, merged.content
    second.refresh_from_db()
    assert (second.status, second.merged_into_id) == (Status.MERGED, first.pk)
