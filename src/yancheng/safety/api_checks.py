"""常态化 endpoints under /api/v1/safety: the check tasks with their lights (the same rule as
the pages), the 安委办's generation, and check records — list, detail and creation (a
department's check on the caller's own inspection registration, a self-check, a grid patrol).
Creating POSTs take an ``Idempotency-Key`` (installed for every POST by the API's guards)."""


import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination
from yancheng.core.kit.require import require
from yancheng.core.models import Enterprise

from .models import CheckTask, SafetyCheck, SafetySystem
from .selectors_checks import check_filters, tasks_for
from .services.checks import (
    CheckInput,
    ItemResult,
    own_enterprise,
    safety_check_record_department,
    safety_check_record_grid,
    safety_check_record_self,
)
from .services.checks_generation import check_tasks_generate

router = Router(tags=["safety"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class TaskFilters(Schema):
    unit: str = ""
    system: str = ""
    period: str = ""
    light: str = ""
    open: str = ""
    done: str = ""
    overdue: str = ""


class CheckTaskOut(Schema):
    id: int
    system: str
    unit: int
    unit_name: str
    duty: str
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date
    target: int
    done: int
    light: str


def _task_out(task: CheckTask) -> dict[str, Any]:
    return {
        "id": task.pk, "system": task.system.code, "unit": task.unit_id, "unit_name": task.unit.name,
        "duty": task.duty.text, "period_start": task.period_start, "period_end": task.period_end,
        "due_on": task.due_on, "target": task.target, "done": task.done, "light": task.light,  # type: ignore[attr-defined]
    }


@router.get("/tasks", response=list[CheckTaskOut], summary="检查任务列表")
@paginate(Pagination)
def safety_tasks_list(request: HttpRequest, filters: Query[TaskFilters]) -> Any:
    """The caller's tasks with progress (``done`` of ``target``) and light, soonest due first."""
    user = _user(request)
    require(user, "safety.view_tasks")
    return MappedQuerySet(tasks_for(user, filters.dict()), _task_out)


class GenerateIn(Schema):
    year: int
    month: int


class GenerateOut(Schema):
    year: int
    month: int
    created: int
    existing: int


@router.post("/tasks/generate", response=GenerateOut, summary="生成检查任务")
def safety_tasks_generate(request: HttpRequest, payload: GenerateIn) -> dict[str, Any]:
    """The 安委办 generates a month's tasks; running it again makes nothing new."""
    user = _user(request)
    if not (2000 <= payload.year <= 2100 and 1 <= payload.month <= 12):
        raise ValidationFailed(_("请选择月份（如 2026-05）。"), field="month")
    result = check_tasks_generate(year=payload.year, month=payload.month, actor=user)
    return {"year": result.year, "month": result.month, "created": result.created, "existing": result.existing}


class CheckFilters(Schema):
    kind: str = ""
    system: str = ""
    enterprise: str = ""
    unit: str = ""
    month: str = ""
    task: str = ""


class CheckItemOut(Schema):
    id: int
    number: str
    kind: str
    enterprise: int
    enterprise_name: str
    system: str
    organisation: int
    performed_on: dt.date
    inspection: int | None
    task: int | None


class ResultOut(Schema):
    item: str
    outcome: str
    note: str


class CheckDetailOut(CheckItemOut):
    summary: str
    results: list[ResultOut]
    hazards: list[str]


def _check_out(check: SafetyCheck) -> dict[str, Any]:
    return {
        "id": check.pk, "number": check.number, "kind": check.kind, "enterprise": check.enterprise_id,
        "enterprise_name": check.enterprise.name, "system": check.system.code, "organisation": check.organisation_id,
        "performed_on": check.performed_on, "inspection": check.inspection_id, "task": check.task_id,
    }


def _visible_checks(user: Any) -> Any:
    return SafetyCheck.objects.visible_to(user).select_related("enterprise", "system")


@router.get("/checks", response=list[CheckItemOut], summary="安全检查记录列表")
@paginate(Pagination)
def safety_checks_list(request: HttpRequest, filters: Query[CheckFilters]) -> Any:
    user = _user(request)
    require(user, "safety.view_checks")
    return MappedQuerySet(check_filters(_visible_checks(user), filters.dict()), _check_out)


def _detail(user: Any, pk: int) -> dict[str, Any]:
    check = _visible_checks(user).filter(pk=pk).first()
    if check is None:
        raise Http404
    return _check_out(check) | {
        "summary": check.summary,
        "results": [{"item": r.item.code, "outcome": r.outcome, "note": r.note}
                    for r in check.results.select_related("item")],
        "hazards": list(check.hazards.order_by("pk").values_list("number", flat=True)),
    }


@router.get("/checks/{check_id}", response=CheckDetailOut, summary="安全检查记录详情")
def safety_check_detail(request: HttpRequest, check_id: int) -> dict[str, Any]:
    user = _user(request)
    require(user, "safety.view_checks")
    return _detail(user, check_id)


class ResultIn(Schema):
    item: str
    outcome: Literal["pass", "fail", "na"]
    note: str = ""
    hazard_level: Literal["", "general", "major"] = ""
    hazard_description: str = ""


class CheckIn(Schema):
    kind: Literal["department", "self", "grid"]
    system: str
    enterprise: int | None = None
    inspection: int | None = None
    results: list[ResultIn]
    summary: str = ""


@router.post("/checks", response={201: CheckDetailOut}, summary="记录安全检查")
def safety_checks_create(request: HttpRequest, payload: CheckIn, response: HttpResponse) -> Any:
    """A department check (``inspection``: the caller's own registration of the enterprise), a
    self-check (the caller's enterprise) or a grid patrol; results by checklist item code, a
    failed item with ``hazard_level`` reported as a hazard in the same transaction."""
    user = _user(request)
    system = SafetySystem.objects.filter(code=payload.system).first()
    if system is None:
        raise ValidationFailed(_("未知的责任制。"), field="system")
    enterprise = own_enterprise(user) if payload.kind == "self" and payload.enterprise is None else (
        Enterprise.objects.filter(pk=payload.enterprise).first() if payload.enterprise is not None else None)
    if enterprise is None:
        raise ValidationFailed(_("请选择企业。"), field="enterprise")
    items = {item.code: item.pk for item in system.items.filter(is_active=True)}
    unknown = [r.item for r in payload.results if r.item not in items]
    if unknown:
        raise ValidationFailed(_("检查项不属于所选责任制。"), field="results")
    data = CheckInput(system=system, enterprise=enterprise, summary=payload.summary, results=[
        ItemResult(items[r.item], r.outcome, r.note, r.hazard_level, r.hazard_description) for r in payload.results
    ])
    if payload.kind == "department":
        if payload.inspection is None:
            raise ValidationFailed(_("部门检查须指定本人的入企检查登记。"), field="inspection")
        recorded = safety_check_record_department(actor=user, inspection_id=payload.inspection, data=data)
    elif payload.kind == "self":
        recorded = safety_check_record_self(actor=user, data=data)
    else:
        recorded = safety_check_record_grid(actor=user, data=data)
    response["Location"] = f"{request.path.rstrip('/')}/{recorded.check.pk}"
    return _detail(user, recorded.check.pk)
