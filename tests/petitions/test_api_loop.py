"""The petitions API covers the whole loop: from registration to 终结 through the API only,
each step refused to a wrong role (403, or 404 to who may not see the matter), without
If-Match (428) and when stale (412); the page's forms read the bodies (422 with the field);
a 检举控告's steps answer 404 to the organ complained about; a replayed step is not done twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from yancheng.api.testing import api_client_for
from yancheng.core.audit.models import AuditEvent
from yancheng.core.models import Role
from yancheng.core.services import user_create
from yancheng.petitions.actions import PETITION_ACTIONS
from yancheng.petitions.api import PetitionActionName, action_body_schema
from yancheng.petitions.models import Petition, PetitionEvent, Stage
from yancheng.testing.petitions import ID_NUMBERS, register
from yancheng.testing.world import PERSONA_PASSWORD

pytestmark = pytest.mark.django_db
URL = "/api/v1/petitions"


def today() -> str:
    return timezone.localdate().isoformat()


class Step:
    """Posts a step with the ETag last read, and remembers the answer's ETag."""

    def __init__(self, pw, pk: int) -> None:
        self.pk = pk
        self.etag = api_client_for(pw.xinfang).get(f"{URL}/{pk}")["ETag"]
        self.clients: dict[int, object] = {}

    def client(self, user):
        if user.pk not in self.clients:
            self.clients[user.pk] = api_client_for(user)
        return self.clients[user.pk]

    def post(self, user, tail: str, body: dict, *, etag: str | None = "current", key: str | None = None):
        headers = {}
        if etag == "current":
            headers["If-Match"] = self.etag
        elif etag:
            headers["If-Match"] = etag
        if key:
            headers["Idempotency-Key"] = key
        response = self.client(user).post(f"{URL}/{self.pk}/{tail}", body, headers=headers)
        if response.status_code in (200, 201) and response.has_header("ETag"):
            self.etag = response["ETag"]
        return response

    def act(self, user, action: str, body: dict, **kw):
        return self.post(user, f"actions/{action}", body, **kw)

    def ok(self, user, action: str, body: dict) -> dict:
        response = self.act(user, action, body)
        assert response.status_code == 200, (action, response.json())
        return response.json()


def _document(answer: dict, kind: str) -> dict:
    return next(d for d in answer["documents"] if d["kind"] == kind)


def test_the_action_names_are_the_action_table():
    assert set(PetitionActionName.__args__) == set(PETITION_ACTIONS)
    transfer = action_body_schema(PETITION_ACTIONS["transfer"])
    assert transfer["properties"]["organ"]["type"] == "integer" and "version" not in transfer["properties"]
    assert action_body_schema(PETITION_ACTIONS["decide_extension"])["properties"]["approve"]["type"] == "boolean"


