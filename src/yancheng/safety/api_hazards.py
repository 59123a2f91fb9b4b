"""Hazards in the API (under /api/v1/safety): the list with the pages' filters and lights, a
hazard, the report (``Idempotency-Key``), the steps of the pages' action table
(``If-Match``), and the 督办 notice's .docx."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match
from yancheng.core.kit.exports import DOCX, download
from yancheng.core.kit.require import require
from yancheng.core.models import Enterprise, Region
from yancheng.core.typing import Actor
from yancheng.lib.deadlines import due_day

from . import documents
from .actions import HAZARD_ACTIONS, offered
from .models import Hazard, SafetySystem, SystemChecklistItem
from .selectors import HAZARD_FILTERS, hazard_filters
from .selectors_hazards import TODO_KEYS, hazard_list, todo_filter
from .services.hazards import hazard_report, missing_report_message

router = Router(tags=["safety"])
STEP_IF_MATCH = _lazy("办理操作须带 If-Match 头（值为读取隐患时返回的 ETag），以免覆盖他人的操作。")
HazardActionName = Literal["accept", "reject", "complete_report", "reclassify", "submit_evidence", "verify", "send_back"]


class OrgRef(Schema):
    id: int
    name: str


class HazardItemOut(Schema):
    id: int
    number: str
    title: str
    level: str
    stage: str
    stage_display: str
    source: str
    system: str
    enterprise: OrgRef | None
    region: str
    supervising_org: OrgRef
    light: str
    reported_at: dt.datetime
    rectify_by: dt.date | None
    supervised: bool
    repeat_of: str | None


class HazardDetailOut(HazardItemOut):
    description: str
    location: str
    responsible_person: str
    case_number: str | None
    notice_number: str
    supervising_level: OrgRef | None
    missing_report: str
    report: dict[str, Any]
    version: int
    allowed_actions: list[str]


class HazardReportIn(Schema):
    model_config = ConfigDict(extra="forbid")
    system: str = Field(..., max_length=32, description="责任制代码")
    level: str = Field(..., max_length=16)
    title: str = Field(..., max_length=120)
    description: str = Field(..., max_length=4000)
    enterprise: int | None = None
    region: str | None = Field(None, max_length=12, description="区划代码（无企业时）")
    item: str | None = Field(None, max_length=32, description="检查项代码")
    location: str = Field("", max_length=200)


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _item_out(h: Hazard) -> dict[str, Any]:
    return {
        "id": h.pk, "number": h.number, "title": h.title, "level": h.level, "stage": h.stage,
        "stage_display": str(h.get_stage_display()), "source": h.source, "system": h.system.code,
        "enterprise": _ref(h.enterprise), "region": h.region.code, "supervising_org": _ref(h.supervising_org),
        "light": getattr(h, "light", ""), "reported_at": h.reported_at,
        "rectify_by": due_day(h.case.solve_due_at) if h.case is not None else None,
        "supervised": h.supervised_at is not None, "repeat_of": h.repeat_of.number if h.repeat_of else None,
    }


def _detail_out(h: Hazard, user: Actor) -> dict[str, Any]:
    out = _item_out(h)
    out.update(
        description=h.description, location=h.location, responsible_person=h.responsible_person,
        case_number=h.case.number if h.case is not None else None, notice_number=h.notice_number,
        supervising_level=_ref(h.supervising_level), missing_report=missing_report_message(h),
        report={name: (str(getattr(h, name)) if getattr(h, name) is not None else None) for name in (
            "situation_cause", "harm_difficulty", "plan_measures", "plan_owner", "plan_funds", "plan_deadline",
            "plan_contingency")} if h.is_major else {},
        version=h.version, allowed_actions=[a.name for a in offered(user, h)],
    )
    return out


def _get(user: Actor, pk: int) -> Hazard:
    if not 0 < pk < 2**31:
        raise Http404
    hazard = hazard_list(user).filter(pk=pk).first()
    if hazard is None:
        raise Http404
    return hazard


@router.get("/hazards", response=list[HazardItemOut], summary="安全隐患列表")
@paginate(Pagination)
def hazards_list(request: HttpRequest) -> Any:
    """The hazards the caller may see, with the list page's query parameters (stage, level,
    system, region, enterprise, org, source, repeat, light, supervised, month, q, open, todo)."""
    user = _user(request)
    require(user, "safety.view_hazards")
    params = {k: request.GET.get(k, "") for k in (*HAZARD_FILTERS, "todo")}
    qs = hazard_filters(hazard_list(user), params)
    if params["todo"] in TODO_KEYS:
        qs = todo_filter(user, qs, params["todo"])
    return MappedQuerySet(qs, _item_out)


@router.get("/hazards/{hazard_id}", response=HazardDetailOut, summary="安全隐患详情")
def hazards_detail(request: HttpRequest, hazard_id: int, response: HttpResponse) -> dict[str, Any]:
    user = _user(request)
    require(user, "safety.view_hazards")
    hazard = _get(user, hazard_id)
    response["ETag"] = etag(hazard.version)
    return _detail_out(hazard, user)


@router.post("/hazards", response={201: HazardDetailOut}, summary="报告隐患")
def hazards_report(request: HttpRequest, payload: HazardReportIn, response: HttpResponse) -> Any:
    """报告 (safety staff, inspectors, enterprises); send an ``Idempotency-Key``."""
    user = _user(request)
    require(user, "safety.report_hazard")
    system = SafetySystem.objects.filter(code=payload.system).first()
    if system is None:
        raise ValidationFailed(_("未知的责任制。"), field="system")
    item = None
    if payload.item:
        item = SystemChecklistItem.objects.filter(system=system, code=payload.item).first()
        if item is None:
            raise ValidationFailed(_("检查项不属于所选责任制。"), field="item")
    enterprise = None
    if payload.enterprise is not None:
        enterprise = Enterprise.objects.visible_to(user).filter(pk=payload.enterprise).first()
        if enterprise is None:
            raise ValidationFailed(_("企业不存在或不可见。"), field="enterprise")
    region = Region.objects.filter(code=payload.region).first() if payload.region else None
    hazard = hazard_report(actor=user, system=system, level=payload.level, title=payload.title,
                           description=payload.description, enterprise=enterprise, region=region, item=item,
                           location=payload.location)
    fresh = _get(user, hazard.pk)
    response["ETag"] = etag(fresh.version)
    return Status(201, _detail_out(fresh, user))


def _form_data(body: Any, fields: dict[str, Any]) -> dict[str, str]:
    if not isinstance(body, dict):
        raise NinjaValidationError([{"loc": ("body",), "type": "dict_type", "msg": "object expected"}])
    errors, data = [], {}
    for name, value in body.items():
        if name not in fields or name == "version" or name == "attachments":
            errors.append((name, _("不允许的字段。")))
        elif isinstance(value, bool):
            data[name] = "1" if value else "0"
        elif value is None:
            data[name] = ""
        elif isinstance(value, str | int | float):
            data[name] = str(value)
        else:
            errors.append((name, _("应为字符串、数字或 true/false。")))
    if errors:
        raise NinjaValidationError([{"loc": ("body", "payload", n), "type": "form", "msg": m} for n, m in errors])
    return data


@router.post("/hazards/{hazard_id}/actions/{action}", response=HazardDetailOut, summary="隐患办理操作")
def hazards_action(request: HttpRequest, hazard_id: int, action: HazardActionName,
                   response: HttpResponse) -> dict[str, Any]:
    """One step of the hazard page's action table, with ``If-Match: "<version>"``:

    * ``accept`` {rectify_by, responsible_person, enforcement_measures} · ``reject`` {reason}
    * ``complete_report`` {situation_cause, harm_difficulty, plan_measures, plan_owner, plan_funds,
      plan_deadline, plan_contingency} · ``reclassify`` {level, reason}
    * ``submit_evidence`` {measures_taken} (photos: POST them afterwards to the submission,
      ``/api/v1/objects/safety.rectification/<id>/attachments``)
    * ``verify`` {note, inspection} · ``send_back`` {note, inspection}

    404 for a hazard the caller may not see; 403 when the caller may not take the step; 409
    ``invalid_stage``; 412 stale; 428 without If-Match; 422 with the fields the form refuses."""
    user = _user(request)
    require(user, "safety.view_hazards")
    hazard = _get(user, hazard_id)
    step = HAZARD_ACTIONS[action]
    version = if_match(request, missing=STEP_IF_MATCH)
    if hazard.version != version:
        raise ConflictError(_("该记录已被他人修改，请刷新后重试。"), code="stale_version")
    if step not in offered(user, hazard):
        from .services.hazards.base import check_step

        check_step(hazard, action, user)  # 403 or 409, as the service would answer
        raise PermissionDeniedError(_("您不能对该隐患执行此操作。"))
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise NinjaValidationError([{"loc": ("body",), "type": "json_invalid", "msg": "invalid JSON"}]) from exc
    form_class = step.form
    form = form_class(data=_form_data(body, dict(form_class.base_fields)), user=user, hazard=hazard)
    if not form.is_valid():
        raise NinjaValidationError([{"loc": ("body", "payload", n), "type": "form", "msg": str(m)}
                                    for n, ms in form.errors.items() for m in ms])
    step.call(hazard, user, form.cleaned_data, version)
    try:
        fresh = _get(user, hazard.pk)
    except Http404:
        fresh = hazard
    response["ETag"] = etag(fresh.version)
    return _detail_out(fresh, user)


@router.get(
    "/hazards/{hazard_id}/notice", summary="下载挂牌督办通知书（.docx，留痕）",
    openapi_extra={"responses": {200: {"description": "通知书（.docx）", "content": {DOCX: {}}}}},
)
def hazards_notice(request: HttpRequest, hazard_id: int) -> HttpResponse:
    user = _user(request)
    require(user, "safety.view_hazards")
    hazard = _get(user, hazard_id)
    if hazard.supervised_at is None:
        raise Http404
    audit_record("hazard.notice_download", hazard, actor=user, after={"notice": hazard.notice_number})
    answer = download(documents.supervision_notice(hazard), documents.notice_filename(hazard), DOCX)
    answer["Cache-Control"] = "no-store"
    return answer
