"""The research family's services: matching (node beats keyword, keywords, the same order
every time, a new suggestion never touching a match someone works on), the 对接 task with
its notifications and outcome, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from yancheng.chains.models import MatchStatus, ResearchMatch
from yancheng.chains.services.research import (
    match_add,
    match_close,
    match_dismiss,
    match_start_docking,
    match_suggest,
    result_add,
    result_retire,
    result_update,
    score_enterprises,
    terms,
)
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.notifications.models import Notification

from .research_world import build_research

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 11)


@pytest.fixture
def rw(cw):
    return build_research(cw)


def _by_enterprise(result):
    return {m.enterprise_id: m for m in ResearchMatch.objects.filter(result=result)}


def test_terms_split_on_chinese_and_ascii_separators():
    assert terms("铜箔、电解，锂电池;负极 材料/a") == ["铜箔", "电解", "锂电池", "负极", "材料"]


def test_an_enterprise_on_the_results_node_beats_one_sharing_a_keyword(rw):
    scored = score_enterprises(rw.lead_recovery)
    assert [s.enterprise.pk for s in scored][:2] == [rw.enterprise_a.pk, rw.enterprise_b.pk]
    a, b = scored[0], scored[1]
    assert a.nodes == ["冶炼"] and a.score >= 60
    assert b.nodes == [] and b.matched == ["铜箔"] and b.score < a.score


def test_keywords_match_products_and_bonuses_only_add_to_a_real_match(rw):
    result = result_add(rw.nonferrous, actor=rw.lianban, title="高纯氧化铝粉体提纯工艺", institution="南华大学",
                        maturity=4, keywords="氧化铝")
    scored = {s.enterprise.pk: s for s in score_enterprises(result)}
    c = scored[rw.enterprise_c.pk]
    # one term (15) + 规上 (5) + 专精特新 (5); no node
    assert (c.score, c.nodes, c.matched, c.above_scale, c.srdi) == (25, [], ["氧化铝"], True, True)
    assert "关键词相符：氧化铝" in c.reason and "专精特新企业" in c.reason
    # A and B share nothing with it: their bonuses alone never make a match
    assert set(scored) == {rw.enterprise_c.pk}


def test_suggestion_is_deterministic_and_named(rw):
    first = [(s.enterprise.pk, s.score, s.reason) for s in score_enterprises(rw.copper_foil)]
    second = [(s.enterprise.pk, s.score, s.reason) for s in score_enterprises(rw.copper_foil)]
    assert first == second
    done = match_suggest(rw.copper_foil, actor=rw.lianban)
    assert done.created[0].enterprise_id == rw.enterprise_b.pk
    top = done.created[0]
    assert top.status == MatchStatus.SUGGESTED
    assert top.reason.startswith("落位于成果对应环节：精深加工")
    assert "铜箔" in top.reason


def test_suggesting_again_keeps_worked_matches_and_refreshes_open_ones(rw):
    match_suggest(rw.lead_recovery, actor=rw.lianban)
    matches = _by_enterprise(rw.lead_recovery)
    a, b = matches[rw.enterprise_a.pk], matches[rw.enterprise_b.pk]
    with time_machine.travel(dt.datetime(2026, 5, 11, 9, tzinfo=dt.UTC), tick=False):
        match_start_docking(a, actor=rw.lianban, owner_org=rw.world.city_ndrc, due_on=TODAY + dt.timedelta(days=20))
    match_dismiss(b, actor=rw.lianban, reason="企业无再生铅业务")
    # the rule would now score both differently: the keywords change
    result_update(rw.lead_recovery, actor=rw.lianban, keywords="铜箔、粗铅")
    again = match_suggest(rw.lead_recovery, actor=rw.lianban)
    assert again.created == [] and again.kept == 2
    after = _by_enterprise(rw.lead_recovery)
    assert after[a.enterprise_id].status == MatchStatus.DOCKING
    assert after[a.enterprise_id].score == a.score and after[a.enterprise_id].owner_org == rw.world.city_ndrc
    assert after[b.enterprise_id].status == MatchStatus.DISMISSED
    assert after[b.enterprise_id].outcome == "企业无再生铅业务"


def test_an_open_suggestion_gets_its_fresh_score(rw):
    match_suggest(rw.lead_recovery, actor=rw.lianban)
    b = _by_enterprise(rw.lead_recovery)[rw.enterprise_b.pk]
    result_update(rw.lead_recovery, actor=rw.lianban, nodes=[rw.nodes["smelting"], rw.nodes["processing"]])
    again = match_suggest(rw.lead_recovery, actor=rw.lianban)
    assert [m.pk for m in again.updated] == [b.pk]
    b.refresh_from_db()
    assert b.status == MatchStatus.SUGGESTED and "精深加工" in b.reason and b.version == 2


def test_docking_tells_the_owner_unit_and_the_enterprise(rw):
    match_suggest(rw.copper_foil, actor=rw.lianban)
    b = _by_enterprise(rw.copper_foil)[rw.enterprise_b.pk]
    with time_machine.travel(dt.datetime(2026, 5, 11, 9, tzinfo=dt.UTC), tick=False):
        done = match_start_docking(b, actor=rw.lianban, owner_org=rw.world.city_ndrc, due_on=dt.date(2026, 6, 30),
                                   expected_version=b.version, note="组织校企座谈")
    assert (done.status, done.owner_org, done.due_on) == (MatchStatus.DOCKING, rw.world.city_ndrc, dt.date(2026, 6, 30))
    told = Notification.objects.filter(verb="chain.match_docking")
    assert set(told.values_list("recipient__username", flat=True)) == {"handler_ndrc", "enterprise_b"}
    to_enterprise = told.get(recipient__username="enterprise_b")
    assert to_enterprise.url == "/chains/mine/" and "2026-06-30" in to_enterprise.title
    assert told.get(recipient__username="handler_ndrc").url == f"/chains/nonferrous/research/{rw.copper_foil.pk}/"


def test_docking_needs_a_unit_not_an_enterprise_and_a_date_not_past(rw):
    match_suggest(rw.copper_foil, actor=rw.lianban)
    b = _by_enterprise(rw.copper_foil)[rw.enterprise_b.pk]
    with time_machine.travel(dt.datetime(2026, 5, 11, 9, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ValidationFailed) as exc:
            match_start_docking(b, actor=rw.lianban, owner_org=rw.enterprise_a.organisation, due_on=TODAY)
        assert exc.value.field == "owner_org"
        with pytest.raises(ValidationFailed) as exc:
            match_start_docking(b, actor=rw.lianban, owner_org=rw.world.city_ndrc, due_on=TODAY - dt.timedelta(days=1))
        assert exc.value.field == "due_on"
        with pytest.raises(ConflictError):
            match_start_docking(b, actor=rw.lianban, owner_org=rw.world.city_ndrc, due_on=TODAY, expected_version=99)


def test_the_owner_units_staff_record_the_outcome_others_may_not(rw):
    match_suggest(rw.copper_foil, actor=rw.lianban)
    b = _by_enterprise(rw.copper_foil)[rw.enterprise_b.pk]
    b = match_start_docking(b, actor=rw.lianban, owner_org=rw.world.city_ndrc,
                            due_on=dt.date.today() + dt.timedelta(days=5))
    for outsider in (rw.lianban_dz, rw.chain_leader, rw.handler_power, rw.enterprise_b_user, rw.lianban_qd):
        with pytest.raises(PermissionDeniedError):
            match_close(b, actor=outsider, status=MatchStatus.SUCCEEDED, outcome="签订技术许可合同")
    with pytest.raises(ValidationFailed) as exc:
        match_close(b, actor=rw.handler_ndrc, status=MatchStatus.SUCCEEDED, outcome="  ")
    assert exc.value.field == "outcome"
    with pytest.raises(ValidationFailed):
        match_close(b, actor=rw.handler_ndrc, status=MatchStatus.DISMISSED, outcome="x")
    done = match_close(b, actor=rw.handler_ndrc, status=MatchStatus.SUCCEEDED, outcome="签订技术许可合同")
    assert (done.status, done.outcome) == (MatchStatus.SUCCEEDED, "签订技术许可合同")
    with pytest.raises(ConflictError):
        match_close(done, actor=rw.lianban, status=MatchStatus.FAILED, outcome="again")
    with pytest.raises(ConflictError):
        match_dismiss(done, actor=rw.lianban, reason="x")


def test_only_the_chains_own_office_writes(rw):
    for outsider in (rw.lianban_dz, rw.chain_leader, rw.handler_ndrc, rw.enterprise_a_user, rw.lianban_qd):
        with pytest.raises(PermissionDeniedError):
            result_add(rw.nonferrous, actor=outsider, title="x", institution="y", maturity=3)
        with pytest.raises(PermissionDeniedError):
            match_suggest(rw.copper_foil, actor=outsider)
        with pytest.raises(PermissionDeniedError):
            match_add(rw.copper_foil, rw.enterprise_a, actor=outsider)
    with pytest.raises(PermissionDeniedError):
        result_add(rw.electronics, actor=rw.lianban, title="x", institution="y", maturity=3)


def test_a_result_is_checked_in_clear_chinese(rw):
    with pytest.raises(ValidationFailed) as exc:
        result_add(rw.nonferrous, actor=rw.lianban, title="x", institution="y", maturity=10)
    assert exc.value.field == "maturity" and "1 到 9" in str(exc.value.message)
    with pytest.raises(ValidationFailed) as exc:
        result_add(rw.nonferrous, actor=rw.lianban, title=" ", institution="y", maturity=3)
    assert exc.value.field == "title"
    with pytest.raises(ValidationFailed) as exc:
        result_add(rw.electronics, actor=None, title="x", institution="y", maturity=3, nodes=[rw.nodes["mining"]])
    assert exc.value.field == "nodes"
    with pytest.raises(ValidationFailed) as exc:
        result_add(rw.nonferrous, actor=None, title="x", institution="y", maturity=3, ip_number="ZL1")
    assert exc.value.field == "ip_number"
    with pytest.raises(ConflictError):
        result_update(rw.copper_foil, actor=rw.lianban, expected_version=7, title="新")


def test_a_hand_match_keeps_the_rules_score_and_is_unique(rw):
    match = match_add(rw.copper_foil, rw.enterprise_c, actor=rw.lianban, reason="企业有意向")
    assert match.reason.startswith("人工匹配：企业有意向") and match.status == MatchStatus.SUGGESTED
    with pytest.raises(ConflictError):
        match_add(rw.copper_foil, rw.enterprise_c, actor=rw.lianban)


def test_a_retired_result_is_no_longer_matched(rw):
    retired = result_retire(rw.copper_foil, actor=rw.lianban, reason="已转让")
    assert not retired.is_active
    with pytest.raises(ConflictError):
        match_suggest(retired, actor=rw.lianban)
    with pytest.raises(ConflictError):
        result_retire(retired, actor=rw.lianban)


def test_suggestion_keeps_the_best_ten_over_the_threshold(rw):
    from yancheng.core.services import enterprise_create
    from yancheng.lib.uscc import complete

    for i in range(12):
        enterprise_create(uscc=complete(f"91430407MA4L1{i:03d}X"[:17]), name=f"衡阳铜箔配套{i:02d}有限公司",
                          region=rw.world.shigu, actor=None, chains=[rw.nonferrous])
    done = match_suggest(rw.copper_foil, actor=rw.lianban)
    assert len(done.created) == 10
    assert done.created[0].enterprise_id == rw.enterprise_b.pk  # node + keyword first
