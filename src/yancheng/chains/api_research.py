"""The 科研成果清单 in the API (under /api/v1/chains): a chain's results with the list's
filters, a result with its matches, adding one (``Idempotency-Key``) and changing it
(``If-Match``), suggesting enterprises, adding a match by hand, the match's steps (对接,
结果, 不匹配; ``If-Match``), and ``/mine`` for an enterprise's token: its placements and its
matched results."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match, json_body
from yancheng.core.kit.require import require
from yancheng.core.models import Enterprise, IndustryChain, Organisation

from .api_common import api_user
from .models import MapNode, Placement, ResearchMatch, ResearchResult
from .selectors import chain_enterprises, get_chain_for
from .selectors_research import (
    RESULT_FILTERS,
    matches_for,
    matches_of,
    mine_matches,
    mine_placements,
    result_list,
)
from .selectors_research import trl_label as _trl
from .services.research import (
    RESULT_FIELDS,
    match_add,
    match_close,
    match_dismiss,
    match_start_docking,
    match_suggest,
    result_add,
    result_update,
)

router = Router(tags=["chains"])
MatchStep = Literal["dock", "close", "dismiss"]


class ChainRef(Schema):
    id: int
    name: str


class ChainNodeRef(Schema):
    code: str
    name: str


class ChainResultOut(Schema):
    id: int
    chain: str
    title: str
    institution: str
    team: str
    keywords: str
    maturity: int
    maturity_label: str
    ip_kind: str
    ip_number: str
    transfer_mode: str
    summary: str
    nodes: list[ChainNodeRef]
    is_active: bool
    match_count: int | None = None
    version: int


class ChainMatchOut(Schema):
    id: int
    result: int
    result_title: str
    enterprise: ChainRef
    score: int
    reason: str
    status: str
    status_display: str
    owner_org: ChainRef | None
    due_on: dt.date | None
    outcome: str
    version: int


class ChainResultDetailOut(ChainResultOut):
    matches: list[ChainMatchOut]


class ChainResultIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(..., max_length=200)
    institution: str = Field(..., max_length=128)
    maturity: int = Field(..., ge=1, le=9, description="技术成熟度 TRL 1–9（GB/T 22900-2022）")
    team: str = Field("", max_length=64)
    keywords: str = Field("", max_length=255, description="用“、”或逗号分隔")
    ip_kind: str = Field("none", max_length=16)
    ip_number: str = Field("", max_length=64)
    transfer_mode: str = Field("", max_length=64)
    summary: str = Field("", max_length=4000)
    nodes: list[str] = Field(default_factory=list, description="环节编码")


class ChainResultPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(None, max_length=200)
    institution: str | None = Field(None, max_length=128)
    maturity: int | None = Field(None, ge=1, le=9)
    team: str | None = Field(None, max_length=64)
    keywords: str | None = Field(None, max_length=255)
    ip_kind: str | None = Field(None, max_length=16)
    ip_number: str | None = Field(None, max_length=64)
    transfer_mode: str | None = Field(None, max_length=64)
    summary: str | None = Field(None, max_length=4000)
    nodes: list[str] | None = None


class ChainMatchIn(Schema):
    model_config = ConfigDict(extra="forbid")
    enterprise: int
    reason: str = Field("", max_length=200)


class ChainDockIn(Schema):
    model_config = ConfigDict(extra="forbid")
    owner_org: int
    due_on: dt.date
    note: str = Field("", max_length=500)


class ChainCloseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: Literal["succeeded", "failed"]
    outcome: str = Field(..., max_length=2000)


class ChainDismissIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(..., max_length=500)


class ChainMinePlacementOut(Schema):
    chain: str
    chain_name: str
    node: ChainNodeRef
    segment: str
    role: str
    role_display: str
    products: str


class ChainMineOut(Schema):
    placements: list[ChainMinePlacementOut]
    matches: list[ChainMatchOut]


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _result_out(r: ResearchResult) -> dict[str, Any]:
    return {
        "id": r.pk, "chain": r.chain.code, **{name: getattr(r, name) for name in RESULT_FIELDS},
        "maturity_label": _trl(r.maturity), "nodes": [{"code": n.code, "name": n.name} for n in r.nodes.all()],
        "is_active": r.is_active, "match_count": getattr(r, "match_count", None), "version": r.version,
    }


def _match_out(m: ResearchMatch) -> dict[str, Any]:
    return {
        "id": m.pk, "result": m.result_id, "result_title": m.result.title, "enterprise": _ref(m.enterprise),
        "score": m.score, "reason": m.reason, "status": m.status, "status_display": str(m.get_status_display()),
        "owner_org": _ref(m.owner_org), "due_on": m.due_on, "outcome": m.outcome, "version": m.version,
    }


def _chain(user: Any, code: str, *, write: bool = False) -> IndustryChain:
    from django.core.exceptions import PermissionDenied

    from yancheng.core.errors import PermissionDeniedError

    require(user, "chains.view_module")
    try:
        return get_chain_for(user, code[:64], write=write)
    except PermissionDenied as exc:
        raise PermissionDeniedError(_("您没有执行此操作的权限。")) from exc


def _result(chain: IndustryChain, pk: int) -> ResearchResult:
    if not 0 < pk < 2**31:
        raise Http404
    result = ResearchResult.objects.filter(chain=chain, pk=pk).select_related("chain").prefetch_related(
        "nodes").first()
    if result is None:
        raise Http404
    return result


def _nodes(chain: IndustryChain, codes: list[str]) -> list[MapNode]:
    found = {n.code: n for n in MapNode.objects.filter(chain=chain, code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(_("产业链“%(c)s”没有环节“%(v)s”。") % {"c": chain.name, "v": "、".join(missing)[:64]},
                               field="nodes")
    return [found[c] for c in codes]


def _detail(result: ResearchResult) -> dict[str, Any]:
    out = _result_out(result)
    out["matches"] = [_match_out(m) for m in matches_of(result).select_related("result")]
    return out


@router.get("/{code}/research", response=list[ChainResultOut], summary="科研成果清单")
@paginate(Pagination)
def chains_research_list(request: HttpRequest, code: str) -> Any:
    """The chain's results with the list page's parameters (q, institution, maturity — at
    least —, node, ip_kind, retired, overdue)."""
    chain = _chain(api_user(request), code)
    params = {k: request.GET.get(k, "") for k in RESULT_FILTERS}
    return MappedQuerySet(result_list(chain, params).select_related("chain"), _result_out)


@router.post("/{code}/research", response={201: ChainResultDetailOut}, summary="登记科研成果")
def chains_research_create(request: HttpRequest, code: str, payload: ChainResultIn, response: HttpResponse) -> Any:
    """The chain's office adds a result; send an ``Idempotency-Key``."""
    user = api_user(request)
    chain = _chain(user, code, write=True)
    data = payload.dict()
    nodes = _nodes(chain, data.pop("nodes"))
    result = result_add(chain, actor=user, nodes=nodes, **data)
    fresh = _result(chain, result.pk)
    response["ETag"] = etag(fresh.version)
    return Status(201, _detail(fresh))


