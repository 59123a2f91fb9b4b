"""What the city dashboard (挂图作战) reads from the chains module: ``chain_panel``, one row per
chain the user reads — the light of its targets (the worst light of this year's targets), its
leads by stage, its gaps (缺 and 弱 nodes of the target map) and its red open problems — every
figure the count of the chain's list under the filter its link carries (targets ``light``,
leads ``stage``, the gap list, problems ``light=red``). The family selectors count; nothing is
counted twice. Chains are citywide: with a region chosen the panel still shows the city's
figures and says so (``citywide``).

Also the monthly ranking's chain terms (``ranking_terms``): see its docstring."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from yancheng.core.typing import Actor

from .models import LeadStage, MapNode
from .permissions import chains_visible_to
from .selectors import GREEN, LIGHT_LABELS, NONE, RED, YELLOW
from .selectors_leads import lead_list
from .selectors_map import gap_nodes
from .selectors_problems import red_problems
from .selectors_targets import targets_light_counts


def _url(route: str, code: str, **params: Any) -> str:
    return reverse(route, args=[code]) + ("?" + urlencode(params) if params else "")


def worst_light(counts: dict[str, int]) -> str:
    for light in (RED, YELLOW, GREEN):
        if counts.get(light):
            return light
    return NONE


def chain_panel(user: Actor, *, region: str = "", now: dt.datetime | None = None) -> dict[str, Any]:
    """The dashboard's 产业链 panel over the chains the user reads (see the module's docstring)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    chains = list(chains_visible_to(user).order_by("sort_order", "code"))
    targets = targets_light_counts(chains, today.year, today)
    leads: dict[int, Counter[str]] = {c.pk: Counter() for c in chains}
    for row in lead_list(user, today=today).order_by().values("chain_id", "stage").annotate(n=Count("pk")):
        leads.setdefault(row["chain_id"], Counter())[row["stage"]] = row["n"]
    gaps = Counter(gap_nodes(MapNode.objects.filter(chain__in=chains)).values_list("chain_id", flat=True))
    rows = []
    for chain in chains:
        counts = targets[chain.pk]
        light = worst_light(counts)
        year = {"year": today.year}
        problems_red = red_problems(chain, now=now).count()
        rows.append({
            "chain": chain, "url": reverse("chains:chain", args=[chain.code]),
            "target_light": light, "target_light_label": str(LIGHT_LABELS[light]),
            "target_count": counts[light] if light != NONE else counts["total"],
            "target_url": _url("chains:targets", chain.code, **year, **({"light": light} if light != NONE else {})),
            "stages": [{"stage": s, "count": leads[chain.pk][s], "url": _url("chains:leads", chain.code, stage=s)}
                       for s in LeadStage.values],
            "gaps": gaps.get(chain.pk, 0), "gaps_url": _url("chains:gaps", chain.code),
            "problems_red": problems_red, "problems_url": _url("chains:problems", chain.code, light=RED),
        })
    return {"rows": rows, "stages": [str(label) for label in LeadStage.labels], "citywide": bool(region),
            "year": today.year}
