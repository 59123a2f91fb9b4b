"""Petition endpoints under /api/v1/petitions (registered on the API by ``yancheng.api.main``).
The loop of SPEC §8 for 信访局 systems and the organs' own: list and detail (through
``Petition.objects.visible_to``: a matter the caller may not see answers 404, a 检举控告 is
never answered to the organ complained about), registration (the 查询码 is in the answer
once, never again), classification, and one action endpoint per step of the matter page's
action table. Petitioners are masked; revealing is its own audited POST.

Creating writes take an ``Idempotency-Key`` (installed for every POST by the API's guards);
steps that change a matter take ``If-Match: "<version>"`` (428 without, 412 when stale).
"""


from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match
from yancheng.core.models import Organisation, Region
from yancheng.core.typing import Actor
from yancheng.lib.deadlines import due_day

from . import intake
from .models import Petition, Topic

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


def _detail_out(p: Petition) -> dict[str, Any]:
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
    return _detail_out(petition) | {"query_code": registered.query_code}


@router.get("/petitions/{petition_id}", response=PetitionDetailOut, summary="信访事项详情")
def petitions_detail(request: HttpRequest, petition_id: int, response: HttpResponse) -> dict[str, Any]:
    """One matter with its (masked) petitioners, documents and timeline; ``ETag`` is its version."""
    petition = get_petition_api(_user(request), petition_id)
    response["ETag"] = etag(petition.version)
    return _detail_out(petition)


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
    return _detail_out(petition)
