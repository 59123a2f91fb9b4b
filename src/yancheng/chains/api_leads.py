"""Leads in the API (under /api/v1/chains): the list with the pages' filters and lights, a
lead, registration (``Idempotency-Key``), edits, follow-ups and stage steps (``If-Match``),
conversion into a project (``Idempotency-Key``; ``If-Match`` optional) and a chain's gaps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match, parse_if_match
from yancheng.core.kit.require import require
from yancheng.core.models import Enterprise, Organisation, Region, User

from .api_common import api_user
from .models import Lead, MapNode
from .selectors import get_chain_for
from .selectors_leads import LEAD_FILTERS, lead_filters, lead_list
from .selectors_map import gap_nodes
from .services import leads as services
from .services.leads import offered_steps

router = Router(tags=["chains"])
StepName = Literal["advance", "drop", "reopen", "correct"]


class ChainLeadOut(Schema):
    id: int
    number: str
    chain: str
    investor: str
    investor_kind: str
    project_name: str
    planned_investment: Decimal | None
    stage: str
    stage_display: str
    light: str
    node: str | None
    fill_kind: str
    region: str | None
    owner_org: int
    owner: str | None
    next_step: str
    next_step_on: dt.date | None
    last_activity_on: dt.date
    signed_on: dt.date | None
    landed_on: dt.date | None
    project: str | None


class ChainLeadDetailOut(ChainLeadOut):
    investor_origin: str
    note: str
    dropped_reason: str
    version: int
    allowed_actions: list[str]
    events: list[dict[str, Any]]


class ChainLeadIn(Schema):
    model_config = ConfigDict(extra="forbid")
    investor: str = Field(..., max_length=128)
    project_name: str = Field(..., max_length=128)
    owner_org: int
    owner: str | None = Field(None, max_length=150, description="责任人账号")
    investor_kind: str = Field("other", max_length=16)
    investor_origin: str = Field("", max_length=64)
    planned_investment: Decimal | None = None
    node: str | None = Field(None, max_length=32, description="环节编码")
    fill_kind: str = Field("", max_length=16)
    region: str | None = Field(None, max_length=12, description="区划代码")
    next_step: str = Field("", max_length=255)
    next_step_on: dt.date | None = None
    note: str = Field("", max_length=4000)


class ChainLeadPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    investor: str | None = Field(None, max_length=128)
    project_name: str | None = Field(None, max_length=128)
    investor_kind: str | None = Field(None, max_length=16)
    investor_origin: str | None = Field(None, max_length=64)
    planned_investment: Decimal | None = None
    next_step: str | None = Field(None, max_length=255)
    next_step_on: dt.date | None = None
    note: str | None = Field(None, max_length=4000)
    owner_org: int | None = None
    node: str | None = Field(None, max_length=32)
    fill_kind: str | None = Field(None, max_length=16)
    region: str | None = Field(None, max_length=12)


class ChainLeadFollowUpIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., max_length=2000)
    next_step: str | None = Field(None, max_length=255)
    next_step_on: dt.date | None = None


class ChainLeadStepIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=255)
    note: str = Field("", max_length=500)
    to: str = Field("contact", max_length=16)


class ChainLeadConvertIn(Schema):
    model_config = ConfigDict(extra="forbid")
    region: str | None = Field(None, max_length=12, description="区划代码（默认线索的拟落户地）")
    name: str | None = Field(None, max_length=200)
    enterprise: int | None = None
    total_investment: Decimal | None = None
    responsible_org: int | None = None


class ChainLeadConvertOut(Schema):
    project: str
    lead: ChainLeadDetailOut


class ChainGapOut(Schema):
    code: str
    name: str
    segment: str
    strength: str
    in_current: bool
    enterprise_count: int
    suggested_fill_kind: str
    leads: list[str]


def _item(x: Lead) -> dict[str, Any]:
    return {
        "id": x.pk, "number": x.number, "chain": x.chain.code, "investor": x.investor, "investor_kind": x.investor_kind,
        "project_name": x.project_name, "planned_investment": x.planned_investment, "stage": x.stage,
        "stage_display": str(x.get_stage_display()), "light": getattr(x, "light", ""),
        "node": x.node.code if x.node else None, "fill_kind": x.fill_kind, "region": x.region.code if x.region else None,
        "owner_org": x.owner_org_id, "owner": x.owner.username if x.owner else None, "next_step": x.next_step,
        "next_step_on": x.next_step_on, "last_activity_on": x.last_activity_on, "signed_on": x.signed_on,
        "landed_on": x.landed_on, "project": x.project.code if x.project else None,
    }


def _detail(x: Lead, user: Any) -> dict[str, Any]:
    out = _item(x)
    out.update(investor_origin=x.investor_origin, note=x.note, dropped_reason=x.dropped_reason, version=x.version,
               allowed_actions=offered_steps(user, x) + (["convert"] if x.stage == "signed" and x.project_id is None
                                                        and "drop" in offered_steps(user, x) else []),
               events=[{"kind": e.kind, "from_stage": e.from_stage, "to_stage": e.to_stage, "text": e.text,
                        "on": e.on.isoformat(), "actor": e.actor.username if e.actor else None}
                       for e in x.events.select_related("actor").order_by("at", "pk")])
    return out


def _get(user: Any, pk: int) -> Lead:
    if not 0 < pk < 2**31:
        raise Http404
    lead = lead_list(user).filter(pk=pk).first()
    if lead is None:
        raise Http404
    return lead


def _answer(response: HttpResponse, user: Any, pk: int) -> dict[str, Any]:
    fresh = _get(user, pk)
    response["ETag"] = etag(fresh.version)
    return _detail(fresh, user)


def _org(pk: int | None, field: str) -> Organisation | None:
    if pk is None:
        return None
    org = Organisation.objects.filter(pk=pk).first()
    if org is None:
        raise ValidationFailed(_("找不到该单位。"), field=field)
    return org


def _region(code: str | None) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationFailed(_("未知的区划代码。"), field="region")
    return region


def _node(chain_id: int, code: str | None) -> MapNode | None:
    if not code:
        return None
    node = MapNode.objects.filter(chain_id=chain_id, code=code, is_active=True).first()
    if node is None:
        raise ValidationFailed(_("所选环节不属于这条产业链。"), field="node")
    return node


@router.get("/leads", response=list[ChainLeadOut], summary="招商线索列表")
@paginate(Pagination)
def chain_leads_list(request: HttpRequest) -> Any:
    """The leads the caller reads, with the list page's filters (stage, light, owner_org,
    node, fill_kind, q, chain)."""
    user = api_user(request)
    require(user, "chains.view_module")
    params = {k: request.GET.get(k, "") for k in LEAD_FILTERS}
    return MappedQuerySet(lead_filters(lead_list(user), params), _item)


@router.post("/{code}/leads", response={201: ChainLeadDetailOut}, summary="新建招商线索")
def chain_leads_create(request: HttpRequest, code: str, payload: ChainLeadIn, response: HttpResponse) -> Any:
    """The chain's office; send an ``Idempotency-Key``."""
    user = api_user(request)
    chain = get_chain_for(user, code)
    owner = User.objects.filter(username=payload.owner).first() if payload.owner else None
    if payload.owner and owner is None:
        raise ValidationFailed(_("找不到该账号。"), field="owner")
    lead = services.lead_create(
        chain, actor=user, investor=payload.investor, project_name=payload.project_name,
        owner_org=_org(payload.owner_org, "owner_org"), owner=owner, investor_kind=payload.investor_kind,
        investor_origin=payload.investor_origin, planned_investment=payload.planned_investment,
        node=_node(chain.pk, payload.node), fill_kind=payload.fill_kind, region=_region(payload.region),
        next_step=payload.next_step, next_step_on=payload.next_step_on, note=payload.note,
    )
    return Status(201, _answer(response, user, lead.pk))


