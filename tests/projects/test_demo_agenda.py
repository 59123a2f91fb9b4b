"""The demo's weekly meetings name the project of each problem: the case demo reports the
problems before the project demo files the projects (as ``yancheng demo`` loads them), and
the project demo links an enterprise's problems to its project.

Its own module: the city, the cases and the projects are loaded once here, in that order,
inside a transaction rolled back at the end."""

import pytest
from django.db import transaction

from yancheng.cases.demo import load_case_demo
from yancheng.cases.models import Case, CaseKind
from yancheng.core.demo import load_hengyang_demo
from yancheng.projects import demo as project_demo
from yancheng.projects.models import AgendaItem, Project


@pytest.fixture(scope="module")
def demo_with_cases(django_db_setup, django_db_blocker):
    """As ``yancheng demo`` loads them: the city, its cases, then the projects."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_hengyang_demo(enterprise_count=40)
        load_case_demo(count=120)
        project_demo.load_project_demo()
        yield
        transaction.set_rollback(True)


def test_the_demo_agendas_name_the_project_of_each_problem(demo_with_cases, db):
    """The demo's problems are reported before the projects are filed; an enterprise's
    problems are linked to its project, so the meeting's red and yellow items show it."""
    owners = set(Project.objects.exclude(enterprise=None).values_list("enterprise_id", flat=True))
    problems = Case.objects.filter(kind=CaseKind.PROJECT_PROBLEM, enterprise_id__in=owners)
    assert problems.count() > 1 and not problems.filter(subject_ref="").exists()
    lit = AgendaItem.objects.filter(source__in=[AgendaItem.Source.RED_CASE, AgendaItem.Source.YELLOW_CASE])
    named = lit.exclude(project=None).select_related("project")
    assert named.exists()
    for item in named:
        case = Case.objects.get(pk=item.ref_id)
        assert case.subject_ref == f"project:{item.project_id}" and case.subject == item.project.name
        assert case.enterprise_id == item.project.enterprise_id
    # Only problems of enterprises without a project stay without one.
    for item in lit.filter(project=None):
        case = Case.objects.get(pk=item.ref_id)
        assert case.kind != CaseKind.PROJECT_PROBLEM or case.enterprise_id not in owners
