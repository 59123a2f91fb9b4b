"""链长 meetings: the agenda fills itself from the chain's red items, a decision becomes an
assigned case with its working-day deadline when the meeting closes, closing twice creates
nothing, and only the chain's 链长 or office may hold the meeting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.chains.problems_world import build_problems
from yancheng.cases.models import Case, CaseKind, Status
from yancheng.chains.models import ChainAgendaItem, ChainDecision
from yancheng.chains.selectors_problems import ProblemFilters, chain_problems
from yancheng.chains.services import meetings as svc
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.lib.deadlines import due_day

pytestmark = pytest.mark.django_db
Source = ChainAgendaItem.Source


@pytest.fixture
def pw(cw):
    build_problems(cw)
    return cw


def _meeting(pw, actor=None):
    return svc.meeting_create(pw.nonferrous, actor=actor or pw.chain_leader, title="有色金属链长办公会",
                              held_on=timezone.localdate())


def test_the_agenda_is_built_from_red_problems_red_projects_and_missing_nodes(pw):
    meeting = _meeting(pw)
    assert meeting.chair == pw.chain_leader and meeting.organiser == pw.office
    items = svc.agenda_build(meeting, actor=pw.chain_leader)
    by_source = {(i.source, i.ref_id) for i in items}
    assert (Source.CASE, pw.request_case.pk) in by_source
    assert (Source.CASE, pw.project_case.pk) in by_source
    assert (Source.PROJECT, pw.red_project.pk) in by_source
    assert (Source.NODE, pw.nodes["application"].pk) in by_source  # 终端应用: on the target map, nobody placed
    assert (Source.PROJECT, pw.signed_project.pk) not in by_source


def test_manual_items_and_decision_links_survive_a_rebuild(pw):
    meeting = _meeting(pw, pw.lianban)
    manual = svc.agenda_item_add(meeting, actor=pw.lianban, title="链主企业座谈")
    item = next(i for i in svc.agenda_build(meeting, actor=pw.lianban) if i.source == Source.PROJECT)
    decision = svc.decision_add(meeting, actor=pw.lianban, text="发改委协调节点", lead_org=pw.world.city_ndrc,
                                agenda_item=item)
    svc.agenda_build(meeting, actor=pw.lianban)
    decision.refresh_from_db()
    assert decision.agenda_item is not None and decision.agenda_item.ref_id == pw.red_project.pk
    assert ChainAgendaItem.objects.filter(pk=manual.pk).exists()


def test_closing_turns_a_red_item_into_an_assigned_case_and_twice_creates_nothing(pw):
    meeting = _meeting(pw)
    item = next(i for i in svc.agenda_build(meeting, actor=pw.chain_leader) if i.source == Source.CASE)
    svc.decision_add(meeting, actor=pw.chain_leader, text="市发改委牵头协调用电报装\n两周内办结",
                     lead_org=pw.world.city_ndrc, due_working_days=7, agenda_item=item)
    created = svc.meeting_close(meeting, actor=pw.chain_leader)
    assert len(created) == 1
    case = Case.objects.get(pk=created[0].pk)
    assert case.kind == CaseKind.MEETING_TASK and case.status == Status.ASSIGNED
    assert case.lead_org == pw.world.city_ndrc and case.dispatch_org == pw.office
    assert case.subject_ref == "chain:nonferrous" and case.solve_days == 7
    assert case.title == "市发改委牵头协调用电报装"
    assert due_day(case.solve_due_at) > timezone.localdate()
    assert ChainDecision.objects.get(meeting=meeting).case_id == case.pk
    assert case.pk in {c.pk for c in chain_problems(pw.nonferrous, ProblemFilters(source="chain"))}
    # The office, which dispatches the meeting's tasks, can see and act on the case.
    assert Case.objects.visible_to(pw.lianban).filter(pk=case.pk).exists()
    assert not Case.objects.visible_to(pw.lianban_dz).filter(pk=case.pk).exists()
    before = Case.objects.count()
    assert svc.meeting_close(meeting, actor=pw.chain_leader) == []
    assert Case.objects.count() == before
    with pytest.raises(ConflictError):
        svc.decision_add(meeting, actor=pw.chain_leader, text="再议", lead_org=pw.world.city_ndrc)


def test_the_office_closing_issues_the_cases_in_its_own_name(pw):
    meeting = _meeting(pw, pw.lianban)
    svc.decision_add(meeting, actor=pw.lianban, text="补链招商", lead_org=pw.world.city_ndrc, due_working_days=15)
    case = svc.meeting_close(meeting, actor=pw.lianban)[0]
    assert case.reporter == pw.lianban


def test_closing_is_all_or_nothing(pw, monkeypatch):
    meeting = _meeting(pw)
    svc.decision_add(meeting, actor=pw.chain_leader, text="第一项", lead_org=pw.world.city_ndrc)
    svc.decision_add(meeting, actor=pw.chain_leader, text="第二项", lead_org=pw.world.power_company)
    from yancheng.cases.services import meetings as engine_meetings

    real = engine_meetings.meeting_task_issue
    calls = []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValidationFailed("boom")
        return real(**kwargs)

    monkeypatch.setattr(engine_meetings, "meeting_task_issue", failing)
    before = Case.objects.count()
    with pytest.raises(ValidationFailed):
        svc.meeting_close(meeting, actor=pw.chain_leader)
    assert Case.objects.count() == before
    assert not ChainDecision.objects.filter(meeting=meeting, case_id__isnull=False).exists()
    meeting.refresh_from_db()
    assert not meeting.is_closed


def test_decisions_are_checked(pw):
    meeting = _meeting(pw)
    with pytest.raises(ValidationFailed):
        svc.decision_add(meeting, actor=pw.chain_leader, text="  ", lead_org=pw.world.city_ndrc)
    with pytest.raises(ValidationFailed):
        svc.decision_add(meeting, actor=pw.chain_leader, text="事项", lead_org=pw.world.city_ndrc, due_working_days=0)
    with pytest.raises(ValidationFailed):
        svc.decision_add(meeting, actor=pw.chain_leader, text="事项", lead_org=pw.world.enterprise_b.organisation)
    decision = svc.decision_add(meeting, actor=pw.chain_leader, text="事项", lead_org=pw.world.city_ndrc)
    svc.decision_remove(decision, actor=pw.chain_leader)
    assert not ChainDecision.objects.filter(pk=decision.pk).exists()


@pytest.mark.parametrize("persona", ["lianban_dz", "handler_ndrc", "chain_leader_dz", "lianban_qd", "leader",
                                     "dispatcher"])
def test_others_cannot_hold_or_work_the_meeting(pw, persona):
    user = getattr(pw, persona)
    with pytest.raises(PermissionDeniedError):
        svc.meeting_create(pw.nonferrous, actor=user, title="会", held_on=dt.date(2026, 12, 1))
    meeting = _meeting(pw)
    for call in (lambda: svc.agenda_build(meeting, actor=user),
                 lambda: svc.decision_add(meeting, actor=user, text="x", lead_org=pw.world.city_ndrc),
                 lambda: svc.meeting_close(meeting, actor=user),
                 lambda: svc.meeting_minutes(meeting, actor=user, minutes="纪要")):
        with pytest.raises(PermissionDeniedError):
            call()


def test_the_office_confirms_a_task_its_chain_leader_issued(pw):
    from yancheng.cases.services import case_accept, case_rate, case_resolve

    meeting = _meeting(pw)
    svc.decision_add(meeting, actor=pw.chain_leader, text="补链招商", lead_org=pw.world.city_ndrc)
    case = svc.meeting_close(meeting, actor=pw.chain_leader)[0]
    assert case.reporter is None and case.reporter_org == pw.office
    case_accept(case, actor=pw.handler_ndrc)
    case_resolve(case, actor=pw.handler_ndrc, resolution="已对接两家目标企业")
    with pytest.raises(NotFoundError):  # another chain's office does not even see it
        case_rate(case, actor=pw.lianban_dz, satisfaction="satisfied")
    case_rate(case, actor=pw.lianban, satisfaction="satisfied")
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_the_agenda_takes_red_targets_and_red_leads_and_leaves_green_ones(pw):
    from tests.chains.leader_world import build_leader

    build_leader(pw)
    items = svc.agenda_build(_meeting(pw), actor=pw.chain_leader)
    by_source = {(i.source, i.ref_id) for i in items}
    assert (Source.TARGET, pw.red_target.pk) in by_source
    assert (Source.TARGET, pw.green_target.pk) not in by_source
    assert (Source.LEAD, pw.red_lead.pk) in by_source
    assert (Source.LEAD, pw.yellow_lead.pk) not in by_source
    assert (Source.LEAD, pw.green_lead.pk) not in by_source
    target_item = next(i for i in items if i.source == Source.TARGET)
    assert "落后" in target_item.detail and str(pw.red_target.year) in target_item.title
    lead_item = next(i for i in items if i.source == Source.LEAD)
    assert lead_item.responsible == pw.city_ndrc.name and "红灯投资公司" in lead_item.title