def test_the_loop_from_registration_to_final_through_the_api(pw):
    gov_handler = user_create(username="gov_handler", password=PERSONA_PASSWORD, role=Role.HANDLER,
                              organisation=pw.world.city_gov, full_name="市政府承办人",
                              must_change_password=False, actor=None)
    xinfang = api_client_for(pw.xinfang)
    registered = xinfang.post(URL, {
        "channel": "letter", "received_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "region": "430400", "topic": "urban_construction", "title": "小区电梯长期停运",
        "request": "请求督促物业公司尽快修复电梯。",
        "petitioners": [{"name": "张三", "id_number": ID_NUMBERS[0], "phone": "13807340001"}],
    }, headers={"Idempotency-Key": "loop-register"})
    assert registered.status_code == 201, registered.json()
    pk = registered.json()["id"]
    # Not classified yet: nothing to transfer (the API lists only what the service would take).
    assert registered.json()["allowed_actions"] == []
    step = Step(pw, pk)

    classified = step.post(pw.xinfang, "classify", {"petition_type": "claim", "claim_route": "petition"})
    assert classified.status_code == 200
    assert "transfer" in classified.json()["allowed_actions"]

    # 转送: the 信访局 only; the organ not yet (it does not see the matter).
    transfer = {"organ": pw.housing_office.pk, "mode": "forward", "instruction": "请依法办理"}
    assert step.act(pw.handler_housing_office, "transfer", transfer).status_code == 404
    assert step.act(pw.xinfang, "transfer", transfer, etag=None).status_code == 428
    assert step.act(pw.xinfang, "transfer", transfer, etag='"999"').status_code == 412
    answer = step.ok(pw.xinfang, "transfer", transfer)
    assert answer["stage"] == Stage.TRANSFERRED and answer["handling_org"]["id"] == pw.housing_office.pk

    # 受理 by the organ's handler; the 信访局 may not.
    refused = step.act(pw.xinfang, "accept", {})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert AuditEvent.objects.filter(action="permission_denied", outcome=AuditEvent.Outcome.DENIED).exists()
    assert step.act(pw.handler_housing_office, "accept", {}, etag=None).status_code == 428
    assert step.act(pw.handler_housing_office, "accept", {}, etag='"1"').status_code == 412
    handler = api_client_for(pw.handler_housing_office)
    assert "accept" in handler.get(f"{URL}/{pk}").json()["allowed_actions"]
    answer = step.ok(pw.handler_housing_office, "accept", {"note": "受理"})
    assert answer["stage"] == Stage.ACCEPTED and "answer" in answer["allowed_actions"]
    assert "accept" not in answer["allowed_actions"]
    again = step.act(pw.handler_housing_office, "accept", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_stage"

    # 出具处理意见: the form's errors name the field (a 申诉求决 needs its legal basis).
    bad = step.act(pw.handler_housing_office, "answer", {"outcome": "reject", "facts": "事实", "reasons": "理由"})
    assert bad.status_code == 422 and "legal_basis" in bad.json()["error"]["fields"]
    missing = step.act(pw.handler_housing_office, "answer", {"outcome": "nonsense"})
    assert missing.status_code == 422
    assert {"outcome", "reasons"} <= set(missing.json()["error"]["fields"])
    assert step.act(pw.xinfang, "answer", {"outcome": "reject", "reasons": "r"}).status_code == 403
    answer = step.ok(pw.handler_housing_office, "answer", {
        "outcome": "reject", "facts": "查明的事实", "reasons": "处理理由", "legal_basis": "《物业管理条例》"})
    assert answer["stage"] == Stage.ANSWERED
    opinion = _document(answer, "opinion")

    # 送达 the opinion: not by an organ that has nothing to do with it.
    serve = {"served_on": today(), "how": "in_person"}
    assert step.post(pw.handler_hrss, f"documents/{opinion['id']}/serve", serve).status_code == 404
    served = step.post(pw.handler_housing_office, f"documents/{opinion['id']}/serve", serve)
    assert served.status_code == 200, served.json()
    assert _document(served.json(), "opinion")["served_at"] is not None
    twice = step.post(pw.handler_housing_office, f"documents/{opinion['id']}/serve", serve)
    assert twice.status_code == 409

    # 复查申请, registered by the 信访局, to the superior organ (住建局).
    review = {"requested_on": today(), "request": "对处理意见不服", "organ": pw.housing.pk}
    assert step.act(pw.handler_housing_office, "request_review", review).status_code == 403
    assert step.act(pw.xinfang, "request_review", review, etag=None).status_code == 428
    answer = step.ok(pw.xinfang, "request_review", review)
    assert answer["stage"] == Stage.REVIEWING

    # 复查意见 by the review organ; the original organ may not.
    decide = {"outcome": "reject", "facts": "复查查明", "reasons": "维持原意见", "legal_basis": "《信访工作条例》第三十五条"}
    assert step.act(pw.handler_housing_office, "decide_review", decide).status_code == 403
    assert step.act(pw.handler_housing, "decide_review", decide, etag='"2"').status_code == 412
    assert "decide_review" in api_client_for(pw.handler_housing).get(f"{URL}/{pk}").json()["allowed_actions"]
    answer = step.ok(pw.handler_housing, "decide_review", decide)
    assert answer["stage"] == Stage.REVIEWED
    review_opinion = _document(answer, "review_opinion")
    assert step.post(pw.xinfang, f"documents/{review_opinion['id']}/serve", serve).status_code == 200

    # 复核 by the city government, whose opinion ends the matter.
    recheck = {"requested_on": today(), "request": "对复查意见不服", "organ": pw.world.city_gov.pk}
    answer = step.ok(pw.xinfang, "request_review", recheck)
    assert answer["stage"] == Stage.RECHECKING
    assert step.act(pw.handler_housing, "decide_review", decide).status_code in (403, 404)
    answer = step.ok(gov_handler, "decide_review", decide | {"legal_basis": "《信访工作条例》第三十六条"})
    assert answer["stage"] == Stage.FINAL and answer["ended_at"] is not None
    assert answer["allowed_actions"] == []
    petition = Petition.objects.get(pk=pk)
    assert step.etag == f'"{petition.version}"'


def _transferred(pw, **overrides):
    from yancheng.petitions.handling import petition_transfer

    petition = register(pw, **overrides).petition
    petition_transfer(petition, actor=pw.xinfang, organ=overrides.pop("organ", pw.housing), mode="forward")
    return petition


def test_an_accusation_answers_404_to_the_organ_complained_about(pw):
    from yancheng.petitions.handling import petition_transfer

    accusation = register(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing).petition
    petition_transfer(accusation, actor=pw.xinfang, organ=pw.discipline, mode="forward")
    step = Step(pw, accusation.pk)
    for user in (pw.handler_housing, pw.head_housing, pw.handler_housing_office, pw.supervisor_housing):
        for action in ("accept", "refuse", "object", "answer"):
            assert step.act(user, action, {"reason": "x"}).status_code == 404
        assert step.post(user, "risk", {"level": "high"}).status_code == 404
        assert step.post(user, "petitioners/1/reveal", {}).status_code == 404
        document = accusation.documents.first()
        assert step.client(user).get(f"{URL}/{accusation.pk}/documents/{document.pk}").status_code == 404
    assert step.ok(pw.handler_discipline, "accept", {})["stage"] == Stage.ACCEPTED


def test_a_replayed_step_answers_the_same_without_a_second_write(pw):
    petition = _transferred(pw)
    step = Step(pw, petition.pk)
    first = step.act(pw.handler_housing, "accept", {"note": "受理"}, key="accept-1")
    assert first.status_code == 200
    events = PetitionEvent.objects.filter(petition=petition).count()
    version = Petition.objects.get(pk=petition.pk).version
    again = step.act(pw.handler_housing, "accept", {"note": "受理"}, etag='"0"', key="accept-1")
    # The replay is the stored answer, whatever the headers that do not make the request.
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert PetitionEvent.objects.filter(petition=petition).count() == events
    assert Petition.objects.get(pk=petition.pk).version == version


def test_unknown_fields_and_the_version_in_the_body_are_refused(pw):
    petition = _transferred(pw)
    step = Step(pw, petition.pk)
    response = step.act(pw.handler_housing, "accept", {"note": "x", "version": 1, "colour": "red"})
    assert response.status_code == 422
    assert {"version", "colour"} <= set(response.json()["error"]["fields"])
    nested = step.act(pw.handler_housing, "refuse", {"reason": ["a"]})
    assert nested.status_code == 422 and "reason" in nested.json()["error"]["fields"]
    assert Petition.objects.get(pk=petition.pk).stage == Stage.TRANSFERRED


def test_an_unknown_action_is_refused_and_changes_nothing(pw):
    petition = _transferred(pw)
    step = Step(pw, petition.pk)
    assert step.act(pw.handler_housing, "delete", {}).status_code in (404, 422)
    assert step.act(pw.handler_housing, "accept", {}, etag='"abc"').status_code == 400


def test_objection_and_its_decision_with_booleans_and_organ_ids(pw):
    petition = _transferred(pw)
    step = Step(pw, petition.pk)
    step.ok(pw.handler_housing, "object", {"reason": "不属于本机关职责"})
    bad = step.act(pw.xinfang, "decide_objection", {"uphold": True, "note": "成立", "organ": 2**40})
    assert bad.status_code == 422 and "organ" in bad.json()["error"]["fields"]
    assert step.act(pw.handler_housing, "decide_objection", {"uphold": False, "note": "x"}).status_code == 403
    answer = step.ok(pw.xinfang, "decide_objection", {"uphold": True, "note": "成立", "organ": pw.hrss.pk})
    assert answer["handling_org"]["id"] == pw.hrss.pk
    # The 住建局 no longer handles it: it does not see the matter any more.
    assert step.act(pw.handler_housing, "accept", {}).status_code == 404
    assert "accept" in api_client_for(pw.handler_hrss).get(f"{URL}/{petition.pk}").json()["allowed_actions"]


def test_extension_requested_and_approved_by_the_head(pw):
    petition = _transferred(pw)
    step = Step(pw, petition.pk)
    step.ok(pw.handler_housing, "accept", {})
    step.ok(pw.handler_housing, "request_extension", {"days": 10, "reason": "情况复杂"})
    assert step.act(pw.handler_housing, "decide_extension", {"approve": True}).status_code == 403
    answer = step.ok(pw.head_housing, "decide_extension", {"approve": True, "note": "同意"})
    assert any(d["kind"] == "extension" for d in answer["documents"])


def test_not_accept_and_refuse_again(pw):
    petition = register(pw, claim_route="arbitration").petition
    step = Step(pw, petition.pk)
    assert step.post(pw.xinfang, "not-accept", {"reason": "属仲裁途径"}, etag=None).status_code == 428
    assert step.post(pw.xinfang_qidong, "not-accept", {"reason": "x"}).status_code in (403, 404)
    answer = step.post(pw.xinfang, "not-accept", {"reason": "属仲裁途径"})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["stage"] == Stage.NOT_ACCEPTED
    assert any(d["kind"] == "non_acceptance" for d in answer.json()["documents"])
    plain = Step(pw, register(pw).petition.pk)
    refused = plain.post(pw.xinfang, "refuse-again", {})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_after_final"


def test_the_document_download_is_audited_and_refused_to_others(pw):
    petition = _transferred(pw)
    document = petition.documents.first()
    path = f"{URL}/{petition.pk}/documents/{document.pk}"
    refused = api_client_for(pw.supervisor_housing).get(path)
    assert refused.status_code == 403
    response = api_client_for(pw.handler_housing).get(path)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="petition.document_download").count() == 1
    assert api_client_for(pw.handler_hrss).get(path).status_code == 404
    assert api_client_for(pw.handler_housing).get(f"{URL}/{petition.pk}/documents/{2**40}").status_code == 404


