"""The case API (/api/v1/cases): the whole loop with tokens, the refusals, If-Match and
Idempotency-Key, and the schema."""

import datetime as dt
import uuid

import pytest
import time_machine

from yancheng.cases.models import Case, CaseEvent, Status
from yancheng.cases.services import (
    case_accept,
    case_add_note,
    case_assign,
    case_request_extension,
    case_submit,
)

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
LIST = "/api/v1/cases"


def detail(pk):
    return f"{LIST}/{pk}"


def act(pk, action):
    return f"{LIST}/{pk}/actions/{action}"


def if_match(response_or_version):
    version = response_or_version if isinstance(response_or_version, int) else response_or_version.json()["version"]
    return {"If-Match": f'"{version}"'}


def snapshot(case):
    case.refresh_from_db()
    return (case.status, case.version, CaseEvent.objects.filter(case=case).count())


@pytest.fixture
def submitted(world):
    with time_machine.travel(MONDAY, tick=False):
        return case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="10kV 专线尚未接入。")


@pytest.fixture
def assigned(world, submitted):
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        return case_assign(submitted, actor=world.dispatcher, lead_org=world.power_company,
                           co_orgs=[world.qidong_ndrc], co_instruction="办理用地手续")


@pytest.fixture
def accepted(world, assigned):
    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False):
        return case_accept(assigned, actor=world.handler_power)


# --- the whole story ------------------------------------------------------------------------------


def test_the_whole_story_runs_through_the_api_with_tokens(world, as_user):
    enterprise, dispatcher, power, other = (
        as_user("enterprise_a"), as_user("dispatcher"), as_user("handler_power"), as_user("handler_other")
    )
    key = str(uuid.uuid4())
    body = {"title": "高压专线未接入", "description": "厂房已建成，10kV 高压专线尚未接入。", "subject": "纸箱包装生产线项目"}
    with time_machine.travel(MONDAY, tick=False):
        created = enterprise.post(LIST, body, headers={"Idempotency-Key": key})
        replay = enterprise.post(LIST, body, headers={"Idempotency-Key": key})
    assert created.status_code == 201, created.content
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.content == created.content
    assert Case.objects.count() == 1
    case = created.json()
    pk = case["id"]
    assert created["Location"].endswith(f"/cases/{pk}") and created["ETag"] == f'"{case["version"]}"'
    assert case["status"] == "submitted" and case["dispatch_org"]["id"] == world.qidong_park.pk
    assert case["allowed_actions"] == ["withdraw", "urge", "note"]

    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        seen = dispatcher.get(detail(pk))
        assert "assign" in seen.json()["allowed_actions"]
        r = dispatcher.post(act(pk, "assign"), {"lead_org": world.power_company.pk, "co_orgs": [world.qidong_ndrc.pk],
                                                "co_instruction": "办理用地手续", "solve_days": 5},
                            headers={"If-Match": seen["ETag"]})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "assigned" and r.json()["light"] == "green"
    assert r.json()["solve_due_at"] and r.json()["accept_due_at"]
    assert [t["org"]["id"] for t in r.json()["tasks"]] == [world.qidong_ndrc.pk]

    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False):
        seen = power.get(detail(pk))
        assert seen.json()["allowed_actions"][:2] == ["accept", "return"]
        r = power.post(act(pk, "accept"), {"note": "已签收"}, headers={"If-Match": seen["ETag"]})
    assert r.status_code == 200 and r.json()["status"] == "accepted"

    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        r = power.post(act(pk, "resolve"), {"resolution": "已接入"}, headers=if_match(r))
        assert r.status_code == 422  # the co-unit's sub-task is still open
        seen = other.get(detail(pk))
        assert seen.json()["allowed_actions"] == ["complete_task", "note"]
        r = other.post(act(pk, "complete_task"), {"result": "用地手续已办妥"}, headers={"If-Match": seen["ETag"]})
        assert r.status_code == 200 and r.json()["tasks"][0]["status"] == "done"
        r = power.post(act(pk, "resolve"), {"resolution": "10kV 专线已接入送电。"}, headers=if_match(r))
    assert r.status_code == 200 and r.json()["status"] == "resolved"

    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
        seen = enterprise.get(detail(pk))
        r = enterprise.post(act(pk, "rate"), {"satisfaction": "satisfied", "comment": "感谢"},
                            headers={"If-Match": seen["ETag"]})
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["light"] == "ontime"
    assert r["ETag"] == f'"{r.json()["version"]}"'

    timeline = enterprise.get(f"{detail(pk)}/timeline").json()
    assert [e["action"] for e in timeline] == ["submit", "assign", "accept", "complete_task", "resolve", "rate"]


