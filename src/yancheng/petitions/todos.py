"""What waits in 信访, for the workbench (core.workbench): the 信访部门's registrations and
15-day transfer clock, objections, review requests and overdue reports; the handling organ's
notices of acceptance, clocks, notices to serve and reviews; the leader's extensions, 包案
matters and reception days; the supervisor's overdue matters; 稳控 visits due for the units
that do them.

Every count is ``selectors_todos.todo_queryset(user, key)`` (or ``follow_ups_for``,
``receptions_visible_to``), and the item links to the list under the same filters, so the
list behind a figure shows that figure. A handler, leader or supervisor whose unit has no
petition work is shown none of these lines."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Role
from yancheng.core.typing import Actor
from yancheng.core.workbench import Todo, TodoLight, light_when, register_todos

from .leaders import receptions_visible_to
from .models import FollowUp, Petition
from .selectors_todos import clock_light, follow_ups_for, todo_queryset

ORDER = 40  # after the case engine's lines


def todo_url(key: str) -> str:
    return reverse("petitions:petition_list") + "?" + urlencode({"todo": key})


def _item(user: Actor, key: str, label: str | Promise, shows: TodoLight, order: int, *,
          clock: str = "") -> Todo:
    qs = todo_queryset(user, key)
    count = qs.count()
    light: TodoLight = light_when(count, shows) if shows else ""
    if clock and count:
        found = clock_light(qs, clock)
        light = "red" if found == "red" else "yellow" if found == "yellow" else "green"
    return Todo(key=f"petitions.{key}", label=label, url=todo_url(key), count=count, light=light,
                order=ORDER + order)


def _follow_ups(user: Actor, order: int) -> Todo:
    due = follow_ups_for(user, due="due", mine=True)
    count = due.count()
    late = count and follow_ups_for(user, due="overdue", mine=True).exists()
    url = reverse("petitions:follow_up_list") + "?" + urlencode({"due": "due", "mine": "1"})
    return Todo(key="petitions.follow_ups_due", label=_("稳控回访到期"), url=url, count=count,
                light=light_when(count, "red" if late else "yellow"), order=ORDER + order)


def _register_url() -> str:
    """The registration page (written by the intake part); the list until it exists."""
    try:
        return reverse("petitions:petition_register")
    except NoReverseMatch:
        return reverse("petitions:petition_list")


def _has_petition_work(user: Actor) -> bool:
    return (Petition.objects.visible_to(user).exists()
            or FollowUp.objects.filter(org_id=user.organisation_id).exists())


def petition_office_todos(user: Actor) -> Iterator[Todo]:
    yield Todo(key="petitions.register", label=_("登记信访事项"), url=_register_url(), order=ORDER, primary=True)
    yield _item(user, "to_transfer", _("待转送交办"), "yellow", 1, clock="transfer_due_at")
    yield _item(user, "objections", _("待裁定的异议"), "yellow", 2)
    yield _item(user, "review_requests", _("复查复核申请"), "yellow", 3)
    yield _item(user, "report_overdue", _("交办未报"), "red", 4)
    yield _follow_ups(user, 5)


def handler_todos(user: Actor) -> Iterator[Todo]:
    if not _has_petition_work(user):
        return
    yield _item(user, "to_notify", _("待受理告知"), "yellow", 1, clock="case__accept_due_at")
    yield _item(user, "due_soon", _("信访临期"), "yellow", 2)
    yield _item(user, "overdue", _("信访超期"), "red", 3)
    yield _item(user, "to_serve", _("待送达文书"), "yellow", 4)
    yield _item(user, "reviews", _("复查复核待办"), "yellow", 5)
    yield _follow_ups(user, 6)


def leader_todos(user: Actor) -> Iterator[Todo]:
    today = timezone.localdate()
    days = receptions_visible_to(user).filter(leader_id=user.pk, day__gte=today)
    if not Petition.objects.visible_to(user).exists() and not days.exists():
        return
    yield _item(user, "extensions", _("待审批延期"), "yellow", 1)
    yield _item(user, "led", _("包案事项"), "", 2)
    count = days.count()
    url = reverse("petitions:reception_list") + "?" + urlencode({"when": "upcoming", "mine": "1"})
    yield Todo(key="petitions.receptions", label=_("接访日程"), url=url, count=count, order=ORDER + 3)


def supervisor_todos(user: Actor) -> Iterator[Todo]:
    if not Petition.objects.visible_to(user).exists():
        return
    yield _item(user, "overdue_all", _("超期信访事项"), "red", 1)


def register() -> None:
    register_todos(petition_office_todos, roles=[Role.PETITION])
    register_todos(handler_todos, roles=[Role.HANDLER])
    register_todos(leader_todos, roles=[Role.LEADER])
    register_todos(supervisor_todos, roles=[Role.SUPERVISOR])
