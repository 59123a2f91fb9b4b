"""Objects the 在建项目 / 重点问题 / 链长会议 tests need on top of the chain world: two projects
of 有色金属 (one under construction with an overdue node — red — and one only signed), an
enterprise request of enterprise B (a chain enterprise) assigned and overdue, a project problem
about the red project, and a hazard-kind case of enterprise B that must never be listed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone

from yancheng.cases.models import Case, CaseKind
from yancheng.cases.services import case_assign, case_submit
from yancheng.projects.models import Node, Project, Stage
from yancheng.projects.services.registry import project_advance, project_create


def add_project(cw: Any, name: str, *, code: str, started: bool = True, red_node: bool = False) -> Project:
    world = cw.world
    project = project_create(actor=None, code=code, name=name, region=world.shigu, chain=cw.nonferrous,
                             total_investment=50000, responsible_org=world.city_ndrc, enterprise=world.enterprise_b)
    today = timezone.localdate()
    project_advance(project, stage=Stage.SIGNED, on=today - dt.timedelta(days=60), actor=None)
    if started:
        project_advance(project, stage=Stage.STARTED, on=today - dt.timedelta(days=50), actor=None)
        project_advance(project, stage=Stage.CONSTRUCTION, on=today - dt.timedelta(days=40), actor=None)
    if red_node:
        Node.objects.create(project=project, name="主体封顶", planned_start=today - dt.timedelta(days=30),
                            planned_finish=today - dt.timedelta(days=3), responsible_org=world.city_ndrc)
    return Project.objects.get(pk=project.pk)


def overdue_case(cw: Any, *, kind: str = CaseKind.ENTERPRISE_REQUEST, subject_ref: str = "", enterprise: Any = None,
                 title: str = "用电报装迟迟未批") -> Case:
    """A case submitted and assigned three weeks ago with a 5-working-day limit: red now."""
    world = cw.world
    with time_machine.travel(timezone.now() - dt.timedelta(days=21), tick=False):
        case = case_submit(actor=None, title=title, description="企业反映", kind=kind, subject_ref=subject_ref,
                           enterprise=enterprise, dispatch_org=world.project_office, reporter_org=world.project_office)
        case = case_assign(case, actor=None, system=True, lead_org=world.power_company, solve_days=5)
    return case


def build_problems(cw: Any) -> None:
    cw.red_project = add_project(cw, "高性能铜箔扩产项目", code="CH-P-1", red_node=True)
    cw.signed_project = add_project(cw, "铅锌冶炼技改项目", code="CH-P-2", started=False)
    cw.request_case = overdue_case(cw, enterprise=cw.world.enterprise_b)
    cw.project_case = overdue_case(cw, kind=CaseKind.PROJECT_PROBLEM, subject_ref=f"project:{cw.red_project.pk}",
                                   title="施工用地未交付")
