"""Scheduling of project nodes (节点) on the working-day calendar (SPEC §3, §2.2): backward
scheduling from a target date (倒排工期), forward scheduling from a start date, and the
float (机动时间) between them. Pure: plain data in, plain data out, no ORM.

Counting rules, all in working days (工作日: weekends and statutory holidays off, 调休
Saturdays and Sundays worked; see :mod:`yancheng.lib.workdays`):

* A node of duration ``d`` occupies ``d`` working days: it starts on working day ``s`` and
  finishes on ``s + (d - 1)``; a one-day node starts and finishes on the same day.
* A link ``pred → succ`` with lag ``L`` means the successor may start, at the earliest, on
  the first working day after the predecessor's finish plus ``L`` more working days:
  ``succ.start >= pred.finish + (1 + L)``. Lag 0 is "the next working day"; a negative lag
  lets the successor overlap its predecessor (搭接).
* Backward (latest dates): a node with no successor finishes on the target date (or the
  last working day before it, when the target is a rest day); any other node finishes at
  the latest ``min over its successors of (succ.latest_start − (1 + L))``; its latest
  start is ``latest_finish − (d − 1)``. So latest start = the successor's deadline − lag −
  duration, as SPEC §3 says.
* Forward (earliest dates): a node with no predecessor starts on the start date (or the
  first working day after it); any other node at ``max over its predecessors of
  (pred.earliest_finish + (1 + L))``, and never before the start date.
* Float = working days from the earliest start to the latest start. Negative float means
  the target cannot be met from that start date; zero float is the critical path.

A result is ``provisional`` when its count (or one it depends on) crossed a year whose
holidays the calendar does not know (weekends only were counted there).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from yancheng.lib import workdays


class Calendar(Protocol):
    """What scheduling needs from a working-day calendar (a ``WorkdayCalendar``)."""

    def add_working_days(self, start: dt.date, n: int) -> workdays.WorkdayResult: ...

    def working_days_between(self, a: dt.date, b: dt.date) -> workdays.WorkdayCount: ...

    def is_working_day(self, day: dt.date) -> bool: ...


@dataclass(frozen=True, slots=True)
class Task:
    """A node to schedule: its id, duration in working days (>= 1) and a name for messages."""

    id: Hashable
    duration: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """Precedence: ``succ`` may start ``1 + lag`` working days after ``pred`` finishes."""

    pred: Hashable
    succ: Hashable
    lag: int = 0


@dataclass(frozen=True, slots=True)
class Window:
    """A node's start and finish (both working days, inclusive)."""

    start: dt.date
    finish: dt.date
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    """Both schedules of a node and the float between them (working days)."""

    latest: Window
    earliest: Window | None
    float_days: int | None
    provisional: bool


class SchedulingError(ValueError):
    """The nodes and links cannot be scheduled."""


class CycleError(SchedulingError):
    """The links go round in a circle; ``cycle`` lists the node ids in order, the first
    repeated at the end (A → B → C → A)."""

    def __init__(self, cycle: Sequence[Hashable], names: Mapping[Hashable, str] | None = None) -> None:
        self.cycle = list(cycle)
        labels = [(names or {}).get(node) or str(node) for node in self.cycle]
        super().__init__("节点之间存在循环依赖：" + " → ".join(labels))


def _calendar(calendar: Calendar | None) -> Calendar:
    return calendar if calendar is not None else workdays.get_calendar()


def _check(tasks: Sequence[Task], links: Iterable[Link]) -> tuple[dict[Hashable, Task], list[Link]]:
    by_id: dict[Hashable, Task] = {}
    for task in tasks:
        if task.id in by_id:
            raise SchedulingError(f"节点重复：{task.name or task.id}")
        if task.duration < 1:
            raise SchedulingError(f"节点工期至少为 1 个工作日：{task.name or task.id}")
        by_id[task.id] = task
    checked = list(links)
    for link in checked:
        if link.pred not in by_id or link.succ not in by_id:
            raise SchedulingError(f"前后关系指向不存在的节点：{link.pred} → {link.succ}")
        if link.pred == link.succ:
            raise CycleError([link.pred, link.pred], {t.id: t.name for t in tasks})
    return by_id, checked


def topological_order(tasks: Sequence[Task], links: Iterable[Link]) -> list[Hashable]:
    """Node ids, every predecessor before its successors (ties in the order given).
    Raises :class:`CycleError` naming the nodes of one cycle."""
    by_id, checked = _check(tasks, links)
    position = {task.id: i for i, task in enumerate(tasks)}
    successors: dict[Hashable, list[Hashable]] = {task_id: [] for task_id in by_id}
    indegree: dict[Hashable, int] = dict.fromkeys(by_id, 0)
    for link in checked:
        successors[link.pred].append(link.succ)
        indegree[link.succ] += 1
    ready = [(position[t], t) for t, n in indegree.items() if n == 0]
    heapq.heapify(ready)
    order: list[Hashable] = []
    while ready:
        _, node = heapq.heappop(ready)
        order.append(node)
        for succ in successors[node]:
            indegree[succ] -= 1
            if indegree[succ] == 0:
                heapq.heappush(ready, (position[succ], succ))
    if len(order) < len(by_id):
        raise CycleError(_find_cycle(successors, {t for t, n in indegree.items() if n > 0}),
                         {t.id: t.name for t in tasks})
    return order


