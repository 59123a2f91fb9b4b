"""What waits in the case engine, for the workbench (core.workbench): the dispatcher's
triage, the handler's clocks, the enterprise's own cases. Every count is the inbox's own
query with the filters its link carries, so the list behind a figure shows that figure."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Role
from yancheng.core.typing import Actor
from yancheng.core.workbench import Todo, TodoLight, light_when, register_todos

from .models import Light, Status
from .selectors import InboxFilters, inbox


def _item(user: Actor, key: str, label: str | Promise, shows: TodoLight, order: int, **params: str) -> Todo:
    """A to-do counted by the inbox under ``params``, linking to the inbox under the same;
    its light is ``shows`` while something waits (none at all when ``shows`` is empty)."""
    count = inbox(user, InboxFilters(**params)).count()
    url = reverse("cases:case_inbox") + "?" + urlencode(params)
    return Todo(key=key, label=label, url=url, count=count, light=light_when(count, shows) if shows else "",
                order=order)


def dispatcher_todos(user: Actor) -> Iterator[Todo]:
    yield _item(user, "cases.to_assign", _("待交办"), "yellow", 10, status=Status.SUBMITTED.value)
    yield _item(user, "cases.returned", _("退回待处理"), "yellow", 11, status=Status.RETURNED.value)
    yield _item(user, "cases.extension", _("延期待审核"), "yellow", 12, todo="extension")
    yield _item(user, "cases.yellow", _("临期"), "yellow", 13, light=Light.YELLOW.value)
    yield _item(user, "cases.red", _("超期"), "red", 14, light=Light.RED.value)
    yield _item(user, "cases.new_today", _("今日新提交"), "", 15, todo="new", scope="all")


def handler_todos(user: Actor) -> Iterator[Todo]:
    yield _item(user, "cases.to_accept", _("待签收"), "yellow", 10, todo="lead", status=Status.ASSIGNED.value)
    # The unit's own clocks: the cases it leads and its 协办 tasks, each against its deadline.
    yield _item(user, "cases.yellow", _("临期"), "yellow", 11, todo="due_soon")
    yield _item(user, "cases.red", _("超期"), "red", 12, todo="overdue")
    yield _item(user, "cases.assist", _("协办任务"), "yellow", 13, todo="assist")
    yield _item(user, "cases.urged", _("收到催办"), "red", 14, mine="1", todo="urged")


def enterprise_todos(user: Actor) -> Iterator[Todo]:
    yield Todo(key="cases.report", label=_("反映问题"), url=reverse("cases:case_new"), order=0, primary=True)
    yield _item(user, "cases.open", _("办理中的诉求"), "", 10)
    yield _item(user, "cases.red", _("超期"), "red", 11, light=Light.RED.value)
    yield _item(user, "cases.to_rate", _("待评价"), "yellow", 12, status=Status.RESOLVED.value)
    yield _item(user, "cases.revisit", _("待回访答复"), "yellow", 13, scope="all", todo="revisit")


def register() -> None:
    register_todos(dispatcher_todos, roles=[Role.DISPATCHER])
    register_todos(handler_todos, roles=[Role.HANDLER])
    register_todos(enterprise_todos, roles=[Role.ENTERPRISE])
