"""The map's reads: each node's enterprises, 规上 count and output, and its strength (强/弱/缺)
in SQL — the chain's rule unless the office overrode it. The map page, the gap list that
feeds 招商, the meetings' agenda, the 链长's home and the dashboard all read ``annotate_strength``.

The rule (minimums on the chain's ``ChainProfile``): no enterprise placed is 缺; at least
``strong_min_enterprises`` enterprises, of which ``strong_min_above_scale`` are 四上 (规上),
with a total annual output of ``strong_min_output`` 万元 or more, is 强; anything between is 弱.
A chain without a profile uses the model's defaults (3 enterprises, 1 规上, 5 亿元)."""

from __future__ import annotations

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

from .models import ChainProfile, MapNode, Placement, Strength

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
