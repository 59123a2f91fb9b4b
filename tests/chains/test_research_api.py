"""The 科研成果清单 in the API: list, create (Idempotency-Key), read, change (If-Match),
suggest, the matches and their steps, and /chains/mine for enterprise tokens only."""

from __future__ import annotations

import datetime as dt

import pytest

from yancheng.api.testing import api_client_for
from yancheng.chains.models import MatchStatus, ResearchMatch

from .research_world import build_research

pytestmark = pytest.mark.django_db
URL = "/api/v1/chains"


@pytest.fixture
def rw(cw):
    return build_research(cw)


def test_the_office_creates_changes_and_suggests(rw):
    office = api_client_for(rw.lianban)
    created = office.post(f"{URL}/nonferrous/research", {
        "title": "铜箔表面处理工艺", "institution": "南华大学", "maturity": 7, "keywords": "铜箔、表面处理",
        "ip_kind": "invention", "ip_number": "ZL1", "nodes": ["processing"]}, headers={"Idempotency-Key": "r-1"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["maturity_label"] == "TRL 7 · 实际环境中系统原型演示" and body["nodes"][0]["code"] == "processing"
    rid = body["id"]
    bad_node = office.post(f"{URL}/nonferrous/research", {"title": "x", "institution": "y", "maturity": 3,
                                                          "nodes": ["nope"]}, headers={"Idempotency-Key": "r-2"})
    assert bad_node.status_code == 422
    assert office.patch(f"{URL}/nonferrous/research/{rid}", {"maturity": 8}).status_code == 428
    assert office.patch(f"{URL}/nonferrous/research/{rid}", {"maturity": 8},
                        headers={"If-Match": '"5"'}).status_code == 412
    changed = office.patch(f"{URL}/nonferrous/research/{rid}", {"maturity": 8}, headers={"If-Match": created["ETag"]})
    assert changed.status_code == 200 and changed.json()["maturity"] == 8 and changed["ETag"] == '"2"'
    matches = office.post(f"{URL}/nonferrous/research/{rid}/suggest", {}, headers={"Idempotency-Key": "s-1"})
    assert matches.status_code == 200
    assert matches.json()[0]["enterprise"]["id"] == rw.enterprise_b.pk
    assert matches.json()[0]["status"] == "suggested"
    listed = office.get(f"{URL}/nonferrous/research", {"maturity": "8"}).json()
    assert listed["count"] == 1 and listed["items"][0]["match_count"] == len(matches.json())


def test_match_steps_with_if_match_and_who_may(rw):
    office = api_client_for(rw.lianban)
    rid = rw.copper_foil.pk
    office.post(f"{URL}/nonferrous/research/{rid}/suggest", {}, headers={"Idempotency-Key": "s-2"})
    b = ResearchMatch.objects.get(result=rw.copper_foil, enterprise=rw.enterprise_b)
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    step = f"{URL}/research-matches/{b.pk}"
    assert office.post(f"{step}/dock", {"owner_org": rw.world.city_ndrc.pk, "due_on": due}).status_code == 428
    assert api_client_for(rw.lianban_dz).post(f"{step}/dock", {"owner_org": rw.world.city_ndrc.pk, "due_on": due},
                                              headers={"If-Match": '"1"'}).status_code == 403
    assert api_client_for(rw.handler_power).post(f"{step}/dock", {}, headers={"If-Match": '"1"'}).status_code == 404
    docked = office.post(f"{step}/dock", {"owner_org": rw.world.city_ndrc.pk, "due_on": due},
                         headers={"If-Match": '"1"'})
    assert docked.status_code == 200 and docked.json()["status"] == "docking"
    closed = api_client_for(rw.handler_ndrc).post(f"{step}/close", {"status": "failed", "outcome": "企业资金不足"},
                                                  headers={"If-Match": docked["ETag"]})
    assert closed.status_code == 200 and closed.json()["outcome"] == "企业资金不足"
    again = office.post(f"{step}/dismiss", {"reason": "x"}, headers={"If-Match": closed["ETag"]})
    assert again.status_code == 409
    hand = office.post(f"{URL}/nonferrous/research/{rid}/matches", {"enterprise": rw.enterprise_c.pk, "reason": "意向"},
                       headers={"Idempotency-Key": "m-1"})
    assert hand.status_code == 201, hand.json()
    listed = office.get(f"{URL}/nonferrous/research/{rid}/matches").json()["items"]
    assert {m["enterprise"]["id"] for m in listed} >= {rw.enterprise_b.pk, rw.enterprise_c.pk}


def test_readers_read_and_others_are_refused(rw):
    rid = rw.copper_foil.pk
    assert api_client_for(rw.chain_leader).get(f"{URL}/nonferrous/research/{rid}").status_code == 200
    assert api_client_for(rw.chain_leader).post(f"{URL}/nonferrous/research/{rid}/suggest", {},
                                                headers={"Idempotency-Key": "s-3"}).status_code == 403
    assert api_client_for(rw.enterprise_a_user).get(f"{URL}/nonferrous/research").status_code == 403
    assert api_client_for(rw.lianban_qd).get(f"{URL}/nonferrous/research").status_code == 403
    assert api_client_for(rw.lianban).get(f"{URL}/electronics/research/{rid}").status_code == 404


def test_mine_answers_enterprise_tokens_only_with_their_own_rows(rw):
    from yancheng.chains.services.research import match_dismiss, match_suggest

    match_suggest(rw.copper_foil, actor=None)
    match_suggest(rw.lead_recovery, actor=None)
    match_dismiss(ResearchMatch.objects.get(result=rw.lead_recovery, enterprise=rw.enterprise_b), actor=None,
                  reason="无关")
    b = api_client_for(rw.enterprise_b_user).get(f"{URL}/mine")
    assert b.status_code == 200
    assert [p["node"]["code"] for p in b.json()["placements"]] == ["processing"]
    assert {m["enterprise"]["id"] for m in b.json()["matches"]} == {rw.enterprise_b.pk}
    assert all(m["status"] != MatchStatus.DISMISSED for m in b.json()["matches"])
    a = api_client_for(rw.enterprise_a_user).get(f"{URL}/mine").json()
    assert {m["enterprise"]["id"] for m in a["matches"]} == {rw.enterprise_a.pk}
    for staff in (rw.lianban, rw.leader, rw.handler_ndrc):
        assert api_client_for(staff).get(f"{URL}/mine").status_code == 403
