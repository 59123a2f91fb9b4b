"""Quiet periods (宁静期): created and ended by audited services, city-wide or in the supervisor's region."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, Region
from yancheng.core.models.visibility import is_citywide
from yancheng.core.typing import Actor

from ..models import (
    QuietPeriod,
)
from .access import supervises, supervision_region

QUIET_PERIOD_MAX_DAYS = 366


def quiet_period_create(
    *,
    actor: Actor | None,
    name: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    region: Region | None = None,
    enterprise: Enterprise | None = None,
) -> QuietPeriod:
    """企业宁静期: from `starts_on` to `ends_on` (both included) only exempt inspections are
    admitted — city-wide, in one region, or at one enterprise. A county's supervisor sets
    them for its own region or enterprises only."""
    require(actor, "inspections.manage_rules")
    name = clean_text(name, field="name", max_length=100, required=_("请填写宁静期名称。"))
    if not isinstance(starts_on, dt.date):
        raise ValidationFailed(_("请填写开始日期。"), field="starts_on")
    if not isinstance(ends_on, dt.date):
        raise ValidationFailed(_("请填写结束日期。"), field="ends_on")
    if ends_on < starts_on:
        raise ValidationFailed(_("结束日期不能早于开始日期。"), field="ends_on")
    if starts_on < timezone.localdate():
        raise ValidationFailed(_("宁静期不能从过去的日期开始。"), field="starts_on")
    if (ends_on - starts_on).days + 1 > QUIET_PERIOD_MAX_DAYS:
        raise ValidationFailed(_("一个宁静期最长 %(n)d 天。") % {"n": QUIET_PERIOD_MAX_DAYS}, field="ends_on")
    if region is not None and enterprise is not None:
        raise ValidationFailed(_("区划和企业只选一项：按区划设置或针对单个企业设置。"), field="enterprise")
    if actor is not None and not is_citywide(actor):
        own = supervision_region(actor)
        if region is None and enterprise is None:
            raise PermissionDeniedError(_("只有市级监督机构可以设置全市宁静期；请选择本区划或本区划的企业。"))
        if not supervises(actor, enterprise=enterprise, region=region if enterprise is None else None):
            raise PermissionDeniedError(
                _("只能为本区划（%(r)s）或本区划的企业设置宁静期。") % {"r": own.name if own else ""}
            )
    with transaction.atomic():
        period = QuietPeriod.objects.create(name=name, starts_on=starts_on, ends_on=ends_on, region=region,
                                            enterprise=enterprise, created_by=actor)
        audit_record("quiet_period.create", period, actor=actor, after={
            "name": name, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
            "region": region.code if region else None, "enterprise": enterprise.uscc if enterprise else None,
        })
    return period


def quiet_period_remove(period: QuietPeriod, *, actor: Actor | None) -> QuietPeriod | None:
    """Take a quiet period back: one that has not begun is deleted; one under way ends
    today; one that is over stays as the record of what applied (refused)."""
    require(actor, "inspections.manage_rules")
    if not supervises(actor, enterprise=period.enterprise, region=period.region) or (
        actor is not None and not is_citywide(actor) and period.region_id is None and period.enterprise_id is None
    ):
        raise PermissionDeniedError(_("只能撤销本区划的宁静期。"))
    today = timezone.localdate()
    with transaction.atomic():
        locked = QuietPeriod.objects.select_for_update().filter(pk=period.pk).first()
        if locked is None:
            return None
        if locked.ends_on < today:
            raise ValidationFailed(_("已结束的宁静期作为当时适用规则的记录保留，不能撤销。"))
        if locked.starts_on > today:
            audit_record("quiet_period.remove", locked, actor=actor, before={
                "name": locked.name, "starts_on": locked.starts_on.isoformat(), "ends_on": locked.ends_on.isoformat()})
            locked.delete()
            return None
        before = locked.ends_on
        locked.ends_on = today
        locked.save(update_fields=["ends_on"])
        audit_record("quiet_period.end", locked, actor=actor, before={"ends_on": before.isoformat()},
                     after={"ends_on": today.isoformat()})
    return locked
