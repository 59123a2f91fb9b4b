"""The one rule of a target's status: its light against the linear plan (序时进度), at month
ends and across quarters, with a baseline, a target equal to its baseline, no actual; and the
missing report of the last ended period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from yancheng.chains.models import ChainTarget, TargetActual
from yancheng.chains.selectors_targets import last_ended_period, missing_rows, target_row, target_rows
from yancheng.chains.services.targets import actual_record, target_add
from yancheng.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
YEAR_END = dt.date(2026, 12, 31)


def _row(value, period, *, baseline=0, target=600, cadence="monthly", today=YEAR_END, metric="output"):
    t = ChainTarget(year=2026, metric=metric, unit="亿元", baseline=Decimal(baseline),
                    target_value=Decimal(target), cadence=cadence)
    actuals = [] if value is None else [TargetActual(period=period, value=Decimal(value))]
    return target_row(t, today, actuals)


@pytest.mark.parametrize(("value", "light", "behind"), [
    (300, "green", Decimal("0.0")),   # half the target by the end of June: on plan
    (330, "green", Decimal("-5.0")),  # ahead
    (241, "green", Decimal("9.8")),   # under 10 points behind
    (240, "yellow", Decimal("10.0")),  # 10 points behind: yellow from here
    (120, "yellow", Decimal("30.0")),  # 30 points: still yellow
    (119, "red", Decimal("30.2")),    # beyond 30: red
    (0, "red", Decimal("50.0")),
])
def test_a_monthly_target_is_lit_by_points_behind_its_linear_plan(value, light, behind):
    row = _row(value, 6)
    assert row.expected == Decimal("50.0")
    assert row.behind == behind and row.light == light


def test_the_latest_reported_month_sets_the_plan():
    t = ChainTarget(year=2026, metric="output", unit="亿元", baseline=0, target_value=Decimal(1200), cadence="monthly")
    actuals = [TargetActual(period=1, value=Decimal(100)), TargetActual(period=3, value=Decimal(200))]
    row = target_row(t, YEAR_END, actuals)
    assert row.latest.period == 3 and row.expected == Decimal("25.0") and row.completion == Decimal("16.7")
    assert row.light == "green"  # 8.3 points behind


def test_a_quarterly_target_expects_a_quarter_a_quarter():
    assert _row(150, 1, cadence="quarterly").expected == Decimal("25.0")
    row = _row(150, 2, cadence="quarterly")
    assert (row.expected, row.completion, row.light) == (Decimal("50.0"), Decimal("25.0"), "yellow")
    assert _row(600, 4, cadence="quarterly").light == "green"
    assert _row(400, 4, cadence="quarterly").light == "red"  # 33.3 points short at the year's end


def test_a_stocks_baseline_is_where_the_year_starts_from():
    # 规上企业 from 100 to 120: 105 at the end of Q1 is a quarter of the way.
    row = _row(105, 1, baseline=100, target=120, cadence="quarterly", metric="above_scale")
    assert (row.completion, row.light) == (Decimal("25.0"), "green")
    row = _row(101, 2, baseline=100, target=120, cadence="quarterly", metric="above_scale")
    assert (row.completion, row.behind, row.light) == (Decimal("5.0"), Decimal("45.0"), "red")
    below = _row(95, 1, baseline=100, target=120, cadence="quarterly", metric="above_scale")  # fewer than last year
    assert below.completion == Decimal("-25.0") and below.light == "red"


@pytest.mark.parametrize("metric", ["output", "investment", "tax"])
def test_a_flows_baseline_is_last_years_figure_not_a_starting_point(metric):
    # 产值 counted from January: 2025 was 500, 2026's target 600; 300 by June is on plan.
    row = _row(300, 6, baseline=500, target=600, metric=metric)
    assert (row.completion, row.expected, row.light) == (Decimal("50.0"), Decimal("50.0"), "green")
    assert _row(150, 6, baseline=500, target=600, metric=metric).light == "yellow"  # 25 points behind


def test_a_stock_target_equal_to_its_baseline_is_done_when_the_value_reaches_it():
    assert _row(50, 6, baseline=50, target=50, metric="above_scale").completion == Decimal("100.0")
    assert _row(55, 12, baseline=50, target=50, metric="above_scale").light == "green"
    short = _row(49, 6, baseline=50, target=50, metric="above_scale")
    assert short.completion == Decimal("0.0") and short.light == "red"


def test_no_actual_is_no_light():
    row = _row(None, 0)
    assert row.light == "none" and row.completion is None and row.expected is None and row.latest is None


@pytest.mark.parametrize(("today", "monthly", "quarterly"), [
    (dt.date(2026, 1, 30), 0, 0),
    (dt.date(2026, 1, 31), 1, 0),  # a month has ended on its last day
    (dt.date(2026, 3, 30), 2, 0),
    (dt.date(2026, 3, 31), 3, 1),  # and a quarter on its last month's
    (dt.date(2026, 7, 1), 6, 2),
    (dt.date(2027, 1, 5), 12, 4),  # a past year: its last period
    (dt.date(2025, 12, 31), 0, 0),  # a year not begun
])
def test_the_last_ended_period(today, monthly, quarterly):
    assert last_ended_period(2026, "monthly", today) == monthly
    assert last_ended_period(2026, "quarterly", today) == quarterly


def test_the_last_ended_period_without_an_actual_is_a_missing_report(cw):
    target = target_add(cw.nonferrous, actor=None, year=2026, metric="output", unit="亿元", target_value=600)
    quarterly = target_add(cw.nonferrous, actor=None, year=2026, metric="tax", unit="亿元", target_value=40,
                           cadence="quarterly")
    actual_record(target, actor=None, period=1, value=50, today=dt.date(2026, 2, 1))
    by_id = {r.target.pk: r for r in target_rows(cw.nonferrous, 2026, today=dt.date(2026, 2, 27))}
    assert not by_id[target.pk].missing and not by_id[quarterly.pk].missing
    by_id = {r.target.pk: r for r in target_rows(cw.nonferrous, 2026, today=dt.date(2026, 2, 28))}
    assert by_id[target.pk].missing and by_id[target.pk].missing_period == 2
    assert by_id[target.pk].missing_label == "2月"
    assert by_id[target.pk].light == "green"  # January's 50 of 600 is on plan
    with time_machine.travel(dt.datetime(2026, 3, 31, 9, tzinfo=SH), tick=False):
        rows = {r.target.pk: r for r in missing_rows(cw.lianban)}
        assert set(rows) == {target.pk, quarterly.pk} and rows[quarterly.pk].missing_label == "一季度"
        actual_record(target, actor=cw.lianban, period=3, value=150)
        actual_record(quarterly, actor=cw.lianban, period=1, value=10)
        assert missing_rows(cw.lianban) == []
        assert missing_rows(cw.lianban_dz) == []  # not its chain


def test_last_year_s_year_end_report_stays_missing_until_it_is_made(cw):
    target = target_add(cw.nonferrous, actor=None, year=2025, metric="output", unit="亿元", target_value=500)
    actual_record(target, actor=None, period=11, value=450, today=dt.date(2025, 12, 1))
    assert [r.target.pk for r in missing_rows(cw.lianban, dt.date(2026, 6, 1))] == [target.pk]
    actual_record(target, actor=None, period=12, value=510, today=dt.date(2026, 1, 10))
    assert missing_rows(cw.lianban, dt.date(2026, 6, 1)) == []
    assert missing_rows(cw.lianban, dt.date(2027, 6, 1)) == []  # two years back is history


def test_a_period_that_has_not_begun_is_refused_and_the_current_one_taken(cw):
    target = target_add(cw.nonferrous, actor=None, year=2026, metric="output", unit="亿元", target_value=600)
    quarterly = target_add(cw.nonferrous, actor=None, year=2026, metric="tax", unit="亿元", target_value=40,
                           cadence="quarterly")
    day = dt.date(2026, 3, 15)
    with pytest.raises(ValidationFailed) as refused:
        actual_record(target, actor=None, period=4, value=1, today=day)
    assert refused.value.code == "period_in_future"
    actual_record(target, actor=None, period=3, value=120, today=day)
    with pytest.raises(ValidationFailed):
        actual_record(quarterly, actor=None, period=2, value=1, today=day)
    with pytest.raises(ValidationFailed):
        actual_record(quarterly, actor=None, period=5, value=1, today=YEAR_END)
    with pytest.raises(ValidationFailed):
        actual_record(target, actor=None, period=0, value=1, today=YEAR_END)
