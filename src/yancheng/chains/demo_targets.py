"""The demo's 发展目标清单: for every chain, last year's and this year's targets (规上工业总产值,
规上企业数, 产业投资, 税收) with their monthly year-to-date actuals for all of last year and
this year up to the last month that has ended. Most chains are on plan; some are 10–30
points behind (yellow), a few more (red), and one has not reported its last month yet.
Everything goes through ``services.targets``; loading twice adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from yancheng.core.models import IndustryChain

from .models import Cadence, ChainTarget, TargetMetric
from .selectors_targets import last_ended_period
from .services.targets import actual_record, target_add

# The scale of each chain: this year's 规上工业总产值 target in 亿元 (others are shares of it).
OUTPUT = {"nonferrous": 820, "power-transmission": 650, "fine-chemicals": 380, "nev": 260, "digital": 210,
          "military-civil": 150, "textile": 120, "clocks": 60, "new-materials": 180, "nuclear": 90,
          "biomedicine": 140, "food": 230, "equipment": 310, "electronics": 270}
# How far behind the linear plan each chain's flows are this year, in points at the latest month
# (negative: ahead). 有色金属 is red: its 链长 meeting has targets to discuss.
BEHIND = {"nonferrous": 36, "power-transmission": 4, "fine-chemicals": 18, "nev": 42, "digital": -3,
          "military-civil": 2, "textile": 22, "clocks": 12, "new-materials": 0, "nuclear": -5,
          "biomedicine": 25, "food": 1, "equipment": 6, "electronics": -2}
MISSING_LAST_MONTH = "food"  # has not reported the last ended month yet (缺报)
# metric, unit, share of the output target (None: a count of enterprises), how much it lags
METRICS = [
    (TargetMetric.OUTPUT, "亿元", Decimal(1), Decimal(1)),
    (TargetMetric.INVESTMENT, "亿元", Decimal("0.18"), Decimal("0.8")),
    (TargetMetric.TAX, "亿元", Decimal("0.04"), Decimal("0.5")),
    (TargetMetric.ABOVE_SCALE, "家", None, Decimal("0.5")),
]
GROWTH = Decimal("1.10")  # a target 10 % above last year's figure
TWO = Decimal("0.01")


def _years(today: dt.date) -> tuple[int, int]:
    return today.year - 1, today.year


def _share(period: int, behind_points: Decimal, last: int) -> Decimal:
    """The year-to-date share of the target at ``period`` of 12 for a chain ``behind_points``
    behind the plan at its latest month ``last``: the lag grows evenly through the year."""
    lag = behind_points / Decimal(100) / (Decimal(last) / Decimal(12)) if last else Decimal(0)
    return Decimal(period) / Decimal(12) * (Decimal(1) - lag)


def load_targets_demo(today: dt.date | None = None) -> int:
    """Targets and actuals of every chain (once); answers how many targets were added."""
    if ChainTarget.objects.exists():
        return 0
    today = today or timezone.localdate()
    added = 0
    with transaction.atomic():
        for chain in IndustryChain.objects.filter(code__in=list(OUTPUT)).order_by("sort_order", "code"):
            added += _chain_targets(chain, today)
    return added


def _chain_targets(chain: IndustryChain, today: dt.date) -> int:
    rng = random.Random(f"chains-targets:{chain.code}")  # noqa: S311 - reproducible demo data
    output = Decimal(OUTPUT[chain.code])
    firms = 8 + int(output / 15)
    added = 0
    for year in _years(today):
        this_year = year == today.year
        scale = Decimal(1) if this_year else Decimal(1) / GROWTH
        last = last_ended_period(year, Cadence.MONTHLY, today)
        # Last year ended close to its target (a little short or over); this year as BEHIND says.
        chain_behind = Decimal(BEHIND[chain.code]) if this_year else Decimal(rng.randint(-4, 8))
        for metric, unit, share, lag_factor in METRICS:
            if share is None:
                target_value = Decimal(int(firms * scale * GROWTH))
                baseline = Decimal(int(firms * scale))
            else:
                target_value = (output * share * scale).quantize(TWO)
                baseline = (target_value / GROWTH).quantize(TWO)
            target = target_add(chain, actor=None, year=year, metric=metric, unit=unit, target_value=target_value,
                                baseline=baseline, cadence=Cadence.MONTHLY)
            added += 1
            behind = chain_behind * lag_factor
            reported = last - 1 if (this_year and chain.code == MISSING_LAST_MONTH) else last
            for period in range(1, reported + 1):
                progress = _share(period, behind, last)
                if share is None:  # a stock: from the baseline toward the target, whole enterprises
                    value = (baseline + (target_value - baseline) * progress).quantize(Decimal(1))
                else:
                    value = (target_value * progress).quantize(TWO)
                actual_record(target, actor=None, period=period, value=value, today=today)
    return added
