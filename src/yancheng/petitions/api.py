"""Petition endpoints under /api/v1/petitions (registered on the API by ``yancheng.api.main``).
The loop of SPEC §8 for 信访局 systems and the organs' own: list and detail (through
``Petition.objects.visible_to``: a matter the caller may not see answers 404, a 检举控告 is
never answered to the organ complained about), registration (the 查询码 is in the answer
once, never again), classification, and one action endpoint per step of the matter page's
action table. Petitioners are masked; revealing is its own audited POST.

Creating writes take an ``Idempotency-Key`` (installed for every POST by the API's guards);
steps that change a matter take ``If-Match: "<version>"`` (428 without, 412 when stale).
"""


import dataclasses
import json
from datetime import date, datetime
from typing import Any, Literal

import rules
from django import forms
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match
from yancheng.core.kit.exports import DOCX, download
from yancheng.core.kit.require import require
from yancheng.core.models import Organisation, Region
from yancheng.core.typing import Actor
from yancheng.lib.deadlines import due_day

from . import documents as docs
from . import intake, leaders, stabilise
from .actions import PETITION_ACTIONS, PetitionAction, offered
from .models import FollowUp, Petition, PetitionDocument, Petitioner, RiskLevel, Topic
from .selectors_todos import follow_ups_for

router = Router(tags=["petitions"])


class PetitionOrgRef(Schema):
    id: int
    name: str


class PetitionerOut(Schema):
    id: int
    name: str = Field(description="姓名（脱敏）")
    id_number: str = Field(description="身份证号（脱敏）")
    phone: str = Field(description="联系电话（脱敏）")
    is_representative: bool


class PetitionItemOut(Schema):
    id: int
    number: str
    channel: str
    petition_type: str
    claim_route: str
    stage: str
    stage_display: str
    title: str
    topic: str
    region: str
    handling_org: PetitionOrgRef | None
    received_on: date
    registered_at: datetime
    transfer_due_day: date | None
    is_group: bool
    head_count: int
    is_urgent: bool
    duplicate_of: int | None
    earlier: int | None
    after_final: bool
    version: int


class PetitionDocumentOut(Schema):
    id: int
    kind: str
    kind_display: str
    number: str
    issuer: PetitionOrgRef
    created_at: datetime
    served_at: datetime | None
    served_how: str


class PetitionEventOut(Schema):
    at: datetime
    action: str
    actor_org: str | None
    note: str
    public: bool


class PetitionFollowUpOut(Schema):
    id: int
    kind: str
    org: PetitionOrgRef
    due_on: date
    plan: str
    done_at: datetime | None
    result: str
    risk_level: str


class PetitionDetailOut(PetitionItemOut):
    request: str
    facts: str
    respondent_org: PetitionOrgRef | None
    respondent_person: str
    registering_org: PetitionOrgRef
    transferred_at: datetime | None
    accepted_at: datetime | None
    outcome: str
    answered_at: datetime | None
    ended_at: datetime | None
    end_reason: str
    risk_level: str
    case: int | None
    petitioners: list[PetitionerOut]
    documents: list[PetitionDocumentOut]
    events: list[PetitionEventOut]
    follow_ups: list[PetitionFollowUpOut]
    allowed_actions: list[str] = Field(description="调用者此刻可执行的办理操作（POST /petitions/{id}/actions/{action}）")


class RegisteredOut(PetitionDetailOut):
    query_code: str = Field(description="查询码：只在登记的答复中给出一次，请转告信访人（系统同时短信发送）")


class PetitionPetitionerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_representative: bool = False


class PetitionRegisterIn(Schema):
    model_config = ConfigDict(extra="forbid")
    channel: str
    received_on: date
    region: str = Field(description="问题属地的区划代码，如 430407")
    topic: str = Field(description="问题类别编码")
    title: str
    request: str
    facts: str = ""
    petitioners: list[PetitionPetitionerIn] = []
    respondent_org: int | None = None
    respondent_person: str = ""
    is_group: bool = False
    head_count: int | None = Field(None, ge=1, le=100_000)
    is_urgent: bool = False
    petition_type: str = ""
    claim_route: str = ""


