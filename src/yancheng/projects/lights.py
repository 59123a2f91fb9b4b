"""Project lights (亮灯, SPEC §3), each on its own axis, derived from stored dates and today
— never stored flags. Thresholds come from :class:`LightSettings` (银川's 红黄绿灯 rules by
default: yellow 10–30 points behind the 序时进度, red beyond 30, red 3 months late to start).

* **start** (开工): green once started or while the planned start month has not come; yellow
  from the planned start month on while not started; red from ``start_red_months`` months
  after the planned start month (planned 2026-03 → yellow from 03-01, red from 06-01).
* **progress** (进度): the expected progress (序时进度) is the share of the time from the start
  (``started_on``, else ``planned_start``) to ``planned_completion`` that has elapsed by
  today; the actual progress is the latest monthly report's 形象进度. Points behind =
  expected − actual: green below ``progress_yellow_points``, yellow from it up to and
  including ``progress_red_points``, red beyond. No monthly report yet, or no dates: none.
  A completed project is green.
* **nodes** (节点): red when a node's planned finish has passed unfinished; yellow when an
  unfinished node is due within ``NODE_YELLOW_WORKING_DAYS`` working days (today counts);
  green otherwise; none while no node has a planned finish.

``project_lights`` answers for one project; ``with_light_data`` annotates a queryset so a
page of projects costs one query (plus one for the settings), and its start and nodes
lights can be filtered and sorted in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yancheng.lib import workdays

from .models import LightSettings, MonthlyReport, Node, Project, Stage

GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "none"
# Node lights also say how a finished node ended.
DONE_ONTIME, DONE_LATE = "ontime", "late"

LIGHT_LABELS = {
    GREEN: _("绿灯"),
    YELLOW: _("黄灯"),
    RED: _("红灯"),
    NONE: _("未亮灯"),
    DONE_ONTIME: _("按期完成"),
    DONE_LATE: _("逾期完成"),
}
# Worst first: the order a list sorts by.
SEVERITY = {RED: 3, YELLOW: 2, GREEN: 1, NONE: 0}

NODE_YELLOW_WORKING_DAYS = 5
DONE_STAGES = frozenset({Stage.COMPLETED.value, Stage.PRODUCING.value})


@dataclass(frozen=True, slots=True)
class Thresholds:
    start_red_months: int = 3
    progress_yellow_points: int = 10
    progress_red_points: int = 30


def thresholds() -> Thresholds:
    """The configured thresholds (the first LightSettings row), or 银川's defaults."""
    row = LightSettings.objects.order_by("pk").first()
    if row is None:
        return Thresholds()
    return Thresholds(row.start_red_months, row.progress_yellow_points, row.progress_red_points)


