"""Reads of the targets family (发展目标清单): one rule for a target's status as of a day.

- The light: the latest reported period p of n a year gives the expected share p / n (the
  linear plan, 序时进度); the actual share is value / 目标 for a year-to-date flow (产值, 投资,
  税收: they start from zero each year) and (value − 上年基数) / (目标 − 上年基数) for a stock
  (规上企业数, 从业人员, other indicators) — a stock target equal to its baseline is done when
  the value reaches it; the light is
  ``selectors.plan_light(expected, actual)``. No actual yet: no light.
- Missing report (缺报): the last period that has ended (a month ends on its last day, a
  quarter on its last month's) has no actual. These are the 链办's to-dos.

The list page, its export, the API, the to-dos and (later) the 链长's home and the meetings
read these functions, so a chip's count and its filtered list always agree. Every function
reads a page in a constant number of queries (the actuals are prefetched)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from yancheng.core.models import IndustryChain, Role
from yancheng.core.typing import MaybeActor
from yancheng.projects.shared import Thresholds, plan_thresholds

from .models import Cadence, ChainProfile, ChainTarget, TargetActual, TargetMetric
from .permissions import chains_visible_to
from .selectors import GREEN, LIGHT_LABELS, NONE, RED, YELLOW, plan_light

LIGHTS = (RED, YELLOW, GREEN, NONE)
HUNDRED = Decimal(100)


def periods_per_year(cadence: str) -> int:
    return 12 if cadence == Cadence.MONTHLY else 4


def period_start(year: int, cadence: str, period: int) -> dt.date:
    month = period if cadence == Cadence.MONTHLY else 3 * period - 2
    return dt.date(year, month, 1)


def period_end(year: int, cadence: str, period: int) -> dt.date:
    """The period's last day: a month's, or a quarter's last month's."""
    month = period if cadence == Cadence.MONTHLY else 3 * period
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def last_ended_period(year: int, cadence: str, today: dt.date) -> int:
    """The last period of the year that has ended by ``today`` (0: none yet). A period has
    ended on its last day."""
    n = periods_per_year(cadence)
    if today.year > year:
        return n
    if today.year < year:
        return 0
    return max((p for p in range(1, n + 1) if period_end(year, cadence, p) <= today), default=0)


def period_label(cadence: str, period: int) -> str:
    from django.utils.translation import gettext as _

    if cadence == Cadence.MONTHLY:
        return _("%(n)d月") % {"n": period}
    return [_("一季度"), _("二季度"), _("三季度"), _("四季度")][period - 1]


@dataclass
class TargetRow:
    """A target as the list shows it, as of a day."""

    target: ChainTarget
    actuals: dict[int, TargetActual] = field(default_factory=dict)
    latest: TargetActual | None = None
    completion: Decimal | None = None  # actual share × 100
    expected: Decimal | None = None  # expected share × 100
    behind: Decimal | None = None  # points behind the linear plan (negative: ahead)
    light: str = NONE
    missing: bool = False
    missing_period: int = 0  # the last ended period when it has no actual

    @property
    def light_label(self) -> str:
        return str(LIGHT_LABELS[self.light])

    @property
    def latest_label(self) -> str:
        return period_label(self.target.cadence, self.latest.period) if self.latest else ""

    @property
    def missing_label(self) -> str:
        return period_label(self.target.cadence, self.missing_period) if self.missing else ""

    def period_values(self) -> list[tuple[int, TargetActual | None]]:
        return [(p, self.actuals.get(p)) for p in range(1, self.target.periods_per_year + 1)]


# Year-to-date flows (1–N月累计) start from zero every year: their 上年基数 is last year's
# figure, shown for the growth rate but not a starting point. Stocks (规上企业数, 从业人员, and
# any other indicator) move from the baseline toward the target.
FLOW_METRICS = frozenset({TargetMetric.OUTPUT, TargetMetric.INVESTMENT, TargetMetric.TAX})


def actual_share(target: ChainTarget, value: Decimal) -> Decimal:
    """How far toward the target the value has come (1 = reached): value ÷ target for a
    year-to-date flow, (value − 上年基数) ÷ (target − 上年基数) for a stock."""
    if target.metric in FLOW_METRICS:
        if target.target_value <= 0:
            return Decimal(1) if value >= target.target_value else Decimal(0)
        return value / target.target_value
    span = target.target_value - target.baseline
    if span == 0:
        return Decimal(1) if value >= target.target_value else Decimal(0)
    return (value - target.baseline) / span


def target_row(target: ChainTarget, today: dt.date, actuals: Iterable[TargetActual] | None = None, *,
               limits: Thresholds | None = None) -> TargetRow:
    """The one rule: a target's latest actual, completion, expected share, light and missing
    report as of ``today`` (the actuals as given, else ``target.actuals.all()``, prefetched)."""
    row = TargetRow(target=target)
    row.actuals = {a.period: a for a in (target.actuals.all() if actuals is None else actuals)}
    n = target.periods_per_year
    if row.actuals:
        p = max(row.actuals)
        row.latest = row.actuals[p]
        expected = Decimal(p) / Decimal(n)
        actual = actual_share(target, row.latest.value)
        row.expected = (expected * HUNDRED).quantize(Decimal("0.1"))
        row.completion = (actual * HUNDRED).quantize(Decimal("0.1"))
        row.behind = ((expected - actual) * HUNDRED).quantize(Decimal("0.1"))
        row.light = plan_light(expected, actual, limits=limits)
    ended = last_ended_period(target.year, target.cadence, today)
    if ended and ended not in row.actuals:
        row.missing, row.missing_period = True, ended
    return row


def targets_of(chains: QuerySet[IndustryChain] | Iterable[IndustryChain], years: Iterable[int]) -> QuerySet[ChainTarget]:
    """The chains' targets of the years, with their actuals prefetched (two queries)."""
    return (
        ChainTarget.objects.filter(chain__in=chains, year__in=list(years))
        .select_related("chain")
        .prefetch_related(Prefetch("actuals", queryset=TargetActual.objects.order_by("period")))
        .order_by("chain__sort_order", "chain__code", "-year", "metric", "name")
    )


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def target_rows(chain: IndustryChain, year: int, *, today: dt.date | None = None) -> list[TargetRow]:
    """The chain's targets of the year as the list shows them (two queries)."""
    day, limits = _today(today), plan_thresholds()
    return [target_row(t, day, limits=limits) for t in targets_of([chain], [year])]


