"""全覆盖: the registry of the city's safety responsibility systems is data the city's 安委办
keeps — a system, its checklist, its duties, its regional units and its responsible persons
(党政同责、一岗双责). Every change of a system, its checklist, duties or units writes a dated
``SystemRevision`` holding what the system was after it, so that the registry's history can be
read year by year. Only the city's 安委办 edits (``safety.manage_registry``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Organisation, Region, User
from yancheng.core.typing import Actor

from ..models import (
    DutyLevel,
    Frequency,
    PostKind,
    ResponsiblePerson,
    SafetySystem,
    SystemCategory,
    SystemChecklistItem,
    SystemDuty,
    SystemRevision,
    SystemUnit,
)
from .common import check_version, now

MANAGE = "safety.manage_registry"
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
ITEM_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$")
INDUSTRY_PREFIX = re.compile(r"^[A-T]([0-9]{1,4})?$")
MAX_REPEAT_WINDOW = 3650
ORG_KINDS = {Organisation.Kind.DEPARTMENT, Organisation.Kind.OFFICE, Organisation.Kind.GOVERNMENT,
             Organisation.Kind.PARK, Organisation.Kind.UTILITY}


def _field_max(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length or 0)


# --- the snapshot and the revision ---------------------------------------------------------------


def system_snapshot(system: SafetySystem) -> dict[str, Any]:
    """What the system is now, as a revision keeps it: its fields, its co-departments, its
    checklist (inactive items marked), its duties and its regional units."""
    return {
        "code": system.code,
        "name": system.name,
        "name_en": system.name_en,
        "category": system.category,
        "leading_org": {"code": system.leading_org.code, "name": system.leading_org.name},
        "co_orgs": [{"code": o.code, "name": o.name} for o in system.co_orgs.order_by("code")],
        "industry_codes": list(system.industry_codes or []),
        "scope_note": system.scope_note,
        "repeat_window_days": system.repeat_window_days,
        "is_example": system.is_example,
        "is_active": system.is_active,
        "retired_on": system.retired_on.isoformat() if system.retired_on else None,
        "items": [
            {"code": i.code, "text": i.text, "basis": i.basis, "major": i.is_major_criterion, "active": i.is_active}
            for i in system.items.order_by("position", "code")
        ],
        "duties": [
            {"level": d.level, "text": d.text, "frequency": d.frequency, "checks_enterprises": d.checks_enterprises,
             "scope_industry_codes": list(d.scope_industry_codes or []), "active": d.is_active}
            for d in system.duties.order_by("position", "pk")
        ],
        "units": [
            {"region": u.region.code, "region_name": u.region.name, "organisation": u.organisation.code,
             "organisation_name": u.organisation.name}
            for u in system.units.select_related("region", "organisation").order_by("region__code")
        ],
    }


def _revise(system: SafetySystem, *, actor: Actor | None, summary: str, effective_on: dt.date | None = None,
            bump: bool = True) -> SystemRevision:
    """Record the system as it now is (the caller holds its row lock) and move its version."""
    if bump:
        system.version += 1
        system.save(update_fields=["version", "updated_at"])
    last = SystemRevision.objects.filter(system_id=system.pk).aggregate(n=Max("number"))["n"] or 0
    at = now()
    return SystemRevision.objects.create(
        system=system, number=last + 1, effective_on=effective_on or timezone.localdate(at),
        summary=summary[:200], snapshot=system_snapshot(system), changed_by=actor, changed_at=at,
    )


def _lock_system(system: SafetySystem, expected_version: int | None = None) -> SafetySystem:
    locked = SafetySystem.objects.select_for_update().select_related("leading_org").get(pk=system.pk)
    check_version(locked, expected_version)
    return locked


def _summary(summary: str, default: str) -> str:
    return clean_text(summary, field="summary", max_length=200) or default


# --- validation shared by the pages, the API and the imports --------------------------------------


def clean_industry_codes(values: Iterable[str] | str | None, *, field: str = "industry_codes") -> list[str]:
    """GB/T 4754 prefixes (``C31``, ``H62``, ``F5265``): letters upper-cased, duplicates dropped,
    order kept. A text is split on commas, semicolons (either width) and white space."""
    if values is None:
        return []
    if isinstance(values, str):
        values = re.split(r"[,，;；、\s]+", values)
    codes: list[str] = []
    for raw in values:
        code = str(raw or "").strip().upper()
        if not code:
            continue
        if not INDUSTRY_PREFIX.match(code):
            raise ValidationFailed(
                _("行业代码「%(code)s」无效：应为门类字母 A–T，可后接 1 至 4 位数字，如 C31、H62。") % {"code": code[:12]},
                field=field,
            )
        if code not in codes:
            codes.append(code)
    return codes


def _check_org(org: Organisation | None, *, field: str, required: str) -> Organisation:
    if org is None:
        raise ValidationFailed(required, field=field)
    if org.kind not in ORG_KINDS or not org.is_active:
        raise ValidationFailed(_("「%(name)s」不能作为责任单位。") % {"name": org.name}, field=field)
    return org


def _check_category(category: str) -> str:
    if category not in SystemCategory.values:
        raise ValidationFailed(_("请选择责任制类别。"), field="category")
    return category


def _check_window(days: int) -> int:
    if not isinstance(days, int) or not 1 <= days <= MAX_REPEAT_WINDOW:
        raise ValidationFailed(
            _("重复隐患判定期应为 1 至 %(n)d 天。") % {"n": MAX_REPEAT_WINDOW}, field="repeat_window_days"
        )
    return days


# --- systems -------------------------------------------------------------------------------------


def system_create(
    *,
    actor: Actor | None,
    code: str,
    name: str,
    category: str,
    leading_org: Organisation | None,
    name_en: str = "",
    co_orgs: Sequence[Organisation] = (),
    industry_codes: Iterable[str] | str | None = None,
    scope_note: str = "",
    repeat_window_days: int = 90,
    is_example: bool = False,
    summary: str = "",
    effective_on: dt.date | None = None,
) -> SafetySystem:
    """A new responsibility system enters the registry (revision 1)."""
    require(actor, MANAGE)
    code = clean_text(code, field="code", max_length=32, required=_("请填写编码。")).lower()
    if not CODE_PATTERN.match(code):
        raise ValidationFailed(_("编码只能包含小写字母、数字、连字符和下划线。"), field="code")
    name = clean_text(name, field="name", max_length=_field_max(SafetySystem, "name"), required=_("请填写名称。"))
    name_en = clean_text(name_en, field="name_en", max_length=_field_max(SafetySystem, "name_en"))
    leading = _check_org(leading_org, field="leading_org", required=_("请选择牵头部门。"))
    for org in co_orgs:
        _check_org(org, field="co_orgs", required="")
    with transaction.atomic():
        if SafetySystem.objects.filter(code=code).exists():
            raise ConflictError(_("编码「%(code)s」已被使用。") % {"code": code}, field="code", code="duplicate")
        system = SafetySystem.objects.create(
            code=code, name=name, name_en=name_en, category=_check_category(category), leading_org=leading,
            industry_codes=clean_industry_codes(industry_codes),
            scope_note=clean_text(scope_note, field="scope_note", max_length=2000),
            repeat_window_days=_check_window(repeat_window_days), is_example=bool(is_example),
        )
        system.co_orgs.set([o for o in co_orgs if o.pk != leading.pk])
        _revise(system, actor=actor, summary=_summary(summary, _("新建责任制")), effective_on=effective_on, bump=False)
        audit_record("safety.system.create", system, actor=actor, after={"code": code, "name": name})
    return system


_UNSET: Any = object()


def system_update(
    system: SafetySystem,
    *,
    actor: Actor | None,
    expected_version: int | None = None,
    summary: str = "",
    name: str = _UNSET,
    name_en: str = _UNSET,
    category: str = _UNSET,
    leading_org: Organisation | None = _UNSET,
    co_orgs: Sequence[Organisation] = _UNSET,
    industry_codes: Iterable[str] | str | None = _UNSET,
    scope_note: str = _UNSET,
    repeat_window_days: int = _UNSET,
    is_example: bool = _UNSET,
    effective_on: dt.date | None = None,
) -> SafetySystem:
    """Change a system's fields (those given); a new revision records it with ``summary``. A
    retired system is not changed any more."""
    require(actor, MANAGE, system)
    with transaction.atomic():
        system = _lock_system(system, expected_version)
        if not system.is_active:
            raise ValidationFailed(_("该责任制已停用，不能修改。"), code="retired")
        before = system_snapshot(system)
        fields: list[str] = []

        def put(attr: str, value: Any) -> None:
            if getattr(system, attr) != value:
                setattr(system, attr, value)
                fields.append(attr)

        if name is not _UNSET:
            put("name", clean_text(name, field="name", max_length=_field_max(SafetySystem, "name"),
                                   required=_("请填写名称。")))
        if name_en is not _UNSET:
            put("name_en", clean_text(name_en, field="name_en", max_length=_field_max(SafetySystem, "name_en")))
        if category is not _UNSET:
            put("category", _check_category(category))
        if leading_org is not _UNSET:
            put("leading_org", _check_org(leading_org, field="leading_org", required=_("请选择牵头部门。")))
        if industry_codes is not _UNSET:
            put("industry_codes", clean_industry_codes(industry_codes))
        if scope_note is not _UNSET:
            put("scope_note", clean_text(scope_note, field="scope_note", max_length=2000))
        if repeat_window_days is not _UNSET:
            put("repeat_window_days", _check_window(repeat_window_days))
        if is_example is not _UNSET:
            put("is_example", bool(is_example))
        co_changed = False
        if co_orgs is not _UNSET:
            for org in co_orgs:
                _check_org(org, field="co_orgs", required="")
            wanted = {o.pk for o in co_orgs if o.pk != system.leading_org_id}
            if wanted != set(system.co_orgs.values_list("pk", flat=True)):
                system.co_orgs.set(list(wanted))
                co_changed = True
        if not fields and not co_changed:
            return system
        system.save(update_fields=[*fields, "updated_at"])
        _revise(system, actor=actor, summary=_summary(summary, _("修改责任制")), effective_on=effective_on)
        audit_record("safety.system.update", system, actor=actor, before={k: before[k] for k in before if k in fields},
                     after={k: system_snapshot(system)[k] for k in fields} | ({"co_orgs": True} if co_changed else {}))
    return system


def system_retire(
    system: SafetySystem, *, actor: Actor | None, expected_version: int | None = None,
    retired_on: dt.date | None = None, summary: str = "",
) -> SafetySystem:
    """Retire a system: it leaves the registry's active list and coverage, its checks and
    hazards stay. The revision records the date."""
    require(actor, MANAGE, system)
    with transaction.atomic():
        system = _lock_system(system, expected_version)
        if not system.is_active:
            raise ValidationFailed(_("该责任制已停用。"), code="retired")
        day = retired_on or timezone.localdate()
        system.is_active = False
        system.retired_on = day
        system.save(update_fields=["is_active", "retired_on", "updated_at"])
        _revise(system, actor=actor, summary=_summary(summary, _("停用责任制")), effective_on=day)
        audit_record("safety.system.retire", system, actor=actor, after={"retired_on": day.isoformat()})
    return system


# --- checklist items -----------------------------------------------------------------------------


def _active_system(system: SafetySystem, expected_version: int | None) -> SafetySystem:
    locked = _lock_system(system, expected_version)
    if not locked.is_active:
        raise ValidationFailed(_("该责任制已停用，不能修改。"), code="retired")
    return locked


def item_add(
    system: SafetySystem, *, actor: Actor | None, code: str, text: str, basis: str = "",
    is_major_criterion: bool = False, position: int | None = None, expected_version: int | None = None,
    summary: str = "",
) -> SystemChecklistItem:
    """A checklist item is added to the system (``is_major_criterion``: failing it is a 重大
    事故隐患 under the national 判定标准)."""
    require(actor, MANAGE, system)
    code = clean_text(code, field="code", max_length=16, required=_("请填写检查项编号。"))
    if not ITEM_CODE_PATTERN.match(code):
        raise ValidationFailed(_("检查项编号只能包含字母、数字、点、连字符和下划线。"), field="code")
    text = clean_text(text, field="text", max_length=_field_max(SystemChecklistItem, "text"),
                      required=_("请填写检查内容。"))
    basis = clean_text(basis, field="basis", max_length=_field_max(SystemChecklistItem, "basis"))
    with transaction.atomic():
        system = _active_system(system, expected_version)
        if system.items.filter(code=code).exists():
            raise ConflictError(_("检查项编号「%(code)s」已存在。") % {"code": code}, field="code", code="duplicate")
        if position is None:
            position = (system.items.aggregate(p=Max("position"))["p"] or 0) + 1
        item = SystemChecklistItem.objects.create(
            system=system, code=code, text=text, basis=basis, is_major_criterion=bool(is_major_criterion),
            position=max(0, int(position)),
        )
        _revise(system, actor=actor, summary=_summary(summary, _("新增检查项 %(code)s") % {"code": code}))
        audit_record("safety.item.add", item, actor=actor, after={"system": system.code, "code": code,
                                                                   "major": item.is_major_criterion})
    return item


def item_update(
    item: SystemChecklistItem, *, actor: Actor | None, text: str | None = None, basis: str | None = None,
    is_major_criterion: bool | None = None, position: int | None = None, is_active: bool | None = None,
    expected_version: int | None = None, summary: str = "",
) -> SystemChecklistItem:
    """Edit a checklist item (its code stays: hazards and checks refer to it); ``is_active``
    False deactivates it, True brings it back."""
    require(actor, MANAGE, item.system)
    with transaction.atomic():
        system = _active_system(item.system, expected_version)
        item = SystemChecklistItem.objects.select_for_update().get(pk=item.pk)
        before = {"text": item.text, "basis": item.basis, "major": item.is_major_criterion, "active": item.is_active}
        if text is not None:
            item.text = clean_text(text, field="text", max_length=_field_max(SystemChecklistItem, "text"),
                                   required=_("请填写检查内容。"))
        if basis is not None:
            item.basis = clean_text(basis, field="basis", max_length=_field_max(SystemChecklistItem, "basis"))
        if is_major_criterion is not None:
            item.is_major_criterion = bool(is_major_criterion)
        if position is not None:
            item.position = max(0, int(position))
        if is_active is not None:
            item.is_active = bool(is_active)
        after = {"text": item.text, "basis": item.basis, "major": item.is_major_criterion, "active": item.is_active}
        item.save()
        default = _("停用检查项 %(code)s") if is_active is False else _("修改检查项 %(code)s")
        _revise(system, actor=actor, summary=_summary(summary, default % {"code": item.code}))
        audit_record("safety.item.update", item, actor=actor, before=before, after=after)
    return item


def item_deactivate(item: SystemChecklistItem, *, actor: Actor | None, expected_version: int | None = None,
                    summary: str = "") -> SystemChecklistItem:
    """A checklist item is no longer walked through (past checks keep their results)."""
    return item_update(item, actor=actor, is_active=False, expected_version=expected_version, summary=summary)


# --- duties --------------------------------------------------------------------------------------


def _check_duty(level: str, frequency: str) -> None:
    if level not in DutyLevel.values:
        raise ValidationFailed(_("请选择职责层级。"), field="level")
    if frequency and frequency not in Frequency.values:
        raise ValidationFailed(_("请选择有效的频次。"), field="frequency")


def duty_add(
    system: SafetySystem, *, actor: Actor | None, level: str, text: str, frequency: str = "",
    checks_enterprises: bool = False, scope_industry_codes: Iterable[str] | str | None = None,
    position: int | None = None, expected_version: int | None = None, summary: str = "",
) -> SystemDuty:
    """What one level must do under the system, and how often. A duty that checks
    enterprises needs a frequency (it makes the recurring check tasks)."""
    require(actor, MANAGE, system)
    _check_duty(level, frequency)
    text = clean_text(text, field="text", max_length=_field_max(SystemDuty, "text"), required=_("请填写职责内容。"))
    if checks_enterprises and not frequency:
        raise ValidationFailed(_("须检查企业的职责应填写频次。"), field="frequency")
    scope = clean_industry_codes(scope_industry_codes, field="scope_industry_codes")
    with transaction.atomic():
        system = _active_system(system, expected_version)
        if position is None:
            position = (system.duties.aggregate(p=Max("position"))["p"] or 0) + 1
        duty = SystemDuty.objects.create(
            system=system, level=level, text=text, frequency=frequency, checks_enterprises=bool(checks_enterprises),
            scope_industry_codes=scope, position=max(0, int(position)),
        )
        _revise(system, actor=actor, summary=_summary(summary, _("新增职责")))
        audit_record("safety.duty.add", duty, actor=actor, after={"system": system.code, "level": level, "text": text})
    return duty


def duty_update(
    duty: SystemDuty, *, actor: Actor | None, level: str | None = None, text: str | None = None,
    frequency: str | None = None, checks_enterprises: bool | None = None,
    scope_industry_codes: Iterable[str] | str | None = _UNSET, position: int | None = None,
    is_active: bool | None = None, expected_version: int | None = None, summary: str = "",
) -> SystemDuty:
    """Edit a duty; ``is_active`` False deactivates it (no more check tasks from it)."""
    require(actor, MANAGE, duty.system)
    with transaction.atomic():
        system = _active_system(duty.system, expected_version)
        duty = SystemDuty.objects.select_for_update().get(pk=duty.pk)
        before = {"level": duty.level, "text": duty.text, "frequency": duty.frequency, "active": duty.is_active}
        if level is not None:
            duty.level = level
        if text is not None:
            duty.text = clean_text(text, field="text", max_length=_field_max(SystemDuty, "text"),
                                   required=_("请填写职责内容。"))
        if frequency is not None:
            duty.frequency = frequency
        if checks_enterprises is not None:
            duty.checks_enterprises = bool(checks_enterprises)
        if scope_industry_codes is not _UNSET:
            duty.scope_industry_codes = clean_industry_codes(scope_industry_codes, field="scope_industry_codes")
        if position is not None:
            duty.position = max(0, int(position))
        if is_active is not None:
            duty.is_active = bool(is_active)
        _check_duty(duty.level, duty.frequency)
        if duty.checks_enterprises and not duty.frequency:
            raise ValidationFailed(_("须检查企业的职责应填写频次。"), field="frequency")
        duty.save()
        _revise(system, actor=actor, summary=_summary(summary, _("停用职责") if is_active is False else _("修改职责")))
        audit_record("safety.duty.update", duty, actor=actor, before=before,
                     after={"level": duty.level, "text": duty.text, "frequency": duty.frequency,
                            "active": duty.is_active})
    return duty


def duty_deactivate(duty: SystemDuty, *, actor: Actor | None, expected_version: int | None = None,
                    summary: str = "") -> SystemDuty:
    return duty_update(duty, actor=actor, is_active=False, expected_version=expected_version, summary=summary)


# --- regional units ------------------------------------------------------------------------------


def unit_set(
    system: SafetySystem, *, actor: Actor | None, region: Region, organisation: Organisation | None,
    expected_version: int | None = None, summary: str = "",
) -> SystemUnit:
    """The department that answers for the system in ``region`` (属地管理); replaces the
    region's previous one. The department must be of the region (or the city's, for the city)."""
    require(actor, MANAGE, system)
    org = _check_org(organisation, field="organisation", required=_("请选择负责部门。"))
    if region.kind not in {"city", "district", "county", "county_city", "stat_zone"}:
        raise ValidationFailed(_("请选择市或县（市、区）。"), field="region")
    with transaction.atomic():
        system = _active_system(system, expected_version)
        unit = SystemUnit.objects.select_for_update().filter(system_id=system.pk, region_id=region.pk).first()
        before = unit.organisation.code if unit is not None else None
        if unit is not None and unit.organisation_id == org.pk:
            return unit
        if unit is None:
            unit = SystemUnit.objects.create(system=system, region=region, organisation=org)
        else:
            unit.organisation = org
            unit.save(update_fields=["organisation"])
        _revise(system, actor=actor, summary=_summary(
            summary, _("%(region)s负责部门：%(org)s") % {"region": region.name, "org": org.name}))
        audit_record("safety.unit.set", unit, actor=actor, before={"organisation": before},
                     after={"system": system.code, "region": region.code, "organisation": org.code})
    return unit


def unit_remove(unit: SystemUnit, *, actor: Actor | None, expected_version: int | None = None,
                summary: str = "") -> None:
    """The region has no department for the system any more (its enterprises become gaps
    unless named by hand)."""
    require(actor, MANAGE, unit.system)
    with transaction.atomic():
        system = _active_system(unit.system, expected_version)
        region_name = unit.region.name
        audit_record("safety.unit.remove", unit, actor=actor,
                     before={"system": system.code, "region": unit.region.code, "organisation": unit.organisation.code})
        unit.delete()
        _revise(system, actor=actor, summary=_summary(summary, _("撤销%(region)s负责部门") % {"region": region_name}))


# --- responsible persons -------------------------------------------------------------------------


def _person_fields(*, region: Region, organisation: Organisation | None, post: str, name: str, title: str,
                   phone: str, user: User | None) -> dict[str, Any]:
    if post not in PostKind.values:
        raise ValidationFailed(_("请选择岗位。"), field="post")
    org = _check_org(organisation, field="organisation", required=_("请选择所在单位。"))
    if user is not None and (not user.is_active or user.organisation_id != org.pk):
        raise ValidationFailed(_("关联的账号应为该单位的在用账号。"), field="user")
    return {
        "region": region, "organisation": org, "post": post,
        "name": clean_text(name, field="name", max_length=_field_max(ResponsiblePerson, "name"),
                           required=_("请填写姓名。")),
        "title": clean_text(title, field="title", max_length=_field_max(ResponsiblePerson, "title")),
        "phone": clean_text(phone, field="phone", max_length=_field_max(ResponsiblePerson, "phone")),
        "user": user,
    }


def person_add(
    system: SafetySystem, *, actor: Actor | None, region: Region, organisation: Organisation | None, post: str,
    name: str, title: str = "", phone: str = "", user: User | None = None,
) -> ResponsiblePerson:
    """A person answers for the system in a region (党政同责、一岗双责): the leader in charge,
    the department head, or the grid person of a 乡镇/园区 (``organisation`` is then the 乡镇 or
    park). ``user`` links the person's account, if any."""
    require(actor, MANAGE, system)
    values = _person_fields(region=region, organisation=organisation, post=post, name=name, title=title,
                            phone=phone, user=user)
    with transaction.atomic():
        system = _active_system(system, None)
        person = ResponsiblePerson.objects.create(system=system, **values)
        audit_record("safety.person.add", person, actor=actor,
                     after={"system": system.code, "region": region.code, "post": post, "name": person.name})
    return person


