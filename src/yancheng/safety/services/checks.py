"""常态化: a check is recorded — a department's check on its own inspection registration (made
through the enterprise's supervision code, SPEC §4), an enterprise's self-check (企业自查) or a
park's grid patrol (网格巡查). Each walks the system's checklist (符合/不符合/不适用 with a
note), may carry photos, and may report a hazard for each failed item in the same transaction
(all or nothing). A department or grid check counts for the open task of the checking unit
for the system and period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.attachments.services import attachment_add
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, Organisation, Role
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor, organisation_of
from yancheng.inspections.shared import visit_open_for_findings

from ..models import (
    CheckKind,
    CheckOutcome,
    CheckResult,
    CheckTask,
    EnterpriseSystem,
    Hazard,
    HazardLevel,
    SafetyCheck,
    SafetySystem,
    SystemChecklistItem,
)
from .common import now, numbered
from .hazards import TITLE_MAX, hazard_report

NOTE_MAX = CheckResult._meta.get_field("note").max_length or 300
SUMMARY_MAX = 4000
MAX_PHOTOS = 9


@dataclass(frozen=True)
class ItemResult:
    """One checklist item's result as the form or the API gives it. ``hazard_level`` set on a
    failed item reports it as a hazard (``hazard_description`` required then)."""

    item_id: int
    outcome: str
    note: str = ""
    hazard_level: str = ""
    hazard_description: str = ""


@dataclass
class CheckInput:
    system: SafetySystem
    enterprise: Enterprise
    results: Sequence[ItemResult]
    summary: str = ""
    photos: Sequence[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Recorded:
    check: SafetyCheck
    hazards: list[Hazard]


def mapped_systems(enterprise: Enterprise) -> list[SafetySystem]:
    """The active systems the enterprise is in the scope of."""
    ids = EnterpriseSystem.objects.filter(enterprise_id=enterprise.pk).values("system_id")
    return list(SafetySystem.objects.active().filter(pk__in=ids).order_by("code"))


def _items(system: SafetySystem) -> dict[int, SystemChecklistItem]:
    return {item.pk: item for item in system.items.filter(is_active=True).order_by("position", "code")}


def _clean_results(system: SafetySystem, results: Sequence[ItemResult]) -> list[tuple[SystemChecklistItem, ItemResult]]:
    items = _items(system)
    if not items:
        raise ValidationFailed(_("该责任制没有启用的检查项。"), field="system")
    given: dict[int, ItemResult] = {}
    for result in results:
        if result.item_id not in items:
            raise ValidationFailed(_("检查项不属于所选责任制。"), field="results")
        if result.outcome not in CheckOutcome.values:
            raise ValidationFailed(
                _("请为检查项 %(code)s 选择结果（符合、不符合或不适用）。") % {"code": items[result.item_id].code},
                field=f"outcome_{result.item_id}",
            )
        if result.hazard_level and result.outcome != CheckOutcome.FAIL:
            raise ValidationFailed(_("只有不符合的检查项可以上报隐患。"), field=f"hazard_{result.item_id}")
        if result.hazard_level and result.hazard_level not in HazardLevel.values:
            raise ValidationFailed(_("请选择隐患等级。"), field=f"level_{result.item_id}")
        given[result.item_id] = result
    missing = [item.code for pk, item in items.items() if pk not in given]
    if missing:
        raise ValidationFailed(
            _("还有检查项未填写结果：%(codes)s。") % {"codes": "、".join(missing)}, field="results"
        )
    return [(items[pk], given[pk]) for pk in items]


def _task_for(unit_id: int, system: SafetySystem, day: dt.date) -> CheckTask | None:
    """The unit's task of the system whose period holds ``day`` (the earliest due first)."""
    return (
        CheckTask.objects.filter(unit_id=unit_id, system_id=system.pk, period_start__lte=day, period_end__gte=day)
        .order_by("due_on", "pk").first()
    )


def _record(*, actor: Actor, kind: str, data: CheckInput, organisation: Organisation,
            performed_on: dt.date, inspection_id: int | None = None) -> Recorded:
    system = data.system
    if not system.is_active:
        raise ValidationFailed(_("该责任制已停用。"), field="system")
    rows = _clean_results(system, data.results)
    summary = clean_text(data.summary, field="summary", max_length=SUMMARY_MAX)
    notes = [clean_text(r.note, field=f"note_{item.pk}", max_length=NOTE_MAX) for item, r in rows]
    photos = list(data.photos or [])
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(_("照片最多 %(n)d 张。") % {"n": MAX_PHOTOS}, field="photos")
    task = None if kind == CheckKind.SELF else _task_for(organisation.pk, system, performed_on)
    recorded_at = now()
    with transaction.atomic():
        if task is not None:
            task = CheckTask.objects.select_for_update().get(pk=task.pk)
        check = SafetyCheck.objects.create(
            number=f"p-{uuid4().hex[:20]}", kind=kind, enterprise=data.enterprise,
            system=system, organisation=organisation, inspection_id=inspection_id, task=task, performed_by=actor,
            performed_on=performed_on, summary=summary, recorded_at=recorded_at,
        )
        check.number = numbered("AJ", check.pk, recorded_at)
        check.save(update_fields=["number"])
        CheckResult.objects.bulk_create([
            CheckResult(check_record=check, item=item, outcome=r.outcome, note=note)
            for (item, r), note in zip(rows, notes, strict=True)
        ])
        for photo in photos:
            attachment = attachment_add(check, file=photo, actor=actor)
            if not attachment.mime_type.startswith("image/"):
                raise ValidationFailed(_("照片须为图片文件（JPEG、PNG 等）。"), field="photos")
        hazards = [
            hazard_report(
                actor=actor, system=system, item=item, found_in=check, enterprise=data.enterprise,
                level=r.hazard_level, title=f"{item.code} {item.text}"[:TITLE_MAX],
                description=r.hazard_description or r.note,
            )
            for item, r in rows if r.hazard_level
        ]
        audit_record(
            "safety.check_record", check, actor=actor,
            after={"kind": kind, "system": system.code, "enterprise": data.enterprise.pk,
                   "inspection": inspection_id, "task": task.pk if task else None,
                   "failed": [item.code for item, r in rows if r.outcome == CheckOutcome.FAIL],
                   "hazards": [h.number for h in hazards]},
        )
        if hazards:
            recipients = [h.supervising_org for h in hazards]
            transaction.on_commit(lambda: notify(
                verb="safety.check_hazards", title=_("检查发现隐患：%(enterprise)s") % {"enterprise": data.enterprise.name},
                body="、".join(h.number for h in hazards), obj=check, actor=actor,
                organisations=list({org.pk: org for org in recipients}.values()),
            ))
    return Recorded(check, hazards)


