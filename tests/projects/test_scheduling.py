"""倒排工期 on the working-day calendar: exact dates across 2026's Mid-autumn and National
Day holidays (with the 调休 Sunday 09-20 and Saturday 10-10 worked), cycles named, the
properties every schedule must have, and the node services that store it."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.lib.workdays import PackageSource, WorkdayCalendar
from yancheng.projects import scheduling
from yancheng.projects.models import Node
from yancheng.projects.scheduling import CycleError, Link, Task, schedule, schedule_backward, schedule_forward
from yancheng.projects.services.nodes import (
    node_add,
    node_link_add,
    node_link_remove,
    node_record_actual,
    node_remove,
    node_schedule_backward,
    node_table,
    node_update,
)

CAL = WorkdayCalendar(PackageSource())
D = dt.date

# The seed story's power connection: 土建 → 设备安装 → 送电调试, with the line built alongside
# and a two-working-day wait for the acceptance of the line before switching on.
TASKS = [
    Task("civil", 5, "土建施工"),
    Task("install", 3, "设备安装"),
    Task("line", 4, "供电线路架设"),
    Task("energise", 2, "送电调试"),
]
LINKS = [Link("civil", "install", 0), Link("install", "energise", 0), Link("line", "energise", 2)]


def test_backward_scheduling_across_national_day_gives_the_exact_latest_dates():
    plan = schedule_backward(TASKS, LINKS, D(2026, 10, 13), calendar=CAL)
    # 送电调试: Mon 10-12 and Tue 10-13.
    assert plan["energise"] == scheduling.Window(D(2026, 10, 12), D(2026, 10, 13))
    # 设备安装 must finish the working day before: Saturday 10-10 is a 调休 working day.
    assert plan["install"] == scheduling.Window(D(2026, 10, 8), D(2026, 10, 10))
    # The line needs two more working days of lag: finish 10-08, start before the holidays.
    assert plan["line"] == scheduling.Window(D(2026, 9, 28), D(2026, 10, 8))
    # 土建 ends on 09-30 and skips 中秋 (09-25..27) on its way back: 09-23, 24, 28, 29, 30.
    assert plan["civil"] == scheduling.Window(D(2026, 9, 23), D(2026, 9, 30))


def test_forward_scheduling_counts_the_worked_sunday_and_gives_the_float():
    plans = schedule(TASKS, LINKS, target=D(2026, 10, 13), start=D(2026, 9, 18), calendar=CAL)
    # From Friday 09-18, Sunday 09-20 is worked: 18, 20, 21, 22, 23.
    assert plans["civil"].earliest == scheduling.Window(D(2026, 9, 18), D(2026, 9, 23))
    assert plans["install"].earliest == scheduling.Window(D(2026, 9, 24), D(2026, 9, 29))
    assert plans["line"].earliest == scheduling.Window(D(2026, 9, 18), D(2026, 9, 22))
    assert plans["energise"].earliest == scheduling.Window(D(2026, 9, 30), D(2026, 10, 8))
    # The critical path 土建 → 安装 → 调试 has 4 working days of float; the line 6.
    assert {k: p.float_days for k, p in plans.items()} == {"civil": 4, "install": 4, "line": 6, "energise": 4}
    assert not any(p.provisional for p in plans.values())


def test_a_target_on_a_holiday_means_the_last_working_day_before_it():
    plan = schedule_backward([Task("a", 1)], [], D(2026, 10, 5), calendar=CAL)
    assert plan["a"] == scheduling.Window(D(2026, 9, 30), D(2026, 9, 30))


def test_a_negative_lag_lets_the_successor_overlap_its_predecessor():
    plan = schedule_backward([Task("a", 3), Task("b", 2)], [Link("a", "b", -2)], D(2026, 3, 13), calendar=CAL)
    assert plan["b"] == scheduling.Window(D(2026, 3, 12), D(2026, 3, 13))
    # b may start one working day before a finishes: a finishes 03-13 (capped at the target).
    assert plan["a"].finish == D(2026, 3, 13)


def test_a_year_without_holiday_data_makes_the_dates_provisional():
    plan = schedule_backward([Task("a", 3), Task("b", 2)], [Link("a", "b")], D(2031, 3, 14), calendar=CAL)
    assert plan["a"].provisional and plan["b"].provisional


def test_a_cycle_is_refused_with_the_names_of_its_nodes():
    tasks = [Task(1, 1, "甲"), Task(2, 1, "乙"), Task(3, 1, "丙"), Task(4, 1, "丁")]
    links = [Link(1, 2), Link(2, 3), Link(3, 1), Link(4, 1)]
    with pytest.raises(CycleError) as caught:
        schedule_backward(tasks, links, D(2026, 6, 30), calendar=CAL)
    cycle = caught.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {1, 2, 3}
    for a, b in itertools.pairwise(cycle):
        assert Link(a, b) in links
    assert "循环依赖" in str(caught.value) and "丁" not in str(caught.value)
    assert all(name in str(caught.value) for name in "甲乙丙")


def test_a_node_linked_to_itself_is_a_cycle():
    with pytest.raises(CycleError):
        scheduling.topological_order([Task("a", 1)], [Link("a", "a")])


def test_links_to_unknown_nodes_and_zero_durations_are_refused():
    with pytest.raises(scheduling.SchedulingError):
        scheduling.topological_order([Task("a", 1)], [Link("a", "b")])
    with pytest.raises(scheduling.SchedulingError):
        scheduling.topological_order([Task("a", 0)], [])


# --- properties -----------------------------------------------------------------------------


@st.composite
def networks(draw: st.DrawFn) -> tuple[list[Task], list[Link]]:
    n = draw(st.integers(1, 8))
    names = draw(st.permutations([f"n{i}" for i in range(n)]))  # ids not in topological order
    durations = draw(st.lists(st.integers(1, 25), min_size=n, max_size=n))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=12)) if pairs else []
    lags = draw(st.lists(st.integers(-3, 10), min_size=len(chosen), max_size=len(chosen)))
    tasks = [Task(names[i], durations[i]) for i in range(n)]
    links = [Link(names[i], names[j], lag) for (i, j), lag in zip(chosen, lags, strict=True)]
    return tasks, links


KNOWN_DATES = st.dates(D(2008, 1, 1), D(2026, 12, 31))


def wd(a: dt.date, b: dt.date) -> int:
    return CAL.working_days_between(a, b).days


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), KNOWN_DATES)
def test_every_latest_date_is_a_working_day_and_every_link_and_duration_holds(network, target):
    tasks, links = network
    plan = schedule_backward(tasks, links, target, calendar=CAL)
    end = CAL.add_working_days(target + dt.timedelta(days=1), -1).date
    has_successor = {link.pred for link in links}
    for task in tasks:
        window = plan[task.id]
        assert CAL.is_working_day(window.start) and CAL.is_working_day(window.finish)
        assert wd(window.start, window.finish) == task.duration - 1
        assert window.finish <= end
        if task.id not in has_successor:
            assert window.finish == end
        else:  # as late as possible: the target or some successor binds it
            outgoing = [lk for lk in links if lk.pred == task.id]
            assert window.finish == end or any(wd(window.finish, plan[lk.succ].start) == 1 + lk.lag for lk in outgoing)
        assert not window.provisional
    for link in links:
        assert wd(plan[link.pred].finish, plan[link.succ].start) >= 1 + link.lag


@settings(max_examples=100, deadline=None)
@given(networks(), KNOWN_DATES)
def test_forward_dates_respect_links_durations_and_the_start(network, start):
    tasks, links = network
    plan = schedule_forward(tasks, links, start, calendar=CAL)
    for task in tasks:
        window = plan[task.id]
        assert window.start >= start and CAL.is_working_day(window.start)
        assert wd(window.start, window.finish) == task.duration - 1
    for link in links:
        assert wd(plan[link.pred].finish, plan[link.succ].start) >= 1 + link.lag


@settings(max_examples=60, deadline=None)
@given(networks(), st.dates(D(2010, 1, 1), D(2025, 12, 31)), st.integers(1, 40))
def test_moving_the_target_by_k_working_days_moves_every_latest_date_by_k(network, target, k):
    tasks, links = network
    end = CAL.add_working_days(target + dt.timedelta(days=1), -1).date
    later = CAL.add_working_days(end, k).date
    before = schedule_backward(tasks, links, end, calendar=CAL)
    after = schedule_backward(tasks, links, later, calendar=CAL)
    for task in tasks:
        assert wd(before[task.id].start, after[task.id].start) == k
        assert wd(before[task.id].finish, after[task.id].finish) == k


# --- the node services ----------------------------------------------------------------------


@pytest.fixture
def project(world):
    from yancheng.projects.services.registry import project_create

    return project_create(
        actor=None, name="纸箱包装扩建项目", region=world.qidong, park=world.qidong_park,
        enterprise=world.enterprise_a, total_investment=12000, responsible_org=world.qidong_park,
        planned_start=D(2026, 3, 1), planned_completion=D(2026, 12, 31),
    )


@pytest.fixture
def seeded(project, world):
    actor = world.dispatcher
    nodes = {
        key: node_add(project, name=task.name, duration_days=task.duration, actor=actor)
        for key, task in zip(["civil", "install", "line", "energise"], TASKS, strict=True)
    }
    for link in LINKS:
        node_link_add(nodes[link.pred], nodes[link.succ], lag_days=link.lag, actor=actor)
    return nodes


def test_the_dispatcher_schedules_backward_and_every_node_gets_its_dates_in_one_audited_step(project, seeded, world):
    outcome = node_schedule_backward(project, target_date=D(2026, 10, 13), actor=world.dispatcher)
    assert outcome.changed == 4 and not outcome.provisional
    got = {n.name: (n.planned_start, n.planned_finish) for n in Node.objects.filter(project=project)}
    assert got == {
        "土建施工": (D(2026, 9, 23), D(2026, 9, 30)),
        "设备安装": (D(2026, 10, 8), D(2026, 10, 10)),
        "供电线路架设": (D(2026, 9, 28), D(2026, 10, 8)),
        "送电调试": (D(2026, 10, 12), D(2026, 10, 13)),
    }
    event = AuditEvent.objects.filter(action="project.node_schedule_backward").get()
    assert event.after["target_date"] == "2026-10-13"


def test_a_link_that_would_close_a_cycle_is_refused_with_the_node_names(project, seeded, world):
    with pytest.raises(ValidationFailed) as caught:
        node_link_add(seeded["energise"], seeded["civil"], actor=world.dispatcher)
    assert caught.value.code == "node_cycle"
    assert "送电调试" in str(caught.value) and "土建施工" in str(caught.value)


def test_a_link_between_two_projects_is_refused(project, seeded, world):
    from yancheng.projects.services.registry import project_create

    other = project_create(actor=None, name="另一个项目", region=world.qidong, park=world.qidong_park,
                           total_investment=1, responsible_org=world.qidong_park)
    foreign = node_add(other, name="外部节点", duration_days=1, actor=world.dispatcher)
    with pytest.raises(ValidationFailed):
        node_link_add(seeded["civil"], foreign, actor=world.dispatcher)


def test_someone_who_may_not_maintain_the_project_cannot_change_its_nodes(project, seeded, world):
    with pytest.raises(PermissionDeniedError):
        node_add(project, name="越权节点", duration_days=1, actor=world.handler_power)
    with pytest.raises(PermissionDeniedError):
        node_schedule_backward(project, target_date=D(2026, 10, 13), actor=world.handler_power)
    assert not Node.objects.filter(name="越权节点").exists()


def test_a_duplicate_name_and_a_zero_duration_are_refused(project, seeded, world):
    with pytest.raises(ValidationFailed):
        node_add(project, name="土建施工", duration_days=3, actor=world.dispatcher)
    with pytest.raises(ValidationFailed):
        node_add(project, name="新节点", duration_days=0, actor=world.dispatcher)


def test_nodes_and_links_can_be_changed_and_removed(project, seeded, world):
    node = node_update(seeded["line"], duration_days=6, name="10kV 专线架设", actor=world.dispatcher)
    assert (node.duration_days, node.name) == (6, "10kV 专线架设")
    link = seeded["energise"].predecessor_links.get(predecessor=seeded["line"])
    node_link_remove(link, actor=world.dispatcher)
    node_remove(seeded["install"], actor=world.dispatcher)
    assert Node.objects.filter(project=project).count() == 3
    assert not seeded["energise"].predecessor_links.exists()


def test_actual_dates_are_recorded_and_checked(project, seeded, world):
    today = D(2026, 10, 15)
    node = node_record_actual(seeded["civil"], actual_start=D(2026, 9, 22), actual_finish=D(2026, 9, 30),
                              actor=world.dispatcher, today=today)
    assert (node.actual_start, node.actual_finish) == (D(2026, 9, 22), D(2026, 9, 30))
    with pytest.raises(ValidationFailed):
        node_record_actual(seeded["line"], actual_finish=D(2026, 9, 30), actor=world.dispatcher, today=today)
    with pytest.raises(ValidationFailed):
        node_record_actual(seeded["line"], actual_start=D(2026, 10, 16), actor=world.dispatcher, today=today)


def test_the_table_shows_float_against_the_planned_target(project, seeded, world):
    node_schedule_backward(project, target_date=D(2026, 10, 13), actor=world.dispatcher)
    table = node_table(project, today=D(2026, 9, 18))
    floats = {row.node.name: row.float_days for row in table.rows}
    assert floats == {"土建施工": 4, "设备安装": 4, "供电线路架设": 6, "送电调试": 4}
    assert table.target == D(2026, 10, 13) and table.nodes_light == "green"
