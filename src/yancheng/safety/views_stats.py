"""统计: the safety figures for a month, a quarter or a year — by region (with the tile map),
system, supervising department and enterprise, the trend by month, and checks against the
plan by unit — each figure a link to the list it totals; .xlsx of every table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.exports import DOCX, download, stamped, wants_xlsx, xlsx_response
from yancheng.core.kit.require import require_page
from yancheng.core.models import Region
from yancheng.core.reference import tile_layout_for
from yancheng.core.typing import AuthenticatedHttpRequest
from yancheng.lib.charts import Axis, Series, Tile, bar_chart, tile_map
from yancheng.lib.xlsx import write_sheets

from .bulletin import bulletin_docx, bulletin_title, bulletin_xlsx
from .models import Bulletin
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
from .services.stats import bulletin_issue

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


# --- 安全生产通报 -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The 通报 issued (the 安委办 and leaders read them); a 安委办 issues a month's here."""
    require_page(request, "safety.view_bulletins")
    can_issue = rules.has_perm("safety.issue_bulletin", request.user)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    error = ""
    if request.method == "POST":
        if not can_issue:
            raise PermissionDenied
        try:
            month = dt.date.fromisoformat(f"{request.POST.get('month', '')}-01")
        except ValueError:
            error = _("请选择通报月份。")
        else:
            try:
                bulletin = bulletin_issue(month=month, actor=request.user)
            except ValidationFailed as exc:
                error = str(exc.message)
            else:
                messages.success(request, _("通报已印发：%(number)s") % {"number": bulletin.number})
                return redirect("safety:bulletin_list")
    bulletins = Bulletin.objects.visible_to(request.user).select_related("issuer", "issued_by")
    if wants_xlsx(request):
        return xlsx_response(_("安全生产通报"), [_("文号"), _("通报月份"), _("印发单位"), _("印发时间")], [
            [b.number, f"{b.month:%Y-%m}", b.issuer.name, timezone.localtime(b.issued_at)] for b in bulletins
        ])
    return render(request, "safety/stats/bulletins.html", {
        "bulletins": bulletins, "can_issue": can_issue, "error": error,
        "default_month": request.POST.get("month") or f"{last_month:%Y-%m}",
    }, status=400 if error else 200)


@login_required
@require_GET
def bulletin_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One 通报 as .docx (the 公文) or .xlsx (``?format=xlsx``)."""
    require_page(request, "safety.view_bulletins")
    bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user).select_related("issuer"), pk=pk)
    wanted = "xlsx" if request.GET.get("format") == "xlsx" else "docx"
    audit_record("safety.bulletin_download", bulletin, actor=request.user, after={"format": wanted})
    name = f"{bulletin_title(bulletin)}-{bulletin.issuer.short_name or bulletin.issuer.name}.{wanted}"
    if wanted == "xlsx":
        return download(bulletin_xlsx(bulletin), name)
    return download(bulletin_docx(bulletin), name, DOCX)
