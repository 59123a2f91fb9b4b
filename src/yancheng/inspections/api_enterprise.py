"""API of the enterprise side of 企业赋码保护 (mounted under /api/v1/inspections/ by `api.py`):
the enterprise's code, its visits, the anonymous rating (409 on the second) and the
complaint of a visit, the report of an unregistered visit; the department's rating
aggregates and the supervisor's list of ratings (never an enterprise).

Visits are fetched only through ``Inspection.objects.visible_to`` narrowed to the caller's
own enterprise: another enterprise's visit answers 404. Pagination is the kit's
(``core.kit.api``)."""

import datetime as dt
from decimal import Decimal
from typing import Any

import rules
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, SecretStr

from yancheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination
from yancheng.core.models import Enterprise, Organisation

from . import poster
from .complaints import complaint_file, unregistered_visit_report
from .forms_enterprise import last_ended_month
from .models import Inspection
from .permissions import department_of
from .ratings import (
    department_rating_summary,
    month_start,
    rated_visit_ids,
    rating_ref,
    rating_submit_by_ref,
    supervisor_rating_months,
)
from .services import active_code, code_issue
from .views_enterprise import enterprise_of, own_visits

router = Router(tags=["inspections"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _own(request: HttpRequest, perm: str = "inspections.view_code") -> Enterprise:
    user = _user(request)
    enterprise = enterprise_of(user)
    if enterprise is None or not rules.has_perm(perm, user, enterprise):
        raise PermissionDeniedError(_("只有企业用户可以使用此接口。"))
    return enterprise


def _visit(request: HttpRequest, visit_id: int, perm: str = "inspections.view_code") -> tuple[Enterprise, Inspection]:
    enterprise = _own(request, perm)
    visit = own_visits(_user(request), enterprise).filter(pk=visit_id).first()
    if visit is None:
        raise NotFoundError(_("入企记录不存在。"))
    return enterprise, visit


# --- the code ---------------------------------------------------------------------------------------------


class CodeOut(Schema):
    url: str
    issued_at: dt.datetime


class ReissueIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=200, description="申请新码的原因（已有监督码时必填）")


@router.get("/code", response=CodeOut, summary="本企业的监督码", url_name="inspections_enterprise_code")
def code_get(request: HttpRequest) -> dict[str, Any]:
    """The URL the enterprise's QR code carries and when it was issued (404 before the
    enterprise has asked for one)."""
    enterprise = _own(request)
    code = active_code(enterprise)
    if code is None:
        raise NotFoundError(_("本企业还没有监督码，请先领取。"))
    return {"url": poster.code_url(code.token, request), "issued_at": code.issued_at}


@router.post("/code/reissue", response={201: CodeOut}, summary="申请新的监督码",
             url_name="inspections_enterprise_code_reissue")
def code_reissue(request: HttpRequest, payload: ReissueIn) -> Any:
    """Issue a new code; the old one stops working at once (a reason is required then)."""
    enterprise = _own(request, "inspections.reissue_code")
    reason = payload.reason.strip()
    if active_code(enterprise) is not None and not reason:
        raise ValidationFailed(_("请填写申请新码的原因。"), field="reason")
    code = code_issue(enterprise, actor=_user(request), reason=reason)
    return Status(201, {"url": poster.code_url(code.token, request), "issued_at": code.issued_at})


# --- visits -------------------------------------------------------------------------------------------------


class InspectorOut(Schema):
    full_name: str
    certificate_no: str


class DepartmentOut(Schema):
    id: int
    name: str
    lead: bool


class EnterpriseSideItemOut(Schema):
    code: str
    name: str


class VisitOut(Schema):
    id: int
    number: str
    departments: list[DepartmentOut]
    joint: bool
    inspectors: list[InspectorOut]
    kind: str
    kind_display: str
    purpose: str
    items: list[EnterpriseSideItemOut]
    legal_basis: str
    in_plan: bool
    outside_plan_reason: str
    exemption: str | None
    entry_mode: str
    entry_mode_display: str
    entry_mode_reason: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    status: str
    outcome: str
    outcome_display: str
    result: str
    rated: bool
    rating_ref: str | None = Field(
        description="评价时提交的匿名引用（仅已结束且未评价的检查有值）；不要放进 URL 或日志")


def _visit_out(v: Inspection, rated: bool, enterprise: Enterprise) -> dict[str, Any]:
    departments = list(v.departments.all()) or [v.department]
    return {
        "id": v.pk, "number": v.number,
        "departments": [{"id": d.pk, "name": d.name, "lead": d.pk == v.department_id} for d in departments],
        "joint": len(departments) > 1 or v.joint_proposal_id is not None,
        "inspectors": [{"full_name": i.full_name, "certificate_no": i.certificate_no} for i in v.inspectors.all()],
        "kind": v.kind, "kind_display": str(v.get_kind_display()), "purpose": v.purpose,
        "items": [{"code": i.code, "name": i.name} for i in v.items.all()],
        "legal_basis": v.legal_basis, "in_plan": v.plan_entry_id is not None,
        "outside_plan_reason": v.outside_plan_reason,
        "exemption": v.exemption_reason.name if v.exemption_reason else None,
        "entry_mode": v.entry_mode, "entry_mode_display": str(v.get_entry_mode_display()),
        "entry_mode_reason": v.entry_mode_reason, "started_at": v.started_at, "ended_at": v.ended_at,
        "status": v.status, "outcome": v.outcome, "outcome_display": str(v.get_outcome_display() or ""),
        "result": v.result, "rated": rated,
        "rating_ref": rating_ref(enterprise, v) if v.status == Inspection.Status.FINISHED and not rated else None,
    }


def _visits_out(visits: list[Inspection], enterprise: Enterprise) -> list[dict[str, Any]]:
    rated = rated_visit_ids(enterprise, visits)  # one query for the page
    return [_visit_out(v, v.pk in rated, enterprise) for v in visits]


@router.get("/visits", response=list[VisitOut], summary="本企业的入企记录", url_name="inspections_enterprise_visits")
@paginate(Pagination)
def visits_list(request: HttpRequest) -> Any:
    """Every registered visit of the caller's enterprise, newest first."""
    enterprise = _own(request)
    return MappedQuerySet(own_visits(_user(request), enterprise), page=lambda page: _visits_out(page, enterprise))


@router.get("/visits/{visit_id}", response=VisitOut, summary="一次入企记录", url_name="inspections_enterprise_visit")
def visit_detail(request: HttpRequest, visit_id: int) -> dict[str, Any]:
    enterprise, visit = _visit(request, visit_id)
    return _visit_out(visit, visit.pk in rated_visit_ids(enterprise, [visit]), enterprise)


class RatingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ref: SecretStr = Field(..., description="入企记录的 rating_ref（见入企记录列表），不是记录编号")
    score: int = Field(..., ge=1, le=5, description="1–5 分")
    comment: str = Field("", max_length=500)


class RatedOut(Schema):
    rated: bool


@router.post("/rating", response={201: RatedOut}, summary="匿名评价一次入企",
             url_name="inspections_enterprise_rating")
def rating_create(
    request: HttpRequest, payload: RatingIn,
    idempotency_key: str | None = Header(  # type: ignore[type-arg]
        None, alias="Idempotency-Key", max_length=0,
        description="不接受：重复提交会得到 409，无需幂等键（否则请求摘要会与调用者一起保存一天）",
    ),
) -> Any:
    """Rate a finished visit of the caller's enterprise, anonymously and once: a second
    rating answers 409 ``already_rated``. The path is the same for every visit; the visit is
    the ``rating_ref`` of the visit list, in the body (a secret string: it never appears in
    an error report). A ref none of the caller's visits gives answers 404. The answer
    carries nothing that identifies the rating.

    An ``Idempotency-Key`` is refused as invalid input (422), before the endpoint begins, so
    the API keeps no digest of the request next to the caller. A retry is safe without one."""
    _submit(request, payload)
    return Status(201, {"rated": True})


@sensitive_variables()
def _submit(request: HttpRequest, payload: RatingIn) -> None:
    rating_submit_by_ref(payload.ref.get_secret_value(), actor=_user(request), score=payload.score,
                         comment=payload.comment)


class ComplaintIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., min_length=1, max_length=5000)


