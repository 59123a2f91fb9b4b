"""The workbench (工作台): every role's home page is its to-do list.

Core cannot import the apps above it, so each module registers what waits for whom: at its
``AppConfig.ready()`` it calls ``register_todos(provider, roles=...)``. A provider takes the
signed-in user and returns ``Todo`` items, each a count (one cheap query through the
module's own selectors and ``visible_to``), a light, and the URL of the filtered list behind
it, which shows the same count. The home page asks only the providers registered for the
user's role, so a user never sees another role's items."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.utils.functional import Promise

if TYPE_CHECKING:
    from yancheng.core.typing import Actor

TodoLight = Literal["red", "yellow", "green", ""]


@dataclass(frozen=True)
class Todo:
    """One line of the workbench: ``count`` items wait behind ``url``. A ``count`` of None
    is an action without a count (反映问题, 扫码入企); ``primary`` shows it as a big button."""

    key: str
    label: str | Promise
    url: str
    count: int | None = None
    light: TodoLight = ""
    order: int = 100
    primary: bool = False
    note: str | Promise = ""


Provider = Callable[["Actor"], Iterable[Todo]]


@dataclass(frozen=True)
class _Registration:
    provider: Provider
    roles: frozenset[str]


_registry: list[_Registration] = []


def register_todos(provider: Provider, *, roles: Iterable[str]) -> None:
    """Register ``provider`` for the users of ``roles``; registering twice is harmless
    (``ready()`` may run more than once in tests)."""
    registration = _Registration(provider, frozenset(str(role) for role in roles))
    if registration not in _registry:
        _registry.append(registration)


def todos_for(user: Actor) -> list[Todo]:
    """The user's to-do items, from the providers registered for the user's role, in order."""
    items: list[Todo] = []
    for registration in _registry:
        if user.role in registration.roles:
            items.extend(registration.provider(user))
    return sorted(items, key=lambda item: (item.order, item.key))


def light_when(count: int, light: TodoLight) -> TodoLight:
    """The light of a count: ``light`` while something waits, green when nothing does."""
    return light if count else "green"
