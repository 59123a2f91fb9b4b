"""The supervisor's side of 企业赋码保护 (SPEC §4; 司法局 行政执法监督 / 营商环境办): the rules
(the policy, the cap matrix, exemption reasons, quiet periods), handling alerts, the
per-department dashboard and the monthly 通报 notice.

Writes are services (permission → transaction with the row locked → change → audit).
The city's rules (policy, cap matrix, exemption reasons) belong to the city-level
supervisor (`inspections.manage_city_rules`); a county's supervisor works in its own region
only: its quiet periods, its alerts, its registrations.

Reads are set-based: the dashboard is a handful of grouped queries whatever the number of
departments (no query per row). Ratings are read as the supervisor may: per department over
the period's whole ended months, each department-month only from five ratings on
(`ratings.monthly_figures`) — a `Rating` row names no enterprise, and no figure here dates one.

Anchors: 国办发〔2024〕54号 (annual caps, joint inspections counted once, alerts on
repeated and high-frequency checks), 衡政办发〔2025〕6号 (grades A–D; grade A: no proactive
inspection in a year), 深府规〔2025〕6号 (back-fill within 10 natural days)."""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_tasks import task

from yancheng.cases.models import Case, CaseKind
from yancheng.cases.models import Status as CaseStatus
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Enterprise, Organisation, Region, Role
from yancheng.core.notifications.services import notify
from yancheng.core.permissions import is_citywide

from .alerts import supervisors_to_tell
from .models import (
    CapRule,
    EntryMode,
    ExemptionReason,
    Grade,
    Inspection,
    InspectionAlert,
    InspectionDepartment,
    InspectionItem,
    InspectionKind,
    InspectionPolicy,
    QuietPeriod,
)
from .ratings import monthly_figures
from .services import require

# A complaint case points at what it is about (written by the complaints service).
COMPLAINT_REF_INSPECTION = "inspection:"
COMPLAINT_REF_DEPARTMENT = "inspection_department:"
# Complaints that do not count: withdrawn by the enterprise, or merged into another.
UNCOUNTED_CASE_STATUSES = (CaseStatus.WITHDRAWN, CaseStatus.MERGED)
REPORT_VERB = "inspection_report_ready"


# --- who works where ----------------------------------------------------------------------------


def _active_supervisor(user: Any) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.role == Role.SUPERVISOR
        and user.organisation_id
    )


def supervision_region(user: Any) -> Region | None:
    """The region a supervisor is confined to: None for a city-level supervisor."""
    if is_citywide(user):
        return None
    region: Region = user.organisation.region
    return region


def _supervises(actor: Any, enterprise: Enterprise | None = None, region: Region | None = None) -> bool:
    """Whether `actor` (None: the system) works where the enterprise or region lies."""
    if actor is None:
        return True
    if not _active_supervisor(actor):
        return False
    own = supervision_region(actor)
    if own is None:
        return True
    if enterprise is not None:
        return bool(enterprise.region_id == own.pk)
    return region is not None and region.pk == own.pk


def alerts_visible_to(user: Any, qs: QuerySet[InspectionAlert] | None = None) -> QuerySet[InspectionAlert]:
    """The alerts a supervisor may see: all of them (city level) or its region's enterprises'."""
    qs = InspectionAlert.objects.all() if qs is None else qs
    if not _active_supervisor(user):
        return qs.none()
    region = supervision_region(user)
    return qs if region is None else qs.filter(enterprise__region_id=region.pk)


def quiet_periods_visible_to(user: Any) -> QuerySet[QuietPeriod]:
    """City-wide quiet periods, the supervisor's region's and its enterprises' (all for the city)."""
    qs = QuietPeriod.objects.select_related("region", "enterprise", "created_by")
    if not _active_supervisor(user):
        return qs.none()
    region = supervision_region(user)
    if region is None:
        return qs
    return qs.filter(
        Q(region__isnull=True, enterprise__isnull=True) | Q(region_id=region.pk) | Q(enterprise__region_id=region.pk)
    )


