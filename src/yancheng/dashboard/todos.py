"""The leader's workbench (core.workbench): the few figures of 挂图作战 that matter most,
each linking to the list it counts. They are the dashboard's own figures (its cached
overview), so the workbench and the dashboard never disagree."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Role
from yancheng.core.typing import Actor
from yancheng.core.workbench import Todo, light_when, register_todos

from .selectors import DashboardFilters, overview_snapshot


def leader_todos(user: Actor) -> Iterator[Todo]:
    data = overview_snapshot(user, DashboardFilters.from_params({}, user)).data
    total = data["project_total"]
    yield Todo(key="dashboard.projects", label=_("重点项目"), url=total["url"], count=total["count"], order=10)
    late = data["late_nodes"]
    yield Todo(key="dashboard.late_nodes", label=_("滞后节点"), url=late["url"], count=late["count"],
               light=light_when(late["count"], "red"), order=11)
    for row in data["light_rows"]:
        if row["light"] in ("red", "yellow"):
            yield Todo(key=f"dashboard.cases_{row['light']}", label=row["label"], url=row["url"],
                       count=row["count"], light=light_when(row["count"], row["light"]), order=12)
    for row in data["escalation_rows"]:
        if row["level"] >= 2:
            yield Todo(key=f"dashboard.escalation_{row['level']}", label=row["label"], url=row["url"],
                       count=row["count"], light=light_when(row["count"], "red"), order=13 + row["level"])
    rate = data["investment"]["rate"]
    yield Todo(key="dashboard.investment", label=_("年度投资完成率"), url=data["investment"]["url"],
               note=f"{rate}%" if rate is not None else "—", order=20)


def register() -> None:
    register_todos(leader_todos, roles=[Role.LEADER])
