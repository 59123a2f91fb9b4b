"""Writes and reads of a project's nodes (节点), their precedence links and their schedule
(倒排工期, SPEC §3). Every write: transaction → lock the project row (so two people
linking nodes at once cannot close a cycle between them) → permission → validation →
save → audit record.

Rights: the structure and the plan (nodes, links, 倒排) belong to whoever may maintain the
project (``projects.change_project``); actual dates are progress, recorded by whoever may
report it (``projects.report_progress``: the task force and the responsible unit too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import rules
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor, MaybeActor
from yancheng.lib import workdays

from .. import lights, scheduling
from ..models import Node, NodeLink, Project

CHANGE = "projects.change_project"
REPORT = "projects.report_progress"
MAX_DURATION = 3650
MAX_LAG = 365


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _graph(project: Project) -> tuple[list[scheduling.Task], list[scheduling.Link]]:
    tasks = [
        scheduling.Task(id=pk, duration=duration, name=name)
        for pk, duration, name in Node.objects.filter(project=project)
        .order_by("sort_order", "pk")
        .values_list("pk", "duration_days", "name")
    ]
    links = [
        scheduling.Link(pred=pred, succ=succ, lag=lag)
        for pred, succ, lag in NodeLink.objects.filter(predecessor__project=project).values_list(
            "predecessor_id", "successor_id", "lag_days"
        )
    ]
    return tasks, links


def _check_duration(duration_days: int) -> None:
    if not 1 <= duration_days <= MAX_DURATION:
        raise ValidationFailed(_("工期应为 1 到 %(max)s 个工作日。") % {"max": MAX_DURATION}, field="duration_days")


def _check_name(project: Project, name: str, *, exclude: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("请填写节点名称。"), field="name")
    clash = Node.objects.filter(project=project, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationFailed(_("本项目已有同名节点。"), field="name")
    return name


# --- nodes --------------------------------------------------------------------------------------


def node_add(
    project: Project,
    *,
    name: str,
    duration_days: int,
    responsible_org: Organisation | None = None,
    sort_order: int | None = None,
    actor: Actor | None,
) -> Node:
    """Add a node (e.g. 高压专线接入, 5 working days) to the project's schedule."""
    with transaction.atomic():
        locked = _lock(project)
        require(actor, CHANGE, locked)
        name = _check_name(locked, name)
        _check_duration(duration_days)
        if sort_order is None:
            last = Node.objects.filter(project=locked).order_by("-sort_order").values_list("sort_order", flat=True)
            sort_order = (last.first() or 0) + 10
        node = Node.objects.create(
            project=locked, name=name, duration_days=duration_days, responsible_org=responsible_org,
            sort_order=sort_order,
        )
        audit_record("project.node_add", node, actor=actor, after={
            "project": locked.pk, "name": name, "duration_days": duration_days,
            "responsible_org": responsible_org.pk if responsible_org else None,
        })
    return node


def node_update(
    node: Node,
    *,
    name: str | None = None,
    duration_days: int | None = None,
    responsible_org: Organisation | None = None,
    clear_responsible_org: bool = False,
    sort_order: int | None = None,
    planned_start: dt.date | None = None,
    planned_finish: dt.date | None = None,
    actor: Actor,
) -> Node:
    """Change a node's name, duration, unit, order or (by hand) its planned dates."""
    with transaction.atomic():
        project = _lock(node.project)
        require(actor, CHANGE, project)
        locked = Node.objects.get(pk=node.pk, project=project)
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = _check_name(project, name, exclude=locked.pk)
        if duration_days is not None:
            _check_duration(duration_days)
            values["duration_days"] = duration_days
        if responsible_org is not None or clear_responsible_org:
            values["responsible_org"] = responsible_org
        if sort_order is not None:
            values["sort_order"] = sort_order
        if planned_start is not None:
            values["planned_start"] = planned_start
        if planned_finish is not None:
            values["planned_finish"] = planned_finish
        start = values.get("planned_start", locked.planned_start)
        finish = values.get("planned_finish", locked.planned_finish)
        if start and finish and finish < start:
            raise ValidationFailed(_("计划完成不能早于计划开始。"), field="planned_finish")
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for field, value in values.items():
            old = getattr(locked, field)
            if old != value:
                before[field] = old.pk if isinstance(old, Organisation) else _plain(old)
                after[field] = value.pk if isinstance(value, Organisation) else _plain(value)
                setattr(locked, field, value)
        if after:
            locked.save(update_fields=list(after))
            audit_record("project.node_update", locked, actor=actor, before=before, after=after)
    return locked


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def node_remove(node: Node, *, actor: Actor) -> None:
    """Remove a node and its links."""
    with transaction.atomic():
        project = _lock(node.project)
        require(actor, CHANGE, project)
        locked = Node.objects.get(pk=node.pk, project=project)
        audit_record("project.node_remove", locked, actor=actor, before={
            "project": project.pk, "name": locked.name, "duration_days": locked.duration_days,
            "planned_start": _iso(locked.planned_start), "planned_finish": _iso(locked.planned_finish),
        })
        locked.delete()


