"""The 在建重大项目清单 and 重点问题清单 read projects and cases live; the chain office raises and
dispatches chain-level problems (and nobody else's office can act on them)."""

from __future__ import annotations

import pytest

from tests.chains.problems_world import add_project, build_problems, overdue_case
from yancheng.cases.models import CaseKind, Status
from yancheng.cases.services import case_accept, case_reassign, case_resolve
from yancheng.chains.selectors_problems import ProblemFilters, ProjectFilters, chain_problems, project_rows
from yancheng.chains.services.problems import problem_raise
from yancheng.core.errors import NotFoundError, PermissionDeniedError
from yancheng.projects.models import Stage
from yancheng.projects.services.registry import project_advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def pw(cw):
    build_problems(cw)
    return cw


def _numbers(qs):
    return {c.number for c in qs}


def test_problems_list_reads_cases_live_with_their_sources_and_lights(pw):
    rows = {c.pk: c for c in chain_problems(pw.nonferrous)}
    assert set(rows) == {pw.request_case.pk, pw.project_case.pk}
    assert rows[pw.request_case.pk].source == "enterprise"
    assert rows[pw.project_case.pk].source == "project"
    assert {c.light for c in rows.values()} == {"red"}
    later = overdue_case(pw, enterprise=pw.world.enterprise_a, title="环评批复慢")  # A is placed on 冶炼
    assert later.pk in {c.pk for c in chain_problems(pw.nonferrous)}
    assert not chain_problems(pw.electronics).exists()


def test_hazards_and_other_kinds_of_a_chain_enterprise_never_show(pw):
    hazard = overdue_case(pw, kind=CaseKind.HAZARD, enterprise=pw.world.enterprise_b, title="隐患")
    complaint = overdue_case(pw, kind=CaseKind.INSPECTION_COMPLAINT, enterprise=pw.world.enterprise_b, title="投诉")
    listed = {c.pk for c in chain_problems(pw.nonferrous, ProblemFilters(status="all"))}
    assert hazard.pk not in listed and complaint.pk not in listed


def test_a_closed_problem_leaves_the_open_list_and_shows_under_closed(pw):
    case = pw.request_case
    case_accept(case, actor=pw.world.handler_power)
    case_resolve(case, actor=pw.world.handler_power, resolution="已批复送电")
    assert case.pk not in {c.pk for c in chain_problems(pw.nonferrous)}
    assert case.pk in {c.pk for c in chain_problems(pw.nonferrous, ProblemFilters(status="closed"))}


def test_filters_by_source_and_light(pw):
    assert {c.pk for c in chain_problems(pw.nonferrous, ProblemFilters(source="project"))} == {pw.project_case.pk}
    assert not chain_problems(pw.nonferrous, ProblemFilters(light="green")).exists()


def test_projects_list_reads_projects_live(pw):
    rows = project_rows(pw.lianban, pw.nonferrous)
    assert [r.project.pk for r in rows] == [pw.red_project.pk]
    assert rows[0].lights.nodes == "red"
    assert {r.project.pk for r in project_rows(pw.lianban, pw.nonferrous, ProjectFilters(stage="all"))} == {
        pw.red_project.pk, pw.signed_project.pk}
    project_advance(pw.red_project, stage=Stage.COMPLETED, actor=None)
    assert project_rows(pw.lianban, pw.nonferrous) == []
    other = add_project(pw, "新材料产业园项目", code="CH-P-3")
    assert [r.project.pk for r in project_rows(pw.chain_leader, pw.nonferrous)] == [other.pk]


def test_confidential_projects_follow_the_projects_modules_visibility(pw):
    from yancheng.projects.models import Project

    Project.objects.filter(pk=pw.red_project.pk).update(is_confidential=True)
    assert project_rows(pw.lianban, pw.nonferrous) == []
    # Nor do the problems about it reach the chain's readers (their titles would tell), even
    # though the project's enterprise is a chain enterprise.
    of_enterprise = overdue_case(pw, kind=CaseKind.PROJECT_PROBLEM, subject_ref=f"project:{pw.red_project.pk}",
                                 enterprise=pw.world.enterprise_b, title="涉密项目用电")
    listed = {c.pk for c in chain_problems(pw.nonferrous, ProblemFilters(status="all"))}
    assert pw.project_case.pk not in listed and of_enterprise.pk not in listed
    assert pw.request_case.pk in listed


def test_chain_office_raises_assigns_and_the_unit_works_the_problem(pw):
    case = problem_raise(pw.nonferrous, actor=pw.lianban, title="铜箔产能不足", description="下游需求缺口",
                         lead_org=pw.world.city_ndrc, solve_days=10)
    assert case.kind == CaseKind.CHAIN_PROBLEM and case.subject_ref == "chain:nonferrous"
    assert case.subject == "有色金属" and case.status == Status.ASSIGNED and case.dispatch_org == pw.office
    assert case.solve_due_at is not None
    row = chain_problems(pw.nonferrous, ProblemFilters(source="chain")).get()
    assert row.pk == case.pk and row.light == "green"
    case_accept(case, actor=pw.handler_ndrc)
    case_resolve(case, actor=pw.handler_ndrc, resolution="已协调两家企业扩产")
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    # The office dispatches its own chain problems (改派) …
    other = problem_raise(pw.nonferrous, actor=pw.lianban, title="再生铅原料", description="原料不足",
                          lead_org=pw.world.city_ndrc, solve_days=5)
    case_reassign(other, actor=pw.lianban, lead_org=pw.world.power_company, note="供电问题")


@pytest.mark.parametrize("persona", ["lianban_dz", "lianban_qd", "chain_leader", "handler_ndrc", "dispatcher"])
def test_only_the_chains_office_raises_a_chain_problem(pw, persona):
    with pytest.raises(PermissionDeniedError):
        problem_raise(pw.nonferrous, actor=getattr(pw, persona), title="问题", description="说明",
                      lead_org=pw.world.city_ndrc, solve_days=5)


@pytest.mark.parametrize("persona", ["lianban_dz", "dispatcher", "lianban_qd"])
def test_another_office_or_a_dispatcher_elsewhere_cannot_dispatch_it(pw, persona):
    case = problem_raise(pw.nonferrous, actor=pw.lianban, title="铜箔产能不足", description="下游需求缺口",
                         lead_org=pw.world.city_ndrc, solve_days=10)
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        case_reassign(case, actor=getattr(pw, persona), lead_org=pw.world.power_company, note="改派")


def test_a_chain_office_cannot_report_other_kinds(pw):
    from yancheng.cases.services import case_submit

    with pytest.raises(PermissionDeniedError):
        case_submit(actor=pw.lianban, title="诉求", description="说明", kind=CaseKind.ENTERPRISE_REQUEST)
