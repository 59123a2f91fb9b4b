"""常态化: the recurring check tasks. Each active duty that checks enterprises and has a
frequency makes, for each responsible unit of its level, one task per period; a period
starts in January for a yearly duty, in January and July for a half-yearly one, in each
quarter's first month for a quarterly one and every month for a monthly one.

Who the responsible units are, per level:

- 市级 (city): the system's unit for the city's own region where one is named, else the
  system's leading department; its scope is every enterprise of the system.
- 县（市、区）级 (county): the system's units of the districts, counties and county-level
  cities; each one's scope is the system's enterprises it supervises (the department named
  on the mapping, else the unit of the enterprise's region — ``selectors.responsible_org_for``
  in SQL).
- 乡镇（街道）、园区 (township): each park with enterprises of the system; its scope is the
  system's enterprises in the park.

A duty's ``scope_industry_codes`` narrows the scope to enterprises whose industry code starts
with one of them. The target is the number of enterprises in the unit's scope; a unit with
none gets no task (it gets one when it has some and the month is generated again). The task
is due on the period's last working day (the working calendar: a last day on a rest day
moves back to the working day before it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yancheng.core.audit.services import audit_record
from yancheng.core.calendar.source import is_working_day
from yancheng.core.kit.require import require
from yancheng.core.models import Organisation, Region
from yancheng.core.typing import Actor

from ..models import CheckTask, DutyLevel, EnterpriseSystem, Frequency, SystemDuty, SystemUnit
from ..selectors import annotate_responsible_org

COUNTY_KINDS = (Region.Kind.DISTRICT, Region.Kind.COUNTY, Region.Kind.COUNTY_CITY)


def period_starting_in(frequency: str, year: int, month: int) -> tuple[dt.date, dt.date] | None:
    """The period of ``frequency`` that starts in ``year``-``month`` (first and last day), or
    None when no period of it starts in that month."""
    if frequency not in Frequency.values:
        return None
    months = Frequency(frequency).months
    if (month - 1) % months:
        return None
    start = dt.date(year, month, 1)
    end_month = month + months - 1
    after = dt.date(year + end_month // 12, end_month % 12 + 1, 1)
    return start, after - dt.timedelta(days=1)


def last_working_day(start: dt.date, end: dt.date) -> dt.date:
    """The last working day from ``start`` to ``end`` (``end`` itself when it is one); the
    period's last day when the calendar finds none in it."""
    day = end
    while day >= start:
        if is_working_day(day):
            return day
        day -= dt.timedelta(days=1)
    return end


def yellow_from(start: dt.date, due_on: dt.date) -> dt.date:
    """The first day of the last third of the period up to its due date."""
    span = (due_on - start).days + 1
    return due_on - dt.timedelta(days=span // 3 - 1) if span >= 3 else due_on


def _scoped(duty: SystemDuty) -> QuerySet[EnterpriseSystem]:
    qs = EnterpriseSystem.objects.filter(system_id=duty.system_id, enterprise__is_active=True)
    codes = [str(code).strip() for code in duty.scope_industry_codes or [] if str(code).strip()]
    if codes:
        qs = qs.filter(reduce(or_, (Q(enterprise__industry_code__startswith=code) for code in codes)))
    return qs


def unit_targets(duty: SystemDuty) -> dict[int, int]:
    """The responsible units of the duty's level and how many enterprises each must check
    (counted in SQL, one query per duty)."""
    scoped = _scoped(duty)
    if duty.level == DutyLevel.CITY:
        city_unit = (
            SystemUnit.objects.filter(system_id=duty.system_id, region__kind=Region.Kind.CITY)
            .values_list("organisation_id", flat=True).first()
        )
        return {city_unit or duty.system.leading_org_id: scoped.count()}
    if duty.level == DutyLevel.COUNTY:
        units = set(
            SystemUnit.objects.filter(system_id=duty.system_id, region__kind__in=COUNTY_KINDS)
            .values_list("organisation_id", flat=True)
        )
        rows = (
            annotate_responsible_org(scoped).filter(**{"resolved_org__in": units})
            .values(*["resolved_org"]).annotate(n=Count("enterprise_id", distinct=True)).order_by()
        )
        return {row["resolved_org"]: row["n"] for row in rows}
    if duty.level == DutyLevel.TOWNSHIP:
        rows = (
            scoped.filter(enterprise__park__isnull=False, enterprise__park__kind=Organisation.Kind.PARK)
            .values("enterprise__park_id").annotate(n=Count("enterprise_id", distinct=True)).order_by()
        )
        return {row["enterprise__park_id"]: row["n"] for row in rows}
    return {}


@dataclass(frozen=True)
class Generated:
    year: int
    month: int
    created: int
    existing: int


def check_tasks_generate(*, year: int, month: int, actor: Actor | None) -> Generated:
    """The tasks of every period starting in ``year``-``month``. Idempotent: a task already
    made (same duty, unit and period start) is left as it is; running twice makes nothing new.
    ``actor`` None is the daily job."""
    if actor is not None:
        require(actor, "safety.generate_tasks")
    duties = (
        SystemDuty.objects.filter(is_active=True, checks_enterprises=True, system__is_active=True)
        .exclude(frequency="").exclude(level=DutyLevel.ENTERPRISE).select_related("system").order_by("pk")
    )
    created = existing = 0
    with transaction.atomic():
        for duty in duties:
            period = period_starting_in(duty.frequency, year, month)
            if period is None:
                continue
            start, end = period
            due_on = last_working_day(start, end)
            targets = {unit: n for unit, n in unit_targets(duty).items() if unit is not None and n > 0}
            if not targets:
                continue
            have = set(
                CheckTask.objects.filter(duty_id=duty.pk, period_start=start, unit_id__in=targets)
                .values_list("unit_id", flat=True)
            )
            existing += len(have)
            new = [
                CheckTask(system_id=duty.system_id, duty=duty, unit_id=unit, period_start=start, period_end=end,
                          due_on=due_on, yellow_on=yellow_from(start, due_on), target=n)
                for unit, n in sorted(targets.items()) if unit not in have
            ]
            # ignore_conflicts: a job and a click at the same moment still make one task each.
            CheckTask.objects.bulk_create(new, ignore_conflicts=True)
            created += len(new)
        if actor is not None or created:
            audit_record("safety.tasks_generate", None, actor=actor,
                         after={"year": year, "month": month, "created": created, "existing": existing})
    return Generated(year, month, created, existing)


def generate_current_month() -> Generated:
    """The daily job: this month's tasks (in local time)."""
    today = timezone.localdate()
    return check_tasks_generate(year=today.year, month=today.month, actor=None)
