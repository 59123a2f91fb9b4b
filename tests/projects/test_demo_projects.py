"""The demo projects: the article's projects and ~60 more with everything the rankings,
the lights and the weekly meeting need; loading twice adds nothing.

The city and the projects are loaded once for the module (inside a transaction rolled back
at the end): loading them is the slow part."""

import datetime as dt
import random

import pytest
from django.db import transaction

from yancheng.cases.models import Case, CaseKind, Status
from yancheng.cases.services import case_submit
from yancheng.core.demo import load_hengyang_demo
from yancheng.core.models import User
from yancheng.projects import demo as project_demo
from yancheng.projects.models import (
    AgendaItem,
    ApprovalItem,
    Commitment,
    DailyFeedback,
    FactorNeed,
    MeetingDecision,
    MonthlyReport,
    Node,
    ObservationScore,
    Project,
    Stage,
    TaskForceMember,
    WeeklyMeeting,
)


def counts() -> dict[str, int]:
    models = (Project, TaskForceMember, ApprovalItem, FactorNeed, Node, MonthlyReport, DailyFeedback, Commitment,
              ObservationScore, WeeklyMeeting, AgendaItem, MeetingDecision, Case)
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_hengyang_demo(enterprise_count=40)
        seed = case_submit(actor=User.objects.get(username="qiye"), title=project_demo.SEED_TITLE,
                           description="10kV 高压专线尚未接入，设备无法进场调试。")
        first = project_demo.load_project_demo()
        before = counts()
        second = project_demo.load_project_demo()
        yield {"first": first, "second": second, "before": before, "after": counts(), "seed": seed.pk}
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo, db):
    return demo


def test_loading_twice_adds_nothing(loaded):
    assert loaded["first"]["created"] == len(project_demo.NAMED) + project_demo.GENERATED
    assert loaded["second"]["created"] == 0
    assert loaded["before"] == loaded["after"]


def test_the_articles_projects_are_filed_with_their_enterprises(loaded):
    for named in project_demo.NAMED:
        project = Project.objects.get(code=named.code)
        assert project.name == named.name
        assert project.enterprise is not None and project.enterprise.name == named.enterprise
        assert project.leader is not None
    assert Project.objects.get(name="恒飞电缆智能化产业园项目").stage == Stage.CONSTRUCTION


def test_the_seed_case_is_linked_to_the_paper_box_project(loaded):
    box = Project.objects.get(name="纸箱包装生产线项目")
    assert box.region.code == "430426"
    assert Case.objects.get(pk=loaded["seed"]).subject_ref == f"project:{box.pk}"


def test_projects_spread_over_regions_stages_and_chains(loaded):
    assert Project.objects.count() == 66
    assert Project.objects.values("region").distinct().count() >= 8
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Project.objects.values("chain").distinct().count() >= 8
    assert Project.objects.exclude(started_on=None).filter(stage=Stage.NEGOTIATING).count() == 0


def test_every_project_has_a_task_force_and_a_checklist_with_missing_documents(loaded):
    assert not Project.objects.filter(task_force__isnull=True).exists()
    assert not Project.objects.filter(approvals__isnull=True).exists()
    assert ApprovalItem.objects.exclude(missing_documents="").filter(status="in_progress").count() >= 20


def test_rankings_have_twelve_months_of_reports(loaded):
    cable = Project.objects.get(code="HY-DEMO-0001")
    months = cable.monthly_reports.count()
    assert months >= 10
    assert MonthlyReport.objects.values("month").distinct().count() == 12
    assert cable.annual_plans.exists()


def test_lights_and_the_agenda_have_material(loaded):
    assert Node.objects.filter(actual_finish__isnull=False).exists()
    assert FactorNeed.objects.filter(status="requested").exists()
    assert FactorNeed.objects.filter(status="delivered").exists()
    assert DailyFeedback.objects.values("day").distinct().count() == 5
    assert Commitment.objects.count() == 3 and ObservationScore.objects.count() == 4


def test_one_meeting_is_held_with_its_decisions_assigned_and_one_is_open(loaded):
    held = WeeklyMeeting.objects.get(is_closed=True)
    assert held.agenda.exists() and held.decisions.count() == 3
    for decision in held.decisions.all():
        case = Case.objects.get(pk=decision.case_id)
        assert case.kind == CaseKind.MEETING_TASK and case.status == Status.ASSIGNED
        assert case.lead_org == decision.lead_org
    upcoming = WeeklyMeeting.objects.get(is_closed=False)
    assert upcoming.agenda.exists() and upcoming.decisions.get().case_id is None


def test_the_generated_names_come_from_the_fixed_seed(loaded):
    ctx = project_demo._Context()
    plans = project_demo._plans(random.Random(project_demo.SEED), ctx)
    assert [p.name for p in plans] == list(Project.objects.order_by("code").values_list("name", flat=True))


def test_a_started_projects_preparations_end_about_when_it_started(loaded):
    started = Project.objects.filter(stage__in=[Stage.STARTED, Stage.CONSTRUCTION], started_on__isnull=False)
    checked = 0
    for project in started:
        first = Node.objects.filter(project=project).order_by("sort_order").first()
        if first is None or first.planned_finish is None:
            continue
        assert first.planned_finish <= project.started_on + dt.timedelta(days=45), project.code
        checked += 1
    assert checked


def test_no_name_repeats_a_word(loaded):
    import re

    doubled = re.compile(r"(\S{2,})\1")
    names = [*Project.objects.values_list("name", flat=True), *Case.objects.values_list("subject", flat=True)]
    assert [name for name in names if doubled.search(name)] == []