def person_update(
    person: ResponsiblePerson, *, actor: Actor | None, region: Region | None = None,
    organisation: Organisation | None = None, post: str | None = None, name: str | None = None,
    title: str | None = None, phone: str | None = None, user: User | None = _UNSET,
    is_active: bool | None = None,
) -> ResponsiblePerson:
    """Edit a responsible person; ``is_active`` False records that the person left the post."""
    require(actor, MANAGE, person.system)
    with transaction.atomic():
        person = ResponsiblePerson.objects.select_for_update(of=("self",)).select_related(
            "region", "organisation", "user").get(pk=person.pk)
        before = {"region": person.region.code, "post": person.post, "name": person.name, "active": person.is_active}
        values = _person_fields(
            region=region or person.region, organisation=organisation or person.organisation,
            post=post or person.post, name=name if name is not None else person.name,
            title=title if title is not None else person.title, phone=phone if phone is not None else person.phone,
            user=person.user if user is _UNSET else user,
        )
        for attr, value in values.items():
            setattr(person, attr, value)
        if is_active is not None:
            person.is_active = bool(is_active)
        person.save()
        audit_record("safety.person.update", person, actor=actor, before=before,
                     after={"region": person.region.code, "post": person.post, "name": person.name,
                            "active": person.is_active})
    return person


def person_deactivate(person: ResponsiblePerson, *, actor: Actor | None) -> ResponsiblePerson:
    return person_update(person, actor=actor, is_active=False)