class PetitionClassifyIn(Schema):
    model_config = ConfigDict(extra="forbid")
    petition_type: str
    claim_route: str = ""


class PetitionFilters(Schema):
    stage: str | None = None
    petition_type: str | None = None
    channel: str | None = None
    q: str | None = Field(None, max_length=100)


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _ref(org: Organisation | None) -> dict[str, Any] | None:
    return {"id": org.pk, "name": org.name} if org is not None else None


def _item_out(p: Petition) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "channel": p.channel,
        "petition_type": p.petition_type,
        "claim_route": p.claim_route,
        "stage": p.stage,
        "stage_display": str(p.get_stage_display()),
        "title": p.title,
        "topic": p.topic.code,
        "region": p.region.code,
        "handling_org": _ref(p.handling_org),
        "received_on": p.received_on,
        "registered_at": p.registered_at,
        "transfer_due_day": due_day(p.transfer_due_at),
        "is_group": p.is_group,
        "head_count": p.head_count,
        "is_urgent": p.is_urgent,
        "duplicate_of": p.duplicate_of_id,
        "earlier": p.earlier_id,
        "after_final": p.after_final,
        "version": p.version,
    }


def _detail_out(p: Petition, user: Actor) -> dict[str, Any]:
    return _item_out(p) | {
        "request": p.request,
        "facts": p.facts,
        "respondent_org": _ref(p.respondent_org),
        "respondent_person": p.respondent_person,
        "registering_org": _ref(p.registering_org),
        "transferred_at": p.transferred_at,
        "accepted_at": p.accepted_at,
        "outcome": p.outcome,
        "answered_at": p.answered_at,
        "ended_at": p.ended_at,
        "end_reason": p.end_reason,
        "risk_level": p.risk_level,
        "case": p.case_id,
        "petitioners": [
            {"id": x.pk, "name": str(x.name), "id_number": str(x.id_number), "phone": str(x.phone),
             "is_representative": x.is_representative}
            for x in p.petitioners.all()
        ],
        "documents": [
            {"id": d.pk, "kind": d.kind, "kind_display": str(d.get_kind_display()), "number": d.number,
             "issuer": _ref(d.issuer), "created_at": d.created_at, "served_at": d.served_at,
             "served_how": d.served_how}
            for d in p.documents.select_related("issuer")
        ],
        "events": [
            {"at": e.at, "action": e.action, "actor_org": e.actor_org.name if e.actor_org else None,
             "note": e.note, "public": e.public}
            for e in p.events.select_related("actor_org")
        ],
        "follow_ups": [
            {"id": x.pk, "kind": x.kind, "org": _ref(x.org), "due_on": x.due_on, "plan": x.plan, "done_at": x.done_at,
             "result": x.result, "risk_level": x.risk_level}
            for x in p.follow_ups.select_related("org")
        ],
        "allowed_actions": [a.name for a in offered(user, p)],
    }


def _visible(user: Actor) -> QuerySet[Petition]:
    return Petition.objects.visible_to(user).select_related(
        "topic", "region", "handling_org", "respondent_org", "registering_org"
    )


def get_petition_api(user: Actor, pk: int) -> Petition:
    if not 0 < pk < 2**31:
        raise Http404
    petition = _visible(user).filter(pk=pk).first()
    if petition is None:
        raise Http404
    return petition


@router.get("/petitions", response=list[PetitionItemOut], summary="信访事项列表")
@paginate(Pagination)
def petitions_list(request: HttpRequest, filters: Query[PetitionFilters]) -> Any:
    """The matters the caller may see, newest first (the same rule as the pages)."""
    qs = _visible(_user(request))
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.petition_type:
        qs = qs.filter(petition_type=filters.petition_type)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.q:
        qs = qs.filter(Q(number__icontains=filters.q.strip()) | Q(title__icontains=filters.q.strip()))
    return MappedQuerySet(qs, _item_out)