# --- periods ------------------------------------------------------------------------------------

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    """A month, a quarter, a year, or any range of days (both ends included)."""

    kind: str  # "month" | "quarter" | "year" | "range"
    start: dt.date
    end: dt.date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return cls("month", first, nxt - timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = cls.month(year, 3 * quarter - 2)
        last = cls.month(year, 3 * quarter)
        return cls("quarter", first.start, last.end)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls("year", dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def current_month(cls, today: dt.date | None = None) -> Period:
        day = today or timezone.localdate()
        return cls.month(day.year, day.month)

    @classmethod
    def previous_month(cls, today: dt.date | None = None) -> Period:
        day = (today or timezone.localdate()).replace(day=1) - timedelta(days=1)
        return cls.month(day.year, day.month)

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        if end < start:
            raise ValidationFailed(_("结束日期不能早于开始日期。"), field="end")
        if (end - start).days > 3 * 366:
            raise ValidationFailed(_("统计区间最长三年。"), field="end")
        return cls("range", start, end)

    @classmethod
    def parse(cls, value: str) -> Period:
        """``2026-10`` (a month), ``2026-Q3`` (a quarter) or ``2026`` (a year)."""
        text = (value or "").strip()
        for regex, make in ((_MONTH_RE, "m"), (_QUARTER_RE, "q"), (_YEAR_RE, "y")):
            match = regex.match(text)
            if match is None:
                continue
            year = int(match.group(1))
            if not 2000 <= year <= 2100:
                break
            if make == "m":
                month = int(match.group(2))
                if not 1 <= month <= 12:
                    break
                return cls.month(year, month)
            if make == "q":
                return cls.quarter(year, int(match.group(2)))
            return cls.year(year)
        raise ValidationFailed(
            _("统计期间格式不正确：月份如 2026-10，季度如 2026-Q3，年度如 2026。"), field="period"
        )

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(y)d年%(m)d月") % {"y": self.start.year, "m": self.start.month}
        if self.kind == "quarter":
            return _("%(y)d年第%(q)d季度") % {"y": self.start.year, "q": (self.start.month - 1) // 3 + 1}
        if self.kind == "year":
            return _("%(y)d年") % {"y": self.start.year}
        return _("%(a)s至%(b)s") % {"a": self.start.isoformat(), "b": self.end.isoformat()}

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware datetimes [from, to) in the local time zone."""
        return _day_bounds(self.start, self.end)

    def params(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    high = dt.datetime.combine(end + timedelta(days=1), dt.time.min, tzinfo=zone)
    return low, high


def period_choices(today: dt.date | None = None, years: int = 3) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods offered by the selector, newest first, grouped by year (up to today)."""
    day = today or timezone.localdate()
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for year in range(day.year, day.year - years, -1):
        last_month = day.month if year == day.year else 12
        options = [(Period.year(year).key, Period.year(year).label)]
        options += [
            (p.key, p.label) for q in range((last_month - 1) // 3 + 1, 0, -1) for p in [Period.quarter(year, q)]
        ]
        options += [(p.key, p.label) for m in range(last_month, 0, -1) for p in [Period.month(year, m)]]
        groups.append((str(year), options))
    return groups


# --- the policy ---------------------------------------------------------------------------------

POLICY_FIELDS = (
    "supervising_org",
    "grade_a_proactive",
    "cap_exceeded",
    "high_frequency_window_days",
    "high_frequency_threshold",
    "backfill_days",
    "rating_min_count",
)
# Fewer than this many ratings in an aggregate could point at the enterprise that gave them.
RATING_MIN_COUNT_FLOOR = 5


def _int(value: Any, field: str, low: int, high: int, message: str) -> int:
    if isinstance(value, bool) or value is None:
        raise ValidationFailed(message, field=field)
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(message, field=field) from exc
    if number != value and not isinstance(value, str):
        raise ValidationFailed(message, field=field)
    if not low <= number <= high:
        raise ValidationFailed(message, field=field)
    return number


def clean_policy_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check the given policy fields (any subset); the checked values, or ValidationFailed."""
    unknown = sorted(set(fields) - set(POLICY_FIELDS))
    if unknown:
        raise ValidationFailed(_("未知的规则项：%(f)s。") % {"f": "、".join(unknown)}, field=unknown[0])
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "supervising_org":
            if value is not None and (
                not isinstance(value, Organisation)
                or not value.is_active
                or value.kind not in {Organisation.Kind.DEPARTMENT, Organisation.Kind.OFFICE}
            ):
                raise ValidationFailed(_("行政执法监督机构须是启用的职能部门或办公室。"), field=name)
            out[name] = value
        elif name in {"grade_a_proactive", "cap_exceeded"}:
            if value not in InspectionPolicy.Handling.values:
                raise ValidationFailed(_("处理方式只能是“拒绝登记”或“允许登记并预警”。"), field=name)
            out[name] = value
        elif name == "high_frequency_window_days":
            out[name] = _int(value, name, 1, 366, _("高频入企统计窗口应在 1 至 366 个自然日之间。"))
        elif name == "high_frequency_threshold":
            out[name] = _int(value, name, 2, 100, _("高频入企预警次数应在 2 至 100 次之间。"))
        elif name == "backfill_days":
            out[name] = _int(value, name, 1, 30, _("补录期限应在 1 至 30 个自然日之间（规定为 10 个自然日）。"))
        elif name == "rating_min_count":
            if isinstance(value, int) and not isinstance(value, bool) and value < RATING_MIN_COUNT_FLOOR:
                raise ValidationFailed(
                    _("评价汇总最少条数不得小于 %(n)d：条数太少的平均分可能让被检查部门推断出是哪家企业评价的。")
                    % {"n": RATING_MIN_COUNT_FLOOR},
                    field=name,
                )
            out[name] = _int(value, name, RATING_MIN_COUNT_FLOOR, 1000,
                             _("评价汇总最少条数应在 %(n)d 至 1000 之间，不得小于 %(n)d。") % {"n": RATING_MIN_COUNT_FLOOR})
    return out


def _policy_values(policy: InspectionPolicy) -> dict[str, Any]:
    return {
        "supervising_org": policy.supervising_org_id,
        **{name: getattr(policy, name) for name in POLICY_FIELDS if name != "supervising_org"},
    }


def policy_etag(policy: InspectionPolicy) -> int:
    """A version of the policy for If-Match: a checksum of its values (the row has no counter)."""
    return zlib.crc32(json.dumps(_policy_values(policy), sort_keys=True).encode())


def policy_update(*, actor: Any, expected_version: int | None = None, **fields: Any) -> InspectionPolicy:
    """Change the city's inspection rules: who supervises, what happens to proactive
    inspections of grade-A enterprises and to inspections over a cap (refuse or alert), the
    high-frequency window and threshold, the back-fill limit and the least number of
    ratings an aggregate shows (never below 5). Only changed fields are saved and audited."""
    require(actor, "inspections.manage_rules")
    require(actor, "inspections.manage_city_rules")
    cleaned = clean_policy_fields(fields)
    with transaction.atomic():
        current = InspectionPolicy.current()
        policy = InspectionPolicy.objects.select_for_update().get(pk=current.pk)
        if expected_version is not None and policy_etag(policy) != expected_version:
            raise ConflictError(_("检查规则已被他人修改，请刷新后重试。"), code="stale_version")
        before = _policy_values(policy)
        changed = [name for name, value in cleaned.items() if getattr(policy, name) != value]
        if not changed:
            return policy
        for name in changed:
            setattr(policy, name, cleaned[name])
        policy.save(update_fields=changed)
        after = _policy_values(policy)
        audit_record("inspection_policy.update", policy, actor=actor,
                     before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return policy


# --- the cap matrix -----------------------------------------------------------------------------


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
    number = _int(max_per_year, "max_per_year", 0, 365, _("每年最多次数应是 0 至 365 之间的整数（0 表示不得主动检查）。"))
    return str(grade), str(scope), number


def _cap_lookup(grade: str, scope: str, item: InspectionItem | None, department: Organisation | None) -> Q:
    return Q(grade=grade, scope=scope, item_id=item.pk if item else None,
             department_id=department.pk if department else None)


def _cap_audit(rule: CapRule) -> dict[str, Any]:
    return {"grade": rule.grade, "scope": rule.scope, "item": rule.item_id, "department": rule.department_id,
            "max_per_year": rule.max_per_year}


def cap_rule_set(
    *,
    actor: Any,
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


def cap_rule_remove(rule: CapRule, *, actor: Any, expected_version: int | None = None) -> None:
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


# --- exemption reasons --------------------------------------------------------------------------

_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def _text(value: Any, field: str, message: str, max_length: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed(message, field=field)
    if len(text) > max_length:
        raise ValidationFailed(_("内容过长（最多 %(n)s 个字）。") % {"n": max_length}, field=field)
    return text


def _reason_audit(reason: ExemptionReason) -> dict[str, Any]:
    return {"code": reason.code, "name": reason.name, "evidence_required": reason.evidence_required,
            "requires_attachment": reason.requires_attachment, "is_active": reason.is_active}


def exemption_reason_save(
    *,
    actor: Any,
    name: str,
    evidence_required: str,
    code: str = "",
    requires_attachment: bool = False,
    reason: ExemptionReason | None = None,
) -> ExemptionReason:
    """Add an exemption reason (a complaint, a referral, follow-up of rectification, the
    enterprise's own request …) with the evidence it needs, or change one (its code stays:
    registrations refer to it)."""
    require(actor, "inspections.manage_rules")
    require(actor, "inspections.manage_city_rules")
    name = _text(name, "name", _("请填写豁免事由名称。"), 100)
    evidence_required = _text(evidence_required, "evidence_required",
                              _("请写明所需证明材料：豁免检查须有据可查。"), 200)
    with transaction.atomic():
        if reason is None:
            code = str(code or "").strip().lower()
            if not _CODE_RE.match(code):
                raise ValidationFailed(_("编码须为 1 至 32 位小写字母、数字、下划线或连字符。"), field="code")
            if ExemptionReason.objects.filter(code=code).exists():
                raise ConflictError(_("编码 %(code)s 已被使用。") % {"code": code}, code="duplicate")
            try:
                with transaction.atomic():
                    saved = ExemptionReason.objects.create(code=code, name=name, evidence_required=evidence_required,
                                                           requires_attachment=bool(requires_attachment))
            except IntegrityError as exc:
                raise ConflictError(_("编码 %(code)s 已被使用。") % {"code": code}, code="duplicate") from exc
            audit_record("exemption_reason.create", saved, actor=actor, after=_reason_audit(saved))
            return saved
        saved = ExemptionReason.objects.select_for_update().get(pk=reason.pk)
        before = _reason_audit(saved)
        saved.name, saved.evidence_required = name, evidence_required
        saved.requires_attachment = bool(requires_attachment)
        changed = [k for k in ("name", "evidence_required", "requires_attachment") if before[k] != getattr(saved, k)]
        if changed:
            saved.save(update_fields=changed)
            audit_record("exemption_reason.update", saved, actor=actor, before={k: before[k] for k in changed},
                         after={k: getattr(saved, k) for k in changed})
    return saved


def exemption_reason_set_active(reason: ExemptionReason, *, actor: Any, active: bool) -> ExemptionReason:
    """Stop offering a reason for new registrations (or offer it again); past registrations
    keep it."""
    require(actor, "inspections.manage_rules")
    require(actor, "inspections.manage_city_rules")
    with transaction.atomic():
        locked = ExemptionReason.objects.select_for_update().get(pk=reason.pk)
        if locked.is_active != bool(active):
            locked.is_active = bool(active)
            locked.save(update_fields=["is_active"])
            audit_record("exemption_reason.activate" if active else "exemption_reason.deactivate", locked,
                         actor=actor, after={"is_active": locked.is_active})
    return locked


def exemption_reason_deactivate(reason: ExemptionReason, *, actor: Any) -> ExemptionReason:
    return exemption_reason_set_active(reason, actor=actor, active=False)


# --- quiet periods ------------------------------------------------------------------------------

QUIET_PERIOD_MAX_DAYS = 366


def quiet_period_create(
    *,
    actor: Any,
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
    name = _text(name, "name", _("请填写宁静期名称。"), 100)
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
        if not _supervises(actor, enterprise=enterprise, region=region if enterprise is None else None):
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


def quiet_period_remove(period: QuietPeriod, *, actor: Any) -> QuietPeriod | None:
    """Take a quiet period back: one that has not begun is deleted; one under way ends
    today; one that is over stays as the record of what applied (refused)."""
    require(actor, "inspections.manage_rules")
    if not _supervises(actor, enterprise=period.enterprise, region=period.region) or (
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


# --- alerts -------------------------------------------------------------------------------------


def alert_handle(alert: InspectionAlert, *, actor: Any, note: str) -> InspectionAlert:
    """The supervisor deals with an alert (talks to the department, orders a correction,
    finds it justified …) and writes down what was done: open → handled, once."""
    require(actor, "inspections.handle_alert", alert)
    if not _supervises(actor, enterprise=alert.enterprise):
        raise PermissionDeniedError(_("该预警不在您的监督范围内。"))
    note = _text(note, "note", _("请填写处理意见。"), 300)
    with transaction.atomic():
        locked = InspectionAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != InspectionAlert.Status.OPEN:
            raise ConflictError(_("该预警已处理，无需重复处理。"), code="already_handled")
        locked.status = InspectionAlert.Status.HANDLED
        locked.handled_by = actor
        locked.handled_at = timezone.now()
        locked.handling_note = note
        locked.save(update_fields=["status", "handled_by", "handled_at", "handling_note"])
        audit_record("inspection_alert.handle", locked, actor=actor, before={"status": InspectionAlert.Status.OPEN},
                     after={"status": locked.status, "note": note})
    return locked


# --- registrations the supervisor sees ----------------------------------------------------------


def _yes_no(value: str) -> bool | None:
    return True if value == "1" else False if value == "0" else None


def _pk(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def joint_exists(inspection_ref: str = "pk", department_ref: str = "department_id") -> Exists:
    """True when a department other than the one at hand took part in the inspection."""
    return Exists(
        InspectionDepartment.objects.filter(inspection_id=OuterRef(inspection_ref)).exclude(
            department_id=OuterRef(department_ref)
        )
    )


@dataclass
class RegistrationFilters:
    department: int | None = None
    enterprise: int | None = None
    q: str = ""
    kind: str = ""
    entry_mode: str = ""
    exempt: bool | None = None
    joint: bool | None = None
    has_alert: bool | None = None
    region: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def from_params(cls, params: Any) -> RegistrationFilters:
        def get(name: str) -> str:
            return str(params.get(name, "") or "").strip()[:64]

        start, end = _date(get("start")), _date(get("end"))
        period = get("period")
        if period and not (start or end):
            try:
                parsed = Period.parse(period)
            except ValidationFailed:
                parsed = None
            if parsed is not None:
                start, end = parsed.start, parsed.end
        return cls(
            department=_pk(get("department")), enterprise=_pk(get("enterprise")), q=get("q"),
            kind=get("kind") if get("kind") in InspectionKind.values else "",
            entry_mode=get("entry_mode") if get("entry_mode") in EntryMode.values else "",
            exempt=_yes_no(get("exempt")), joint=_yes_no(get("joint")), has_alert=_yes_no(get("has_alert")),
            region=get("region"), start=start, end=end,
        )

    def params(self) -> dict[str, str]:
        values = {
            "department": self.department, "enterprise": self.enterprise, "q": self.q, "kind": self.kind,
            "entry_mode": self.entry_mode, "region": self.region,
            "exempt": None if self.exempt is None else int(self.exempt),
            "joint": None if self.joint is None else int(self.joint),
            "has_alert": None if self.has_alert is None else int(self.has_alert),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def registrations_for(user: Any, filters: RegistrationFilters) -> QuerySet[Inspection]:
    """Every registration in the supervisor's area matching the filters, newest first, with
    what the list shows (enterprise, lead department, joint flag, alert count)."""
    qs = Inspection.objects.visible_to(user) if _active_supervisor(user) else Inspection.objects.none()
    f = filters
    if f.department:
        qs = qs.filter(Exists(InspectionDepartment.objects.filter(inspection_id=OuterRef("pk"),
                                                                  department_id=f.department)))
    if f.enterprise:
        qs = qs.filter(enterprise_id=f.enterprise)
    if f.q:
        qs = qs.filter(Q(enterprise__name__icontains=f.q) | Q(enterprise__uscc__iexact=f.q) | Q(number__iexact=f.q))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.entry_mode:
        qs = qs.filter(entry_mode=f.entry_mode)
    if f.exempt is not None:
        qs = qs.filter(exemption_reason__isnull=not f.exempt)
    if f.region:
        qs = qs.filter(enterprise__region__code=f.region)
    if f.start:
        qs = qs.filter(started_at__gte=_day_bounds(f.start, f.start)[0])
    if f.end:
        qs = qs.filter(started_at__lt=_day_bounds(f.end, f.end)[1])
    qs = qs.annotate(
        is_joint=joint_exists(),
        alert_count=Coalesce(
            _count_subquery(InspectionAlert.objects.filter(inspection_id=OuterRef("pk")), "inspection_id"), 0
        ),
    )
    if f.joint is not None:
        qs = qs.filter(is_joint=f.joint)
    if f.has_alert is not None:
        qs = qs.filter(alert_count__gt=0) if f.has_alert else qs.filter(alert_count=0)
    return qs.select_related("enterprise", "enterprise__region", "department", "exemption_reason").order_by(
        "-started_at", "-pk"
    )


def _count_subquery(qs: QuerySet[Any], group: str) -> Any:
    from django.db.models import IntegerField, Subquery

    return Subquery(qs.order_by().values(group).annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField())


# --- the dashboard ------------------------------------------------------------------------------


def _link(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class DepartmentRow:
    """One department's figures for the period; every number has its list (``links``)."""

    department_id: int | None
    name: str
    enforcement: int = 0
    visits: int = 0
    joint: int = 0
    exempt: int = 0
    emergency: int = 0
    backfill: int = 0
    alerts: int = 0
    alerts_open: int = 0
    alerts_by_kind: dict[str, int] = field(default_factory=dict)
    cap_exceeded: int = 0
    unregistered: int = 0
    complaints: int = 0
    ratings: int | None = 0
    rating_sum: int = 0
    links: dict[str, str] = field(default_factory=dict)

    @property
    def inspections(self) -> int:
        return self.enforcement + self.visits

    @property
    def joint_rate(self) -> float | None:
        return _rate(self.joint, self.enforcement)

    @property
    def rating_average(self) -> float | None:
        return round(self.rating_sum / self.ratings, 2) if self.ratings else None

    alert_cells: list[tuple[str, str, int, str]] = field(default_factory=list)


@dataclass
class Dashboard:
    start: dt.date
    end: dt.date
    region: Region | None
    rows: list[DepartmentRow]
    totals: DepartmentRow
    alert_kinds: list[tuple[str, str]]
    ratings_available: bool

    def chart(self) -> dict[str, Any]:
        """What the bar chart draws (dashboard.js' two-series bar): inspections and joint rate."""
        rows = [r for r in self.rows if r.department_id is not None]
        return {
            "regions": {
                "labels": [r.name for r in rows],
                "planned": [r.inspections for r in rows],
                "invested": [r.joint_rate or 0 for r in rows],
            },
            "series": {"planned": _("入企登记（次）"), "invested": _("联合检查率（%）")},
        }


def department_dashboard(*, start: dt.date, end: dt.date, region: Region | None = None) -> Dashboard:
    """Per department, for the days from `start` to `end` (both included) and optionally one
    region: registrations (enforcement / visits, by participating department — a joint
    inspection counts for each department once, and once in the totals), joint inspections
    and the joint rate (joint / all enforcement), exempt, emergency and back-filled ones,
    alerts (by kind, open), complaints (cases about one of its inspections or about the
    department), ratings (count, average; city-wide only: a rating names no enterprise, so
    no region) and cap exceedances. Eight queries whatever the number of departments."""
    low, high = _day_bounds(start, end)
    region_id = region.pk if region is not None else None

    # 1. registrations per participating department
    links = InspectionDepartment.objects.filter(inspection__started_at__gte=low, inspection__started_at__lt=high)
    inspections = Inspection.objects.filter(started_at__gte=low, started_at__lt=high)
    if region_id is not None:
        links = links.filter(inspection__enterprise__region_id=region_id)
        inspections = inspections.filter(enterprise__region_id=region_id)
    enforcement = Q(inspection__kind=InspectionKind.ENFORCEMENT)
    per_department = (
        links.annotate(is_joint=joint_exists("inspection_id", "department_id"))
        .values("department_id")
        .annotate(
            enforcement=Count("pk", filter=enforcement),
            visits=Count("pk", filter=Q(inspection__kind=InspectionKind.VISIT)),
            joint=Count("pk", filter=enforcement & Q(is_joint=True)),
            exempt=Count("pk", filter=Q(inspection__exemption_reason__isnull=False)),
            emergency=Count("pk", filter=Q(inspection__entry_mode=EntryMode.EMERGENCY)),
            backfill=Count("pk", filter=Q(inspection__entry_mode=EntryMode.BACKFILL)),
        )
        .order_by()
    )
    rows: dict[int | None, DepartmentRow] = {}

    def row(pk: int | None) -> DepartmentRow:
        if pk not in rows:
            rows[pk] = DepartmentRow(department_id=pk, name="")
        return rows[pk]

    for counted in per_department:
        r = row(counted["department_id"])
        for name in ("enforcement", "visits", "joint", "exempt", "emergency", "backfill"):
            setattr(r, name, counted[name])

    # 2. the same, each registration once
    whole = inspections.annotate(is_joint=joint_exists("pk", "department_id")).aggregate(
        enforcement=Count("pk", filter=Q(kind=InspectionKind.ENFORCEMENT)),
        visits=Count("pk", filter=Q(kind=InspectionKind.VISIT)),
        joint=Count("pk", filter=Q(kind=InspectionKind.ENFORCEMENT, is_joint=True)),
        exempt=Count("pk", filter=Q(exemption_reason__isnull=False)),
        emergency=Count("pk", filter=Q(entry_mode=EntryMode.EMERGENCY)),
        backfill=Count("pk", filter=Q(entry_mode=EntryMode.BACKFILL)),
    )
    totals = DepartmentRow(department_id=None, name=_("合计"))
    for name, value in whole.items():
        setattr(totals, name, value or 0)

    # 3. alerts, by the department concerned (or the lead of the registration that raised it)
    alerts = InspectionAlert.objects.filter(created_at__gte=low, created_at__lt=high)
    if region_id is not None:
        alerts = alerts.filter(enterprise__region_id=region_id)
    grouped_alerts = (
        alerts.annotate(concerned=Coalesce("department_id", "inspection__department_id"))
        .values("concerned", "kind")
        .annotate(n=Count("pk"), open=Count("pk", filter=Q(status=InspectionAlert.Status.OPEN)))
        .order_by()
    )
    kinds_seen: set[str] = set()
    for group in grouped_alerts:
        kind, n = str(group["kind"]), int(group["n"])
        kinds_seen.add(kind)
        for target in (row(group["concerned"]), totals):
            target.alerts += n
            target.alerts_open += int(group["open"])
            target.alerts_by_kind[kind] = target.alerts_by_kind.get(kind, 0) + n
            if kind == InspectionAlert.Kind.CAP_EXCEEDED:
                target.cap_exceeded += n
            if kind == InspectionAlert.Kind.UNREGISTERED:
                target.unregistered += n

    # 4–5. complaints: cases about one of the department's inspections, or about the department
    complaint_refs = (
        complaint_cases(low, high, region_id).values("subject_ref").annotate(n=Count("pk")).order_by()
    )
    by_inspection: dict[int, int] = {}
    for referred in complaint_refs:
        ref, n = str(referred["subject_ref"]), int(referred["n"])
        totals.complaints += n
        if ref.startswith(COMPLAINT_REF_INSPECTION) and ref[len(COMPLAINT_REF_INSPECTION):].isdigit():
            by_inspection[int(ref[len(COMPLAINT_REF_INSPECTION):])] = n
        elif ref.startswith(COMPLAINT_REF_DEPARTMENT) and ref[len(COMPLAINT_REF_DEPARTMENT):].isdigit():
            row(int(ref[len(COMPLAINT_REF_DEPARTMENT):])).complaints += n
        else:  # a complaint about inspections in general (e.g. reported as a problem): no department
            row(None).complaints += n
    if by_inspection:
        for inspection_id, department_id in InspectionDepartment.objects.filter(
            inspection_id__in=list(by_inspection)
        ).values_list("inspection_id", "department_id"):
            row(department_id).complaints += by_inspection[inspection_id]

    # 6. ratings, over the whole ended months of the period and only the department-months
    #    with at least five (ratings.monthly_figures): a day's or a short period's figures
    #    would date a rating, and a month below five could be differenced out of a longer period
    #    (a department without a figure shows none, not 0: "fewer than five" and "none" look alike)
    ratings_available = region_id is None
    figures = monthly_figures(start, end) if ratings_available else {}
    totals.ratings = None
    for department_id, (n, total) in figures.items():
        r = row(department_id)
        r.ratings, r.rating_sum = n, total
        totals.ratings = (totals.ratings or 0) + n
        totals.rating_sum += total

    # 7. the departments: those above, and every department with a published item
    named = {pk for pk in rows if pk is not None}
    departments = list(
        Organisation.objects.filter(
            Q(pk__in=named)
            | Q(kind=Organisation.Kind.DEPARTMENT, pk__in=InspectionItem.objects.filter(
                published_at__isnull=False, withdrawn_at__isnull=True).values("department_id"))
        ).order_by("path", "name").values_list("pk", "name")
    )
    ordered = []
    for pk, name in departments:
        r = row(pk)
        r.name = name
        if pk not in figures:
            r.ratings = None
        ordered.append(r)
    if None in rows:  # alerts or complaints that name no department and no registration
        orphan = rows[None]
        orphan.name = _("未指明部门")
        orphan.ratings = None
        ordered.append(orphan)

    period_params = {"start": start.isoformat(), "end": end.isoformat(), "region": region.code if region else ""}
    for r in [*ordered, totals]:
        r.links = _row_links(r.department_id, period_params)
    kinds = [(k, str(label)) for k, label in InspectionAlert.Kind.choices if k in kinds_seen]
    for r in [*ordered, totals]:
        r.alert_cells = [(k, label, r.alerts_by_kind.get(k, 0), r.links[f"alerts_{k}"]) for k, label in kinds]
    return Dashboard(start=start, end=end, region=region, rows=ordered, totals=totals, alert_kinds=kinds,
                     ratings_available=ratings_available)


def complaint_cases(low: dt.datetime, high: dt.datetime, region_id: int | None = None) -> QuerySet[Case]:
    """Complaints about inspections filed in [low, high) (withdrawn and merged ones left out)."""
    qs = Case.objects.filter(kind=CaseKind.INSPECTION_COMPLAINT, created_at__gte=low, created_at__lt=high).exclude(
        status__in=UNCOUNTED_CASE_STATUSES
    )
    return qs if region_id is None else qs.filter(region_id=region_id)


def _row_links(department_id: int | None, period: dict[str, str]) -> dict[str, str]:
    base = {**period, "department": department_id or ""}
    registrations = "inspection_supervision_registrations"
    links = {
        "enforcement": _link(registrations, **base, kind=InspectionKind.ENFORCEMENT),
        "visits": _link(registrations, **base, kind=InspectionKind.VISIT),
        "inspections": _link(registrations, **base),
        "joint": _link(registrations, **base, kind=InspectionKind.ENFORCEMENT, joint=1),
        "exempt": _link(registrations, **base, exempt=1),
        "emergency": _link(registrations, **base, entry_mode=EntryMode.EMERGENCY),
        "backfill": _link(registrations, **base, entry_mode=EntryMode.BACKFILL),
        "alerts": _link("inspection_alerts", **base),
        "alerts_open": _link("inspection_alerts", **base, status=InspectionAlert.Status.OPEN),
        "cap_exceeded": _link("inspection_alerts", **base, kind=InspectionAlert.Kind.CAP_EXCEEDED),
        "unregistered": _link("inspection_alerts", **base, kind=InspectionAlert.Kind.UNREGISTERED),
        "complaints": _link("inspection_supervision_complaints", **base),
        # The ratings list is the enterprise side's page for supervisors (its own parameters).
        "ratings": _link("inspection_ratings", department=department_id or "", month=period["start"][:7]),
    }
    for kind in InspectionAlert.Kind.values:
        links[f"alerts_{kind}"] = _link("inspection_alerts", **base, kind=kind)
    return links


# --- the lists behind the numbers ---------------------------------------------------------------


@dataclass
class AlertFilters:
    status: str = ""
    kind: str = ""
    department: int | None = None
    inspection: int | None = None
    region: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def from_params(cls, params: Any) -> AlertFilters:
        def get(name: str) -> str:
            return str(params.get(name, "") or "").strip()[:64]

        return cls(
            status=get("status") if get("status") in InspectionAlert.Status.values else "",
            kind=get("kind") if get("kind") in InspectionAlert.Kind.values else "",
            department=_pk(get("department")), inspection=_pk(get("inspection")), region=get("region"),
            start=_date(get("start")), end=_date(get("end")),
        )

    def params(self) -> dict[str, str]:
        values = {"status": self.status, "kind": self.kind, "department": self.department,
                  "inspection": self.inspection, "region": self.region,
                  "start": self.start.isoformat() if self.start else "", "end": self.end.isoformat() if self.end else ""}
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def alert_list(user: Any, filters: AlertFilters) -> QuerySet[InspectionAlert]:
    """The supervisor's alerts: open ones first, then newest first."""
    qs = alerts_visible_to(user)
    f = filters
    if f.status:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.department:
        qs = qs.filter(Q(department_id=f.department) | Q(department__isnull=True, inspection__department_id=f.department))
    if f.inspection:
        qs = qs.filter(inspection_id=f.inspection)
    if f.region:
        qs = qs.filter(enterprise__region__code=f.region)
    if f.start:
        qs = qs.filter(created_at__gte=_day_bounds(f.start, f.start)[0])
    if f.end:
        qs = qs.filter(created_at__lt=_day_bounds(f.end, f.end)[1])
    return qs.select_related("enterprise", "department", "inspection", "inspection__department", "handled_by").order_by(
        F("handled_at").asc(nulls_first=True), "-created_at", "-pk"
    )


def complaint_list(user: Any, *, department: int | None, start: dt.date | None, end: dt.date | None,
                   region: str = "") -> QuerySet[Case]:
    """Complaints about inspections in the supervisor's area: about one of `department`'s
    inspections or about the department itself (all complaints without a department)."""
    if not _active_supervisor(user):
        return Case.objects.none()
    low = _day_bounds(start, start)[0] if start else None
    high = _day_bounds(end, end)[1] if end else None
    qs = Case.objects.visible_to(user).filter(kind=CaseKind.INSPECTION_COMPLAINT).exclude(
        status__in=UNCOUNTED_CASE_STATUSES
    )
    if low is not None:
        qs = qs.filter(created_at__gte=low)
    if high is not None:
        qs = qs.filter(created_at__lt=high)
    if region:
        qs = qs.filter(region__code=region)
    if department:
        from django.db.models import CharField, Value
        from django.db.models.functions import Cast, Concat

        refs = (
            InspectionDepartment.objects.filter(department_id=department)
            .annotate(ref=Concat(Value(COMPLAINT_REF_INSPECTION), Cast("inspection_id", CharField()),
                                 output_field=CharField()))
            .values("ref")
        )
        qs = qs.filter(Q(subject_ref__in=refs) | Q(subject_ref=f"{COMPLAINT_REF_DEPARTMENT}{department}"))
    return qs.select_related("enterprise", "lead_org").order_by("-created_at", "-pk")


# --- the monthly notice -------------------------------------------------------------------------


def report_url(period: Period) -> str:
    return _link("inspection_report", period=period.key)


def report_ready_notify(*, today: dt.date | None = None) -> int:
    """Tell the supervisors that last month's 通报 can be downloaded (the 1st of each month,
    or the first run after it). Each supervisor is told once per month however often the job
    runs; returns how many were told."""
    from yancheng.core.notifications.models import Notification

    period = Period.previous_month(today)
    url = report_url(period)
    with transaction.atomic():
        # One runner at a time: the policy row is the job's lock.
        InspectionPolicy.objects.select_for_update().filter(pk=InspectionPolicy.current().pk).exists()
        told = set(Notification.objects.filter(verb=REPORT_VERB, url=url).values_list("recipient_id", flat=True))
        recipients = [u for u in supervisors_to_tell() if u.pk not in told]
        if not recipients:
            return 0
        notify(
            recipients=recipients, verb=REPORT_VERB,
            title=_("涉企行政检查情况通报（%(p)s）已生成") % {"p": period.label},
            body=_("%(p)s各部门入企检查、联合检查率、预警、投诉和评价情况已汇总，可下载 Word 或 Excel。")
            % {"p": period.label},
            url=url, actor=None,
        )
        audit_record("inspection_report.ready", None, actor=None, object_type="inspection_report",
                     object_id=period.key, after={"period": period.key, "recipients": len(recipients)})
    return len(recipients)


@task()
def report_ready_task() -> int:
    return report_ready_notify()


def register_jobs() -> None:
    """Called by the app's ready(): checks every six hours; notifies once a month."""
    from yancheng.core.jobs import register_periodic

    register_periodic("inspections.monthly_report", every=timedelta(hours=6), task=report_ready_task)
