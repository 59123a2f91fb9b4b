"""The map's reads: each node's enterprises, 规上 count and output, and its strength (强/弱/缺)
in SQL — the chain's rule unless the office overrode it. The map page, the gap list that
feeds 招商, the meetings' agenda, the 链长's home and the dashboard all read ``annotate_strength``.

The rule (minimums on the chain's ``ChainProfile``): no enterprise placed is 缺; at least
``strong_min_enterprises`` enterprises, of which ``strong_min_above_scale`` are 四上 (规上),
with a total annual output of ``strong_min_output`` 万元 or more, is 强; anything between is 弱.
A chain without a profile uses the model's defaults (3 enterprises, 1 规上, 5 亿元)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from yancheng.cases.models import Case as WorkCase
from yancheng.core.models import IndustryChain, Region
from yancheng.core.typing import Actor

from .models import ChainProfile, Lead, MapLink, MapNode, Placement, Segment, Strength
from .permissions import leads_visible_to, placements_visible_to
from .selectors import LIGHT_LABELS, NONE

FOUR_ABOVE = (
    Q(enterprise__is_above_scale_industry=True) | Q(enterprise__is_above_quota_trade=True)
    | Q(enterprise__is_qualified_construction=True) | Q(enterprise__is_above_scale_service=True)
)
_DEFAULTS = {f.name: f.default for f in ChainProfile._meta.fields
             if f.name in {"strong_min_enterprises", "strong_min_above_scale", "strong_min_output"}}


def _placed(node_ref: OuterRef | F) -> QuerySet[Placement, Any]:
    return Placement.objects.filter(node=node_ref, enterprise__is_active=True).order_by().values("node")


def annotate_strength(qs: QuerySet[MapNode]) -> QuerySet[MapNode]:
    """Annotate ``enterprise_count``, ``above_scale_count``, ``output_total`` (万元),
    ``rule_strength`` (the rule's answer) and ``strength`` (the override, else the rule)."""
    from django.db.models import Count

    money = DecimalField(max_digits=16, decimal_places=2)
    count = _placed(OuterRef("pk")).annotate(n=Count("pk")).values("n")
    above = _placed(OuterRef("pk")).filter(FOUR_ABOVE).annotate(n=Count("pk")).values("n")
    output = _placed(OuterRef("pk")).annotate(s=Sum("annual_output")).values("s")
    return qs.annotate(
        enterprise_count=Coalesce(Subquery(count, output_field=IntegerField()), 0),
        above_scale_count=Coalesce(Subquery(above, output_field=IntegerField()), 0),
        output_total=Coalesce(Subquery(output, output_field=money), Value(Decimal(0)), output_field=money),
        min_enterprises=Coalesce(F("chain__profile__strong_min_enterprises"),
                                 Value(_DEFAULTS["strong_min_enterprises"])),
        min_above=Coalesce(F("chain__profile__strong_min_above_scale"), Value(_DEFAULTS["strong_min_above_scale"])),
        min_output=Coalesce(F("chain__profile__strong_min_output"), Value(Decimal(_DEFAULTS["strong_min_output"])),
                            output_field=money),
    ).annotate(
        rule_strength=Case(
            When(enterprise_count=0, then=Value(Strength.MISSING.value)),
            When(Q(enterprise_count__gte=F("min_enterprises")) & Q(above_scale_count__gte=F("min_above"))
                 & Q(output_total__gte=F("min_output")), then=Value(Strength.STRONG.value)),
            default=Value(Strength.WEAK.value),
            output_field=CharField(),
        ),
    ).annotate(
        strength=Case(
            When(~Q(strength_override=""), then=F("strength_override")),
            default=F("rule_strength"),
            output_field=CharField(),
        ),
    )


def gap_nodes(qs: QuerySet[MapNode]) -> QuerySet[MapNode]:
    """The nodes that feed 招商: active nodes of the target map that are 缺 or 弱."""
    return annotate_strength(qs.filter(is_active=True, in_target=True)).filter(
        **{"strength__in": [Strength.MISSING, Strength.WEAK]})  # an annotation of annotate_strength


# --- the map page and a node's panel ---------------------------------------------------------------

MAPS = ("current", "target")
SEGMENT_COLUMN = {"up": 0, "mid": 1, "down": 2}


def region_options(chain: IndustryChain) -> list[Region]:
    """The regions the region filter offers: those of the enterprises placed on the chain's
    active nodes, and the county-level region above each."""
    ids = set(Placement.objects.filter(node__chain=chain, node__is_active=True, enterprise__is_active=True)
              .values_list("enterprise__region_id", flat=True))
    regions = list(Region.objects.filter(pk__in=ids).select_related("parent"))
    found = {r.pk: r for r in regions}
    for r in regions:
        if r.parent is not None and r.parent.parent_id is not None:
            found.setdefault(r.parent.pk, r.parent)
    return sorted(found.values(), key=lambda r: r.code)


def _region_q(region: Region | None, prefix: str = "enterprise__") -> Q:
    if region is None:
        return Q()
    return Q(**{f"{prefix}region": region}) | Q(**{f"{prefix}region__parent": region})


def map_nodes(chain: IndustryChain, *, which: str = "current", region: Region | None = None) -> QuerySet[MapNode]:
    """The active nodes of the chain's current or target map with their strength
    (``annotate_strength``: the rule over every placed enterprise, or the override) and
    ``region_count``, the enterprises placed there of ``region`` (all of them without one)."""
    from django.db.models import Count

    qs = MapNode.objects.filter(chain=chain, is_active=True)
    qs = qs.filter(in_target=True) if which == "target" else qs.filter(in_current=True)
    placed = _placed(OuterRef("pk")).filter(_region_q(region)).annotate(n=Count("pk")).values("n")
    return annotate_strength(qs).annotate(
        region_count=Coalesce(Subquery(placed, output_field=IntegerField()), 0),
    ).select_related("override_by").order_by("segment", "sort_order", "code")


def _segment_rank(node: MapNode) -> int:
    return SEGMENT_COLUMN.get(node.segment, 1)


def map_data(chain: IndustryChain, *, which: str = "current", region: Region | None = None) -> dict[str, Any]:
    """What the map page draws (and embeds as JSON for its script): the nodes in three columns
    (upstream, midstream, downstream) with their strength, counts and position hints, the
    links between them on this map, the names of the enterprises placed on each (of ``region``
if given) and each node's page. Three queries."""
    from django.urls import reverse

    which = which if which in MAPS else "current"
    nodes = sorted(map_nodes(chain, which=which, region=region), key=lambda n: (_segment_rank(n), n.sort_order, n.code))
    rows: dict[int, int] = {}
    out: list[dict[str, Any]] = []
    for node in nodes:
        column = _segment_rank(node)
        row = rows.get(column, 0)
        rows[column] = row + 1
        out.append({
            "code": node.code, "name": node.name, "segment": node.segment,
            "segment_label": str(Segment(node.segment).label), "strength": node.strength,  # type: ignore[attr-defined]
            "strength_label": str(Strength(node.strength).label),  # type: ignore[attr-defined]
            "rule_strength": node.rule_strength,  # type: ignore[attr-defined]
            "overridden": bool(node.strength_override), "override_reason": node.override_reason,
            "enterprise_count": node.enterprise_count,  # type: ignore[attr-defined]
            "region_count": node.region_count,  # type: ignore[attr-defined]
            "above_scale_count": node.above_scale_count,  # type: ignore[attr-defined]
            "output_total": float(node.output_total),  # type: ignore[attr-defined]
            "in_current": node.in_current, "in_target": node.in_target,
            "column": column, "row": row,
            "url": reverse("chains:node", args=[chain.code, node.code]),
            "panel": reverse("chains:node_panel", args=[chain.code, node.code]),
        })
    codes = {n.pk: n.code for n in nodes}
    names: dict[int, list[str]] = {}
    placed = (Placement.objects.filter(node_id__in=codes, enterprise__is_active=True).filter(_region_q(region))
              .order_by("node_id", "-annual_output", "pk").values_list("node_id", "enterprise__name"))
    for node_id, enterprise in placed:
        names.setdefault(node_id, []).append(enterprise)
    for node, row_out in zip(nodes, out, strict=True):
        row_out["enterprises"] = names.get(node.pk, [])
    links = MapLink.objects.filter(chain=chain, source_id__in=codes, target_id__in=codes)
    links = links.filter(in_target=True) if which == "target" else links.filter(in_current=True)
    return {
        "which": which, "region": region.code if region else "",
        "nodes": out,
        "links": [{"id": link.pk, "source": codes[link.source_id], "target": codes[link.target_id]}
                  for link in links.order_by("pk")],
        "rows": max(rows.values(), default=0),
        "columns": [str(label) for _value, label in Segment.choices],
    }


def by_segment(nodes: list[dict[str, Any]]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """The map's nodes grouped 上游 / 中游 / 下游, as the phone's list and the printed table show them."""
    return [(value, str(label), [n for n in nodes if n["segment"] == value]) for value, label in Segment.choices]


@dataclass
class NodeDetail:
    """A node as its page and the map's side panel show it."""

    node: MapNode
    placements: list[Placement]
    projects: list[Any]
    project_lights: dict[int, Any]
    problems: list[WorkCase]
    leads: list[Lead]


def node_with_strength(chain: IndustryChain, code: str) -> MapNode | None:
    """The chain's node ``code`` (active or retired) with its strength annotations."""
    return annotate_strength(MapNode.objects.filter(chain=chain, code=code)).select_related(
        "chain", "override_by").first()


def node_detail(user: Actor, node: MapNode, *, region: Region | None = None) -> NodeDetail:
    """A node's enterprises (its placements, of ``region`` if given), the chain's projects of
    those enterprises and their open problems that the user may see (read live from
    ``projects`` and ``cases``, with their lights), and the 招商 leads that would fill it."""
    from yancheng.cases.models import OPEN_STATUSES, Light
    from yancheng.cases.selectors import annotate_lights
    from yancheng.projects.shared import enterprise_projects, lights_for_page

    placements = list(placements_visible_to(user, node.placements.filter(_region_q(region)))
                      .select_related("enterprise", "enterprise__region")
                      .order_by("-enterprise__is_active", "-annual_output", "pk"))
    ids = [p.enterprise_id for p in placements]
    projects = list(enterprise_projects(user, ids, node.chain).order_by("code")[:50]) if ids else []
    problems: list[WorkCase] = []
    if ids:
        problems = list(annotate_lights(WorkCase.objects.visible_to(user).filter(
            enterprise_id__in=ids, status__in=OPEN_STATUSES)).select_related("enterprise")
            .order_by(*["light_rank", "-pk"])[:50])  # light_rank: an annotation of annotate_lights
    leads = list(leads_visible_to(user).filter(node=node).select_related("owner_org").order_by("-pk"))
    lights = lights_for_page(projects) if projects else {}
    for project in projects:
        worst = lights[project.pk].worst if project.pk in lights else NONE
        setattr(project, "light", worst)  # noqa: B010 - shown beside the project in the panel
        setattr(project, "light_label", LIGHT_LABELS.get(worst, LIGHT_LABELS[NONE]))  # noqa: B010
    for case in problems:
        case.light_label = Light(case.light).label if case.light in Light.values else ""  # type: ignore[attr-defined]
    return NodeDetail(node=node, placements=placements, projects=projects, project_lights=lights, problems=problems,
                      leads=leads)