@router.post("/petitions", response={201: RegisteredOut}, summary="登记信访事项")
def petitions_register(request: HttpRequest, payload: PetitionRegisterIn, response: HttpResponse) -> Any:
    """登记 (信访部门): one record per matter whatever the channel. The answer carries the
    查询码 once; send an ``Idempotency-Key`` so a retry cannot register the matter twice."""
    user = _user(request)
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise ValidationFailed(_("未知的区划代码。"), field="region")
    topic = Topic.objects.filter(code=payload.topic).first()
    if topic is None:
        raise ValidationFailed(_("未知的问题类别。"), field="topic")
    respondent = None
    if payload.respondent_org is not None:
        respondent = Organisation.objects.filter(pk=payload.respondent_org, is_active=True).first()
        if respondent is None:
            raise ValidationFailed(_("被反映单位不存在。"), field="respondent_org")
    registered = intake.petition_register(
        actor=user, channel=payload.channel, received_on=payload.received_on, region=region, topic=topic,
        title=payload.title, request=payload.request, facts=payload.facts,
        petitioners=[intake.PetitionerInput(**p.dict()) for p in payload.petitioners],
        respondent_org=respondent, respondent_person=payload.respondent_person, is_group=payload.is_group,
        head_count=payload.head_count, is_urgent=payload.is_urgent, petition_type=payload.petition_type,
        claim_route=payload.claim_route,
    )
    petition = get_petition_api(user, registered.petition.pk)
    response["ETag"] = etag(petition.version)
    response["Location"] = f"{request.path.rstrip('/')}/{petition.pk}"
    return _detail_out(petition, user) | {"query_code": registered.query_code}


@router.get("/petitions/{petition_id}", response=PetitionDetailOut, summary="信访事项详情")
def petitions_detail(request: HttpRequest, petition_id: int, response: HttpResponse) -> dict[str, Any]:
    """One matter with its (masked) petitioners, documents and timeline; ``ETag`` is its version."""
    user = _user(request)
    petition = get_petition_api(user, petition_id)
    response["ETag"] = etag(petition.version)
    return _detail_out(petition, user)


@router.post("/petitions/{petition_id}/classify", response=PetitionDetailOut, summary="分类")
def petitions_classify(request: HttpRequest, petition_id: int, payload: PetitionClassifyIn,
                       response: HttpResponse) -> dict[str, Any]:
    """分类 with ``If-Match``: the type, and the route of a 申诉求决 matter (第三十一条)."""
    user = _user(request)
    petition = get_petition_api(user, petition_id)
    version = if_match(request, missing=_("此操作须带 If-Match 头（值为读取信访事项时返回的 ETag）。"))
    intake.petition_classify(petition, actor=user, petition_type=payload.petition_type,
                             claim_route=payload.claim_route, expected_version=version)
    petition = get_petition_api(user, petition_id)
    response["ETag"] = etag(petition.version)
    return _detail_out(petition, user)


# --- the handling steps of the matter page's action table ------------------------------------------

STEP_IF_MATCH = _lazy("办理操作须带 If-Match 头（值为读取信访事项时返回的 ETag），以免覆盖他人的操作。")

PetitionActionName = Literal[
    "transfer", "accept", "refuse", "object", "decide_objection", "request_extension", "decide_extension",
    "hearing_start", "hearing_end", "answer", "report", "request_review", "decide_review",
    "review_request_extension", "review_decide_extension", "review_hearing_start", "review_hearing_end",
]


def _choice_values(field: forms.ChoiceField) -> list[str]:
    choices: Any = field.choices
    return [str(value) for value, _label in choices if str(value)]


def _yes_no(field: forms.Field) -> bool:
    return isinstance(field, forms.TypedChoiceField) and set(_choice_values(field)) == {"1", "0"}


