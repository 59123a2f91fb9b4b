"""The leader's home: the safety figures that ask for attention — hazards open past their
deadline and 重大隐患 not yet closed, over what the leader may see. Each count is the total of
the hazard list its link opens (the statistics page while that list is not installed)."""

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
    for order, (key, label) in enumerate([("overdue_open", _("逾期未整改隐患")), ("major_open", _("重大隐患未销号"))]):
        url = hazard_list_url(HAZARD_FIGURES[key][1]) or reverse("safety:statistics")
        count = figures[key]
        yield Todo(key=f"safety.{key}", label=label, url=url, count=count,
                   light=light_when(count, "red" if key == "overdue_open" else "yellow"), order=ORDER + order)


def register() -> None:
    register_todos(leader_todos, roles=[Role.LEADER])
