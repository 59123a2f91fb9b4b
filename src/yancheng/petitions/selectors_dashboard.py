"""The reads the dashboard (挂图作战) and the monthly ranking take from the petitions module.

- ``annotate_petition_lights``: a matter's light in SQL — the light of its current clock.
  A matter waiting to be transferred (已登记) runs on the 15日 transfer clock
  (``transfer_due_at``: red once past, yellow in its last third, green before); a matter in
  复查/复核 on its review's case; any other matter with a handling case on that case's light
  (``Case.objects.with_lights``: waiting, paused, on time, late…); one without a case has none.
- ``petition_panel``: the dashboard's 信访 panel — counts by light, type, region and handling
  organ, every figure with the URL of ``petitions:petition_list`` filtered to it. Counts
  only what ``Petition.objects.visible_to(user)`` returns, so a 检举控告 is never counted
  for the organ complained about (a count of one would tell it that one exists).
- ``ranking_terms`` / ``ranking_counted``: the ranking's petition terms per region or
  handling organ for a period (按期办结率, 满意率, 重复信访率), and the matters behind them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yancheng.cases.models import Light
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from .models import Petition, PetitionType, Rating, Stage
from .selectors import UNCLASSIFIED, annotate_lights

# The last third of the 15日 transfer clock, as the engine's default yellow threshold (33 %).
PANEL_LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN, Light.PAUSED, Light.WAITING, Light.ONTIME, Light.LATE,
                Light.NONE)
REVIEW_STAGES = (Stage.REVIEWING, Stage.RECHECKING)
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY)


annotate_petition_lights = annotate_lights  # one rule for the list, the panel and the to-dos


def petition_list_url(**params: str) -> str:
    """``petitions:petition_list`` with the list's own filter names (stage, type, channel,
    topic, region — a region code —, organ — the handling organ's id —, light)."""
    query = urlencode({k: v for k, v in params.items() if v})
    base = reverse("petitions:petition_list")
    return f"{base}?{query}" if query else base


def dashboard_petitions(user: Actor, *, region: str = "") -> QuerySet[Petition]:
    """The matters the dashboard counts for ``user``: what they may see (``visible_to``),
    in the dashboard's region (a region code) when one is chosen."""
    qs = Petition.objects.visible_to(user)
    if region:
        qs = qs.filter(region__code=region)
    return qs.order_by()


def petition_panel(user: Actor, *, region: str = "") -> dict[str, Any]:
    """Counts by light, type, region and handling organ (four grouped queries), each with
    the link to the list showing the same matters."""
    # A matter seen through two reviews of the user's organ would appear twice in the
    # grouped counts (visible_to joins the reviews): count over the ids, once each.
    qs = Petition.objects.filter(pk__in=dashboard_petitions(user, region=region).values("pk")).order_by()
    link = {"region": region}

    # Two grouped queries: (light, handling organ) and (type, region).
    by_light: dict[str, int] = defaultdict(int)
    organs: dict[int, dict[str, int]] = defaultdict(lambda: {"count": 0, "red": 0, "yellow": 0})
    for row in annotate_petition_lights(qs).values(*["light", "handling_org_id"]).annotate(n=Count("pk")):
        by_light[row["light"]] += row["n"]
        if row["handling_org_id"] is not None:
            tally = organs[row["handling_org_id"]]
            tally["count"] += row["n"]
            if row["light"] in (Light.RED.value, Light.YELLOW.value):
                tally[row["light"]] += row["n"]
    by_type: dict[str, int] = defaultdict(int)
    by_region: dict[tuple[str, str], int] = defaultdict(int)
    for row in qs.values("petition_type", "region__code", "region__name").annotate(n=Count("pk")):
        by_type[row["petition_type"]] += row["n"]
        by_region[(row["region__code"], row["region__name"])] += row["n"]

    light_rows = [
        {"light": light.value, "label": str(light.label), "count": by_light.get(light.value, 0),
         "url": petition_list_url(light=light.value, **link)}
        for light in PANEL_LIGHTS
    ]
    type_rows: list[dict[str, Any]] = [
        {"type": value, "label": str(label), "count": by_type.get(value, 0),
         "url": petition_list_url(type=value, **link)}
        for value, label in PetitionType.choices
    ]
    type_rows.append({"type": UNCLASSIFIED, "label": str(_("未分类")), "count": by_type.get("", 0),
                      "url": petition_list_url(type=UNCLASSIFIED, **link)})
    region_rows = [
        {"code": code, "name": name, "count": n, "url": petition_list_url(region=code)}
        for (code, name), n in sorted(by_region.items())
    ]
    names = dict(Organisation.objects.filter(pk__in=list(organs)).values_list("pk", "name"))
    organ_rows: list[dict[str, Any]] = []
    for org_id, counts in organs.items():
        organ = str(org_id)
        organ_rows.append({
            "id": org_id, "name": names.get(org_id, organ), **counts,
            "url": petition_list_url(organ=organ, **link),
            "red_url": petition_list_url(organ=organ, light=Light.RED.value, **link),
            "yellow_url": petition_list_url(organ=organ, light=Light.YELLOW.value, **link),
        })
    organ_rows.sort(key=lambda r: (-r["red"], -r["yellow"], -r["count"], r["name"]))

    total = sum(r["count"] for r in type_rows)
    return {
        "total": total,
        "url": petition_list_url(**link),
        "light_rows": light_rows,
        "type_rows": type_rows,
        "region_rows": region_rows,
        "organ_rows": organ_rows,
    }


