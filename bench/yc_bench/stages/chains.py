"""产业链「五单一图谱」 at scale: every city runs the 14 chains of the demo (Hengyang the demo's
own chains, another city its copies, ``<city code>-<chain code>``), each with its profile (the
city's 产业链办 as office, its first leader as 链长, 工信局 and 商务局 backing), its map from
the demo's data file (current and target nodes, links), a development path, the city's
enterprises tagged with the chain placed on its current nodes (the last current node left
empty: 缺), last year's and this year's four targets with monthly year-to-date actuals up to
the last ended month, 招商 leads in every stage with their history, and research results on
the nodes with their matched enterprises.

Written set-wise (the services' single-row path would take hours at province scale); the
lights, strengths and lists are the product's, computed from these rows."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from yancheng.chains.demo_registry import DATA
from yancheng.chains.models import (
    ChainPath,
    ChainProfile,
    ChainTarget,
    Lead,
    LeadEvent,
    MapLink,
    MapNode,
    Placement,
    ResearchMatch,
    ResearchResult,
    TargetActual,
)
from yancheng.core.demo import CHAINS
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region

from ..bulk import Progress
from .base import Context, Stage
from .world import world_of

Backing = ChainProfile.backing_orgs.through
ResultNode = ResearchResult.nodes.through
EnterpriseChain = Enterprise.chains.through
# Per chain: 招商 leads and research results (each result matched to up to MATCHES enterprises).
LEADS = {"smoke": 5, "town": 15, "city": 30, "province": 30}
RESULTS = {"smoke": 2, "town": 6, "city": 10, "province": 10}
MATCHES = 5
STAGES = ("contact", "negotiating", "signed", "landed", "dropped")
STAGE_WEIGHTS = (30, 30, 15, 15, 10)
METRICS = (("output", "亿元", Decimal(1)), ("investment", "亿元", Decimal("0.18")), ("tax", "亿元", Decimal("0.04")),
           ("above_scale", "家", None))
INSTITUTIONS = ("南华大学", "衡阳师范学院", "湖南工学院", "湖南环境生物职业技术学院", "中南大学", "湖南大学")
KINDS = ("global500", "china500", "listed", "chain_leader", "other")
DAY = dt.timedelta(days=1)


def _last_ended_month(year: int, today: dt.date) -> int:
    if today.year > year:
        return 12
    return max((m for m in range(1, 13) if dt.date(year, m, calendar.monthrange(year, m)[1]) <= today), default=0)


class ChainStage(Stage):
    name = "chains"
    tables = (IndustryChain, ChainProfile, Backing, ChainPath, MapNode, MapLink, Placement, ChainTarget, TargetActual,
              Lead, LeadEvent, ResearchResult, ResultNode, ResearchMatch)

    def planned(self, ctx: Context) -> int:
        per_chain = 8 * 13 + LEADS.get(ctx.scale.name, 0) * 4 + RESULTS.get(ctx.scale.name, 0) * (2 + MATCHES) + 40
        return ctx.scale.cities * len(CHAINS) * per_chain + ctx.scale.enterprises

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        rng = ctx.rng(self.name)
        world = world_of(ctx)
        bulk, now, today = ctx.bulk, ctx.now, ctx.today
        spec = {c["code"]: c for c in json.loads(DATA.read_text(encoding="utf-8"))["chains"]}
        orgs = {code: pk for code, pk in Organisation.objects.exclude(kind="enterprise").values_list("code", "pk")}
        city_of_org = {pk: world.city_of_region.get(region) for pk, region in world.region_of_org.items()}
        offices: dict[int, int] = {}
        backing: dict[int, list[int]] = {}
        for code, pk in orgs.items():
            index = city_of_org.get(pk)
            if index is None:
                continue
            if code.endswith("-cylb"):
                offices[index] = pk
            if code.endswith(("-gxj", "-swj")) and world.region_of_org.get(pk) == world.cities[index].region_id:
                backing.setdefault(index, []).append(pk)
        regions = dict(Region.objects.values_list("pk", "code"))

        # The chains: Hengyang's own, and a copy of each for every other city.
        existing = {c.code: c.pk for c in IndustryChain.objects.all()}
        chain_rows: list[dict[str, Any]] = []
        chain_id = int(marks[IndustryChain._meta.db_table])
        chains: list[tuple[int, int, str]] = []  # (city index, chain id, demo code)
        for index, city in enumerate(world.cities):
            for order, (code, name) in enumerate(CHAINS):
                if index == 0 and code in existing:
                    chains.append((0, existing[code], code))
                    continue
                own = f"{city.code}-{code}"
                if own in existing:
                    chains.append((index, existing[own], code))
                    continue
                city_name = Region.objects.filter(pk=city.region_id).values_list("name", flat=True).first() or city.code
                chain_rows.append({"id": chain_id, "code": own, "name": f"{city_name}{name}"[:64], "sort_order": order})
                chains.append((index, chain_id, code))
                chain_id += 1
        written = bulk.insert_model(IndustryChain, chain_rows)

        with_profile = set(ChainProfile.objects.values_list("chain_id", flat=True))
        profile_rows, backing_rows, path_rows = [], [], []
        profile_id = int(marks[ChainProfile._meta.db_table])
        for index, chain, code in chains:
            if chain in with_profile:
                continue
            leaders = world.cities[index].leaders
            profile_rows.append({"id": profile_id, "chain_id": chain, "industry_group": spec[code]["group"] if code in spec else "",
                                 "leader_id": leaders[0] if leaders else None, "office_id": offices.get(index),
                                 "updated_at": now})
            backing_rows += [{"chainprofile_id": profile_id, "organisation_id": org} for org in backing.get(index, [])]
            path_rows.append({"chain_id": chain, "number": 1, "author_id": None, "created_at": now - DAY * 200,
                              "text": "立足现有基础，做强优势环节，补齐缺失环节，以链主企业带动招商。"})
            profile_id += 1
        written += bulk.insert_model(ChainProfile, profile_rows)
        written += bulk.insert_model(Backing, backing_rows)
        written += bulk.insert_model(ChainPath, path_rows)

        # The maps.
        has_nodes = set(MapNode.objects.values_list("chain_id", flat=True).distinct())
        node_rows, link_rows = [], []
        node_id = int(marks[MapNode._meta.db_table])
        current_of: dict[int, list[int]] = {}
        gaps_of: dict[int, list[int]] = {}
        all_of: dict[int, list[int]] = {}
        for _index, chain, code in chains:
            if chain in has_nodes or code not in spec:
                continue
            ids = {}
            for order, n in enumerate(spec[code]["nodes"]):
                node_rows.append({"id": node_id, "chain_id": chain, "code": n["code"], "name": n["name"],
                                  "segment": n["segment"], "keywords": n.get("keywords", ""), "description": "",
                                  "strength_override": "", "override_reason": "",
                                  "in_current": n["in_current"], "in_target": n["in_target"], "sort_order": order})
                ids[n["code"]] = node_id
                all_of.setdefault(chain, []).append(node_id)
                if n["in_current"]:
                    current_of.setdefault(chain, []).append(node_id)
                else:
                    gaps_of.setdefault(chain, []).append(node_id)
                node_id += 1
            current = current_of.get(chain, [])
            if current:
                gaps_of.setdefault(chain, []).insert(0, current[-1])  # the empty current node
            for a, b in spec[code]["links"]:
                both = spec[code]["nodes"]
                in_current = all(n["in_current"] for n in both if n["code"] in (a, b))
                link_rows.append({"chain_id": chain, "source_id": ids[a], "target_id": ids[b], "in_current": in_current})
        written += bulk.insert_model(MapNode, node_rows)
        written += bulk.insert_model(MapLink, link_rows)

        # The enterprises on the maps: each tag of an enterprise of the city, on a current node
        # of its city's copy of the chain (the first nodes get most; the last none).
        by_city_code = {(index, code): chain for index, chain, code in chains}
        code_of = {pk: code for code, pk in existing.items()}
        placement_rows: list[dict[str, Any]] = []
        members: dict[int, list[int]] = {}
        tags = EnterpriseChain.objects.values_list("enterprise_id", "industrychain_id", "enterprise__region_id")
        progress = Progress("chains: placements", EnterpriseChain.objects.count())
        for enterprise, tagged, region in tags.order_by("enterprise_id").iterator(chunk_size=20_000):
            progress.advance(1)
            index = world.city_of_region.get(region)
            chain = by_city_code.get((index, code_of.get(tagged, ""))) if index is not None else None
            fillable = current_of.get(chain, [])[:-1] if chain is not None else []
            if not fillable:
                continue
            node = fillable[min(int(rng.random() ** 1.8 * len(fillable)), len(fillable) - 1)]
            output = Decimal(rng.randrange(3000, 180000))
            placement_rows.append({"node_id": node, "enterprise_id": enterprise, "annual_output": output,
                                   "role": "key" if output > 100000 else "member", "products": "",
                                   "created_at": now - DAY * rng.randrange(1, 400)})
            assert chain is not None
            members.setdefault(chain, []).append(enterprise)
        progress.finish()
        written += bulk.insert_model(Placement, placement_rows)

        written += self._targets(ctx, chains, marks, rng, today, now)
        written += self._leads(ctx, chains, marks, rng, today, now, gaps_of, all_of, backing, regions, world)
        written += self._research(ctx, chains, marks, rng, now, all_of, members, backing)
        return written

    def _targets(self, ctx: Context, chains: list[tuple[int, int, str]], marks: dict[str, Any], rng: Any,
                 today: dt.date, now: dt.datetime) -> int:
        done = set(ChainTarget.objects.values_list("chain_id", flat=True).distinct())
        target_rows, actual_rows = [], []
        target_id = int(marks[ChainTarget._meta.db_table])
        for _index, chain, _code in chains:
            if chain in done:
                continue
            output = Decimal(rng.randrange(50, 900))
            behind = Decimal(rng.choice((-3, 0, 2, 5, 8, 15, 22, 35, 45)))
            for year in (today.year - 1, today.year):
                last = _last_ended_month(year, today)
                for metric, unit, share in METRICS:
                    if share is None:
                        target_value, baseline = Decimal(int(output / 10) + 10), Decimal(int(output / 11) + 9)
                    else:
                        target_value = (output * share).quantize(Decimal("0.01"))
                        baseline = (target_value / Decimal("1.1")).quantize(Decimal("0.01"))
                    target_rows.append({"id": target_id, "chain_id": chain, "year": year, "metric": metric, "unit": unit,
                                        "baseline": baseline, "target_value": target_value, "cadence": "monthly", "name": "", "note": "",
                                        "created_at": now - DAY * 400})
                    lag = (behind / 100) / (Decimal(last) / 12) if last and year == today.year else Decimal(0)
                    for period in range(1, last + 1):
                        progress = Decimal(period) / 12 * (1 - lag)
                        value = (baseline + (target_value - baseline) * progress).quantize(Decimal(1)) if share is None \
                            else (target_value * progress).quantize(Decimal("0.01"))
                        actual_rows.append({"target_id": target_id, "period": period, "value": value, "note": "",
                                            "reported_at": now})
                    target_id += 1
        return ctx.bulk.insert_model(ChainTarget, target_rows) + ctx.bulk.insert_model(TargetActual, actual_rows)

    def _leads(self, ctx: Context, chains: list[tuple[int, int, str]], marks: dict[str, Any], rng: Any,
               today: dt.date, now: dt.datetime, gaps_of: dict[int, list[int]], all_of: dict[int, list[int]],
               backing: dict[int, list[int]], regions: dict[int, str], world: Any) -> int:
        per_chain = LEADS.get(ctx.scale.name, 0)
        done = set(Lead.objects.values_list("chain_id", flat=True).distinct())
        lead_rows, event_rows = [], []
        lead_id = int(marks[Lead._meta.db_table])
        for index, chain, _code in chains:
            owners = backing.get(index, [])
            if chain in done or not owners or not per_chain:
                continue
            counties = [c.region_id for c in world.cities[index].counties] or [world.cities[index].region_id]
            gaps, nodes = gaps_of.get(chain, []), all_of.get(chain, [])
            for n in range(per_chain):
                stage = STAGES[n] if n < len(STAGES) else rng.choices(STAGES, weights=STAGE_WEIGHTS)[0]
                age = rng.randrange(5, 400)
                created = today - DAY * age
                last = today - DAY * rng.randrange(0, min(age, 90) + 1)
                node = gaps[n % len(gaps)] if gaps and rng.random() < 0.7 else (rng.choice(nodes) if nodes else None)
                signed = created + (last - created) * 0.7 if stage in ("signed", "landed") else None
                lead_rows.append({
                    "id": lead_id, "chain_id": chain, "number": f"ZS{created.year}-B{lead_id:07d}",
                    "investor": f"示例投资方{lead_id}有限公司", "investor_kind": rng.choice(KINDS), "investor_origin": "",
                    "note": "",
                    "project_name": f"招商项目{lead_id}", "planned_investment": Decimal(rng.randrange(5, 300)) * 1000,
                    "node_id": node, "fill_kind": rng.choice(("complete", "strengthen", "extend")) if node else "",
                    "region_id": rng.choice(counties), "stage": stage, "owner_org_id": owners[n % len(owners)],
                    "next_step": "跟进洽谈", "next_step_on": last + DAY * rng.randrange(-10, 40),
                    "last_activity_on": last, "signed_on": signed,
                    "landed_on": last if stage == "landed" else None,
                    "dropped_reason": "企业调整投资计划" if stage == "dropped" else "",
                    "created_at": dt.datetime.combine(created, dt.time(10), tzinfo=now.tzinfo),
                })
                event_rows.append({"lead_id": lead_id, "kind": "created", "from_stage": "", "to_stage": "contact", "on": created,
                                   "at": dt.datetime.combine(created, dt.time(10), tzinfo=now.tzinfo), "text": ""})
                if stage != "contact":
                    event_rows.append({"lead_id": lead_id, "kind": "stage", "from_stage": "contact", "to_stage": stage,
                                       "on": last, "at": dt.datetime.combine(last, dt.time(15), tzinfo=now.tzinfo),
                                       "text": ""})
                lead_id += 1
        return ctx.bulk.insert_model(Lead, lead_rows) + ctx.bulk.insert_model(LeadEvent, event_rows)

    def _research(self, ctx: Context, chains: list[tuple[int, int, str]], marks: dict[str, Any], rng: Any,
                  now: dt.datetime, all_of: dict[int, list[int]], members: dict[int, list[int]],
                  backing: dict[int, list[int]]) -> int:
        per_chain = RESULTS.get(ctx.scale.name, 0)
        done = set(ResearchResult.objects.values_list("chain_id", flat=True).distinct())
        result_rows, link_rows, match_rows = [], [], []
        result_id = int(marks[ResearchResult._meta.db_table])
        for index, chain, _code in chains:
            nodes = all_of.get(chain, [])
            owner = (backing.get(index) or [None])[0]
            if chain in done or not nodes:
                continue
            candidates = sorted(set(members.get(chain, [])))
            for _n in range(per_chain):
                result_rows.append({"id": result_id, "chain_id": chain, "title": f"示例科研成果{result_id}",
                                    "institution": rng.choice(INSTITUTIONS), "keywords": "", "maturity": rng.randint(3, 9),
                                    "team": "", "summary": "", "ip_number": "", "transfer_mode": "",
                                    "ip_kind": rng.choice(("invention", "utility", "software", "know_how")),
                                    "created_at": now - DAY * rng.randrange(1, 300)})
                for node in rng.sample(nodes, min(2, len(nodes))):
                    link_rows.append({"researchresult_id": result_id, "mapnode_id": node})
                for enterprise in rng.sample(candidates, min(MATCHES, len(candidates))):
                    status = rng.choices(("suggested", "docking", "succeeded", "failed", "dismissed"),
                                         weights=(60, 15, 10, 5, 10))[0]
                    worked = status in ("docking", "succeeded", "failed") and owner is not None
                    match_rows.append({
                        "result_id": result_id, "enterprise_id": enterprise, "score": rng.randrange(15, 100),
                        "reason": "落位于成果对应环节", "status": status,
                        "owner_org_id": owner if worked else None,
                        "due_on": ctx.today + DAY * rng.randrange(-10, 60) if worked else None,
                        "outcome": "签订技术合作协议" if status == "succeeded" else "", "updated_at": now,
                    })
                result_id += 1
        bulk = ctx.bulk
        return (bulk.insert_model(ResearchResult, result_rows) + bulk.insert_model(ResultNode, link_rows)
                + bulk.insert_model(ResearchMatch, match_rows))