@router.get("/{code}/research/{result_id}", response=ChainResultDetailOut, summary="科研成果详情（含匹配企业）")
def chains_research_detail(request: HttpRequest, code: str, result_id: int, response: HttpResponse) -> Any:
    chain = _chain(api_user(request), code)
    result = _result(chain, result_id)
    response["ETag"] = etag(result.version)
    return _detail(result)


@router.patch("/{code}/research/{result_id}", response=ChainResultDetailOut, summary="修改科研成果")
def chains_research_patch(request: HttpRequest, code: str, result_id: int, response: HttpResponse) -> Any:
    """Change the given fields, with ``If-Match: "<version>"`` (428 without, 412 when stale)."""
    user = api_user(request)
    chain = _chain(user, code, write=True)
    result = _result(chain, result_id)
    version = if_match(request)
    body = json_body(request, ChainResultPatch).model_dump(exclude_unset=True)
    if any(value is None for value in body.values()):
        raise ValidationFailed(_("字段不能为 null。"), field=next(k for k, v in body.items() if v is None))
    nodes = _nodes(chain, body.pop("nodes")) if "nodes" in body else None
    result_update(result, actor=user, expected_version=version, nodes=nodes, **body)
    fresh = _result(chain, result.pk)
    response["ETag"] = etag(fresh.version)
    return _detail(fresh)