def safety_check_record_department(*, actor: Actor, inspection_id: int, data: CheckInput,
                                   expected_version: int | None = None) -> Recorded:
    """A department's check, on one of the actor's own registrations of the enterprise (the
    actor one of its licensed inspectors, recent enough — ``inspections.shared``)."""
    require(actor, "safety.record_department_check")
    visit = visit_open_for_findings(actor, inspection_id)
    if visit is None:
        raise PermissionDeniedError(
            _("只能在本人参与的入企检查登记上记录安全检查；请先扫企业监管码登记入企检查。"), code="no_registration"
        )
    if visit.enterprise_id != data.enterprise.pk:
        raise ValidationFailed(_("所选入企检查登记不是该企业的。"), field="inspection")
    if visit.department_id != organisation_of(actor).pk:
        raise PermissionDeniedError(_("只能为本部门记录安全检查。"), code="other_department")
    if not EnterpriseSystem.objects.filter(enterprise_id=data.enterprise.pk, system_id=data.system.pk).exists():
        raise ValidationFailed(_("该企业不在所选责任制的覆盖范围内。"), field="system")
    if SafetyCheck.objects.filter(inspection_id=visit.pk, system_id=data.system.pk).exists():
        raise ValidationFailed(_("这次入企检查已记录过该责任制的安全检查。"), field="system", code="already_recorded")
    performed_on = timezone.localdate(visit.started_at)
    return _record(actor=actor, kind=CheckKind.DEPARTMENT, data=data, organisation=organisation_of(actor),
                   performed_on=performed_on, inspection_id=visit.pk)


def own_enterprise(actor: Actor) -> Enterprise | None:
    if actor.organisation_id is None:
        return None
    return Enterprise.objects.filter(organisation_id=actor.organisation_id).first()


def safety_check_record_self(*, actor: Actor, data: CheckInput, expected_version: int | None = None) -> Recorded:
    """An enterprise's self-check (企业自查) under one of the systems it is mapped to."""
    require(actor, "safety.record_self_check")
    own = own_enterprise(actor)
    if own is None or own.pk != data.enterprise.pk:
        raise PermissionDeniedError(_("只能为本企业自查。"))
    if data.system.pk not in {s.pk for s in mapped_systems(own)}:
        raise ValidationFailed(_("本企业不在所选责任制的覆盖范围内。"), field="system")
    return _record(actor=actor, kind=CheckKind.SELF, data=data, organisation=organisation_of(actor),
                   performed_on=timezone.localdate())


def is_grid_person(actor: Actor | None) -> bool:
    return bool(
        actor is not None and actor.is_authenticated and actor.role == Role.SAFETY and actor.organisation_id
        and organisation_of(actor).kind in (Organisation.Kind.PARK, Organisation.Kind.GOVERNMENT)
    )


def grid_enterprises(actor: Actor) -> Any:
    """The enterprises a grid person patrols: those of the actor's park."""
    return Enterprise.objects.filter(park_id=actor.organisation_id, is_active=True).order_by("name")


def safety_check_record_grid(*, actor: Actor, data: CheckInput, expected_version: int | None = None) -> Recorded:
    """A grid person's patrol (网格巡查) of an enterprise of their park or 乡镇."""
    require(actor, "safety.record_grid_check")
    if not is_grid_person(actor):
        raise PermissionDeniedError(_("网格巡查由园区或乡镇（街道）的安全员记录。"))
    if not grid_enterprises(actor).filter(pk=data.enterprise.pk).exists():
        raise NotFoundError(_("本网格没有该企业。"))
    if not EnterpriseSystem.objects.filter(enterprise_id=data.enterprise.pk, system_id=data.system.pk).exists():
        raise ValidationFailed(_("该企业不在所选责任制的覆盖范围内。"), field="system")
    return _record(actor=actor, kind=CheckKind.GRID, data=data, organisation=organisation_of(actor),
                   performed_on=timezone.localdate())
