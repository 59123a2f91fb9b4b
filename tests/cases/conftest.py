"""Shared fixtures of the case tests."""

import datetime as dt

import pytest
import time_machine

from yancheng.cases import services as svc

TUESDAY = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def accepted(world):
    """A case the power company has accepted (reported on a Tuesday, five working days)."""
    with time_machine.travel(TUESDAY, tick=False):
        case = svc.case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="10kV 专线尚未接入。")
        svc.case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)
        svc.case_accept(case, actor=world.handler_power)
    case.refresh_from_db()
    return case
