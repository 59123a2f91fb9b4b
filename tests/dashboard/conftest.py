"""A month of data for the dashboard and the rankings: two projects in 祁东县 and 石鼓区 with
plans, reports, nodes, cases and funds, frozen at 2026-04-15 (the ranked month is March).

Projects, nodes and case outcomes are written as rows here: the figures the rankings read
(resolved_at against solve_due_at, closed_at, escalation times) are what matters, and the
projects' own services are tested in tests/projects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from yancheng.cases.models import Case
from yancheng.dashboard.models import FundsWon
from yancheng.projects.models import AnnualPlan, MonthlyReport, Node, Project

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 4, 15, 10, 0, tzinfo=TZ)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


_counter = iter(range(1, 10_000))


def make_case(world: Any, *, region: Any, lead: Any, **fields: Any) -> Case:
    n = next(_counter)
    defaults: dict[str, Any] = {
        "number": f"WT2026-{n:06d}",
        "title": f"问题{n}",
        "description": "测试",
        "reporter_org": world.enterprise_a.organisation,
        "region": region,
        "dispatch_org": world.qidong_park,
        "lead_org": lead,
        "status": "assigned",
        "assigned_at": at("2026-03-01"),
    }
    defaults.update(fields)
    return Case.objects.create(**defaults)


@pytest.fixture
def month_data(world, frozen):
    p1 = Project.objects.create(
        code="XM-QD-1", name="祁东纸箱扩产", region=world.qidong, park=world.qidong_park,
        responsible_org=world.qidong_ndrc, total_investment=Decimal("5000"), stage="construction",
        signed_on=dt.date(2026, 3, 10),
    )
    p2 = Project.objects.create(
        code="XM-SG-1", name="石鼓机械产业园", region=world.shigu, responsible_org=world.city_ndrc,
        total_investment=Decimal("8000"), stage="started", signed_on=dt.date(2025, 11, 2),
    )
    AnnualPlan.objects.create(project=p1, year=2026, planned_investment=Decimal("1000"))
    AnnualPlan.objects.create(project=p2, year=2026, planned_investment=Decimal("2000"))
    MonthlyReport.objects.create(project=p1, month=dt.date(2026, 2, 1), invested_this_month=Decimal("200"),
                                 invested_ytd=Decimal("200"))
    MonthlyReport.objects.create(project=p1, month=dt.date(2026, 3, 1), invested_this_month=Decimal("400"),
                                 invested_ytd=Decimal("600"))
    MonthlyReport.objects.create(project=p2, month=dt.date(2026, 2, 1), invested_this_month=Decimal("500"),
                                 invested_ytd=Decimal("500"))
    # April's report comes after the ranked month and must not count for March.
    MonthlyReport.objects.create(project=p2, month=dt.date(2026, 4, 1), invested_this_month=Decimal("1000"),
                                 invested_ytd=Decimal("1500"))
    Node.objects.create(project=p1, name="土建", planned_finish=dt.date(2026, 2, 10), actual_finish=dt.date(2026, 2, 9))
    Node.objects.create(project=p1, name="设备安装", planned_finish=dt.date(2026, 3, 20))  # late
    Node.objects.create(project=p2, name="供电", planned_finish=dt.date(2026, 3, 1), actual_finish=dt.date(2026, 3, 5))
    Node.objects.create(project=p2, name="投产", planned_finish=dt.date(2026, 5, 1))  # not yet due

    power, ndrc = world.power_company, world.city_ndrc
    c1 = make_case(world, region=world.qidong, lead=power, status="closed", resolved_at=at("2026-03-05"),
                   solve_due_at=at("2026-03-06"), closed_at=at("2026-03-08"), satisfaction="satisfied")
    c2 = make_case(world, region=world.qidong, lead=power, status="closed", resolved_at=at("2026-03-20"),
                   solve_due_at=at("2026-03-15"), closed_at=at("2026-03-22"), satisfaction="dissatisfied",
                   escalation_level=2, pressed_at=at("2026-03-16"), supervised_at=at("2026-03-18"))
    c3 = make_case(world, region=world.shigu, lead=ndrc, status="closed", resolved_at=at("2026-03-10"),
                   solve_due_at=at("2026-03-12"), closed_at=at("2026-03-11"), satisfaction="basically")
    # Open cases for the dashboard's lights: one overdue (red), one in its last third (yellow).
    red = make_case(world, region=world.qidong, lead=power, accept_due_at=at("2026-03-02"),
                    solve_due_at=at("2026-04-10"), solve_yellow_at=at("2026-04-08"), accepted_at=at("2026-03-01"),
                    status="accepted", escalation_level=1, pressed_at=at("2026-04-11"))
    yellow = make_case(world, region=world.shigu, lead=ndrc, status="accepted", accepted_at=at("2026-04-01"),
                       assigned_at=at("2026-04-01"), solve_due_at=at("2026-04-17"), solve_yellow_at=at("2026-04-14"))
    FundsWon.objects.create(region=world.shigu, month=dt.date(2026, 3, 1), amount=Decimal("300"), title="中央预算内投资")
    assert timezone.now() == NOW
    return SimpleNamespace(p1=p1, p2=p2, cases=[c1, c2, c3], red=red, yellow=yellow)