def test_the_list_shows_lights_both_deadlines_and_versions_and_filters(world, as_user, accepted):
    with time_machine.travel(MONDAY + dt.timedelta(hours=3), tick=False):
        other = case_submit(actor=world.enterprise_a_user, title="道路未通", description="进场道路未硬化。")
        client = as_user("dispatcher")
        page = client.get(LIST).json()
        assert page["count"] == 2
        item = next(i for i in page["items"] if i["id"] == accepted.pk)
        assert item["light"] == "green" and item["version"] == accepted.version
        assert item["accept_due_at"] and item["solve_due_at"]
        assert [i["id"] for i in client.get(LIST, {"light": "waiting"}).json()["items"]] == [other.pk]
        assert [i["id"] for i in client.get(LIST, {"status": "accepted"}).json()["items"]] == [accepted.pk]
        assert [i["id"] for i in client.get(LIST, {"unit": world.qidong_ndrc.pk}).json()["items"]] == [accepted.pk]
        assert [i["id"] for i in client.get(LIST, {"q": "道路"}).json()["items"]] == [other.pk]
        assert client.get(LIST, {"overdue": "true"}).json()["count"] == 0
        assert client.get(LIST, {"page_size": 1}).json()["count"] == 2
        assert len(client.get(LIST, {"page_size": 1}).json()["items"]) == 1
        assert [i["id"] for i in as_user("handler_power").get(LIST, {"mine": "true"}).json()["items"]] == [accepted.pk]
    with time_machine.travel(accepted.solve_due_at, tick=False):
        assert [i["id"] for i in client.get(LIST, {"overdue": "true"}).json()["items"]] == [accepted.pk]


def test_the_list_answers_in_a_fixed_number_of_queries(world, as_user, accepted, django_assert_max_num_queries):
    client = as_user("dispatcher")
    for n in range(5):
        case_submit(actor=world.enterprise_a_user, title=f"问题{n}", description="描述")
    with django_assert_max_num_queries(8):
        assert client.get(LIST).json()["count"] == 6


def test_unknown_filters_values_are_refused(world, as_user):
    response = as_user("dispatcher").get(LIST, {"light": "purple"})
    assert response.status_code == 422


@pytest.mark.parametrize("persona", ["enterprise_b", "handler_other", "leader"])
def test_a_case_outside_your_sight_answers_404_everywhere(world, as_user, submitted, persona):
    client = as_user(persona)
    before = snapshot(submitted)
    assert client.get(detail(submitted.pk)).status_code == 404
    assert client.get(f"{detail(submitted.pk)}/timeline").status_code == 404
    response = client.post(act(submitted.pk, "withdraw"), {}, headers=if_match(submitted.version))
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert submitted.pk not in [i["id"] for i in client.get(LIST).json()["items"]]
    assert snapshot(submitted) == before


@pytest.mark.parametrize("persona", ["inspector", "system_admin", "security_admin", "audit_admin"])
def test_roles_without_an_inbox_cannot_list_cases(world, as_user, persona):
    assert as_user(persona).get(LIST).status_code == 403


def test_anonymous_callers_get_401(world, as_user, submitted):
    client = as_user(None)
    assert client.get(LIST).status_code == 401
    assert client.get(detail(submitted.pk)).status_code == 401
    assert client.post(act(submitted.pk, "withdraw"), {}, headers=if_match(1)).status_code == 401


# --- who may not --------------------------------------------------------------------------------------

