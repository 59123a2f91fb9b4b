"""Reads of the 在建重大项目清单 and the 重点问题清单: both live, never copied.

- Projects come from ``projects/shared.chain_projects`` — the projects module's own visibility
  (a city-level 链办 or 链长 reads the chain's non-confidential projects; a confidential one
  only where the projects module lets the reader see it).
- Problems come from the case engine (``cases.selectors.cases_about``): 项目问题, 企业诉求,
  调度会议交办事项 and 产业链问题 of the chain's enterprises, of its projects
  (``subject_ref`` "project:<pk>") and the chain-level ones (``subject_ref`` "chain:<code>") —
  never petitions, hazards or inspection complaints, and never a case about a 涉密/敏感 project
  (its title would reach readers the projects module keeps it from). A reader of the chain sees
  every row; the row links to the case page only where the case engine lets the reader open it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import CharField, QuerySet, Value, When
from django.utils import timezone

from yancheng.cases.models import OPEN_STATUSES, Case, CaseKind, Status
from yancheng.cases.selectors import cases_about
from yancheng.core.models import IndustryChain
from yancheng.core.typing import Actor
from yancheng.projects.shared import (
    UNDER_CONSTRUCTION,
    Project,
    ProjectLights,
    Stage,
    chain_project_ids,
    chain_projects,
    confidential_project_refs,
    lights_for_page,
    with_investment_this_year,
)

from .selectors import RED, SEVERITY, chain_enterprises

PROBLEM_KINDS = (CaseKind.PROJECT_PROBLEM, CaseKind.ENTERPRISE_REQUEST, CaseKind.MEETING_TASK, CaseKind.CHAIN_PROBLEM)
SOURCE_ENTERPRISE, SOURCE_PROJECT, SOURCE_CHAIN = "enterprise", "project", "chain"
STATUS_SCOPES = ("open", "closed", "all")
CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.WITHDRAWN, Status.MERGED)
STAGE_SCOPES = ("construction", "all")


def chain_ref(chain: IndustryChain) -> str:
    return f"chain:{chain.code}"


# --- 重点问题清单 --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemFilters:
    light: str = ""
    status: str = "open"
    source: str = ""

    @classmethod
    def from_params(cls, params: Any) -> ProblemFilters:
        status = str(params.get("status", "") or "open")
        return cls(light=str(params.get("light", "") or "")[:16],
                   status=status if status in STATUS_SCOPES else "open",
                   source=str(params.get("source", "") or "")[:16])


def chain_problems(chain: IndustryChain, filters: ProblemFilters | None = None,
                   now: dt.datetime | None = None) -> QuerySet[Case]:
    """The chain's problems, lit, with ``source`` (chain / project / enterprise), most urgent first."""
    filters = filters or ProblemFilters()
    project_refs = [f"project:{pk}" for pk in chain_project_ids(chain)]
    qs = cases_about(
        enterprise_ids=chain_enterprises(chain).values("pk"),
        subject_refs=[chain_ref(chain), *project_refs],
        kinds=PROBLEM_KINDS, now=now,
    ).annotate(source=SqlCase(
        When(subject_ref=chain_ref(chain), then=Value(SOURCE_CHAIN)),
        When(subject_ref__in=project_refs or ["-"], then=Value(SOURCE_PROJECT)),
        default=Value(SOURCE_ENTERPRISE), output_field=CharField(),
    )).select_related("region")
    qs = qs.exclude(subject_ref__in=confidential_project_refs())
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status == "closed":
        qs = qs.filter(status__in=CLOSED_STATUSES)
    if filters.light:
        qs = qs.filter(**{"light": filters.light})  # an annotation of annotate_lights
    if filters.source in (SOURCE_ENTERPRISE, SOURCE_PROJECT, SOURCE_CHAIN):
        qs = qs.filter(**{"source": filters.source})
    return qs.order_by(*["light_rank", "solve_due_at", "-created_at", "pk"])


def openable_case_ids(user: Actor, cases: list[Case]) -> set[int]:
    """Of these cases, those the user may open on the case page (one query)."""
    ids = [c.pk for c in cases]
    return set(Case.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()


def red_problems(chain: IndustryChain, now: dt.datetime | None = None) -> QuerySet[Case]:
    return chain_problems(chain, ProblemFilters(light=RED, status="open"), now=now)


# --- 在建重大项目清单 ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectFilters:
    stage: str = "construction"
    light: str = ""

    @classmethod
    def from_params(cls, params: Any) -> ProjectFilters:
        stage = str(params.get("stage", "") or "construction")
        return cls(stage=stage if stage in STAGE_SCOPES else "construction", light=str(params.get("light", "") or "")[:16])


@dataclass
class ProjectRow:
    project: Project
    lights: ProjectLights

    @property
    def worst(self) -> str:
        return self.lights.worst


def project_rows(user: Actor, chain: IndustryChain, filters: ProjectFilters | None = None,
                 today: dt.date | None = None) -> list[ProjectRow]:
    """The chain's projects the user may see (under construction, or every stage), with their
    three lights and this year's investment against plan; ``light`` keeps the rows whose
    worst light it is. Worst first."""
    filters = filters or ProjectFilters()
    today = today or timezone.localdate()
    stages = UNDER_CONSTRUCTION if filters.stage == "construction" else tuple(Stage.values)
    qs = with_investment_this_year(chain_projects(user, chain, stages=stages), today.year)
    projects = list(qs.order_by("code", "pk"))
    lights = lights_for_page(projects, today=today)
    rows = [ProjectRow(p, lights[p.pk]) for p in projects]
    if filters.light:
        rows = [r for r in rows if r.worst == filters.light]
    rows.sort(key=lambda r: -SEVERITY.get(r.worst, 0))
    return rows


def red_projects(chain: IndustryChain) -> list[ProjectRow]:
    """The chain's projects under construction with a red light (start, progress or nodes)."""
    return [r for r in _all_project_rows(chain) if RED in (r.lights.start, r.lights.progress.light, r.lights.nodes)]


def _all_project_rows(chain: IndustryChain) -> list[ProjectRow]:
    """Every project of the chain under construction (the meeting's agenda is the chain's own)."""
    projects = list(Project.objects.filter(chain=chain, is_active=True, stage__in=UNDER_CONSTRUCTION)
                    .select_related("responsible_org", "leader").order_by("code", "pk"))
    lights = lights_for_page(projects)
    return [ProjectRow(p, lights[p.pk]) for p in projects]

