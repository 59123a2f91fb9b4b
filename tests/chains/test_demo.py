"""The chains demo (issue 15, "The demo"): on the demo city, the 14 chains with their
profiles and maps, two years of targets with actuals, leads in every stage with one converted
into a project, research results with matches, a chain problem and one closed 链长 meeting
whose decision is an assigned case — and the 链办 and 链长 logins work. Loaded once for the
module, inside a transaction rolled back at the end; loading again adds nothing."""

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from yancheng.cases.models import Case, CaseKind
from yancheng.chains.demo import SHOWN, load_chains_demo
from yancheng.chains.models import (
    ChainAgendaItem,
    ChainMeeting,
    ChainPath,
    ChainProfile,
    ChainTarget,
    Lead,
    LeadEvent,
    LeadStage,
    MapLink,
    MapNode,
    MatchStatus,
    Placement,
    ResearchMatch,
    ResearchResult,
    TargetActual,
    TargetMetric,
)
from yancheng.chains.selectors_leads import lead_list
from yancheng.chains.selectors_problems import chain_ref
from yancheng.chains.selectors_targets import target_rows
from yancheng.core.audit.models import AuditEvent
from yancheng.core.demo import DEMO_PASSWORD, demo_notes, load_hengyang_demo
from yancheng.core.models import IndustryChain, User
from yancheng.projects.shared import Project


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        load_hengyang_demo(enterprise_count=80)
        load_chains_demo()
        yield demo_notes()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo, db):
    return demo


def _counts() -> tuple[int, ...]:
    models = (ChainProfile, ChainPath, MapNode, MapLink, Placement, ChainTarget, TargetActual, Lead, LeadEvent,
              ResearchResult, ResearchMatch, ChainMeeting, Case, Project, User)
    return tuple(m.objects.count() for m in models)


def test_fourteen_chains_with_profiles_and_the_two_largest_maps_hold_fifteen_nodes_on_each(loaded):
    assert ChainProfile.objects.filter(leader__isnull=False, office__code="hy-cylb").count() == 14
    assert IndustryChain.objects.filter(nodes__isnull=False).distinct().count() == 14
    for code in ("nonferrous", "power-transmission"):
        nodes = MapNode.objects.filter(chain__code=code)
        assert nodes.filter(in_current=True).count() >= 15, code
        assert nodes.filter(in_target=True).count() >= 15, code
        assert ChainPath.objects.filter(chain__code=code).count() == 2
    assert AuditEvent.objects.filter(action="chain.path_add").count() == 16  # paths are audited writes
    assert Placement.objects.filter(role="master").count() == ChainProfile.objects.filter(masters__isnull=False).count()


def test_targets_of_two_years_with_their_actuals_and_lights(loaded):
    today = timezone.localdate()
    last_ended = today.month - 1  # the demo runs after January in these tests' calendar
    for year in (today.year - 1, today.year):
        assert ChainTarget.objects.filter(year=year).count() == 14 * 4
        assert set(ChainTarget.objects.filter(year=year).values_list("metric", flat=True)) == {
            TargetMetric.OUTPUT, TargetMetric.ABOVE_SCALE, TargetMetric.INVESTMENT, TargetMetric.TAX}
    last_year = ChainTarget.objects.filter(year=today.year - 1)
    assert all(t.actuals.count() == 12 for t in last_year)
    nonferrous = IndustryChain.objects.get(code="nonferrous")
    rows = target_rows(nonferrous, today.year, today=today)
    assert {r.latest.period for r in rows} == {last_ended}
    lights = {IndustryChain.objects.get(code=c).code: {r.light for r in target_rows(IndustryChain.objects.get(code=c),
                                                                                        today.year, today=today)}
              for c in ("nonferrous", "fine-chemicals", "digital")}
    assert "red" in lights["nonferrous"] and "yellow" in lights["fine-chemicals"] and lights["digital"] == {"green"}
    food = target_rows(IndustryChain.objects.get(code="food"), today.year, today=today)
    assert food and all(r.missing for r in food)  # one chain has not reported its last month


def test_leads_in_every_stage_some_stale_on_gap_nodes(loaded):
    assert set(Lead.objects.values_list("stage", flat=True)) == set(LeadStage.values)
    per_chain = {code: Lead.objects.filter(chain__code=code).count()
                 for code in IndustryChain.objects.values_list("code", flat=True)}
    assert all(4 <= n <= 8 for n in per_chain.values()), per_chain
    lianban = User.objects.get(username="lianban")
    lights = set(lead_list(lianban).values_list("light", flat=True))
    assert {"red", "yellow", "green", "none"} <= lights
    assert {"complete", "strengthen", "extend"} <= set(Lead.objects.values_list("fill_kind", flat=True))
    assert Lead.objects.exclude(next_step="").exists()
    # owners are the chains' backing units
    for lead in Lead.objects.select_related("chain__profile"):
        assert lead.chain.profile.backing_orgs.filter(pk=lead.owner_org_id).exists()
    # a lead's history is as old as it is
    landed = Lead.objects.filter(stage=LeadStage.LANDED).first()
    assert landed is not None and landed.signed_on < landed.landed_on < timezone.localdate()


def test_exactly_one_lead_became_a_project_of_its_chain(loaded):
    converted = Lead.objects.filter(project__isnull=False)
    assert converted.count() == 1
    lead = converted.get()
    project = Project.objects.get(pk=lead.project_id)
    assert project.chain_id == lead.chain_id and lead.chain.code == "nonferrous"
    assert project.signed_on == lead.signed_on
    assert lead.events.filter(kind=LeadEvent.Kind.CONVERTED, text=project.code).exists()


def test_research_results_with_matches_in_progress_and_agreed(loaded):
    assert ResearchResult.objects.count() >= 8
    assert ResearchResult.objects.filter(institution="湖南环境生物职业技术学院").exists()
    assert ResearchMatch.objects.filter(status=MatchStatus.DOCKING).exists()
    agreed = ResearchMatch.objects.filter(status=MatchStatus.SUCCEEDED)
    assert agreed.count() == 1 and agreed.get().outcome


def test_a_chain_problem_raised_by_the_office_and_assigned(loaded):
    problems = Case.objects.filter(kind=CaseKind.CHAIN_PROBLEM)
    assert problems.count() == 2
    for case in problems:
        assert case.lead_org_id is not None and case.subject_ref.startswith("chain:")


def test_one_closed_meeting_whose_agenda_came_from_red_items_and_decision_has_its_case(loaded):
    meeting = ChainMeeting.objects.get()
    assert meeting.chain.code == "nonferrous" and meeting.is_closed and meeting.minutes
    assert meeting.agenda.exclude(source=ChainAgendaItem.Source.MANUAL).exists()
    decision = meeting.decisions.get()
    assert decision.agenda_item is not None
    case = Case.objects.get(pk=decision.case_id)
    assert case.lead_org_id == decision.lead_org_id and case.subject_ref == chain_ref(meeting.chain)


def test_loading_twice_adds_nothing(loaded):
    counts = _counts()
    audits = AuditEvent.objects.count()
    load_chains_demo()
    assert _counts() == counts
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize(("username", "label"), SHOWN)
def test_the_logins_work_and_their_pages_answer(loaded, client, settings, username, label):
    settings.YANCHENG_TOTP_REQUIRED = False
    assert f"产业链演示账号：{username}" in "\n".join(loaded)
    response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get(reverse("chains:home")).status_code == 200
    assert client.get(reverse("chains:chain", args=["nonferrous"])).status_code == 200
    assert client.get(reverse("chains:leads", args=["nonferrous"])).status_code == 200

