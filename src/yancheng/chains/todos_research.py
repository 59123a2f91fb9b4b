"""What waits in the 科研成果清单, for the workbench: the chain office's overdue 对接 tasks
(对接中 past their date), one line per chain it runs, linking to the result list of the chain
(``?overdue=1`` shows the same results); the enterprise user's matched results that wait
(待对接, 对接中), linking to their own page under ``?open=1``."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import IndustryChain, Role
from yancheng.core.typing import Actor
from yancheng.core.workbench import Todo, light_when, register_todos

from .selectors_research import mine_open, office_overdue

ORDER = 70


def office_todos(user: Actor) -> Iterator[Todo]:
    overdue = office_overdue(user)
    chain_ids = sorted(set(overdue.values_list("result__chain_id", flat=True)))
    for chain in IndustryChain.objects.filter(pk__in=chain_ids).order_by("sort_order", "code"):
        count = overdue.filter(result__chain=chain).values("result").distinct().count()
        yield Todo(key=f"chains.research.overdue.{chain.code}", label=_("成果对接逾期"), note=chain.name,
                   url=reverse("chains:research", args=[chain.code]) + "?overdue=1", count=count,
                   light=light_when(count, "red"), order=ORDER)


def enterprise_todos(user: Actor) -> Iterator[Todo]:
    count = mine_open(user).count()
    if count:
        yield Todo(key="chains.research.matched", label=_("匹配的科研成果"), url=reverse("chains:mine") + "?open=1",
                   count=count, light=light_when(count, "yellow"), order=ORDER)


def register() -> None:
    from . import permissions_research  # noqa: F401 - registers the research family's rules

    register_todos(office_todos, roles=[Role.CHAIN_OFFICE])
    register_todos(enterprise_todos, roles=[Role.ENTERPRISE])
