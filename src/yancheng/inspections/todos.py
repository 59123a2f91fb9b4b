"""What waits in 企业赋码保护, for the workbench (core.workbench): the inspector's scan and
day, the department clerk's joint proposals and plans, the supervisor's alerts and
complaints, the enterprise's announced inspections. Counts come from the same access
functions as the pages they link to."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Role
from yancheng.core.typing import Actor
from yancheng.core.workbench import Todo, light_when, register_todos

from .alerts import alerts_on_my_registrations
from .models import Inspection, InspectionAlert, InspectionPlan, PlanEntry
from .permissions import department_of, is_inspector
from .planning import access as plan_access
from .planning.common import annual_plan_due
from .supervision.access import active_supervisor
from .supervision.lists import AlertFilters, alert_list, complaint_list


def inspector_todos(user: Actor) -> Iterator[Todo]:
    if not is_inspector(user):
        return
    home = reverse("inspections:inspection_home")
    yield Todo(key="inspections.scan", label=_("扫码入企登记"), url=home, order=0, primary=True)
    mine = Inspection.objects.visible_to(user).filter(
        status=Inspection.Status.IN_PROGRESS, inspectors__licence__user_id=user.pk
    )
    count = mine.distinct().count()
    yield Todo(key="inspections.in_progress", label=_("检查中"), url=home, count=count,
               light=light_when(count, "yellow"), order=20)
    department = department_of(user)
    today = timezone.localdate()
    count = PlanEntry.objects.filter(
        plan__department=department, plan__status=InspectionPlan.Status.FILED,
        window_start__lte=today, window_end__gte=today,
    ).count()
    yield Todo(key="inspections.plan_today", label=_("今日计划检查"), url=reverse("inspections:inspection_plans"),
               count=count, order=21)
    count = alerts_on_my_registrations(user).count()
    yield Todo(key="inspections.my_alerts", label=_("我的登记被预警"), url=home + "#my-alerts", count=count,
               light=light_when(count, "red"), order=22)


def department_todos(user: Actor) -> Iterator[Todo]:
    """A department's clerk (承办人 of an enforcement department)."""
    department = department_of(user)
    if department is None or not user.has_perm("inspections.manage_department", department):
        return
    # proposals still open that this department has not answered: one it has agreed to
    # waits for the others, not for it
    count = plan_access.proposals_waiting_for(department).count()
    url = reverse("inspections:inspection_joint_proposals") + "?waiting=1"
    yield Todo(key="inspections.joint", label=_("待确认的联合检查"), url=url, count=count,
               light=light_when(count, "yellow"), order=30)
    today = timezone.localdate()
    missing = not InspectionPlan.objects.filter(
        department=department, year=today.year, month__isnull=True, status=InspectionPlan.Status.FILED
    ).exists()
    if missing:
        late = today > annual_plan_due(today.year)
        yield Todo(key="inspections.annual_plan", label=_("本年度检查计划未报备"),
                   url=reverse("inspections:inspection_plans"), count=1, light="red" if late else "yellow",
                   order=31)


def supervisor_todos(user: Actor) -> Iterator[Todo]:
    if not active_supervisor(user):
        return
    status = InspectionAlert.Status.OPEN.value
    count = alert_list(user, AlertFilters(status=status)).count()
    yield Todo(key="inspections.alerts", label=_("待处理预警"), url=reverse("inspections:inspection_alerts")
               + "?status=" + status, count=count, light=light_when(count, "red"), order=10)
    # Only those still open: a closed complaint waits for no one.
    count = complaint_list(user, department=None, start=None, end=None, open_only=True).count()
    yield Todo(key="inspections.complaints", label=_("未办结的涉企检查投诉"),
               url=reverse("inspections:inspection_supervision_complaints") + "?state=open", count=count,
               light=light_when(count, "yellow"), order=11)
    yield Todo(key="inspections.report", label=_("涉企检查情况通报"), url=reverse("inspections:inspection_report"),
               order=12)


def enterprise_todos(user: Actor) -> Iterator[Todo]:
    count = plan_access.announcements_for(user).count()
    yield Todo(key="inspections.announced", label=_("检查预告"), url=reverse("inspections:inspection_announcements"),
               count=count, order=20)
    yield Todo(key="inspections.rate", label=_("评价入企检查"), url=reverse("inspections:inspection_enterprise_home"),
               order=21)


def register() -> None:
    register_todos(inspector_todos, roles=[Role.INSPECTOR])
    register_todos(department_todos, roles=[Role.HANDLER])
    register_todos(supervisor_todos, roles=[Role.SUPERVISOR])
    register_todos(enterprise_todos, roles=[Role.ENTERPRISE])