def node_record_actual(
    node: Node,
    *,
    actual_start: dt.date | None = None,
    actual_finish: dt.date | None = None,
    actor: Actor | None,
    today: dt.date | None = None,
) -> Node:
    """Record when a node really started and finished (a date left out stays as it was)."""
    today = today or lights.today_local()
    with transaction.atomic():
        project = _lock(node.project)
        require(actor, REPORT, project)
        locked = Node.objects.get(pk=node.pk, project=project)
        start = actual_start or locked.actual_start
        finish = actual_finish or locked.actual_finish
        if finish is not None and start is None:
            raise ValidationFailed(_("请先填写实际开始日期。"), field="actual_start")
        for field, value in (("actual_start", actual_start), ("actual_finish", actual_finish)):
            if value is not None and value > today:
                raise ValidationFailed(_("实际日期不能晚于今天。"), field=field)
        if start and finish and finish < start:
            raise ValidationFailed(_("实际完成不能早于实际开始。"), field="actual_finish")
        before = {"actual_start": _iso(locked.actual_start), "actual_finish": _iso(locked.actual_finish)}
        changed = [f for f, v in (("actual_start", start), ("actual_finish", finish)) if getattr(locked, f) != v]
        locked.actual_start, locked.actual_finish = start, finish
        if changed:
            locked.save(update_fields=changed)
            audit_record("project.node_actual", locked, actor=actor, before=before,
                         after={"actual_start": _iso(start), "actual_finish": _iso(finish)})
    return locked


# --- links --------------------------------------------------------------------------------------


def node_link_add(predecessor: Node, successor: Node, *, lag_days: int = 0, actor: Actor | None) -> NodeLink:
    """``successor`` may start ``lag_days`` working days after the working day following
    ``predecessor``'s finish. Refused across projects and when it would close a cycle."""
    if predecessor.project_id != successor.project_id:
        raise ValidationFailed(_("前后节点必须属于同一项目。"), field="successor")
    if predecessor.pk == successor.pk:
        raise ValidationFailed(_("节点不能以自身为前置。"), field="successor")
    if not -MAX_LAG <= lag_days <= MAX_LAG:
        raise ValidationFailed(_("间隔应在 ±%(max)s 个工作日以内。") % {"max": MAX_LAG}, field="lag_days")
    with transaction.atomic():
        project = _lock(predecessor.project)
        require(actor, CHANGE, project)
        tasks, links = _graph(project)
        if NodeLink.objects.filter(predecessor=predecessor, successor=successor).exists():
            raise ValidationFailed(_("这两个节点之间已有前后关系。"), field="successor")
        try:
            scheduling.topological_order(tasks, [*links, scheduling.Link(predecessor.pk, successor.pk, lag_days)])
        except scheduling.CycleError as error:
            raise ValidationFailed(str(error), field="successor", code="node_cycle") from error
        try:
            with transaction.atomic():
                link = NodeLink.objects.create(predecessor=predecessor, successor=successor, lag_days=lag_days)
        except IntegrityError as error:  # pragma: no cover - guarded above; a race ends here
            raise ValidationFailed(_("这两个节点之间已有前后关系。"), field="successor") from error
        audit_record("project.node_link_add", link, actor=actor, after={
            "project": project.pk, "predecessor": predecessor.pk, "successor": successor.pk, "lag_days": lag_days,
        })
    return link


def node_link_remove(link: NodeLink, *, actor: Actor) -> None:
    with transaction.atomic():
        project = _lock(link.predecessor.project)
        require(actor, CHANGE, project)
        audit_record("project.node_link_remove", link, actor=actor, before={
            "project": project.pk, "predecessor": link.predecessor_id, "successor": link.successor_id,
            "lag_days": link.lag_days,
        })
        NodeLink.objects.filter(pk=link.pk).delete()


# --- 倒排工期 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleOutcome:
    target: dt.date
    windows: dict[Hashable, scheduling.Window]
    changed: int

    @property
    def provisional(self) -> bool:
        return any(w.provisional for w in self.windows.values())


