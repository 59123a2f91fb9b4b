"""The chains test world (产业链「五单一图谱」): the named world plus

- the city's 产业链建设推进办公室 (``hy-cylb``) with ``lianban`` (链办), which runs the 有色金属
  chain (``nonferrous``), and the 电子信息 chain's own office (``hy-dzxx``) with ``lianban_dz``,
  which runs ``electronics`` — each reads the other's chain (city level) but edits only its own;
- a county chain office (祁东, ``lianban_qd``) that runs no chain and reads none;
- ``chain_leader`` (链长 of 有色金属) and ``chain_leader_dz`` (链长 of 电子信息), city leaders;
- ``handler_ndrc``: a handler of the city's 发改委, the 有色金属 chain's backing unit (后盾单位);
- 有色金属's map: 采选 and 冶炼 upstream, 精深加工 and 新材料 midstream, 终端应用 downstream on the
  target map only (a missing node); enterprise B (石鼓区) is its 链主 on 精深加工, enterprise A
  (祁东) a member on 冶炼.

Use the ``cw`` fixture (tests/chains/conftest.py) or call ``build_chain_world``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yancheng.chains.models import MapNode, PlacementRole, Segment
from yancheng.chains.services.registry import link_add, node_add, placement_add, profile_update
from yancheng.core.models import IndustryChain, Organisation, Role, User
from yancheng.core.services import organisation_create, user_create

from .world import PERSONA_PASSWORD, ModuleWorld, World

CHAIN_PERSONAS = ("lianban", "lianban_dz", "lianban_qd", "chain_leader", "chain_leader_dz", "handler_ndrc")


@dataclass
class ChainWorld(ModuleWorld):
    world: World
    office: Organisation  # 衡阳市产业链建设推进办公室
    office_dz: Organisation  # 衡阳市电子信息产业链办公室
    office_qd: Organisation  # 祁东县产业链办公室
    nonferrous: IndustryChain
    electronics: IndustryChain
    nodes: dict[str, MapNode] = field(default_factory=dict)  # 有色金属's, by code
    users: dict[str, User] = field(default_factory=dict)


def build_chain_world(world: World) -> ChainWorld:
    def org(code: str, name: str, region: Any, parent: Organisation | None) -> Organisation:
        return organisation_create(code=code, name=name, kind="office", region=region, parent=parent, actor=None)

    office = org("hy-cylb", "衡阳市产业链建设推进办公室", world.city, world.city_gov)
    office_dz = org("hy-dzxx", "衡阳市电子信息产业链办公室", world.city, world.city_gov)
    office_qd = org("qd-cylb", "祁东县产业链办公室", world.qidong, world.qidong_gov)
    nonferrous, _ = IndustryChain.objects.get_or_create(code="nonferrous", defaults={"name": "有色金属", "sort_order": 1})
    electronics, _ = IndustryChain.objects.get_or_create(code="electronics", defaults={"name": "电子信息", "sort_order": 2})
    cw = ChainWorld(world=world, office=office, office_dz=office_dz, office_qd=office_qd, nonferrous=nonferrous,
                    electronics=electronics)
    people = [
        ("lianban", Role.CHAIN_OFFICE, office, "链办甲"),
        ("lianban_dz", Role.CHAIN_OFFICE, office_dz, "电子链办"),
        ("lianban_qd", Role.CHAIN_OFFICE, office_qd, "祁东链办"),
        ("chain_leader", Role.LEADER, world.city_gov, "有色链长"),
        ("chain_leader_dz", Role.LEADER, world.city_gov, "电子链长"),
        ("handler_ndrc", Role.HANDLER, world.city_ndrc, "发改承办人"),
    ]
    for username, role, organisation, full_name in people:
        cw.users[username] = user_create(
            username=username, password=PERSONA_PASSWORD, role=role, organisation=organisation, full_name=full_name,
            must_change_password=False, actor=None,
        )
    profile_update(nonferrous, actor=None, leader=cw.users["chain_leader"], office=office,
                   backing_orgs=[world.city_ndrc], masters=[world.enterprise_b], industry_group="三色")
    profile_update(electronics, actor=None, leader=cw.users["chain_leader_dz"], office=office_dz,
                   industry_group="四新")
    for code, name, segment, in_current in [
        ("mining", "采选", Segment.UPSTREAM, True),
        ("smelting", "冶炼", Segment.UPSTREAM, True),
        ("processing", "精深加工", Segment.MIDSTREAM, True),
        ("materials", "新材料", Segment.MIDSTREAM, True),
        ("application", "终端应用", Segment.DOWNSTREAM, False),
    ]:
        cw.nodes[code] = node_add(nonferrous, actor=None, code=code, name=name, segment=segment,
                                  in_current=in_current, keywords=name)
    for a, b in [("mining", "smelting"), ("smelting", "processing"), ("processing", "materials"),
                 ("materials", "application")]:
        link_add(cw.nodes[a], cw.nodes[b], actor=None, in_current=cw.nodes[b].in_current)
    placement_add(cw.nodes["processing"], world.enterprise_b, actor=None, role=PlacementRole.MASTER,
                  products="铜箔", annual_output="120000")
    placement_add(cw.nodes["smelting"], world.enterprise_a, actor=None, products="粗铅", annual_output="8000")
    return cw
