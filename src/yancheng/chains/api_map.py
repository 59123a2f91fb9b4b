"""The map family's endpoints under /api/v1/chains: a chain's nodes (list, create, detail,
PATCH with If-Match, the strength override), links (create, delete) and placements (list,
create, PATCH with If-Match — the node's version —, delete). Every node answer carries its
strength (the rule's, the override and the one that counts). Reads need the chain to be
readable (404 otherwise); writes go through the services, which need the chain's office."""


from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match
from yancheng.core.models import Enterprise, IndustryChain, Region

from .api_common import api_chain, api_user
from .models import MapLink, MapNode, Placement, PlacementRole
from .permissions import placements_visible_to
from .selectors_map import annotate_strength, map_nodes
from .services import map as map_services
from .services import registry

router = Router(tags=["chains"])


def _node(chain: IndustryChain, code: str) -> MapNode:
    node = annotate_strength(MapNode.objects.filter(chain=chain, code=code)).select_related("chain").first()
    if node is None:
        raise Http404
    return node


def _node_out(n: MapNode) -> dict[str, Any]:
    return {
        "code": n.code, "name": n.name, "segment": n.segment, "description": n.description, "keywords": n.keywords,
        "in_current": n.in_current, "in_target": n.in_target, "sort_order": n.sort_order, "is_active": n.is_active,
        "strength": n.strength, "rule_strength": n.rule_strength,  # type: ignore[attr-defined]
        "strength_override": n.strength_override, "override_reason": n.override_reason,
        "override_at": n.override_at.isoformat() if n.override_at else None,
        "enterprise_count": n.enterprise_count,  # type: ignore[attr-defined]
        "above_scale_count": n.above_scale_count,  # type: ignore[attr-defined]
        "output_total": n.output_total,  # type: ignore[attr-defined]
        "version": n.version,
    }


def _placement_out(p: Placement) -> dict[str, Any]:
    return {"id": p.pk, "node": p.node.code, "enterprise": p.enterprise.uscc, "enterprise_name": p.enterprise.name,
            "role": p.role, "products": p.products, "annual_output": p.annual_output}


class ChainNodeOut(Schema):
    code: str
    name: str
    segment: str
    description: str
    keywords: str
    in_current: bool
    in_target: bool
    sort_order: int
    is_active: bool
    strength: str
    rule_strength: str
    strength_override: str
    override_reason: str
    override_at: str | None
    enterprise_count: int
    above_scale_count: int
    output_total: Decimal
    version: int


class ChainNodeFilters(Schema):
    map: str = ""  # "current" or "target"; both when empty
    region: str = ""
    inactive: bool = False


class ChainNodeIn(Schema):
    code: str
    name: str
    segment: str
    description: str = ""
    keywords: str = ""
    in_current: bool = True
    in_target: bool = True
    sort_order: int = 0


class ChainNodePatch(Schema):
    name: str | None = None
    segment: str | None = None
    description: str | None = None
    keywords: str | None = None
    in_current: bool | None = None
    in_target: bool | None = None
    sort_order: int | None = None
    is_active: bool | None = None


class ChainOverrideIn(Schema):
    strength: str = ""  # 强/弱/缺 as strong/weak/missing; empty clears the override
    reason: str = ""


class ChainLinkIn(Schema):
    source: str
    target: str
    in_current: bool = True
    in_target: bool = True


class ChainLinkOut(Schema):
    id: int
    source: str
    target: str
    in_current: bool
    in_target: bool


class ChainPlacementOut(Schema):
    id: int
    node: str
    enterprise: str
    enterprise_name: str
    role: str
    products: str
    annual_output: Decimal | None


class ChainPlacementIn(Schema):
    node: str
    enterprise: str  # 统一社会信用代码
    role: str = PlacementRole.MEMBER
    products: str = ""
    annual_output: Decimal | None = None


class ChainPlacementPatch(Schema):
    role: str | None = None
    products: str | None = None
    annual_output: Decimal | None = None


def _node_answer(chain: IndustryChain, code: str, response: HttpResponse) -> dict[str, Any]:
    node = _node(chain, code)
    response["ETag"] = etag(node.version)
    return _node_out(node)


@router.get("/{code}/nodes", response=list[ChainNodeOut], summary="产业链环节列表（含强弱）")
@paginate(Pagination)
def chain_nodes_list(request: HttpRequest, code: str, filters: Query[ChainNodeFilters]) -> Any:
    chain = api_chain(request, code)
    if filters.map in {"current", "target"}:
        region = Region.objects.filter(code=filters.region).first() if filters.region else None
        return MappedQuerySet(map_nodes(chain, which=filters.map, region=region), _node_out)
    qs = MapNode.objects.filter(chain=chain)
    if not filters.inactive:
        qs = qs.filter(is_active=True)
    return MappedQuerySet(annotate_strength(qs).order_by("segment", "sort_order", "code"), _node_out)


@router.post("/{code}/nodes", response={201: ChainNodeOut}, summary="新增环节")
def chain_nodes_create(request: HttpRequest, code: str, payload: ChainNodeIn, response: HttpResponse) -> Any:
    chain = api_chain(request, code)
    node = registry.node_add(chain, actor=api_user(request), **payload.dict())
    return 201, _node_answer(chain, node.code, response)


@router.get("/{code}/nodes/{node}", response=ChainNodeOut, summary="环节详情（含强弱）")
def chain_nodes_detail(request: HttpRequest, code: str, node: str, response: HttpResponse) -> Any:
    return _node_answer(api_chain(request, code), node, response)


