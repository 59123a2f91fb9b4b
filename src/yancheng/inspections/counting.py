"""Counting inspections against the caps (国办发〔2024〕54号: annual per-enterprise caps;
深圳/龙华: a joint inspection is one record) and for the high-frequency alert.

Only *counted* inspections go against the caps: `Inspection.counts_toward_caps` is False for
exempt inspections (个案检查 with evidence) and for non-enforcement visits. Counting is per
calendar year (Asia/Shanghai) of the start:

- per item: inspections that checked the item (`InspectionItemChecked`);
- per department: inspections the department took part in (`InspectionDepartment`) — a
  joint inspection counts once for *every* participating department;
- in total: distinct inspections — a joint inspection counts once.

Every function here is set-based: a handful of grouped queries whatever the number of
items, departments or rules. Other parts (the supervisor's dashboard, the enterprise's
page) may call them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.models import Enterprise, Organisation

from .models import CapRule, Inspection, InspectionDepartment, InspectionItem, InspectionItemChecked


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The aware start of the calendar year `year` and of the next one, in local time."""
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def local_year(when: dt.datetime | None = None) -> int:
    return timezone.localtime(when or timezone.now()).year


def counted_inspections(enterprise: Enterprise | int, year: int) -> QuerySet[Inspection]:
    """The enterprise's inspections that count toward the caps, started in `year`."""
    start, end = year_bounds(year)
    pk = enterprise if isinstance(enterprise, int) else enterprise.pk
    return Inspection.objects.filter(
        enterprise_id=pk, counts_toward_caps=True, started_at__gte=start, started_at__lt=end
    )


def _ids(objs: Iterable[Any]) -> list[int]:
    return sorted({o if isinstance(o, int) else o.pk for o in objs})


def _counts_per(
    link: type[InspectionItemChecked] | type[InspectionDepartment], key: str, ids: list[int],
    enterprise: Enterprise | int, year: int,
) -> dict[int, int]:
    """For each id in `ids`, the counted inspections of the enterprise in `year` linked to it
    through `link` (``key`` is the link's column naming the id), in one query."""
    counts = {pk: 0 for pk in ids}
    if not ids:
        return counts
    rows = (
        link.objects.filter(**{f"{key}__in": ids}, inspection__in=counted_inspections(enterprise, year))
        .values(key)
        .annotate(n=Count("inspection_id", distinct=True))
    )
    for row in rows:
        counts[row[key]] = row["n"]
    return counts


def count_by_item(enterprise: Enterprise | int, year: int, items: Iterable[InspectionItem | int]) -> dict[int, int]:
    """Counted inspections of the enterprise in `year` that checked each item (one query)."""
    return _counts_per(InspectionItemChecked, "item_id", _ids(items), enterprise, year)


def count_by_department(
    enterprise: Enterprise | int, year: int, departments: Iterable[Organisation | int]
) -> dict[int, int]:
    """Counted inspections of the enterprise in `year` each department took part in: a
    joint inspection counts once for every participating department (one query)."""
    return _counts_per(InspectionDepartment, "department_id", _ids(departments), enterprise, year)


def count_total(enterprise: Enterprise | int, year: int) -> int:
    """Counted inspections of the enterprise in `year`, all departments together: a joint
    inspection is one inspection."""
    return counted_inspections(enterprise, year).count()


def caps_for(
    grade: str, departments: Iterable[Organisation | int], items: Iterable[InspectionItem | int]
) -> list[CapRule]:
    """The cap rules that apply to an inspection of an enterprise of `grade` by
    `departments` checking `items`: each item's rule, for each department its own rule or
    else the every-department rule (department empty), and the total rule (one query)."""
    dept_ids, item_ids = _ids(departments), _ids(items)
    rules = list(
        CapRule.objects.filter(grade=grade)
        .filter(
            Q(scope=CapRule.Scope.ITEM, item_id__in=item_ids)
            | Q(scope=CapRule.Scope.DEPARTMENT, department_id__in=dept_ids)
            | Q(scope=CapRule.Scope.DEPARTMENT, department__isnull=True)
            | Q(scope=CapRule.Scope.TOTAL)
        )
        .select_related("item", "department")
    )
    specific = {r.department_id for r in rules if r.scope == CapRule.Scope.DEPARTMENT and r.department_id}
    result = [r for r in rules if r.scope == CapRule.Scope.ITEM]
    result += [r for r in rules if r.scope == CapRule.Scope.DEPARTMENT and r.department_id]
    if dept_ids and not set(dept_ids) <= specific:
        result += [r for r in rules if r.scope == CapRule.Scope.DEPARTMENT and r.department_id is None]
    result += [r for r in rules if r.scope == CapRule.Scope.TOTAL]
    return result


