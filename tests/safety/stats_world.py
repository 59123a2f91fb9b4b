"""A small world of hazards and check tasks for the figures, made the way users make them:
reported, accepted, rectified, verified and rejected through the hazards' services
(``services/hazards``), each step at its own moment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import time_machine

from yancheng.safety.models import (
    CheckKind,
    CheckTask,
    Hazard,
    HazardLevel,
    SafetyCheck,
    SystemDuty,
)
from yancheng.safety.services.hazards import (
    hazard_accept,
    hazard_complete_report,
    hazard_reject,
    hazard_report,
    hazard_submit_evidence,
    hazard_verify,
)

T0 = dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)  # Monday 10:00 in Hengyang
NOW = dt.datetime(2026, 5, 6, 2, tzinfo=dt.UTC)  # when the figures are read
MAJOR_PLAN = {
    "situation_cause": "除尘系统未设泄爆装置", "harm_difficulty": "可能引发粉尘爆炸，需停产改造",
    "plan_measures": "加装泄爆片和隔爆阀", "plan_owner": "张三", "plan_funds": "12.5",
    "plan_contingency": "停产期间设警戒区", "plan_deadline": dt.date(2026, 6, 30),
}


def at(when: dt.datetime) -> Any:
    return time_machine.travel(when, tick=False)


def report(sw: Any, actor: Any, when: dt.datetime, **kwargs: Any) -> Hazard:
    fields = {"system": sw.industry, "level": HazardLevel.GENERAL, "title": "除尘器泄爆片缺失",
              "description": "3号车间除尘器泄爆片缺失", "enterprise": sw.enterprise_b, "item": sw.items["GM-01"]}
    fields.update(kwargs)
    with at(when):
        return hazard_report(actor=actor, **fields)


def accept(hazard: Hazard, officer: Any, when: dt.datetime, *, rectify_by: dt.date | None = None) -> Hazard:
    """受理 by the supervising department's officer; a 重大隐患's report is completed first
    (its plan's 时限 the deadline)."""
    with at(when):
        if hazard.is_major:
            hazard = hazard_complete_report(hazard, actor=officer, **MAJOR_PLAN)
        return hazard_accept(hazard, actor=officer, rectify_by=rectify_by, responsible_person="李四")


def close(hazard: Hazard, rectifier: Any, verifier: Any, when: dt.datetime) -> Hazard:
    """The enterprise's evidence an hour before, then 验收 passed (销号) at ``when``."""
    with at(when - dt.timedelta(hours=1)):
        hazard_submit_evidence(hazard, actor=rectifier, measures_taken="已整改到位")
    with at(when):
        return hazard_verify(hazard, actor=verifier, passed=True, note="现场核查合格")


@dataclass
class StatsWorld:
    hazards: dict[str, Hazard] = field(default_factory=dict)
    tasks: dict[str, CheckTask] = field(default_factory=dict)


def build_stats_world(sw: Any) -> StatsWorld:
    """In March–May 2026 (read on 6 May):

    - 石鼓 (enterprise B, 工贸, the city's 应急管理局): closed on time (Mar), closed late (Mar),
      overdue open (Mar), 重大 under 督办 open (Apr), a repeat of the first (Apr), reported
      and not accepted (May);
    - 祁东 (enterprise A): 工贸 closed on time (Apr, 祁东应急管理局: its verification is a check
      of enterprise A that counts for the bureau's April task, 1 of 2), 消防 reported (Apr; a
      gap, the fire brigade); a rejected report (Apr)."""
    officer, other = sw.safety_emergency, sw.safety_emergency2
    qidong = sw.safety_qidong
    firm_a, firm_b = sw.world.users["enterprise_a"], sw.world.users["enterprise_b"]
    h: dict[str, Hazard] = {}
    h["ontime"] = close(accept(report(sw, officer, T0), officer, T0 + dt.timedelta(hours=2),
                               rectify_by=dt.date(2026, 3, 16)), firm_b, other, T0 + dt.timedelta(days=3))
    h["late"] = close(accept(report(sw, officer, T0 + dt.timedelta(days=1), item=sw.items["GM-02"]), officer,
                             T0 + dt.timedelta(days=1, hours=2), rectify_by=dt.date(2026, 3, 5)),
                      firm_b, other, T0 + dt.timedelta(days=20))
    h["overdue"] = accept(report(sw, officer, T0 + dt.timedelta(days=2), item=sw.items["GM-04"]), officer,
                          T0 + dt.timedelta(days=2, hours=2), rectify_by=dt.date(2026, 3, 9))
    april = dt.datetime(2026, 4, 7, 2, tzinfo=dt.UTC)
    h["major"] = accept(report(sw, officer, april, level=HazardLevel.MAJOR, item=sw.items["GM-03"]), officer,
                        april + dt.timedelta(hours=2))
    h["repeat"] = report(sw, officer, april + dt.timedelta(days=1))  # GM-01 again: a repeat of "ontime"
    h["new"] = report(sw, officer, NOW - dt.timedelta(hours=1), item=sw.items["GM-02"])
    h["qidong"] = close(accept(report(sw, qidong, april, enterprise=sw.enterprise_a), qidong,
                               april + dt.timedelta(hours=1), rectify_by=dt.date(2026, 4, 17)),
                        firm_a, qidong, april + dt.timedelta(days=2))
    h["fire"] = report(sw, firm_a, april, system=sw.fire, item=sw.items["XF-01"], enterprise=None)
    rejected = report(sw, qidong, april + dt.timedelta(days=2), enterprise=sw.enterprise_a, item=sw.items["GM-02"])
    with at(april + dt.timedelta(days=2, hours=1)):
        h["rejected"] = hazard_reject(rejected, actor=qidong, reason="不属实")
    assert h["repeat"].repeat_of_id == h["ontime"].pk

    duty = SystemDuty.objects.get(system=sw.industry)
    tasks = {}
    for name, unit, month, target in [
        ("city_apr", sw.emergency_bureau, 4, 2), ("qidong_apr", sw.qidong_emergency, 4, 2),
        ("city_may", sw.emergency_bureau, 5, 1),
    ]:
        last = dt.date(2026, month, 30 if month == 4 else 29)
        tasks[name] = CheckTask.objects.create(
            system=sw.industry, duty=duty, unit=unit, period_start=dt.date(2026, month, 1), period_end=last,
            due_on=last, target=target,
        )
    # The city bureau's April checks (both enterprises: done); 祁东 only its verification (overdue).
    for n, enterprise in enumerate([sw.enterprise_a, sw.enterprise_b, sw.enterprise_b]):
        SafetyCheck.objects.create(
            number=f"JC-T{n}", kind=CheckKind.GRID, enterprise=enterprise, system=sw.industry,
            organisation=sw.emergency_bureau, task=tasks["city_apr"], performed_by=officer,
            performed_on=dt.date(2026, 4, 10 + n), recorded_at=april,
        )
    return StatsWorld(h, tasks)
