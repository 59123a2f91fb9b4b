"""The 在建重大项目清单 and 重点问题清单 in the API (under /api/v1/chains): the lists with the
pages' filters and lights, and 提出链级问题 (``Idempotency-Key``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.cases.models import Case, Urgency
from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination
from yancheng.core.kit.require import require
from yancheng.core.models import Organisation
from yancheng.lib.deadlines import due_day

from .api_common import api_user
from .selectors import get_chain_for
from .selectors_problems import (
    ProblemFilters,
    ProjectFilters,
    ProjectRow,
    chain_problems,
    openable_case_ids,
    project_rows,
)
from .services.problems import problem_raise

router = Router(tags=["chains"])


class ChainProblemOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    source: str
    status: str
    light: str
    enterprise: str | None
    lead_org: str | None
    due_day: dt.date | None
    escalation_level: int
    openable: bool


class ChainProjectOut(Schema):
    id: int
    code: str
    name: str
    stage: str
    light_start: str
    light_progress: str
    light_nodes: str
    leader: str | None
    responsible_org: str | None
    plan_this_year: float | None
    invested_this_year: float | None
    progress_percent: int | None


class ChainProblemRaiseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(..., max_length=120)
    description: str = Field(..., max_length=4000)
    lead_org: int
    solve_days: int = Field(10, ge=1, le=365)
    urgency: str = Urgency.NORMAL


def _problem_out(case: Case, openable: set[int]) -> dict[str, Any]:
    unit = case.lead_org or case.dispatch_org
    return {
        "id": case.pk, "number": case.number, "title": case.title, "kind": case.kind,
        "source": getattr(case, "source", ""), "status": case.status, "light": getattr(case, "light", ""),
        "enterprise": case.enterprise.name if case.enterprise else None, "lead_org": unit.name if unit else None,
        "due_day": due_day(case.solve_due_at), "escalation_level": case.escalation_level,
        "openable": case.pk in openable,
    }


def _num(value: Any) -> float | None:
    return float(value) if value is not None else None


def _project_out(row: ProjectRow) -> dict[str, Any]:
    p, lights = row.project, row.lights
    return {
        "id": p.pk, "code": p.code, "name": p.name, "stage": p.stage, "light_start": lights.start,
        "light_progress": lights.progress.light, "light_nodes": lights.nodes,
        "leader": p.leader.display_name if p.leader else None,
        "responsible_org": p.responsible_org.name if p.responsible_org else None,
        "plan_this_year": _num(getattr(p, "plan_this_year", None)),
        "invested_this_year": _num(getattr(p, "invested_this_year", None)),
        "progress_percent": lights.progress.actual,
    }


@router.get("/{code}/problems", response=list[ChainProblemOut], summary="重点问题清单")
@paginate(Pagination)
def chain_problems_list(request: HttpRequest, code: str) -> Any:
    """The chain's problems (query: ``status`` open/closed/all, ``light``, ``source``
    enterprise/project/chain); ``openable`` says whether the caller may open the case."""
    user = api_user(request)
    chain = get_chain_for(user, code)
    qs = chain_problems(chain, ProblemFilters.from_params(request.GET))

    def page(cases: list[Case]) -> list[dict[str, Any]]:
        openable = openable_case_ids(user, cases)
        return [_problem_out(c, openable) for c in cases]

    return MappedQuerySet(qs, page=page)


@router.post("/{code}/problems", response={201: ChainProblemOut}, summary="提出链级问题")
def chain_problem_raise(request: HttpRequest, code: str, payload: ChainProblemRaiseIn) -> Any:
    """The chain's office raises a chain-level problem and assigns it; send an ``Idempotency-Key``."""
    user = api_user(request)
    chain = get_chain_for(user, code)
    require(user, "chains.manage_chain", chain)
    lead_org = Organisation.objects.filter(pk=payload.lead_org).first()
    if lead_org is None:
        raise ValidationFailed(_("未知的单位。"), field="lead_org")
    case = problem_raise(chain, actor=user, title=payload.title, description=payload.description, lead_org=lead_org,
                         solve_days=payload.solve_days, urgency=payload.urgency)
    row = chain_problems(chain, ProblemFilters(status="all")).get(pk=case.pk)
    return Status(201, _problem_out(row, {case.pk}))


@router.get("/{code}/projects", response=list[ChainProjectOut], summary="在建重大项目清单")
@paginate(Pagination)
def chain_projects_list(request: HttpRequest, code: str) -> Any:
    """The chain's projects the caller may see (query: ``stage`` construction/all, ``light``)."""
    user = api_user(request)
    chain = get_chain_for(user, code)
    return [_project_out(r) for r in project_rows(user, chain, ProjectFilters.from_params(request.GET))]
