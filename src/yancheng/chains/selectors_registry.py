"""Reads of the registry family: the landing's row per chain (who runs it and its counts, in a
fixed number of queries however many chains), a chain's member enterprises with their nodes,
and the development path's versions with a line diff between two of them."""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from yancheng.core.models import Enterprise, IndustryChain, Region
from yancheng.core.typing import MaybeActor

from .models import ChainPath, ChainProfile, Lead, LeadStage, MapNode, Placement, Strength
from .permissions import chains_visible_to
from .selectors_map import annotate_strength

# A lead still being worked: not yet 落地 and not given up.
OPEN_LEAD_STAGES = (LeadStage.CONTACT, LeadStage.NEGOTIATING, LeadStage.SIGNED)


@dataclass
class ChainRow:
    """One chain on the landing page."""

    chain: IndustryChain
    profile: ChainProfile | None
    enterprises: int = 0
    open_leads: int = 0
    strengths: dict[str, int] = field(default_factory=dict)

    @property
    def nodes(self) -> int:
        return sum(self.strengths.values())


def member_pairs(chain_ids: list[int]) -> set[tuple[int, int]]:
    """(chain id, enterprise id) of every member enterprise of the given chains — tagged with
    the chain, placed on its map or its 链主 — the rule of ``selectors.chain_enterprises``
    read for many chains at once (three queries)."""
    tagged = Enterprise.chains.through.objects.filter(industrychain_id__in=chain_ids)
    pairs = set(tagged.values_list("industrychain_id", "enterprise_id"))
    pairs |= set(Placement.objects.filter(node__chain_id__in=chain_ids).values_list("node__chain_id", "enterprise_id"))
    masters = ChainProfile.masters.through.objects.filter(chainprofile__chain_id__in=chain_ids)
    pairs |= set(masters.values_list("chainprofile__chain_id", "enterprise_id"))
    return pairs


def landing_rows(user: MaybeActor | None) -> list[ChainRow]:
    """The chains the user reads, each with its 链长 and office, its member enterprises, its
    active nodes by strength (强/弱/缺, ``annotate_strength``) and its open leads."""
    chains = list(chains_visible_to(user).select_related("profile__leader", "profile__office")
                  .order_by("sort_order", "code"))
    ids = [c.pk for c in chains]
    rows = {c.pk: ChainRow(chain=c, profile=getattr(c, "profile", None)) for c in chains}
    if not ids:
        return []
    for chain_id, _enterprise_id in member_pairs(ids):
        rows[chain_id].enterprises += 1
    nodes = annotate_strength(MapNode.objects.filter(chain_id__in=ids, is_active=True)).values_list(
        "chain_id", "strength")  # type: ignore[misc]  # an annotation of annotate_strength
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for chain_id, strength in nodes:
        counts[chain_id][strength] += 1
    for chain_id, counter in counts.items():
        rows[chain_id].strengths = {s: counter.get(s, 0) for s in Strength.values}
    leads = (Lead.objects.filter(chain_id__in=ids, stage__in=OPEN_LEAD_STAGES).order_by()
             .values("chain_id").annotate(n=Count("pk")))
    for row in leads:
        rows[row["chain_id"]].open_leads = row["n"]
    return list(rows.values())


def chain_strengths(chain: IndustryChain) -> dict[str, int]:
    """The chain's active nodes by strength."""
    counter = Counter(annotate_strength(MapNode.objects.filter(chain=chain, is_active=True))
                      .values_list("strength", flat=True))  # type: ignore[misc]  # annotate_strength's
    return {s: counter.get(s, 0) for s in Strength.values}


def current_path(chain: IndustryChain) -> ChainPath | None:
    return ChainPath.objects.filter(chain=chain).select_related("author").order_by("-number").first()


def enterprises_filtered(chain: IndustryChain, params: Any) -> QuerySet[Enterprise]:
    """The chain's member enterprises (``chain_enterprises``' rule) with the list's filters:
    ``region`` (a region code) and ``q`` (name or 统一社会信用代码); each carries
    ``chain_nodes``, its placements on this chain's map, and ``is_master``."""
    from .selectors import chain_enterprises

    masters = ChainProfile.masters.through.objects.filter(chainprofile__chain=chain, enterprise_id=OuterRef("pk"))
    qs = (chain_enterprises(chain).select_related("region")
          .annotate(is_master=Exists(masters))
          .prefetch_related(Prefetch("chain_placements", to_attr="chain_nodes",
                                     queryset=Placement.objects.filter(node__chain=chain)
                                     .select_related("node").order_by("node__segment", "node__sort_order")))
          .order_by("region__code", "name", "pk"))
    region = (params.get("region") or "").strip()
    if region:
        qs = qs.filter(region__code=region[:12])
    q = (params.get("q") or "").strip()[:64]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__icontains=q))
    return qs


def enterprise_regions(chain: IndustryChain) -> QuerySet[Region]:
    """The regions the chain's enterprises are in (the region filter's choices)."""
    from .selectors import chain_enterprises

    return Region.objects.filter(pk__in=chain_enterprises(chain).values("region_id")).order_by("code")


def path_diff(older: str, newer: str) -> list[tuple[str, str]]:
    """A line diff from ``older`` to ``newer``: (``"same"``/``"added"``/``"removed"``, line)."""
    kinds = {" ": "same", "+": "added", "-": "removed"}
    return [(kinds[line[0]], line[2:]) for line in difflib.ndiff(older.splitlines(), newer.splitlines())
            if line[:1] in kinds]