@router.get("/leads/{lead_id}", response=ChainLeadDetailOut, summary="招商线索详情")
def chain_leads_detail(request: HttpRequest, lead_id: int, response: HttpResponse) -> dict[str, Any]:
    user = api_user(request)
    require(user, "chains.view_module")
    return _answer(response, user, _get(user, lead_id).pk)


@router.patch("/leads/{lead_id}", response=ChainLeadDetailOut, summary="修改招商线索")
def chain_leads_patch(request: HttpRequest, lead_id: int, payload: ChainLeadPatch, response: HttpResponse) -> Any:
    """The fields sent (``If-Match``). The owner unit keeps its lead up to date; unit, node and
    招商方向 are the office's."""
    user = api_user(request)
    lead = _get(user, lead_id)
    version = if_match(request)
    data = payload.model_dump(exclude_unset=True)
    if "owner_org" in data:
        data["owner_org"] = _org(data["owner_org"], "owner_org")
    if "region" in data:
        data["region"] = _region(data["region"])
    if "node" in data:
        data["node"] = _node(lead.chain_id, data["node"])
    services.lead_update(lead, actor=user, expected_version=version, **data)
    return _answer(response, user, lead.pk)


@router.post("/leads/{lead_id}/follow-ups", response=ChainLeadDetailOut, summary="记录跟进")
def chain_leads_follow_up(request: HttpRequest, lead_id: int, payload: ChainLeadFollowUpIn, response: HttpResponse) -> Any:
    user = api_user(request)
    lead = _get(user, lead_id)
    services.lead_follow_up(lead, actor=user, text=payload.text, next_step=payload.next_step,
                            next_step_on=payload.next_step_on, expected_version=if_match(request))
    return _answer(response, user, lead.pk)