REFUSALS = [
    # (state fixture, action, body, persona who can see the case but must not act)
    ("submitted", "assign", lambda w: {"lead_org": w.power_company.pk}, "enterprise_a"),
    ("submitted", "withdraw", lambda w: {}, "dispatcher"),
    ("assigned", "accept", lambda w: {}, "dispatcher"),
    ("assigned", "accept", lambda w: {}, "handler_other"),
    ("assigned", "accept", lambda w: {}, "enterprise_a"),
    ("assigned", "return", lambda w: {"reason": "非本单位职责"}, "handler_other"),
    ("assigned", "reassign", lambda w: {"lead_org": w.qidong_ndrc.pk}, "handler_power"),
    ("assigned", "complete_task", lambda w: {"result": "完成"}, "handler_power"),
    ("accepted", "resolve", lambda w: {"resolution": "已办"}, "dispatcher"),
    ("accepted", "resolve", lambda w: {"resolution": "已办"}, "enterprise_a"),
    ("accepted", "suspend", lambda w: {"reason": "等待企业补充材料"}, "enterprise_a"),
    ("accepted", "request_extension", lambda w: {"working_days": 3, "reason": "需要施工"}, "handler_other"),
    ("accepted", "decide_extension", lambda w: {"approve": True}, "handler_power"),
    ("accepted", "urge", lambda w: {}, "dispatcher"),
]


@pytest.mark.parametrize(("state", "action", "body", "persona"), REFUSALS,
                         ids=[f"{r[1]}-by-{r[3]}-when-{r[0]}" for r in REFUSALS])
def test_an_action_by_a_persona_who_must_not_is_refused_and_changes_nothing(
    world, as_user, request, state, action, body, persona
):
    case = request.getfixturevalue(state)
    before = snapshot(case)
    with time_machine.travel(MONDAY + dt.timedelta(hours=4), tick=False):
        response = as_user(persona).post(act(case.pk, action), body(world), headers=if_match(case.version))
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "permission_denied"
    assert snapshot(case) == before


# --- If-Match, 409, field allow-lists -------------------------------------------------------------------


def test_an_action_without_if_match_answers_428_and_changes_nothing(world, as_user, assigned):
    before = snapshot(assigned)
    response = as_user("handler_power").post(act(assigned.pk, "accept"), {})
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"
    assert snapshot(assigned) == before