def _field_schema(field: forms.Field) -> dict[str, Any]:
    """The JSON shape a form field reads: organs by id, yes/no choices as booleans, dates
    as YYYY-MM-DD."""
    schema: dict[str, Any]
    if isinstance(field, forms.ModelChoiceField):
        schema = {"type": "integer", "minimum": 1, "description": "机关（单位）id"}
    elif _yes_no(field):
        schema = {"type": "boolean"}
    elif isinstance(field, forms.ChoiceField):
        schema = {"type": "string", "enum": _choice_values(field)}
    elif isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"}
    else:
        schema = {"type": "string"}
        if isinstance(field, forms.CharField) and field.max_length is not None:
            schema["maxLength"] = field.max_length
    schema["title"] = str(field.label or "")
    return schema


def _body_fields(action: PetitionAction) -> dict[str, forms.Field]:
    """The fields an action's JSON body may hold: its form's, less the version (If-Match)."""
    return {name: field for name, field in action.form.base_fields.items() if name != "version"}


def action_body_schema(action: PetitionAction) -> dict[str, Any]:
    fields = _body_fields(action)
    return {
        "title": action.name,
        "description": str(action.heading),
        "type": "object",
        "properties": {name: _field_schema(field) for name, field in fields.items()},
        "required": [name for name, field in fields.items() if field.required],
        "additionalProperties": False,
    }


def _actions_openapi() -> dict[str, Any]:
    return {
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": {"oneOf": [
                action_body_schema(a) for a in PETITION_ACTIONS.values()
            ]}}},
        }
    }


def _invalid(errors: list[tuple[str, str]]) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ("body", "payload", name), "type": "form", "msg": msg} for name, msg in errors])


