"""月排名: the monthly ranking of regions (县市区) and of units (事项主办单位) by the weighted
score of a RankingFormula (SPEC §3 item 5, §9). Pure computation over the live data;
``services.ranking_snapshot_generate`` freezes the result.

Definitions for month M of year Y (each is a percentage 0–100, or None without data;
a metric without data adds nothing to the score):
- 投资完成率: Σ latest year-to-date investment reported up to M ÷ Σ annual plan of Y, over
  the projects with a plan for Y;
- 节点按期率: of the nodes due from 1 January to the end of M, those finished on or
  before their planned date;
- 事项按期办结率: of the cases resolved in M, those resolved by their deadline;
- 满意率: of the cases rated in M, those rated 满意 or 基本满意;
- 升级次数: 催办, 督办 and 通报 that happened in M (each counts once);
- 引资 / 争资: investment of the projects signed in M / funds won in M (万元); their
  indices are the amount ÷ the month's highest amount × 100;
- 信访 (``petitions.selectors_dashboard``), per problem region or handling organ:
  信访按期办结率 — of the matters whose handling case was resolved in M, those whose 受理告知
  and conclusion were both within their limits; 信访满意率 — of the matters rated in M,
  满意 or 基本满意 (the result); 重复信访率 — of the matters registered in M, those repeating an
  earlier one (a deduction). Their weights are 0 until the office sets them; an organ with
  petitions only is ranked once a petition weight is above 0.
- 安全生产 (``safety.selectors_dashboard``), per region of the hazard (the region ranking
  only): 隐患按期整改率 — of the hazards closed (销号) in M, those closed within their
  rectification deadline; 重大隐患逾期数 — 重大隐患 open past their deadline at the end of M (a
  deduction per hazard). Their weights are 0 until the office sets them.
- 产业链 (``chains.selectors_dashboard``), per unit (the unit ranking only): 招商转化率 — of the
  unit's leads registered before the end of M and not closed (落地 or 终止) before M began, those
  that reached 签约 or 落地 by the end of M or were converted into a project; 产业链目标完成率 —
  for a chain office, the mean over its chains' targets of the year of actual ÷ linear plan
  (序时完成率, at most 100 %) as of M. Targets have no region, so the term is per office, not per
  region. Their weights are 0 until the office sets them; a unit with chain figures only is ranked
  once a chain weight is above 0.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.cases.models import PETITION_KINDS, Case, CaseEvent, Satisfaction
from yancheng.chains.selectors_dashboard import ranking_terms as chain_terms
from yancheng.core.models import Organisation, Region
from yancheng.petitions.selectors_dashboard import ranking_terms as petition_terms
from yancheng.projects.models import AnnualPlan, MonthlyReport, Node, Project
from yancheng.safety.selectors_dashboard import ranking_terms as safety_terms

from .models import METRICS, FundsWon, RankingFormula, RankingKind

HUNDRED = Decimal(100)
SATISFIED = Q(data__satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY])
CENT = Decimal("0.01")
RANKED_REGION_KINDS = ("district", "county", "county_city", "stat_zone")


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-03' → Month(2026, 3); ValueError otherwise."""
        year, month = (int(part) for part in text.strip().split("-")[:2])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError(text)
        return cls(year, month)

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def window(self) -> tuple[dt.datetime, dt.datetime]:
        """Aware [start, end) of the month in the city's time zone."""
        tz = timezone.get_default_timezone()
        start = dt.datetime.combine(self.first, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


def rate(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return Decimal(part) * HUNDRED / Decimal(whole)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def formula_text(weights: dict[str, Any]) -> str:
    """The formula as people read it beside the ranking."""
    plus: list[str] = []
    minus: list[str] = []
    labels = {field: (str(label), sign) for field, _key, label, sign in METRICS}
    for field, (label, sign) in labels.items():
        weight = Decimal(str(weights.get(field, 0)))
        term = f"{weight.normalize():f}×{label}"
        (plus if sign > 0 else minus).append(term)
    text = _("得分") + " = " + " + ".join(plus)
    if minus:
        text += " − " + " − ".join(minus)
    note = _(
        "（各比率按百分数计，0–100；无数据的指标不计分；引资/争资指数 = 本单位金额 ÷ 当月最高金额 × 100；"
        "升级次数 = 当月催办、督办、通报次数之和）"
    )
    petitions = _(
        "（信访按期办结率、信访满意率、重复信访率按问题属地或办理机关统计，按百分数计；重复信访率扣分）"
    )
    safety = _("（隐患按期整改率、重大隐患逾期数按隐患所在县市区统计；每项逾期重大隐患扣分）")
    chains = _("（招商转化率：责任单位截至当月末已签约、落地或转化为项目的线索 ÷ 当月末前登记且当月初未落地、未终止的线索；"
               "产业链目标完成率：链办所负责产业链当年各项目标截至当月的累计完成占序时进度之比的平均值，单项最高 100%，"
               "仅参与责任单位排名）")
    return text + note + petitions + safety + chains


def formula_json(formula: RankingFormula) -> dict[str, Any]:
    weights = formula.weights()
    return {"id": formula.pk, "name": formula.name, "weights": weights, "text": formula_text(weights)}


def score_of(row: dict[str, Any], weights: dict[str, Any]) -> Decimal:
    """Σ weight × metric, with the signs of METRICS; missing metrics count as 0."""
    total = Decimal(0)
    for field, key, _label, sign in METRICS:
        value = row.get(f"_{key}")  # unrounded value kept while computing
        if value is None:
            continue
        total += sign * Decimal(str(weights.get(field, 0))) * Decimal(value)
    return total


def _grouped(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows if row[key] is not None}


@dataclass(frozen=True)
class Counted:
    """What one month's metrics count, before grouping by region or unit: each queryset with
    the field that names the region (id) or unit (organisation id) it counts for. The ranking
    groups them; the page behind a ranking's numbers lists them for one region or unit."""

    plans: QuerySet[AnnualPlan]
    plan_key: str
    nodes: QuerySet[Node]
    node_key: str
    resolved: QuerySet[Case]
    ratings: QuerySet[CaseEvent]
    rating_key: str
    escalated: QuerySet[Case]
    case_key: str
    signed: QuerySet[Project]
    project_key: str
    funds: QuerySet[FundsWon]
    funds_key: str
    pressed: Q
    supervised: Q
    reported: Q


def counted(kind: str, month: Month, first: Month | None = None) -> Counted:
    """The querysets of ``_metrics`` for ``month`` (or for the months ``first``…``month``: the
    events of the whole period; the year-to-date figures as of ``month``)."""
    start, end = (first or month).window[0], month.window[1]
    year_start = dt.date(month.year, 1, 1)
    region = kind == RankingKind.REGION
    project_key = "region_id" if region else "responsible_org_id"
    case_key = "region_id" if region else "lead_org_id"
    latest_ytd = Subquery(
        MonthlyReport.objects.filter(project=OuterRef("project_id"), month__gte=year_start, month__lte=month.first)
        .order_by("-month")
        .values("invested_ytd")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    plans = AnnualPlan.objects.filter(year=month.year).annotate(
        ytd=Coalesce(latest_ytd, Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
    )
    nodes = Node.objects.filter(planned_finish__gte=year_start, planned_finish__lte=month.last)
    if not region:
        nodes = nodes.annotate(node_org=Coalesce("responsible_org_id", "project__responsible_org_id"))
    pressed = Q(pressed_at__gte=start, pressed_at__lt=end)
    supervised = Q(supervised_at__gte=start, supervised_at__lt=end)
    reported = Q(reported_at__gte=start, reported_at__lt=end)
    return Counted(
        plans=plans, plan_key=f"project__{project_key}",
        nodes=nodes, node_key="project__region_id" if region else "node_org",
        # Petitions are not in these terms (a 检举控告 must not show up, even as a count, to the
        # organ complained about); the petitions module has its own figures.
        resolved=Case.objects.exclude(kind__in=PETITION_KINDS).filter(
            resolved_at__gte=start, resolved_at__lt=end, solve_due_at__isnull=False
        ),
        ratings=CaseEvent.objects.exclude(case__kind__in=PETITION_KINDS).filter(action="rate", at__gte=start, at__lt=end),
        rating_key=f"case__{case_key}",
        escalated=Case.objects.exclude(kind__in=PETITION_KINDS).filter(pressed | supervised | reported),
        case_key=case_key,
        signed=Project.objects.filter(signed_on__gte=(first or month).first, signed_on__lte=month.last),
        project_key=project_key,
        funds=FundsWon.objects.filter(month__gte=(first or month).first, month__lte=month.first),
        funds_key="region_id" if region else "organisation_id",
        pressed=pressed, supervised=supervised, reported=reported,
    )


def _metrics(kind: str, month: Month) -> tuple[dict[Any, dict[str, Any]], set[Any]]:
    """Raw counts per region id or organisation id, in one grouped query per metric."""
    start, end = month.window
    region = kind == RankingKind.REGION
    c = counted(kind, month)
    plan_key, node_key, case_key, rating_key = c.plan_key, c.node_key, c.case_key, c.rating_key
    project_key, funds_key = c.project_key, c.funds_key
    data: dict[Any, dict[str, Any]] = defaultdict(dict)
    extra_units: set[Any] = set()

    # 投资完成率
    plans = c.plans.values(plan_key).annotate(planned=Sum("planned_investment"), invested=Sum("ytd")).order_by()
    for row in plans:
        data[row[plan_key]].update(planned=row["planned"] or Decimal(0), invested=row["invested"] or Decimal(0))

    # 节点按期率
    for row in (
        c.nodes.values(node_key)
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(actual_finish__isnull=False, actual_finish__lte=F("planned_finish"))),
        )
        .order_by()
    ):
        data[row[node_key]].update(nodes_due=row["due"], nodes_on_time=row["on_time"])

    # 事项按期办结率
    for row in (
        c.resolved.values(case_key)
        .annotate(resolved=Count("pk"), on_time=Count("pk", filter=Q(resolved_at__lte=F("solve_due_at"))))
        .order_by()
    ):
        data[row[case_key]].update(cases_resolved=row["resolved"], cases_on_time=row["on_time"])

    # 满意率: every rating given in the month, read from the case's 评价 events. Not from the
    # closed cases: 不满意 reopens a case, so a closed case is never a dissatisfied one.
    for row in (
        c.ratings.values(rating_key)
        .annotate(rated=Count("pk"), satisfied=Count("pk", filter=SATISFIED))
        .order_by()
    ):
        data[row[rating_key]].update(rated=row["rated"], satisfied=row["satisfied"])

    # 升级次数
    for row in (
        c.escalated.values(case_key)
        .annotate(
            pressed=Count("pk", filter=c.pressed),
            supervised=Count("pk", filter=c.supervised),
            reported=Count("pk", filter=c.reported),
        )
        .order_by()
    ):
        data[row[case_key]].update(escalations=row["pressed"] + row["supervised"] + row["reported"])

    # 引资
    for row in c.signed.values(project_key).annotate(amount=Sum("total_investment")).order_by():
        data[row[project_key]].update(attracted=row["amount"] or Decimal(0))

    # 争资
    for row in c.funds.values(funds_key).annotate(amount=Sum("amount")).order_by():
        if row[funds_key] is not None:
            data[row[funds_key]].update(won=row["amount"] or Decimal(0))

    if not region:
        # Units that held cases during the month are ranked even without any event in it:
        # assigned before its end and not resolved before its start. Asked as the two cases
        # (still unresolved / resolved since the start), each served by a partial index.
        held = Case.objects.exclude(kind__in=PETITION_KINDS).filter(lead_org__isnull=False, assigned_at__lt=end).order_by()
        extra_units = {
            *held.filter(resolved_at__isnull=True).values_list("lead_org_id", flat=True).distinct(),
            *held.filter(resolved_at__gte=start).values_list("lead_org_id", flat=True).distinct(),
        }
    data.pop(None, None)
    return data, extra_units


def _entities(kind: str, keys: set[Any]) -> list[tuple[Any, str, str]]:
    """(id, key shown, name) of the regions or units to rank."""
    if kind == RankingKind.REGION:
        regions = Region.objects.filter(
            parent__code=settings.YANCHENG_CITY_CODE, kind__in=RANKED_REGION_KINDS
        ).order_by("code")
        return [(r.pk, r.code, r.name) for r in regions]
    orgs = Organisation.objects.filter(pk__in=keys).exclude(kind="enterprise").order_by("path")
    return [(o.pk, str(o.pk), o.short_name or o.name) for o in orgs]


PETITION_WEIGHTS = ("w_petition_ontime", "w_petition_satisfaction", "w_petition_repeat")
CHAIN_WEIGHTS = ("w_lead_conversion", "w_target_completion")


def compute_ranking(kind: str, month: Month, formula: RankingFormula) -> list[dict[str, Any]]:
    """The ranked rows of one month, best first; equal scores share a rank (1, 1, 3)."""
    data, extra = _metrics(kind, month)
    petitions = petition_terms(kind == RankingKind.REGION, *month.window)
    safety = safety_terms(*month.window) if kind == RankingKind.REGION else {}
    chains = chain_terms(*month.window) if kind == RankingKind.UNIT else {}
    weights = formula.weights()
    keys = set(data) | extra
    if any(Decimal(weights[field]) > 0 for field in PETITION_WEIGHTS):
        keys |= set(petitions)
    if any(Decimal(weights[field]) > 0 for field in CHAIN_WEIGHTS):
        keys |= set(chains)
    entities = _entities(kind, keys)
    rows: list[dict[str, Any]] = []
    for pk, key, name in entities:
        raw = data.get(pk, {})
        pet = petitions.get(pk, {})
        haz = safety.get(pk, {})
        chn = chains.get(pk, {})
        planned = raw.get("planned", Decimal(0))
        invested = raw.get("invested", Decimal(0))
        row: dict[str, Any] = {
            "key": key,
            "name": name,
            "planned": float(planned),
            "invested": float(invested),
            "_investment_rate": rate(invested, planned),
            "nodes_due": raw.get("nodes_due", 0),
            "nodes_on_time": raw.get("nodes_on_time", 0),
            "_nodes_rate": rate(raw.get("nodes_on_time", 0), raw.get("nodes_due", 0)),
            "cases_resolved": raw.get("cases_resolved", 0),
            "cases_on_time": raw.get("cases_on_time", 0),
            "_cases_rate": rate(raw.get("cases_on_time", 0), raw.get("cases_resolved", 0)),
            "rated": raw.get("rated", 0),
            "satisfied": raw.get("satisfied", 0),
            "_satisfaction_rate": rate(raw.get("satisfied", 0), raw.get("rated", 0)),
            "_escalations": Decimal(raw.get("escalations", 0)),
            "attracted": float(raw.get("attracted", Decimal(0))),
            "won": float(raw.get("won", Decimal(0))),
            "_attracted": raw.get("attracted", Decimal(0)),
            "_won": raw.get("won", Decimal(0)),
            "petitions_concluded": pet.get("petitions_concluded", 0),
            "petitions_on_time": pet.get("petitions_on_time", 0),
            "_petition_ontime_rate": rate(pet.get("petitions_on_time", 0), pet.get("petitions_concluded", 0)),
            "petitions_rated": pet.get("petitions_rated", 0),
            "petitions_satisfied": pet.get("petitions_satisfied", 0),
            "_petition_satisfaction_rate": rate(pet.get("petitions_satisfied", 0), pet.get("petitions_rated", 0)),
            "petitions_filed": pet.get("petitions_filed", 0),
            "petitions_repeated": pet.get("petitions_repeated", 0),
            "_petition_repeat_rate": rate(pet.get("petitions_repeated", 0), pet.get("petitions_filed", 0)),
            "hazards_closed": haz.get("hazards_closed", 0),
            "hazards_on_time": haz.get("hazards_on_time", 0),
            "_hazard_ontime_rate": rate(haz.get("hazards_on_time", 0), haz.get("hazards_closed", 0)),
            "_major_hazards_overdue": Decimal(haz.get("major_hazards_overdue", 0))
            if kind == RankingKind.REGION else None,
            "leads_counted": chn.get("leads_counted", 0),
            "leads_converted": chn.get("leads_converted", 0),
            "_lead_conversion_rate": rate(chn.get("leads_converted", 0), chn.get("leads_counted", 0)),
            "targets_counted": chn.get("targets_counted", 0),
            "_target_completion_rate": chn.get("target_completion"),
        }
        rows.append(row)
    top_attracted = max((r["_attracted"] for r in rows), default=Decimal(0))
    top_won = max((r["_won"] for r in rows), default=Decimal(0))
    for row in rows:
        row["_attracted_index"] = rate(row["_attracted"], top_attracted) if top_attracted else Decimal(0)
        row["_won_index"] = rate(row["_won"], top_won) if top_won else Decimal(0)
        row["_score"] = score_of(row, weights).quantize(CENT, rounding=ROUND_HALF_UP)
    rows.sort(key=lambda r: (-r["_score"], r["key"]))
    previous: Decimal | None = None
    rank = 0
    for position, row in enumerate(rows, start=1):
        if row["_score"] != previous:
            rank = position
            previous = row["_score"]
        row["rank"] = rank
    return [_public(row) for row in rows]


def _public(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if not k.startswith("_")}
    for _field, key, _label, _sign in METRICS:
        value = row.get(f"_{key}")
        whole = key in ("escalations", "major_hazards_overdue")
        out[key] = int(value) if whole and value is not None else _num(value)
    out["score"] = float(row["_score"])
    return out
