"""What waits in the 重点问题清单, for the workbench: for a 链办, each chain its office runs;
for a 链长, each chain they lead — the chain's red open problems. The count is
``selectors_problems.red_problems`` and the line links to the list under the same filter
(``?light=red``, open problems), so the list shows the same number."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from yancheng.core.models import IndustryChain, Role
from yancheng.core.typing import Actor
from yancheng.core.workbench import Todo, light_when, register_todos

from .selectors_problems import red_problems

ORDER = 40


def _own_chains(user: Actor) -> list[IndustryChain]:
    if user.role == Role.CHAIN_OFFICE:
        mine = Q(profile__office_id=user.organisation_id) | Q(profile__staff=user)
    elif user.role == Role.LEADER:
        mine = Q(profile__leader=user) | Q(profile__deputy_leaders=user)
    else:
        return []
    return list(IndustryChain.objects.filter(mine).distinct().order_by("sort_order", "code"))


def problem_todos(user: Actor) -> Iterator[Todo]:
    for n, chain in enumerate(_own_chains(user)):
        count = red_problems(chain).count()
        yield Todo(
            key=f"chains.problems.red.{chain.code}", label=_("%(c)s红灯问题") % {"c": chain.name},
            url=reverse("chains:problems", args=[chain.code]) + "?" + urlencode({"light": "red"}),
            count=count, light=light_when(count, "red"), order=ORDER + n,
        )


def register() -> None:
    register_todos(problem_todos, roles=[Role.CHAIN_OFFICE, Role.LEADER])
