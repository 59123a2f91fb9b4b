"""统计: the safety figures for a month, a quarter or a year — by region (with the tile map),
system, supervising department and enterprise, the trend by month, and checks against the
plan by unit — each figure a link to the list it totals; .xlsx of every table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from yancheng.core.audit.services import audit_record
from yancheng.core.kit.exports import download, stamped, wants_xlsx
from yancheng.core.kit.require import require_page
from yancheng.core.models import Region
from yancheng.core.reference import tile_layout_for
from yancheng.core.typing import AuthenticatedHttpRequest
from yancheng.lib.charts import Axis, Series, Tile, bar_chart, tile_map
from yancheng.lib.xlsx import write_sheets

from .selectors import _region_prefix
from .selectors_stats import (
    DIMENSION_LABELS,
    HAZARD_DIMENSIONS,
    HAZARD_FIGURE_LABELS,
    HAZARD_FIGURES,
    PERIOD_LABELS,
    PERIODS,
    TASK_FIGURE_LABELS,
    FigureRow,
    StatsPeriod,
    TaskRow,
    hazard_figures,
    hazard_list_url,
    hazard_totals,
    hazard_trend,
    period_of,
    task_figures,
    task_totals,
)

TASK_COLUMNS = ("tasks", "done", "overdue", "target", "checked")


def _period(request: AuthenticatedHttpRequest) -> StatsPeriod:
    try:
        anchor = dt.date.fromisoformat(request.GET.get("on") or "")
    except ValueError:
        anchor = timezone.localdate()
    return period_of(request.GET.get("period", "month"), anchor)


def _region_tiles(rows: list[FigureRow], period: StatsPeriod) -> list[Tile]:
    """The city's districts and counties where they lie, each with the hazards found in it
    (its sub-regions included) and the list it opens."""
    layout = tile_layout_for(settings.YANCHENG_CITY_CODE)
    if not layout:
        return []
    names = dict(Region.objects.filter(code__in=list(layout)).values_list("code", "name"))
    tiles = []
    for code, (x, y) in sorted(layout.items()):
        prefix = _region_prefix(code)
        found = sum(r.counts["found"] for r in rows if r.key.startswith(prefix))
        tiles.append(Tile(names.get(code, code), x, y, found, hazard_list_url({"region": code, "period": period.key})))
    return tiles


def statistics_data(user: Any, period: StatsPeriod) -> dict[str, Any]:
    now = timezone.now()
    today = timezone.localdate()
    tables = [
        {"name": dimension, "label": str(DIMENSION_LABELS[dimension]),
         "rows": hazard_figures(user, dimension, period, now=now)}
        for dimension in HAZARD_DIMENSIONS
    ]
    return {
        "totals": hazard_totals(user, period, now=now),
        "tables": tables,
        "trend": hazard_trend(user, period, now=now),
        "task_totals": task_totals(user, period, today=today),
        "task_tables": [
            {"name": dimension, "label": str(DIMENSION_LABELS[dimension]),
             "rows": task_figures(user, dimension, period, today=today)}
            for dimension in ("unit", "system")
        ],
    }


def _charts(data: dict[str, Any], period: StatsPeriod) -> dict[str, Any]:
    unit = pgettext("safety chart unit", "项")
    regions = data["tables"][0]["rows"]
    systems = data["tables"][1]["rows"]
    orgs = data["tables"][2]["rows"]
    trend = data["trend"]

    def found_and_overdue(rows: list[FigureRow]) -> dict[str, Any] | None:
        if not rows:
            return None
        return bar_chart([r.label for r in rows], [Axis(unit, whole=True)], [
            Series(HAZARD_FIGURE_LABELS["found"], [r.counts["found"] for r in rows]),
            Series(HAZARD_FIGURE_LABELS["overdue_open"], [r.counts["overdue_open"] for r in rows], colour="#c01c28"),
        ], horizontal=True)

    return {"charts": {
        "region_map": tile_map(_region_tiles(regions, period), unit),
        "regions": found_and_overdue(regions),
        "systems": found_and_overdue(systems),
        "orgs": found_and_overdue(orgs),
        "trend": bar_chart([r.label for r in trend], [Axis(unit, whole=True)], [
            Series(HAZARD_FIGURE_LABELS["found"], [r.counts["found"] for r in trend]),
            Series(HAZARD_FIGURE_LABELS["ontime"], [r.counts["ontime"] for r in trend], colour="#2ec27e"),
            Series(HAZARD_FIGURE_LABELS["overdue_open"], [r.counts["overdue_open"] for r in trend], colour="#c01c28"),
        ]),
    }}


def statistics_sheets(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """Every table of the page as a sheet: the figures, then the rates."""
    headers = [str(HAZARD_FIGURE_LABELS[name]) for name in HAZARD_FIGURES] + [_("按期整改率（%）")]

    def hazard_rows(rows: list[FigureRow]) -> list[list[Any]]:
        return [[r.label, *(r.counts[name] for name in HAZARD_FIGURES), r.rate("ontime", "found")] for r in rows]

    def task_rows(rows: list[TaskRow]) -> list[list[Any]]:
        return [[r.label, *(r.counts[name] for name in TASK_COLUMNS), r.done_rate] for r in rows]

    sheets: list[tuple[str, list[str], list[list[Any]]]] = []
    for table in data["tables"]:
        sheets.append((table["label"], [table["label"], *headers], hazard_rows([*table["rows"], data["totals"]])))
    sheets.append((str(DIMENSION_LABELS["month"]), [str(DIMENSION_LABELS["month"]), *headers], hazard_rows(data["trend"])))
    task_headers = [str(TASK_FIGURE_LABELS[name]) for name in TASK_COLUMNS] + [_("完成率（%）")]
    for table in data["task_tables"]:
        title = _("检查计划·%(by)s") % {"by": table["label"]}
        sheets.append((title, [table["label"], *task_headers], task_rows([*table["rows"], data["task_totals"]])))
    return sheets


@login_required
@require_GET
def statistics(request: AuthenticatedHttpRequest) -> HttpResponse:
    """隐患排查治理统计: the figures of the period chosen, over what the user may see."""
    require_page(request, "safety.view_statistics")
    period = _period(request)
    data = statistics_data(request.user, period)
    if wants_xlsx(request):
        audit_record("safety.statistics_export", actor=request.user, object_type="safety.hazard",
                     after={"period": period.key})
        return download(write_sheets(statistics_sheets(data)), stamped(_("安全生产统计-%(period)s") % {"period": period.key}))
    return render(request, "safety/stats/statistics.html", {
        **data, "period": period, "kind": period.kind, "anchor": period.first.isoformat(),
        "periods": [(p, PERIOD_LABELS[p]) for p in PERIODS],
        "previous": period.previous().first.isoformat(), "next": period.following().first.isoformat(),
        "figure_labels": [HAZARD_FIGURE_LABELS[name] for name in HAZARD_FIGURES],
        "task_labels": [TASK_FIGURE_LABELS[name] for name in TASK_COLUMNS],
        "charts": _charts(data, period),
    })
