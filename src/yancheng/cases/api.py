"""Case endpoints under /api/v1/cases (registered on the API by ``yancheng.api.main``).

The whole loop of SPEC §2.3: list (the inbox, with lights and both deadlines), create
(``case_submit``), detail (``ETag`` = version, tasks, extensions, the actions the caller
may take), timeline (internal notes for staff only) and one action endpoint per
transition. Reads go through ``Case.objects.visible_to`` (a case the caller may not see
answers 404); writes through the services, which check the permission again, lock the
row and refuse a stale version.

Actions change a case, so like a PATCH they need ``If-Match: "<version>"`` (428 without
it, 412 when stale). What each action reads and which service it calls is the action
table (``actions.py``) the case page uses too; If-Match, ETags, pagination and bodies are
the kit's (``core.kit.api``).
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match, json_body
from yancheng.core.models import Enterprise, Organisation, Role
from yancheng.core.typing import Actor
from yancheng.lib.deadlines import due_day

from . import services
from .actions import CASE_ACTIONS, offered_actions, unit
from .models import CLOCK_STATUSES, Case, CaseEvent, CaseKind, ExtensionRequest, Light, Status, Urgency
from .permissions import standing_of
from .selectors import InboxFilters, get_case_for, inbox, timeline
from .workflow import allowed_actions

router = Router(tags=["cases"])

# --- schemas -------------------------------------------------------------------------------------


class OrgRef(Schema):
    id: int
    name: str


DUE_AT_HELP = "期限的时刻：到期日 24:00（北京时间），即次日 00:00+08:00。显示和计算到期日请用对应的 *_day 字段。"
DUE_DAY_HELP = "到期日：期限在这一天 24:00 截止（工作日期限不会落在休息日）。"


class CaseItemOut(Schema):
    id: int
    number: str
    kind: str
    urgency: str
    title: str
    status: str
    status_display: str
    light: str
    enterprise: OrgRef | None
    dispatch_org: OrgRef
    lead_org: OrgRef | None
    accept_due_at: datetime | None = Field(description=DUE_AT_HELP)
    accept_due_day: date | None = Field(description=DUE_DAY_HELP)
    solve_due_at: datetime | None = Field(description=DUE_AT_HELP)
    solve_due_day: date | None = Field(description=DUE_DAY_HELP)
    deadlines_provisional: bool
    escalation_level: int
    created_at: datetime
    version: int


class TaskOut(Schema):
    id: int
    org: OrgRef
    instruction: str
    status: str
    due_at: datetime | None = Field(description=DUE_AT_HELP)
    due_day: date | None = Field(description=DUE_DAY_HELP)
    assigned_at: datetime
    done_at: datetime | None
    result: str


class ExtensionOut(Schema):
    id: int
    working_days: int
    reason: str
    status: str
    decided_at: datetime | None
    decision_note: str
    created_at: datetime


class CaseDetailOut(CaseItemOut):
    description: str
    subject: str
    region: str
    reporter: str | None
    reporter_org: OrgRef
    assigned_at: datetime | None
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    suspended_at: datetime | None
    suspended_reason: str
    resolution: str
    satisfaction: str
    rating_comment: str
    reopen_count: int
    escalated_to: OrgRef | None
    merged_into: int | None
    updated_at: datetime
    tasks: list[TaskOut]
    extensions: list[ExtensionOut]
    allowed_actions: list[str]


class EventOut(Schema):
    id: int
    at: datetime
    action: str
    from_status: str
    to_status: str
    actor: str | None
    actor_org: str | None
    note: str
    internal: bool


class CaseFilters(Schema):
    light: Light | None = None
    kind: CaseKind | None = None
    status: Status | None = None
    region: str | None = Field(None, max_length=12, description="区划代码")
    unit: int | None = Field(None, ge=1, le=2**31 - 1, description="承办单位（主办或协办）id")
    overdue: bool | None = Field(None, description="只看逾期（红灯）")
    mine: bool | None = Field(None, description="只看与我（本单位）相关的")
    escalation: int | None = Field(None, ge=0, le=3, description="升级级别不低于")
    q: str | None = Field(None, max_length=64, description="编号、标题或企业名称包含")
    scope: Literal["open", "done", "all"] | None = Field(
        None, description="open（默认：办理中和待评价）、done（已结束）或 all；给出 status 时为 all"
    )


class CaseCreateIn(Schema):
    """A new case. Enterprise users report for their own enterprise; staff may name the
    enterprise and the receiving unit. Unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=10_000)
    kind: CaseKind = CaseKind.PROJECT_PROBLEM
    urgency: Urgency = Urgency.NORMAL
    subject: str = Field("", max_length=200, description="所涉项目/事项")
    enterprise: int | None = Field(None, ge=1, le=2**31 - 1, description="企业 id（工作人员代报时）")
    dispatch_org: int | None = Field(None, ge=1, le=2**31 - 1, description="受理单位 id（工作人员代报时）")


