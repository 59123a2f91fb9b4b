"""安全生产 at scale: responsibility systems with their checklists and duties, the unit that
answers for each system in every county (``SystemUnit``), the enterprises in each system's
scope (``EnterpriseSystem``), monthly check tasks of every unit over the history, check
records (self-checks and grid patrols; a department's check needs an inspection registration,
so none here) and hazards in every state with their rectification cases (kind ``hazard``) —
so the hazard list's lights are the engine's.

Hazards follow their report's age: the last day's wait to be accepted, 3 % were rejected, the
rest were accepted (a case led by the supervising department, its solve clock the
rectification deadline); past their deadline 85 % are closed (most on time), the rest open and
red; before it some are closed early or wait for verification. 8 % are 重大 (under 督办 once
accepted); 5 % repeat the enterprise's previous hazard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from yancheng.cases.clocks import policy_for
from yancheng.cases.models import Case, CaseKind, Status
from yancheng.core.models import Enterprise, User
from yancheng.safety.models import (
    CheckTask,
    DutyLevel,
    EnterpriseSystem,
    Frequency,
    Hazard,
    HazardLevel,
    HazardSource,
    HazardStage,
    MappingSource,
    SafetyCheck,
    SafetySystem,
    SystemCategory,
    SystemChecklistItem,
    SystemDuty,
    SystemUnit,
)

from ..bulk import Progress
from ..clocks import Clocks
from .base import SHANGHAI, Context, Stage
from .world import world_of

# Hazards per scale (a city of 6.6 million records some 50,000 a year).
HAZARDS = {"smoke": 300, "town": 10_000, "city": 50_000, "province": 500_000}
CHECKS_PER_HAZARD = 1.5
SYSTEMS = (
    ("b-industry", "工贸行业安全生产责任制", SystemCategory.INDUSTRY),
    ("b-fire", "消防安全责任制", SystemCategory.FIRE),
    ("b-hazchem", "危险化学品安全生产责任制", SystemCategory.INDUSTRY),
)
ITEMS = (("01", "安全管理机构和人员配备到位", False), ("02", "特种作业人员持证上岗", False),
         ("03", "安全出口、疏散通道畅通", False), ("04", "重大危险源监测监控到位", True))
TITLES = ("疏散通道堆放杂物", "灭火器过期失效", "特种作业人员无证上岗", "除尘系统未设泄爆装置", "有限空间作业无监护",
          "配电箱线路私拉乱接", "安全警示标志缺失", "危化品储存超量")
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


class SafetyStage(Stage):
    name = "safety"
    tables = (SafetySystem, SystemChecklistItem, SystemDuty, SystemUnit, EnterpriseSystem, CheckTask, SafetyCheck,
              Case, Hazard)

    def planned(self, ctx: Context) -> int:
        hazards = HAZARDS.get(ctx.scale.name, 0)
        return int(hazards * (2 + CHECKS_PER_HAZARD)) + ctx.scale.enterprises

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        total = HAZARDS.get(ctx.scale.name, 0)
        if not total:
            return 0
        rng = ctx.rng(self.name)
        world = world_of(ctx)
        bulk = ctx.bulk
        now = ctx.now
        lead = world.cities[0].units[0]
        systems = [SafetySystem.objects.create(code=code, name=name, category=category, leading_org_id=lead,
                                               is_example=True) for code, name, category in SYSTEMS]
        items: dict[int, list[tuple[int, bool]]] = {}
        for system in systems:
            items[system.pk] = [
                (SystemChecklistItem.objects.create(system=system, code=f"{system.code[2:4].upper()}-{code}", text=text,
                                                    is_major_criterion=major, position=n).pk, major)
                for n, (code, text, major) in enumerate(ITEMS)
            ]
        duties = {system.pk: SystemDuty.objects.create(
            system=system, level=DutyLevel.COUNTY, text="每月对辖区企业开展安全检查", frequency=Frequency.MONTHLY,
            checks_enterprises=True).pk for system in systems}
        # The unit of each system in each county: a county department (in turn), else the lead.
        unit_of: dict[tuple[int, int], int] = {}
        unit_rows: list[dict[str, Any]] = []
        for city in world.cities:
            for county in city.counties:
                departments = county.units[1:] or county.units or [lead]
                for n, system in enumerate(systems):
                    org = departments[n % len(departments)]
                    unit_of[(system.pk, county.region_id)] = org
                    unit_rows.append({"system_id": system.pk, "region_id": county.region_id, "organisation_id": org})
        written = bulk.insert_model(SystemUnit, unit_rows)

        enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", "region_id", "organisation_id"))
        mapped: list[tuple[int, int, int, int]] = []  # (enterprise, region, system, supervising org)
        mapping_rows: list[dict[str, Any]] = []
        for enterprise, region, _org in enterprises:
            chosen = [s for s in systems if rng.random() < 0.5] or [systems[0]]
            for system in chosen:
                mapping_rows.append({"enterprise_id": enterprise, "system_id": system.pk, "source": MappingSource.MANUAL,
                                     "mapped_at": now - DAY * rng.randrange(ctx.scale.span_days), "responsible_org_id": None})
                mapped.append((enterprise, region, system.pk, unit_of.get((system.pk, region), lead)))
        written += bulk.insert_model(EnterpriseSystem, mapping_rows)

        # Monthly tasks of every unit over the history.
        task_rows: list[dict[str, Any]] = []
        task_id = int(marks[CheckTask._meta.db_table])
        task_of: dict[tuple[int, int, str], int] = {}
        month = (now - DAY * ctx.scale.span_days).astimezone(SHANGHAI).date().replace(day=1)
        today = ctx.today
        scope: dict[tuple[int, int], int] = {}
        for _e, _region, system_id, org in mapped:
            scope[(system_id, org)] = scope.get((system_id, org), 0) + 1
        while month <= today:
            following = (month + 32 * DAY).replace(day=1)
            for (system_id, org), count in scope.items():
                task_rows.append({"id": task_id, "system_id": system_id, "duty_id": duties[system_id], "unit_id": org,
                                  "period_start": month, "period_end": following - DAY, "due_on": following - DAY,
                                  "target": max(1, count // 10), "created_at": now})
                task_of[(system_id, org, f"{month:%Y-%m}")] = task_id
                task_id += 1
            month = following
        written += bulk.insert_model(CheckTask, task_rows)

        closer = User.objects.order_by("pk").values_list("pk", flat=True).first()
        span = dt.timedelta(days=ctx.scale.span_days)
        check_rows: list[dict[str, Any]] = []
        case_rows: list[dict[str, Any]] = []
        hazard_rows: list[dict[str, Any]] = []
        check_id, case_id = int(marks[SafetyCheck._meta.db_table]), int(marks[Case._meta.db_table])
        hazard_id = int(marks[Hazard._meta.db_table])
        last_of: dict[tuple[int, int], int] = {}
        clocks = Clocks()
        policies = {urgency: policy_for(CaseKind.HAZARD, urgency) for urgency in ("normal", "urgent")}
        moments = sorted(now - span * rng.random() ** 1.2 for _ in range(total))
        progress = Progress("safety", total)
        for at in moments:
            enterprise, region, system_id, org = mapped[rng.randrange(len(mapped))]
            local = at.astimezone(SHANGHAI)
            # The check that found it (a self-check or a grid patrol), counted against the unit's task.
            check_rows.append({
                "id": check_id, "number": f"BJC{local.year}-{check_id:07d}", "kind": "self" if rng.random() < 0.6 else "grid",
                "enterprise_id": enterprise, "system_id": system_id, "organisation_id": org, "inspection_id": None,
                "task_id": task_of.get((system_id, org, f"{local:%Y-%m}")), "performed_by_id": closer,
                "performed_on": local.date(), "summary": "", "recorded_at": at,
            })
            if rng.random() < CHECKS_PER_HAZARD - 1:  # a check that found nothing
                check_id += 1
                check_rows.append({**check_rows[-1], "id": check_id, "number": f"BJC{local.year}-{check_id:07d}"})
            item, major_item = items[system_id][rng.randrange(len(items[system_id]))]
            major = (major_item and rng.random() < 0.5) or rng.random() < 0.04
            row: dict[str, Any] = {
                "id": hazard_id, "number": f"BYH{local.year}-{hazard_id:07d}",
                "level": HazardLevel.MAJOR if major else HazardLevel.GENERAL, "stage": HazardStage.REPORTED,
                "source": rng.choice((HazardSource.SELF_CHECK, HazardSource.GRID, HazardSource.DEPARTMENT)),
                "system_id": system_id, "item_id": item, "enterprise_id": enterprise, "region_id": region,
                "supervising_org_id": org, "title": rng.choice(TITLES), "description": "现场检查发现。", "location": "",
                "found_in_id": check_id, "repeat_of_id": None, "reported_by_id": None, "reporter_org_id": None,
                "reporter_name": "", "reporter_phone": "", "reported_at": at, "accept_due_at": at + DAY,
                "responsible_person": "", "case_id": None, "rejection_reason": "", "enforcement_measures": "",
                "situation_cause": "", "harm_difficulty": "", "plan_measures": "", "plan_owner": "",
                "plan_contingency": "", "notice_number": "", "version": 1,
            }
            check_id += 1
            previous = last_of.get((enterprise, item))
            if previous is not None and rng.random() < 0.05:
                row["repeat_of_id"] = previous
            last_of[(enterprise, item)] = hazard_id
            if now - at > DAY:
                if rng.random() < 0.03:
                    row["stage"] = HazardStage.REJECTED
                    row["rejection_reason"] = "经核查不属实。"
                else:
                    accepted = at + HOUR * rng.uniform(1, 20)
                    # The rectification deadline in working days, as the product's clocks count it.
                    solve_days = rng.randint(40, 80) if major else rng.randint(5, 20)
                    urgency = "urgent" if major else "normal"
                    clock = clocks.clocks(accepted, 1, solve_days, policies[urgency])
                    due = clock["solve_due_at"]
                    status, resolved = Status.ACCEPTED, None
                    stage = HazardStage.RECTIFYING
                    if due < now:
                        if rng.random() < 0.85:
                            resolved = accepted + (due - accepted) * rng.uniform(0.3, 1.0 if rng.random() < 0.85 else 1.5)
                    elif rng.random() < 0.2:
                        resolved = accepted + (now - accepted) * rng.random()
                    elif rng.random() < 0.25:
                        stage = HazardStage.AWAITING_VERIFICATION
                    if resolved is not None and resolved < now:
                        status, stage = Status.RESOLVED, HazardStage.CLOSED
                    else:
                        resolved = None
                    case_rows.append({
                        "id": case_id, "number": f"BYHC{local.year}-{case_id:07d}", "kind": CaseKind.HAZARD,
                        "urgency": urgency, "title": row["title"], "description": row["description"],
                        "subject": "", "subject_ref": f"hazard:{hazard_id}", "status": status, "reporter_id": None,
                        "reporter_org_id": org, "enterprise_id": enterprise, "region_id": region, "dispatch_org_id": org,
                        "lead_org_id": org, "assigned_at": accepted, "accepted_at": accepted, "day_unit": "working",
                        "accept_days": 1, "solve_days": solve_days, **clock, "resolved_at": resolved,
                        "resolution": "已整改到位。" if resolved else "", "satisfaction": "",
                        "rating_comment": "", "reopen_count": 0, "dissatisfied_count": 0, "escalation_level": 0,
                        "suspended_reason": "", "created_at": at, "updated_at": resolved or accepted, "version": 3,
                        "merged_into_id": None,
                    })
                    row.update(stage=stage, case_id=case_id, accepted_at=accepted,
                               supervised_at=accepted if major else None,
                               rectified_at=resolved, closed_at=resolved, closed_by_id=closer if resolved else None)
                    case_id += 1
            hazard_rows.append(row)
            hazard_id += 1
            progress.advance(1)
        progress.finish()
        written += bulk.insert_model(SafetyCheck, check_rows)
        written += bulk.insert_model(Case, case_rows)
        written += bulk.insert_model(Hazard, hazard_rows)
        return written

