"""The administrators' workbench (core.workbench): what waits for the three administrators
— deliveries that failed, accounts locked out, a year without its holiday notice, and the
audit trail's last verification (as stored by its last run: a home page never runs one)."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .audit.models import AuditEvent
from .calendar_views import current_year_missing
from .models import Role
from .notifications.models import Delivery
from .security.lockouts import lockouts_in_force
from .typing import Actor
from .workbench import Todo, TodoLight, light_when, register_todos


def delivery_todos(user: Actor) -> Iterator[Todo]:
    waiting: tuple[tuple[Delivery.Status, TodoLight], ...] = (
        (Delivery.Status.FAILED, "yellow"), (Delivery.Status.GIVEN_UP, "red"),
    )
    for order, (status, light) in enumerate(waiting, start=10):
        count = Delivery.objects.filter(status=status).count()
        url = reverse("notifications:delivery_list") + "?status=" + status.value
        yield Todo(key=f"notifications.{status.value}", label=status.label, url=url, count=count,
                   light=light_when(count, light), order=order)


def calendar_todos(user: Actor) -> Iterator[Todo]:
    for year in current_year_missing():
        yield Todo(key=f"calendar.missing_{year}", label=_("%(year)s 年节假日安排未导入") % {"year": year},
                   url=reverse("core:holiday_list"), count=1, light="red", order=20)


def lockout_todos(user: Actor) -> Iterator[Todo]:
    count = lockouts_in_force().values("username").distinct().count()
    yield Todo(key="security.locked", label=_("已锁定的账号"), url=reverse("accounts:account_list") + "?locked=1",
               count=count, light=light_when(count, "yellow"), order=30)


def audit_todos(user: Actor) -> Iterator[Todo]:
    last = AuditEvent.objects.filter(action="audit.verify").order_by("-seq").first()
    url = reverse("audit:verify")
    if last is None:
        yield Todo(key="audit.verify", label=_("审计链尚未校验"), url=url, light="yellow", order=10)
        return
    ok = last.outcome == AuditEvent.Outcome.SUCCESS and str((last.after or {}).get("result", "")).startswith("OK")
    yield Todo(key="audit.verify", label=_("上次审计链校验通过") if ok else _("上次审计链校验发现问题"), url=url,
               light="green" if ok else "red", order=10)


def register() -> None:
    register_todos(delivery_todos, roles=[Role.SYSTEM_ADMIN])
    register_todos(calendar_todos, roles=[Role.SYSTEM_ADMIN])
    register_todos(lockout_todos, roles=[Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN])
    register_todos(audit_todos, roles=[Role.AUDIT_ADMIN])
