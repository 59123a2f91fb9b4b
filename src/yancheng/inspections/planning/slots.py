"""Preferred slots (双向预约): the enterprise picks up to three half-days of an announced entry's window."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core import calendar as workcal
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.typing import Actor

from ..models import (
    InspectionPlan,
    PlanEntry,
    TimeSlotPreference,
)
from .common import MAX_SLOTS_PER_ENTRY


def slot_pick(entry: PlanEntry, *, actor: Actor, day: dt.date, period: str) -> TimeSlotPreference:
    """The enterprise names a half-day it prefers for an announced inspection: inside the
    entry's window, on a working day, not in the past, at most three per entry."""
    require(actor, "inspections.pick_slots", entry.enterprise)
    if entry.enterprise is None:
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    if period not in TimeSlotPreference.Period.values:
        raise ValidationFailed(_("请选择上午或下午。"), field="period")
    if not isinstance(day, dt.date):
        raise ValidationFailed(_("请选择日期。"), field="day")
    with transaction.atomic():
        locked = (
            PlanEntry.objects.select_for_update(of=("self",))
            .select_related("plan__department", "item", "enterprise")
            .get(pk=entry.pk)
        )
        if locked.plan.status != InspectionPlan.Status.FILED or not locked.announced:
            raise ValidationFailed(_("只有已报备且提前告知的检查才能预约时段。"), field="entry")
        if not locked.window_start <= day <= locked.window_end:
            raise ValidationFailed(
                _("请在检查窗口 %(a)s 至 %(b)s 之内选择日期。")
                % {"a": locked.window_start.isoformat(), "b": locked.window_end.isoformat()},
                field="day",
            )
        if day < timezone.localdate():
            raise ValidationFailed(_("不能选择已经过去的日期。"), field="day")
        if not workcal.is_working_day(day):
            raise ValidationFailed(_("%(d)s 不是工作日，请选择工作日。") % {"d": day.isoformat()}, field="day")
        if locked.slots.count() >= MAX_SLOTS_PER_ENTRY:
            raise ValidationFailed(
                _("每项检查最多选择 %(n)d 个时段，请先删除一个。") % {"n": MAX_SLOTS_PER_ENTRY}, field="day"
            )
        if locked.slots.filter(day=day, period=period).exists():
            raise ConflictError(_("该时段已选择。"), code="duplicate")
        slot = TimeSlotPreference.objects.create(entry=locked, day=day, period=period, chosen_by=actor)
        audit_record("plan_slot.pick", slot, actor=actor,
                     after={"entry": locked.pk, "day": day.isoformat(), "period": period})
    return slot


def slot_remove(slot: TimeSlotPreference, *, actor: Actor) -> None:
    """The enterprise takes back a preferred half-day (not one that has passed)."""
    entry = PlanEntry.objects.select_related("enterprise").get(pk=slot.entry_id)
    require(actor, "inspections.pick_slots", entry.enterprise)
    with transaction.atomic():
        PlanEntry.objects.select_for_update().get(pk=entry.pk)
        locked = TimeSlotPreference.objects.filter(pk=slot.pk, entry_id=entry.pk).first()
        if locked is None:
            raise NotFoundError(_("预约时段不存在。"))
        if locked.day < timezone.localdate():
            raise ConflictError(_("已经过去的时段不能删除。"), code="slot_past")
        audit_record("plan_slot.remove", locked, actor=actor,
                     before={"entry": entry.pk, "day": locked.day.isoformat(), "period": locked.period})
        locked.delete()
