"""API of the supervisor side of 企业赋码保护 (mounted under /api/v1/inspections/ by `api.py`):
the dashboard, alerts and their handling, the policy (``ETag``/``If-Match``), the cap
matrix (one cell per PUT, ``If-Match`` on the whole matrix) and quiet periods.

Supervisors only (others 403); a county's supervisor sees its region; an alert of another
region answers 404. Writes go through ``supervision`` (permission, audit); If-Match,
ETags and pagination are the kit's (``core.kit.api``)."""

import datetime as dt
from typing import Any, Literal

import rules
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match
from yancheng.core.models import Enterprise, Organisation, Region

from .models import CapRule, InspectionAlert, InspectionItem, InspectionPolicy, QuietPeriod
from .services import require
from .supervision.access import alerts_visible_to, quiet_periods_visible_to, supervision_region
from .supervision.alerts import alert_handle
from .supervision.caps import cap_rule_remove, cap_rule_set, clean_cap, matrix_etag
from .supervision.dashboard import DepartmentRow, department_dashboard
from .supervision.lists import AlertFilters, alert_list
from .supervision.periods import Period
from .supervision.policy import policy_etag, policy_update
from .supervision.quiet_periods import quiet_period_create

router = Router(tags=["inspections"])

GradeName = Literal["A", "B", "C", "D"]
ScopeName = Literal["item", "department", "total"]
HandlingName = Literal["refuse", "alert"]


def _supervisor(request: HttpRequest, perm: str = "inspections.view_supervision") -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not rules.has_perm(perm, user):
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    return user


# --- the dashboard ------------------------------------------------------------------------------


class DashboardIn(Schema):
    start: dt.date | None = Field(None, description="开始日期（含），默认本月1日")
    end: dt.date | None = Field(None, description="结束日期（含），默认本月最后一天")
    region: str | None = Field(None, max_length=12, description="区划代码（市级督查员可选）")


class DepartmentRowOut(Schema):
    department: int | None
    name: str
    inspections: int
    enforcement: int
    visits: int
    joint: int
    joint_rate: float | None = Field(description="联合检查 ÷ 行政检查（%）")
    exempt: int
    emergency: int
    backfill: int
    alerts: int
    alerts_open: int
    alerts_by_kind: dict[str, int]
    cap_exceeded: int
    unregistered: int
    complaints: int
    ratings: int | None = Field(description="评价数（按区划查看时为空：评价不记录区划）")
    rating_average: float | None


class DashboardOut(Schema):
    start: dt.date
    end: dt.date
    region: str | None
    rows: list[DepartmentRowOut]
    totals: DepartmentRowOut


def _row_out(row: DepartmentRow) -> dict[str, Any]:
    return {
        "department": row.department_id, "name": row.name, "inspections": row.inspections,
        "enforcement": row.enforcement, "visits": row.visits, "joint": row.joint, "joint_rate": row.joint_rate,
        "exempt": row.exempt, "emergency": row.emergency, "backfill": row.backfill, "alerts": row.alerts,
        "alerts_open": row.alerts_open, "alerts_by_kind": dict(row.alerts_by_kind),
        "cap_exceeded": row.cap_exceeded, "unregistered": row.unregistered, "complaints": row.complaints,
        "ratings": row.ratings, "rating_average": row.rating_average,
    }


@router.get("/supervision/dashboard", response=DashboardOut, summary="各部门涉企检查情况",
            url_name="inspections_supervision_dashboard")
def supervision_dashboard(request: HttpRequest, params: Query[DashboardIn]) -> dict[str, Any]:
    """Per department: registrations, joint rate, exempt / emergency / back-filled, alerts,
    complaints, ratings (city level only) and cap exceedances for the days from ``start``
    to ``end``. A joint inspection counts once per department and once in ``totals``."""
    user = _supervisor(request)
    default = Period.current_month()
    period = Period.between(params.start or default.start, params.end or default.end)
    region = supervision_region(user)
    if region is None and params.region:
        region = Region.objects.filter(code=params.region).first()
        if region is None:
            raise ValidationFailed(_("未知的区划代码。"), field="region")
    data = department_dashboard(start=period.start, end=period.end, region=region)
    return {"start": period.start, "end": period.end, "region": region.code if region else None,
            "rows": [_row_out(r) for r in data.rows], "totals": _row_out(data.totals)}


# --- alerts -------------------------------------------------------------------------------------


class AlertOut(Schema):
    id: int
    kind: str
    kind_display: str
    status: str
    enterprise: int
    enterprise_name: str
    department: int | None
    department_name: str | None
    inspection: int | None
    inspection_number: str | None
    count: int
    limit: int | None
    message: str
    created_at: dt.datetime
    handled_at: dt.datetime | None
    handled_by: str | None
    handling_note: str


class AlertFilterIn(Schema):
    status: Literal["open", "handled"] | None = None
    kind: str | None = Field(None, max_length=16)
    department: int | None = Field(None, ge=1, le=2_000_000_000)
    start: dt.date | None = None
    end: dt.date | None = None


class AlertHandleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(..., max_length=300, description="处理意见")


