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

from .lights import (
    ProjectLights,
    Thresholds,
    lights_for_page,
    progress_light_for_gap,
    thresholds,
    with_light_data,
)
from .models import Project, Stage
from .selectors import ProjectFilters, project_list

# 在建重大项目清单: projects that have started and are not yet completed.
UNDER_CONSTRUCTION = (Stage.STARTED, Stage.CONSTRUCTION)

__all__ = [
    "UNDER_CONSTRUCTION", "Project", "ProjectLights", "Stage", "Thresholds", "chain_projects", "lights_for_page",
    "plan_light_for_gap", "plan_thresholds", "stage_label",
]


def chain_projects(user: Actor, chain: IndustryChain, *, stages: tuple[str, ...] = UNDER_CONSTRUCTION) -> QuerySet[Project]:
    """The chain's projects the user may see, in the given stages, annotated with their SQL
    lights (``light_start``, ``light_nodes``; ``lights_for_page`` gives all three)."""
    qs = project_list(user, ProjectFilters(chain=chain.code)).filter(stage__in=stages)
    return with_light_data(qs)


def plan_light_for_gap(points_behind: Fraction | Decimal | int, limits: Thresholds | None = None) -> str:
    """The 序时进度 light for a figure this many points behind its linear plan, with the city's
    configured thresholds (yellow 10–30 points, red beyond, by default); a list lighting many
    figures reads ``plan_thresholds()`` once and passes them as ``limits``."""
    return progress_light_for_gap(points_behind, thresholds() if limits is None else limits)


def plan_thresholds() -> Thresholds:
    """The city's configured light thresholds (one query)."""
    return thresholds()


def stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage
