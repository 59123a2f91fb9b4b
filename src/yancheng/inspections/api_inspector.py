"""API of the inspector side of 企业赋码保护 (mounted under /api/v1/inspections/ by `api.py`):
look an enterprise up (code URL or token, USCC, licence-QR content) with the registration
preview, register a visit, list and read registrations, record the result.

* ``POST /registrations`` is idempotent with ``Idempotency-Key`` (installed for every POST
  by the API itself).
* ``POST /registrations/{id}/finish`` needs ``If-Match: "<version>"`` (428 without it, 412
  when stale), like the case actions.
* A cap the registration would exceed, when the rules admit it with an alert, answers 422
  ``acknowledge_required`` listing the warnings; send again with ``"acknowledge_warnings": true``.

Reads go through ``Inspection.objects.visible_to`` / ``Enterprise.objects.visible_to`` (404
otherwise); writes through the `registration` package. If-Match, ETags and pagination are
the kit's (``core.kit.api``)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

import rules
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict, WithJsonSchema

from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match
from yancheng.core.models import Enterprise, Role
from yancheng.core.typing import Actor

from .counting import CapUsage
from .lookup import find_enterprise
from .models import (
    EntryMode,
    ExemptionReason,
    FoundBy,
    Inspection,
    InspectionKind,
    JointProposal,
    OutsidePlanReason,
    PlanEntry,
    VisitPurpose,
)
from .permissions import active_licence
from .registration.attachments import registrations_visible_to_staff
from .registration.finish import inspection_finish
from .registration.preview import Preview, registration_preview
from .registration.register import inspection_register

router = Router(tags=["inspections"])

_MAX_ID = 2**31 - 1


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _staff_visible(user: Actor) -> QuerySet[Inspection]:
    """Registrations the caller sees on the staff side (enterprise users have the
    enterprise side's /visits)."""
    return registrations_visible_to_staff(user)


def _get(user: Actor, pk: int) -> Inspection:
    if not 0 < pk <= _MAX_ID:
        raise Http404
    inspection = (
        _staff_visible(user).select_related("enterprise", "department", "exemption_reason").filter(pk=pk).first()
    )
    if inspection is None:
        raise Http404
    return inspection


def _can_register(user: Actor) -> None:
    if not rules.has_perm("inspections.register", user):
        raise PermissionDeniedError(_("只有持有效执法证、已录入执法人员名录的检查员才能登记入企检查。"))


# --- schemas --------------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class InspectorEnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    region: str
    grade: str
    grade_display: str


class InspectorCapOut(Schema):
    scope: str
    label: str
    item: int | None
    department: int | None
    used: int
    limit: int


class NoticeOut(Schema):
    code: str
    message: str


class QuietOut(Schema):
    id: int
    name: str
    starts_on: date
    ends_on: date


class PlanEntryOut(Schema):
    id: int
    item: Ref
    enterprise_class: str
    window_start: date
    window_end: date


class JointOut(Schema):
    id: int
    window_start: date
    window_end: date
    lead_department: Ref | None


class PreviewOut(Schema):
    year: int
    department: Ref | None
    caps: list[InspectorCapOut]
    total: InspectorCapOut | None
    quiet_periods: list[QuietOut]
    plan_entries: list[PlanEntryOut]
    joint_proposals: list[JointOut]
    recent_visits: int
    window_days: int
    items: list[Ref]
    warnings: list[NoticeOut]


class LookupOut(Schema):
    enterprise: InspectorEnterpriseOut
    found_by: str
    code: str | None = Field(None, description="扫到的有效监督码令牌（按监督码找到时）")
    preview: PreviewOut


class LookupIn(Schema):
    q: str = Field(..., min_length=1, max_length=2000, description="监督码网址或令牌、统一社会信用代码或营业执照二维码内容")


class InspectorOut(Schema):
    full_name: str
    certificate_no: str


class InspectorItemOut(Schema):
    id: int
    code: str
    name: str
    department: int


class InspectorAlertOut(Schema):
    id: int
    kind: str
    kind_display: str
    message: str
    count: int
    limit: int | None
    status: str


class RegistrationItemOut(Schema):
    id: int
    number: str
    enterprise: Ref
    department: Ref
    kind: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    counts_toward_caps: bool
    joint: bool
    version: int


class RegistrationOut(RegistrationItemOut):
    enterprise_uscc: str
    departments: list[Ref]
    inspectors: list[InspectorOut]
    items: list[InspectorItemOut]
    purpose: str
    legal_basis: str
    plan_entry: int | None
    joint_proposal: int | None
    outside_plan_reason: str
    exemption_reason: str | None
    exemption_evidence: str
    entry_mode: str
    entry_mode_reason: str
    found_by: str
    grade_at_registration: str
    warnings: list[NoticeOut]
    outcome: str
    result: str
    registered_by: str
    registered_at: datetime
    alerts: list[InspectorAlertOut]


class RegisterIn(Schema):
    """A registration. Give the enterprise by ``code`` (the scanned code's URL or token) or
    by ``enterprise`` (its id, found by USCC or licence QR: say which in ``found_by``). The
    caller's own certificate is added to ``inspectors`` when missing."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(None, max_length=2000, description="所扫监督码的网址或令牌")
    enterprise: int | None = Field(None, ge=1, le=_MAX_ID, description="企业 id（不扫码时）")
    found_by: Literal["uscc", "licence_qr"] = Field("uscc", description="不扫码时的查找方式")
    kind: InspectionKind
    purpose: VisitPurpose | None = None
    items: list[int] = Field(default_factory=list, max_length=50)
    inspectors: list[str] = Field(default_factory=list, max_length=20, description="执法证号")
    legal_basis: str = Field("", max_length=4000)
    plan_entry: int | None = Field(None, ge=1, le=_MAX_ID)
    joint_proposal: int | None = Field(None, ge=1, le=_MAX_ID)
    outside_plan_reason: OutsidePlanReason | None = None
    exemption_reason: str | None = Field(None, max_length=32, description="豁免事由编码")
    exemption_evidence: str = Field("", max_length=2000)
    entry_mode: EntryMode = EntryMode.SCANNED
    entry_mode_reason: str = Field("", max_length=2000)
    started_at: datetime | None = None
    acknowledge_warnings: bool = False


class FinishIn(Schema):
    model_config = ConfigDict(extra="forbid")

    outcome: Inspection.Outcome
    result: str = Field("", max_length=10_000)
    ended_at: datetime | None = None


# Inline in the schema: an enum is a component named after its class, and cases' ``Status``
# already holds that name (tests/api/test_schema_components.py).
_InspectionStatus = Annotated[
    Inspection.Status, WithJsonSchema({"type": "string", "enum": [s.value for s in Inspection.Status]})
]


class RegistrationFilters(Schema):
    status: _InspectionStatus | None = None
    kind: InspectionKind | None = None
    enterprise: int | None = Field(None, ge=1, le=_MAX_ID)
    mine: bool | None = Field(None, description="只看我参加的")
    started_from: date | None = None
    started_to: date | None = None
    q: str | None = Field(None, max_length=64, description="登记编号或企业名称包含")


# --- output ---------------------------------------------------------------------------------------


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _enterprise_out(e: Enterprise) -> dict[str, Any]:
    return {"id": e.pk, "uscc": e.uscc, "name": e.name, "region": e.region.name, "grade": e.grade,
            "grade_display": str(e.get_grade_display())}


def _cap_out(u: CapUsage) -> dict[str, Any]:
    dept = u.department or u.rule.department
    return {"scope": u.rule.scope, "label": u.label, "item": u.rule.item_id, "department": dept.pk if dept else None,
            "used": u.used, "limit": u.limit}


def _preview_out(p: Preview) -> dict[str, Any]:
    return {
        "year": p.year,
        "department": _ref(p.department),
        "caps": [_cap_out(u) for u in p.caps],
        "total": _cap_out(p.total) if p.total else None,
        "quiet_periods": [{"id": q.pk, "name": q.name, "starts_on": q.starts_on, "ends_on": q.ends_on}
                          for q in p.quiet_periods],
        "plan_entries": [{"id": e.pk, "item": _ref(e.item), "enterprise_class": e.enterprise_class,
                          "window_start": e.window_start, "window_end": e.window_end} for e in p.plan_entries],
        "joint_proposals": [{"id": j.pk, "window_start": j.window_start, "window_end": j.window_end,
                             "lead_department": _ref(j.lead_department)} for j in p.joint_proposals],
        "recent_visits": p.recent_visits,
        "window_days": p.window_days,
        "items": [_ref(i) for i in p.items],
        "warnings": [{"code": n.code, "message": n.message} for n in p.warnings],
    }


def _item_out(i: Inspection) -> dict[str, Any]:
    return {
        "id": i.pk, "number": i.number, "enterprise": _ref(i.enterprise), "department": _ref(i.department),
        "kind": i.kind, "status": i.status, "started_at": i.started_at, "ended_at": i.ended_at,
        "counts_toward_caps": i.counts_toward_caps, "joint": i.joint_proposal_id is not None, "version": i.version,
    }


def _detail_out(i: Inspection) -> dict[str, Any]:
    return _item_out(i) | {
        "enterprise_uscc": i.enterprise.uscc,
        "departments": [_ref(d) for d in i.departments.order_by("name")],
        "inspectors": [{"full_name": p.full_name, "certificate_no": p.certificate_no}
                       for p in i.inspectors.order_by("pk")],
        "items": [{"id": it.pk, "code": it.code, "name": it.name, "department": it.department_id}
                  for it in i.items.order_by("department_id", "code")],
        "purpose": i.purpose, "legal_basis": i.legal_basis, "plan_entry": i.plan_entry_id,
        "joint_proposal": i.joint_proposal_id, "outside_plan_reason": i.outside_plan_reason,
        "exemption_reason": i.exemption_reason.code if i.exemption_reason else None,
        "exemption_evidence": i.exemption_evidence, "entry_mode": i.entry_mode,
        "entry_mode_reason": i.entry_mode_reason, "found_by": i.found_by,
        "grade_at_registration": i.grade_at_registration,
        "warnings": [w for w in (i.warnings or []) if isinstance(w, dict)],
        "outcome": i.outcome, "result": i.result,
        "registered_by": i.registered_by.display_name, "registered_at": i.registered_at,
        "alerts": [{"id": a.pk, "kind": a.kind, "kind_display": str(a.get_kind_display()), "message": a.message,
                    "count": a.count, "limit": a.limit, "status": a.status} for a in i.alerts.order_by("pk")],
    }


# --- endpoints ------------------------------------------------------------------------------------


@router.get("/lookup", response=LookupOut, summary="扫码/输入查找企业（含登记前提示）", url_name="inspections_lookup")
def lookup(request: HttpRequest, params: Query[LookupIn]) -> dict[str, Any]:
    """Find the enterprise from a supervision-code URL or token (only an active one: a
    revoked code answers 410 ``code_revoked``), a USCC (422 with what is wrong) or the
    content of a business-licence QR; with the registration preview (grade, caps used,
    quiet periods, open plans, joint inspections, warnings). Licensed inspectors only."""
    user = _user(request)
    _can_register(user)
    found = find_enterprise(params.q, user=user)
    return {
        "enterprise": _enterprise_out(found.enterprise),
        "found_by": found.found_by,
        "code": found.code.token if found.code is not None else None,
        "preview": _preview_out(registration_preview(found.enterprise, actor=user)),
    }


@router.post("/registrations", response={201: RegistrationOut}, summary="登记入企检查",
             url_name="inspections_registration_create")
def registrations_create(request: HttpRequest, payload: RegisterIn, response: HttpResponse) -> Any:
    """Register a visit (see the module's docstring for the rules). Send an
    ``Idempotency-Key`` so a retry on a poor mobile connection cannot register twice."""
    user = _user(request)
    _can_register(user)
    code = None
    found_by: str
    if payload.code:
        found = find_enterprise(payload.code, user=user)
        if found.code is None:
            raise ValidationFailed(_("code 须为监督码的网址或令牌。"), field="code")
        enterprise, found_by, code = found.enterprise, str(FoundBy.CODE), found.code
    elif payload.enterprise is not None:
        maybe = Enterprise.objects.visible_to(user).filter(pk=payload.enterprise).first()
        if maybe is None:
            raise ValidationFailed(_("企业不存在或您无权查看。"), field="enterprise")
        enterprise, found_by = maybe, str(payload.found_by)
    else:
        raise ValidationFailed(_("请提供所扫监督码（code）或企业 id（enterprise）。"), field="enterprise")
    plan_entry = None
    if payload.plan_entry is not None:
        plan_entry = PlanEntry.objects.filter(pk=payload.plan_entry).first()
        if plan_entry is None:
            raise ValidationFailed(_("所选计划不存在。"), field="plan_entry")
    joint = None
    if payload.joint_proposal is not None:
        joint = JointProposal.objects.filter(pk=payload.joint_proposal, enterprise_id=enterprise.pk).first()
        if joint is None:
            raise ValidationFailed(_("该联合检查不是针对本企业的。"), field="joint_proposal")
    exemption = None
    if payload.exemption_reason:
        exemption = ExemptionReason.objects.filter(code=payload.exemption_reason).first()
        if exemption is None:
            raise ValidationFailed(_("未知的豁免事由。"), field="exemption_reason")
    inspectors = list(payload.inspectors)
    own = active_licence(user)
    if own is not None and own.certificate_no not in {n.strip().upper() for n in inspectors}:
        inspectors.insert(0, own.certificate_no)
    inspection = inspection_register(
        actor=user, enterprise=enterprise, found_by=found_by, code=code, kind=payload.kind,
        purpose=payload.purpose or "", items=payload.items, inspectors=inspectors,
        legal_basis=payload.legal_basis, plan_entry=plan_entry, joint_proposal=joint,
        outside_plan_reason=payload.outside_plan_reason or "", exemption_reason=exemption,
        exemption_evidence=payload.exemption_evidence, entry_mode=payload.entry_mode,
        entry_mode_reason=payload.entry_mode_reason, started_at=payload.started_at,
        acknowledge_warnings=payload.acknowledge_warnings,
    )
    inspection = _get(user, inspection.pk)
    response["ETag"] = etag(inspection.version)
    response["Location"] = f"{request.path.rstrip('/')}/{inspection.pk}"
    return _detail_out(inspection)


@router.get("/registrations", response=list[RegistrationItemOut], summary="入企检查登记列表",
            url_name="inspections_registration_list")
@paginate(Pagination)
def registrations_list(request: HttpRequest, filters: Query[RegistrationFilters]) -> Any:
    """The registrations the caller may see (the participating departments' staff; the
    supervisors of the area), newest first. Enterprise users use ``/visits``."""
    user = _user(request)
    if getattr(user, "role", None) == Role.ENTERPRISE:
        raise PermissionDeniedError(_("企业用户请使用本企业的入企记录接口（/visits）。"))
    qs = _staff_visible(user).select_related("enterprise", "department")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.enterprise:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.mine:
        qs = qs.filter(inspectors__licence__user_id=user.pk)
    tz = timezone.get_current_timezone()
    if filters.started_from:
        qs = qs.filter(started_at__gte=datetime.combine(filters.started_from, datetime.min.time(), tzinfo=tz))
    if filters.started_to:
        qs = qs.filter(started_at__lt=datetime.combine(filters.started_to, datetime.max.time(), tzinfo=tz))
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(Q(number__icontains=text) | Q(enterprise__name__icontains=text))
    return MappedQuerySet(qs.distinct().order_by("-started_at", "-pk"), _item_out)


@router.get("/registrations/{registration_id}", response=RegistrationOut, summary="入企检查登记详情",
            url_name="inspections_registration_detail")
def registrations_detail(request: HttpRequest, registration_id: int, response: HttpResponse) -> dict[str, Any]:
    """One registration with its departments, inspectors, items, warnings and alerts;
    ``ETag`` is its version (send it back in ``If-Match`` when finishing)."""
    inspection = _get(_user(request), registration_id)
    response["ETag"] = etag(inspection.version)
    return _detail_out(inspection)


@router.post("/registrations/{registration_id}/finish", response=RegistrationOut, summary="登记检查结果",
             url_name="inspections_registration_finish")
def registrations_finish(
    request: HttpRequest, registration_id: int, payload: FinishIn, response: HttpResponse
) -> dict[str, Any]:
    """Record the end and the result, with ``If-Match: "<version>"`` (428 without, 412 when
    someone finished it first). An inspector of a participating department only (403)."""
    user = _user(request)
    inspection = _get(user, registration_id)
    version = if_match(
        request, missing=_("登记结果须带 If-Match 头（值为读取登记时返回的 ETag），以免覆盖他人的操作。")
    )
    inspection_finish(inspection, actor=user, outcome=payload.outcome, result=payload.result,
                      ended_at=payload.ended_at, expected_version=version)
    inspection = _get(user, registration_id)
    response["ETag"] = etag(inspection.version)
    return _detail_out(inspection)