@router.post("/leads/{lead_id}/steps/{action}", response=ChainLeadDetailOut, summary="招商线索阶段变更")
def chain_leads_step(request: HttpRequest, lead_id: int, action: StepName, payload: ChainLeadStepIn,
                     response: HttpResponse) -> Any:
    """``advance`` {note} · ``drop`` {reason} · ``reopen`` {to, note} · ``correct`` {note}, with
    ``If-Match``; 409 ``invalid_stage`` when the table does not allow it."""
    user = api_user(request)
    lead = _get(user, lead_id)
    version = if_match(request)
    if action == "advance":
        services.lead_advance(lead, actor=user, note=payload.note, expected_version=version)
    elif action == "drop":
        services.lead_drop(lead, actor=user, reason=payload.reason, expected_version=version)
    elif action == "reopen":
        services.lead_reopen(lead, actor=user, to=payload.to, note=payload.note, expected_version=version)
    else:
        services.lead_correct(lead, actor=user, note=payload.note, expected_version=version)
    return _answer(response, user, lead.pk)


@router.post("/leads/{lead_id}/convert", response={201: ChainLeadConvertOut}, summary="签约线索转为项目")
def chain_leads_convert(request: HttpRequest, lead_id: int, payload: ChainLeadConvertIn, response: HttpResponse) -> Any:
    """The chain's office; send an ``Idempotency-Key``. 409 ``already_converted`` or
    ``invalid_stage`` (not 签约)."""
    user = api_user(request)
    lead = _get(user, lead_id)
    enterprise = None
    if payload.enterprise is not None:
        enterprise = Enterprise.objects.visible_to(user).filter(pk=payload.enterprise).first()
        if enterprise is None:
            raise ValidationFailed(_("企业不存在或不可见。"), field="enterprise")
    project = services.lead_convert(
        lead, actor=user, region=_region(payload.region), name=payload.name, enterprise=enterprise,
        total_investment=payload.total_investment,
        responsible_org=_org(payload.responsible_org, "responsible_org"),
        expected_version=parse_if_match(request.headers.get("If-Match")),
    )
    return Status(201, {"project": project.code, "lead": _answer(response, user, lead.pk)})


@router.get("/{code}/gaps", response=list[ChainGapOut], summary="缺链弱链环节")
@paginate(Pagination)
def chain_gaps(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """The target map's 缺 and 弱 nodes, with the numbers of the leads that would fill each."""
    user = api_user(request)
    chain = get_chain_for(user, code)
    visible = set(lead_list(user, chain).values_list("pk", flat=True))
    out = []
    for node in gap_nodes(MapNode.objects.filter(chain=chain)).prefetch_related("leads"):
        out.append({
            "code": node.code, "name": node.name, "segment": node.segment, "strength": node.strength,  # type: ignore[attr-defined]
            "in_current": node.in_current, "enterprise_count": node.enterprise_count,  # type: ignore[attr-defined]
            "suggested_fill_kind": services.default_fill_kind(node),
            "leads": [x.number for x in node.leads.all() if x.pk in visible],
        })
    return out
