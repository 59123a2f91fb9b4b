"""Project lights on their own axes (SPEC §3): start (the planned month, 3 months), progress
(10–30 points behind the 序时进度 is yellow, beyond 30 red) and nodes (overdue red, due
within 5 working days yellow) — at their exact boundaries, in Python and in SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
import time_machine

from yancheng.core.calendar import source as calendar_source
from yancheng.projects import lights
from yancheng.projects.lights import GREEN, NONE, RED, YELLOW, Thresholds
from yancheng.projects.models import LightSettings, Project, Stage
from yancheng.projects.services.nodes import node_add, node_record_actual, node_update

D = dt.date
DEFAULTS = Thresholds()
SH = dt.timezone(dt.timedelta(hours=8))


# --- progress ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("behind", "light"),
    [(0, GREEN), (Decimal("9.9"), GREEN), (9.9, GREEN), (10, YELLOW), (Decimal("29.9"), YELLOW), (30, YELLOW),
     (Decimal("30.1"), RED), (30.1, RED), (100, RED), (-20, GREEN)],
)
def test_progress_light_turns_yellow_at_10_points_and_red_beyond_30(behind, light):
    assert lights.progress_light_for_gap(behind, DEFAULTS) == light


BEGIN = D(2026, 1, 1)
END = BEGIN + dt.timedelta(days=1000)  # so that a day is exactly 0.1 point of 序时进度


@pytest.mark.parametrize(
    ("days", "actual", "light", "behind"),
    [
        (399, 30, GREEN, Fraction(99, 10)),  # 39.9 expected, 30 done: 9.9 behind
        (400, 30, YELLOW, Fraction(10)),
        (600, 30, YELLOW, Fraction(30)),
        (601, 30, RED, Fraction(301, 10)),
    ],
)
def test_progress_is_measured_against_the_elapsed_share_of_the_schedule(days, actual, light, behind):
    result = lights.progress(started_on=BEGIN, planned_start=None, planned_completion=END, actual_percent=actual,
                             done=False, today=BEGIN + dt.timedelta(days=days), limits=DEFAULTS)
    assert (result.light, result.points_behind) == (light, behind)


@pytest.mark.parametrize(
    ("expected", "actual", "behind", "ahead"),
    [(Fraction(407, 10), 10, "30.7", ""), (Fraction(10), 40, "", "30.0"), (Fraction(20), 20, "", "")],
)
def test_a_project_ahead_of_its_schedule_is_never_called_behind(expected, actual, behind, ahead):
    result = lights.Progress(GREEN, expected, actual)
    assert (result.behind_display, result.ahead_display) == (behind, ahead)


def test_the_time_proportional_plan_runs_from_0_to_100_percent():
    assert lights.expected_progress(begin=BEGIN, end=END, today=BEGIN - dt.timedelta(days=5)) == 0
    assert lights.expected_progress(begin=BEGIN, end=END, today=BEGIN + dt.timedelta(days=500)) == 50
    assert lights.expected_progress(begin=BEGIN, end=END, today=END + dt.timedelta(days=5)) == 100


def test_progress_falls_back_to_the_planned_start_and_stays_dark_without_a_report():
    without = lights.progress(started_on=None, planned_start=BEGIN, planned_completion=END, actual_percent=None,
                              done=False, today=BEGIN + dt.timedelta(days=500), limits=DEFAULTS)
    assert without.light == NONE and without.expected == 50
    undated = lights.progress(started_on=None, planned_start=None, planned_completion=END, actual_percent=40,
                              done=False, today=BEGIN, limits=DEFAULTS)
    assert undated.light == NONE
    finished = lights.progress(started_on=BEGIN, planned_start=None, planned_completion=END, actual_percent=60,
                               done=True, today=END, limits=DEFAULTS)
    assert finished.light == GREEN


# --- start ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "light"),
    [
        (D(2026, 2, 28), GREEN),  # before the planned month
        (D(2026, 3, 1), YELLOW),  # the planned month has come and the project has not started
        (D(2026, 5, 31), YELLOW),  # two months on
        (D(2026, 6, 1), RED),  # three months past the planned month
    ],
)
def test_start_light_is_yellow_in_the_planned_month_and_red_three_months_after(today, light):
    assert lights.start_light(planned_start=D(2026, 3, 1), started_on=None, today=today, limits=DEFAULTS) == light


def test_a_started_project_is_green_and_one_without_a_planned_start_is_dark():
    assert lights.start_light(planned_start=D(2025, 1, 1), started_on=D(2026, 1, 5), today=D(2026, 6, 1),
                              limits=DEFAULTS) == GREEN
    assert lights.start_light(planned_start=None, started_on=None, today=D(2026, 6, 1), limits=DEFAULTS) == NONE


def test_the_start_light_crosses_a_new_year_by_months():
    assert lights.start_light(planned_start=D(2025, 11, 1), started_on=None, today=D(2026, 1, 31),
                              limits=DEFAULTS) == YELLOW
    assert lights.start_light(planned_start=D(2025, 11, 1), started_on=None, today=D(2026, 2, 1),
                              limits=DEFAULTS) == RED


# --- nodes ------------------------------------------------------------------------------------


def test_a_node_due_within_five_working_days_is_yellow_counting_across_national_day():
    today = D(2026, 9, 30)
    horizon = lights.node_yellow_horizon(today)
    assert horizon == D(2026, 10, 13)  # 10-08, 09, 10 (调休 Saturday), 12, 13

    def light(finish: dt.date, actual: dt.date | None = None) -> str:
        return lights.node_light(planned_finish=finish, actual_finish=actual, today=today, horizon=horizon)

    assert light(D(2026, 9, 29)) == RED
    assert light(D(2026, 9, 30)) == YELLOW
    assert light(D(2026, 10, 13)) == YELLOW
    assert light(D(2026, 10, 14)) == GREEN
    assert light(D(2026, 9, 29), actual=D(2026, 9, 29)) == lights.DONE_ONTIME
    assert light(D(2026, 9, 29), actual=D(2026, 9, 30)) == lights.DONE_LATE


# --- with the database: one project and a page of them ----------------------------------------


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=SH), tick=False) as traveller:
        yield traveller


def make_project(world, name: str, **fields) -> Project:
    from yancheng.projects.services.registry import project_create

    return project_create(actor=None, name=name, region=world.qidong, park=world.qidong_park,
                          total_investment=1000, responsible_org=world.qidong_park, **fields)


def start(project: Project, on: dt.date) -> Project:
    from yancheng.projects.services.registry import project_advance

    project_advance(project, stage=Stage.SIGNED, on=on, actor=None)
    return project_advance(project, stage=Stage.STARTED, on=on, actor=None)


def test_the_three_lights_of_a_project_come_from_its_dates_reports_and_nodes(world, frozen):
    from yancheng.projects.services.reports import monthly_report_submit

    today = D(2026, 6, 1)
    project = start(make_project(world, "包装线", planned_start=D(2026, 1, 1), planned_completion=D(2026, 12, 31)),
                    D(2026, 1, 1))
    # 151 of 364 days: 41.5 % expected; 25 % done → 16.5 points behind.
    monthly_report_submit(project, month=D(2026, 5, 1), invested_this_month=100, progress_percent=25, actor=None)
    node = node_add(project, name="高压专线接入", duration_days=5, actor=None)
    node_update(node, planned_start=D(2026, 5, 25), planned_finish=D(2026, 5, 29), actor=None)
    result = lights.lights_of(Project.objects.get(pk=project.pk), today=today)
    assert (result.start, result.progress.light, result.nodes) == (GREEN, YELLOW, RED)
    assert result.progress.behind_display == "16.5" and result.worst == RED
    node_record_actual(node, actual_start=D(2026, 5, 25), actual_finish=D(2026, 5, 29), actor=None, today=today)
    assert lights.lights_of(Project.objects.get(pk=project.pk), today=today).nodes == GREEN


def test_configured_thresholds_replace_the_defaults(world, frozen):
    LightSettings.objects.create(start_red_months=2, progress_yellow_points=5, progress_red_points=20)
    limits = lights.thresholds()
    assert limits == Thresholds(2, 5, 20)
    assert lights.start_light(planned_start=D(2026, 3, 1), started_on=None, today=D(2026, 5, 1),
                              limits=limits) == RED
    assert lights.progress_light_for_gap(5, limits) == YELLOW and lights.progress_light_for_gap(21, limits) == RED


def test_a_page_of_projects_gets_its_lights_in_two_queries_and_sql_agrees_with_python(
    world, frozen, django_assert_num_queries
):
    today = D(2026, 6, 1)
    projects = [
        make_project(world, "未到开工月", planned_start=D(2026, 7, 1)),
        make_project(world, "本月应开工", planned_start=D(2026, 6, 1)),
        make_project(world, "逾期两个月", planned_start=D(2026, 4, 1)),
        make_project(world, "逾期三个月", planned_start=D(2026, 3, 1)),
        start(make_project(world, "已开工", planned_start=D(2026, 1, 1)), D(2026, 2, 2)),
        make_project(world, "未定开工", planned_start=None),
    ]
    soon = node_add(projects[0], name="临期节点", duration_days=1, actor=None)
    node_update(soon, planned_start=D(2026, 6, 5), planned_finish=D(2026, 6, 5), actor=None)
    late = node_add(projects[1], name="逾期节点", duration_days=1, actor=None)
    node_update(late, planned_start=D(2026, 5, 29), planned_finish=D(2026, 5, 29), actor=None)
    far = node_add(projects[2], name="远期节点", duration_days=1, actor=None)
    node_update(far, planned_start=D(2026, 9, 1), planned_finish=D(2026, 9, 1), actor=None)

    # The working-day calendar is a per-process cache: a year's table once, and the holiday
    # table's stamp re-read at most once a minute. Whether a test before this one in the same
    # worker left it warm (and how long ago) is not this page's cost: start it fresh and warm
    # here, so the count below is the page's own two queries and no re-check falls inside it.
    calendar_source.invalidate_cache()
    lights.node_yellow_horizon(today)
    with django_assert_num_queries(2):
        page = lights.lights_for_page(projects, today=today)
    assert [page[p.pk].start for p in projects] == [GREEN, YELLOW, YELLOW, RED, GREEN, NONE]
    assert [page[p.pk].nodes for p in projects] == [YELLOW, RED, GREEN, NONE, NONE, NONE]

    annotated = lights.with_light_data(Project.objects.filter(pk__in=[p.pk for p in projects]), today=today)
    assert {p.pk: p.light_start for p in annotated} == {pk: lit.start for pk, lit in page.items()}
    red_starts = lights.filter_by_light(annotated, start=RED)
    assert [p.name for p in red_starts] == ["逾期三个月"]
    assert [p.name for p in lights.filter_by_light(annotated, nodes=YELLOW)] == ["未到开工月"]