@router.patch("/{code}/nodes/{node}", response=ChainNodeOut, summary="修改、停用或恢复环节")
def chain_nodes_patch(request: HttpRequest, code: str, node: str, payload: ChainNodePatch, response: HttpResponse) -> Any:
    chain = api_chain(request, code)
    target = _node(chain, node)
    version = if_match(request)
    changes = payload.dict(exclude_unset=True)
    active = changes.pop("is_active", None)
    actor = api_user(request)
    if changes:
        target = map_services.node_update(target, actor=actor, expected_version=version, **changes)
        version = target.version
    if active is False:
        map_services.node_retire(target, actor=actor, expected_version=version)
    elif active is True:
        map_services.node_restore(target, actor=actor, expected_version=version)
    return _node_answer(chain, node, response)


@router.post("/{code}/nodes/{node}/override", response=ChainNodeOut, summary="人工认定环节强弱（strength 为空则取消）")
def chain_nodes_override(request: HttpRequest, code: str, node: str, payload: ChainOverrideIn,
                         response: HttpResponse) -> Any:
    chain = api_chain(request, code)
    target = _node(chain, node)
    version = if_match(request) if request.headers.get("If-Match") else None
    if payload.strength:
        map_services.strength_override_set(target, actor=api_user(request), strength=payload.strength,
                                           reason=payload.reason, expected_version=version)
    else:
        map_services.strength_override_clear(target, actor=api_user(request), expected_version=version)
    return _node_answer(chain, node, response)


def _link_out(link: MapLink) -> dict[str, Any]:
    return {"id": link.pk, "source": link.source.code, "target": link.target.code, "in_current": link.in_current,
            "in_target": link.in_target}


@router.post("/{code}/links", response={201: ChainLinkOut}, summary="连接两个环节")
def chain_links_create(request: HttpRequest, code: str, payload: ChainLinkIn) -> Any:
    chain = api_chain(request, code)
    source = MapNode.objects.filter(chain=chain, code=payload.source).select_related("chain").first()
    target = MapNode.objects.filter(chain=chain, code=payload.target).first()
    if source is None:
        raise ValidationFailed(_("该产业链没有编码为“%(v)s”的环节。") % {"v": payload.source[:32]}, field="source")
    if target is None:
        raise ValidationFailed(_("该产业链没有编码为“%(v)s”的环节。") % {"v": payload.target[:32]}, field="target")
    link = registry.link_add(source, target, actor=api_user(request), in_current=payload.in_current,
                             in_target=payload.in_target)
    return 201, _link_out(link)


@router.delete("/{code}/links/{link_id}", response={204: None}, summary="删除环节关系")
def chain_links_delete(request: HttpRequest, code: str, link_id: int) -> Any:
    chain = api_chain(request, code)
    link = MapLink.objects.filter(chain=chain, pk=link_id).select_related("source__chain", "target").first()
    if link is None:
        raise Http404
    map_services.link_remove(link, actor=api_user(request))
    return 204, None


@router.get("/{code}/placements", response=list[ChainPlacementOut], summary="企业落位列表")
@paginate(Pagination)
def chain_placements_list(request: HttpRequest, code: str, node: str = "") -> Any:
    chain = api_chain(request, code)
    qs = placements_visible_to(api_user(request)).filter(node__chain=chain).select_related("node", "enterprise")
    if node:
        qs = qs.filter(node__code=node)
    return MappedQuerySet(qs.order_by("node__segment", "node__sort_order", "node__code", "pk"), _placement_out)


def _placement(request: HttpRequest, code: str, placement_id: int) -> Placement:
    chain = api_chain(request, code)
    placement = placements_visible_to(api_user(request)).filter(node__chain=chain, pk=placement_id).select_related(
        "node__chain", "enterprise").first()
    if placement is None:
        raise Http404
    return placement


@router.post("/{code}/placements", response={201: ChainPlacementOut}, summary="企业落位")
def chain_placements_create(request: HttpRequest, code: str, payload: ChainPlacementIn) -> Any:
    chain = api_chain(request, code)
    node = MapNode.objects.filter(chain=chain, code=payload.node).select_related("chain").first()
    if node is None:
        raise ValidationFailed(_("该产业链没有编码为“%(v)s”的环节。") % {"v": payload.node[:32]}, field="node")
    enterprise = Enterprise.objects.filter(uscc=payload.enterprise.strip().upper()).first()
    if enterprise is None:
        raise ValidationFailed(_("没有该统一社会信用代码的企业。"), field="enterprise")
    placement = registry.placement_add(node, enterprise, actor=api_user(request), role=payload.role,
                                       products=payload.products, annual_output=payload.annual_output)
    return 201, _placement_out(placement)


@router.patch("/{code}/placements/{placement_id}", response=ChainPlacementOut,
              summary="修改企业落位（If-Match 为环节版本）")
def chain_placements_patch(request: HttpRequest, code: str, placement_id: int, payload: ChainPlacementPatch,
                           response: HttpResponse) -> Any:
    placement = _placement(request, code, placement_id)
    placement = map_services.placement_update(placement, actor=api_user(request), expected_version=if_match(request),
                                              **payload.dict(exclude_unset=True))
    # The placement is versioned with its node: the ETag is the node's, for the next change.
    response["ETag"] = etag(MapNode.objects.values_list("version", flat=True).get(pk=placement.node_id))
    return _placement_out(placement)


@router.delete("/{code}/placements/{placement_id}", response={204: None}, summary="移出企业落位")
def chain_placements_delete(request: HttpRequest, code: str, placement_id: int) -> Any:
    placement = _placement(request, code, placement_id)
    map_services.placement_remove(placement, actor=api_user(request))
    return 204, None