def filter_rows(rows: Iterable[TargetRow], *, light: str = "", missing: bool = False) -> list[TargetRow]:
    """The list's filters: ``light`` (red, yellow, green, none) and ``missing``."""
    out = list(rows)
    if light in LIGHTS:
        out = [r for r in out if r.light == light]
    if missing:
        out = [r for r in out if r.missing]
    return out


def light_counts(rows: Iterable[TargetRow]) -> dict[str, int]:
    """The chips: how many rows of each light, and how many miss a report."""
    rows = list(rows)
    counts = {light: sum(1 for r in rows if r.light == light) for light in LIGHTS}
    counts["missing"] = sum(1 for r in rows if r.missing)
    counts["total"] = len(rows)
    return counts


def targets_light_counts(chains: QuerySet[IndustryChain] | Iterable[IndustryChain], year: int,
                         today: dt.date | None = None) -> dict[int, dict[str, int]]:
    """For the dashboard and the 链长's home: per chain id, its targets of the year by light
    (``red``, ``yellow``, ``green``, ``none``, ``missing``, ``total``)."""
    day, limits = _today(today), plan_thresholds()
    chains = list(chains)
    grouped: dict[int, list[TargetRow]] = {c.pk: [] for c in chains}
    for target in targets_of(chains, [year]):
        grouped[target.chain_id].append(target_row(target, day, limits=limits))
    return {pk: light_counts(rows) for pk, rows in grouped.items()}


def red_targets(chain: IndustryChain, today: dt.date | None = None) -> list[TargetRow]:
    """The chain's targets of this year whose light is red (the 链长 meeting's agenda)."""
    day = _today(today)
    return filter_rows(target_rows(chain, day.year, today=day), light=RED)


def chains_run_by(user: MaybeActor | None) -> QuerySet[IndustryChain]:
    """The chains the user's 链办 runs (its organisation is their office, or the user is named
    staff): whose targets the user maintains."""
    if user is None or not user.is_authenticated or not user.is_active or user.role != Role.CHAIN_OFFICE:
        return IndustryChain.objects.none()
    run = ChainProfile.objects.filter(Q(office_id=user.organisation_id) | Q(staff=user)).values("chain_id")
    return IndustryChain.objects.filter(pk__in=run).order_by("sort_order", "code")


def missing_years(today: dt.date) -> tuple[int, int]:
    """The years whose missing reports wait: this year's, and last year's year-end report."""
    return today.year, today.year - 1


def missing_chains(user: MaybeActor | None) -> QuerySet[IndustryChain]:
    """Whose missing reports the user's list shows: a 链办 the chains it runs, anyone else
    the chains they read."""
    if user is not None and user.is_authenticated and user.role == Role.CHAIN_OFFICE:
        return chains_run_by(user)
    return chains_visible_to(user).order_by("sort_order", "code")


def missing_rows(user: MaybeActor | None, today: dt.date | None = None) -> list[TargetRow]:
    """Targets of this year and last year, of the user's chains, whose last ended period has
    no actual (the 链办's to-do and the cross-chain list behind it)."""
    day, limits = _today(today), plan_thresholds()
    targets = targets_of(missing_chains(user), missing_years(day))
    return [row for row in (target_row(t, day, limits=limits) for t in targets) if row.missing]


def row_out(row: TargetRow) -> dict[str, Any]:
    """A row for the API."""
    t = row.target
    return {
        "id": t.pk, "chain": t.chain.code, "year": t.year, "metric": t.metric, "name": t.name, "label": t.label,
        "unit": t.unit, "baseline": t.baseline, "target_value": t.target_value, "cadence": t.cadence,
        "note": t.note, "version": t.version,
        "latest_period": row.latest.period if row.latest else None,
        "latest_value": row.latest.value if row.latest else None,
        "completion": row.completion, "expected": row.expected, "behind": row.behind, "light": row.light,
        "missing": row.missing, "missing_period": row.missing_period or None,
        "actuals": [{"period": a.period, "value": a.value, "note": a.note} for a in row.actuals.values()],
    }
