"""The steps outside the action table: 不予/不再受理, the notices and their 送达, revealing a
petitioner (audited), risk, follow-ups and 领导包案."""


import dataclasses
from datetime import date
from typing import Any, Literal

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.api import if_match
from yancheng.core.kit.exports import DOCX, download
from yancheng.core.kit.require import require
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from . import documents as docs
from . import intake, leaders, stabilise
from .api_common import STEP_IF_MATCH, PetitionDetailOut, answer_with_etag, caller, get_petition_api
from .models import FollowUp, PetitionDocument, Petitioner, RiskLevel
from .selectors_todos import follow_ups_for

router = Router()


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
    user = caller(request)
    petition = get_petition_api(user, petition_id)
    version = if_match(request, missing=STEP_IF_MATCH)
    intake.petition_not_accept(petition, actor=user, reason=payload.reason, channel_text=payload.channel_text,
                               expected_version=version)
    return answer_with_etag(user, petition, response)


@router.post("/petitions/{petition_id}/refuse-again", response=PetitionDetailOut, summary="不再受理（终结后再次反映）")
def petitions_refuse_again(request: HttpRequest, petition_id: int, payload: PetitionRefuseAgainIn,
                           response: HttpResponse) -> dict[str, Any]:
    """不再受理 (第三十六条第三款) of a matter registered again after 终结, with ``If-Match``;
    the 不再受理告知书 is in ``documents``."""
    user = caller(request)
    petition = get_petition_api(user, petition_id)
    version = if_match(request, missing=STEP_IF_MATCH)
    intake.petition_refuse_again(petition, actor=user, body=payload.body, expected_version=version)
    return answer_with_etag(user, petition, response)


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
    user = caller(request)
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
    user = caller(request)
    document = _document_of(user, petition_id, document_id)
    docs.document_serve(document, actor=user, served_on=payload.served_on, how=payload.how)
    return answer_with_etag(user, document.petition, response)


@router.post("/petitions/{petition_id}/petitioners/{petitioner_id}/reveal", response=PetitionPersonOut,
             summary="显示信访人完整信息（留痕）")
def petitions_petitioner_reveal(request: HttpRequest, petition_id: int, petitioner_id: int,
                                response: HttpResponse) -> dict[str, Any]:
    """One 信访人's name, ID number, phone and address in clear, for the 信访部门 (403 for
    others, audited); each reveal is kept in the audit trail by id, never the values."""
    user = caller(request)
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
    user = caller(request)
    petition = get_petition_api(user, petition_id)
    version = if_match(request, missing=STEP_IF_MATCH)
    stabilise.petition_set_risk(petition, actor=user, level=payload.level, note=payload.note,
                                expected_version=version)
    return answer_with_etag(user, petition, response)


@router.post("/petitions/{petition_id}/follow-ups", response={201: PetitionFollowUpCreatedOut},
             summary="安排稳控（回访、疏导、帮扶）")
def petitions_follow_up_plan(request: HttpRequest, petition_id: int, payload: PetitionFollowUpIn,
                             response: HttpResponse) -> Any:
    """安排稳控 {kind: visit|counsel|assist, org, due_on, plan} with ``If-Match``: once the
    matter is answered, and after 终结. Answers the matter (the task is in ``follow_ups``)
    and the new task's id."""
    user = caller(request)
    petition = get_petition_api(user, petition_id)
    version = if_match(request, missing=STEP_IF_MATCH)
    org = Organisation.objects.filter(pk=payload.org, is_active=True).first()
    if org is None:
        raise ValidationFailed(_("责任单位应为登记、办理或复查（复核）该事项的单位。"), field="org")
    follow_up = stabilise.follow_up_plan(petition, actor=user, kind=payload.kind, org=org, due_on=payload.due_on,
                                         plan=payload.plan, expected_version=version)
    return answer_with_etag(user, petition, response) | {"follow_up_id": follow_up.pk}


@router.post("/petitions/{petition_id}/follow-ups/{follow_up_id}/done", response=PetitionDetailOut,
             summary="记录稳控情况")
def petitions_follow_up_done(request: HttpRequest, petition_id: int, follow_up_id: int,
                             payload: PetitionFollowUpDoneIn, response: HttpResponse) -> dict[str, Any]:
    """记录回访情况 {result, risk_level} with ``If-Match`` (the matter's ETag): by the unit
    the task was given to or whoever may plan it; once (409 ``already_done``)."""
    user = caller(request)
    petition = get_petition_api(user, petition_id)
    _in_range(follow_up_id)
    follow_up = follow_ups_for(user).filter(pk=follow_up_id, petition=petition).first()
    if follow_up is None:
        raise Http404
    version = if_match(request, missing=STEP_IF_MATCH)
    stabilise.follow_up_done(follow_up, actor=user, result=payload.result, risk_level=payload.risk_level,
                             expected_version=version)
    return answer_with_etag(user, petition, response)


@router.post("/petitions/{petition_id}/take", response=PetitionDetailOut, summary="领导包案")
def petitions_take(request: HttpRequest, petition_id: int, payload: PetitionTakeIn,
                   response: HttpResponse) -> dict[str, Any]:
    """包案 {note} with ``If-Match``, by a leader who sees the matter; a matter taken by
    another leader is passed on by the 信访部门 (409 ``taken``)."""
    user = caller(request)
    petition = get_petition_api(user, petition_id)
    version = if_match(request, missing=STEP_IF_MATCH)
    leaders.petition_take_personally(petition, actor=user, note=payload.note, expected_version=version)
    return answer_with_etag(user, petition, response)