def today_local() -> dt.date:
    return timezone.localdate()


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _first_of_month(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


# --- start ------------------------------------------------------------------------------------


def start_light(
    *, planned_start: dt.date | None, started_on: dt.date | None, today: dt.date, limits: Thresholds
) -> str:
    if started_on is not None:
        return GREEN
    if planned_start is None:
        return NONE
    months_late = _month_index(today) - _month_index(planned_start)
    if months_late >= limits.start_red_months:
        return RED
    if months_late >= 0:
        return YELLOW
    return GREEN


def start_light_expression(today: dt.date, limits: Thresholds) -> Case:
    """The start light as SQL (same rule as :func:`start_light`)."""
    this_month = _month_index(today)
    yellow_before = _first_of_month(this_month + 1)
    red_before = _first_of_month(this_month - limits.start_red_months + 1)
    return Case(
        When(started_on__isnull=False, then=Value(GREEN)),
        When(planned_start__isnull=True, then=Value(NONE)),
        When(planned_start__lt=red_before, then=Value(RED)),
        When(planned_start__lt=yellow_before, then=Value(YELLOW)),
        default=Value(GREEN),
        output_field=CharField(),
    )


# --- progress ---------------------------------------------------------------------------------


def expected_progress(*, begin: dt.date, end: dt.date, today: dt.date) -> Fraction:
    """序时进度 in percent: the elapsed share of [begin, end] by today, between 0 and 100."""
    if today <= begin:
        return Fraction(0)
    if today >= end or end <= begin:
        return Fraction(100)
    return Fraction((today - begin).days * 100, (end - begin).days)


def progress_light_for_gap(points_behind: Fraction | Decimal | float | int, limits: Thresholds) -> str:
    """Yellow from ``progress_yellow_points`` behind up to ``progress_red_points`` inclusive."""
    gap = Fraction(Decimal(str(points_behind))) if isinstance(points_behind, float) else Fraction(points_behind)
    if gap > limits.progress_red_points:
        return RED
    if gap >= limits.progress_yellow_points:
        return YELLOW
    return GREEN


@dataclass(frozen=True, slots=True)
class Progress:
    light: str
    expected: Fraction | None = None
    actual: int | None = None

    @property
    def points_behind(self) -> Fraction | None:
        if self.expected is None or self.actual is None:
            return None
        return self.expected - self.actual

    @property
    def expected_display(self) -> str:
        return "" if self.expected is None else f"{float(self.expected):.1f}"

    @property
    def behind_display(self) -> str:
        """The points behind the expected progress; empty when not behind (a project ahead
        of it is not "落后 -30.7 个百分点" but `ahead_display`)."""
        gap = self.points_behind
        return "" if gap is None or round(gap, 1) <= 0 else f"{float(gap):.1f}"

    @property
    def ahead_display(self) -> str:
        """The points ahead of the expected progress; empty when not ahead."""
        gap = self.points_behind
        return "" if gap is None or round(-gap, 1) <= 0 else f"{float(-gap):.1f}"


def progress(
    *,
    started_on: dt.date | None,
    planned_start: dt.date | None,
    planned_completion: dt.date | None,
    actual_percent: int | None,
    done: bool,
    today: dt.date,
    limits: Thresholds,
) -> Progress:
    if done:
        return Progress(GREEN, Fraction(100), actual_percent)
    begin = started_on or planned_start
    if begin is None or planned_completion is None:
        return Progress(NONE, None, actual_percent)
    expected = expected_progress(begin=begin, end=planned_completion, today=today)
    if actual_percent is None:
        return Progress(NONE, expected, None)
    return Progress(progress_light_for_gap(expected - actual_percent, limits), expected, actual_percent)


# --- nodes ------------------------------------------------------------------------------------


def node_yellow_horizon(today: dt.date) -> dt.date:
    """The last day an unfinished node may be due on to light yellow (today + 5 working days)."""
    return workdays.add_working_days(today, NODE_YELLOW_WORKING_DAYS).date


def node_light(
    *, planned_finish: dt.date | None, actual_finish: dt.date | None, today: dt.date, horizon: dt.date
) -> str:
    """One node's light: finished nodes say on time or late; open ones red/yellow/green."""
    if planned_finish is None:
        return NONE
    if actual_finish is not None:
        return DONE_ONTIME if actual_finish <= planned_finish else DONE_LATE
    if planned_finish < today:
        return RED
    if planned_finish <= horizon:
        return YELLOW
    return GREEN


def nodes_light_from(*, any_overdue: bool, any_due_soon: bool, any_planned: bool) -> str:
    if any_overdue:
        return RED
    if any_due_soon:
        return YELLOW
    return GREEN if any_planned else NONE


def _open_nodes() -> QuerySet[Node]:
    return Node.objects.filter(project=OuterRef("pk"), actual_finish__isnull=True, planned_finish__isnull=False)


# --- all three --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProjectLights:
    start: str
    progress: Progress
    nodes: str

    @property
    def worst(self) -> str:
        return max((self.start, self.progress.light, self.nodes), key=lambda light: SEVERITY.get(light, 0))


def with_light_data(qs: QuerySet[Project], *, today: dt.date | None = None,
                    limits: Thresholds | None = None) -> QuerySet[Project]:
    """Annotate ``light_start`` (SQL, filterable), ``light_nodes`` (SQL, filterable),
    ``latest_progress`` and the node flags :func:`lights_of` reads: one query for a page."""
    today = today or today_local()
    limits = limits or thresholds()
    horizon = node_yellow_horizon(today)
    latest = MonthlyReport.objects.filter(project=OuterRef("pk")).order_by("-month")
    open_nodes = _open_nodes()
    return qs.annotate(
        light_start=start_light_expression(today, limits),
        latest_progress=Subquery(latest.values("progress_percent")[:1], output_field=IntegerField()),
        nodes_overdue=Exists(open_nodes.filter(planned_finish__lt=today)),
        nodes_due_soon=Exists(open_nodes.filter(planned_finish__lte=horizon)),
        nodes_planned=Exists(Node.objects.filter(project=OuterRef("pk"), planned_finish__isnull=False)),
    ).annotate(
        light_nodes=Case(
            When(nodes_overdue=True, then=Value(RED)),
            When(nodes_due_soon=True, then=Value(YELLOW)),
            When(nodes_planned=True, then=Value(GREEN)),
            default=Value(NONE),
            output_field=CharField(),
        )
    )


def lights_of(project: Project, *, today: dt.date | None = None, limits: Thresholds | None = None) -> ProjectLights:
    """The three lights of one project. Uses :func:`with_light_data`'s annotations when the
    project carries them (no query), else asks the database (three small queries)."""
    today = today or today_local()
    limits = limits or thresholds()
    data: Any = project
    if not hasattr(data, "nodes_overdue"):
        data = with_light_data(Project.objects.filter(pk=project.pk), today=today, limits=limits).get()
    latest, overdue, soon, planned = data.latest_progress, data.nodes_overdue, data.nodes_due_soon, data.nodes_planned
    return ProjectLights(
        start=start_light(planned_start=project.planned_start, started_on=project.started_on, today=today,
                          limits=limits),
        progress=progress(
            started_on=project.started_on,
            planned_start=project.planned_start,
            planned_completion=project.planned_completion,
            actual_percent=latest,
            done=project.completed_on is not None or project.stage in DONE_STAGES,
            today=today,
            limits=limits,
        ),
        nodes=nodes_light_from(any_overdue=bool(overdue), any_due_soon=bool(soon), any_planned=bool(planned)),
    )


def project_lights(project: Project, *, today: dt.date | None = None) -> ProjectLights:
    """The three lights of one project as of today."""
    return lights_of(project, today=today)


def lights_for_page(projects: Iterable[Project], *, today: dt.date | None = None) -> dict[int, ProjectLights]:
    """Lights of a page of projects in two queries (settings + one annotated query), keyed by pk."""
    today = today or today_local()
    limits = thresholds()
    ids = [p.pk for p in projects]
    annotated = with_light_data(Project.objects.filter(pk__in=ids), today=today, limits=limits)
    return {p.pk: lights_of(p, today=today, limits=limits) for p in annotated}


def filter_by_light(qs: QuerySet[Project], *, start: str | None = None, nodes: str | None = None) -> QuerySet[Project]:
    """Filter an annotated queryset (:func:`with_light_data`) by its SQL lights."""
    if start:
        qs = qs.filter(**{"light_start": start})  # an annotation of with_light_data
    if nodes:
        qs = qs.filter(**{"light_nodes": nodes})
    return qs