def _json_object(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise NinjaValidationError([{"loc": ("body",), "type": "json_invalid", "msg": "invalid JSON"}]) from exc
    if not isinstance(data, dict):
        raise NinjaValidationError([{"loc": ("body",), "type": "dict_type", "msg": "object expected"}])
    return data


def form_data(action: PetitionAction, body: dict[str, Any]) -> dict[str, str]:
    """The JSON body as the form data the page would post (no prefix): true/false as the
    forms' "1"/"0", numbers as text. An unknown field (``version`` included: it travels
    in If-Match) or a list or object → 422."""
    fields = _body_fields(action)
    errors: list[tuple[str, str]] = []
    data: dict[str, str] = {}
    for name, value in body.items():
        if name not in fields:
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
        raise _invalid(errors)
    return data


def _answer(user: Actor, petition: Petition, response: HttpResponse) -> dict[str, Any]:
    """The matter as it is now, with its new ETag. A step that took it out of the caller's
    sight answers what the caller's copy knows."""
    try:
        fresh = get_petition_api(user, petition.pk)
    except Http404:
        petition.refresh_from_db()
        fresh = petition
    response["ETag"] = etag(fresh.version)
    return _detail_out(fresh, user)


def _check_version(petition: Petition, version: int) -> None:
    """Refuse a stale If-Match before anything else is looked at (412); the service checks
    it again under its lock."""
    if petition.version != version:
        raise ConflictError(_("该信访事项已被他人更新，请刷新后再操作。"), code="stale_version")


@router.post(
    "/petitions/{petition_id}/actions/{action}", response=PetitionDetailOut, summary="办理操作",
    openapi_extra=_actions_openapi(),
)
def petitions_action(request: HttpRequest, petition_id: int, action: PetitionActionName,
                     response: HttpResponse) -> dict[str, Any]:
    """One step of the matter page's action table, with ``If-Match: "<version>"`` (428
    without it, 412 when the matter changed since). The body is read by the page's own form
    (organs by id, yes/no as true/false; unknown fields → 422 with the field):

    * ``transfer`` (信访部门) {organ, mode: forward|assign, report_days (交办, 15–90), instruction}
    * ``accept`` {note} · ``refuse`` {reason} · ``object`` {reason} (办理机关, while 待受理)
    * ``decide_objection`` (信访部门) {uphold, organ (when upheld), note}
    * ``request_extension`` {days (1–30), reason} · ``decide_extension`` (本机关负责人) {approve, note}
    * ``hearing_start`` {reason} · ``hearing_end`` {note}
    * ``answer`` {outcome, facts, reasons, legal_basis (申诉求决 required), result_text}
    * ``report`` {summary} (交办事项的办结报告)
    * ``request_review`` (信访部门) {requested_on, organ (the superior organ), request}
    * ``decide_review`` (复查/复核机关) {outcome: support|explain|reject, facts, reasons, legal_basis}
    * ``review_request_extension`` (复查/复核机关) {days (1–30), reason} · ``review_decide_extension``
      (复查/复核机关负责人) {approve, note} · ``review_hearing_start`` {reason} · ``review_hearing_end`` {note}

    404 for a matter the caller may not see (a 检举控告 to the organ complained about); 403
    when the caller sees it but may not take the step; 409 ``invalid_stage`` when the step
    does not apply to the matter now; 422 with ``fields`` for what the form refuses. Answers
    the matter, with the steps the caller may take next in ``allowed_actions``."""
    user = _user(request)
    petition = get_petition_api(user, petition_id)
    step = PETITION_ACTIONS[action]
    if not rules.has_perm(step.perm, user, petition):
        require(user, step.perm, petition)  # the audited refusal (403)
    version = if_match(request, missing=STEP_IF_MATCH)
    _check_version(petition, version)
    if not step.offered_to(user, petition):
        raise ConflictError(
            _("该信访事项当前环节为“%(s)s”，不能执行此操作。") % {"s": petition.get_stage_display()}, code="invalid_stage"
        )
    form = step.form(data=form_data(step, _json_object(request)), user=user, petition=petition)
    if not form.is_valid():
        raise _invalid([(name, str(message)) for name, messages in form.errors.items() for message in messages])
    step.call(petition, user, form.cleaned_data, version)
    return _answer(user, petition, response)


# --- the steps outside the action table ------------------------------------------------------------


class PetitionNotAcceptIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(..., max_length=intake.REASON_MAX)
    channel_text: str = Field("", max_length=intake.REASON_MAX, description="告知的途径；留空按第三十一条的途径填写")


class PetitionRefuseAgainIn(Schema):
    model_config = ConfigDict(extra="forbid")
    body: str = Field("", max_length=intake.REASON_MAX, description="告知书正文；留空用第三十六条第三款的标准文字")


class PetitionServeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    served_on: date
    how: PetitionDocument.ServedBy


class PetitionRiskIn(Schema):
    model_config = ConfigDict(extra="forbid")
    level: RiskLevel
    note: str = Field("", max_length=stabilise.NOTE_MAX)


class PetitionFollowUpIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: FollowUp.Kind
    org: int = Field(..., ge=1, le=2**31 - 1, description="责任单位 id：登记、办理或复查（复核）该事项的单位")
    due_on: date
    plan: str = Field(..., max_length=stabilise.PLAN_MAX)


class PetitionFollowUpDoneIn(Schema):
    model_config = ConfigDict(extra="forbid")
    result: str = Field(..., max_length=stabilise.RESULT_MAX)
    risk_level: RiskLevel | Literal[""] = Field("", description="回访时评估的风险等级；留空不变")


class PetitionTakeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=stabilise.NOTE_MAX)


class PetitionFollowUpCreatedOut(PetitionDetailOut):
    follow_up_id: int = Field(description="新安排的稳控任务 id")


class PetitionPersonOut(Schema):
    name: str
    id_number: str
    phone: str
    address: str
    is_representative: bool


def _in_range(pk: int) -> None:
    if not 0 < pk < 2**31:
        raise Http404


