"""隐患排查治理: a hazard from its report to 销号 (SPEC §7; 《安全生产法》第四十一条,
安监总局令第16号). Each step checks the safety module's own permission and stage first, then
moves the rectification case on the engine inside the same transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.calendar.source import deadline_after
from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, Region, Role
from yancheng.core.typing import Actor, organisation_of

from ...models import Hazard, HazardLevel, HazardSource, SafetyCheck, SafetySystem, SystemChecklistItem
from ...selectors import supervising_org_for
from ..common import now, numbered, placeholder_number

# 受理: the supervising department accepts (or refuses) a report within one working day.
ACCEPT_WORKING_DAYS = 1
TITLE_MAX = Hazard._meta.get_field("title").max_length or 120
LOCATION_MAX = Hazard._meta.get_field("location").max_length or 200


def _repeat_of(enterprise: Enterprise | None, item: SystemChecklistItem | None, system: SafetySystem,
               when: dt.datetime) -> Hazard | None:
    """The latest hazard of the same enterprise and checklist item within the system's repeat
    window (a rejected report does not count)."""
    if enterprise is None or item is None:
        return None
    since = when - dt.timedelta(days=system.repeat_window_days)
    return (
        Hazard.objects.filter(enterprise_id=enterprise.pk, item_id=item.pk, reported_at__gte=since)
        .exclude(stage="rejected").order_by("-reported_at", "-pk").first()
    )


def hazard_report(
    *,
    actor: Actor | None,
    system: SafetySystem,
    level: str,
    title: str,
    description: str,
    enterprise: Enterprise | None = None,
    region: Region | None = None,
    item: SystemChecklistItem | None = None,
    location: str = "",
    found_in: SafetyCheck | None = None,
    source: str | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
) -> Hazard:
    """A hazard is reported: by a department's check, an enterprise's self-check, a grid
    person, or the public (``actor`` None, through the anonymous-capable form; contact details
    optional). It goes to the department that supervises the enterprise (or place) under the
    system, to be accepted within one working day. A repeat of the same enterprise's same item
    within the system's window is flagged (``repeat_of``)."""
    if actor is not None:
        require(actor, "safety.report_hazard")
    if not system.is_active:
        raise ValidationFailed(_("该责任制已停用。"), field="system")
    if level not in HazardLevel.values:
        raise ValidationFailed(_("请选择隐患等级。"), field="level")
    title = clean_text(title, field="title", max_length=TITLE_MAX, required=_("请填写隐患名称。"))
    description = clean_text(description, field="description", max_length=4000, required=_("请描述隐患情况。"))
    location = clean_text(location, field="location", max_length=LOCATION_MAX)
    if item is not None and item.system_id != system.pk:
        raise ValidationFailed(_("检查项不属于所选责任制。"), field="item")
    if found_in is not None:
        if found_in.system_id != system.pk or (enterprise is not None and found_in.enterprise_id != enterprise.pk):
            raise ValidationFailed(_("隐患与检查记录的企业或责任制不一致。"), field="found_in")
        enterprise = found_in.enterprise
    reporter_org = None
    if actor is not None:
        reporter_org = actor.organisation
        if actor.role == Role.ENTERPRISE:
            own = Enterprise.objects.filter(organisation_id=organisation_of(actor).pk).first()
            if own is None or (enterprise is not None and enterprise.pk != own.pk):
                raise PermissionDeniedError(_("只能报告本企业的隐患。"))
            enterprise = own
        elif enterprise is not None and not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists():
            raise PermissionDeniedError(_("只能报告本辖区可见企业的隐患。"))
    if source is None:
        if actor is None:
            source = HazardSource.PUBLIC
        elif actor.role == Role.ENTERPRISE:
            source = HazardSource.SELF_CHECK
        elif actor.organisation is not None and actor.organisation.kind in {"park", "government"}:
            source = HazardSource.GRID
        else:
            source = HazardSource.DEPARTMENT
    if source not in HazardSource.values:
        raise ValidationFailed(_("未知的隐患来源。"), field="source")
    if enterprise is None and region is None:
        raise ValidationFailed(_("请选择企业或隐患所在区划。"), field="region")
    place = enterprise.region if enterprise is not None else region
    assert place is not None
    supervising = supervising_org_for(system, enterprise=enterprise, region=place)
    reported_at = now()
    with transaction.atomic():
        hazard = Hazard(
            number=placeholder_number(),
            level=level, source=source, system=system, item=item, enterprise=enterprise, region=place,
            supervising_org=supervising, title=title, description=description, location=location,
            found_in=found_in, repeat_of=_repeat_of(enterprise, item, system, reported_at),
            reported_by=actor, reporter_org=reporter_org, reported_at=reported_at,
            accept_due_at=deadline_after(reported_at, ACCEPT_WORKING_DAYS),
        )
        if actor is None:
            hazard.reporter_name = clean_text(reporter_name, field="reporter_name", max_length=64)
            hazard.reporter_phone = clean_text(reporter_phone, field="reporter_phone", max_length=32)
        hazard.save()
        hazard.number = numbered("YH", hazard.pk, reported_at)
        hazard.save(update_fields=["number"])
        audit_record(
            "hazard.report", hazard, actor=actor,
            after={"level": level, "system": system.code, "enterprise": enterprise.pk if enterprise else None,
                   "supervising_org": supervising.pk, "source": source,
                   "repeat_of": hazard.repeat_of.number if hazard.repeat_of else None},
        )
    return hazard
