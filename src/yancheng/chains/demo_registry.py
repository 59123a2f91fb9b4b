"""The demo's chains as the 链长负责制 runs them: each of the 14 chains' office (the city's
产业链建设推进办公室), 链长 (three demo city leaders), backing units, map (from
``data/chains-430400.json``), development path in two versions, and the demo enterprises of
each chain placed on its current map's nodes — unevenly, so that the maps hold 强, 弱 and 缺
nodes. Everything goes through the services; loading twice adds nothing."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from yancheng.core.models import Enterprise, IndustryChain, Organisation, Role, User
from yancheng.core.services import user_create

from .models import MapNode, Placement, PlacementRole, Strength
from .services.map import placement_update
from .services.registry import link_add, node_add, path_add, placement_add, profile_update

DATA = Path(__file__).resolve().parent / "data" / "chains-430400.json"
OFFICE = "hy-cylb"
# 链长 of the demo: username, full name, the chains they lead.
LEADERS = [
    ("lianzhang", "赵演示（链长）", ["nonferrous", "power-transmission", "new-materials"]),
    ("lianzhang2", "孙演示（链长）", ["fine-chemicals", "nev", "equipment", "electronics", "digital"]),
    ("lingdao", "", ["military-civil", "textile", "clocks", "nuclear", "biomedicine", "food"]),
]
BACKING_ALL = ["hy-gxj", "hy-swj"]  # 工信局 and 商务局 back every chain (招商)
BACKING_MORE = {"nonferrous": ["hy-fgw", "hy-zrzyj"], "power-transmission": ["hy-fgw"], "digital": ["hy-xzspj"],
                "biomedicine": ["hy-scjg"], "nuclear": ["hy-kjj"], "new-materials": ["hy-kjj"]}


@dataclass
class DemoChains:
    chains: dict[str, IndustryChain]
    nodes: dict[str, dict[str, MapNode]]  # chain code → node code → node


def _leaders(password: str) -> dict[str, User]:
    gov = Organisation.objects.get(code="hy-gov")
    people: dict[str, User] = {}
    for username, full_name, _codes in LEADERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=password, role=Role.LEADER, organisation=gov,
                               full_name=full_name, must_change_password=False, actor=None)
        people[username] = user
    return people


def _path_texts(name: str, nodes: list[dict[str, Any]]) -> tuple[str, str]:
    current = [n["name"] for n in nodes if n["in_current"]]
    missing = [n["name"] for n in nodes if not n["in_current"]]
    first = (f"立足衡阳{name}产业现有基础，做强{'、'.join(current[:3])}等环节，"
             f"梳理上下游配套企业，建立企业、项目、问题三张台账。")
    second = (first + f"\n2026年修订：对照目标图谱，重点补齐{'、'.join(missing) or '关键配套'}环节，"
              f"以链主企业带动招商，推进产学研对接，力争规上产值年均增长10%以上。")
    return first, second


def load_registry_demo(password: str) -> DemoChains:
    """Profiles, maps, paths and placements of the 14 demo chains (once)."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    chains = {c.code: c for c in IndustryChain.objects.all()}
    nodes: dict[str, dict[str, MapNode]] = {}
    with transaction.atomic():
        leaders = _leaders(password)
        office = Organisation.objects.get(code=OFFICE)
        orgs = {o.code: o for o in Organisation.objects.filter(code__in=BACKING_ALL + [c for more in BACKING_MORE.values() for c in more])}
        lead_of = {code: leaders[username] for username, _n, codes in LEADERS for code in codes}
        for spec in data["chains"]:
            chain = chains.get(spec["code"])
            if chain is None:
                continue
            if MapNode.objects.filter(chain=chain).exists():
                nodes[chain.code] = {n.code: n for n in MapNode.objects.filter(chain=chain)}
                continue
            backing = [orgs[c] for c in BACKING_ALL + BACKING_MORE.get(chain.code, []) if c in orgs]
            deputies = [leaders["lianzhang2"]] if chain.code == "nonferrous" else []
            profile_update(chain, actor=None, leader=lead_of.get(chain.code), deputy_leaders=deputies, office=office,
                           backing_orgs=backing, industry_group=spec["group"])
            made = {}
            for index, n in enumerate(spec["nodes"]):
                made[n["code"]] = node_add(chain, actor=None, sort_order=index, **n)
            for a, b in spec["links"]:
                link_add(made[a], made[b], actor=None, in_current=made[a].in_current and made[b].in_current)
            nodes[chain.code] = made
            first, second = _path_texts(chain.name, spec["nodes"])
            path_add(chain, actor=None, text=first)
            if chain.code in {"nonferrous", "power-transmission"}:
                path_add(chain, actor=None, text=second)
            _place(chain, [made[n["code"]] for n in spec["nodes"] if n["in_current"]])
    return DemoChains(chains=chains, nodes=nodes)


def _place(chain: IndustryChain, current: list[MapNode]) -> None:
    """The chain's demo enterprises on its current nodes: the first nodes get most of them (a
    strong head), the last current node none (a node on the map that nobody fills yet: 缺)."""
    if len(current) < 2:
        return
    rng = random.Random(f"chains:{chain.code}")  # noqa: S311 - reproducible demo data
    enterprises = list(Enterprise.objects.filter(chains=chain, is_active=True).order_by("name"))
    fillable = current[:-1]
    weights = [len(fillable) - i for i in range(len(fillable))]
    biggest: tuple[Decimal, Enterprise] | None = None
    for enterprise in enterprises:
        node = rng.choices(fillable, weights=weights)[0]
        output = Decimal(rng.randrange(3000, 180000))
        role = PlacementRole.KEY if output > 100000 else PlacementRole.MEMBER
        placement_add(node, enterprise, actor=None, role=role, products=node.name, annual_output=output)
        if biggest is None or output > biggest[0]:
            biggest = (output, enterprise)
    if biggest is not None:
        for placement in Placement.objects.filter(node__chain=chain, enterprise=biggest[1]).select_related("node"):
            placement_update(placement, actor=None, role=PlacementRole.MASTER)
        profile_update(chain, actor=None, masters=[biggest[1]])


__all__ = ["DemoChains", "Strength", "load_registry_demo"]
