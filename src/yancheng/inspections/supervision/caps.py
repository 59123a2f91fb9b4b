"""The cap matrix: per-grade annual caps (total, per department, per item), set and removed by audited services."""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from ..models import (
    CapRule,
    Grade,
    InspectionItem,
)
from .cleaning import clean_int


def clean_cap(
    *, grade: Any, scope: Any, max_per_year: Any, item: InspectionItem | None, department: Organisation | None
) -> tuple[str, str, int]:
    """Check a cell of the matrix; (grade, scope, max_per_year) or ValidationFailed."""
    if grade not in Grade.values:
        raise ValidationFailed(_("企业等级只能是 A、B、C、D。"), field="grade")
    if scope not in CapRule.Scope.values:
        raise ValidationFailed(_("范围只能是单个事项、单个部门或全部部门合计。"), field="scope")
    if scope == CapRule.Scope.ITEM:
        if item is None:
            raise ValidationFailed(_("按事项设置上限时须选择检查事项。"), field="item")
        if department is not None:
            raise ValidationFailed(_("按事项设置上限时不选部门（事项已属于某个部门）。"), field="department")
    elif scope == CapRule.Scope.DEPARTMENT:
        if item is not None:
            raise ValidationFailed(_("按部门设置上限时不选检查事项。"), field="item")
        if department is not None and department.kind != Organisation.Kind.DEPARTMENT:
            raise ValidationFailed(_("只能为职能部门设置检查上限。"), field="department")
    elif item is not None or department is not None:
        raise ValidationFailed(_("全部部门合计的上限不选事项或部门。"), field="scope")
    number = clean_int(max_per_year, "max_per_year", 0, 365, _("每年最多次数应是 0 至 365 之间的整数（0 表示不得主动检查）。"))
    return str(grade), str(scope), number


def _cap_lookup(grade: str, scope: str, item: InspectionItem | None, department: Organisation | None) -> Q:
    return Q(grade=grade, scope=scope, item_id=item.pk if item else None,
             department_id=department.pk if department else None)


def _cap_audit(rule: CapRule) -> dict[str, Any]:
    return {"grade": rule.grade, "scope": rule.scope, "item": rule.item_id, "department": rule.department_id,
            "max_per_year": rule.max_per_year}


def cap_rule_set(
    *,
    actor: Actor,
    grade: str,
    scope: str,
    max_per_year: int,
    item: InspectionItem | None = None,
    department: Organisation | None = None,
    expected_version: int | None = None,
) -> CapRule:
    """Set a cell of the cap matrix (created when empty): at most `max_per_year` counted
    inspections a year of a grade-`grade` enterprise — for one item, by one department (no
    department: every department), or by all departments together."""
    require(actor, "inspections.manage_rules")
    require(actor, "inspections.manage_city_rules")
    grade, scope, number = clean_cap(grade=grade, scope=scope, max_per_year=max_per_year, item=item,
                                     department=department)
    try:
        with transaction.atomic():
            if expected_version is not None:
                _check_matrix_version(expected_version)
            rule = CapRule.objects.select_for_update().filter(_cap_lookup(grade, scope, item, department)).first()
            if rule is None:
                rule = CapRule.objects.create(grade=grade, scope=scope, item=item, department=department,
                                              max_per_year=number)
                audit_record("cap_rule.create", rule, actor=actor, after=_cap_audit(rule))
            elif rule.max_per_year != number:
                before = rule.max_per_year
                rule.max_per_year = number
                rule.save(update_fields=["max_per_year"])
                audit_record("cap_rule.update", rule, actor=actor, before={"max_per_year": before},
                             after=_cap_audit(rule))
    except IntegrityError as exc:
        raise ConflictError(_("该上限刚被他人设置，请刷新后重试。"), code="duplicate") from exc
    return rule


