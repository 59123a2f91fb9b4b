"""链长 meeting pages and API: a 链长 calls the meeting, builds the agenda from red items,
decides, closes (the decision becomes an assigned case shown with its light), prints the
minutes; others are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.chains.problems_world import build_problems
from yancheng.api.testing import api_client_for
from yancheng.cases.models import Case, CaseKind, Status
from yancheng.chains.models import ChainDecision, ChainMeeting
from yancheng.testing.documents import check_official_document
from yancheng.testing.exports import read_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def pw(cw):
    build_problems(cw)
    return cw


def test_a_chain_leader_holds_a_meeting_through_the_pages(client, pw, django_assert_max_num_queries):
    client.force_login(pw.chain_leader)
    made = client.post(reverse("chains:meeting_create", args=["nonferrous"]),
                       {"title": "有色金属链长办公会", "held_on": timezone.localdate().isoformat()})
    assert made.status_code == 302
    meeting = ChainMeeting.objects.get()

    def act(action, data=None):
        return client.post(reverse("chains:meeting_act", args=["nonferrous", meeting.pk, action]), data or {})

    assert act("build").status_code == 302
    item = meeting.agenda.get(source="project")
    assert act("add_decision", {"text": "", "lead_org": pw.world.city_ndrc.pk, "due_working_days": 5}).status_code == 200
    assert act("add_decision", {"text": "发改委督促主体封顶", "lead_org": pw.world.city_ndrc.pk,
                                "due_working_days": 5, "agenda_item": item.pk}).status_code == 302
    assert act("minutes", {"minutes": "会议听取了有色金属产业链情况汇报。"}).status_code == 302
    url = reverse("chains:meeting", args=["nonferrous", meeting.pk])
    with django_assert_max_num_queries(20):
        body = client.get(url).content.decode()
    assert 'data-source="project"' in body and 'data-source="case"' in body and 'data-source="node"' in body
    assert act("close").status_code == 302
    case = Case.objects.get(kind=CaseKind.MEETING_TASK)
    assert case.status == Status.ASSIGNED and case.lead_org == pw.world.city_ndrc
    body = client.get(url).content.decode()
    assert case.number in body and "light-green" in body
    assert act("close").status_code == 302 and Case.objects.filter(kind=CaseKind.MEETING_TASK).count() == 1
    docx = client.get(reverse("chains:meeting_minutes", args=["nonferrous", meeting.pk]))
    assert docx.status_code == 200
    document = check_official_document(docx.content)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "会议听取了有色金属产业链情况汇报" in text
    listed = read_export(client.get(reverse("chains:meetings", args=["nonferrous"]) + "?format=xlsx"), "链长会议")
    assert [r[1] for r in listed.rows] == ["有色金属链长办公会"]


@pytest.mark.parametrize(("persona", "status"), [("lianban_dz", 403), ("handler_ndrc", 403), ("lianban_qd", 404)])
def test_others_cannot_act_on_the_meeting(client, pw, persona, status):
    from yancheng.chains.services import meetings as svc

    meeting = svc.meeting_create(pw.nonferrous, actor=pw.chain_leader, title="会", held_on=timezone.localdate())
    svc.decision_add(meeting, actor=pw.chain_leader, text="事项", lead_org=pw.world.city_ndrc)
    client.force_login(getattr(pw, persona))
    response = client.post(reverse("chains:meeting_act", args=["nonferrous", meeting.pk, "close"]))
    assert response.status_code == status
    assert not Case.objects.filter(kind=CaseKind.MEETING_TASK).exists()


def test_the_api_holds_a_meeting(pw):
    leader = api_client_for(pw.chain_leader)
    base = "/api/v1/chains/nonferrous/meetings"
    made = leader.post(base, {"title": "链长办公会", "held_on": timezone.localdate().isoformat()},
                       headers={"Idempotency-Key": "cm-1"})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    agenda = leader.post(f"{base}/{pk}/agenda").json()["agenda"]
    case_item = next(i for i in agenda if i["source"] == "case")
    decided = leader.post(f"{base}/{pk}/decisions", {"text": "供电公司加快报装", "lead_org": pw.world.power_company.pk,
                                                     "due_working_days": 3, "agenda_item": case_item["id"]})
    assert decided.status_code == 201, decided.content
    closed = leader.post(f"{base}/{pk}/close").json()
    assert closed["is_closed"] and closed["decisions"][0]["case_number"]
    assert leader.post(f"{base}/{pk}/close").json()["decisions"][0]["case_id"] == closed["decisions"][0]["case_id"]
    assert ChainDecision.objects.get().case_id == closed["decisions"][0]["case_id"]
    assert [m["id"] for m in leader.get(base).json()["items"]] == [pk]
    assert api_client_for(pw.chain_leader_dz).post(
        base, {"title": "x", "held_on": "2026-12-01"}, headers={"Idempotency-Key": "cm-2"}).status_code == 403
    assert api_client_for(pw.world.dispatcher).get(f"{base}/{pk}").status_code == 404
