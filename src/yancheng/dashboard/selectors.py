"""Reads of the dashboard: the city view (挂图作战) aggregated in SQL over what the user
may see, the late-node list behind its number, and the quarterly review and annual
assessment built from the frozen monthly snapshots (never from live data)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import rules
from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from yancheng.cases.models import Case, CaseTask, EscalationLevel, Light, Satisfaction
from yancheng.cases.selectors import InboxFilters, inbox, light_counts
from yancheng.chains.selectors_dashboard import chain_panel
from yancheng.chains.selectors_dashboard import ranking_counted as chains_counted
from yancheng.core.models import IndustryChain, Organisation, Region
from yancheng.core.typing import Actor
from yancheng.lib.charts import Axis, Series, bar_chart, pie_chart
from yancheng.petitions.selectors_dashboard import petition_panel
from yancheng.petitions.selectors_dashboard import ranking_counted as petitions_counted
from yancheng.projects.models import AnnualPlan, MonthlyReport, Node, Project, Stage
from yancheng.projects.selectors import ProjectFilters, project_list
from yancheng.safety.selectors_dashboard import safety_panel

from .models import METRICS, RankingKind, RankingSnapshot
from .permissions import region_scope
from .rankings import RANKED_REGION_KINDS, Month, counted

MONEY = DecimalField(max_digits=16, decimal_places=2)
DASHBOARD_LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN, Light.PAUSED, Light.WAITING, Light.ONTIME, Light.LATE)
# The cases' labels, except a shorter one for 挂起 on the dashboard's narrow tiles.
LIGHT_LABELS = {**{light: light.label for light in DASHBOARD_LIGHTS}, Light.PAUSED: _("已挂起")}


@dataclass(frozen=True)
class DashboardFilters:
    region: str = ""  # region code
    chain: str = ""  # chain code
    year: int = 0
    month: int = 0  # 0: the whole year (up to the current month)

    @classmethod
    def from_params(cls, params: Any, user: Actor, today: dt.date | None = None) -> DashboardFilters:
        today = today or timezone.localdate()
        region = str(params.get("region", "") or "").strip()[:12]
        scope = region_scope(user)
        if scope:
            region = scope  # a county's office sees its own region only
        year = _int(params.get("year"), today.year, 2000, 2100)
        month = _int(params.get("month"), 0, 0, 12)
        return cls(region=region, chain=str(params.get("chain", "") or "").strip()[:32], year=year, month=month)

    @property
    def as_of(self) -> dt.date:
        """The day the period's figures are taken at: the end of the chosen month (or
        year), but never later than today."""
        today = timezone.localdate()
        end = Month(self.year, self.month).last if self.month else dt.date(self.year, 12, 31)
        return min(end, today)

    @property
    def report_month(self) -> dt.date:
        """The last monthly report that counts for the period (first of that month)."""
        return self.as_of.replace(day=1)

    def params(self) -> dict[str, str]:
        out = {"region": self.region, "chain": self.chain, "year": str(self.year)}
        if self.month:
            out["month"] = str(self.month)
        return {k: v for k, v in out.items() if v}


def _int(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _url(name: str, fallback: str, **params: str) -> str:
    try:
        base = reverse(name)
    except NoReverseMatch:
        base = fallback
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{base}?{query}" if query else base


def project_list_url(**params: str) -> str:
    return _url("projects:project_list", "/projects/", **params)


def case_inbox_url(**params: str) -> str:
    return _url("cases:case_inbox", "/cases/", **params)


def _pct(part: Decimal | None, whole: Decimal | None) -> float | None:
    if not whole:
        return None
    return float((Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def dashboard_projects(user: Actor, filters: DashboardFilters) -> QuerySet[Project]:
    """The projects behind the dashboard: exactly the registry list with the same filters."""
    return project_list(user, ProjectFilters(region=filters.region, chain=filters.chain)).order_by()


def overview(user: Actor, filters: DashboardFilters) -> dict[str, Any]:
    """Every number of the city view, each with the URL of the list behind it."""
    projects = dashboard_projects(user, filters)
    link = {"region": filters.region, "chain": filters.chain}

    # Projects by stage (1 query).
    by_stage: dict[str, dict[str, Any]] = {
        row["stage"]: dict(row)
        for row in projects.values("stage").annotate(n=Count("pk"), investment=Sum("total_investment"))
    }
    stage_rows = [
        {
            "stage": value,
            "label": str(label),
            "count": by_stage.get(value, {}).get("n", 0),
            "investment": by_stage.get(value, {}).get("investment") or Decimal(0),
            "url": project_list_url(stage=value, **link),
        }
        for value, label in Stage.choices
    ]

    # Projects by region, with investment against the year's plan (1 query).
    plan = Subquery(
        AnnualPlan.objects.filter(project=OuterRef("pk"), year=filters.year).values("planned_investment")[:1],
        output_field=MONEY,
    )
    ytd = Subquery(
        MonthlyReport.objects.filter(
            project=OuterRef("pk"), month__gte=dt.date(filters.year, 1, 1), month__lte=filters.report_month
        )
        .order_by("-month")
        .values("invested_ytd")[:1],
        output_field=MONEY,
    )
    region_rows = []
    for row in (
        projects.annotate(plan=Coalesce(plan, Decimal(0), output_field=MONEY),
                          ytd=Coalesce(ytd, Decimal(0), output_field=MONEY))
        .values("region__code", "region__name")
        .annotate(n=Count("pk"), investment=Sum("total_investment"), planned=Sum("plan"), invested=Sum("ytd"))
        .order_by("region__code")
    ):
        region_rows.append(
            {
                "code": row["region__code"],
                "name": row["region__name"],
                "count": row["n"],
                "investment": row["investment"] or Decimal(0),
                "planned": row["planned"] or Decimal(0),
                "invested": row["invested"] or Decimal(0),
                "rate": _pct(row["invested"], row["planned"]),
                "url": project_list_url(region=row["region__code"], chain=filters.chain),
                # The plan and what was done against it count the projects with a plan for the year.
                "plan_url": project_list_url(region=row["region__code"], chain=filters.chain,
                                             plan_year=str(filters.year)),
            }
        )
    planned_total = sum((r["planned"] for r in region_rows), Decimal(0))
    invested_total = sum((r["invested"] for r in region_rows), Decimal(0))

    # Late nodes as of the period's end (1 query).
    as_of = filters.as_of
    late_nodes = late_node_list(user, filters).count()

    # Cases: by light (1 query), escalations (1 query), by lead unit (3 queries).
    all_cases = inbox(user, InboxFilters(region=filters.region, scope="all")).order_by()
    lights = light_counts(all_cases)
    case_link = {"region": filters.region, "scope": "all"}
    light_rows = [
        {"light": name, "label": str(LIGHT_LABELS[name]), "count": lights.get(name, 0), "url": case_inbox_url(light=name, **case_link)}
        for name in DASHBOARD_LIGHTS
    ]
    escalation = all_cases.aggregate(
        **{f"l{level}": Count("pk", filter=Q(escalation_level__gte=level)) for level in (1, 2, 3)}
    )
    escalation_rows = [
        {"level": level, "label": str(EscalationLevel(level).label), "count": escalation[f"l{level}"],
         "url": case_inbox_url(escalation=str(level), **case_link)}
        for level in (1, 2, 3)
    ]
    unit_rows = units_overview(user, filters)

    return {
        "stage_rows": stage_rows,
        "region_rows": region_rows,
        "project_total": {
            "count": sum(r["count"] for r in stage_rows),
            "investment": sum((r["investment"] for r in stage_rows), Decimal(0)),
            "url": project_list_url(**link),
        },
        "investment": {
            "planned": planned_total,
            "invested": invested_total,
            "rate": _pct(invested_total, planned_total),
            "url": project_list_url(plan_year=str(filters.year), **link),
        },
        "late_nodes": {"count": late_nodes, "as_of": as_of, "url": _url("dashboard:late_nodes", "",
                                                                        **filters_params(filters))},
        "light_rows": light_rows,
        "escalation_rows": escalation_rows,
        "unit_rows": unit_rows,
        # 信访: for those who may see matters (and only the matters they may see).
        "petitions": petition_panel(user, region=filters.region)
        if rules.has_perm("petitions.view_list", user) else None,
        # 安全生产: for those who may see the safety figures (over the hazards they may see).
        "safety": safety_panel(user, region=filters.region) if rules.has_perm("safety.view_statistics", user) else None,
        # 产业链: for those who read chains (the chains they read; citywide figures).
        "chains": chain_panel(user, region=filters.region) if rules.has_perm("chains.view_module", user) else None,
    }


@dataclass(frozen=True)
class OverviewSnapshot:
    data: dict[str, Any]
    taken_at: dt.datetime
    cached_for: int  # seconds; 0 when counted for this request only

    @property
    def cached_minutes(self) -> int:
        return max(1, round(self.cached_for / 60))


def overview_snapshot(user: Actor, filters: DashboardFilters, *, refresh: bool = False) -> OverviewSnapshot:
    """``overview`` kept for YANCHENG_DASHBOARD_CACHE_SECONDS. The key holds the user, their
    role and unit (what they may see), the language (the labels) and the filters, so no one
    is ever shown figures counted for somebody else."""
    seconds = settings.YANCHENG_DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return OverviewSnapshot(overview(user, filters), timezone.now(), 0)
    key = "dashboard:overview:" + urlencode({
        "user": user.pk, "role": getattr(user, "role", ""), "org": getattr(user, "organisation_id", "") or "",
        "lang": get_language() or "", **filters.params(),
    })
    if not refresh:
        kept = cache.get(key)
        if isinstance(kept, OverviewSnapshot):
            return kept
    snapshot = OverviewSnapshot(overview(user, filters), timezone.now(), seconds)
    cache.set(key, snapshot, seconds)
    return snapshot


def filters_params(filters: DashboardFilters) -> dict[str, str]:
    return filters.params()


def units_overview(user: Actor, filters: DashboardFilters) -> list[dict[str, Any]]:
    """Cases in the inbox's default scope per unit (主办 or 协办, as the inbox's unit filter
    counts them), with the red and yellow ones; three grouped queries."""
    base = inbox(user, InboxFilters(region=filters.region)).order_by()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"total": 0, "red": 0, "yellow": 0})
    red, yellow = Q(**{"light": Light.RED.value}), Q(**{"light": Light.YELLOW.value})
    lead_rows: Any = (
        base.filter(lead_org__isnull=False)
        .values("lead_org_id")
        .annotate(total=Count("pk"), red=Count("pk", filter=red), yellow=Count("pk", filter=yellow))
    )
    for row in lead_rows:
        counts[row["lead_org_id"]].update(total=row["total"], red=row["red"], yellow=row["yellow"])
    task_rows: Any = (
        CaseTask.objects.filter(case_id__in=base.values("pk"))
        .exclude(case__lead_org_id=F("org_id"))
        .values("org_id")
        .annotate(
            total=Count("case_id", distinct=True),
            red=Count("case_id", distinct=True, filter=Q(case_id__in=base.filter(red).values("pk"))),
            yellow=Count("case_id", distinct=True, filter=Q(case_id__in=base.filter(yellow).values("pk"))),
        )
        .order_by()
    )
    for row in task_rows:
        entry = counts[row["org_id"]]
        entry["total"] += row["total"]
        entry["red"] += row["red"]
        entry["yellow"] += row["yellow"]
    names = dict(Organisation.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    rows: list[dict[str, Any]] = []
    for org_id, entry in counts.items():
        unit = str(org_id)
        rows.append(
            {
                "id": org_id,
                "name": names.get(org_id, unit),
                **entry,
                "url": case_inbox_url(unit=unit, region=filters.region),
                "red_url": case_inbox_url(unit=unit, light=Light.RED.value, region=filters.region),
                "yellow_url": case_inbox_url(unit=unit, light=Light.YELLOW.value, region=filters.region),
            }
        )
    rows.sort(key=lambda r: (-r["red"], -r["yellow"], -r["total"], r["name"]))
    return rows


def late_node_list(user: Actor, filters: DashboardFilters) -> QuerySet[Node]:
    """Nodes of the dashboard's projects that were past their planned finish and not done
    at the period's end (as of today for the current period)."""
    as_of = filters.as_of
    projects = dashboard_projects(user, filters)
    return (
        Node.objects.filter(project__in=projects.values("pk"), planned_finish__lt=as_of)
        .filter(Q(actual_finish__isnull=True) | Q(actual_finish__gt=as_of))
        .select_related("project", "project__region", "responsible_org")
        .order_by("planned_finish", "pk")
    )


