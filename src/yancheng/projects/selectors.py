"""Reads of the project registry shared by the pages, the API and the exports. Other apps
(chains, dashboard) read projects through ``project_list`` and ``get_project_for``."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import STAGE_ORDER, Category, Project, Stage

PROJECT_SORTS = {
    "code": "code",
    "-code": "-code",
    "name": "name",
    "-name": "-name",
    "investment": "total_investment",
    "-investment": "-total_investment",
    "stage": "stage_rank",
    "-stage": "-stage_rank",
    "region": "region__code",
    "start": "planned_start",
    "-updated": "-updated_at",
}


@dataclass(frozen=True)
class ProjectFilters:
    q: str = ""
    region: str = ""
    park: str = ""
    chain: str = ""
    stage: str = ""
    category: str = ""
    leader: str = ""
    confidential: str = ""  # "1" only confidential, "0" only open
    inactive: str = ""  # "1" include projects out of the registry
    sort: str = "code"

    @classmethod
    def from_params(cls, params: Any) -> ProjectFilters:
        return cls(**{f: str(params.get(f, "") or "").strip()[:64] for f in cls.__dataclass_fields__})

    def params(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


def _stage_rank() -> Any:
    from django.db.models import Case, IntegerField, Value, When

    return Case(*[When(stage=s, then=Value(i)) for i, s in enumerate(STAGE_ORDER)], default=Value(99),
                output_field=IntegerField())


def project_list(user: Any, filters: ProjectFilters) -> QuerySet[Project]:
    """The projects ``user`` may see, filtered and sorted; one query with its relations."""
    qs = Project.objects.visible_to(user).select_related(
        "region", "park", "chain", "enterprise", "leader", "responsible_org"
    )
    if filters.inactive != "1":
        qs = qs.filter(is_active=True)
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q) | Q(code__icontains=filters.q) | Q(enterprise__name__icontains=filters.q)
        )
    if filters.region:
        qs = qs.filter(Q(region__code=filters.region) | Q(region__parent__code=filters.region))
    if filters.park.isdigit():
        qs = qs.filter(park_id=int(filters.park))
    if filters.chain:
        qs = qs.filter(chain__code=filters.chain)
    if filters.stage in Stage.values:
        qs = qs.filter(stage=filters.stage)
    if filters.category in Category.values:
        qs = qs.filter(category=filters.category)
    if filters.leader.isdigit():
        qs = qs.filter(leader_id=int(filters.leader))
    if filters.confidential in {"0", "1"}:
        qs = qs.filter(is_confidential=filters.confidential == "1")
    order = PROJECT_SORTS.get(filters.sort, "code")
    if "stage_rank" in order:
        qs = qs.annotate(stage_rank=_stage_rank())
    return qs.order_by(order, "pk")


def get_project_for(user: Any, pk: Any, *, write: bool = False) -> Project:
    """The project if ``user`` may see it (else 404: its existence is not revealed); with
    ``write`` also 403 unless the user may maintain it."""
    try:
        project = (
            Project.objects.visible_to(user)
            .select_related("region", "park", "chain", "enterprise", "enterprise__organisation", "leader",
                            "responsible_org")
            .get(pk=int(pk))
        )
    except (Project.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if write and not rules.has_perm("projects.change_project", user, project):
        raise PermissionDenied
    return project


def project_cases(user: Any, project: Project, now: dt.datetime | None = None) -> QuerySet[Any]:
    """The problems reported on the project that ``user`` may see, with their lights."""
    from yancheng.cases.models import Case
    from yancheng.cases.selectors import annotate_lights

    qs = Case.objects.visible_to(user).filter(subject_ref=f"project:{project.pk}")
    return annotate_lights(qs, now).select_related("lead_org", "dispatch_org").order_by(*["light_rank", "-created_at"])


def plan_for_year(project: Project, year: int) -> Any:
    return project.annual_plans.filter(year=year).values_list("planned_investment", flat=True).first()