def test_a_malformed_if_match_answers_400(world, as_user, assigned):
    response = as_user("handler_power").post(act(assigned.pk, "accept"), {}, headers={"If-Match": "yesterday"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "if_match_invalid"


def test_a_stale_if_match_answers_412_and_changes_nothing(world, as_user, assigned):
    before = snapshot(assigned)
    response = as_user("handler_power").post(act(assigned.pk, "accept"), {}, headers=if_match(assigned.version - 1))
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "stale_version"
    assert snapshot(assigned) == before


def test_a_stale_if_match_on_urge_and_note_answers_412_too(world, as_user, assigned):
    client = as_user("enterprise_a")
    for action, body in (("urge", {}), ("note", {"note": "请尽快"})):
        response = client.post(act(assigned.pk, action), body, headers=if_match(assigned.version - 1))
        assert response.status_code == 412, action


def test_acting_on_a_case_whose_state_moved_on_answers_409(world, as_user, accepted):
    before = snapshot(accepted)
    response = as_user("handler_power").post(act(accepted.pk, "accept"), {}, headers=if_match(accepted.version))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "invalid_transition" and error["message"] and error["fields"] == {}
    assert snapshot(accepted) == before


def test_a_withdrawal_after_acceptance_answers_409(world, as_user, accepted):
    response = as_user("enterprise_a").post(act(accepted.pk, "withdraw"), {}, headers=if_match(accepted.version))
    assert response.status_code == 409


def test_unknown_fields_in_an_action_body_answer_422(world, as_user, assigned):
    before = snapshot(assigned)
    response = as_user("handler_power").post(act(assigned.pk, "accept"), {"note": "好", "status": "resolved"},
                                             headers=if_match(assigned.version))
    assert response.status_code == 422
    assert "status" in response.json()["error"]["fields"]
    assert snapshot(assigned) == before


def test_a_missing_required_field_answers_422_with_the_field(world, as_user, assigned):
    response = as_user("handler_power").post(act(assigned.pk, "return"), {}, headers=if_match(assigned.version))
    assert response.status_code == 422 and "reason" in response.json()["error"]["fields"]


def test_an_unknown_action_is_refused(world, as_user, assigned):
    response = as_user("handler_power").post(act(assigned.pk, "delete"), {}, headers=if_match(assigned.version))
    assert response.status_code in (404, 422)


def test_unknown_fields_on_create_answer_422_and_create_nothing(world, as_user):
    response = as_user("enterprise_a").post(LIST, {"title": "t", "description": "d", "status": "closed"})
    assert response.status_code == 422 and "status" in response.json()["error"]["fields"]
    assert not Case.objects.exists()


def test_an_enterprise_cannot_report_for_another_enterprise(world, as_user):
    response = as_user("enterprise_a").post(LIST, {"title": "t", "description": "d",
                                                   "enterprise": world.enterprise_b.pk})
    assert response.status_code in (403, 422)
    assert not Case.objects.exists()


def test_roles_who_may_not_report_are_refused(world, as_user):
    for persona in ("inspector", "supervisor", "leader", "audit_admin"):
        response = as_user(persona).post(LIST, {"title": "t", "description": "d"})
        assert response.status_code == 403, persona
    assert not Case.objects.exists()


def test_an_action_with_an_idempotency_key_runs_once(world, as_user, assigned):
    client = as_user("handler_power")
    key = str(uuid.uuid4())
    first = client.post(act(assigned.pk, "accept"), {}, headers=if_match(assigned.version) | {"Idempotency-Key": key})
    second = client.post(act(assigned.pk, "accept"), {}, headers=if_match(assigned.version) | {"Idempotency-Key": key})
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and second["Idempotent-Replayed"] == "true"
    assert CaseEvent.objects.filter(case=assigned, action="accept").count() == 1


# --- the timeline ---------------------------------------------------------------------------------------


def test_internal_notes_are_on_the_timeline_for_staff_only(world, as_user, assigned):
    case_add_note(assigned, actor=world.dispatcher, note="内部：供电公司进度偏慢", internal=True)
    case_add_note(assigned, actor=world.dispatcher, note="已督促供电公司", internal=False)
    staff = [e["note"] for e in as_user("dispatcher").get(f"{detail(assigned.pk)}/timeline").json()]
    reporter = [e["note"] for e in as_user("enterprise_a").get(f"{detail(assigned.pk)}/timeline").json()]
    assert "内部：供电公司进度偏慢" in staff and "已督促供电公司" in staff
    assert "内部：供电公司进度偏慢" not in reporter and "已督促供电公司" in reporter


def test_the_detail_lists_only_the_actions_the_caller_may_take(world, as_user, assigned):
    assert as_user("handler_power").get(detail(assigned.pk)).json()["allowed_actions"] == [
        "accept", "return", "request_extension", "note"
    ]
    assert as_user("enterprise_a").get(detail(assigned.pk)).json()["allowed_actions"] == ["withdraw", "urge", "note"]
    assert "assign" not in as_user("dispatcher").get(detail(assigned.pk)).json()["allowed_actions"]


def test_the_detail_lists_the_extension_review_only_while_a_request_waits(world, as_user, assigned):
    assert "decide_extension" not in as_user("dispatcher").get(detail(assigned.pk)).json()["allowed_actions"]
    with time_machine.travel(MONDAY + dt.timedelta(hours=3), tick=False):
        case_request_extension(assigned, actor=world.handler_power, working_days=2, reason="手续未齐")
    assert "decide_extension" in as_user("dispatcher").get(detail(assigned.pk)).json()["allowed_actions"]
    assert "request_extension" not in as_user("handler_power").get(detail(assigned.pk)).json()["allowed_actions"]


# --- the schema ------------------------------------------------------------------------------------------


def test_the_schema_lists_the_case_endpoints(world, as_user):
    schema = as_user("dispatcher").get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/cases"])
    assert "get" in paths["/api/v1/cases/{case_id}"]
    assert "get" in paths["/api/v1/cases/{case_id}/timeline"]
    action = paths["/api/v1/cases/{case_id}/actions/{action}"]["post"]
    bodies = action["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert {b["title"] for b in bodies} >= {"assign", "accept", "resolve", "rate", "merge"}


def test_the_case_list_status_filter_sees_closed_cases(world, as_user, submitted):
    Case.objects.filter(pk=submitted.pk).update(status=Status.WITHDRAWN)
    client = as_user("dispatcher")
    assert client.get(LIST).json()["count"] == 0
    assert client.get(LIST, {"status": "withdrawn"}).json()["count"] == 1