def filter_options(user: Actor, filters: DashboardFilters) -> dict[str, Any]:
    """Regions (the city's counties and districts, or only the user's own) and chains."""
    scope = region_scope(user)
    regions = Region.objects.filter(parent__code=settings.YANCHENG_CITY_CODE, kind__in=RANKED_REGION_KINDS)
    if scope:
        regions = Region.objects.filter(code=scope)
    return {
        "regions": list(regions.order_by("code").values("code", "name")),
        "chains": list(IndustryChain.objects.order_by("sort_order", "code").values("code", "name")),
        "region_locked": bool(scope),
        "months": list(range(1, 13)),
    }


LIGHT_COLOURS = {"red": "#cf222e", "yellow": "#bf8700", "green": "#1a7f37", "paused": "#8c959f",
                 "waiting": "#0969da", "ontime": "#2da44e", "late": "#a40e26"}


def chart_data(data: dict[str, Any]) -> dict[str, Any]:
    """The ECharts options dashboard.js draws (lib.charts: one unit per axis, counts in
    whole steps); labels and series names in the page's language. The tables stay the truth."""
    stages, regions, units = data["stage_rows"], data["region_rows"], data["unit_rows"][:15]
    projects = Axis(pgettext_lazy("chart axis unit", "个"), whole=True)
    cases = Axis(pgettext_lazy("chart axis unit", "件"), whole=True)
    return {"charts": {
        "stages": bar_chart([r["label"] for r in stages], [projects],
                            [Series(_("项目数"), [r["count"] for r in stages])]),
        "regions": bar_chart([r["name"] for r in regions], [Axis(pgettext_lazy("chart axis unit", "万元"))], [
            Series(_("年度计划"), [r["planned"] for r in regions]),
            Series(_("累计完成"), [r["invested"] for r in regions]),
        ]),
        "lights": pie_chart([(r["label"], r["count"], LIGHT_COLOURS[r["light"]]) for r in data["light_rows"]]),
        # No units, no chart (an empty frame says nothing the table's "没有事项" does not).
        "units": bar_chart([r["name"] for r in reversed(units)], [cases], [
            Series(_("红灯"), [r["red"] for r in reversed(units)], stack="l", colour=LIGHT_COLOURS["red"]),
            Series(_("黄灯"), [r["yellow"] for r in reversed(units)], stack="l", colour=LIGHT_COLOURS["yellow"]),
        ], horizontal=True) if units else None,
        **petition_charts(data.get("petitions")),
    }}