def node_schedule_backward(project: Project, *, target_date: dt.date, actor: Actor | None) -> ScheduleOutcome:
    """倒排工期: from the target date, give every node its latest planned start and finish
    (see :mod:`.scheduling`), in one transaction with one audit record for the project."""
    with transaction.atomic():
        locked = _lock(project)
        require(actor, CHANGE, locked)
        tasks, links = _graph(locked)
        if not tasks:
            raise ValidationFailed(_("本项目还没有节点。"), field="target_date")
        try:
            windows = scheduling.schedule_backward(tasks, links, target_date)
        except scheduling.SchedulingError as error:
            raise ValidationFailed(str(error), field="target_date", code="node_cycle") from error
        nodes = list(Node.objects.filter(project=locked))
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        changed: list[Node] = []
        for node in nodes:
            window = windows[node.pk]
            if (node.planned_start, node.planned_finish) != (window.start, window.finish):
                before[str(node.pk)] = [_iso(node.planned_start), _iso(node.planned_finish)]
                after[str(node.pk)] = [window.start.isoformat(), window.finish.isoformat()]
                node.planned_start, node.planned_finish = window.start, window.finish
                changed.append(node)
        Node.objects.bulk_update(changed, ["planned_start", "planned_finish"])
        outcome = ScheduleOutcome(target=target_date, windows=windows, changed=len(changed))
        audit_record("project.node_schedule_backward", locked, actor=actor, before={"nodes": before}, after={
            "target_date": target_date.isoformat(), "nodes": after, "provisional": outcome.provisional,
        })
    return outcome


# --- reads --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeRow:
    """A row of the schedule table."""

    node: Node
    light: str
    float_days: int | None
    predecessors: list[NodeLink]

    @property
    def light_label(self) -> str:
        return str(lights.LIGHT_LABELS.get(self.light, ""))


@dataclass(frozen=True)
class NodeTable:
    rows: list[NodeRow]
    links: list[NodeLink]
    target: dt.date | None
    provisional: bool
    nodes_light: str
    cycle_error: str = ""


def node_table(project: Project, *, today: dt.date | None = None) -> NodeTable:
    """The project's nodes with their lights and float, in two queries.

    Float is measured against the current plan: the target is the latest planned finish;
    the earliest dates run forward from today (or the project's start, if later). Finished
    nodes no longer constrain anything and get no float; a node under way is counted as if
    it still needed its whole duration."""
    today = today or lights.today_local()
    nodes = list(Node.objects.filter(project=project).select_related("responsible_org"))
    links = list(
        NodeLink.objects.filter(predecessor__project=project).select_related("predecessor", "successor")
        .order_by("successor__sort_order", "predecessor__sort_order", "pk")
    )
    horizon = lights.node_yellow_horizon(today)
    finishes = [n.planned_finish for n in nodes if n.planned_finish]
    target = max(finishes) if finishes else None
    floats: dict[Hashable, int | None] = {}
    provisional = False
    cycle_error = ""
    open_nodes = [n for n in nodes if n.actual_finish is None]
    if target is not None and open_nodes:
        open_ids = {n.pk for n in open_nodes}
        begin = max(today, project.started_on or project.planned_start or today)
        tasks = [scheduling.Task(n.pk, n.duration_days, n.name) for n in open_nodes]
        graph = [scheduling.Link(lk.predecessor_id, lk.successor_id, lk.lag_days) for lk in links
                 if lk.predecessor_id in open_ids and lk.successor_id in open_ids]
        try:
            plans = scheduling.schedule(tasks, graph, target=target, start=begin, calendar=workdays.get_calendar())
        except scheduling.SchedulingError as error:
            cycle_error = str(error)
        else:
            floats = {pk: plan.float_days for pk, plan in plans.items()}
            provisional = any(plan.provisional for plan in plans.values())
    preds: dict[int, list[NodeLink]] = {}
    for link in links:
        preds.setdefault(link.successor_id, []).append(link)
    rows = [
        NodeRow(
            node=n,
            light=lights.node_light(planned_finish=n.planned_finish, actual_finish=n.actual_finish, today=today,
                                    horizon=horizon),
            float_days=floats.get(n.pk),
            predecessors=preds.get(n.pk, []),
        )
        for n in nodes
    ]
    nodes_light = lights.nodes_light_from(
        any_overdue=any(r.light == lights.RED for r in rows),
        any_due_soon=any(r.light == lights.YELLOW for r in rows),
        any_planned=any(n.planned_finish for n in nodes),
    )
    return NodeTable(rows=rows, links=links, target=target, provisional=provisional, nodes_light=nodes_light,
                     cycle_error=cycle_error)


def section_data(project: Project, user: MaybeActor | None, *, today: dt.date | None = None) -> dict[str, Any]:
    """What ``projects/_nodes_section.html`` shows: the node table, the project's three
    lights and whether ``user`` may change the plan."""
    today = today or lights.today_local()
    return {
        "table": node_table(project, today=today),
        "lights": lights.lights_of(project, today=today),
        "can_change": rules.has_perm(CHANGE, user, project),
    }
