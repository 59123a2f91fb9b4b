"""The leader's home: hazards open past their deadline, over what the leader may see (the
重大隐患 under 督办 are the hazards' own leader to-do, ``todos_hazards``). The count is the
total of the hazard list its link opens."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Role
from yancheng.core.typing import Actor
from yancheng.core.workbench import Todo, light_when, register_todos

from .selectors_dashboard import leader_figures
from .selectors_stats import HAZARD_FIGURES, hazard_list_url

ORDER = 60


def leader_todos(user: Actor) -> Iterator[Todo]:
    figures = leader_figures(user)
    url = hazard_list_url(HAZARD_FIGURES["overdue_open"][1]) or reverse("safety:statistics")
    count = figures["overdue_open"]
    yield Todo(key="safety.overdue_open", label=_("逾期未整改隐患"), url=url, count=count,
               light=light_when(count, "red"), order=ORDER)


def register() -> None:
    register_todos(leader_todos, roles=[Role.LEADER])