Action = Literal[
    "withdraw", "assign", "accept", "return", "reassign", "insist", "request_extension", "decide_extension",
    "suspend", "resume", "complete_task", "resolve", "rate", "urge", "merge", "revisit", "note",
]


# --- helpers -------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _org_ref(org: Organisation | None) -> dict[str, Any] | None:
    return {"id": org.pk, "name": org.name} if org is not None else None


def _enterprise_ref(enterprise: Enterprise | None) -> dict[str, Any] | None:
    return {"id": enterprise.pk, "name": enterprise.name} if enterprise is not None else None


def _item_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "kind": case.kind,
        "urgency": case.urgency,
        "title": case.title,
        "status": case.status,
        "status_display": str(case.get_status_display()),
        "light": getattr(case, "light", Light.NONE.value),
        "enterprise": _enterprise_ref(case.enterprise),
        "dispatch_org": _org_ref(case.dispatch_org),
        "lead_org": _org_ref(case.lead_org),
        "accept_due_at": case.accept_due_at,
        "accept_due_day": due_day(case.accept_due_at),
        "solve_due_at": case.solve_due_at,
        "solve_due_day": due_day(case.solve_due_at),
        "deadlines_provisional": case.deadlines_provisional,
        "escalation_level": case.escalation_level,
        "created_at": case.created_at,
        "version": case.version,
    }


def _detail_out(user: Actor, case: Case, *, new: bool = False) -> dict[str, Any]:
    """The detail answer. ``new``: the case was created by this request and is still in
    hand — no sub-tasks and no extension requests yet, nothing to read."""
    # Supervisors see ratings, never who gave them (SPEC §1).
    show_reporter = user.role != Role.SUPERVISOR and case.reporter is not None
    tasks = [] if new else [
        {
            "id": t.pk,
            "org": _org_ref(t.org),
            "instruction": t.instruction,
            "status": t.status,
            "due_at": t.due_at,
            "due_day": due_day(t.due_at),
            "assigned_at": t.assigned_at,
            "done_at": t.done_at,
            "result": t.result,
        }
        for t in case.tasks.select_related("org").order_by("assigned_at", "pk")
    ]
    extensions = [] if new else [
        {
            "id": e.pk,
            "working_days": e.working_days,
            "reason": e.reason,
            "status": e.status,
            "decided_at": e.decided_at,
            "decision_note": e.decision_note,
            "created_at": e.created_at,
        }
        for e in ExtensionRequest.objects.filter(case=case).order_by("created_at", "pk")
    ]
    return _item_out(case) | {
        "description": case.description,
        "subject": case.subject,
        "region": case.region.code,
        "reporter": case.reporter.display_name if show_reporter and case.reporter else None,
        "reporter_org": _org_ref(case.reporter_org),
        "assigned_at": case.assigned_at,
        "accepted_at": case.accepted_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "suspended_at": case.suspended_at,
        "suspended_reason": case.suspended_reason,
        "resolution": case.resolution,
        "satisfaction": case.satisfaction,
        "rating_comment": case.rating_comment,
        "reopen_count": case.reopen_count,
        "escalated_to": _org_ref(case.escalated_to),
        "merged_into": case.merged_into_id,
        "updated_at": case.updated_at,
        "tasks": tasks,
        "extensions": extensions,
        "allowed_actions": offered_actions(case, allowed_actions(case, standing_of(user, case))),
    }


def _event_out(event: CaseEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": event.at,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": event.actor.display_name if event.actor else None,
        "actor_org": event.actor_org.name if event.actor_org else None,
        "note": event.note,
        "internal": event.internal,
    }


def _sees_new_case(user: Actor, case: Case) -> bool:
    """Whether ``user`` may see the case they just submitted. An enterprise user sees the
    cases its organisation reported (``cases_visible_to``), which a case submitted for it
    is by construction: no query. Staff who register a case for an enterprise may not see
    it (it goes to the receiving unit): asked."""
    if user.role == Role.ENTERPRISE and case.reporter_org_id == user.organisation_id:
        return True
    return Case.objects.visible_to(user).filter(pk=case.pk).exists()


def _fresh(user: Actor, pk: int) -> Case:
    if not 0 < pk < 2**31:
        raise Http404
    return get_case_for(user, pk)


def _actions_openapi() -> dict[str, Any]:
    schemas = []
    for name, action in CASE_ACTIONS.items():
        schema = action.body.model_json_schema()
        schema["title"] = name
        schemas.append(schema)
    return {
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": {"oneOf": schemas}}},
        }
    }


# --- endpoints -----------------------------------------------------------------------------------


