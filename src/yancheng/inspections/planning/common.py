"""The limits, the pages linked from notifications and the small helpers the planning services share."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.errors import PermissionDeniedError
from yancheng.core.models import Enterprise, Organisation, Role, User
from yancheng.core.typing import Actor

from ..models import (
    InspectionPlan,
)
from ..permissions import department_of

# Annual plans are filed by the end of this month (shown on the page, not enforced).
ANNUAL_PLAN_DUE_MONTH = 3
MAX_SLOTS_PER_ENTRY = 3
MAX_NOTE = 200
MAX_REASON = 200
MAX_CLASS = 100
MAX_LEGAL_BASIS = 2000

DEPARTMENT_URL = "/inspections/department/"
JOINT_URL = "/inspections/department/joint/"
ANNOUNCEMENTS_URL = "/inspections/announcements/"




def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a month."""
    return dt.date(year, month, 1), dt.date(year, month, pycalendar.monthrange(year, month)[1])


def annual_plan_due(year: int) -> dt.date:
    """The day by which a year's annual plan should be filed (the end of March)."""
    return month_bounds(year, ANNUAL_PLAN_DUE_MONTH)[1]


def plan_is_late(plan: InspectionPlan, today: dt.date | None = None) -> bool:
    """An annual plan filed (or still unfiled) after its due day."""
    if plan.month is not None:
        return False
    due = annual_plan_due(plan.year)
    if plan.filed_at is not None:
        return timezone.localtime(plan.filed_at).date() > due
    return (today or timezone.localdate()) > due


def clerks_of(department: Organisation | int) -> list[User]:
    """The active clerks (承办人) of a department: who maintains plans and answers proposals."""
    pk = department if isinstance(department, int) else department.pk
    return list(User.objects.filter(organisation_id=pk, role=Role.HANDLER, is_active=True).order_by("pk"))


def enterprise_users_of(enterprise: Enterprise) -> list[User]:
    return list(
        User.objects.filter(organisation_id=enterprise.organisation_id, role=Role.ENTERPRISE, is_active=True)
        .order_by("pk")
    ) if enterprise.organisation_id else []


def own_department(actor: Actor, department: Organisation | None = None) -> Organisation:
    """The actor's department, which must be `department` when one is given."""
    own = department_of(actor)
    if own is None or (department is not None and own.pk != department.pk):
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    return own
