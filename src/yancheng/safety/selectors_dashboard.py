"""What the dashboard (挂图作战) and the leader's home read from the safety module.

- ``safety_panel``: this month's hazards found and closed (on time, late), what is open now
  (overdue, 重大, under 督办) and this month's checks against the plan — the figures of
  ``selectors_stats`` over what the user may see, each with the list it totals.
- ``ranking_terms``: the monthly ranking's safety terms per region (按期整改率, 重大隐患逾期数).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yancheng.cases.models import Light
from yancheng.core.typing import Actor

from .models import Hazard, HazardLevel, HazardStage
from .models.hazards import OPEN_STAGES
from .selectors import annotate_hazard_lights
from .selectors_stats import HAZARD_FIGURE_LABELS, TASK_FIGURE_LABELS, hazard_totals, period_of, task_totals

PANEL_HAZARD_FIGURES = ("found", "major_found", "ontime", "late", "overdue_open", "major_open", "supervised_open")
PANEL_TASK_FIGURES = ("tasks", "done", "overdue")


def safety_panel(user: Actor, *, region: str = "", now: dt.datetime | None = None) -> dict[str, Any]:
    """The dashboard's 安全生产 panel for this month, narrowed to ``region`` (a code) when one is
    chosen. Checks against the plan are counted over the user's whole scope (a task belongs to
    a unit, not a place), so they are shown only without a region."""
    now = now or timezone.now()
    period = period_of("month", timezone.localtime(now).date())
    totals = hazard_totals(user, period, now=now, base={"region": region} if region else None)
    hazards = [{"figure": name, "label": str(HAZARD_FIGURE_LABELS[name]), "count": totals.counts[name],
                "url": totals.url(name)} for name in PANEL_HAZARD_FIGURES]
    checks: list[dict[str, Any]] = []
    if not region:
        tasks = task_totals(user, period, today=timezone.localtime(now).date())
        checks = [{"figure": name, "label": str(TASK_FIGURE_LABELS[name]), "count": tasks.counts[name],
                   "url": tasks.url(name)} for name in PANEL_TASK_FIGURES]
    return {"month": period.key, "hazards": hazards, "checks": checks}


def leader_figures(user: Actor, *, now: dt.datetime | None = None) -> dict[str, int]:
    """The leader's home: what is open now — overdue and 重大 — over the leader's scope."""
    period = period_of("month", timezone.localdate())
    counts = hazard_totals(user, period, now=now).counts
    return {"overdue_open": counts["overdue_open"], "major_open": counts["major_open"]}


# --- the monthly ranking's safety terms ---------------------------------------------------------------

RANKING_TERMS = ("hazard_ontime_rate", "major_hazards_overdue")


def ranking_terms(start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None) -> dict[int, dict[str, int]]:
    """Per region id, for the period [start, end): ``hazards_closed`` (销号 in the period) and
    ``hazards_on_time`` (of those, closed within their rectification deadline) — the
    按期整改率 — and ``major_hazards_overdue``: 重大隐患 open and past their deadline at the
    period's end (or now, when that is earlier). Over every hazard: the ranking is the city's."""
    at = min(end, now or timezone.now())
    lit = annotate_hazard_lights(Hazard.objects.order_by(), at)
    terms: dict[int, dict[str, int]] = {}
    closed = lit.filter(stage=HazardStage.CLOSED, closed_at__gte=start, closed_at__lt=end)
    for row in closed.values("region_id").annotate(n=Count("pk"), ontime=Count("pk", filter=Q(light=Light.ONTIME.value))):
        terms.setdefault(row["region_id"], {}).update(hazards_closed=row["n"], hazards_on_time=row["ontime"])
    overdue = lit.filter(level=HazardLevel.MAJOR, stage__in=OPEN_STAGES, reported_at__lt=end,
                         **{"light": Light.RED.value})  # the annotation of annotate_hazard_lights
    for late in overdue.values("region_id").annotate(n=Count("pk")):
        terms.setdefault(late["region_id"], {})["major_hazards_overdue"] = late["n"]
    return terms


TERM_LABELS = {"hazard_ontime_rate": _("隐患按期整改率"), "major_hazards_overdue": _("重大隐患逾期数")}