class CaseRefOut(Schema):
    case_id: int
    case_number: str
    dispatch_org: str


@router.post("/visits/{visit_id}/complaint", response={201: CaseRefOut}, summary="投诉一次入企",
             url_name="inspections_enterprise_visit_complaint")
def visit_complaint(request: HttpRequest, visit_id: int, payload: ComplaintIn) -> Any:
    """A complaint about a visit: a case (涉企检查投诉) to the supervising organisation; follow
    it under /api/v1/cases/{case_id}. Not anonymous."""
    _enterprise, visit = _visit(request, visit_id, "inspections.complain")
    case = complaint_file(visit, actor=_user(request), text=payload.text)
    return Status(201, {"case_id": case.pk, "case_number": case.number, "dispatch_org": case.dispatch_org.name})


class UnregisteredIn(Schema):
    model_config = ConfigDict(extra="forbid")

    department: int = Field(..., ge=1, description="入企的执法部门（组织机构编号）")
    visited_on: dt.date
    people: str = Field("", max_length=500, description="姓名、执法证号等（选填）")
    description: str = Field(..., min_length=1, max_length=5000)


@router.post("/unregistered-reports", response={201: CaseRefOut}, summary="举报未登记入企",
             url_name="inspections_unregistered_reports")
def unregistered_report(request: HttpRequest, payload: UnregisteredIn) -> Any:
    _own(request, "inspections.complain")
    department = Organisation.objects.filter(
        pk=payload.department, kind=Organisation.Kind.DEPARTMENT, is_active=True
    ).first()
    if department is None:
        raise ValidationFailed(_("请选择入企的执法部门。"), field="department")
    case = unregistered_visit_report(
        actor=_user(request), department=department, visited_on=payload.visited_on,
        description=payload.description, people=payload.people,
    )
    return Status(201, {"case_id": case.pk, "case_number": case.number, "dispatch_org": case.dispatch_org.name})