@router.post("/petitions/{petition_id}/not-accept", response=PetitionDetailOut, summary="不予受理（第三十一条）")
def petitions_not_accept(request: HttpRequest, petition_id: int, payload: PetitionNotAcceptIn,
                         response: HttpResponse) -> dict[str, Any]:
    """不予受理 by the 信访部门 of a 申诉求决 matter that belongs to another legal channel
    (第三十一条（一）–（五）), with ``If-Match``; the 不予受理告知书 is in ``documents``."""
    user = _user(request)
    petition = get_petition_api(user, petition_id)
    version = if_match(request, missing=STEP_IF_MATCH)
    intake.petition_not_accept(petition, actor=user, reason=payload.reason, channel_text=payload.channel_text,
                               expected_version=version)
    return _answer(user, petition, response)


@router.post("/petitions/{petition_id}/refuse-again", response=PetitionDetailOut, summary="不再受理（终结后再次反映）")
def petitions_refuse_again(request: HttpRequest, petition_id: int, payload: PetitionRefuseAgainIn,
                           response: HttpResponse) -> dict[str, Any]:
    """不再受理 (第三十六条第三款) of a matter registered again after 终结, with ``If-Match``;
    the 不再受理告知书 is in ``documents``."""
    user = _user(request)
    petition = get_petition_api(user, petition_id)
    version = if_match(request, missing=STEP_IF_MATCH)
    intake.petition_refuse_again(petition, actor=user, body=payload.body, expected_version=version)
    return _answer(user, petition, response)


def _document_of(user: Actor, petition_id: int, document_id: int) -> PetitionDocument:
    petition = get_petition_api(user, petition_id)
    _in_range(document_id)
    document = petition.documents.select_related("issuer").filter(pk=document_id).first()
    if document is None:
        raise Http404
    document.petition = petition
    return document


@router.get(
    "/petitions/{petition_id}/documents/{document_id}", summary="下载文书（.docx，留痕）",
    openapi_extra={"responses": {200: {"description": "文书（.docx）", "content": {DOCX: {}}}}},
)
def petitions_document(request: HttpRequest, petition_id: int, document_id: int) -> HttpResponse:
    """The notice as .docx. It names the 信访人: only the 信访部门 and the handling or
    issuing organ's people may download it (403 otherwise, audited), and every download is
    kept in the audit trail, as on the page."""
    user = _user(request)
    document = _document_of(user, petition_id, document_id)
    require(user, "petitions.download_document", document)
    data = docs.render(document)
    audit_record("petition.document_download", document, actor=user,
                 after={"petition": document.petition_id, "kind": document.kind})
    answer = download(data, docs.filename(document), DOCX)
    answer["Cache-Control"] = "no-store"
    return answer


@router.post("/petitions/{petition_id}/documents/{document_id}/serve", response=PetitionDetailOut,
             summary="登记送达")
def petitions_document_serve(request: HttpRequest, petition_id: int, document_id: int, payload: PetitionServeIn,
                             response: HttpResponse) -> dict[str, Any]:
    """送达 {served_on, how}: once per notice (409 ``already_served``), not in the future nor
    before the notice was made. Serving a 意见书 starts the 30日 of 复查 (复核). No If-Match:
    a notice is served once, whoever comes first."""
    user = _user(request)
    document = _document_of(user, petition_id, document_id)
    docs.document_serve(document, actor=user, served_on=payload.served_on, how=payload.how)
    return _answer(user, document.petition, response)


@router.post("/petitions/{petition_id}/petitioners/{petitioner_id}/reveal", response=PetitionPersonOut,
             summary="显示信访人完整信息（留痕）")
