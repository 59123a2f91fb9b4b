"""Major projects through their life: stage history, the year's investment plan, nodes in
sequence (planned, and actual for the past: mostly on time, some late, some overdue and
open) and monthly investment reports from the start month, the year-to-date total
starting again each January. Codes follow the product's own ``XM<year>-<n>``."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal
from typing import Any

from yancheng.core.models import Enterprise, IndustryChain, Region
from yancheng.projects.demo import INDUSTRY_SUFFIXES, INFRASTRUCTURE, LIVELIHOOD
from yancheng.projects.models import AnnualPlan, MonthlyReport, Node, NodeLink, Project, Stage, StageChange

from ..bulk import Chunk, Progress, Rows
from .base import SHANGHAI, Context
from .base import Stage as GeneratorStage
from .world import world_of

NODES = (("前期手续办理", 20), ("用地报批", 25), ("场地平整", 30), ("主体工程施工", 120), ("设备采购", 40),
         ("设备安装调试", 40), ("竣工验收", 15), ("投产达效", 30))
STAGE_WEIGHTS = ((Stage.NEGOTIATING, 10), (Stage.SIGNED, 10), (Stage.STARTED, 8), (Stage.CONSTRUCTION, 45),
                 (Stage.COMPLETED, 15), (Stage.PRODUCING, 12))
ORDER = [s.value for s in Stage]
CENT = Decimal("0.01")


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def _first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


CHUNK = 5_000  # projects a chunk


class ProjectStage(GeneratorStage):
    name = "projects"
    tables = (Project, StageChange, AnnualPlan, Node, NodeLink, MonthlyReport)
    set_aside = True
    resumes = True

    def planned(self, ctx: Context) -> int:
        return ctx.scale.projects * 25

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        scale = ctx.scale
        rng = ctx.rng(self.name)
        today = ctx.today
        self.ctx, self.world = ctx, world_of(ctx)
        self.region_names = dict(Region.objects.values_list("id", "name"))
        self.chains = list(IndustryChain.objects.values_list("id", flat=True).order_by("id"))
        self.enterprises: dict[int, list[int]] = defaultdict(list)
        for pk, region_id in Enterprise.objects.values_list("id", "region_id").order_by("id").iterator(chunk_size=20_000):
            self.enterprises[region_id].append(pk)
        if "total" not in marks:
            marks["total"] = max(scale.projects - Project.objects.count(), 0)
        total = int(marks["total"])
        self.first_project = int(marks[Project._meta.db_table])
        counters: dict[int, int] = defaultdict(int)
        for code in Project.objects.filter(code__startswith="XM").exclude(id__gte=self.first_project).values_list(
                "code", flat=True):
            year, _sep, number = code[2:].partition("-")
            if year.isdigit() and number.isdigit():
                counters[int(year)] = max(counters[int(year)], int(number))
        # Drawn here, in serial order, from the stage's stream: what the codes (XM<year>-n, by
        # the signing year) and the node ids depend on. The chunks draw the rest.
        stages = [s for s, _w in STAGE_WEIGHTS]
        weights = [w for _s, w in STAGE_WEIGHTS]
        self.plan: list[tuple[str, dt.date | None, int, str, int]] = []
        node_id = int(marks[Node._meta.db_table])
        for _serial in range(total):
            stage = rng.choices(stages, weights)[0]
            signed = today - dt.timedelta(days=rng.randint(30, scale.span_days)) if ORDER.index(stage) >= 1 else None
            nodes = rng.randint(5, len(NODES))
            code_year = (signed or today).year
            counters[code_year] += 1
            self.plan.append((stage, signed, nodes, f"XM{code_year}-{counters[code_year]:05d}", node_id))
            node_id += nodes
        chunks = (total + CHUNK - 1) // CHUNK
        done = int(marks.get("chunks_done", 0))
        progress = Progress("projects", total)
        written = ctx.bulk.run_chunks(self.make_chunk, range(done, chunks), progress=progress,
                                      after=ctx.progress_mark(self.name, marks))
        progress.finish()
        return written

    def make_chunk(self, k: int) -> Chunk:
        ctx, world, region_names, chains, enterprises = (self.ctx, self.world, self.region_names, self.chains,
                                                         self.enterprises)
        rng = ctx.chunk_rng(self.name, k)
        today = ctx.today
        vendor = ctx.bulk.vendor
        out = {model: Rows.of_model(model, vendor, pk=model in (Project, Node)) for model in self.tables}
        low, high = k * CHUNK, min((k + 1) * CHUNK, len(self.plan))
        for serial in range(low, high):
            stage, signed, count, code, node_id = self.plan[serial]
            project_id = self.first_project + serial
            city = world.cities[serial % len(world.cities)]
            county = city.counties[rng.randrange(len(city.counties))]
            category = rng.choices(["industry", "infrastructure", "livelihood"], [70, 20, 10])[0]
            place = region_names[county.region_id][:2]
            if category == "industry":
                title = f"{place}{rng.choice('华湘雁衡南岳蒸耒')}{rng.choice('达盛源祥丰宇科锦')}{rng.choice(INDUSTRY_SUFFIXES)}"
            elif category == "infrastructure":
                title = f"{place}{rng.choice(INFRASTRUCTURE)}"
            else:
                title = f"{place}{rng.choice(LIVELIHOOD)}"
            total_investment = min(max(math.exp(rng.gauss(math.log(30_000), 1.0)), 1_000), 3_000_000)
            rank = ORDER.index(stage)
            started = completed = producing = None
            if rank >= 2:
                assert signed is not None
                started = min(signed + dt.timedelta(days=rng.randint(20, 200)), today - dt.timedelta(days=1))
                if stage == Stage.STARTED:
                    started = today - dt.timedelta(days=rng.randint(1, 60))
            if rank >= 4:
                assert started is not None
                completed = min(started + dt.timedelta(days=rng.randint(200, 600)), today)
            if rank >= 5:
                assert completed is not None
                producing = min(completed + dt.timedelta(days=rng.randint(30, 200)), today)
            base = started or (signed + dt.timedelta(days=rng.randint(30, 180)) if signed else
                               today + dt.timedelta(days=rng.randint(30, 240)))
            planned_start = _first(base) if not started else _first(started - dt.timedelta(days=rng.randint(0, 60)))
            if stage == Stage.SIGNED and rng.random() < 0.3:
                planned_start = _add_months(_first(today), -rng.randint(1, 6))  # overdue start: red start light
            planned_completion = planned_start + dt.timedelta(days=rng.randint(360, 1000))
            created = dt.datetime.combine(signed or today - dt.timedelta(days=rng.randint(1, 60)), dt.time(9, 0),
                                          tzinfo=SHANGHAI) - dt.timedelta(days=rng.randint(0, 60))
            created = min(created, ctx.now)
            leader = city.leaders[rng.randrange(len(city.leaders))] if city.leaders and rng.random() < 0.6 else None
            responsible = (county.gov_id if county.gov_id and rng.random() < 0.6
                           else city.units[rng.randrange(len(city.units))])
            local_enterprises = enterprises.get(county.region_id)
            enterprise = (local_enterprises[rng.randrange(len(local_enterprises))]
                          if local_enterprises and category == "industry" and rng.random() < 0.9 else None)
            out[Project].add_dict({
                "id": project_id, "code": code, "name": title[:200],
                "enterprise_id": enterprise, "region_id": county.region_id,
                "park_id": county.parks[rng.randrange(len(county.parks))] if county.parks and category == "industry"
                and rng.random() < 0.6 else None,
                "chain_id": chains[rng.randrange(len(chains))] if category == "industry" and chains else None,
                "category": category, "total_investment": _money(total_investment), "stage": stage,
                "planned_start": planned_start, "planned_completion": planned_completion, "signed_on": signed,
                "started_on": started, "completed_on": completed, "producing_on": producing, "leader_id": leader,
                "responsible_org_id": responsible, "description": f"{title}：总投资约{total_investment / 10_000:.1f}亿元。",
                "is_confidential": rng.random() < 0.03, "is_active": rng.random() > 0.02, "created_at": created,
                "updated_at": created, "version": 1 + rank,
            })
            # Stage history.
            moments = [None, signed, started, started, completed, producing]
            previous = ""
            for step in ORDER[1 : rank + 1]:
                on = moments[ORDER.index(step)] or today
                if step == Stage.CONSTRUCTION:
                    on = min((started or today) + dt.timedelta(days=rng.randint(7, 40)), today)
                out[StageChange].add_dict({"project_id": project_id, "from_stage": previous, "to_stage": step, "on": on,
                                      "actor_id": None, "at": dt.datetime.combine(on, dt.time(10), tzinfo=SHANGHAI),
                                      "note": ""})
                previous = step
            # The year's plan (and last year's) for projects in the ground.
            if started is not None:
                for year in {today.year, max(started.year, today.year - 1)}:
                    out[AnnualPlan].add_dict({"project_id": project_id, "year": year,
                                         "planned_investment": _money(total_investment * rng.uniform(0.2, 0.45))})
            # Nodes in sequence from the planned start, ~1.4 calendar days per working day.
            cursor = planned_start
            previous_node = None
            for index, (node_name, days) in enumerate(NODES[:count]):
                duration = max(1, int(days * rng.uniform(0.6, 1.5)))
                planned_from = cursor
                planned_to = planned_from + dt.timedelta(days=int(duration * 1.4))
                actual_from = actual_to = None
                if planned_from <= today and rank >= 2:
                    actual_from = planned_from + dt.timedelta(days=rng.randint(-3, 10))
                    if actual_from > today:
                        actual_from = today
                    if planned_to < today:
                        draw = rng.random()
                        if draw < 0.75 or rank >= 4:
                            actual_to = planned_to - dt.timedelta(days=rng.randint(0, 5))
                        elif draw < 0.9:
                            late = planned_to + dt.timedelta(days=rng.randint(1, 40))
                            actual_to = late if late <= today else None
                out[Node].add_dict({"id": node_id, "project_id": project_id, "name": node_name, "duration_days": duration,
                               "planned_start": planned_from, "planned_finish": planned_to, "actual_start": actual_from,
                               "actual_finish": actual_to, "responsible_org_id": None, "sort_order": index})
                if previous_node is not None:
                    out[NodeLink].add_dict({"predecessor_id": previous_node, "successor_id": node_id, "lag_days": 0})
                previous_node = node_id
                node_id += 1
                cursor = planned_to + dt.timedelta(days=1)
            # Monthly reports from the start month to last month (at most 24).
            if started is not None:
                first = _first(started)
                last = _add_months(_first(completed or today), -1 if completed is None else 0)
                months = []
                month = first
                while month <= last:
                    months.append(month)
                    month = _add_months(month, 1)
                months = months[-24:]
                ytd = Decimal(0)
                progress_percent = 0
                for month in months:
                    if month.month == 1:
                        ytd = Decimal(0)
                    this_month = _money(total_investment * rng.uniform(0.01, 0.06))
                    ytd += this_month
                    progress_percent = min(100, progress_percent + rng.randint(2, 8))
                    reported = dt.datetime.combine(_add_months(month, 1) + dt.timedelta(days=rng.randint(0, 6)),
                                                   dt.time(16), tzinfo=SHANGHAI)
                    out[MonthlyReport].add_dict({"project_id": project_id, "month": month,
                                            "invested_this_month": this_month, "invested_ytd": ytd,
                                            "progress_percent": progress_percent, "correction_note": "",
                                            "reported_by_id": None, "reported_at": min(reported, ctx.now)})
        return Chunk(units=high - low, parts=[rows.part() for rows in out.values()])
