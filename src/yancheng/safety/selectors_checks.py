"""Reads of the recurring checks: a task's progress and light in SQL and the filters of the
task and check lists — the one rule for the task list, its export, the API, the to-dos, the
statistics, the dashboard and the monthly bulletin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from yancheng.cases.models import Light

from .models import CheckKind, CheckTask, SafetyCheck
from .selectors import period_bounds

# The lights a task can have: done on time or late, else green, yellow (last third) or red.
TASK_LIGHTS = (Light.GREEN, Light.YELLOW, Light.RED, Light.ONTIME, Light.LATE)
OPEN_LIGHTS = (Light.GREEN.value, Light.YELLOW.value, Light.RED.value)
DONE_LIGHTS = (Light.ONTIME.value, Light.LATE.value)
COUNTING_KINDS = (CheckKind.DEPARTMENT, CheckKind.GRID, CheckKind.VERIFICATION)


def _counting(task: Any, unit: Any, start: Any, end: Any, system: Any) -> Q:
    """The checks that count for a task (its id, unit, period and system, as values or as
    ``OuterRef``s): linked to it, or by its unit under its system within its period (a
    self-check never counts for a unit's task)."""
    linked = Q(task_id=task)
    by_unit = Q(organisation_id=unit, performed_on__gte=start, performed_on__lte=end)
    return (linked | by_unit) & Q(system_id=system, kind__in=COUNTING_KINDS)


def _task_checks() -> QuerySet[SafetyCheck]:
    """The checks that count for the outer task."""
    return SafetyCheck.objects.filter(_counting(
        OuterRef("pk"), OuterRef("unit_id"), OuterRef("period_start"), OuterRef("period_end"), OuterRef("system_id")
    ))


def annotate_tasks(qs: QuerySet[CheckTask], today: dt.date | None = None) -> QuerySet[CheckTask]:
    """``done`` (distinct enterprises checked), ``last_on`` (the last check's date) and
    ``light`` (a ``Light`` value) on each task, in SQL."""
    today = today or timezone.localdate()
    grouped = _task_checks().order_by().values("system_id")
    done = Subquery(grouped.annotate(n=Count("enterprise_id", distinct=True)).values("n")[:1], output_field=IntegerField())
    last = Subquery(grouped.annotate(d=Max("performed_on")).values("d")[:1], output_field=DateField())
    qs = qs.annotate(done=Coalesce(done, Value(0)), last_on=last)
    finished = Q(done__gte=F("target"))
    light = SqlCase(
        When(finished & Q(last_on__lte=F("due_on")), then=Value(Light.ONTIME.value)),
        When(finished, then=Value(Light.LATE.value)),
        When(due_on__lt=today, then=Value(Light.RED.value)),
        When(yellow_on__lte=today, then=Value(Light.YELLOW.value)),
        default=Value(Light.GREEN.value),
        output_field=CharField(),
    )
    return qs.annotate(light=light)


TASK_FILTERS = ("unit", "system", "period", "light", "open", "done", "overdue")


def task_filters(qs: QuerySet[CheckTask], params: Mapping[str, str]) -> QuerySet[CheckTask]:
    """Narrow ``qs`` (lights annotated by ``annotate_tasks``) by the task list's parameters:
    unit: an organisation id; system: a system code; period=YYYY-MM, YYYY-Qn or YYYY (the
    task's period overlaps it); light: a task light; open=1 (not done); done=1 (done, on time
    or late); overdue=1 (red). Unknown values widen."""
    value = {name: (params.get(name) or "").strip() for name in TASK_FILTERS}
    if value["unit"].isdigit():
        qs = qs.filter(unit_id=int(value["unit"]))
    if value["system"]:
        qs = qs.filter(system__code=value["system"])
    span = date_bounds(value["period"])
    if span is not None:
        qs = qs.filter(period_start__lte=span[1], period_end__gte=span[0])
    if value["light"] in {light.value for light in TASK_LIGHTS}:
        qs = qs.filter(**{"light": value["light"]})
    if value["open"] == "1":
        qs = qs.filter(**{"light__in": OPEN_LIGHTS})
    if value["done"] == "1":
        qs = qs.filter(**{"light__in": DONE_LIGHTS})
    if value["overdue"] == "1":
        qs = qs.filter(**{"light": Light.RED.value})
    return qs


CHECK_FILTERS = ("kind", "system", "enterprise", "unit", "month", "task")


def check_filters(qs: QuerySet[SafetyCheck], params: Mapping[str, str]) -> QuerySet[SafetyCheck]:
    """kind; system: a code; enterprise, unit (checking organisation), task: ids;
    month=YYYY-MM (performed in that month; a quarter YYYY-Qn or a year YYYY too)."""
    value = {name: (params.get(name) or "").strip() for name in CHECK_FILTERS}
    if value["kind"] in CheckKind.values:
        qs = qs.filter(kind=value["kind"])
    if value["system"]:
        qs = qs.filter(system__code=value["system"])
    if value["enterprise"].isdigit():
        qs = qs.filter(enterprise_id=int(value["enterprise"]))
    if value["unit"].isdigit():
        qs = qs.filter(organisation_id=int(value["unit"]))
    if value["task"].isdigit():
        task = CheckTask.objects.filter(pk=int(value["task"])).first()
        if task is not None:
            qs = qs.filter(_counting(task.pk, task.unit_id, task.period_start, task.period_end, task.system_id))
    month = date_bounds(value["month"])
    if month is not None:
        qs = qs.filter(performed_on__gte=month[0], performed_on__lte=month[1])
    return qs


def date_bounds(text: str) -> tuple[dt.date, dt.date] | None:
    """``YYYY-MM``, ``YYYY-Qn`` or ``YYYY`` as its first and last day (``period_bounds``); else None."""
    span = period_bounds(text)
    if span is None:
        return None
    return span[0].date(), span[1].date() - dt.timedelta(days=1)


def tasks_for(user: object, params: Mapping[str, str] | None = None, today: dt.date | None = None) -> QuerySet[CheckTask]:
    """The user's tasks with their lights, filtered: the list, its export, the API, the to-dos."""
    qs = annotate_tasks(CheckTask.objects.visible_to(user).select_related("system", "unit", "duty"), today)  # type: ignore[arg-type]
    return task_filters(qs, params or {})