@dataclass(frozen=True)
class CapUsage:
    """One cap and how much of it the enterprise used this year. Unpacks as
    ``rule, used, limit``; `department` says which department a department-scope rule was
    counted for (the every-department rule applies to each department on its own)."""

    rule: CapRule
    used: int
    limit: int
    department: Organisation | None = None

    def __iter__(self) -> Any:
        return iter((self.rule, self.used, self.limit))

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def reached(self) -> bool:
        return self.used >= self.limit

    @property
    def label(self) -> str:
        """What the cap is about, for people: the item, the department, or all together."""
        if self.rule.scope == CapRule.Scope.ITEM and self.rule.item is not None:
            return _("检查事项“%(item)s”") % {"item": self.rule.item.name}
        if self.rule.scope == CapRule.Scope.DEPARTMENT:
            dept = self.department or self.rule.department
            return dept.name if dept is not None else _("每个部门")
        return _("各部门合计")


def usage(
    enterprise: Enterprise,
    year: int,
    departments: Iterable[Organisation],
    items: Iterable[InspectionItem],
    *,
    grade: str | None = None,
) -> list[CapUsage]:
    """For each applicable cap (see `caps_for`), the counted inspections of the enterprise
    in `year` so far and the limit: ``[(rule, used, limit), …]`` as `CapUsage`. The grade is
    the enterprise's unless given. At most four queries."""
    departments = list(departments)
    items = list(items)
    rules = caps_for(grade or enterprise.grade, departments, items)
    if not rules:
        return []
    item_ids = [r.item_id for r in rules if r.scope == CapRule.Scope.ITEM and r.item_id]
    by_item = count_by_item(enterprise, year, item_ids) if item_ids else {}
    by_department = count_by_department(enterprise, year, departments)
    total = count_total(enterprise, year) if any(r.scope == CapRule.Scope.TOTAL for r in rules) else 0
    specific = {r.department_id for r in rules if r.scope == CapRule.Scope.DEPARTMENT and r.department_id}
    result: list[CapUsage] = []
    for rule in rules:
        if rule.scope == CapRule.Scope.ITEM and rule.item_id:
            result.append(CapUsage(rule, by_item.get(rule.item_id, 0), rule.max_per_year))
        elif rule.scope == CapRule.Scope.DEPARTMENT and rule.department_id:
            result.append(CapUsage(rule, by_department.get(rule.department_id, 0), rule.max_per_year,
                                   rule.department))
        elif rule.scope == CapRule.Scope.DEPARTMENT:
            for dept in departments:
                if dept.pk not in specific:
                    result.append(CapUsage(rule, by_department.get(dept.pk, 0), rule.max_per_year, dept))
        else:
            result.append(CapUsage(rule, total, rule.max_per_year))
    return result


def recent_visits(enterprise: Enterprise | int, days: int, *, now: dt.datetime | None = None) -> int:
    """Visits of ANY kind (enforcement, non-enforcement, exempt) to the enterprise that
    started in the last `days` days — what the high-frequency alert counts (龙华: visits
    are monitored too)."""
    now = now or timezone.now()
    pk = enterprise if isinstance(enterprise, int) else enterprise.pk
    return Inspection.objects.filter(
        enterprise_id=pk, started_at__gt=now - dt.timedelta(days=days), started_at__lte=now
    ).count()