# --- the monthly ranking's petition terms --------------------------------------------------------


@dataclass(frozen=True)
class PetitionCounted:
    """What the ranking's petition terms count for a period, before grouping: each queryset
    with the field that names the region (id) or the handling organ (organisation id)."""

    concluded: QuerySet[Petition]  # concluded by the organ in the period (its case resolved)
    rated: QuerySet[Petition]  # rated by the petitioner in the period
    filed: QuerySet[Petition]  # registered in the period (the repeat rate's whole)
    key: str  # the grouping field of concluded and rated
    filed_key: str  # the grouping field of filed


ON_TIME = (
    Q(case__resolved_at__lte=F("case__solve_due_at"))
    # 受理告知 within its 15日 (the case's accept deadline), when the case had that clock.
    & (Q(case__accept_due_at__isnull=True) | Q(case__accepted_at__lte=F("case__accept_due_at")))
)
REPEAT = Q(earlier__isnull=False) | Q(duplicate_of__isnull=False)
RATED_SATISFIED = Q(rating_result__in=SATISFIED)


def counted(kind_is_region: bool, start: dt.datetime, end: dt.datetime) -> PetitionCounted:
    """The matters the ranking counts in [start, end).

    - 信访按期办结率: matters whose handling case was resolved in the period; on time when
      the 受理告知 was within its limit and the matter concluded by its deadline;
    - 信访满意率: matters rated in the period, 满意 or 基本满意 of those rated (the result);
    - 重复信访率: matters registered in the period that repeat an earlier one (同一事项的前次
      信访, or 重复信访 of one still running), of all registered. A filing is charged to its
      handling organ, or when it has none yet to the organ that handled the matter it repeats.
    """
    key = "region_id" if kind_is_region else "handling_org_id"
    filed = Petition.objects.filter(registered_at__gte=start, registered_at__lt=end)
    if kind_is_region:
        filed_key = "region_id"
    else:
        filed = filed.annotate(charged_org=Coalesce("handling_org_id", "earlier__handling_org_id",
                                                    "duplicate_of__handling_org_id"))
        filed_key = "charged_org"
    return PetitionCounted(
        concluded=Petition.objects.filter(case__resolved_at__gte=start, case__resolved_at__lt=end,
                                          case__solve_due_at__isnull=False),
        rated=Petition.objects.filter(rated_at__gte=start, rated_at__lt=end).exclude(rating_result=""),
        filed=filed,
        key=key,
        filed_key=filed_key,
    )


def ranking_terms(kind_is_region: bool, start: dt.datetime, end: dt.datetime) -> dict[Any, dict[str, int]]:
    """Raw counts per region id or organisation id (three grouped queries):
    ``petitions_concluded``/``petitions_on_time``, ``petitions_rated``/``petitions_satisfied``,
    ``petitions_filed``/``petitions_repeated``."""
    c = counted(kind_is_region, start, end)
    data: dict[Any, dict[str, int]] = defaultdict(dict)
    for row in (c.concluded.values(c.key).annotate(n=Count("pk"), ok=Count("pk", filter=ON_TIME)).order_by()):
        data[row[c.key]].update(petitions_concluded=row["n"], petitions_on_time=row["ok"])
    for row in c.rated.values(c.key).annotate(n=Count("pk"), ok=Count("pk", filter=RATED_SATISFIED)).order_by():
        data[row[c.key]].update(petitions_rated=row["n"], petitions_satisfied=row["ok"])
    for row in c.filed.values(c.filed_key).annotate(n=Count("pk"), again=Count("pk", filter=REPEAT)).order_by():
        data[row[c.filed_key]].update(petitions_filed=row["n"], petitions_repeated=row["again"])
    data.pop(None, None)
    return data


def ranking_counted(
    user: Actor, kind_is_region: bool, entity: int, start: dt.datetime, end: dt.datetime
) -> dict[str, tuple[int, list[Petition]]]:
    """For one region or organ: each term's (count, the matters the user may see), so the
    page behind a ranking's number lists them. A matter the user may not open is counted
    but not listed, a 检举控告 about the user's own organ like any other: the count must
    equal the ranking's own number (a smaller one would tell the organ an accusation exists),
    and "not shown" is what every matter of another organ already is."""
    c = counted(kind_is_region, start, end)
    visible = Petition.objects.visible_to(user).values("pk")
    concluded = c.concluded.filter(**{c.key: entity}).annotate(
        on_time=SqlCase(When(ON_TIME, then=Value(True)), default=Value(False))
    ).select_related("handling_org", "case").order_by("case__resolved_at", "pk")
    rated = c.rated.filter(**{c.key: entity}).select_related("handling_org").order_by("rated_at", "pk")
    filed = c.filed.filter(**{c.filed_key: entity}).filter(REPEAT).select_related("handling_org").order_by(
        "registered_at", "pk")
    limit = 500
    return {
        "petition_ontime_rate": (concluded.count(), list(concluded.filter(pk__in=visible)[:limit])),
        "petition_satisfaction_rate": (rated.count(), list(rated.filter(pk__in=visible)[:limit])),
        "petition_repeat_rate": (filed.count(), list(filed.filter(pk__in=visible)[:limit])),
    }
