"""What waits in the targets family, for the workbench: a 链办's targets (of the chains it
runs, this year's and last year's) whose last ended period has no actual. The count is the
total of the list behind the link (``chains:targets_missing``, ``selectors_targets.missing_rows``)."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Role
from yancheng.core.typing import Actor
from yancheng.core.workbench import Todo, light_when, register_todos

from .selectors_targets import chains_run_by, missing_rows

ORDER = 70


def targets_todos(user: Actor) -> Iterator[Todo]:
    if not chains_run_by(user).exists():
        return
    count = len(missing_rows(user))
    yield Todo(key="chains.targets_missing", label=_("目标完成情况待报送"), url=reverse("chains:targets_missing"),
               count=count, light=light_when(count, "yellow"), order=ORDER)


def register() -> None:
    register_todos(targets_todos, roles=[Role.CHAIN_OFFICE])
