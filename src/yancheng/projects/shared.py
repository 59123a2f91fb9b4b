"""What other modules may read of 五制一平台 projects (the one import of this app other domain
apps are allowed, see the import contract). The chains module lists a chain's projects under
construction live (never a copy), with their lights; its target lights use the projects'
序时进度 rule and the city's thresholds for it; a signed 招商 lead becomes a project here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region
from yancheng.core.typing import Actor

from .lights import (
    ProjectLights,
    Thresholds,
    lights_for_page,
    progress_light_for_gap,
    thresholds,
    with_light_data,
)
from .models import Project, Stage, StageChange
from .selectors import ProjectFilters, project_list

# 在建重大项目清单: projects that have started and are not yet completed.
UNDER_CONSTRUCTION = (Stage.STARTED, Stage.CONSTRUCTION)

__all__ = [
    "LANDED_STAGES", "UNDER_CONSTRUCTION", "Project", "ProjectBrief", "ProjectLights", "Stage", "Thresholds",
    "chain_project_ids", "chain_projects", "confidential_project_refs", "enterprise_projects", "lights_for_page", "plan_light_for_gap",
    "plan_thresholds", "project_briefs", "project_file_from_lead", "stage_label", "with_investment_this_year",
]

# A project that has broken ground (落地开工) or gone further: a 招商 lead it came from is done.
LANDED_STAGES = (Stage.STARTED, Stage.CONSTRUCTION, Stage.COMPLETED, Stage.PRODUCING)


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
    """The ids of the chain's open (not 涉密/敏感) projects in the registry, whatever their stage:
    the chains' 重点问题清单 reads the cases about them (``subject_ref`` "project:<pk>") and shows
    a row to every reader of the chain, linking it only where they may open the case."""
    return (Project.objects.filter(chain=chain, is_active=True, is_confidential=False)
            .order_by().values_list("pk", flat=True))


def confidential_project_refs() -> QuerySet[Project, Any]:
    """``subject_ref`` of the cases about 涉密/敏感 projects (a subquery: "project:<pk>"): a list
    read by people the projects module does not let see those projects (a chain's readers)
    leaves them out, whoever the case's enterprise is."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    return (Project.objects.filter(is_confidential=True).order_by()
            .annotate(ref=Concat(Value("project:"), Cast("pk", output_field=CharField()), output_field=CharField()))
            .values("ref"))


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


@dataclass(frozen=True)
class ProjectBrief:
    """What a chain page shows of a project a 招商 lead became: its code, stage and worst light."""

    pk: int
    code: str
    name: str
    stage: str
    stage_label: str
    light: str


def project_briefs(ids: list[int]) -> dict[int, ProjectBrief]:
    """Briefs of these projects (two queries for the lights, one for the rows), keyed by pk."""
    projects = list(Project.objects.filter(pk__in=ids))
    lights = lights_for_page(projects) if projects else {}
    return {
        p.pk: ProjectBrief(pk=p.pk, code=p.code, name=p.name, stage=p.stage, stage_label=stage_label(p.stage),
                           light=lights[p.pk].worst if p.pk in lights else "")
        for p in projects
    }


def project_file_from_lead(
    *, actor: Actor | None, chain: IndustryChain, lead_number: str, name: str, region: Region,
    responsible_org: Organisation, total_investment: Any, signed_on: dt.date, enterprise: Enterprise | None = None,
    description: str = "",
) -> Project:
    """File a project in 签约 from a signed 招商 lead of `chain` (招商引资重点项目清单 → 重大项目库).

    Who may: the chain's office, which the caller (``chains.services.leads.lead_convert``) has
    already checked with the audited ``chains.manage_chain``. ``projects.add_project`` is not
    widened for chain offices: the projects service is called as the system (``actor=None``),
    so its own validation runs (region, responsible unit, investment, name) while its
    permission and area checks, which are about dispatchers filing their own area's projects,
    do not apply. The real actor is then named where the system would be: on the project's
    first stage change and in an audit record ``project.create_from_lead`` of its own (next to
    the ``project.create`` record the service writes). The caller checks that the actor sees
    the enterprise."""
    from .services.registry import project_create

    with transaction.atomic():
        project = project_create(
            actor=None, stage=Stage.SIGNED, name=name, region=region, responsible_org=responsible_org,
            total_investment=total_investment, enterprise=enterprise, chain=chain, description=description,
        )
        project.signed_on = signed_on
        project.save(update_fields=["signed_on", "updated_at"])
        recorder = actor if getattr(actor, "pk", None) else None
        StageChange.objects.filter(project=project).update(actor=recorder, note=(_("招商线索 %(n)s 签约转入") % {"n": lead_number})[:500])
        audit_record("project.create_from_lead", project, actor=actor, after={
            "code": project.code, "lead": lead_number, "chain": chain.code, "signed_on": signed_on.isoformat(),
        })
    return project


def enterprise_projects(user: Actor, enterprise_ids: list[int], chain: IndustryChain) -> QuerySet[Project]:
    """The chain's active projects (any stage) of these enterprises that the user may see —
    what a map node's panel lists for the enterprises placed on it — with their SQL lights
    (``lights_for_page`` gives all three)."""
    qs = project_list(user, ProjectFilters(chain=chain.code)).filter(enterprise_id__in=enterprise_ids)
    return with_light_data(qs)