def _find_cycle(successors: Mapping[Hashable, list[Hashable]], stuck: set[Hashable]) -> list[Hashable]:
    """One cycle among the nodes Kahn's algorithm could not order. Every such node has a
    predecessor that is stuck too, so walking predecessors backwards must repeat a node."""
    predecessors: dict[Hashable, list[Hashable]] = {node: [] for node in stuck}
    for node in stuck:
        for succ in successors[node]:
            if succ in stuck:
                predecessors[succ].append(node)
    node = next(iter(sorted(stuck, key=str)))
    seen: dict[Hashable, int] = {}
    walk: list[Hashable] = []
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        node = predecessors[node][0]
    cycle = list(reversed(walk[seen[node]:]))
    return [*cycle, cycle[0]]


def _last_working_on_or_before(calendar: Calendar, day: dt.date) -> workdays.WorkdayResult:
    return calendar.add_working_days(day + dt.timedelta(days=1), -1)


def schedule_backward(
    tasks: Sequence[Task], links: Iterable[Link], target: dt.date, *, calendar: Calendar | None = None
) -> dict[Hashable, Window]:
    """倒排工期: the latest start and finish of every node so that the last ones finish by
    ``target``. Raises :class:`CycleError` when the links form a cycle."""
    cal = _calendar(calendar)
    links = list(links)
    order = topological_order(tasks, links)
    by_id = {task.id: task for task in tasks}
    out_links: dict[Hashable, list[Link]] = {task_id: [] for task_id in by_id}
    for link in links:
        out_links[link.pred].append(link)
    end = _last_working_on_or_before(cal, target)
    result: dict[Hashable, Window] = {}
    for node in reversed(order):
        finish, provisional = end.date, end.provisional
        for link in out_links[node]:
            succ = result[link.succ]
            bound = cal.add_working_days(succ.start, -(1 + link.lag))
            if bound.date < finish:
                finish = bound.date
            provisional = provisional or bound.provisional or succ.provisional
        start = cal.add_working_days(finish, -(by_id[node].duration - 1))
        result[node] = Window(start=start.date, finish=finish, provisional=provisional or start.provisional)
    return result


def schedule_forward(
    tasks: Sequence[Task], links: Iterable[Link], start: dt.date, *, calendar: Calendar | None = None
) -> dict[Hashable, Window]:
    """The earliest start and finish of every node when work begins on ``start``."""
    cal = _calendar(calendar)
    links = list(links)
    order = topological_order(tasks, links)
    by_id = {task.id: task for task in tasks}
    in_links: dict[Hashable, list[Link]] = {task_id: [] for task_id in by_id}
    for link in links:
        in_links[link.succ].append(link)
    first = cal.add_working_days(start, 0)
    result: dict[Hashable, Window] = {}
    for node in order:
        begin, provisional = first.date, first.provisional
        for link in in_links[node]:
            pred = result[link.pred]
            bound = cal.add_working_days(pred.finish, 1 + link.lag)
            if bound.date > begin:
                begin = bound.date
            provisional = provisional or bound.provisional or pred.provisional
        finish = cal.add_working_days(begin, by_id[node].duration - 1)
        result[node] = Window(start=begin, finish=finish.date, provisional=provisional or finish.provisional)
    return result


def schedule(
    tasks: Sequence[Task],
    links: Iterable[Link],
    *,
    target: dt.date,
    start: dt.date | None = None,
    calendar: Calendar | None = None,
) -> dict[Hashable, Plan]:
    """Backward from ``target``, forward from ``start`` (when given), and each node's float."""
    cal = _calendar(calendar)
    links = list(links)
    latest = schedule_backward(tasks, links, target, calendar=cal)
    earliest = schedule_forward(tasks, links, start, calendar=cal) if start is not None else {}
    plans: dict[Hashable, Plan] = {}
    for task in tasks:
        late = latest[task.id]
        early = earliest.get(task.id)
        float_days: int | None = None
        provisional = late.provisional
        if early is not None:
            count = cal.working_days_between(early.start, late.start)
            float_days = count.days
            provisional = provisional or early.provisional or count.provisional
        plans[task.id] = Plan(latest=late, earliest=early, float_days=float_days, provisional=provisional)
    return plans