def cap_rule_remove(rule: CapRule, *, actor: Actor, expected_version: int | None = None) -> None:
    """Empty a cell of the matrix: no cap of that kind for that grade from now on. Alerts
    raised under it stay (their link to the rule is cleared)."""
    require(actor, "inspections.manage_rules")
    require(actor, "inspections.manage_city_rules")
    with transaction.atomic():
        if expected_version is not None:
            _check_matrix_version(expected_version)
        locked = CapRule.objects.select_for_update().filter(pk=rule.pk).first()
        if locked is None:
            return
        before = _cap_audit(locked)
        audit_record("cap_rule.remove", locked, actor=actor, before=before)
        locked.delete()


def matrix_etag() -> int:
    """A version of the whole matrix for If-Match (a checksum of its cells)."""
    cells = sorted(CapRule.objects.values_list("grade", "scope", "item_id", "department_id", "max_per_year"),
                   key=lambda c: tuple(str(v) for v in c))
    return zlib.crc32(json.dumps(cells).encode())


def _check_matrix_version(expected: int) -> None:
    # Any cap row locked first, so two editors of the matrix take turns.
    list(CapRule.objects.select_for_update().values_list("pk", flat=True))
    if matrix_etag() != expected:
        raise ConflictError(_("频次上限已被他人修改，请刷新后重试。"), code="stale_version")


@dataclass
class MatrixRow:
    key: str  # the form-field stem: "item-<pk>", "every", "department-<pk>", "total"
    label: str
    section: str  # "item" | "every" | "department" | "total"
    scope: str
    item: InspectionItem | None = None
    department: Organisation | None = None
    cells: dict[str, CapRule | None] = field(default_factory=dict)

    @property
    def cell_list(self) -> list[tuple[str, CapRule | None]]:
        return list(self.cells.items())


@dataclass
class CapMatrix:
    grades: list[str]
    rows: list[MatrixRow]


def cap_matrix(grade: str | None = None) -> CapMatrix:
    """The matrix for display: a row per published item (and per item that has a cap), a row
    for "每个部门", a row per department (those with items or caps), and "合计"; a column
    per grade (or only `grade`). Three queries."""
    grades = [grade] if grade in Grade.values else list(Grade.values)
    caps = list(CapRule.objects.filter(grade__in=grades).select_related("item", "item__department", "department"))
    capped_items = {c.item_id for c in caps if c.item_id}
    items = list(
        InspectionItem.objects.filter(
            Q(published_at__isnull=False, withdrawn_at__isnull=True) | Q(pk__in=capped_items)
        ).select_related("department").order_by("department__name", "code")
    )
    capped_departments = {c.department_id for c in caps if c.department_id}
    departments = list(
        Organisation.objects.filter(
            Q(pk__in=capped_departments) | Q(pk__in={i.department_id for i in items})
        ).order_by("name")
    )
    by_key: dict[tuple[str, int | None], dict[str, CapRule]] = defaultdict(dict)
    for cap in caps:
        ref = cap.item_id if cap.scope == CapRule.Scope.ITEM else cap.department_id
        by_key[(cap.scope, ref)][cap.grade] = cap

    def cells(scope: str, ref: int | None) -> dict[str, CapRule | None]:
        found = by_key.get((scope, ref), {})
        return {g: found.get(g) for g in grades}

    rows = [
        MatrixRow(key=f"item-{i.pk}", label=f"{i.department.name} · {i.code} {i.name}", section="item",
                  scope=CapRule.Scope.ITEM, item=i, cells=cells(CapRule.Scope.ITEM, i.pk))
        for i in items
    ]
    rows.append(MatrixRow(key="every", label=_("每个部门"), section="every", scope=CapRule.Scope.DEPARTMENT,
                          cells=cells(CapRule.Scope.DEPARTMENT, None)))
    rows += [
        MatrixRow(key=f"department-{d.pk}", label=d.name, section="department", scope=CapRule.Scope.DEPARTMENT,
                  department=d, cells=cells(CapRule.Scope.DEPARTMENT, d.pk))
        for d in departments
    ]
    rows.append(MatrixRow(key="total", label=_("合计（全部部门）"), section="total", scope=CapRule.Scope.TOTAL,
                          cells=cells(CapRule.Scope.TOTAL, None)))
    return CapMatrix(grades=grades, rows=rows)