@router.post("/{code}/research/{result_id}/suggest", response=list[ChainMatchOut], summary="匹配企业")
def chains_research_suggest(request: HttpRequest, code: str, result_id: int) -> Any:
    """Score the chain's enterprises for the result and keep the best (the rule is in
    docs/chains.md); matches someone works on are left as they are. Answers every match."""
    user = api_user(request)
    chain = _chain(user, code, write=True)
    result = _result(chain, result_id)
    match_suggest(result, actor=user)
    return [_match_out(m) for m in matches_of(result).select_related("result")]


@router.get("/{code}/research/{result_id}/matches", response=list[ChainMatchOut], summary="成果的匹配企业")
@paginate(Pagination)
def chains_research_matches(request: HttpRequest, code: str, result_id: int) -> Any:
    chain = _chain(api_user(request), code)
    return [_match_out(m) for m in matches_of(_result(chain, result_id)).select_related("result")]


@router.post("/{code}/research/{result_id}/matches", response={201: ChainMatchOut}, summary="人工添加匹配企业")
def chains_research_match_add(request: HttpRequest, code: str, result_id: int, payload: ChainMatchIn) -> Any:
    """Send an ``Idempotency-Key``."""
    user = api_user(request)
    chain = _chain(user, code, write=True)
    result = _result(chain, result_id)
    enterprise = chain_enterprises(chain).filter(pk=payload.enterprise).first() if 0 < payload.enterprise < 2**31 \
        else None
    if enterprise is None:
        raise ValidationFailed(_("该企业不是这条产业链的企业。"), field="enterprise")
    match = match_add(result, Enterprise.objects.get(pk=enterprise.pk), actor=user, reason=payload.reason)
    return Status(201, _match_out(ResearchMatch.objects.select_related("result", "enterprise", "owner_org")
                                  .get(pk=match.pk)))


@router.post("/research-matches/{match_id}/{step}", response=ChainMatchOut, summary="成果对接操作")
def chains_research_match_step(request: HttpRequest, match_id: int, step: MatchStep, response: HttpResponse) -> Any:
    """A match's step, with ``If-Match: "<version>"``:

    * ``dock`` {owner_org, due_on, note}: 发起对接 (the chain's office);
    * ``close`` {status: succeeded | failed, outcome}: 对接结果 (the office, or the staff of
      the unit that owns the 对接 task);
    * ``dismiss`` {reason}: 不匹配 (the office).

    404 for a match the caller may not see; 403 when they may not take the step; 409
    ``invalid_stage``; 412 stale; 428 without If-Match."""
    user = api_user(request)
    if not 0 < match_id < 2**31:
        raise Http404
    match = matches_for(user).filter(pk=match_id).select_related("result__chain", "enterprise").first()
    if match is None:
        raise Http404
    version = if_match(request)
    if step == "dock":
        dock = json_body(request, ChainDockIn)
        owner = Organisation.objects.filter(pk=dock.owner_org).first() if 0 < dock.owner_org < 2**31 else None
        if owner is None:
            raise ValidationFailed(_("请选择负责对接的单位（不能是企业）。"), field="owner_org")
        match_start_docking(match, actor=user, owner_org=owner, due_on=dock.due_on, note=dock.note,
                            expected_version=version)
    elif step == "close":
        close = json_body(request, ChainCloseIn)
        match_close(match, actor=user, status=close.status, outcome=close.outcome, expected_version=version)
    else:
        dismiss = json_body(request, ChainDismissIn)
        match_dismiss(match, actor=user, reason=dismiss.reason, expected_version=version)
    fresh = ResearchMatch.objects.select_related("result", "enterprise", "owner_org").get(pk=match.pk)
    response["ETag"] = etag(fresh.version)
    return _match_out(fresh)


@router.get("/mine", response=ChainMineOut, summary="本企业的产业链落位和匹配的科研成果")
def chains_mine(request: HttpRequest) -> Any:
    """For an enterprise's token: where the enterprise sits on the chain maps, and the
    research results matched to it (not those set aside), with the 对接 owner, date and
    outcome. Other callers get 403."""
    user = api_user(request)
    require(user, "chains.view_mine")

    def placement(p: Placement) -> dict[str, Any]:
        return {"chain": p.node.chain.code, "chain_name": p.node.chain.name,
                "node": {"code": p.node.code, "name": p.node.name}, "segment": p.node.segment, "role": p.role,
                "role_display": str(p.get_role_display()), "products": p.products}

    return {"placements": [placement(p) for p in mine_placements(user)],
            "matches": [_match_out(m) for m in mine_matches(user)]}