def _alert_out(a: InspectionAlert) -> dict[str, Any]:
    concerned = a.department or (a.inspection.department if a.inspection else None)
    return {
        "id": a.pk, "kind": a.kind, "kind_display": str(a.get_kind_display()), "status": a.status,
        "enterprise": a.enterprise_id, "enterprise_name": a.enterprise.name,
        "department": concerned.pk if concerned else None, "department_name": concerned.name if concerned else None,
        "inspection": a.inspection_id, "inspection_number": a.inspection.number if a.inspection else None,
        "count": a.count, "limit": a.limit, "message": a.message, "created_at": a.created_at,
        "handled_at": a.handled_at, "handled_by": a.handled_by.display_name if a.handled_by else None,
        "handling_note": a.handling_note,
    }


@router.get("/alerts", response=list[AlertOut], summary="检查预警", url_name="inspections_alerts")
@paginate(Pagination)
def alerts_list(request: HttpRequest, filters: Query[AlertFilterIn]) -> Any:
    """The alerts of the caller's area, open ones first."""
    user = _supervisor(request, "inspections.view_alerts")
    params = {k: "" if v is None else str(v) for k, v in filters.model_dump().items()}
    return MappedQuerySet(alert_list(user, AlertFilters.from_params(params)), _alert_out)


@router.post("/alerts/{alert_id}/handle", response=AlertOut, summary="处理预警",
             url_name="inspections_alert_handle")
def alerts_handle(request: HttpRequest, alert_id: int, payload: AlertHandleIn) -> dict[str, Any]:
    """Mark an open alert handled with the supervisor's note (409 when already handled)."""
    user = _supervisor(request, "inspections.handle_alert")
    alert = alerts_visible_to(user).select_related("enterprise").filter(pk=alert_id).first()
    if alert is None:
        raise NotFoundError(_("预警不存在。"))
    alert_handle(alert, actor=user, note=payload.note)
    handled = alert_list(user, AlertFilters()).get(pk=alert.pk)
    return _alert_out(handled)


# --- the policy ---------------------------------------------------------------------------------


class PolicyOut(Schema):
    supervising_org: int | None
    supervising_org_name: str | None
    grade_a_proactive: str
    cap_exceeded: str
    high_frequency_window_days: int
    high_frequency_threshold: int
    backfill_days: int
    rating_min_count: int
    version: int


class PolicyPatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    supervising_org: int | None = Field(None, ge=1, le=2_000_000_000)
    grade_a_proactive: HandlingName | None = None
    cap_exceeded: HandlingName | None = None
    high_frequency_window_days: int | None = Field(None, ge=1, le=366)
    high_frequency_threshold: int | None = Field(None, ge=2, le=100)
    backfill_days: int | None = Field(None, ge=1, le=30)
    rating_min_count: int | None = Field(None, ge=0, le=1000, description="不得小于 5")


def _policy_out(policy: InspectionPolicy, response: HttpResponse) -> dict[str, Any]:
    version = policy_etag(policy)
    response["ETag"] = etag(version)
    org = policy.supervising_org
    return {
        "supervising_org": org.pk if org else None, "supervising_org_name": org.name if org else None,
        "grade_a_proactive": policy.grade_a_proactive, "cap_exceeded": policy.cap_exceeded,
        "high_frequency_window_days": policy.high_frequency_window_days,
        "high_frequency_threshold": policy.high_frequency_threshold, "backfill_days": policy.backfill_days,
        "rating_min_count": policy.rating_min_count, "version": version,
    }