def petition_charts(panel: dict[str, Any] | None) -> dict[str, Any]:
    """The 信访 panel's charts: matters by region (bars) and by light (a ring)."""
    if not panel:
        return {}
    matters = Axis(pgettext_lazy("chart axis unit", "件"), whole=True)
    regions = panel["region_rows"]
    return {
        "petition_regions": bar_chart([r["name"] for r in regions], [matters],
                                      [Series(_("信访事项"), [r["count"] for r in regions])]) if regions else None,
        "petition_lights": pie_chart([(r["label"], r["count"], LIGHT_COLOURS.get(r["light"], "#6e7781"))
                                      for r in panel["light_rows"]]),
    }


# --- rankings: snapshots, quarterly review, annual assessment -------------------------------------


def current_snapshots(kind: str, months: list[dt.date]) -> dict[dt.date, RankingSnapshot]:
    """The latest version of each month's snapshot (one query)."""
    latest: dict[dt.date, RankingSnapshot] = {}
    for snap in RankingSnapshot.objects.filter(kind=kind, month__in=months).order_by("month", "version"):
        latest[snap.month] = snap
    return latest


def quarter_months(year: int, quarter: int) -> list[dt.date]:
    return [dt.date(year, month, 1) for month in range(3 * quarter - 2, 3 * quarter + 1)]


