"""API of the department side of 企业赋码保护 (mounted under /api/v1/inspections/ by `api.py`):
the published item lists (the public list of every department), the caller's department's
plans and their entries, joint proposals and their answers, and — for enterprise users —
the announced inspections with their preferred slots.

Reads go through `planning`'s visibility helpers (another department's plan or proposal
answers 404); writes through the services in `planning`, which check the permission again
and audit. Pagination is the kit's (``core.kit.api``)."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination
from yancheng.core.models import Enterprise

from .models import (
    InspectionItem,
    InspectionPlan,
    JointAcceptance,
    JointProposal,
    PlanEntry,
    TimeSlotPreference,
)
from .permissions import department_of
from .planning import access as plan_access
from .planning import common as plan_limits
from .planning import joint as joint_services
from .planning import plans as plan_services
from .planning import slots as slot_services

router = Router(tags=["inspections"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _staff(request: HttpRequest) -> Any:
    user = _user(request)
    if department_of(user) is None:
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    return user


# --- schemas --------------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    department: int
    department_name: str
    code: str
    name: str
    legal_basis: str
    published_at: datetime | None


class ItemFilterIn(Schema):
    department: int | None = Field(None, ge=1, description="部门 id")


class SlotOut(Schema):
    id: int
    day: date
    period: str
    period_display: str


class EntryOut(Schema):
    id: int
    enterprise: int | None
    enterprise_name: str | None
    enterprise_uscc: str | None
    enterprise_class: str
    item: int
    item_code: str
    item_name: str
    legal_basis: str
    month: int
    window_start: date
    window_end: date
    announced: bool
    joint_proposal: int | None
    joint_status: str | None
    note: str
    slots: list[SlotOut]


class PlanOut(Schema):
    id: int
    department: int
    department_name: str
    year: int
    month: int | None
    status: str
    status_display: str
    filed_at: datetime | None
    due: date | None
    late: bool
    entry_count: int


class PlanDetailOut(PlanOut):
    entries: list[EntryOut]


class PlanCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(..., ge=2000, le=2100)
    month: int | None = Field(None, ge=1, le=12, description="年度计划不填")


class EntryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    item: int = Field(..., ge=1, description="本部门已公布事项的 id")
    enterprise: int | None = Field(None, ge=1, description="企业 id")
    enterprise_uscc: str | None = Field(None, max_length=18, description="或企业的统一社会信用代码")
    enterprise_class: str = Field("", max_length=100, description="按类别抽查时填写")
    legal_basis: str = Field("", max_length=2000, description="留空使用事项公布的依据")
    month: int = Field(..., ge=1, le=12)
    window_start: date | None = None
    window_end: date | None = None
    announced: bool = True
    note: str = Field("", max_length=200)


class ProposalEntryOut(Schema):
    id: int
    department: int
    department_name: str
    item_name: str
    window_start: date
    window_end: date


class AnswerOut(Schema):
    department: int
    department_name: str
    decision: str
    reason: str
    decided_at: datetime


class ProposalOut(Schema):
    id: int
    enterprise: int
    enterprise_name: str
    window_start: date
    window_end: date
    status: str
    status_display: str
    lead_department: int | None
    waiting_for_us: bool
    entries: list[ProposalEntryOut]
    answers: list[AnswerOut]


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accepted", "declined"]
    reason: str = Field("", max_length=200, description="不同意时必填")


class AnnouncementOut(Schema):
    id: int
    department_name: str
    item_name: str
    legal_basis: str
    window_start: date
    window_end: date
    joint: bool
    slots: list[SlotOut]


class SlotIn(Schema):
    model_config = ConfigDict(extra="forbid")

    day: date
    period: Literal["am", "pm"]


# --- mapping --------------------------------------------------------------------------------------


def _item_out(i: InspectionItem) -> dict[str, Any]:
    return {"id": i.pk, "department": i.department_id, "department_name": i.department.name, "code": i.code,
            "name": i.name, "legal_basis": i.legal_basis, "published_at": i.published_at}


def _slot_out(s: TimeSlotPreference) -> dict[str, Any]:
    return {"id": s.pk, "day": s.day, "period": s.period, "period_display": str(s.get_period_display())}


def _entry_out(e: PlanEntry) -> dict[str, Any]:
    return {
        "id": e.pk, "enterprise": e.enterprise_id, "enterprise_name": e.enterprise.name if e.enterprise else None,
        "enterprise_uscc": e.enterprise.uscc if e.enterprise else None, "enterprise_class": e.enterprise_class,
        "item": e.item_id, "item_code": e.item.code, "item_name": e.item.name, "legal_basis": e.legal_basis,
        "month": e.month, "window_start": e.window_start, "window_end": e.window_end, "announced": e.announced,
        "joint_proposal": e.joint_proposal_id, "joint_status": e.joint_proposal.status if e.joint_proposal else None,
        "note": e.note, "slots": [_slot_out(s) for s in e.slots.all()],
    }


def _plan_out(p: InspectionPlan, *, entries: bool = False) -> dict[str, Any]:
    rows = list(
        p.entries.select_related("item", "enterprise", "joint_proposal").prefetch_related("slots")
        .order_by("window_start", "pk")
    ) if entries else []
    out: dict[str, Any] = {
        "id": p.pk, "department": p.department_id, "department_name": p.department.name, "year": p.year,
        "month": p.month, "status": p.status, "status_display": str(p.get_status_display()), "filed_at": p.filed_at,
        "due": plan_limits.annual_plan_due(p.year) if p.month is None else None, "late": plan_limits.plan_is_late(p),
        "entry_count": len(rows) if entries else p.entries.count(),
    }
    if entries:
        out["entries"] = [_entry_out(e) for e in rows]
    return out


def _proposal_out(p: JointProposal, department_id: int) -> dict[str, Any]:
    entries = PlanEntry.objects.filter(joint_proposal=p).select_related("plan__department", "item").order_by("pk")
    answers = JointAcceptance.objects.filter(proposal=p).select_related("department").order_by("decided_at", "pk")
    answered = [a.department_id for a in answers]
    return {
        "id": p.pk, "enterprise": p.enterprise_id, "enterprise_name": p.enterprise.name,
        "window_start": p.window_start, "window_end": p.window_end, "status": p.status,
        "status_display": str(p.get_status_display()), "lead_department": p.lead_department_id,
        "waiting_for_us": p.status == JointProposal.Status.PROPOSED and department_id not in answered,
        "entries": [
            {"id": e.pk, "department": e.plan.department_id, "department_name": e.plan.department.name,
             "item_name": e.item.name, "window_start": e.window_start, "window_end": e.window_end}
            for e in entries
        ],
        "answers": [
            {"department": a.department_id, "department_name": a.department.name, "decision": a.decision,
             "reason": a.reason, "decided_at": a.decided_at}
            for a in answers
        ],
    }


def _announcement_out(e: PlanEntry) -> dict[str, Any]:
    return {
        "id": e.pk, "department_name": e.plan.department.name, "item_name": e.item.name,
        "legal_basis": e.legal_basis, "window_start": e.window_start, "window_end": e.window_end,
        "joint": bool(e.joint_proposal and e.joint_proposal.status == JointProposal.Status.ACCEPTED),
        "slots": [_slot_out(s) for s in e.slots.all()],
    }


# --- items ----------------------------------------------------------------------------------------


@router.get("/items", response=list[ItemOut], summary="已公布的检查事项清单", url_name="inspections_items")
@paginate(Pagination)
def items_list(request: HttpRequest, filters: Query[ItemFilterIn]) -> Any:
    """The published inspection items of every department (the public list; "未经公布的，
    不得实施"); filter by department."""
    qs = InspectionItem.objects.filter(published_at__isnull=False, withdrawn_at__isnull=True).select_related(
        "department"
    )
    if filters.department is not None:
        qs = qs.filter(department_id=filters.department)
    return MappedQuerySet(qs.order_by("department__name", "code"), _item_out)


# --- plans ----------------------------------------------------------------------------------------


@router.get("/plans", response=list[PlanOut], summary="本部门的检查计划", url_name="inspections_plans")
@paginate(Pagination)
def plans_list(request: HttpRequest) -> Any:
    user = _staff(request)
    qs = plan_access.plans_visible_to(user).select_related("department").order_by("-year", "month")
    return MappedQuerySet(qs, _plan_out)


@router.post("/plans", response={200: PlanDetailOut, 201: PlanDetailOut}, summary="编制（或打开）检查计划",
             url_name="inspections_plan_create")
def plans_create(request: HttpRequest, payload: PlanCreateIn, response: HttpResponse) -> Any:
    """The caller's department's annual plan (no month) or monthly plan, created as a draft
    when there is none (201), else the existing one (200)."""
    user = _staff(request)
    department = department_of(user)
    existed = InspectionPlan.objects.filter(department=department, year=payload.year, month=payload.month).exists()
    plan = plan_services.plan_get_or_create(department=department, year=payload.year, month=payload.month,  # type: ignore[arg-type]
                                       actor=user)
    plan = plan_access.get_plan_for(user, plan.pk)
    response["Location"] = f"{request.path.rstrip('/')}/{plan.pk}"
    return Status(200 if existed else 201, _plan_out(plan, entries=True))


@router.get("/plans/{plan_id}", response=PlanDetailOut, summary="检查计划详情", url_name="inspections_plan_detail")
def plans_detail(request: HttpRequest, plan_id: int) -> Any:
    user = _staff(request)
    return _plan_out(plan_access.get_plan_for(user, plan_id), entries=True)


@router.post("/plans/{plan_id}/entries", response={201: EntryOut}, summary="加入计划事项",
             url_name="inspections_plan_entries")
def plans_entry_add(request: HttpRequest, plan_id: int, payload: EntryIn) -> Any:
    """Add an entry: one of the department's published items, an enterprise (id or USCC)
    or a class, the month and an optional window inside it. A filed annual plan takes no
    more entries (409); a filed monthly plan takes them as amendments."""
    user = _staff(request)
    plan = plan_access.get_plan_for(user, plan_id, write=True)
    item = InspectionItem.objects.filter(pk=payload.item, department_id=plan.department_id).first()
    if item is None:
        raise ValidationFailed(_("只能列入本部门的检查事项。"), field="item")
    enterprise = None
    visible = Enterprise.objects.visible_to(user)
    if payload.enterprise is not None:
        enterprise = visible.filter(pk=payload.enterprise).first()
        if enterprise is None:
            raise ValidationFailed(_("企业不存在或您无权查看。"), field="enterprise")
    elif payload.enterprise_uscc:
        enterprise = visible.filter(uscc=payload.enterprise_uscc.strip().upper()).first()
        if enterprise is None:
            raise ValidationFailed(_("找不到该统一社会信用代码对应的企业。"), field="enterprise_uscc")
    entry = plan_services.plan_entry_add(
        plan, actor=user, item=item, enterprise=enterprise, enterprise_class=payload.enterprise_class,
        legal_basis=payload.legal_basis, month=payload.month, window_start=payload.window_start,
        window_end=payload.window_end, announced=payload.announced, note=payload.note,
    )
    entry = PlanEntry.objects.select_related("item", "enterprise", "joint_proposal").get(pk=entry.pk)
    return Status(201, _entry_out(entry))


@router.post("/plans/{plan_id}/file", response=PlanDetailOut, summary="报备检查计划", url_name="inspections_plan_file")
def plans_file(request: HttpRequest, plan_id: int) -> Any:
    """File a draft plan; joint matching runs at once. ``late`` says an annual plan was filed
    after the end of March."""
    user = _staff(request)
    plan = plan_access.get_plan_for(user, plan_id, write=True)
    plan_services.plan_file(plan, actor=user)
    return _plan_out(plan_access.get_plan_for(user, plan_id), entries=True)


# --- joint proposals ------------------------------------------------------------------------------


@router.get("/joint-proposals", response=list[ProposalOut], summary="本部门的联合检查建议",
            url_name="inspections_joint_proposals")
@paginate(Pagination)
def joint_list(request: HttpRequest) -> Any:
    user = _staff(request)
    department = department_of(user)
    assert department is not None
    qs = plan_access.proposals_visible_to(user).select_related("enterprise").order_by("-window_start", "-pk")
    return MappedQuerySet(qs, lambda p: _proposal_out(p, department.pk))


@router.post("/joint-proposals/{proposal_id}/answer", response=ProposalOut, summary="答复联合检查建议",
             url_name="inspections_joint_answer")
def joint_answer(request: HttpRequest, proposal_id: int, payload: AnswerIn) -> Any:
    """The caller's department agrees or declines (once; declining needs a reason)."""
    user = _staff(request)
    proposal = plan_access.get_proposal_for(user, proposal_id)
    answered = joint_services.joint_proposal_answer(proposal, actor=user, decision=payload.decision, reason=payload.reason)
    department = department_of(user)
    assert department is not None
    return _proposal_out(plan_access.get_proposal_for(user, answered.pk), department.pk)


# --- the enterprise's announcements -------------------------------------------------------------


def _enterprise(request: HttpRequest) -> Any:
    user = _user(request)
    if not user.has_perm("inspections.view_announcements"):
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    return user


@router.get("/announcements", response=list[AnnouncementOut], summary="检查预告（企业）",
            url_name="inspections_announcements")
@paginate(Pagination)
def announcements_list(request: HttpRequest) -> Any:
    user = _enterprise(request)
    return MappedQuerySet(plan_access.announcements_for(user).prefetch_related("slots"), _announcement_out)


@router.post("/announcements/{entry_id}/slots", response={201: SlotOut}, summary="预约检查时段（企业）",
             url_name="inspections_slot_pick")
def announcements_slot_pick(request: HttpRequest, entry_id: int, payload: SlotIn) -> Any:
    """Name a preferred half-day inside the window (a working day, not in the past; at most
    three per inspection)."""
    user = _enterprise(request)
    entry = plan_access.get_announced_entry_for(user, entry_id)
    slot = slot_services.slot_pick(entry, actor=user, day=payload.day, period=payload.period)
    return Status(201, _slot_out(slot))


@router.delete("/announcements/slots/{slot_id}", response={204: None}, summary="取消预约时段（企业）",
               url_name="inspections_slot_remove")
def announcements_slot_remove(request: HttpRequest, slot_id: int) -> Any:
    user = _enterprise(request)
    slot_services.slot_remove(plan_access.get_slot_for(user, slot_id), actor=user)
    return HttpResponse(status=204)
