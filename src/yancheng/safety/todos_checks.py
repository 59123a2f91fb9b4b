"""What waits in 常态化, for the workbench: a unit's safety staff and inspectors see
「本月检查任务」 (their unit's open tasks whose period holds today; the light the worst of
them), the 安委办 「逾期检查任务」 (the open tasks past due they see). Each count is the task
list's total under the link's filters (``selectors_checks.tasks_for``)."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Role
from yancheng.core.typing import Actor
from yancheng.core.workbench import Todo, TodoLight, light_when, register_todos

from .permissions import is_department_safety, is_safety_office
from .selectors_checks import tasks_for

ORDER = 60


def month_filters() -> dict[str, str]:
    return {"period": timezone.localdate().strftime("%Y-%m"), "open": "1"}


def _url(params: dict[str, str]) -> str:
    return reverse("safety:check_task_list") + "?" + urlencode(params)


def check_todos(user: Actor) -> Iterator[Todo]:
    if is_safety_office(user):
        params = {"overdue": "1"}
        count = tasks_for(user, params).count()
        yield Todo(key="safety.tasks_overdue", label=_("逾期检查任务"), url=_url(params), count=count,
                   light=light_when(count, "red"), order=ORDER)
        return
    if not is_department_safety(user):
        return
    params = month_filters()
    qs = tasks_for(user, params)
    if not qs.exists():
        return
    lights = set(qs.values_list(*["light"], flat=True))  # an annotation the plugin cannot see
    light: TodoLight = "red" if "red" in lights else "yellow" if "yellow" in lights else "green"
    yield Todo(key="safety.tasks_this_month", label=_("本月检查任务"), url=_url(params), count=qs.count(),
               light=light, order=ORDER)


def register() -> None:
    register_todos(check_todos, roles=[Role.SAFETY, Role.INSPECTOR])