# --- ratings: the department's aggregates, the supervisor's list ----------------------------------------------


class MonthOut(Schema):
    month: int
    ended: bool
    shown: bool
    count: int | None
    average: Decimal | None


class SummaryOut(Schema):
    department: int
    department_name: str
    year: int
    min_count: int
    months: list[MonthOut]
    year_count: int | None
    year_average: Decimal | None


@router.get("/department/ratings", response=SummaryOut, summary="本部门评价汇总（匿名、按月、不少于5条）",
            url_name="inspections_department_ratings")
def department_ratings(request: HttpRequest, year: int | None = Query(None, ge=2000, le=2100),  # type: ignore[type-arg]
) -> dict[str, Any]:
    """The caller's department's ratings per ended month; count and average only where a
    month holds at least ``min_count`` ratings, the year over those months only."""
    user = _user(request)
    department = department_of(user)
    if department is None or not rules.has_perm("inspections.view_own_rating_aggregates", user):
        raise PermissionDeniedError(_("只有执法部门的工作人员可以查看本部门的评价汇总。"))
    summary = department_rating_summary(department, year=year or timezone.localdate().year)
    return {
        "department": department.pk, "department_name": department.name, "year": summary.year,
        "min_count": summary.min_count,
        "months": [{"month": m.month, "ended": m.ended, "shown": m.shown, "count": m.count, "average": m.average}
                   for m in summary.months],
        "year_count": summary.year_count, "year_average": summary.year_average,
    }


class RatingLineOut(Schema):
    score: int
    comment: str


class DepartmentMonthOut(Schema):
    department: int
    department_name: str
    month: str = Field(description="YYYY-MM")
    min_count: int
    shown: bool = Field(description="该部门当月评价不少于 min_count 条时为 true，才给出条数和明细")
    count: int | None
    average: Decimal | None
    ratings: list[RatingLineOut]


MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


@router.get("/ratings", response=list[DepartmentMonthOut], summary="按月查看匿名评价（督查）",
            url_name="inspections_ratings")
def ratings_list(
    request: HttpRequest,
    month: str | None = Query(None, pattern=MONTH_PATTERN, description="已结束的月份，YYYY-MM；默认上月"),  # type: ignore[type-arg]
    department: int | None = Query(None, ge=1, le=2**31 - 1),  # type: ignore[type-arg]
) -> list[dict[str, Any]]:
    """Single ratings per department for one ended month — score and comment, no day, no
    kind, never an enterprise — only for department-months with at least ``min_count``
    ratings; the others are listed with ``shown`` false and nothing else (supervisors only).
    A month that has not ended answers 422."""
    user = _user(request)
    if not rules.has_perm("inspections.view_ratings", user):
        raise PermissionDeniedError(_("只有督查人员可以查看评价明细。"))
    today = timezone.localdate()
    chosen = dt.date(int(month[:4]), int(month[5:7]), 1) if month else last_ended_month(today)
    if chosen >= month_start(today):
        raise ValidationFailed(_("只能查看已结束的月份：本月的评价在月份结束后才能查看。"), field="month")
    return [
        {"department": dm.department.pk, "department_name": dm.department.name, "month": dm.month.strftime("%Y-%m"),
         "min_count": dm.min_count, "shown": dm.shown, "count": dm.count, "average": dm.average,
         "ratings": [{"score": line.score, "comment": line.comment} for line in dm.lines]}
        for dm in supervisor_rating_months(user, month=chosen, department=department, today=today)
    ]
