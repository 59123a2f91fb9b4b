"""A month of data for the dashboard and the rankings: two projects in 祁东县 and 石鼓区 with
plans, reports, nodes, cases and funds, frozen at 2026-04-15 (the ranked month is March).

The cases go through the engine (submit → assign → accept → resolve → rate, and the
escalation tick for 催办/督办), each step at its own moment, so their deadlines,
resolutions, closures and escalations come from the real paths. Projects, their stages,
plans, monthly reports and nodes go through the projects' services, filed by the city's
project office."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from yancheng.cases import services as cases
from yancheng.cases.escalation import escalation_tick
from yancheng.cases.models import Case
from yancheng.core.models import Role
from yancheng.core.services import user_create
from yancheng.dashboard.models import FundsWon
from yancheng.projects.models import Node, Project
from yancheng.projects.services import nodes, reports
from yancheng.projects.services import registry as projects

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 4, 15, 10, 0, tzinfo=TZ)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


@contextmanager
def on(day: str, hour: int = 10) -> Iterator[None]:
    """The clock at ``day`` ``hour``:00 for the steps inside (nested in ``frozen``)."""
    with time_machine.travel(at(day, hour), tick=False):
        yield


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


_counter = iter(range(1, 10_000))


def _handler(world: Any, org: Any) -> Any:
    """A handler of ``org`` (the world's own for 供电 and 市场监管, else one made once)."""
    own = {world.power_company.pk: "handler_power", world.market_regulation.pk: "clerk_market"}
    if org.pk in own:
        return world.users[own[org.pk]]
    name = f"handler_{org.code}"
    if name not in world.users:
        world.users[name] = user_create(username=name, password=None, role=Role.HANDLER, organisation=org,
                                        full_name=f"{org.name}承办人", actor=None)
    return world.users[name]


def _city_dispatcher(world: Any) -> Any:
    """A dispatcher of the city's project office (重点项目事务中心): it files the projects,
    and assigns the 石鼓区 cases (石鼓区 has no government of its own in the world, so
    they go to the city government)."""
    if "city_dispatcher" not in world.users:
        world.users["city_dispatcher"] = user_create(
            username="city_dispatcher", password=None, role=Role.DISPATCHER, organisation=world.project_office,
            full_name="市调度员", actor=None,
        )
    return world.users["city_dispatcher"]


def make_project(world: Any, *, code: str, name: str, region: Any, responsible_org: Any, total_investment: Any,
                 park: Any = None, stages: tuple[tuple[str, str], ...] = ()) -> Project:
    """A project filed by the project office and moved through ``stages`` ((stage, day), …)."""
    office = _city_dispatcher(world)
    project = projects.project_create(actor=office, code=code, name=name, region=region, park=park,
                                      responsible_org=responsible_org, total_investment=Decimal(total_investment))
    for stage, day in stages:
        project = projects.project_advance(project, stage=stage, on=dt.date.fromisoformat(day), actor=office)
    return project


def make_node(world: Any, project: Project, *, name: str, planned_finish: str, finished: str | None = None) -> Node:
    """A node of ``project`` due on ``planned_finish`` (set by hand), finished on ``finished``."""
    office = _city_dispatcher(world)
    node = nodes.node_add(project, name=name, duration_days=10, actor=office)
    due = dt.date.fromisoformat(planned_finish)
    node = nodes.node_update(node, planned_finish=due, actor=office)
    if finished:
        node = nodes.node_record_actual(node, actual_start=due - dt.timedelta(days=14),
                                        actual_finish=dt.date.fromisoformat(finished), actor=office)
    return node


def make_case(
    world: Any,
    *,
    region: Any,
    lead: Any,
    assigned: str,
    solve_days: int = 5,
    accepted: str | None = None,
    resolved: str | None = None,
    rated: tuple[str, str] | None = None,
) -> Case:
    """One case through the engine: reported by the region's enterprise (甲 in 祁东县,
    乙 in 石鼓区) and assigned on ``assigned`` to ``lead`` for ``solve_days`` working days;
    then accepted, resolved and rated (day, satisfaction) on the days given."""
    n = next(_counter)
    qidong = region.pk == world.qidong.pk
    reporter = world.enterprise_a_user if qidong else world.enterprise_b_user
    dispatcher = world.dispatcher if qidong else _city_dispatcher(world)
    handler = _handler(world, lead)
    with on(assigned, 9):
        case = cases.case_submit(actor=reporter, title=f"问题{n}", description="测试")
    with on(assigned):
        cases.case_assign(case, actor=dispatcher, lead_org=lead, solve_days=solve_days)
    if accepted or resolved:
        with on(accepted or assigned, 11):
            cases.case_accept(case, actor=handler)
    if resolved:
        with on(resolved):
            cases.case_resolve(case, actor=handler, resolution="已解决")
    if rated:
        day, satisfaction = rated
        with on(day):
            cases.case_rate(case, actor=reporter, satisfaction=satisfaction,
                            comment="" if satisfaction != "dissatisfied" else "仍未解决")
    case.refresh_from_db()
    assert case.region_id == region.pk
    return case


@pytest.fixture
def month_data(world, frozen):
    office = _city_dispatcher(world)
    p1 = make_project(world, code="XM-QD-1", name="祁东纸箱扩产", region=world.qidong, park=world.qidong_park,
                      responsible_org=world.qidong_ndrc, total_investment="5000",
                      stages=(("signed", "2026-03-10"), ("started", "2026-03-12"), ("construction", "2026-03-20")))
    p2 = make_project(world, code="XM-SG-1", name="石鼓机械产业园", region=world.shigu,
                      responsible_org=world.city_ndrc, total_investment="8000",
                      stages=(("signed", "2025-11-02"), ("started", "2026-01-15")))
    projects.annual_plan_set(p1, year=2026, planned_investment=Decimal("1000"), actor=office)
    projects.annual_plan_set(p2, year=2026, planned_investment=Decimal("2000"), actor=office)
    for project, month, amount in ((p1, "2026-02-01", "200"), (p1, "2026-03-01", "400"), (p2, "2026-02-01", "500"),
                                   # April's report comes after the ranked month and must not count for March.
                                   (p2, "2026-04-01", "1000")):
        reports.monthly_report_submit(project, month=dt.date.fromisoformat(month),
                                       invested_this_month=Decimal(amount), actor=office)
    # 土建 on time, 设备安装 late (still open), 供电 finished late, 投产 not yet due.
    make_node(world, p1, name="土建", planned_finish="2026-02-10", finished="2026-02-09")
    make_node(world, p1, name="设备安装", planned_finish="2026-03-20")
    make_node(world, p2, name="供电", planned_finish="2026-03-01", finished="2026-03-05")
    make_node(world, p2, name="投产", planned_finish="2026-05-01")

    power, ndrc = world.power_company, world.city_ndrc
    c1 = make_case(world, region=world.qidong, lead=power, assigned="2026-03-02", resolved="2026-03-05",
                   rated=("2026-03-08", "satisfied"))
    c3 = make_case(world, region=world.shigu, lead=ndrc, assigned="2026-03-05", resolved="2026-03-10",
                   rated=("2026-03-11", "basically"))
    # Late: due at the end of 03-13, pressed by the tick of 03-16, 督办 by the tick after
    # its 3 more working days (03-19), resolved 03-20; rated 不满意 on 03-22 (which
    # reopens it), resolved late again on 03-31, and rated 满意 only in April.
    c2 = make_case(world, region=world.qidong, lead=power, assigned="2026-03-06", accepted="2026-03-06")
    with on("2026-03-16"):
        assert escalation_tick().pressed == [c2.pk]
    with on("2026-03-19"):
        assert escalation_tick().supervised == [c2.pk]
    handler, reporter = world.handler_power, world.enterprise_a_user
    with on("2026-03-20"):
        cases.case_resolve(c2, actor=handler, resolution="已解决")
    with on("2026-03-22"):
        cases.case_rate(c2, actor=reporter, satisfaction="dissatisfied", comment="仍未解决")
    with on("2026-03-31"):
        cases.case_resolve(c2, actor=handler, resolution="已重新办理")
    with on("2026-04-02"):
        cases.case_rate(c2, actor=reporter, satisfaction="satisfied")
    c2.refresh_from_db()
    # Open cases for the dashboard's lights: one overdue (red, pressed by the tick of
    # 04-11), one in its last third (yellow).
    red = make_case(world, region=world.qidong, lead=power, assigned="2026-04-01", accepted="2026-04-01")
    with on("2026-04-11"):
        assert escalation_tick().pressed == [red.pk]
    red.refresh_from_db()
    yellow = make_case(world, region=world.shigu, lead=ndrc, assigned="2026-04-09", accepted="2026-04-09")
    FundsWon.objects.create(region=world.shigu, month=dt.date(2026, 3, 1), amount=Decimal("300"), title="中央预算内投资")
    assert timezone.now() == NOW
    return SimpleNamespace(p1=p1, p2=p2, cases=[c1, c2, c3], red=red, yellow=yellow)
