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
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from yancheng.core.models import IndustryChain
from yancheng.core.typing import Actor

from .models import Cadence, ChainProfile, ChainTarget, Lead, LeadStage, MapNode
from .permissions import chains_visible_to
from .selectors import GREEN, LIGHT_LABELS, NONE, RED, YELLOW
from .selectors_leads import lead_list
from .selectors_map import gap_nodes
from .selectors_problems import red_problems
from .selectors_targets import actual_share, targets_light_counts, targets_of


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


# --- the monthly ranking's chain terms (unit ranking) ----------------------------------------------

RANKING_TERMS = ("lead_conversion_rate", "target_completion_rate")


def conversion_leads(start: dt.datetime, end: dt.datetime) -> QuerySet[Lead]:
    """The leads 招商转化率 counts for the window [start, end): registered before its end and not
    closed before its start (落地 dated before it, or 终止 with its last follow-up before it) —
    the leads registered in the window or open in it."""
    first = timezone.localdate(start)
    closed_before = (Q(stage=LeadStage.LANDED, landed_on__lt=first)
                     | Q(stage=LeadStage.DROPPED, last_activity_on__lt=first))
    return Lead.objects.filter(created_at__lt=end).exclude(closed_before)


def converted_q(end: dt.datetime) -> Q:
    """Reached 签约 or 落地 by the window's end, or converted into a project."""
    last = timezone.localdate(end - dt.timedelta(microseconds=1))
    return Q(signed_on__lte=last) | Q(landed_on__lte=last) | Q(project__isnull=False)


def completion_targets(start: dt.datetime, end: dt.datetime) -> list[tuple[ChainTarget, int, Decimal | None]]:
    """Every chain office's targets of the window's year as of its last month: (target, office
    id, its 序时完成率 — actual share ÷ expected share × 100, at most 100; None before any actual
    up to that month)."""
    last = timezone.localdate(end - dt.timedelta(microseconds=1))
    offices = dict(ChainProfile.objects.filter(office__isnull=False).values_list("chain_id", "office_id"))
    out: list[tuple[ChainTarget, int, Decimal | None]] = []
    for target in targets_of(IndustryChain.objects.filter(pk__in=list(offices)), [last.year]):
        upto = last.month if target.cadence == Cadence.MONTHLY else last.month // 3
        actuals = [a for a in target.actuals.all() if a.period <= upto]
        value: Decimal | None = None
        if actuals:
            latest = max(actuals, key=lambda a: a.period)
            expected = Decimal(latest.period) / Decimal(target.periods_per_year)
            value = min(actual_share(target, latest.value) / expected, Decimal(1)) * 100
            value = max(value, Decimal(0))
        out.append((target, offices[target.chain_id], value))
    return out


def ranking_terms(start: dt.datetime, end: dt.datetime) -> dict[int, dict[str, Any]]:
    """Per organisation id, for the unit ranking of the window [start, end):

    - 招商转化率: ``leads_counted`` (the unit's leads of ``conversion_leads``) and
      ``leads_converted`` (of them, ``converted_q``);
    - 目标完成率: ``targets_counted`` (the targets of the chains the unit runs as 链办 with an
      actual up to the window's month) and ``target_completion`` (their mean 序时完成率, %)."""
    terms: dict[int, dict[str, Any]] = {}
    rows = conversion_leads(start, end).order_by().values("owner_org_id").annotate(
        n=Count("pk"), converted=Count("pk", filter=converted_q(end)))
    for row in rows:
        terms.setdefault(row["owner_org_id"], {}).update(leads_counted=row["n"], leads_converted=row["converted"])
    sums: dict[int, list[Decimal]] = {}
    for _target, office, value in completion_targets(start, end):
        if value is not None:
            sums.setdefault(office, []).append(value)
    for office, values in sums.items():
        terms.setdefault(office, {}).update(targets_counted=len(values),
                                            target_completion=sum(values, Decimal(0)) / len(values))
    return terms


def ranking_counted(user: Actor, entity: int, start: dt.datetime, end: dt.datetime) -> dict[str, tuple[int, list[Any]]]:
    """For one unit: each chain term's (count, the items the user may read) — the leads
    招商转化率 counted (each with ``converted``) and the targets 产业链目标完成率 averaged (each
    with its ``completion``), for the ranking's "counted" page."""
    from django.db.models import BooleanField, Value, When
    from django.db.models import Case as SqlCase

    from .permissions import leads_visible_to

    leads = conversion_leads(start, end).filter(owner_org_id=entity).annotate(converted=SqlCase(
        When(converted_q(end), then=Value(True)), default=Value(False), output_field=BooleanField(),
    )).select_related("chain").order_by("chain__sort_order", "number")
    targets = [(t, v) for t, office, v in completion_targets(start, end) if office == entity and v is not None]
    readable = set(chains_visible_to(user).values_list("pk", flat=True))
    return {
        "lead_conversion_rate": (leads.count(), list(leads.filter(pk__in=leads_visible_to(user).values("pk"))[:500])),
        "target_completion_rate": (len(targets), [{"target": t, "completion": v.quantize(Decimal("0.1"))}
                                                  for t, v in targets if t.chain_id in readable]),
    }