def petitions_petitioner_reveal(request: HttpRequest, petition_id: int, petitioner_id: int,
                                response: HttpResponse) -> dict[str, Any]:
    """One 信访人's name, ID number, phone and address in clear, for the 信访部门 (403 for
    others, audited); each reveal is kept in the audit trail by id, never the values."""
    user = _user(request)
    petition = get_petition_api(user, petition_id)
    _in_range(petitioner_id)
    petitioner = Petitioner.objects.filter(petition=petition, pk=petitioner_id).select_related("petition").first()
    if petitioner is None:
        raise Http404
    with transaction.atomic():
        revealed = intake.petitioner_reveal(petitioner, actor=user)
    response["Cache-Control"] = "no-store"
    return dataclasses.asdict(revealed)


@router.post("/petitions/{petition_id}/risk", response=PetitionDetailOut, summary="风险评估")
def petitions_risk(request: HttpRequest, petition_id: int, payload: PetitionRiskIn,
                   response: HttpResponse) -> dict[str, Any]:
    """风险等级 {level: low|medium|high, note} with ``If-Match``; a 高 is reported to the
    信访部门 and the leader who took the matter."""
    user = _user(request)
    petition = get_petition_api(user, petition_id)
    version = if_match(request, missing=STEP_IF_MATCH)
    stabilise.petition_set_risk(petition, actor=user, level=payload.level, note=payload.note,
                                expected_version=version)
    return _answer(user, petition, response)


@router.post("/petitions/{petition_id}/follow-ups", response={201: PetitionFollowUpCreatedOut},
             summary="安排稳控（回访、疏导、帮扶）")
def petitions_follow_up_plan(request: HttpRequest, petition_id: int, payload: PetitionFollowUpIn,
                             response: HttpResponse) -> Any:
    """安排稳控 {kind: visit|counsel|assist, org, due_on, plan} with ``If-Match``: once the
    matter is answered, and after 终结. Answers the matter (the task is in ``follow_ups``)
    and the new task's id."""
    user = _user(request)
    petition = get_petition_api(user, petition_id)
    version = if_match(request, missing=STEP_IF_MATCH)
    org = Organisation.objects.filter(pk=payload.org, is_active=True).first()
    if org is None:
        raise ValidationFailed(_("责任单位应为登记、办理或复查（复核）该事项的单位。"), field="org")
    follow_up = stabilise.follow_up_plan(petition, actor=user, kind=payload.kind, org=org, due_on=payload.due_on,
                                         plan=payload.plan, expected_version=version)
    return _answer(user, petition, response) | {"follow_up_id": follow_up.pk}


@router.post("/petitions/{petition_id}/follow-ups/{follow_up_id}/done", response=PetitionDetailOut,
             summary="记录稳控情况")
def petitions_follow_up_done(request: HttpRequest, petition_id: int, follow_up_id: int,
                             payload: PetitionFollowUpDoneIn, response: HttpResponse) -> dict[str, Any]:
    """记录回访情况 {result, risk_level} with ``If-Match`` (the matter's ETag): by the unit
    the task was given to or whoever may plan it; once (409 ``already_done``)."""
    user = _user(request)
    petition = get_petition_api(user, petition_id)
    _in_range(follow_up_id)
    follow_up = follow_ups_for(user).filter(pk=follow_up_id, petition=petition).first()
    if follow_up is None:
        raise Http404
    version = if_match(request, missing=STEP_IF_MATCH)
    stabilise.follow_up_done(follow_up, actor=user, result=payload.result, risk_level=payload.risk_level,
                             expected_version=version)
    return _answer(user, petition, response)


@router.post("/petitions/{petition_id}/take", response=PetitionDetailOut, summary="领导包案")
def petitions_take(request: HttpRequest, petition_id: int, payload: PetitionTakeIn,
                   response: HttpResponse) -> dict[str, Any]:
    """包案 {note} with ``If-Match``, by a leader who sees the matter; a matter taken by
    another leader is passed on by the 信访部门 (409 ``taken``)."""
    user = _user(request)
    petition = get_petition_api(user, petition_id)
    version = if_match(request, missing=STEP_IF_MATCH)
    leaders.petition_take_personally(petition, actor=user, note=payload.note, expected_version=version)
    return _answer(user, petition, response)
