"""What the petitions' endpoints share: the answers' schemas, the matter as the API shows it,
and finding a matter the caller may see (404 otherwise)."""


from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, Schema
from pydantic import ConfigDict

from yancheng.core.kit.api import etag
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor
from yancheng.lib.deadlines import due_day

from .actions import offered
from .models import Petition

# A step that changes a matter names the version it read.
STEP_IF_MATCH = _lazy("办理操作须带 If-Match 头（值为读取信访事项时返回的 ETag），以免覆盖他人的操作。")


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


def caller(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _ref(org: Organisation | None) -> dict[str, Any] | None:
    return {"id": org.pk, "name": org.name} if org is not None else None


def item_out(p: Petition) -> dict[str, Any]:
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


def detail_out(p: Petition, user: Actor) -> dict[str, Any]:
    return item_out(p) | {
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


def visible_petitions(user: Actor) -> QuerySet[Petition]:
    return Petition.objects.visible_to(user).select_related(
        "topic", "region", "handling_org", "respondent_org", "registering_org"
    )


def get_petition_api(user: Actor, pk: int) -> Petition:
    if not 0 < pk < 2**31:
        raise Http404
    petition = visible_petitions(user).filter(pk=pk).first()
    if petition is None:
        raise Http404
    return petition


def answer_with_etag(user: Actor, petition: Petition, response: HttpResponse) -> dict[str, Any]:
    """The matter as it is now, with its new ETag. A step that took it out of the caller's
    sight answers what the caller's copy knows."""
    try:
        fresh = get_petition_api(user, petition.pk)
    except Http404:
        petition.refresh_from_db()
        fresh = petition
    response["ETag"] = etag(fresh.version)
    return detail_out(fresh, user)
