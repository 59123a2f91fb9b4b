"""The 链长's home (workbench): for each chain the user leads (链长 or 副链长), the red and
stale items of its lists and what waits for a decision — each count is a figure of
``selectors_leader`` and links to the list under the filter that shows the same rows:

- 红灯目标 (this year's targets lit red), 招商线索待跟进 (open leads lit red or yellow),
  红灯项目 (projects under construction whose worst light is red), 待补环节 (the gap list:
  缺 and 弱 nodes of the target map), 待决策 (the chain's meetings not closed, with the agenda
  items that have no decision yet).

The chain's red problems come from ``todos_problems`` (already a 链长's line). A leader who leads
no chain gets none of these."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.models import Role
from yancheng.core.typing import Actor
from yancheng.core.workbench import Todo, TodoLight, light_when, register_todos

from .selectors_leader import (
    lead_figures,
    led_chains,
    map_figures,
    meeting_figures,
    project_figures,
    target_figures,
)

ORDER = 20


def leader_todos(user: Actor) -> Iterator[Todo]:
    today = timezone.localdate()
    for n, chain in enumerate(led_chains(user)):
        order = ORDER + n
        red_targets = target_figures(chain, today)[0]
        stale = lead_figures(user, chain, today)[1]
        red_projects = project_figures(user, chain, today)[1]
        gaps = map_figures(chain)[3]
        meetings, items = meeting_figures(chain)
        lines: list[tuple[Any, str, TodoLight]] = [
            (red_targets, _("%(c)s红灯目标"), "red"),
            (stale, _("%(c)s招商线索待跟进"), "red"),
            (red_projects, _("%(c)s红灯项目"), "red"),
            (gaps, _("%(c)s待补环节"), "yellow"),
        ]
        for figure, label, light in lines:
            yield Todo(key=f"chains.leader.{figure.key}.{chain.code}", label=label % {"c": chain.name},
                       url=figure.url, count=figure.count, light=light_when(figure.count, light), order=order)
        label = _("%(c)s待决策") % {"c": chain.name}
        if items.count:
            label += _("（%(n)d 项议题）") % {"n": items.count}
        yield Todo(key=f"chains.leader.decisions.{chain.code}", label=label, url=meetings.url, count=meetings.count,
                   light=light_when(meetings.count, "yellow"), order=order)


def register() -> None:
    register_todos(leader_todos, roles=[Role.LEADER])