@router.get("/cases", response=list[CaseItemOut], summary="事项列表（收件箱）")
@paginate(Pagination)
def cases_list(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    """The cases the caller may see, most urgent first (red, yellow, green, then the
    nearest deadline). Open and awaiting-rating cases unless ``scope`` or ``status`` say
    otherwise."""
    user = _user(request)
    if not user.has_perm("cases.view_inbox"):
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    scope = filters.scope or ""
    if filters.status and not filters.scope:
        scope = "all"
    selected = InboxFilters(
        light=filters.light or "",
        kind=filters.kind or "",
        status=filters.status or "",
        region=filters.region or "",
        unit=str(filters.unit or ""),
        overdue="1" if filters.overdue else "",
        mine="1" if filters.mine else "",
        escalation="" if filters.escalation is None else str(filters.escalation),
        q=(filters.q or "").strip(),
        scope="" if scope == "open" else scope,
    )
    return MappedQuerySet(inbox(user, selected), _item_out)


@router.post("/cases", response={201: CaseDetailOut}, summary="提交事项")
def cases_create(request: HttpRequest, payload: CaseCreateIn, response: HttpResponse) -> Any:
    """Report a problem (``case_submit``): it lands in the receiving unit's inbox as 待受理.
    Send an ``Idempotency-Key`` so a retry cannot report it twice."""
    user = _user(request)
    enterprise = None
    if payload.enterprise is not None:
        enterprise = (
            Enterprise.objects.visible_to(user).select_related("organisation", "park", "region")
            .filter(pk=payload.enterprise).first()
        )
        if enterprise is None:
            raise ValidationFailed(_("企业不存在或您无权查看。"), field="enterprise")
    dispatch_org = None
    if payload.dispatch_org is not None and user.role != Role.ENTERPRISE:
        dispatch_org = unit(payload.dispatch_org, "dispatch_org")
    case = services.case_submit(
        actor=user, title=payload.title, description=payload.description, kind=payload.kind,
        urgency=payload.urgency, subject=payload.subject, enterprise=enterprise, dispatch_org=dispatch_org,
    )
    # Answer from the case in hand (the service made every field and holds the related
    # rows) rather than reading it back; only whether the caller may see it is asked.
    if not _sees_new_case(user, case):
        raise Http404
    if case.status == Status.SUBMITTED and case.status not in CLOCK_STATUSES:
        case.light = Light.WAITING.value  # type: ignore[attr-defined]  # as selectors.annotate_lights says for 待受理
        new = True
    else:  # pragma: no cover - case_submit makes only 待受理 cases
        case, new = _fresh(user, case.pk), False
    response["ETag"] = etag(case.version)
    response["Location"] = f"{request.path.rstrip('/')}/{case.pk}"
    return _detail_out(user, case, new=new)


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="事项详情")
def cases_detail(request: HttpRequest, case_id: int, response: HttpResponse) -> dict[str, Any]:
    """One case with its sub-tasks, extension requests and the actions the caller may
    take now; ``ETag`` is its version (send it back in ``If-Match`` on actions)."""
    user = _user(request)
    case = _fresh(user, case_id)
    response["ETag"] = etag(case.version)
    return _detail_out(user, case)


@router.get("/cases/{case_id}/timeline", response=list[EventOut], summary="办理记录")
def cases_timeline(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    """Who did what, when, from which state, why. Internal notes only for staff."""
    user = _user(request)
    case = _fresh(user, case_id)
    events = timeline(case, include_internal=user.role != Role.ENTERPRISE)
    return [_event_out(e) for e in events]


@router.post(
    "/cases/{case_id}/actions/{action}", response=CaseDetailOut, summary="办理操作",
    openapi_extra=_actions_openapi(),
)
def cases_action(request: HttpRequest, case_id: int, action: Action, response: HttpResponse) -> dict[str, Any]:
    """One step of the workflow, with ``If-Match: "<version>"`` (428 without it, 412 when
    the case changed since). Bodies (unknown fields → 422):

    * ``assign`` {lead_org, co_orgs[], co_instruction, urgency, accept_days, solve_days, note}
    * ``accept`` {note} · ``return`` {reason} · ``reassign`` {lead_org, solve_days, note} · ``insist`` {note}
    * ``request_extension`` {working_days, reason} · ``decide_extension`` {approve, note (required to refuse)}
    * ``suspend`` {reason} · ``resume`` {note} · ``complete_task`` {result} · ``resolve`` {resolution}
    * ``rate`` {satisfaction: satisfied|basically|dissatisfied, comment} · ``revisit`` {solved, note}
    * ``withdraw`` {reason} · ``urge`` {note} · ``merge`` {into, note} · ``note`` {note, internal}

    A step the case's status does not allow (someone else acted first) → 409
    ``invalid_transition``; a role that may not take it → 403. Answers the case."""
    user = _user(request)
    case = _fresh(user, case_id)
    version = if_match(
        request, missing=_("办理操作须带 If-Match 头（值为读取事项时返回的 ETag），以免覆盖他人的操作。")
    )
    step = CASE_ACTIONS[action]
    body = json_body(request, step.body)
    step.perform(case, user, step.from_body(user, body), version)
    try:
        case = _fresh(user, case_id)
    except Http404:  # the step took the case out of the caller's sight: answer what it was
        case.refresh_from_db()
    response["ETag"] = etag(case.version)
    return _detail_out(user, case)