@router.get("/rules", response=PolicyOut, summary="检查规则", url_name="inspections_rules")
def rules_get(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    _supervisor(request, "inspections.manage_rules")
    return _policy_out(InspectionPolicy.current(), response)


@router.patch("/rules", response=PolicyOut, summary="修改检查规则", url_name="inspections_rules_patch")
def rules_patch(request: HttpRequest, payload: PolicyPatchIn, response: HttpResponse) -> dict[str, Any]:
    """Change some of the rules; requires ``If-Match`` with the ETag of ``GET /rules`` (412
    when someone changed them since). ``rating_min_count`` below 5 is refused."""
    user = _supervisor(request, "inspections.manage_rules")
    version = if_match(request)
    changes = payload.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None and name != "supervising_org":
            raise ValidationFailed(_("此字段不能为空。"), field=name)
    if changes.get("supervising_org") is not None:
        org = Organisation.objects.filter(pk=changes["supervising_org"]).first()
        if org is None:
            raise ValidationFailed(_("行政执法监督机构不存在。"), field="supervising_org")
        changes["supervising_org"] = org
    policy = policy_update(actor=user, expected_version=version, **changes)
    return _policy_out(policy, response)


# --- the cap matrix -----------------------------------------------------------------------------


class CapOut(Schema):
    id: int
    grade: str
    scope: str
    item: int | None
    item_name: str | None
    department: int | None
    department_name: str | None
    max_per_year: int


class CapsOut(Schema):
    version: int
    cells: list[CapOut]


class CapPutIn(Schema):
    model_config = ConfigDict(extra="forbid")

    grade: GradeName
    scope: ScopeName
    item: int | None = Field(None, ge=1, le=2_000_000_000, description="范围为 item 时必填")
    department: int | None = Field(None, ge=1, le=2_000_000_000, description="范围为 department 时可选，空为每个部门")
    max_per_year: int | None = Field(..., ge=0, le=365, description="每年最多次数；null 为取消该上限")


def _caps_out(response: HttpResponse, grade: str | None = None) -> dict[str, Any]:
    version = matrix_etag()
    response["ETag"] = etag(version)
    qs = CapRule.objects.select_related("item", "department").order_by("grade", "scope", "pk")
    if grade:
        qs = qs.filter(grade=grade)
    cells = [
        {"id": c.pk, "grade": c.grade, "scope": c.scope, "item": c.item_id, "item_name": c.item.name if c.item else None,
         "department": c.department_id, "department_name": c.department.name if c.department else None,
         "max_per_year": c.max_per_year}
        for c in qs
    ]
    return {"version": version, "cells": cells}


@router.get("/caps", response=CapsOut, summary="检查频次上限矩阵", url_name="inspections_caps")
def caps_get(request: HttpRequest, response: HttpResponse, grade: GradeName | None = None) -> dict[str, Any]:
    _supervisor(request, "inspections.manage_rules")
    return _caps_out(response, grade)


@router.put("/caps", response=CapsOut, summary="设置一格频次上限", url_name="inspections_caps_put")
def caps_put(request: HttpRequest, payload: CapPutIn, response: HttpResponse) -> dict[str, Any]:
    """Set (or with ``max_per_year: null`` clear) one cell; ``If-Match`` carries the matrix's
    ETag from ``GET /caps`` (412 when another cell changed meanwhile)."""
    user = _supervisor(request, "inspections.manage_rules")
    version = if_match(request)
    item = None
    if payload.item is not None:
        item = InspectionItem.objects.filter(pk=payload.item).first()
        if item is None:
            raise ValidationFailed(_("检查事项不存在。"), field="item")
    department = None
    if payload.department is not None:
        department = Organisation.objects.filter(pk=payload.department).first()
        if department is None:
            raise ValidationFailed(_("部门不存在。"), field="department")
    if payload.max_per_year is None:
        clean_cap(grade=payload.grade, scope=payload.scope, max_per_year=0, item=item,
                              department=department)
        existing = CapRule.objects.filter(grade=payload.grade, scope=payload.scope, item=item,
                                          department=department).first()
        if existing is not None:
            cap_rule_remove(existing, actor=user, expected_version=version)
        else:
            require(user, "inspections.manage_city_rules")
    else:
        cap_rule_set(actor=user, grade=payload.grade, scope=payload.scope,
                                 max_per_year=payload.max_per_year, item=item, department=department,
                                 expected_version=version)
    return _caps_out(response)


# --- quiet periods ------------------------------------------------------------------------------


class QuietPeriodOut(Schema):
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    region: str | None
    region_name: str | None
    enterprise: int | None
    enterprise_name: str | None


class QuietPeriodIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100)
    starts_on: dt.date
    ends_on: dt.date
    region: str | None = Field(None, max_length=12, description="区划代码；与 enterprise 只选一项；都空为全市")
    enterprise: int | None = Field(None, ge=1, le=2_000_000_000)


def _quiet_out(p: QuietPeriod) -> dict[str, Any]:
    return {
        "id": p.pk, "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on,
        "region": p.region.code if p.region else None, "region_name": p.region.name if p.region else None,
        "enterprise": p.enterprise_id, "enterprise_name": p.enterprise.name if p.enterprise else None,
    }


@router.get("/quiet-periods", response=list[QuietPeriodOut], summary="企业宁静期",
            url_name="inspections_quiet_periods")
@paginate(Pagination)
def quiet_periods_list(request: HttpRequest) -> Any:
    user = _supervisor(request, "inspections.manage_rules")
    return MappedQuerySet(quiet_periods_visible_to(user).order_by("-starts_on", "-pk"), _quiet_out)


@router.post("/quiet-periods", response={201: QuietPeriodOut}, summary="设置企业宁静期",
             url_name="inspections_quiet_periods_create")
def quiet_periods_create(request: HttpRequest, payload: QuietPeriodIn, response: HttpResponse) -> Any:
    user = _supervisor(request, "inspections.manage_rules")
    region = None
    if payload.region:
        region = Region.objects.filter(code=payload.region).first()
        if region is None:
            raise ValidationFailed(_("未知的区划代码。"), field="region")
    enterprise = None
    if payload.enterprise is not None:
        enterprise = Enterprise.objects.visible_to(user).filter(pk=payload.enterprise).first()
        if enterprise is None:
            raise ValidationFailed(_("企业不存在或不在您的监督范围内。"), field="enterprise")
    period = quiet_period_create(actor=user, name=payload.name, starts_on=payload.starts_on,
                                             ends_on=payload.ends_on, region=region, enterprise=enterprise)
    response["Location"] = f"{request.path.rstrip('/')}?id={period.pk}"
    return Status(201, _quiet_out(period))
