"""What waits in the registry family, for the workbench: the 安委办's letters of this year not
yet signed (its region's) and its coverage gaps (enterprises in a system's scope that no
department supervises), and a unit's own letter to sign. Each count is the list's total under
the link's filters (``selectors_registry.letters_missing`` / ``gaps_visible_to`` /
``own_letters_missing``)."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Role
from yancheng.core.typing import Actor
from yancheng.core.workbench import Todo, light_when, register_todos

from .permissions import is_safety_office
from .selectors_registry import gaps_visible_to, letters_missing, own_letters_missing

ORDER = 60


def letters_todo_url(*, year: int | None = None, mine: bool = False) -> str:
    params: dict[str, str] = {"status": "issued"}
    if mine:
        params["mine"] = "1"
    else:
        params["year"] = str(year or timezone.localdate().year)
    return reverse("safety:letter_list") + "?" + urlencode(params)


def registry_todos(user: Actor) -> Iterator[Todo]:
    if is_safety_office(user):
        count = letters_missing(user).count()
        yield Todo(key="safety.letters_missing", label=_("责任书未签订"), url=letters_todo_url(),
                   count=count, light=light_when(count, "yellow"), order=ORDER)
        gaps = gaps_visible_to(user).count()
        yield Todo(key="safety.coverage_gaps", label=_("覆盖缺口企业"), url=reverse("safety:coverage_gaps"),
                   count=gaps, light=light_when(gaps, "yellow"), order=ORDER + 1)
        return
    count = own_letters_missing(user).count()
    if count:
        yield Todo(key="safety.own_letter", label=_("本单位责任书待签订"), url=letters_todo_url(mine=True),
                   count=count, light="yellow", order=ORDER)


def register() -> None:
    register_todos(registry_todos, roles=[Role.SAFETY])
