"""What waits in 隐患排查治理, for the workbench: the supervising department's reports to
accept, evidence to verify (not the user's own) and overdue hazards; the enterprise's hazards
to rectify; the leaders' 重大隐患 under 挂牌督办; the 安委办's open 重大隐患 and overdue ones.
Each count is ``selectors_hazards.todo_queryset(user, key)``, and the line links to the
hazard list under the same ``todo`` filter."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Role
from yancheng.core.typing import Actor, organisation_of
from yancheng.core.workbench import Todo, TodoLight, light_when, register_todos

from .models import Hazard
from .permissions import is_department_safety, is_safety_office
from .selectors_hazards import todo_queryset

ORDER = 50
# Where grid persons work: a park, a 乡镇 (街道) government.
GRID_KINDS = frozenset({"park", "government"})


def todo_url(key: str) -> str:
    return reverse("safety:hazard_list") + "?" + urlencode({"todo": key})


def _item(user: Actor, key: str, label: str | Promise, shows: TodoLight, order: int) -> Todo:
    count = todo_queryset(user, key).count()
    return Todo(key=f"safety.hazards.{key}", label=label, url=todo_url(key), count=count,
                light=light_when(count, shows) if shows else "", order=ORDER + order)


def safety_todos(user: Actor) -> Iterator[Todo]:
    if not Hazard.objects.visible_to(user).exists():
        return  # no hazard work in this unit: no lines
    if is_safety_office(user):
        yield _item(user, "major_open", _("未销号重大隐患"), "yellow", 1)
        yield _item(user, "overdue", _("逾期隐患"), "red", 2)
    elif is_department_safety(user) and organisation_of(user).kind in GRID_KINDS:
        # A grid person (a park's or a 乡镇's) supervises nothing: what they reported, still open.
        yield _item(user, "reported_open", _("本单位报告未销号隐患"), "", 1)
    elif is_department_safety(user):
        yield _item(user, "to_accept", _("待受理隐患"), "yellow", 1)
        yield _item(user, "to_verify", _("待验收隐患"), "yellow", 2)
        yield _item(user, "overdue", _("逾期隐患"), "red", 3)


def enterprise_todos(user: Actor) -> Iterator[Todo]:
    if not Hazard.objects.visible_to(user).exists():
        return
    yield _item(user, "to_rectify", _("待整改隐患"), "yellow", 1)


def leader_todos(user: Actor) -> Iterator[Todo]:
    if not Hazard.objects.visible_to(user).exists():
        return
    yield _item(user, "supervised", _("重大隐患挂牌督办"), "red", 1)


def register() -> None:
    register_todos(safety_todos, roles=[Role.SAFETY, Role.INSPECTOR])
    register_todos(enterprise_todos, roles=[Role.ENTERPRISE])
    register_todos(leader_todos, roles=[Role.LEADER])