def test_reveal_is_audited_and_for_the_office_and_the_handling_organ_only(pw):
    petition = _transferred(pw)
    person = petition.petitioners.get()
    path = f"petitioners/{person.pk}/reveal"
    step = Step(pw, petition.pk)
    assert step.post(pw.supervisor_housing, path, {}, etag=None).status_code == 403
    assert step.post(pw.handler_hrss, path, {}, etag=None).status_code == 404
    detail = step.client(pw.supervisor_housing).get(f"{URL}/{petition.pk}")
    assert ID_NUMBERS[0] not in detail.content.decode() and "13807340001" not in detail.content.decode()
    revealed = step.post(pw.xinfang, path, {}, etag=None)
    assert revealed.status_code == 200 and revealed["Cache-Control"] == "no-store"
    assert revealed.json()["id_number"] == ID_NUMBERS[0] and revealed.json()["name"] == "张三"
    record = AuditEvent.objects.get(action="petition.personal_reveal")
    assert ID_NUMBERS[0] not in str(record.after) and "张三" not in str(record.after)


def test_risk_follow_ups_and_taking_the_matter(pw):
    petition = _transferred(pw)
    step = Step(pw, petition.pk)
    assert step.post(pw.xinfang, "risk", {"level": "medium"}, etag=None).status_code == 428
    assert step.post(pw.xinfang, "risk", {"level": "extreme"}).status_code == 422
    answer = step.post(pw.xinfang, "risk", {"level": "medium", "note": "情绪激动"})
    assert answer.status_code == 200 and answer.json()["risk_level"] == "medium"
    plan = {"kind": "visit", "org": pw.housing.pk, "due_on": today(), "plan": "上门回访"}
    early = step.post(pw.xinfang, "follow-ups", plan)  # follow-ups come once the matter is answered
    assert early.status_code == 409 and early.json()["error"]["code"] == "invalid_stage"
    Petition.objects.filter(pk=petition.pk).update(stage=Stage.ANSWERED)
    planned = step.post(pw.xinfang, "follow-ups", plan)
    assert planned.status_code == 201, planned.json()
    follow_up = planned.json()["follow_up_id"]
    assert [f["id"] for f in planned.json()["follow_ups"]] == [follow_up]
    done_path = f"follow-ups/{follow_up}/done"
    assert step.post(pw.handler_hrss, done_path, {"result": "x"}).status_code == 404
    assert step.post(pw.handler_housing, done_path, {"result": "已回访"}, etag=None).status_code == 428
    done = step.post(pw.handler_housing, done_path, {"result": "已回访，情绪稳定", "risk_level": "low"})
    assert done.status_code == 200 and done.json()["risk_level"] == "low"
    assert done.json()["follow_ups"][0]["done_at"] is not None
    assert step.post(pw.handler_housing, "take", {}).status_code == 403
    taken = step.post(pw.head_housing, "take", {"note": "亲自包案"})
    assert taken.status_code == 200, taken.json()
