"""链长 meetings in the API (under /api/v1/chains): list, call (``Idempotency-Key``), read,
build the agenda, add a decision, close."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination
from yancheng.core.models import Organisation

from .api_common import api_user
from .models import ChainMeeting
from .selectors import get_chain_for
from .selectors_meetings import decision_cases, meetings_visible_to
from .services import meetings as svc

router = Router(tags=["chains"])


class ChainMeetingOut(Schema):
    id: int
    chain: str
    title: str
    held_on: dt.date
    chair: str | None
    organiser: str
    is_closed: bool


class ChainAgendaItemOut(Schema):
    id: int
    source: str
    ref_id: int | None
    title: str
    detail: str
    responsible: str


class ChainDecisionOut(Schema):
    id: int
    text: str
    lead_org: int
    due_working_days: int
    agenda_item: int | None
    case_id: int | None
    case_number: str | None
    case_light: str | None


class ChainMeetingDetailOut(ChainMeetingOut):
    minutes: str
    agenda: list[ChainAgendaItemOut]
    decisions: list[ChainDecisionOut]


class ChainMeetingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(..., max_length=128)
    held_on: dt.date


class ChainDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., max_length=2000)
    lead_org: int
    due_working_days: int = Field(10, ge=1, le=365)
    agenda_item: int | None = None


def _out(m: ChainMeeting) -> dict[str, Any]:
    return {"id": m.pk, "chain": m.chain.code, "title": m.title, "held_on": m.held_on,
            "chair": m.chair.display_name if m.chair else None, "organiser": m.organiser.name,
            "is_closed": m.is_closed}


def _detail(m: ChainMeeting) -> dict[str, Any]:
    cases = decision_cases(m)
    out = _out(m)
    out["minutes"] = m.minutes
    out["agenda"] = [{"id": i.pk, "source": i.source, "ref_id": i.ref_id, "title": i.title, "detail": i.detail,
                      "responsible": i.responsible} for i in m.agenda.all()]
    decisions = []
    for d in m.decisions.all():
        case = cases.get(d.case_id or 0)
        decisions.append({"id": d.pk, "text": d.text, "lead_org": d.lead_org_id, "due_working_days": d.due_working_days,
                          "agenda_item": d.agenda_item_id, "case_id": d.case_id,
                          "case_number": case.number if case else None,
                          "case_light": getattr(case, "light", None) if case else None})
    out["decisions"] = decisions
    return out


def _meeting(user: Any, code: str, meeting_id: int) -> ChainMeeting:
    chain = get_chain_for(user, code)
    meeting = meetings_visible_to(user, chain).filter(pk=meeting_id).first() if 0 < meeting_id < 2**31 else None
    if meeting is None:
        raise Http404
    return meeting


@router.get("/{code}/meetings", response=list[ChainMeetingOut], summary="链长会议列表")
@paginate(Pagination)
def chain_meetings_list(request: HttpRequest, code: str) -> Any:
    user = api_user(request)
    chain = get_chain_for(user, code)
    return MappedQuerySet(meetings_visible_to(user, chain), _out)


@router.post("/{code}/meetings", response={201: ChainMeetingDetailOut}, summary="召集链长会议")
def chain_meetings_create(request: HttpRequest, code: str, payload: ChainMeetingIn) -> Any:
    """链长 or the chain's office; send an ``Idempotency-Key``."""
    user = api_user(request)
    chain = get_chain_for(user, code)
    meeting = svc.meeting_create(chain, actor=user, title=payload.title, held_on=payload.held_on)
    return Status(201, _detail(_meeting(user, code, meeting.pk)))


@router.get("/{code}/meetings/{meeting_id}", response=ChainMeetingDetailOut, summary="链长会议详情")
def chain_meetings_detail(request: HttpRequest, code: str, meeting_id: int) -> Any:
    return _detail(_meeting(api_user(request), code, meeting_id))


@router.post("/{code}/meetings/{meeting_id}/agenda", response=ChainMeetingDetailOut, summary="生成会议议题")
def chain_meetings_agenda(request: HttpRequest, code: str, meeting_id: int) -> Any:
    user = api_user(request)
    meeting = _meeting(user, code, meeting_id)
    svc.agenda_build(meeting, actor=user)
    return _detail(_meeting(user, code, meeting_id))


@router.post("/{code}/meetings/{meeting_id}/decisions", response={201: ChainMeetingDetailOut}, summary="添加议定事项")
def chain_meetings_decision(request: HttpRequest, code: str, meeting_id: int, payload: ChainDecisionIn) -> Any:
    user = api_user(request)
    meeting = _meeting(user, code, meeting_id)
    lead_org = Organisation.objects.filter(pk=payload.lead_org).first()
    if lead_org is None:
        raise ValidationFailed(_("未知的单位。"), field="lead_org")
    item = None
    if payload.agenda_item is not None:
        item = meeting.agenda.filter(pk=payload.agenda_item).first()
        if item is None:
            raise ValidationFailed(_("议题不属于该会议。"), field="agenda_item")
    svc.decision_add(meeting, actor=user, text=payload.text, lead_org=lead_org,
                     due_working_days=payload.due_working_days, agenda_item=item)
    return Status(201, _detail(_meeting(user, code, meeting_id)))


@router.post("/{code}/meetings/{meeting_id}/close", response=ChainMeetingDetailOut, summary="结束会议并交办")
def chain_meetings_close(request: HttpRequest, code: str, meeting_id: int) -> Any:
    """Each decision becomes an assigned case; closing again creates nothing."""
    user = api_user(request)
    meeting = _meeting(user, code, meeting_id)
    svc.meeting_close(meeting, actor=user)
    return _detail(_meeting(user, code, meeting_id))
