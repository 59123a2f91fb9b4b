"""Targets for the tests of the targets family: 有色金属's 2026 targets (a monthly output value
with actuals to May, a quarterly count of 规上企业 with Q1) and 电子信息's one target."""

from __future__ import annotations

from typing import Any

from yancheng.chains.models import ChainTarget
from yancheng.chains.services.targets import actual_record, target_add


def add_targets(cw: Any, year: int = 2026) -> dict[str, ChainTarget]:
    import datetime as dt

    day = dt.date(year, 12, 31)
    output = target_add(cw.nonferrous, actor=None, year=year, metric="output", unit="亿元", baseline=0,
                        target_value=600)
    for period, value in [(1, 50), (2, 100), (3, 150), (4, 200), (5, 240)]:
        actual_record(output, actor=None, period=period, value=value, today=day)
    firms = target_add(cw.nonferrous, actor=None, year=year, metric="above_scale", unit="家", baseline=100,
                       target_value=120, cadence="quarterly")
    actual_record(firms, actor=None, period=1, value=101, today=day)
    tax = target_add(cw.nonferrous, actor=None, year=year, metric="tax", unit="亿元", target_value=30)
    other = target_add(cw.electronics, actor=None, year=year, metric="investment", unit="亿元", target_value=80)
    return {"output": output, "firms": firms, "tax": tax, "electronics": other}
