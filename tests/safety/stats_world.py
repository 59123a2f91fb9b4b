"""A small world of hazards and check tasks for the figures, built through ``hazard_report``
and the case engine's services (the hazard's own accept and verify steps are built by the
hazards' page family; until they are on this branch the hazard's stage is set beside the
engine's steps, as those services will set it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import time_machine

from yancheng.cases.models import CaseKind
from yancheng.cases.services import case_accept, case_assign, case_resolve, case_submit
from yancheng.safety.models import (
    CheckKind,
    CheckTask,
    Hazard,
    HazardLevel,
    HazardStage,
    SafetyCheck,
    SystemDuty,
)
from yancheng.safety.services.hazards import hazard_report

T0 = dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)  # Monday 10:00 in Hengyang
NOW = dt.datetime(2026, 5, 6, 2, tzinfo=dt.UTC)  # when the figures are read


def at(when: dt.datetime) -> Any:
    return time_machine.travel(when, tick=False)


def report(sw: Any, actor: Any, when: dt.datetime, **kwargs: Any) -> Hazard:
    fields = {"system": sw.industry, "level": HazardLevel.GENERAL, "title": "除尘器泄爆片缺失",
              "description": "3号车间除尘器泄爆片缺失", "enterprise": sw.enterprise_b, "item": sw.items["GM-01"]}
    fields.update(kwargs)
    with at(when):
        return hazard_report(actor=actor, **fields)


def accept(hazard: Hazard, officer: Any, when: dt.datetime, *, solve_days: int = 5) -> Hazard:
    with at(when):
        case = case_submit(actor=None, kind=CaseKind.HAZARD, title=hazard.title, description=hazard.description,
                           enterprise=hazard.enterprise, dispatch_org=hazard.supervising_org,
                           reporter_org=hazard.supervising_org)
        case = case_assign(case, actor=officer, lead_org=hazard.supervising_org, solve_days=solve_days)
        case = case_accept(case, actor=officer)
        Hazard.objects.filter(pk=hazard.pk).update(
            stage=HazardStage.RECTIFYING, case=case, accepted_at=when, accepted_by=officer,
            supervised_at=when if hazard.is_major else None,
        )
    hazard.refresh_from_db()
    return hazard


def close(hazard: Hazard, officer: Any, when: dt.datetime) -> Hazard:
    assert hazard.case is not None
    with at(when):
        case_resolve(hazard.case, actor=officer, resolution="已整改到位")
        Hazard.objects.filter(pk=hazard.pk).update(stage=HazardStage.CLOSED, rectified_at=when, closed_at=when,
                                                   closed_by=officer)
    hazard.refresh_from_db()
    return hazard


@dataclass
class StatsWorld:
    hazards: dict[str, Hazard] = field(default_factory=dict)
    tasks: dict[str, CheckTask] = field(default_factory=dict)


def build_stats_world(sw: Any) -> StatsWorld:
    """In March–May 2026 (read on 6 May):

    - 石鼓 (enterprise B, 工贸, the city's 应急管理局): closed on time (Mar), closed late (Mar),
      overdue open (Mar), 重大 under 督办 open (Apr), a repeat of the first (Apr), reported
      and not accepted (May);
    - 祁东 (enterprise A): 工贸 closed on time (Apr, 祁东应急管理局), 消防 reported (Apr; a gap,
      the fire brigade); a rejected report (Apr)."""
    officer, other = sw.safety_emergency, sw.safety_emergency2
    qidong = sw.safety_qidong
    h: dict[str, Hazard] = {}
    h["ontime"] = close(accept(report(sw, officer, T0), officer, T0 + dt.timedelta(hours=2), solve_days=10),
                        other, T0 + dt.timedelta(days=3))
    h["late"] = close(accept(report(sw, officer, T0 + dt.timedelta(days=1), item=sw.items["GM-02"]), officer,
                             T0 + dt.timedelta(days=1, hours=2), solve_days=2), other, T0 + dt.timedelta(days=20))
    h["overdue"] = accept(report(sw, officer, T0 + dt.timedelta(days=2), item=sw.items["GM-04"]), officer,
                          T0 + dt.timedelta(days=2, hours=2), solve_days=3)
    april = dt.datetime(2026, 4, 7, 2, tzinfo=dt.UTC)
    h["major"] = accept(report(sw, officer, april, level=HazardLevel.MAJOR, item=sw.items["GM-03"]), officer,
                        april + dt.timedelta(hours=2), solve_days=60)
    h["repeat"] = report(sw, officer, april + dt.timedelta(days=1))  # GM-01 again: a repeat of "ontime"
    h["new"] = report(sw, officer, NOW - dt.timedelta(hours=1), item=sw.items["GM-02"])
    h["qidong"] = close(accept(report(sw, qidong, april, enterprise=sw.enterprise_a), qidong,
                               april + dt.timedelta(hours=1), solve_days=10), qidong, april + dt.timedelta(days=2))
    h["fire"] = report(sw, sw.world.users["enterprise_a"], april, system=sw.fire, item=sw.items["XF-01"],
                       enterprise=None)
    rejected = report(sw, qidong, april + dt.timedelta(days=2), enterprise=sw.enterprise_a, item=sw.items["GM-02"])
    Hazard.objects.filter(pk=rejected.pk).update(stage=HazardStage.REJECTED, rejection_reason="不属实")
    h["rejected"] = rejected
    assert h["repeat"].repeat_of_id == h["ontime"].pk

    duty = SystemDuty.objects.get(system=sw.industry)
    tasks = {}
    for name, unit, month, target in [
        ("city_apr", sw.emergency_bureau, 4, 2), ("qidong_apr", sw.qidong_emergency, 4, 1),
        ("city_may", sw.emergency_bureau, 5, 1),
    ]:
        last = dt.date(2026, month, 30 if month == 4 else 29)
        tasks[name] = CheckTask.objects.create(
            system=sw.industry, duty=duty, unit=unit, period_start=dt.date(2026, month, 1), period_end=last,
            due_on=last, target=target,
        )
    # The city bureau's April checks (both enterprises: done); 祁东 checked nobody (overdue).
    for n, enterprise in enumerate([sw.enterprise_a, sw.enterprise_b, sw.enterprise_b]):
        SafetyCheck.objects.create(
            number=f"JC-T{n}", kind=CheckKind.GRID, enterprise=enterprise, system=sw.industry,
            organisation=sw.emergency_bureau, task=tasks["city_apr"], performed_by=officer,
            performed_on=dt.date(2026, 4, 10 + n), recorded_at=april,
        )
    return StatsWorld(h, tasks)
