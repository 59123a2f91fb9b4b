"""What other modules may read of 五制一平台 projects (the one import of this app other domain
apps are allowed, see the import contract). The chains module lists a chain's projects under
construction live (never a copy), with their lights; its target lights use the projects'
序时进度 rule and the city's thresholds for it; a signed 招商 lead becomes a project here."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.db.models import QuerySet

from yancheng.core.models import IndustryChain
from yancheng.core.typing import Actor

from .lights import ProjectLights, lights_for_page, progress_light_for_gap, thresholds, with_light_data
from .models import Project, Stage
from .selectors import ProjectFilters, project_list

# 在建重大项目清单: projects that have started and are not yet completed.
UNDER_CONSTRUCTION = (Stage.STARTED, Stage.CONSTRUCTION)

__all__ = [
    "UNDER_CONSTRUCTION", "Project", "ProjectLights", "Stage", "chain_project_ids", "chain_projects",
    "lights_for_page", "plan_light_for_gap", "stage_label", "with_investment_this_year",
]


def chain_projects(user: Actor, chain: IndustryChain, *, stages: tuple[str, ...] = UNDER_CONSTRUCTION) -> QuerySet[Project]:
    """The chain's projects the user may see, in the given stages, annotated with their SQL
    lights (``light_start``, ``light_nodes``; ``lights_for_page`` gives all three)."""
    qs = project_list(user, ProjectFilters(chain=chain.code)).filter(stage__in=stages)
    return with_light_data(qs)


def with_investment_this_year(qs: QuerySet[Project], year: int) -> QuerySet[Project]:
    """Annotate ``plan_this_year`` (the 年度计划投资, 万元) and ``invested_this_year`` (the year's
    latest reported 年度累计完成投资) — two subqueries, no extra query per row."""
    from django.db.models import DecimalField, OuterRef, Subquery

    from .models import AnnualPlan, MonthlyReport

    money = DecimalField(max_digits=14, decimal_places=2)
    plan = AnnualPlan.objects.filter(project=OuterRef("pk"), year=year).values("planned_investment")[:1]
    ytd = (MonthlyReport.objects.filter(project=OuterRef("pk"), month__year=year)
           .order_by("-month").values("invested_ytd")[:1])
    return qs.annotate(plan_this_year=Subquery(plan, output_field=money),
                       invested_this_year=Subquery(ytd, output_field=money))


def chain_project_ids(chain: IndustryChain) -> QuerySet[Project, int]:
    """The ids of the chain's projects in the registry, whatever their stage or confidentiality
    (a subquery): the chains' 重点问题清单 reads the cases about them (``subject_ref``
    "project:<pk>") and shows a row to the chain's readers, linking it only where they may
    open the case."""
    return Project.objects.filter(chain=chain, is_active=True).order_by().values_list("pk", flat=True)


def plan_light_for_gap(points_behind: Fraction | Decimal | int) -> str:
    """The 序时进度 light for a figure this many points behind its linear plan, with the city's
    configured thresholds (yellow 10–30 points, red beyond, by default)."""
    return progress_light_for_gap(points_behind, thresholds())


def stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage
