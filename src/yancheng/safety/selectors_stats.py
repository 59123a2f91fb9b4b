"""The safety figures (统计): hazards and checks against the plan by region, system,
supervising department, enterprise, unit and month, for a month, a quarter or a year.

Every figure is counted in SQL over what the user may see (``visible_to``), with the light
rule of ``selectors.annotate_hazard_lights`` / ``selectors_checks.annotate_tasks``, and carries
the query parameters of the list that shows the same rows (``hazard_filters`` /
``selectors_checks.task_filters``): the figure is that list's total.

- Flows — found, 重大 found, closed on time, closed late, repeats — count the hazards
  reported in the period.
- Stocks — overdue open (red), 重大 open, open under 督办 — count what is open now, whenever
  reported; in the trend by month, the hazards reported in that month.
- Checks against the plan count the tasks whose period overlaps the period (the task list's
  ``period``): tasks, done (on time or late), overdue (red), the enterprises to check
  (target) and those checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yancheng.cases.models import Light
from yancheng.core.typing import Actor

from .models import CheckTask, Hazard, HazardLevel, HazardStage
from .models.hazards import OPEN_STAGES
from .selectors import annotate_hazard_lights, period_bounds
from .selectors_checks import DONE_LIGHTS, annotate_tasks, task_filters

PERIODS = ("month", "quarter", "year")
PERIOD_LABELS = {"month": _("月"), "quarter": _("季度"), "year": _("年")}


@dataclass(frozen=True)
class StatsPeriod:
    kind: str
    first: dt.date
    last: dt.date

    @property
    def key(self) -> str:
        """The period as the lists' ``period`` parameter: 2026-05, 2026-Q2 or 2026."""
        if self.kind == "year":
            return f"{self.first.year}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return f"{self.first:%Y-%m}"

    def months(self) -> Iterator[dt.date]:
        """The first day of each month in the period."""
        day = self.first
        while day <= self.last:
            yield day
            day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)

    def previous(self) -> StatsPeriod:
        return period_of(self.kind, self.first - dt.timedelta(days=1))

    def following(self) -> StatsPeriod:
        return period_of(self.kind, self.last + dt.timedelta(days=1))


def period_of(kind: str, anchor: dt.date) -> StatsPeriod:
    """The month, quarter or year holding ``anchor`` (an unknown kind is a month)."""
    kind = kind if kind in PERIODS else "month"
    if kind == "year":
        return StatsPeriod(kind, dt.date(anchor.year, 1, 1), dt.date(anchor.year, 12, 31))
    first_month = anchor.month if kind == "month" else (anchor.month - 1) // 3 * 3 + 1
    months = 1 if kind == "month" else 3
    end_month = first_month + months
    following = dt.date(anchor.year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
    return StatsPeriod(kind, dt.date(anchor.year, first_month, 1), following - dt.timedelta(days=1))


# --- hazards ------------------------------------------------------------------------------------------

# Each figure: whether it counts the period's reports (a flow) or what is open now (a stock),
# and the hazard list's parameters that show its rows.
HAZARD_FIGURES: dict[str, tuple[bool, dict[str, str]]] = {
    "found": (True, {}),
    "major_found": (True, {"level": HazardLevel.MAJOR.value}),
    "ontime": (True, {"stage": HazardStage.CLOSED.value, "light": Light.ONTIME.value}),
    "late": (True, {"stage": HazardStage.CLOSED.value, "light": Light.LATE.value}),
    "overdue_open": (False, {"open": "1", "light": Light.RED.value}),
    "major_open": (False, {"open": "1", "level": HazardLevel.MAJOR.value}),
    "supervised_open": (False, {"open": "1", "supervised": "1"}),
    "repeat": (True, {"repeat": "1"}),
}
HAZARD_FIGURE_LABELS = {
    "found": _("发现隐患"), "major_found": _("其中重大隐患"), "ontime": _("按期整改销号"), "late": _("逾期销号"),
    "overdue_open": _("逾期未整改"), "major_open": _("重大隐患未销号"), "supervised_open": _("挂牌督办中"),
    "repeat": _("重复隐患"),
}

# The groupings: (key field, label field, the hazard list's parameter).
HAZARD_DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "region": ("region__code", "region__name", "region"),
    "system": ("system__code", "system__name", "system"),
    "org": ("supervising_org_id", "supervising_org__name", "org"),
    "enterprise": ("enterprise_id", "enterprise__name", "enterprise"),
}
DIMENSION_LABELS = {"region": _("区划"), "system": _("责任制"), "org": _("监管部门"), "enterprise": _("企业"),
                    "month": _("月份"), "unit": _("责任单位")}


def _condition(params: dict[str, str]) -> Q:
    """The rows of ``hazard_filters(params)`` as a condition (the same names, the same meaning)."""
    condition = Q()
    if "level" in params:
        condition &= Q(level=params["level"])
    if "stage" in params:
        condition &= Q(stage=params["stage"])
    if params.get("open") == "1":
        condition &= Q(stage__in=OPEN_STAGES)
    if params.get("supervised") == "1":
        condition &= Q(supervised_at__isnull=False)
    if params.get("repeat") == "1":
        condition &= Q(repeat_of__isnull=False)
    if "light" in params:
        condition &= Q(light=params["light"])
    return condition


def list_url(name: str, params: dict[str, str]) -> str:
    """The list ``name`` filtered by ``params``; empty while that list is not installed."""
    try:
        base = reverse(name)
    except NoReverseMatch:
        return ""
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{base}?{query}" if query else base


def hazard_list_url(params: dict[str, str]) -> str:
    return list_url("safety:hazard_list", params)


def task_list_url(params: dict[str, str]) -> str:
    """The check tasks' list, whose rule (``selectors_checks.task_filters``) the figures count by."""
    return list_url("safety:check_task_list", params)


@dataclass
class FigureRow:
    """One row of a table: its key (the list parameter's value), its label, and per figure
    the count and the list parameters showing those rows."""

    key: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    params: dict[str, dict[str, str]] = field(default_factory=dict)

    def url(self, figure: str) -> str:
        return hazard_list_url(self.params[figure])

    @property
    def cells(self) -> list[dict[str, Any]]:
        return [{"figure": name, "count": self.counts[name], "url": self.url(name)} for name in self.counts]

    def rate(self, part: str, whole: str) -> float | None:
        return round(100 * self.counts[part] / self.counts[whole], 1) if self.counts.get(whole) else None


def visible_hazards(user: Actor, now: dt.datetime | None = None) -> QuerySet[Hazard]:
    """What the figures count for ``user``: the hazards they may see, lights annotated."""
    return annotate_hazard_lights(Hazard.objects.visible_to(user).order_by(), now)


def _aggregates(span: tuple[dt.datetime, dt.datetime] | None) -> dict[str, Count]:
    reported = Q(reported_at__gte=span[0], reported_at__lt=span[1]) if span else Q()
    return {
        name: Count("pk", filter=(reported if flow else Q()) & _condition(params))
        for name, (flow, params) in HAZARD_FIGURES.items()
    }


def _figure_params(period_key: str, base: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        name: {**base, **({"period": period_key} if flow else {}), **params}
        for name, (flow, params) in HAZARD_FIGURES.items()
    }


def hazard_totals(user: Actor, period: StatsPeriod, *, now: dt.datetime | None = None,
                  base: dict[str, str] | None = None) -> FigureRow:
    """The figures over everything the user sees (narrowed by ``base``, list parameters of
    region/system/org/enterprise, when given)."""
    from .selectors import hazard_filters

    base = dict(base or {})
    qs = hazard_filters(visible_hazards(user, now), base) if base else visible_hazards(user, now)
    counts = qs.aggregate(**_aggregates(period_bounds(period.key)))
    return FigureRow("", str(_("合计")), {k: int(v or 0) for k, v in counts.items()}, _figure_params(period.key, base))


def hazard_figures(user: Actor, dimension: str, period: StatsPeriod, *,
                   now: dt.datetime | None = None) -> list[FigureRow]:
    """One row per region, system, supervising department or enterprise with any figure
    (one grouped query); hazards of a place outside any enterprise have no enterprise row."""
    key_field, label_field, param = HAZARD_DIMENSIONS[dimension]
    qs = visible_hazards(user, now)
    if dimension == "enterprise":
        qs = qs.filter(enterprise__isnull=False)
    grouped = qs.values(key_field, label_field).annotate(**_aggregates(period_bounds(period.key)))
    rows = []
    for group in grouped:
        counts = {name: int(group[name] or 0) for name in HAZARD_FIGURES}
        if not any(counts.values()):
            continue
        key = str(group[key_field])
        rows.append(FigureRow(key, str(group[label_field]), counts, _figure_params(period.key, {param: key})))
    rows.sort(key=lambda r: (-r.counts["found"], -r.counts["overdue_open"], r.label))
    return rows


def hazard_trend(user: Actor, period: StatsPeriod, *, now: dt.datetime | None = None) -> list[FigureRow]:
    """Per month of the period (the six months up to it for a month): every figure of the
    hazards reported in that month."""
    months = list(period.months())
    if period.kind == "month":
        months = [period_of("month", _months_back(period.first, back)).first for back in range(5, -1, -1)]
    first = period_bounds(f"{months[0]:%Y-%m}")
    last = period_bounds(f"{months[-1]:%Y-%m}")
    assert first is not None and last is not None
    qs = visible_hazards(user, now).filter(reported_at__gte=first[0], reported_at__lt=last[1])
    tz = timezone.get_current_timezone()
    aggregates = {name: Count("pk", filter=_condition(params)) for name, (_flow, params) in HAZARD_FIGURES.items()}
    counted = {
        timezone.localtime(group["month"], tz).date() if isinstance(group["month"], dt.datetime) else group["month"]: group
        for group in qs.annotate(month=TruncMonth("reported_at", tzinfo=tz)).values("month").annotate(**aggregates)
    }
    rows = []
    for month in months:
        group = cast("dict[str, Any]", counted.get(month, {}))
        key = f"{month:%Y-%m}"
        counts = {name: int(group.get(name) or 0) for name in HAZARD_FIGURES}
        rows.append(FigureRow(key, key, counts, {
            name: {"period": key, **params} for name, (_flow, params) in HAZARD_FIGURES.items()
        }))
    return rows


def _months_back(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


# --- checks against the plan --------------------------------------------------------------------------

TASK_FIGURES: dict[str, dict[str, str]] = {
    "tasks": {},
    "done": {"done": "1"},
    "overdue": {"overdue": "1"},
}
TASK_FIGURE_LABELS = {"tasks": _("检查任务"), "done": _("已完成"), "overdue": _("逾期未完成"),
                      "target": _("应检企业"), "checked": _("已检企业")}
TASK_DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "unit": ("unit_id", "unit__name", "unit"),
    "system": ("system__code", "system__name", "system"),
}


@dataclass
class TaskRow:
    key: str
    label: str
    counts: dict[str, int]
    params: dict[str, dict[str, str]]

    def url(self, figure: str) -> str:
        return task_list_url(self.params[figure]) if figure in self.params else ""

    @property
    def cells(self) -> list[dict[str, Any]]:
        return [{"figure": name, "count": self.counts[name], "url": self.url(name)} for name in TASK_FIGURES]

    @property
    def done_rate(self) -> float | None:
        return round(100 * self.counts["done"] / self.counts["tasks"], 1) if self.counts["tasks"] else None


def visible_tasks(user: Actor, period: StatsPeriod, today: dt.date | None = None) -> QuerySet[CheckTask]:
    """The tasks of the period that the user may see, progress annotated: the task list's rows
    under ``period``."""
    qs = annotate_tasks(CheckTask.objects.visible_to(user).order_by(), today)
    return task_filters(qs, {"period": period.key})


def _task_aggregates() -> dict[str, Any]:
    return {
        "tasks": Count("pk"),
        # Not named "done": an aggregate of that name would shadow the annotation summed below.
        "done_tasks": Count("pk", filter=Q(light__in=DONE_LIGHTS)),
        "overdue": Count("pk", filter=Q(light=Light.RED.value)),
        "target": Sum("target"),
        "checked": Sum("done"),
    }


def _task_counts(group: dict[str, Any]) -> dict[str, int]:
    return {name: int(group["done_tasks" if name == "done" else name] or 0)
            for name in ("tasks", "done", "overdue", "target", "checked")}


def _task_params(period_key: str, base: dict[str, str]) -> dict[str, dict[str, str]]:
    return {name: {**base, "period": period_key, **params} for name, params in TASK_FIGURES.items()}


def task_figures(user: Actor, dimension: str, period: StatsPeriod, *,
                 today: dt.date | None = None) -> list[TaskRow]:
    """Checks against the plan per responsible unit or system (one grouped query)."""
    key_field, label_field, param = TASK_DIMENSIONS[dimension]
    rows = []
    for group in visible_tasks(user, period, today).values(key_field, label_field).annotate(**_task_aggregates()):
        key = str(group[key_field])
        counts = _task_counts(group)
        rows.append(TaskRow(key, str(group[label_field]), counts, _task_params(period.key, {param: key})))
    rows.sort(key=lambda r: (-(r.counts["overdue"]), r.label))
    return rows


def task_totals(user: Actor, period: StatsPeriod, *, today: dt.date | None = None) -> TaskRow:
    counts = visible_tasks(user, period, today).aggregate(**_task_aggregates())
    return TaskRow("", str(_("合计")), _task_counts(counts), _task_params(period.key, {}))