def period_review(kind: str, months: list[dt.date]) -> dict[str, Any]:
    """季讲评 / 年考核: each unit's scores averaged over the months that have a snapshot,
    with the escalations, 引资 and 争资 summed and the monthly ranks listed. Built only from
    the frozen snapshots, so later changes to live data do not move a reviewed period."""
    snapshots = current_snapshots(kind, months)
    entries: dict[str, dict[str, Any]] = {}
    for month in months:
        snap = snapshots.get(month)
        if snap is None:
            continue
        for row in snap.rows:
            entry = entries.setdefault(
                row["key"],
                {"key": row["key"], "name": row["name"], "scores": {}, "ranks": {}, "escalations": 0,
                 "attracted": Decimal(0), "won": Decimal(0), "rates": defaultdict(list)},
            )
            entry["scores"][month] = Decimal(str(row["score"]))
            entry["ranks"][month] = row["rank"]
            entry["escalations"] += int(row.get("escalations") or 0)
            entry["attracted"] += Decimal(str(row.get("attracted") or 0))
            entry["won"] += Decimal(str(row.get("won") or 0))
            for _field, key, _label, _sign in METRICS:
                if key in {"escalations", "attracted_index", "won_index"}:
                    continue
                if row.get(key) is not None:
                    entry["rates"][key].append(Decimal(str(row[key])))
    rows = []
    for entry in entries.values():
        scores = list(entry["scores"].values())
        average = (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        rows.append(
            {
                "key": entry["key"],
                "name": entry["name"],
                "average": average,
                "months_counted": len(scores),
                "monthly": [(m, entry["scores"].get(m), entry["ranks"].get(m)) for m in months],
                "escalations": entry["escalations"],
                "attracted": entry["attracted"],
                "won": entry["won"],
                "rates": {
                    key: (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                    for key, values in entry["rates"].items()
                    if values
                },
            }
        )
    rows.sort(key=lambda r: (-r["average"], r["key"]))
    previous: Decimal | None = None
    rank = 0
    for position, row in enumerate(rows, start=1):
        if row["average"] != previous:
            rank, previous = position, row["average"]
        row["rank"] = rank
    return {
        "rows": rows,
        "months": months,
        "snapshots": [snapshots.get(m) for m in months],
        "missing": [m for m in months if m not in snapshots],
        "kind": kind,
        "kind_label": RankingKind(kind).label,
    }


# --- what a ranking's numbers count --------------------------------------------------------------


@dataclass
class CountedSection:
    """One metric's items for one region or unit: ``total`` counted, ``rows`` those the
    viewer may open, which count ``shown`` (``hidden`` = the rest)."""

    key: str
    title: str
    total: int
    rows: list[Any]
    shown: int

    @property
    def hidden(self) -> int:
        return self.total - self.shown


COUNTED_LIMIT = 500


def ranking_entity(kind: str, key: str) -> tuple[int, str] | None:
    """(id, name) of the region (by code) or unit (by id) a ranking row is about."""
    if kind == RankingKind.REGION:
        region = Region.objects.filter(code=key[:12]).values_list("pk", "name").first()
        return (region[0], region[1]) if region else None
    if not key.isdigit():
        return None
    org = Organisation.objects.filter(pk=int(key)).exclude(kind="enterprise").values_list("pk", "name").first()
    return (org[0], org[1]) if org else None


def _flag(condition: Q) -> ExpressionWrapper[Q]:
    return ExpressionWrapper(condition, output_field=BooleanField())


def ranking_counted(user: Actor, kind: str, entity: int, first: Month, last: Month) -> list[CountedSection]:
    """The cases, nodes, projects and funds a ranking counted for one region or unit over
    ``first``…``last`` (one month for 月排名; a quarter or a year for the reviews), taken from
    the same querysets as the ranking (``rankings.counted``), so the counts are the ranking's
    own while the data has not changed since. Cases and projects the viewer may not open are
    counted but not listed."""
    c = counted(kind, last, first)
    cases = Case.objects.visible_to(user).values("pk")
    projects = Project.objects.visible_to(user).values("pk")

    def section(key: str, title: Any, qs: QuerySet[Any], visible: QuerySet[Any]) -> CountedSection:
        rows = list(visible[:COUNTED_LIMIT])
        return CountedSection(key, str(title), qs.count(), rows, visible.count())

    plans = c.plans.filter(**{c.plan_key: entity}).select_related("project").order_by("project__code")
    nodes = c.nodes.filter(**{c.node_key: entity}).select_related("project").order_by("planned_finish", "pk")
    resolved = c.resolved.filter(**{c.case_key: entity}).annotate(
        on_time=_flag(Q(resolved_at__lte=F("solve_due_at")))).order_by("resolved_at", "pk")
    ratings = c.ratings.filter(**{c.rating_key: entity}).select_related("case").order_by("at", "pk")
    signed = c.signed.filter(**{c.project_key: entity}).order_by("signed_on", "code")
    funds = c.funds.filter(**{c.funds_key: entity}).select_related("region", "organisation").order_by("month", "pk")
    escalated = c.escalated.filter(**{c.case_key: entity}).annotate(
        was_pressed=_flag(c.pressed), was_supervised=_flag(c.supervised), was_reported=_flag(c.reported),
    ).order_by("number")
    times = {"p": Count("pk", filter=c.pressed), "s": Count("pk", filter=c.supervised),
             "r": Count("pk", filter=c.reported)}
    every, seen = escalated.aggregate(**times), escalated.filter(pk__in=cases).aggregate(**times)
    visible_escalated = escalated.filter(pk__in=cases)
    rated = section("satisfaction_rate", _("满意率：期内的评价"), ratings, ratings.filter(case_id__in=cases))
    labels = dict(Satisfaction.choices)
    for event in rated.rows:
        event.satisfaction_label = labels.get(str((event.data or {}).get("satisfaction")), "—")
    return [
        section("investment_rate", _("投资完成率：有年度计划的项目"), plans, plans.filter(project_id__in=projects)),
        section("nodes_rate", _("节点按期率：年初至期末应完成的节点"), nodes, nodes.filter(project_id__in=projects)),
        section("cases_rate", _("事项按期办结率：期内办结的事项"), resolved, resolved.filter(pk__in=cases)),
        rated,
        CountedSection("escalations", str(_("升级次数：期内的催办、督办、通报（每项各计一次）")), sum(every.values()),
                       list(visible_escalated[:COUNTED_LIMIT]), sum(seen.values())),
        section("attracted", _("引资：期内签约的项目"), signed, signed.filter(pk__in=projects)),
        section("won", _("争资：期内登记的争取资金"), funds, funds),
        *petition_sections(user, kind, entity, first, last),
        *chain_sections(user, kind, entity, first, last),
    ]


CHAIN_SECTION_TITLES = {
    "lead_conversion_rate": _("招商转化率：当月末前登记、当月初未落地未终止的招商线索"),
    "target_completion_rate": _("产业链目标完成率：所负责产业链当年已报送的目标"),
}


def chain_sections(user: Actor, kind: str, entity: int, first: Month, last: Month) -> list[CountedSection]:
    """The leads and targets behind the ranking's 产业链 terms (unit ranking only)."""
    if kind != RankingKind.UNIT:
        return []
    found = chains_counted(user, entity, first.window[0], last.window[1])
    return [CountedSection(key, str(CHAIN_SECTION_TITLES[key]), total, rows, len(rows))
            for key, (total, rows) in found.items()]


PETITION_SECTION_TITLES = {
    "petition_ontime_rate": _("信访按期办结率：期内办结的信访事项"),
    "petition_satisfaction_rate": _("信访满意率：期内评价的信访事项"),
    "petition_repeat_rate": _("重复信访率：期内登记的重复信访"),
}


def petition_sections(user: Actor, kind: str, entity: int, first: Month, last: Month) -> list[CountedSection]:
    """The matters behind the ranking's 信访 terms (counted all, listed only those the
    viewer may see: a 检举控告 withheld from the viewer is a number, never a row)."""
    found = petitions_counted(user, kind == RankingKind.REGION, entity, first.window[0], last.window[1])
    return [
        CountedSection(key, str(PETITION_SECTION_TITLES[key]), total, rows, len(rows))
        for key, (total, rows) in found.items()
    ]
